// WGS84 geodesy helpers: reference values, round trips, named cases.
#include <catch2/catch.hpp>

#include <borderwatch/geodesy/geodesic.hpp>

#include <algorithm>
#include <cmath>
#include <random>

using namespace borderwatch;

namespace {
constexpr double mm = 1e-3;
} // namespace

TEST_CASE("geodesic_inverse reference values", "[geodesy]") {
    SECTION("meridian quadrant: equator to pole") {
        // WGS84 meridian quadrant (NGA TR8350.2 / GeographicLib): 10 001 965.729 m
        const auto r = geodesic_inverse(0.0, 0.0, 0.0, 90.0);
        CHECK(r.distance_m == Approx(10001965.729).margin(1 * mm));
        CHECK(r.azimuth1_deg == Approx(0.0).margin(1e-12));
    }
    SECTION("one degree along the equator: a * pi / 180") {
        const auto r = geodesic_inverse(10.0, 0.0, 11.0, 0.0);
        CHECK(r.distance_m == Approx(wgs84_a_m * 3.14159265358979323846 / 180.0).margin(1e-6));
        CHECK(r.azimuth1_deg == Approx(90.0).margin(1e-12));
    }
    SECTION("GeodSolve documentation example (JFK to LHR area)") {
        // echo 40.6 -73.8 51.6 -0.5 | GeodSolve -i  ->  51.198882845 107.821776735 5551759.400
        const auto r = geodesic_inverse(-73.8, 40.6, -0.5, 51.6);
        CHECK(r.distance_m == Approx(5551759.400).margin(1 * mm));
        CHECK(r.azimuth1_deg == Approx(51.198882845).margin(1e-8));
        CHECK(r.azimuth2_deg == Approx(107.821776735).margin(1e-8));
    }
    SECTION("coincident points") {
        CHECK(geodesic_inverse(70.0, 38.0, 70.0, 38.0).distance_m == 0.0);
    }
}

TEST_CASE("geodesic_direct after geodesic_inverse returns the end point", "[geodesy]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(60.0, 80.0);
    std::uniform_real_distribution<double> lat(30.0, 45.0);
    for (int i = 0; i < 500; ++i) {
        const double lon1 = lon(rng);
        const double lat1 = lat(rng);
        const double lon2 = lon(rng);
        const double lat2 = lat(rng);
        const auto inv = geodesic_inverse(lon1, lat1, lon2, lat2);
        const auto end = geodesic_direct(lon1, lat1, inv.azimuth1_deg, inv.distance_m);
        CHECK(geodesic_inverse(lon2, lat2, end[0], end[1]).distance_m < 1e-6);
    }
}

TEST_CASE("ECEF conversions", "[geodesy]") {
    SECTION("named points") {
        const auto origin = ecef_from_geodetic(0.0, 0.0);
        CHECK(origin[0] == Approx(wgs84_a_m).margin(1e-9));
        CHECK(origin[1] == Approx(0.0).margin(1e-9));
        const auto pole = ecef_from_geodetic(0.0, 90.0);
        CHECK(pole[2] == Approx(wgs84_a_m * (1.0 - wgs84_f)).margin(1e-6));
        CHECK(std::hypot(pole[0], pole[1]) < 1e-6);
    }
    SECTION("round trip on the surface") {
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> lon(-180.0, 180.0);
        std::uniform_real_distribution<double> lat(-89.9, 89.9);
        for (int i = 0; i < 1000; ++i) {
            const double x = lon(rng);
            const double y = lat(rng);
            const auto back = geodetic_from_surface_ecef(ecef_from_geodetic(x, y));
            CHECK(back[0] == Approx(x).margin(1e-12));
            CHECK(back[1] == Approx(y).margin(1e-12));
        }
    }
}

