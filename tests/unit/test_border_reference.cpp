// The border engine against an independent reference (issue 3, "Tests").
//
// tests/data/border_reference/*.csv are made by scripts/make-border-reference with
// GeographicLib (no code shared with the engine, which uses PROJ geod_*); see the README
// there. Every point must agree within 1 mm in distance and chainage and within a few mm in
// the nearest point; points whose nearest point is ambiguous at the 1 mm level (column
// `ambiguous`) are checked for distance only. The bearing (point to nearest border point) is
// checked for points at least 1 m away, with the angle a 5 mm nearest-point error makes.

#include <catch2/catch.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/placement/border_engine.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace borderwatch;

namespace {

constexpr double kDistanceTolM = 1e-3;
constexpr double kChainageTolM = 1e-3;
constexpr double kNearestTolM = 5e-3; // reference nearest lon/lat carry 10 decimals (~1e-5 m)

struct ReferencePoint {
    std::size_t line = 0;
    std::string id;
    std::string kind;
    double lon = 0;
    double lat = 0;
    double distance_m = 0;
    double nearest_lon = 0;
    double nearest_lat = 0;
    double chainage_km = 0;
    bool ambiguous = false;
    double bearing_deg = 0;
};

std::vector<ReferencePoint> load_reference(const std::string &border) {
    const std::string path =
        std::string(BORDERWATCH_TEST_DATA) + "/border_reference/" + border + ".csv";
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    CsvReader reader(in, path);
    const auto header = reader.next();
    REQUIRE(header.has_value());
    auto col = [&](std::string_view name) {
        const auto c = find_column(header->fields, {name});
        REQUIRE(c.has_value());
        return *c;
    };
    const std::size_t c_id = col("id"), c_kind = col("kind"), c_lon = col("lon"),
                      c_lat = col("lat"), c_dist = col("border_distance_m"),
                      c_nlon = col("nearest_lon"), c_nlat = col("nearest_lat"),
                      c_chain = col("chainage_km"), c_amb = col("ambiguous"),
                      c_bearing = col("bearing_deg");
    auto num = [&](const CsvRecord &r, std::size_t c) {
        const auto v = parse_double(r.fields.at(c));
        if (!v)
            FAIL(path << ":" << r.line << ": field " << c << ": not a number");
        return *v;
    };
    std::vector<ReferencePoint> out;
    while (auto r = reader.next()) {
        REQUIRE(r->fields.size() == header->fields.size());
        ReferencePoint p;
        p.line = r->line;
        p.id = r->fields[c_id];
        p.kind = r->fields[c_kind];
        p.lon = num(*r, c_lon);
        p.lat = num(*r, c_lat);
        p.distance_m = num(*r, c_dist);
        p.nearest_lon = num(*r, c_nlon);
        p.nearest_lat = num(*r, c_nlat);
        p.chainage_km = num(*r, c_chain);
        p.ambiguous = r->fields[c_amb] == "1";
        p.bearing_deg = num(*r, c_bearing);
        out.push_back(std::move(p));
    }
    return out;
}

// Small lon/lat differences to metres (local equirectangular; plenty for millimetres).
double ground_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
    constexpr double kMetresPerDegree = 6371008.8 * kDegToRad;
    const double dy = (lat2 - lat1) * kMetresPerDegree;
    const double dx = (lon2 - lon1) * kMetresPerDegree * std::cos(lat1 * kDegToRad);
    return std::hypot(dx, dy);
}

