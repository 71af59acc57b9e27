// Issue 17, world mode: a country polygon for every country, borders of many parts, and the
// nearest international land boundary of any pair (--border nearest).
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/geodata/reference_polygons.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/lonlat_swap.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include "placement/detail/country_coasts.hpp"

#include <array>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using namespace borderwatch;

namespace {

constexpr double mm = 1e-3;

const BorderEngine &world() {
    static const auto engine = BorderEngine::load("nearest");
    return *engine;
}

/// The fast path, the exact minimisation and the brute force over every edge agree to 1 mm,
/// and the three name the same border and part (or equally near ones).
void check_paths(const BorderEngine &engine, double lon, double lat, bool brute_force) {
    INFO(engine.info().id << " at " << lon << ", " << lat);
    const Placement fast = engine.place(lon, lat);
    const Placement exact = engine.place_exact(lon, lat);
    CHECK(std::abs(fast.border_distance_m - exact.border_distance_m) <= mm);
    CHECK(fast.part >= 1);
    CHECK(fast.part <= engine.info().parts);
    CHECK(fast.chainage_km >= 0.0);
    CHECK(fast.chainage_km <= engine.info().length_km + 1e-9);
    if (brute_force) {
        const Placement brute = engine.place_brute_force(lon, lat);
        CHECK(std::abs(brute.border_distance_m - exact.border_distance_m) <= mm);
    }
}

} // namespace

TEST_CASE("every country has a polygon: side anywhere on land", "[geodata][world]") {
    const auto polygons = ReferencePolygons::load();
    CHECK(polygons->country_count() >= 250);
    CHECK(polygons->country_at(2.35, 48.85) == "FRA");        // Paris
    CHECK(polygons->country_at(13.40, 52.52) == "DEU");       // Berlin
    CHECK(polygons->country_at(-77.04, 38.90) == "USA");      // Washington
    CHECK(polygons->country_at(-75.70, 45.42) == "CAN");      // Ottawa
    CHECK(polygons->country_at(-70.65, -33.45) == "CHL");     // Santiago
    CHECK(polygons->country_at(-58.38, -34.60) == "ARG");     // Buenos Aires
    CHECK(polygons->country_at(151.21, -33.87) == "AUS");     // Sydney
    CHECK(polygons->country_at(45.41, 39.21) == "AZE");       // Nakhchivan (exclave)
    CHECK(polygons->country_at(21.17, 42.67) == "KOS");       // Pristina: NE code, no ISO code
    CHECK(polygons->country_at(31.60, 4.85) == "SSD");        // Juba: ISO3, not NE's SDS
    CHECK(polygons->country_at(-30.0, 0.0).empty());          // Atlantic
    CHECK(polygons->country_at(-150.0, -40.0).empty());       // Pacific
    CHECK(polygons->country_at(70.78902, 38.45373) == "TJK"); // the project's own polygons
    CHECK(polygons->country_at(70.80413, 38.44350) == "AFG");
}

TEST_CASE("every Natural Earth pair loads, as one line or several", "[placement][world]") {
    std::size_t multi = 0;
    for (const auto &entry : BorderEngine::available_borders()) {
        INFO(entry.id);
        const auto engine = BorderEngine::load(entry.id);
        REQUIRE(engine->info().parts >= 1);
        CHECK(engine->info().length_km > 0.0);
        multi += engine->info().parts > 1 ? 1 : 0;
    }
    CHECK(multi > 0);
}

TEST_CASE("borders of many parts: USA-CAN, ARG-CHL", "[placement][world]") {
    const auto usa_can = BorderEngine::load("USA-CAN");
    CHECK(usa_can->info().parts > 1);
    CHECK(usa_can->info().left == "USA");
    CHECK(placement_column_count(usa_can->info()) == 10);
    // Near the 49th parallel (west of Lake of the Woods) and in Alaska-Yukon.
    const Placement p49 = usa_can->place(-100.0, 48.9);
    CHECK(p49.side == "USA");
    CHECK(p49.border_id == "USA-CAN");
    CHECK(p49.border_distance_m > 9000.0); // the 49th parallel (Natural Earth: 48.993 N there)
    CHECK(p49.border_distance_m < 12000.0);
    const Placement ak = usa_can->place(-141.5, 64.0);
    CHECK(ak.side == "USA"); // 141.5 W: Alaska, west of the 141st meridian
    CHECK(ak.border_distance_m < 30000.0);
    CHECK(ak.part != p49.part); // Alaska's border is another line than the 49th parallel's
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> lon(-141.0, -67.0);
    std::uniform_real_distribution<double> lat(41.0, 70.0);
    for (int i = 0; i < 40; ++i) {
        check_paths(*usa_can, lon(rng), lat(rng), i < 10);
    }
    const auto arg_chl = BorderEngine::load("ARG-CHL");
    CHECK(arg_chl->info().parts >= 1);
    const Placement santiago = arg_chl->place(-70.65, -33.45);
    CHECK(santiago.side == "CHL");
    CHECK(santiago.border_distance_m > 20000.0);
    CHECK(santiago.border_distance_m < 120000.0);
    check_paths(*arg_chl, -68.3, -54.8, true); // Tierra del Fuego
}

