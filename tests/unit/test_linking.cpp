// Event clusters: the linking rule, against a brute-force oracle, and merged counts.
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/incidents/uncertainty.hpp>
#include <borderwatch/linking/event_clusters.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <random>

using namespace borderwatch;

namespace {

Incident row(std::string id, std::string date, double lon, double lat, int precision,
             std::string type, std::optional<int> best = std::nullopt) {
    Incident x;
    x.id = std::move(id);
    x.event_date = date;
    x.event_date_end = date;
    x.place_lon = lon;
    x.place_lat = lat;
    x.precision = precision;
    x.event_type = std::move(type);
    x.fatalities_best = best;
    return x;
}

std::vector<LinkRecord> records(const std::vector<Incident> &rows,
                                const std::map<std::string, std::string> &same_as = {}) {
    std::vector<LinkRecord> out;
    for (auto x : rows) {
        if (const auto it = same_as.find(x.id); it != same_as.end()) {
            x.same_as = it->second;
        }
        out.push_back(link_record(x));
    }
    return out;
}

} // namespace

TEST_CASE("an ACLED and a UCDP coding of one clash are one event", "[linking]") {
    // Khatlon, 2025-11-30: the same village placed by two gazetteers 3 km apart.
    const auto a = row("TJK1001", "2025-11-30", 68.80, 37.10, 1, "Battles", 2);
    auto u = row("UCDP-555", "2025-11-30", 68.83, 37.11, 1, "Violence against civilians", 3);
    u.fatalities_low = 1;
    u.fatalities_high = 5;
    const auto c = EventClusters::build(records({a, u}));
    CHECK(c.rows() == 2);
    CHECK(c.clusters() == 1);
    CHECK(c.merged_rows() == 1);
    CHECK(c.of("UCDP-555").cluster == "TJK1001");
    CHECK(c.of("TJK1001").size == 2);
    const auto merged = merge_cluster({a, u});
    CHECK(merged.id == "TJK1001"); // equal precision: the smaller id
    CHECK(merged.fatalities_best == 2);
    CHECK(merged.fatalities_low == 1);
    CHECK(merged.fatalities_high == 5);
}

TEST_CASE("rows are not linked across dates, types, distance or unbounded precision", "[linking]") {
    const auto base = row("A", "2025-11-30", 70.0, 37.5, 1, "Battles");
    SECTION("dates that do not overlap") {
        CHECK(
            EventClusters::build(records({base, row("B", "2025-12-01", 70.0, 37.5, 1, "Battles")}))
                .clusters() == 2);
    }
    SECTION("incompatible types (two ACLED rows)") {
        CHECK(EventClusters::build(records({base, row("B", "2025-11-30", 70.0, 37.5, 1,
                                                      "Explosions/Remote violence")}))
                  .clusters() == 2);
        CHECK(
            EventClusters::build(records({base, row("B", "2025-11-30", 70.0, 37.5, 1, "Protests")}))
                .clusters() == 2);
    }
    SECTION("beyond the two uncertainties plus the tolerance") {
        // 0.1 deg of latitude is ~11 km: exact rows (0 km) with a 5 km tolerance stay apart,
        // a row near a place (10 km) reaches it.
        CHECK(
            EventClusters::build(records({base, row("B", "2025-11-30", 70.0, 37.6, 1, "Battles")}))
                .clusters() == 2);
        CHECK(
            EventClusters::build(records({base, row("B", "2025-11-30", 70.0, 37.6, 2, "Battles")}))
                .clusters() == 1);
    }
    SECTION("country-level rows are never linked by place") {
        CHECK(
            EventClusters::build(records({base, row("B", "2025-11-30", 70.0, 37.5, 6, "Battles")}))
                .clusters() == 2);
    }
    SECTION("a range overlapping a day links") {
        auto month = row("B", "2025-11-01", 70.0, 37.5, 1, "Battles");
        month.event_date_end = "2025-11-30";
        CHECK(EventClusters::build(records({base, month})).clusters() == 1);
    }
}

TEST_CASE("same_as links whatever the rule, none opts out, no-link keeps explicit links",
          "[linking]") {
    const std::vector<Incident> rows = {row("A", "2025-11-30", 70.0, 37.5, 1, "Battles"),
                                        row("B", "2025-11-30", 70.0, 37.5, 1, "Battles"),
                                        row("C", "2024-01-01", 60.0, 30.0, 1, "Protests")};
    CHECK(EventClusters::build(records(rows)).clusters() == 2);
    CHECK(EventClusters::build(records(rows, {{"C", "A"}})).clusters() == 1);
    CHECK(EventClusters::build(records(rows, {{"B", "none"}})).clusters() == 3);
    LinkOptions no_link;
    no_link.automatic = false;
    CHECK(EventClusters::build(records(rows), no_link).clusters() == 3);
    const auto explicit_only = EventClusters::build(records(rows, {{"C", "A | X"}}), no_link);
    CHECK(explicit_only.clusters() == 2);
    CHECK(explicit_only.of("C").cluster == "A");
}

