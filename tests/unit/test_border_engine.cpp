// The border engine: exact geodesic placement against the border polyline (issue 3).
//
// The fast path (closed-form foot points and series distances) is checked against the
// engine's exact minimisation (Newton iterations on geod_* geodesics) and that against the
// brute force over every edge; tests/unit/test_border_reference.cpp checks all of them
// against an independent GeographicLib reference.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include <unistd.h>

using namespace borderwatch;

namespace {

constexpr double mm = 1e-3;

const BorderEngine &tjk_afg() {
    static const auto engine = BorderEngine::load("TJK-AFG");
    return *engine;
}

// A point at distance_m from the border point at chainage_km, perpendicular to the line
// (left = towards the left country).
std::array<double, 2> offset_from_line(const BorderEngine &engine, double chainage_km,
                                       double distance_m, bool left) {
    const auto a = engine.point_at_chainage(chainage_km - 0.005);
    const auto b = engine.point_at_chainage(chainage_km + 0.005);
    const auto at = engine.point_at_chainage(chainage_km);
    const double azimuth = geodesic_inverse(a[0], a[1], b[0], b[1]).azimuth1_deg;
    return geodesic_direct(at[0], at[1], azimuth + (left ? -90.0 : 90.0), distance_m);
}

void check_same(const Placement &fast, const Placement &exact) {
    CHECK(std::abs(fast.border_distance_m - exact.border_distance_m) <= 1 * mm);
    CHECK(std::abs(fast.chainage_km - exact.chainage_km) * 1000.0 <= 1 * mm);
}

} // namespace

TEST_CASE("TJK-AFG loads with the canonical facts", "[border_engine]") {
    const auto &e = tjk_afg();
    const auto &info = e.info();
    CHECK(info.id == "TJK-AFG");
    CHECK(info.left == "TJK");
    CHECK(info.right == "AFG");
    CHECK(info.vertices == 5931);
    CHECK(info.length_km == Approx(1365.577).margin(0.01));
    CHECK(e.vertices().size() == info.vertices);
    REQUIRE(e.vertex_chainage_km().size() == info.vertices);
    CHECK(e.vertex_chainage_km().front() == 0.0);
    CHECK(e.vertex_chainage_km().back() == Approx(info.length_km).epsilon(1e-12));
    CHECK(geodesic_polyline_length_m(e.vertices()) / 1000.0 ==
          Approx(info.length_km).epsilon(1e-12));
    // West to east: starts at the AFG-TJK-UZB tripoint, ends at the AFG-CHN-TJK tripoint.
    CHECK(info.start_lon < 68.0);
    CHECK(info.end_lon > 74.5);
    CHECK(e.index_build_ms() < 1000.0);
}

TEST_CASE("points on the line", "[border_engine]") {
    const auto &e = tjk_afg();
    SECTION("on vertices") {
        for (std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{2961},
                              e.vertices().size() - 2, e.vertices().size() - 1}) {
            const auto &v = e.vertices()[k];
            const Placement p = e.place(v[0], v[1]);
            CHECK(p.border_distance_m <= 1 * mm);
            CHECK(p.chainage_km == Approx(e.vertex_chainage_km()[k]).margin(1e-6));
            CHECK(p.nearest_lon == Approx(v[0]).margin(1e-8));
            CHECK(p.nearest_lat == Approx(v[1]).margin(1e-8));
        }
    }
    SECTION("on edge midpoints and arbitrary chainages") {
        for (std::size_t k = 5; k + 1 < e.vertices().size(); k += 397) {
            const double mid = 0.5 * (e.vertex_chainage_km()[k] + e.vertex_chainage_km()[k + 1]);
            const auto q = e.point_at_chainage(mid);
            const Placement p = e.place(q[0], q[1]);
            CHECK(p.border_distance_m <= 1 * mm);
            CHECK(p.chainage_km == Approx(mid).margin(1e-6));
        }
        for (double ch = 0.0; ch <= e.info().length_km; ch += 41.3) {
            const auto q = e.point_at_chainage(ch);
            const Placement p = e.place(q[0], q[1]);
            CHECK(p.border_distance_m <= 1 * mm);
            CHECK(p.chainage_km == Approx(ch).margin(1e-6));
        }
    }
    SECTION("point_at_chainage clamps to the ends") {
        CHECK(e.point_at_chainage(-5.0) == e.vertices().front());
        CHECK(e.point_at_chainage(1e9) == e.vertices().back());
    }
}

