// Distance-to-border statistics: every grouping, quantiles, the imprecise accounting, formats.
#include <borderwatch/core/error.hpp>
#include <borderwatch/stats/stats.hpp>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <random>

using namespace borderwatch;

namespace {

Incident inc(const std::string &side, const std::string &admin2, double km, int precision,
             const std::string &date = "2025-11-26", int fatalities = 1, double chainage = 10) {
    Incident x;
    x.id = side + admin2 + std::to_string(km);
    x.side = side;
    x.admin1 = side == "TJK" ? "Khatlon Region" : "Kunduz";
    x.admin2 = admin2;
    x.event_type = km < 5 ? "Battles" : "Violence against civilians";
    x.event_date = date;
    x.border_distance_m = km * 1000.0;
    x.chainage_km = chainage;
    x.precision = precision;
    x.fatalities_best = fatalities;
    return x;
}

StatsTable run(const std::vector<Incident> &xs, const std::string &by, double sector_km = 50) {
    StatsOptions o;
    o.by = parse_stats_keys(by);
    o.sector_km = sector_km;
    StatsAccumulator acc(o);
    for (const auto &x : xs) {
        acc.add(x);
    }
    return acc.finish();
}

const std::vector<Incident> k_sample = {
    inc("TJK", "Panj District", 0.5, 1, "2025-11-26", 2, 10),
    inc("TJK", "Panj District", 2.0, 1, "2025-11-30", 0, 20),
    inc("TJK", "Darvoz District", 12.0, 3, "2025-12-01", 3, 540), // district level: imprecise
    inc("AFG", "Imam Sahib", 7.0, 2, "2025-12-24", 1, 70),        // near: [0,17] imprecise
    inc("AFG", "Imam Sahib", 80.0, 1, "2025-12-25", 0, 75),
};

} // namespace

TEST_CASE("Stats: totals, quantiles and the imprecise accounting", "[stats]") {
    const auto t = run(k_sample, "");
    REQUIRE(t.groups.size() == 1);
    const auto &g = t.total;
    CHECK(g.count == 5);
    CHECK(g.fatalities == 6);
    CHECK(g.imprecise == 2);
    CHECK(*g.min_km == Approx(0.5));
    CHECK(*g.max_km == Approx(80.0));
    CHECK(*g.median_km == Approx(2.0));
    CHECK(*g.mean_km == Approx((0.5 + 2.0 + 80.0) / 3));
    CHECK(*g.p90_km == Approx(2.0 + (80.0 - 2.0) * 0.8)); // linear interpolation
}

TEST_CASE("Stats: every grouping", "[stats]") {
    auto keys = [](const StatsTable &t) {
        std::vector<std::string> out;
        for (const auto &g : t.groups) {
            std::string k;
            for (const auto &part : g.key) {
                k += (k.empty() ? "" : "/") + part;
            }
            out.push_back(k + ":" + std::to_string(g.count));
        }
        return out;
    };
    CHECK(keys(run(k_sample, "side")) == std::vector<std::string>{"AFG:2", "TJK:3"});
    CHECK(keys(run(k_sample, "admin1")) ==
          std::vector<std::string>{"Khatlon Region:3", "Kunduz:2"});
    CHECK(keys(run(k_sample, "admin2")) ==
          std::vector<std::string>{"Darvoz District:1", "Imam Sahib:2", "Panj District:2"});
    CHECK(keys(run(k_sample, "event_type")) ==
          std::vector<std::string>{"Battles:2", "Violence against civilians:3"});
    CHECK(keys(run(k_sample, "month")) == std::vector<std::string>{"2025-11:2", "2025-12:3"});
    CHECK(keys(run(k_sample, "band")) ==
          std::vector<std::string>{"0-1:1", "1-5:1", ">50:1", "imprecise:2"});
    CHECK(keys(run(k_sample, "sector")) ==
          std::vector<std::string>{"0-50:2", "50-100:2", "imprecise:1"});
    // Wider sectors absorb the uncertainty: 70 +- 10 and 540 +- 25 km now fit one sector.
    CHECK(keys(run(k_sample, "sector", 100)) == std::vector<std::string>{"0-100:4", "500-600:1"});
    const auto two = run(k_sample, "side,band");
    CHECK(keys(two) == std::vector<std::string>{"AFG/>50:1", "AFG/imprecise:1", "TJK/0-1:1",
                                                "TJK/1-5:1", "TJK/imprecise:1"});
    const auto &imprecise = two.groups.back();
    CHECK(imprecise.imprecise == 1);
    CHECK_FALSE(imprecise.median_km);
    CHECK_THROWS_AS(parse_stats_keys("side,colour"), UsageError);
    CHECK_THROWS_AS(parse_stats_keys("side,side"), UsageError);
}

