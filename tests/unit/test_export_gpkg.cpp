// The GeoPackage writer (SQLite direct, bulk-packed R-trees) read back independently by GDAL.
#include <borderwatch/export/feature.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"
#include <gdal.h>
#include <ogr_api.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

fs::path temp_dir(const std::string &tag) {
    return test::unique_temp_dir("bw-export-gpkg-" + tag);
}

struct Dataset {
    GDALDatasetH ds;
    explicit Dataset(const fs::path &p)
        : ds(GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)) {}
    ~Dataset() {
        if (ds != nullptr) {
            GDALClose(ds);
        }
    }
    Dataset(const Dataset &) = delete;
    Dataset &operator=(const Dataset &) = delete;
    /// First column of the first row of a native SQLite query, as text.
    std::string sql_text(const std::string &sql) const {
        OGRLayerH r = GDALDatasetExecuteSQL(ds, sql.c_str(), nullptr, nullptr);
        REQUIRE(r != nullptr);
        std::string out;
        if (OGRFeatureH f = OGR_L_GetNextFeature(r)) {
            out = OGR_F_GetFieldAsString(f, 0);
            OGR_F_Destroy(f);
        }
        GDALDatasetReleaseResultSet(ds, r);
        return out;
    }
};

} // namespace

TEST_CASE("GeoPackage writer: GDAL reads every feature, the R-trees are valid and filter",
          "[export]") {
    GDALAllRegister();
    const auto dir = temp_dir("rtree");
    const auto file = dir / "t.gpkg";
    const std::size_t n = 6000; // > 51² cells: a three-level R-tree
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> ulon(60.0, 75.0);
    std::uniform_real_distribution<double> ulat(29.0, 41.0);
    std::vector<LonLat> points;
    {
        auto writer = make_gpkg_writer(file, ExportStyles{dir}); // no .qml here: no styles
        auto &pts = writer->open_layer(
            {"pts",
             GeometryType::point,
             {{"name", FieldType::text}, {"n", FieldType::integer}, {"x", FieldType::real}}});
        auto &polys =
            writer->open_layer({"polys", GeometryType::multi_polygon, {{"k", FieldType::text}}});
        auto &empty = writer->open_layer({"nothing", GeometryType::line_string, {}});
        (void)empty;
        Feature f;
        std::string name;
        for (std::size_t i = 0; i < n; ++i) {
            const LonLat p{ulon(rng), ulat(rng)};
            points.push_back(p);
            f.geometry.set_point(p.lon, p.lat);
            name = i % 3 == 0 ? "quote \" and 'apostrophe' & <tag> شمس" : "plain";
            f.values = {std::string_view(name), static_cast<std::int64_t>(i),
                        i % 5 == 0 ? Value{} : Value{static_cast<double>(i) / 7.0}};
            pts.write(f);
        }
        f.geometry.clear(); // a feature without geometry: no R-tree entry
        f.values = {std::string_view("no geometry"), std::int64_t{-1}, 0.5};
        pts.write(f);
        Feature poly;
        poly.geometry.type = GeometryType::multi_polygon;
        poly.geometry.parts = {{{{68, 37}, {69, 37}, {69, 38}, {68, 38}, {68, 37}}},
                               {{{70, 36}, {71, 36}, {70.5, 37}, {70, 36}}}};
        poly.values = {std::string_view("two parts")};
        polys.write(poly);
        writer->finish();
        writer->commit();
        CHECK(writer->files().at(0).layers.at(0).second == n + 1);
    }
    Dataset d(file);
    REQUIRE(d.ds != nullptr);
    CHECK(d.sql_text("PRAGMA application_id") == "1196444487");
    CHECK(d.sql_text("PRAGMA integrity_check") == "ok");
    for (const char *t : {"pts", "polys", "nothing"}) {
        CHECK(d.sql_text(std::string("SELECT rtreecheck('rtree_") + t + "_geom')") == "ok");
    }
    CHECK(d.sql_text("SELECT count(*) FROM rtree_pts_geom") == std::to_string(n));

    OGRLayerH pts = GDALDatasetGetLayerByName(d.ds, "pts");
    REQUIRE(pts != nullptr);
    CHECK(OGR_L_GetFeatureCount(pts, TRUE) == static_cast<GIntBig>(n + 1));
    CHECK(OGR_L_TestCapability(pts, OLCFastSpatialFilter) != 0); // GDAL sees the index
    // Values round-trip.
    OGRFeatureH f0 = OGR_L_GetFeature(pts, 1);
    REQUIRE(f0 != nullptr);
    CHECK(std::string(OGR_F_GetFieldAsString(f0, 0)) == "quote \" and 'apostrophe' & <tag> شمس");
    CHECK(OGR_F_GetFieldAsInteger64(f0, 1) == 0);
    CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f0, 2)); // i % 5 == 0: null
    OGRGeometryH g0 = OGR_F_GetGeometryRef(f0);
    REQUIRE(g0 != nullptr);
    CHECK(OGR_G_GetX(g0, 0) == points[0].lon); // exact doubles, no rounding
    CHECK(OGR_G_GetY(g0, 0) == points[0].lat);
    OGR_F_Destroy(f0);
    // The spatial filter (through the R-tree) finds exactly the points inside.
    const double w = 66.1, e = 68.3, s = 33.2, nn = 35.9;
    std::size_t expected = 0;
    for (const auto &p : points) {
        expected += p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= nn ? 1 : 0;
    }
    OGR_L_SetSpatialFilterRect(pts, w, s, e, nn);
    CHECK(OGR_L_GetFeatureCount(pts, TRUE) == static_cast<GIntBig>(expected));
    OGR_L_SetSpatialFilter(pts, nullptr);

    OGRLayerH polys = GDALDatasetGetLayerByName(d.ds, "polys");
    REQUIRE(polys != nullptr);
    OGREnvelope env;
    REQUIRE(OGR_L_GetExtent(polys, &env, TRUE) == OGRERR_NONE);
    CHECK(env.MinX == 68);
    CHECK(env.MaxX == 71);
    CHECK(env.MinY == 36);
    CHECK(env.MaxY == 38);
    OGRFeatureH pf = OGR_L_GetNextFeature(polys);
    REQUIRE(pf != nullptr);
    CHECK(OGR_G_GetGeometryCount(OGR_F_GetGeometryRef(pf)) == 2);
    CHECK(std::abs(OGR_G_Area(OGR_F_GetGeometryRef(pf)) - 1.5) < 1e-12);
    OGR_F_Destroy(pf);
    CHECK(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(d.ds, "nothing"), TRUE) == 0);
    fs::remove_all(dir);
}