TEST_CASE("single-line borders keep their columns and chainage", "[placement][world]") {
    const auto tjk_afg = BorderEngine::load("TJK-AFG");
    CHECK(tjk_afg->info().parts == 1);
    CHECK(!tjk_afg->info().world);
    CHECK(placement_column_count(tjk_afg->info()) == 8);
    const Placement p = tjk_afg->place(70.78902, 38.45373);
    CHECK(p.part == 1);
    CHECK(p.border_id == "TJK-AFG");
}

TEST_CASE("world mode: the nearest international land boundary", "[placement][world]") {
    const BorderEngine &w = world();
    CHECK(w.info().world);
    CHECK(w.info().parts > 300);
    CHECK(placement_column_count(w.info()) == 13);

    const Placement paris = w.place(2.35, 48.85);
    CHECK(paris.side == "FRA");
    CHECK(paris.border_id.find("FRA") != std::string_view::npos);
    CHECK(paris.border_distance_m > 150000.0);
    CHECK(paris.border_distance_m < 300000.0);

    // The canonical TJK-AFG line takes precedence over Natural Earth's: the same answer as
    // the TJK-AFG engine for a point nearest to it.
    const auto tjk_afg = BorderEngine::load("TJK-AFG");
    const Placement a = w.place(70.78902, 38.45373);
    const Placement b = tjk_afg->place(70.78902, 38.45373);
    CHECK(a.border_id == "TJK-AFG");
    CHECK(a.border_distance_m == b.border_distance_m);
    // Chainage along the part: the world index's cumulative chainage minus the part's start,
    // so the last bits may differ (the parts lie in spatial order, TJK-AFG not first).
    CHECK(a.chainage_km == Approx(b.chainage_km).epsilon(0).margin(1e-9));
    CHECK(a.side == "TJK");

    // bdist3: a point in Spain whose nearest boundary is not Spain's (Andorra's are Spain's
    // too, so take Mallorca: nearest land boundary ESP-FRA or AND-FRA, own ESP's).
    const Placement palma = w.place(2.65, 39.57);
    CHECK(palma.side == "ESP");
    CHECK(palma.own_border_distance_m >= palma.border_distance_m);
    CHECK(palma.own_border_distance_m < 600000.0);
    CHECK(paris.neighbour == "BEL"); // across the boundary own_border_distance_m measures to
    CHECK(palma.neighbour == (palma.border_id == "AND-FRA" ? "AND" : "FRA"));
    const Placement london = w.place(-0.12, 51.5); // GBR's one land boundary: with Ireland
    CHECK(london.side == "GBR");
    CHECK(london.neighbour == "IRL");
    CHECK(london.own_border_distance_m > london.border_distance_m);
    const Placement sea = w.place(-30.0, 0.0);
    CHECK(sea.side.empty());
    CHECK(std::isnan(sea.own_border_distance_m));
    CHECK(sea.neighbour.empty());
    CHECK(sea.nearest_country == "BRA"); // Saint Peter and Saint Paul Archipelago
    CHECK(paris.nearest_country == "FRA");
    CHECK(w.place(-30.0, 40.0).nearest_country == "PRT"); // the Azores

    // Baarle: Belgian enclaves in the Netherlands are tiny; the nearest border is BEL-NLD.
    const Placement baarle = w.place(4.93, 51.44);
    CHECK(baarle.border_id.find("BEL") != std::string_view::npos);
    CHECK(baarle.border_id.find("NLD") != std::string_view::npos);

    // Fast path vs exact minimisation (and the brute force over every edge for a few) over
    // the globe: land, sea, poles, the antimeridian.
    std::mt19937_64 rng(1717);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> z(-1.0, 1.0);
    for (int i = 0; i < 60; ++i) {
        const double lat = std::asin(z(rng)) * 180.0 / 3.141592653589793;
        check_paths(w, lon(rng), lat, i < 4);
    }
    for (const auto &[x, y] : std::initializer_list<std::pair<double, double>>{
             {0.0, 90.0}, {0.0, -90.0}, {180.0, 65.0}, {-180.0, -16.5}, {179.9999, 0.0}}) {
        check_paths(w, x, y, false);
    }
}