struct Errors {
    std::vector<double> values;
    double worst = 0.0;
    std::string worst_id;
    void add(double v, const std::string &id) {
        if (values.empty() || v > worst) {
            worst = v;
            worst_id = id;
        }
        values.push_back(v);
    }
    [[nodiscard]] double max() const { return worst; }
    [[nodiscard]] double p99() const {
        if (values.empty())
            return 0.0;
        std::vector<double> v = values;
        const auto k = static_cast<std::size_t>(0.99 * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    }
};

std::string mm(double metres) {
    return format_fixed(metres * 1000.0, 6) + " mm";
}

// Bearing tolerance: a nearest point off by kNearestTolM turns the bearing by about
// kNearestTolM / distance radians; plus 1e-5 deg (0.04") for an approximate azimuth
// formula (the engine's fast path is ~4e-6 deg off at 100 km, irrelevant in practice).
double bearing_tolerance_deg(double distance_m) {
    return std::atan2(kNearestTolM, distance_m) * 180.0 / 3.14159265358979323846 + 1e-5;
}

double angle_diff_deg(double a, double b) {
    double d = std::fmod(std::abs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

// Places every reference point of one border; the caller passes place or place_exact.
template <typename PlaceFn>
void check_border(const std::string &border, const std::vector<ReferencePoint> &points,
                  const std::string &label, std::size_t stride, PlaceFn &&place) {
    Errors dist, chain, nearest, bearing;
    std::map<std::string, double> worst_by_kind; // max of distance/chainage error per kind
    std::size_t checked = 0, ambiguous = 0, ambiguous_other_foot = 0, failures = 0;
    std::ostringstream failed;
    for (std::size_t i = 0; i < points.size(); i += stride) {
        const ReferencePoint &ref = points[i];
        const Placement got = place(ref.lon, ref.lat);
        ++checked;
        const double dd = std::abs(got.border_distance_m - ref.distance_m);
        dist.add(dd, ref.id);
        double worst = dd;
        bool bad = !(dd <= kDistanceTolM);
        if (ref.ambiguous) {
            ++ambiguous;
            if (std::abs(got.chainage_km - ref.chainage_km) * 1000.0 > kChainageTolM)
                ++ambiguous_other_foot; // legitimate: an equally near point elsewhere
        } else {
            const double dc = std::abs(got.chainage_km - ref.chainage_km) * 1000.0;
            const double dn =
                ground_m(ref.nearest_lon, ref.nearest_lat, got.nearest_lon, got.nearest_lat);
            chain.add(dc, ref.id);
            nearest.add(dn, ref.id);
            worst = std::max(worst, dc);
            bad = bad || !(dc <= kChainageTolM) || !(dn <= kNearestTolM);
            // bearing is only meaningful away from the line
            if (ref.distance_m >= 1.0) {
                const double db = angle_diff_deg(got.bearing_deg, ref.bearing_deg);
                bearing.add(db, ref.id);
                bad = bad || !(db <= bearing_tolerance_deg(ref.distance_m));
            }
        }
        auto &w = worst_by_kind[ref.kind];
        w = std::max(w, worst);
        if (bad && ++failures <= 20) {
            failed << "  " << border << ".csv:" << ref.line << " id " << ref.id << " (" << ref.kind
                   << (ref.ambiguous ? ", ambiguous" : "") << ") point " << format_double(ref.lon)
                   << "," << format_double(ref.lat) << "\n    expected distance "
                   << format_fixed(ref.distance_m, 6) << " m, chainage "
                   << format_fixed(ref.chainage_km, 9) << " km, nearest "
                   << format_fixed(ref.nearest_lon, 10) << "," << format_fixed(ref.nearest_lat, 10)
                   << ", bearing " << format_fixed(ref.bearing_deg, 9) << "\n    got      distance "
                   << format_fixed(got.border_distance_m, 6) << " m, chainage "
                   << format_fixed(got.chainage_km, 9) << " km, nearest "
                   << format_fixed(got.nearest_lon, 10) << "," << format_fixed(got.nearest_lat, 10)
                   << ", bearing " << format_fixed(got.bearing_deg, 9) << "\n";
        }
    }
    std::cout << "[border_reference] " << border << " " << label << ": " << checked << " points ("
              << ambiguous << " ambiguous: distance only, " << ambiguous_other_foot
              << " of them with another nearest point); |d distance| max " << mm(dist.max())
              << " (id " << dist.worst_id << "), p99 " << mm(dist.p99()) << "; |d chainage| max "
              << mm(chain.max()) << " (id " << chain.worst_id << "), p99 " << mm(chain.p99())
              << "; |d nearest| max " << mm(nearest.max()) << " (id " << nearest.worst_id
              << "); |d bearing| (>= 1 m away) max " << format_fixed(bearing.max(), 9)
              << " deg (id " << bearing.worst_id << ")\n";
    if (failures > 0) {
        std::ostringstream kinds;
        for (const auto &[kind, w] : worst_by_kind)
            kinds << " " << kind << "=" << mm(w);
        FAIL_CHECK(failures << " of " << checked << " points outside tolerance (distance "
                            << mm(kDistanceTolM) << ", chainage " << mm(kChainageTolM)
                            << ", nearest " << mm(kNearestTolM)
                            << ", bearing as for nearest); worst per kind:" << kinds.str()
                            << "\nfirst failures:\n"
                            << failed.str());
    }
    CHECK(failures == 0);
}

// One engine load per border (loading dominates the run time, more so under ASan).
void run_border(const std::string &border) {
    const auto points = load_reference(border);
    REQUIRE(points.size() > 1000);
    const auto t0 = std::chrono::steady_clock::now();
    const auto engine = BorderEngine::load(border);
    REQUIRE(engine);
    const double load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "[border_reference] " << border << ": load " << format_fixed(load_ms, 1)
              << " ms (index " << format_fixed(engine->index_build_ms(), 1) << " ms)\n";

    check_border(border, points, "place", 1,
                 [&](double lon, double lat) { return engine->place(lon, lat); });
    // place_exact() is the engine's own slow path; a sample keeps this fast under ASan.
    check_border(border, points, "place_exact (every 10th)", 10,
                 [&](double lon, double lat) { return engine->place_exact(lon, lat); });

    // the largest reference chainage of a `vertex` point is the line's end (last vertex)
    double ref_length_km = 0;
    for (const auto &p : points)
        if (p.kind == "vertex")
            ref_length_km = std::max(ref_length_km, p.chainage_km);
    CHECK(std::abs(engine->info().length_km - ref_length_km) * 1000.0 <= kChainageTolM);
    CHECK(std::abs(engine->vertex_chainage_km().back() - ref_length_km) * 1000.0 <= kChainageTolM);
}

} // namespace

TEST_CASE("border engine matches the independent reference on TJK-AFG", "[border_reference]") {
    run_border("TJK-AFG");
}

TEST_CASE("border engine matches the independent reference on TJK-CHN", "[border_reference]") {
    run_border("TJK-CHN");
}

// World mode (issue 17): --border nearest against the reference over every international land
// boundary (tests/data/border_reference/world.csv, scripts/make-border-reference). Distance
// within 1 mm for every point; the nearest point within 5 mm and the same country pair where
// the reference marks it unambiguous. Both the fast path and the exact minimisation.
TEST_CASE("world mode agrees with the independent reference", "[border_reference][world]") {
    const std::string path = std::string(BORDERWATCH_TEST_DATA) + "/border_reference/world.csv";
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    CsvReader reader(in, path);
    const auto header = reader.next();
    REQUIRE(header.has_value());
    auto col = [&](std::string_view name) {
        const auto c = find_column(header->fields, {name});
        REQUIRE(c.has_value());
        return *c;
    };
    const std::size_t c_kind = col("kind"), c_lon = col("lon"), c_lat = col("lat"),
                      c_dist = col("border_distance_m"), c_nlon = col("nearest_lon"),
                      c_nlat = col("nearest_lat"), c_pair = col("pair"), c_amb = col("ambiguous");
    const auto engine = BorderEngine::load("nearest");
    // Line ends: where lines of several pairs meet (tripoints), the nearest pair is not unique.
    std::vector<std::array<double, 2>> line_ends;
    for (const char *name : {"borders.geojson", "boundary_lines_ne10m.geojson"}) {
        std::ifstream gj(std::string(BORDERWATCH_REPO_ROOT) + "/geodata/" + name);
        REQUIRE(gj.good());
        const auto doc = nlohmann::json::parse(gj);
        for (const auto &f : doc.at("features")) {
            const auto &g = f.at("geometry");
            const bool multi = g.at("type") == "MultiLineString";
            for (std::size_t k = 0; k < (multi ? g.at("coordinates").size() : 1); ++k) {
                const auto &line = multi ? g.at("coordinates")[k] : g.at("coordinates");
                for (const auto &c : {line.front(), line.back()}) {
                    line_ends.push_back({c.at(0).get<double>(), c.at(1).get<double>()});
                }
            }
        }
    }
    std::sort(line_ends.begin(), line_ends.end());
    auto at_line_end = [&](double lon, double lat) {
        auto it = std::lower_bound(line_ends.begin(), line_ends.end(),
                                   std::array<double, 2>{lon - 1e-7, -91.0});
        for (; it != line_ends.end() && (*it)[0] <= lon + 1e-7; ++it) {
            if (std::abs((*it)[1] - lat) <= 1e-7) {
                return true;
            }
        }
        return false;
    };
    std::size_t points = 0;
    std::size_t checked_nearest = 0;
    double worst_fast_m = 0;
    double worst_exact_m = 0;
    std::map<std::string, std::size_t> kinds;
    while (auto r = reader.next()) {
        const double lon = *parse_double(r->fields[c_lon]);
        const double lat = *parse_double(r->fields[c_lat]);
        const double want = *parse_double(r->fields[c_dist]);
        INFO(path << ":" << r->line << " (" << r->fields[c_kind] << ") " << lon << ", " << lat);
        const Placement fast = engine->place(lon, lat);
        worst_fast_m = std::max(worst_fast_m, std::abs(fast.border_distance_m - want));
        CHECK(std::abs(fast.border_distance_m - want) <= kDistanceTolM);
        // The exact minimisation solves every edge its bound cannot exclude: thousands for a
        // point 1,000 km out at sea. Every tenth point within 200 km.
        if (points % 10 == 0 && want < 200000.0) {
            const Placement exact = engine->place_exact(lon, lat);
            worst_exact_m = std::max(worst_exact_m, std::abs(exact.border_distance_m - want));
            CHECK(std::abs(exact.border_distance_m - want) <= kDistanceTolM);
        }
        if (r->fields[c_amb] == "0") {
            if (!at_line_end(*parse_double(r->fields[c_nlon]), *parse_double(r->fields[c_nlat]))) {
                // the pair, whatever the orientation of the id
                const std::string id(fast.border_id);
                const std::string sorted_id = id.substr(0, 3) < id.substr(4, 3)
                                                  ? id
                                                  : id.substr(4, 3) + "-" + id.substr(0, 3);
                CHECK(sorted_id == r->fields[c_pair]);
            }
            const double dn =
                geodesic_inverse(fast.nearest_lon, fast.nearest_lat,
                                 *parse_double(r->fields[c_nlon]), *parse_double(r->fields[c_nlat]))
                    .distance_m;
            CHECK(dn <= kNearestTolM);
            ++checked_nearest;
        }
        ++kinds[r->fields[c_kind]];
        ++points;
    }
    CHECK(points >= 20000);
    std::cerr << "world reference: " << points << " points (" << checked_nearest
              << " with an unambiguous nearest point); worst distance difference: fast "
              << worst_fast_m * 1000.0 << " mm, exact " << worst_exact_m * 1000.0 << " mm\n";
}