TEST_CASE("beyond either end the nearest point is the end vertex", "[border_engine]") {
    const auto &e = tjk_afg();
    const auto &v = e.vertices();
    SECTION("before the start") {
        const double back = geodesic_inverse(v[1][0], v[1][1], v[0][0], v[0][1]).azimuth2_deg;
        for (double d : {10.0, 5000.0, 80000.0}) {
            const auto p = geodesic_direct(v[0][0], v[0][1], back, d);
            const Placement got = e.place(p[0], p[1]);
            CHECK(got.chainage_km == 0.0);
            CHECK(got.border_distance_m == Approx(d).margin(1 * mm));
            check_same(got, e.place_exact(p[0], p[1]));
        }
    }
    SECTION("after the end") {
        const std::size_t n = v.size();
        const double ahead =
            geodesic_inverse(v[n - 2][0], v[n - 2][1], v[n - 1][0], v[n - 1][1]).azimuth2_deg;
        // A point in line with the last edge, 300 m past the end.
        const auto p = geodesic_direct(v[n - 1][0], v[n - 1][1], ahead, 300.0);
        const Placement got = e.place(p[0], p[1]);
        CHECK(got.chainage_km == Approx(e.info().length_km).margin(1e-9));
        check_same(got, e.place_exact(p[0], p[1]));
    }
}