TEST_CASE("event clusters equal a brute-force oracle on 1,500 random rows", "[linking]") {
    std::mt19937_64 rng(20251130);
    std::uniform_real_distribution<double> lon(67.0, 75.0), lat(36.0, 39.5), day(0, 40);
    const char *types[] = {"Battles", "Explosions/Remote violence", "Violence against civilians",
                           "Protests", ""};
    const int precisions[] = {1, 1, 2, 3, 4, 6};
    std::vector<Incident> rows;
    for (int i = 0; i < 1500; ++i) {
        const int d = static_cast<int>(day(rng));
        char date[16];
        std::snprintf(date, sizeof date, "2025-11-%02d", 1 + d % 28);
        auto x = row((i % 3 == 0 ? "UCDP-" : "R") + std::to_string(i), date, lon(rng), lat(rng),
                     precisions[rng() % 6], types[rng() % 5]);
        if (rng() % 5 == 0) {
            x.event_date_end = "2025-11-28"; // a range
        }
        rows.push_back(x);
    }
    const auto recs = records(rows);
    const auto clusters = EventClusters::build(recs);
    // Oracle: every pair, union-find.
    std::vector<std::size_t> parent(rows.size());
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    std::function<std::size_t(std::size_t)> find = [&](std::size_t i) {
        return parent[i] == i ? i : parent[i] = find(parent[i]);
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t j = i + 1; j < rows.size(); ++j) {
            const auto &a = recs[i];
            const auto &b = recs[j];
            const double ua = location_uncertainty_km(a.precision);
            const double ub = location_uncertainty_km(b.precision);
            if (!std::isfinite(ua) || !std::isfinite(ub) || a.end_day < b.start_day ||
                b.end_day < a.start_day ||
                !compatible_event_types(a.event_type, a.ucdp, b.event_type, b.ucdp)) {
                continue;
            }
            const double d = geodesic_inverse(*a.lon, *a.lat, *b.lon, *b.lat).distance_m;
            if (d <= (ua + ub + LinkOptions{}.tolerance_km) * 1000.0) {
                parent[find(i)] = find(j);
            }
        }
    }
    std::map<std::size_t, std::string> smallest;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto &s = smallest[find(i)];
        if (s.empty() || rows[i].id < s) {
            s = rows[i].id;
        }
    }
    CHECK(clusters.clusters() == smallest.size());
    CHECK(clusters.merged_rows() > 50); // the set is dense enough to exercise linking
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO(rows[i].id);
        CHECK(clusters.of(rows[i].id).cluster == smallest[find(i)]);
    }
}

TEST_CASE("ClusterFolder hands each event on once", "[linking]") {
    const std::vector<Incident> rows = {row("A", "2025-11-30", 70.0, 37.5, 2, "Battles", 4),
                                        row("B", "2025-11-30", 70.0, 37.5, 1, "Battles", 6),
                                        row("C", "2025-11-30", 70.0, 37.5, 3, "Battles", 1),
                                        row("D", "2024-01-01", 60.0, 30.0, 1, "Protests", 0)};
    const auto clusters = EventClusters::build(records(rows));
    REQUIRE(clusters.clusters() == 2);
    std::vector<Incident> out;
    ClusterFolder folder(clusters, [&](const Incident &x) { out.push_back(x); });
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        folder.add(*it);
    }
    folder.finish();
    REQUIRE(out.size() == 2);
    CHECK(out[0].id == "D");
    CHECK(out[1].id == "B");            // the most precise member stands for the event
    CHECK(out[1].fatalities_best == 4); // median of 1, 4, 6
    CHECK(out[1].fatalities_low == 1);
    CHECK(out[1].fatalities_high == 6);

    // A filter that lets only two members through: merged over those at finish().
    out.clear();
    ClusterFolder partial(clusters, [&](const Incident &x) { out.push_back(x); });
    partial.add(rows[0]);
    partial.add(rows[2]);
    CHECK(out.empty());
    partial.finish();
    REQUIRE(out.size() == 1);
    CHECK(out[0].id == "A");
    CHECK(out[0].fatalities_best == 1); // lower median of 1, 4
}