TEST_CASE("Stats: custom bands change what is precise enough", "[stats]") {
    StatsOptions o;
    o.by = {StatsKey::band};
    o.band_edges_km = {0, 50, 100};
    StatsAccumulator acc(o);
    for (const auto &x : k_sample) {
        acc.add(x);
    }
    const auto t = acc.finish();
    CHECK(t.total.imprecise == 0); // +-25 km around 12 km and +-10 around 7 km fit in 0-50
    REQUIRE(t.groups.size() == 2);
    CHECK(t.groups[0].key[0] == "0-50");
    CHECK(t.groups[0].count == 4);
    CHECK(t.groups[1].key[0] == "50-100");
}

TEST_CASE("Stats: quantiles of large groups are exact (external sort)", "[stats]") {
    // 300,000 distances in two groups (TJK ordered, AFG shuffled): more than one in-memory
    // run, so the sorted runs spill to disk and are merged. Median and p90 must equal the
    // linear interpolation between the exact order statistics.
    StatsOptions o;
    o.by = {StatsKey::side};
    StatsAccumulator acc(o);
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> km(0.001, 900.0);
    std::vector<double> tjk;
    std::vector<double> afg;
    std::vector<double> all;
    Incident x = inc("TJK", "Panj District", 0, 1);
    for (int i = 0; i < 300000; ++i) {
        const bool afghan = i % 3 == 0;
        const double v = afghan ? km(rng) : 0.001 * (300000 - i);
        x.side = afghan ? "AFG" : "TJK";
        x.border_distance_m = v * 1000.0;
        acc.add(x);
        // The accumulator's value is border_distance_m / 1000, as in the store.
        (afghan ? afg : tjk).push_back(*x.border_distance_m / 1000.0);
        all.push_back(*x.border_distance_m / 1000.0);
    }
    auto exact = [](std::vector<double> v, double p) {
        std::sort(v.begin(), v.end());
        const double pos = p * static_cast<double>(v.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = std::min(lo + 1, v.size() - 1);
        return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
    };
    const auto t = acc.finish();
    REQUIRE(t.groups.size() == 2);
    CHECK(t.groups[0].key == std::vector<std::string>{"AFG"});
    CHECK(t.groups[0].count == afg.size());
    CHECK(*t.groups[0].median_km == exact(afg, 0.5));
    CHECK(*t.groups[0].p90_km == exact(afg, 0.9));
    CHECK(*t.groups[1].median_km == exact(tjk, 0.5));
    CHECK(*t.groups[1].p90_km == exact(tjk, 0.9));
    CHECK(t.total.count == 300000);
    CHECK(*t.total.median_km == exact(all, 0.5));
    CHECK(*t.total.p90_km == exact(all, 0.9));
    CHECK(*t.total.min_km == *std::min_element(all.begin(), all.end()));
    CHECK(*t.total.max_km == *std::max_element(all.begin(), all.end()));
}

TEST_CASE("Stats: output formats", "[stats]") {
    const auto t = run(k_sample, "side");
    const auto csv = format_stats(t, "csv");
    CHECK(csv.rfind("side,count,fatalities,imprecise,min_km,median_km,mean_km,p90_km,max_km\n",
                    0) == 0);
    CHECK(csv.find("AFG,2,1,1,80,80,80,80,80\n") != std::string::npos);
    const auto json = nlohmann::json::parse(format_stats(t, "json"));
    CHECK(json["groups"].size() == 2);
    CHECK(json["total"]["imprecise"] == 2);
    CHECK(json["groups"][1]["median_km"] == 1.25); // TJK: 0.5 and 2.0
    CHECK(json.contains("note"));
    const auto md = format_stats(t, "markdown");
    CHECK(md.find("| side | count |") == 0);
    CHECK(md.find("imprecise") != std::string::npos);
    const auto table = format_stats(t, "table");
    CHECK(table.find("(all)") != std::string::npos);
    CHECK(table.find("could not be put in a distance band") != std::string::npos);
    CHECK_THROWS_AS(format_stats(t, "xml"), UsageError);
}

TEST_CASE("Bands header: sector grid of a border of known length, edges and the precision rule",
          "[stats][bands]") {
    const SectorGrid grid{50, 120.5}; // sectors 0-50, 50-100, 100-120.5
    CHECK(grid.count() == 3);
    CHECK(grid.label(0) == "0-50");
    CHECK(grid.label(2) == "100-120.5");
    CHECK(grid.to_km(2) == 120.5);
    // Exactly on an edge with U = 0: the sector that starts there.
    CHECK(grid.index(50.0, 0) == 1);
    CHECK(grid.index(0.0, 0) == 0);
    // The border's end belongs to the last sector; so does a rounding sliver beyond it.
    CHECK(grid.index(120.5, 0) == 2);
    CHECK(grid.index(120.5 + 1e-9, 0) == 2);
    // Uncertain chainage: the interval must fit (touching the end of the sector is allowed)...
    CHECK(grid.index(25, 25) == 0);
    CHECK(grid.index(26, 25) == -1);
    CHECK(grid.sector_for(49, 10) == "imprecise");
    // ... and is clipped to the border: chainage cannot leave [0, length].
    CHECK(grid.index(115, 10) == 2);
    CHECK(grid.index(3, 10) == 0);
    CHECK(grid.index(60, location_uncertainty_km(6)) == -1); // country level: never a sector
    // A length a rounding error above a multiple of the sector adds no sliver sector.
    CHECK(SectorGrid{50, 100.0 + 1e-12}.count() == 2);
    CHECK(SectorGrid{50, 100.0 + 1e-12}.index(100.0, 0) == 1);
    // Unbounded: as sector_for().
    CHECK(SectorGrid{50, std::nullopt}.sector_for(120, 0) == sector_for(120, 0, 50));
    CHECK(SectorGrid{50, std::nullopt}.count() == 0);
    // Bands and their edges round-trip; labels agree with band_labels().
    const auto edges = parse_band_edges("1,5,10,25,50");
    CHECK(edges == default_band_edges_km());
    CHECK(band_edges(distance_bands(edges)) == edges);
    std::vector<std::string> labels;
    for (const auto &b : default_distance_bands()) {
        labels.push_back(b.label());
    }
    CHECK(labels == band_labels(default_band_edges_km()));
}

TEST_CASE("Stats: several groupings in one pass equal one accumulator each (the export's layers)",
          "[stats]") {
    std::vector<Incident> xs = k_sample;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> km(0, 120);
    std::uniform_real_distribution<double> chain(0, 300);
    const int precisions[] = {1, 1, 2, 3, 4, 6};
    for (int i = 0; i < 500; ++i) {
        auto x = inc(i % 2 == 0 ? "TJK" : "AFG", i % 3 == 0 ? "Panj District" : "Imam Sahib",
                     km(rng), precisions[i % 6], "2025-11-26", i % 4, chain(rng));
        if (i % 50 == 0) {
            x.border_distance_m.reset(); // unplaced
            x.chainage_km.reset();
        }
        xs.push_back(x);
    }
    StatsOptions o;
    o.sector_km = 40;
    o.border_length_km = 290;
    const std::vector<std::string> groupings = {"sector", "side,band", "side,admin1",
                                                "side,admin1,admin2"};
    std::vector<std::vector<StatsKey>> keys;
    for (const auto &g : groupings) {
        keys.push_back(parse_stats_keys(g));
    }
    StatsAccumulator together(o, keys);
    std::size_t sector_imprecise = 0;
    for (const auto &x : xs) {
        const auto a = together.add(x);
        sector_imprecise += a.sector == "imprecise" ? 1 : 0;
        CHECK(a.imprecise == (a.band == "imprecise"));
    }
    const auto tables = together.finish_all();
    REQUIRE(tables.size() == groupings.size());
    for (std::size_t i = 0; i < groupings.size(); ++i) {
        auto one = o;
        one.by = keys[i];
        StatsAccumulator alone(one);
        for (const auto &x : xs) {
            alone.add(x);
        }
        const auto t = alone.finish();
        INFO(groupings[i]);
        CHECK(format_stats(tables[i], "json") == format_stats(t, "json"));
    }
    const auto *imprecise = tables[0].find({"imprecise"});
    REQUIRE(imprecise != nullptr);
    CHECK(imprecise->count == sector_imprecise);
    CHECK(tables[0].find({"no such sector"}) == nullptr);
    // The last sector ends at the border's length.
    CHECK(tables[0].find({"280-290"}) != nullptr);
    CHECK(tables[1].total.precise() ==
          tables[1].total.count - tables[1].total.imprecise - tables[1].total.unplaced);
}

TEST_CASE("Stats: sectors of a border of several lines are per line (issue 17)", "[stats][bands]") {
    // Three lines of two borders, given out of order: find() needs sort_lines().
    LineSectors lines{50, {{"USA-CAN", 2, 120.5}, {"FRA-BEL", 1, 60}, {"USA-CAN", 1, 900}}};
    lines.sort_lines();
    REQUIRE(lines.find("USA-CAN", 2) != nullptr);
    CHECK(lines.find("USA-CAN", 2)->length_km == 120.5);
    CHECK(lines.find("USA-CAN", 3) == nullptr);
    CHECK(lines.find("FRA-DEU", 1) == nullptr);
    // The precision rule of one line, along the row's own line (its length clips and ends it).
    CHECK(lines.sector_for("USA-CAN", 2, 110, 0) == "USA-CAN/2:100-120.5");
    CHECK(lines.sector_for("USA-CAN", 2, 115, 10) == "USA-CAN/2:100-120.5");
    CHECK(lines.sector_for("USA-CAN", 1, 110, 0) == "USA-CAN/1:100-150");
    CHECK(lines.sector_for("USA-CAN", 1, 49, 10) == "imprecise");
    // A row without a part (stored before border_part) or of another border: no sector.
    CHECK(lines.sector_for("USA-CAN", std::nullopt, 110, 0).empty());
    CHECK(lines.sector_for("ARG-CHL", 1, 10, 0).empty());

    // The accumulator: labels per line, sorted by border, part (numerically) and start.
    StatsOptions o;
    o.by = {StatsKey::sector};
    o.sector_km = 50;
    o.sector_lines = {{"USA-CAN", 10, 80}, {"USA-CAN", 2, 120.5}, {"FRA-BEL", 1, 60}};
    StatsAccumulator acc(o);
    auto placed = [](const std::string &border, std::int64_t part, double chainage) {
        Incident x = inc("USA", "", 1, 1, "2025-11-26", 0, chainage);
        x.border_id = border;
        x.border_part = part;
        return x;
    };
    acc.add(placed("USA-CAN", 10, 70));
    acc.add(placed("USA-CAN", 2, 10));
    acc.add(placed("USA-CAN", 2, 60));
    acc.add(placed("FRA-BEL", 1, 55));
    acc.add(placed("FRA-BEL", 1, 5));
    const auto t = acc.finish();
    std::vector<std::string> order;
    for (const auto &g : t.groups) {
        order.push_back(g.key.at(0));
    }
    CHECK(order == std::vector<std::string>{"FRA-BEL/1:0-50", "FRA-BEL/1:50-60", "USA-CAN/2:0-50",
                                            "USA-CAN/2:50-100", "USA-CAN/10:50-80"});
}