TEST_CASE("fast path agrees with exact minimisation", "[border_engine]") {
    const auto &e = tjk_afg();
    std::mt19937_64 rng(20261122);
    std::uniform_int_distribution<std::size_t> vertex(0, e.vertices().size() - 1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double worst_distance = 0.0;
    double worst_chainage = 0.0;
    int ties = 0;
    const int n = 3000;
    for (int i = 0; i < n; ++i) {
        const auto &base = e.vertices()[vertex(rng)];
        // 0 m to 1000 km, denser near the line.
        const double d = 1e6 * std::pow(u(rng), 3.0);
        const auto p = geodesic_direct(base[0], base[1], 360.0 * u(rng), d);
        const Placement fast = e.place(p[0], p[1]);
        const Placement exact = e.place_exact(p[0], p[1]);
        const double dd = std::abs(fast.border_distance_m - exact.border_distance_m);
        const double dc = std::abs(fast.chainage_km - exact.chainage_km) * 1000.0;
        worst_distance = std::max(worst_distance, dd);
        if (dc > 1.0 && dd < 1e-6) {
            ++ties; // two parts of the line equally near: either chainage is right
            continue;
        }
        worst_chainage = std::max(worst_chainage, dc);
        INFO("point " << p[0] << " " << p[1] << " exact distance " << exact.border_distance_m);
        CHECK(dd <= 1 * mm);
        CHECK(dc <= 1 * mm);
        CHECK(fast.side == exact.side);
        CHECK(std::abs(std::remainder(fast.bearing_deg - exact.bearing_deg, 360.0)) < 0.01);
    }
    CHECK(ties <= n / 1000);
    WARN("fast vs exact over " << n << " points: max |d distance| " << worst_distance * 1e3
                               << " mm, max |d chainage| " << worst_chainage * 1e3 << " mm");
}

TEST_CASE("far feet (120-400 km: one exact Newton step) at other latitudes", "[border_engine]") {
    // The closed-form foot drifts with latitude and distance; the Newton step must hold the
    // foot to 1 mm wherever the line is. FIN-RUS reaches 70 N, CHN-MNG runs east-west.
    for (const char *name : {"FIN-RUS", "CHN-MNG"}) {
        const auto e = BorderEngine::load(name);
        std::mt19937_64 rng(5);
        std::uniform_int_distribution<std::size_t> vertex(0, e->vertices().size() - 1);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        double worst_chainage = 0.0;
        for (int i = 0; i < 300; ++i) {
            const auto &base = e->vertices()[vertex(rng)];
            const auto p =
                geodesic_direct(base[0], base[1], 360.0 * u(rng), 100000.0 + 300000.0 * u(rng));
            const Placement fast = e->place(p[0], p[1]);
            const Placement exact = e->place_exact(p[0], p[1]);
            const double dd = std::abs(fast.border_distance_m - exact.border_distance_m);
            const double dc = std::abs(fast.chainage_km - exact.chainage_km) * 1000.0;
            if (dc > 1.0 && dd < 1e-6) {
                continue; // two parts of the line equally near
            }
            INFO(name << " point " << p[0] << " " << p[1]);
            CHECK(dd <= 1 * mm);
            CHECK(dc <= 1 * mm);
            worst_chainage = std::max(worst_chainage, dc);
        }
        WARN(name << ": far points, max |d chainage| " << worst_chainage * 1e3 << " mm");
    }
}

TEST_CASE("exact minimisation agrees with the brute force over every edge", "[border_engine]") {
    const auto &e = tjk_afg();
    std::mt19937_64 rng(99);
    std::uniform_int_distribution<std::size_t> vertex(0, e.vertices().size() - 1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int i = 0; i < 12; ++i) {
        const auto &base = e.vertices()[vertex(rng)];
        const auto p =
            geodesic_direct(base[0], base[1], 360.0 * u(rng), 600000.0 * std::pow(u(rng), 2.0));
        const Placement brute = e.place_brute_force(p[0], p[1]);
        const Placement exact = e.place_exact(p[0], p[1]);
        CHECK(std::abs(brute.border_distance_m - exact.border_distance_m) <= 1e-6);
        CHECK(std::abs(brute.chainage_km - exact.chainage_km) * 1000.0 <= 1e-3);
    }
}

TEST_CASE("far points up to 1000 km", "[border_engine]") {
    const auto &e = tjk_afg();
    for (const auto &p : std::vector<std::array<double, 2>>{
             {69.2, 34.5}, {66.0, 41.0}, {77.0, 30.0}, {80.0, 42.0}, {60.0, 33.0}, {71.0, 29.0}}) {
        const Placement fast = e.place(p[0], p[1]);
        check_same(fast, e.place_exact(p[0], p[1]));
        CHECK(fast.border_distance_m > 100000.0);
    }
}

TEST_CASE("far points: the series-ranked exact solve equals exact minimisation",
          "[border_engine]") {
    // Beyond 400 km only the candidate edges within far_series_tolerance() of the best
    // series distance are solved exactly; seeded points 400 km to ~2,000 km away.
    const auto &e = tjk_afg();
    std::mt19937_64 rng(400);
    std::uniform_real_distribution<double> lon(56.0, 86.0);
    std::uniform_real_distribution<double> lat(27.0, 48.0);
    int checked = 0;
    while (checked < 150) {
        const double x = lon(rng);
        const double y = lat(rng);
        const Placement fast = e.place(x, y);
        if (fast.border_distance_m < 400000.0) {
            continue;
        }
        INFO(x << " " << y);
        check_same(fast, e.place_exact(x, y));
        ++checked;
    }
}

TEST_CASE("named places: side and admin units", "[border_engine]") {
    const auto &e = tjk_afg();
    struct Case {
        const char *name;
        double lon, lat;
        const char *side;
        const char *admin1;
        const char *admin2;
    };
    // GeoNames coordinates (tests/data/locate/sample_places.csv).
    const Case cases[] = {
        {"Qal'ai Khumb", 70.78902, 38.45373, "TJK", "Gorno-Badakhshan", "Darvoz District"},
        {"Shurobod", 70.04865, 37.84137, "TJK", "Khatlon", "Shamsiddin Shohin District"},
        {"Panj", 69.09911, 37.23634, "TJK", "Khatlon", "Panj"},
        {"Khorugh", 71.55304, 37.48974, "TJK", "Gorno-Badakhshan", ""},
        {"Nusay", 70.80413, 38.44350, "AFG", "Badakhshan", "Darwaz"},
        {"Ishkashim (AF)", 71.53333, 36.68333, "AFG", "Badakhshan", "Ishkash"},
        {"Imam Sahib", 68.93644, 37.18897, "AFG", "Kunduz", "Imam Sahib"},
        {"Fayzabad", 70.58002, 37.11664, "AFG", "Badakhshan", "Fayzabad"},
    };
    for (const auto &c : cases) {
        INFO(c.name);
        const Placement p = e.place(c.lon, c.lat);
        CHECK(p.side == c.side);
        CHECK_THAT(std::string(p.admin1), Catch::Contains(c.admin1));
        CHECK_THAT(std::string(p.admin2), Catch::Contains(c.admin2));
        CHECK(!p.admin2.empty());
    }
    // Qal'ai Khumb and Nusay face each other across the river.
    CHECK(e.place(70.78902, 38.45373).border_distance_m < 1000.0);
    CHECK(e.place(70.80413, 38.44350).border_distance_m < 1000.0);
}

TEST_CASE("side follows the line: 20 m off it on either side", "[border_engine]") {
    const auto &e = tjk_afg();
    int checked = 0;
    for (double ch = 3.0; ch < e.info().length_km - 3.0; ch += 9.7) {
        const auto left = offset_from_line(e, ch, 20.0, true);
        const auto right = offset_from_line(e, ch, 20.0, false);
        const Placement pl = e.place(left[0], left[1]);
        const Placement pr = e.place(right[0], right[1]);
        if (pl.border_distance_m < 19.0 || pr.border_distance_m < 19.0) {
            continue; // another meander of the river within 20 m
        }
        INFO("chainage " << ch);
        CHECK(pl.side == "TJK");
        CHECK(pr.side == "AFG");
        CHECK(pl.admin2 != "");
        CHECK(pr.admin2 != "");
        ++checked;
    }
    CHECK(checked > 100);
    SECTION("20 m due north of a west-east stretch is TJK") {
        // Near Nusay the river runs roughly west to east with Tajikistan to the north.
        const Placement nusay = e.place(70.80413, 38.44350);
        const auto north = geodesic_direct(nusay.nearest_lon, nusay.nearest_lat, 0.0, 20.0);
        const Placement p = e.place(north[0], north[1]);
        CHECK(p.border_distance_m <= 20.0 + 1 * mm);
        CHECK(p.side == "TJK");
    }
}

TEST_CASE("TJK-CHN and other borders", "[border_engine]") {
    SECTION("TJK-CHN") {
        const auto e = BorderEngine::load("TJK-CHN");
        CHECK(e->info().left == "TJK");
        CHECK(e->info().right == "CHN");
        CHECK(e->info().vertices == 2358);
        CHECK(e->info().length_km == Approx(484.3).margin(0.5));
        CHECK(e->place(75.98, 39.47).side == "CHN"); // Kashgar area
        CHECK(e->place(73.5, 38.2).side == "TJK");   // Murghob area
        const auto on = e->point_at_chainage(200.0);
        CHECK(e->place(on[0], on[1]).border_distance_m <= 1 * mm);
    }
    SECTION("reversed name flips the orientation") {
        const auto e = BorderEngine::load("AFG-TJK");
        CHECK(e->info().left == "AFG");
        CHECK(e->info().vertices == 5931);
        CHECK(e->info().length_km == Approx(tjk_afg().info().length_km).epsilon(1e-9));
        CHECK(e->info().start_lon == tjk_afg().info().end_lon);
        const Placement p = e->place(70.78902, 38.45373);
        CHECK(p.side == "TJK");
        CHECK(p.chainage_km ==
              Approx(e->info().length_km - tjk_afg().place(70.78902, 38.45373).chainage_km)
                  .margin(1e-6));
    }
    SECTION("a Natural Earth pair") {
        const auto e = BorderEngine::load("AFG-UZB");
        CHECK(e->info().left == "AFG");
        CHECK(e->info().right == "UZB");
        CHECK(e->info().vertices > 10);
        CHECK(e->place(67.0, 36.5).side == "AFG");
        const auto list = BorderEngine::available_borders();
        CHECK(list.size() > 100);
        CHECK(list.front().id == "TJK-AFG");
    }
    SECTION("unknown names are usage errors") {
        CHECK_THROWS_AS(BorderEngine::load("XXX-YYY"), UsageError);
        CHECK_THROWS_AS(BorderEngine::load("no-such-border-file.geojson"), UsageError);
    }
}

TEST_CASE("a user line file", "[border_engine]") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("borderwatch-test-line-" + std::to_string(::getpid()) + ".geojson");
    {
        std::ofstream out(path);
        // Two parts given in different directions: merged end to end.
        out << R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[70.0,37.0],[70.5,37.2],[71.0,37.1]]}},
{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[72.0,37.6],[71.0,37.1]]}}]})";
    }
    const auto e = BorderEngine::load(path.string());
    std::filesystem::remove(path);
    CHECK(e->info().vertices == 4);
    CHECK(e->info().left.empty());
    const std::vector<std::array<double, 2>> line{
        {70.0, 37.0}, {70.5, 37.2}, {71.0, 37.1}, {72.0, 37.6}};
    CHECK(e->info().length_km == Approx(geodesic_polyline_length_m(line) / 1000.0).epsilon(1e-12));
    // Long edges (40-100 km) are cut into exact sub-arcs: still exact.
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> lon(69.0, 73.0);
    std::uniform_real_distribution<double> lat(36.0, 38.5);
    for (int i = 0; i < 300; ++i) {
        const double x = lon(rng);
        const double y = lat(rng);
        check_same(e->place(x, y), e->place_exact(x, y));
    }
    // Side comes from the polygons (no left/right known for a user line).
    CHECK(e->place(70.78902, 38.45373).side == "TJK");
}