TEST_CASE("world mode: the nearest country at sea, against searching every country",
          "[placement][world]") {
    // The lower bounds only skip countries that cannot be nearer: the same country and
    // distance as evaluating every country's boundary, on seeded points at sea near many
    // coasts (Mediterranean, Caribbean, Baltic, Gulf, Pacific islands).
    const auto polygons = ReferencePolygons::load();
    const detail::CountryCoasts coasts(polygons);
    const std::array<std::array<double, 4>, 5> boxes{{{-5, 31, 35, 45},
                                                      {-85, 10, -60, 25},
                                                      {10, 54, 30, 65},
                                                      {48, 24, 57, 30},
                                                      {160, -25, 180, -5}}};
    std::mt19937_64 rng(1717);
    int at_sea = 0;
    for (const auto &b : boxes) {
        std::uniform_real_distribution<double> lon(b[0], b[2]);
        std::uniform_real_distribution<double> lat(b[1], b[3]);
        for (int i = 0; i < 6; ++i) {
            const double x = lon(rng);
            const double y = lat(rng);
            if (!polygons->country_at(x, y).empty()) {
                continue;
            }
            ++at_sea;
            INFO(x << ", " << y);
            const auto fast = coasts.nearest(x, y);
            const auto all = coasts.nearest_searching_all(x, y);
            CHECK(fast.iso3 == all.iso3);
            CHECK(fast.distance_m == all.distance_m);
            CHECK(fast.distance_m > 0.0);
        }
    }
    CHECK(at_sea >= 12);
}

TEST_CASE("world mode: lon/lat look swapped only for a point at sea whose swap is on land",
          "[placement][world]") {
    const BorderEngine &w = world();
    // In Russia, 1,000 km from any boundary; swapped it would lie near RUS-KAZ: a real place
    // far from borders, not a swap.
    const Placement komi = w.place(43.9826, 61.13021);
    REQUIRE(komi.side == "RUS");
    CHECK(lonlat_swap_warning(w, 43.9826, 61.13021, komi.border_distance_m).empty());
    // In the Barents Sea; swapped it lies in the Pamirs, near a boundary: flagged.
    const Placement sea = w.place(37.01385, 74.90019);
    REQUIRE(sea.side.empty());
    CHECK(lonlat_swap_warning(w, 37.01385, 74.90019, sea.border_distance_m)
              .find("lon/lat look swapped") != std::string::npos);
}

TEST_CASE("place_many: each point placed exactly as place() places it, in any order",
          "[placement][world]") {
    auto same = [](const Placement &x, const Placement &y) {
        PlacementText a;
        PlacementText b;
        format_placement_into(x, a);
        format_placement_into(y, b);
        CHECK(a.fields == b.fields);
        // The formatted fields round numbers; the values are the very same doubles.
        CHECK(x.border_distance_m == y.border_distance_m);
        CHECK(x.chainage_km == y.chainage_km);
        CHECK(x.nearest_lon == y.nearest_lon);
        CHECK(x.bearing_deg == y.bearing_deg);
    };
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> uz(-1.0, 1.0);
    std::uniform_real_distribution<double> ulon(-180.0, 180.0);
    std::vector<std::array<double, 2>> points;
    while (points.size() < 3000) {
        const double lon = ulon(rng);
        const double lat = std::asin(uz(rng)) * 57.29577951308232;
        if (!world().place(lon, lat).side.empty()) { // on land, as the benchmark's points
            points.push_back({lon, lat});
        }
    }
    // World mode orders the batch (its index exceeds the caches); TJK-AFG places in turn.
    const auto tjk_afg = BorderEngine::load("TJK-AFG");
    CHECK(world().orders_batches());
    CHECK_FALSE(tjk_afg->orders_batches());
    for (const BorderEngine *engine :
         std::array<const BorderEngine *, 2>{&world(), tjk_afg.get()}) {
        std::vector<Placement> out(points.size());
        engine->place_many(points, out);
        for (std::size_t i = 0; i < points.size(); i += 7) {
            INFO(engine->info().id << " point " << i);
            same(out[i], engine->place(points[i][0], points[i][1]));
        }
    }
    // An invalid point is refused before any point is placed; the sizes must agree.
    std::vector<Placement> out(points.size());
    points[2500] = {181.0, 10.0};
    CHECK_THROWS_AS(world().place_many(points, out), GeometryError);
    CHECK(out[0].border_id.empty());
    CHECK_THROWS_AS(world().place_many(points, std::span(out).first(10)), std::invalid_argument);
}
