// Cross-check: borderwatch's border_distance_m (BorderEngine: Karney geodesics on WGS84)
// against PostGIS's ST_Distance(geography) (spheroid) for the same points and the same
// canonical border line (geodata/borders.geojson, feature "TJK-AFG").
//
// What to expect: PostGIS finds the closest point of each edge on a sphere (great-circle
// edges) and measures the final distance on the spheroid, while borderwatch minimises over
// true ellipsoidal geodesic edges. For edges of a few hundred metres the two agree to
// centimetres; measured figures are in docs/postgis.md.
#include <catch2/catch.hpp>

#include <borderwatch/core/numbers.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/store/store.hpp>

#include "pg_test_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

using namespace borderwatch;

namespace {

std::filesystem::path geodata_path() {
    if (const char *env = std::getenv("BORDERWATCH_GEODATA"); env != nullptr && *env != '\0') {
        return env;
    }
    return std::filesystem::path(BORDERWATCH_REPO_ROOT) / "geodata";
}

std::string border_geometry_json(const std::string &id) {
    std::ifstream in(geodata_path() / "borders.geojson");
    REQUIRE(in);
    const auto doc = nlohmann::json::parse(in);
    for (const auto &f : doc.at("features")) {
        if (f.at("properties").value("id", "") == id) {
            return f.at("geometry").dump();
        }
    }
    FAIL("feature " << id << " not in borders.geojson");
    return {};
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(k, v.size() - 1)];
}

} // namespace

TEST_CASE("PostGIS cross-check: border_distance_m agrees with ST_Distance(geography)",
          "[store_postgis_server][crosscheck]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "crosscheck");
    StoreOpenOptions init;
    init.init = true;
    auto store = open_store(spec, init);
    const auto engine = BorderEngine::load("TJK-AFG", geodata_path());

    // Points near the whole length of the border: a border point at a random chainage,
    // moved by up to ±0.45° in each direction (0 to ~50 km), plus the border vertices
    // themselves (distance 0).
    std::mt19937 rng(2025);
    std::uniform_real_distribution<double> along(0.0, engine->info().length_km);
    std::uniform_real_distribution<double> offset(-0.45, 0.45);
    std::vector<Incident> rows;
    const std::size_t n = 1500;
    for (std::size_t i = 0; i < n; ++i) {
        auto p = engine->point_at_chainage(along(rng));
        if (i % 20 != 0) {
            p[0] += offset(rng);
            p[1] += offset(rng);
        }
        const auto placed = engine->place(p[0], p[1]);
        Incident x;
        x.id = "X" + std::to_string(10000 + i);
        x.place_lon = p[0];
        x.place_lat = p[1];
        x.border_distance_m = placed.border_distance_m;
        x.nearest_lon = placed.nearest_lon;
        x.nearest_lat = placed.nearest_lat;
        x.side = placed.side;
        rows.push_back(std::move(x));
    }
    store->upsert(rows);

    borderwatch::detail::PgConnection sql(borderwatch::detail::parse_pg_spec(spec));
    sql.exec("CREATE TABLE border AS SELECT 'TJK-AFG'::text AS id, "
             "ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom",
             {border_geometry_json("TJK-AFG")});
    // The same line as single edges with a geography index, for the per-edge minimum.
    sql.exec("CREATE TABLE border_edges AS SELECT (d).geom::geography AS g "
             "FROM (SELECT ST_DumpSegments(geom) AS d FROM border) s; "
             "CREATE INDEX ON border_edges USING gist (g); ANALYZE border_edges");

    // (1) ST_Distance to the whole line, as a SQL user would write it. PostGIS is slow
    //     here (3 to 7 ms a point against 5,931 vertices), so a subset.
    const int whole_line_points = 100;
    const auto whole =
        sql.exec("SELECT i.border_distance_m, ST_Distance(i.geom::geography, b.geom::geography) "
                 "FROM (SELECT * FROM incidents ORDER BY id LIMIT " +
                 std::to_string(whole_line_points) + ") i, border b ORDER BY i.id");
    REQUIRE(whole.rows() == whole_line_points);
    // (2) The minimum of ST_Distance over the single edges near each point (all points).
    //     Every edge within our distance + 10 m is examined, so a nearer border point that
    //     borderwatch missed would show up as a negative difference.
    const auto edges =
        sql.exec("SELECT i.border_distance_m, (SELECT min(ST_Distance(i.geom::geography, e.g)) "
                 "FROM border_edges e WHERE ST_DWithin(e.g, i.geom::geography, "
                 "i.border_distance_m + 10)), "
                 "ST_Distance(i.geom::geography, "
                 "ST_SetSRID(ST_MakePoint(i.nearest_lon, i.nearest_lat), 4326)::geography) "
                 "FROM incidents i ORDER BY i.id");
    REQUIRE(edges.rows() == static_cast<int>(n));

    auto value = [](const borderwatch::detail::PgResult &r, int row, int col) {
        // NULL (no edge found) becomes NaN, which fails every comparison below.
        return parse_double(r.value(row, col)).value_or(std::nan(""));
    };
    std::vector<double> diff_line;
    std::vector<double> diff_edges;
    double max_distance_m = 0.0;
    for (int row = 0; row < whole.rows(); ++row) {
        const double ours = value(whole, row, 0);
        const double pg = value(whole, row, 1);
        INFO("point " << rows[static_cast<std::size_t>(row)].id << ": borderwatch " << ours
                      << " m, PostGIS line " << pg << " m");
        // PostGIS picks the nearest edge on a sphere, then measures on the spheroid: it may
        // land on a slightly farther edge (at most the sphere/spheroid gap, < 0.5 %), never
        // on a point nearer than the true minimum.
        CHECK(ours <= pg + 0.01);
        CHECK(pg - ours <= 0.005 * ours + 0.01);
        diff_line.push_back(std::abs(ours - pg));
    }
    for (int row = 0; row < edges.rows(); ++row) {
        const double ours = value(edges, row, 0);
        const double pg_edges = value(edges, row, 1);
        const double to_nearest = value(edges, row, 2);
        INFO("point " << rows[static_cast<std::size_t>(row)].id << ": borderwatch " << ours
                      << " m, PostGIS per-edge minimum " << pg_edges
                      << " m, PostGIS to borderwatch's nearest point " << to_nearest << " m");
        // Within an edge PostGIS also takes the closest point from the sphere: again never
        // nearer than the truth, and a few centimetres farther at worst for these edges.
        CHECK(ours <= pg_edges + 0.01);
        CHECK(pg_edges - ours < 0.5);
        // The nearest border point borderwatch reports is at the distance it reports.
        CHECK(std::abs(ours - to_nearest) < 0.01);
        diff_edges.push_back(std::abs(ours - pg_edges));
        max_distance_m = std::max(max_distance_m, ours);
    }
    WARN("cross-check, " << n << " points 0 to " << max_distance_m / 1000.0
                         << " km from the border. |borderwatch - PostGIS|: per-edge minimum max "
                         << quantile(diff_edges, 1.0) << " m, p99 " << quantile(diff_edges, 0.99)
                         << " m, median " << quantile(diff_edges, 0.5) << " m; whole line ("
                         << whole_line_points << " points) max " << quantile(diff_line, 1.0)
                         << " m, p99 " << quantile(diff_line, 0.99) << " m, median "
                         << quantile(diff_line, 0.5) << " m");
    CHECK(quantile(diff_line, 0.5) < 0.001);
    CHECK(quantile(diff_edges, 0.5) < 0.001);
    CHECK(quantile(diff_edges, 0.99) < 0.25);
}