TEST_CASE("invalid points throw GeometryError", "[border_engine]") {
    const auto &e = tjk_afg();
    CHECK_THROWS_AS(e.place(200.0, 10.0), GeometryError);
    CHECK_THROWS_AS(e.place(70.0, 91.0), GeometryError);
    CHECK_THROWS_AS(e.place(std::nan(""), 38.0), GeometryError);
}

TEST_CASE("place() is thread-safe and deterministic", "[border_engine]") {
    const auto &e = tjk_afg();
    std::vector<std::array<double, 2>> points;
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> lon(67.0, 76.0);
    std::uniform_real_distribution<double> lat(36.0, 39.5);
    for (int i = 0; i < 4000; ++i) {
        points.push_back({lon(rng), lat(rng)});
    }
    std::vector<Placement> a(points.size());
    std::vector<Placement> b(points.size());
    std::thread t1([&] {
        for (std::size_t i = 0; i < points.size(); ++i)
            a[i] = e.place(points[i][0], points[i][1]);
    });
    std::thread t2([&] {
        for (std::size_t i = points.size(); i-- > 0;)
            b[i] = e.place(points[i][0], points[i][1]);
    });
    t1.join();
    t2.join();
    for (std::size_t i = 0; i < points.size(); ++i) {
        REQUIRE(format_placement(a[i]) == format_placement(b[i]));
    }
}

TEST_CASE("placement formatting", "[border_engine]") {
    CHECK(format_fixed_exact(12.5, 3) == "12.500");
    CHECK(format_fixed_exact(-0.0000001, 3) == "0.000");
    CHECK(format_fixed_exact(70.123456789, 7) == "70.1234568");
    Placement p;
    p.bearing_deg = 359.99996;
    CHECK(format_placement(p)[7] == "0.000");
    CHECK(placement_columns[0] == "border_distance_m");
    CHECK(placement_columns[7] == "bearing_deg");
}