TEST_CASE("nearest point on a geodesic edge", "[geodesy]") {
    SECTION("off the middle of an equatorial edge: the meridian foot") {
        const auto f = nearest_on_geodesic_edge(0.0, 0.0, 1.0, 0.0, 0.5, 0.1);
        CHECK(f.lon_deg == Approx(0.5).margin(1e-10));
        CHECK(f.lat_deg == Approx(0.0).margin(1e-10));
        CHECK(f.distance_m == Approx(geodesic_inverse(0.5, 0.1, 0.5, 0.0).distance_m).margin(1e-6));
        CHECK(f.along_m == Approx(geodesic_inverse(0.0, 0.0, 0.5, 0.0).distance_m).margin(1e-6));
        CHECK(f.azimuth_deg == Approx(180.0).margin(1e-9));
    }
    SECTION("beyond the end: the end vertex") {
        const auto f = nearest_on_geodesic_edge(0.0, 0.0, 1.0, 0.0, 2.0, 0.1);
        CHECK(f.lon_deg == Approx(1.0).margin(1e-12));
        CHECK(f.lat_deg == Approx(0.0).margin(1e-12));
        CHECK(f.distance_m == Approx(geodesic_inverse(2.0, 0.1, 1.0, 0.0).distance_m).margin(1e-6));
    }
    SECTION("before the start: the start vertex") {
        const auto f = nearest_on_geodesic_edge(70.0, 38.0, 71.0, 38.5, 69.0, 37.0);
        CHECK(f.along_m == 0.0);
        CHECK(f.distance_m ==
              Approx(geodesic_inverse(69.0, 37.0, 70.0, 38.0).distance_m).margin(1e-6));
    }
    SECTION("on the edge: distance zero") {
        const auto inv = geodesic_inverse(70.0, 38.0, 71.0, 38.5);
        const auto mid = geodesic_direct(70.0, 38.0, inv.azimuth1_deg, 0.37 * inv.distance_m);
        const auto f = nearest_on_geodesic_edge(70.0, 38.0, 71.0, 38.5, mid[0], mid[1]);
        CHECK(f.distance_m < 1e-6);
        CHECK(f.along_m == Approx(0.37 * inv.distance_m).margin(1e-6));
    }
    SECTION("the foot is a right angle and no other edge point is nearer") {
        std::mt19937_64 rng(5);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        const double lon_a = 68.0;
        const double lat_a = 37.0;
        const double lon_b = 69.5;
        const double lat_b = 37.8;
        const auto edge = geodesic_inverse(lon_a, lat_a, lon_b, lat_b);
        for (int i = 0; i < 50; ++i) {
            const auto base =
                geodesic_direct(lon_a, lat_a, edge.azimuth1_deg, u(rng) * edge.distance_m);
            const auto p = geodesic_direct(base[0], base[1], 360.0 * u(rng), 300000.0 * u(rng));
            const auto f = nearest_on_geodesic_edge(lon_a, lat_a, lon_b, lat_b, p[0], p[1]);
            for (double along = 0.0; along <= edge.distance_m; along += edge.distance_m / 200.0) {
                const auto q = geodesic_direct(lon_a, lat_a, edge.azimuth1_deg, along);
                CHECK(geodesic_inverse(p[0], p[1], q[0], q[1]).distance_m >= f.distance_m - 1e-6);
            }
        }
    }
}

TEST_CASE("polyline length sums the exact edges", "[geodesy]") {
    const std::vector<std::array<double, 2>> line{{0.0, 0.0}, {1.0, 0.0}, {2.0, 0.0}};
    CHECK(geodesic_polyline_length_m(line) ==
          Approx(2.0 * wgs84_a_m * 3.14159265358979323846 / 180.0).margin(1e-6));
    CHECK(geodesic_polyline_length_m({}) == 0.0);
}

TEST_CASE("short_geodesic agrees with the exact inverse up to 1,000 km", "[geodesy]") {
    // Pairs over every latitude and azimuth, by the exact direct problem; the distance bound
    // is the normal section's excess (e^4 s^5 / 360 N^4, 0.08 mm at 1,000 km).
    std::mt19937_64 rng(1000);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double worst_distance = 0.0;
    double worst_azimuth = 0.0;
    double worst_back = 0.0;
    int solved = 0;
    int refused = 0;
    for (int i = 0; i < 100000; ++i) {
        const double lat = -89.0 + 178.0 * unit(rng);
        const double lon = -180.0 + 360.0 * unit(rng);
        const double azimuth = 360.0 * unit(rng);
        // Up to 1,100 km: chords just beyond short_geodesic_max_m are refused (a chord is
        // shorter than its geodesic, so 1,000 km alone would never reach the limit).
        const double s = 1.0 + 1.1e6 * unit(rng);
        const auto b = geodesic_direct(lon, lat, azimuth, s);
        const auto a_ecef = ecef_from_geodetic(lon, lat);
        const auto b_ecef = ecef_from_geodetic(b[0], b[1]);
        const auto g = short_geodesic(a_ecef, b_ecef);
        const double dx = b_ecef[0] - a_ecef[0];
        const double dy = b_ecef[1] - a_ecef[1];
        const double dz = b_ecef[2] - a_ecef[2];
        if (dx * dx + dy * dy + dz * dz > short_geodesic_max_m * short_geodesic_max_m) {
            CHECK_FALSE(g.has_value());
            ++refused;
            continue;
        }
        REQUIRE(g.has_value());
        ++solved;
        const auto exact = geodesic_inverse(lon, lat, b[0], b[1]);
        worst_distance = std::max(worst_distance, std::abs(g->distance_m - exact.distance_m));
        worst_azimuth = std::max(
            worst_azimuth, std::abs(std::remainder(g->azimuth1_deg - exact.azimuth1_deg, 360.0)));
        worst_back = std::max(
            worst_back,
            std::abs(std::remainder(g->back_azimuth_deg - (exact.azimuth2_deg + 180.0), 360.0)));
    }
    CHECK(solved > 85000);
    CHECK(refused > 5000);
    CHECK(worst_distance < 1.0e-4);
    CHECK(worst_azimuth < 6.0e-6);
    CHECK(worst_back < 6.0e-6);
    // Too close, too far, or at a pole: left to the exact inverse.
    CHECK_FALSE(short_geodesic(ecef_from_geodetic(70, 37), ecef_from_geodetic(70, 37)));
    CHECK_FALSE(short_geodesic(ecef_from_geodetic(70, 37), ecef_from_geodetic(85, 37)));
    CHECK_FALSE(short_geodesic(ecef_from_geodetic(0, 90), ecef_from_geodetic(0, 85)));
}
