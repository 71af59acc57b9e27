// Issue 13 regressions on the export: "Show the uncertainty" (precision radius, the uncertainty
// layer in every format, connectors only for precise incidents, precision and confidence in
// KML and QGIS) and "Valid, typed geometry" (every exported polygon valid in every format).
// Checked independently of borderwatch's readers: GDAL/OGR reads the files back, PROJ's
// geod_inverse measures, xmllint validates the KML.
#include <borderwatch/export/export.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/incidents/uncertainty.hpp>
#include <borderwatch/placement/border_engine.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"
#include <gdal.h>
#include <geodesic.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "../support/skip.hpp"
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

const fs::path k_repo = BORDERWATCH_REPO_ROOT;
const fs::path k_geodata = k_repo / "geodata";

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Geodesic distance by PROJ directly (not through borderwatch's wrapper), metres.
double geod_m(double lon1, double lat1, double lon2, double lat2) {
    geod_geodesic g{};
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    double s12 = 0;
    geod_inverse(&g, lat1, lon1, lat2, lon2, &s12, nullptr, nullptr);
    return s12;
}

struct GdalDataset {
    GDALDatasetH ds = nullptr;
    explicit GdalDataset(const fs::path &p, const std::vector<std::string> &open_options = {},
                         const char *driver = nullptr) {
        std::vector<const char *> oo;
        for (const auto &o : open_options) {
            oo.push_back(o.c_str());
        }
        oo.push_back(nullptr);
        const char *drivers[] = {driver, nullptr};
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                        driver != nullptr ? drivers : nullptr, oo.data(), nullptr);
    }
    ~GdalDataset() {
        if (ds != nullptr) {
            GDALClose(ds);
        }
    }
    GdalDataset(const GdalDataset &) = delete;
    GdalDataset &operator=(const GdalDataset &) = delete;
};

struct OgrFeature {
    OGRFeatureH f;
    explicit OgrFeature(OGRFeatureH h) : f(h) {}
    ~OgrFeature() {
        if (f != nullptr) {
            OGR_F_Destroy(f);
        }
    }
    OgrFeature(const OgrFeature &) = delete;
    OgrFeature &operator=(const OgrFeature &) = delete;
};

/// Every position of a geometry (any type), recursively.
void collect_points(OGRGeometryH g, std::vector<std::array<double, 2>> &out) {
    const int parts = OGR_G_GetGeometryCount(g);
    if (parts > 0) {
        for (int i = 0; i < parts; ++i) {
            collect_points(OGR_G_GetGeometryRef(g, i), out);
        }
        return;
    }
    for (int i = 0; i < OGR_G_GetPointCount(g); ++i) {
        out.push_back({OGR_G_GetX(g, i), OGR_G_GetY(g, i)});
    }
}

/// Incidents at every precision code, placed by the real border engine, plus one without a
/// location. Ids say the precision: "P1" .. "P7", "NOLOC".
std::vector<Incident> incidents_at_every_precision(const BorderEngine &engine) {
    const struct {
        const char *id;
        int precision;
        double lon, lat;
        std::optional<double> score;
    } rows[] = {{"P1", 1, 69.28, 37.30, std::nullopt},
                {"P2", 2, 69.5, 37.5, 0.81},
                {"P3", 3, 69.8, 37.7, 0.95},
                {"P4", 4, 70.3, 36.9, 0.93},
                {"P5", 5, 71.5, 37.6, 0.7},
                {"P6", 6, 68.5, 36.0, 1.0},
                {"P7", 7, 70.0, 37.6, std::nullopt}};
    const auto edges = default_band_edges_km();
    std::vector<Incident> out;
    for (const auto &r : rows) {
        Incident in;
        in.id = r.id;
        in.event_date = in.event_date_end = "2025-11-26";
        in.event_type = "Battles";
        in.place_lon = in.lon = r.lon;
        in.place_lat = in.lat = r.lat;
        in.geo_precision = in.precision = r.precision;
        in.coord_origin = CoordinateOrigin::given;
        in.place_score = r.score;
        const auto p = engine.place(r.lon, r.lat);
        in.side = p.side;
        in.border_distance_m = p.border_distance_m;
        in.chainage_km = p.chainage_km;
        in.nearest_lon = p.nearest_lon;
        in.nearest_lat = p.nearest_lat;
        in.admin1 = r.precision >= 6 ? std::string() : std::string(p.admin1);
        in.admin2 = r.precision >= 4 ? std::string() : std::string(p.admin2);
        in.band =
            band_for(p.border_distance_m / 1000.0, location_uncertainty_km(r.precision), edges);
        out.push_back(in);
    }
    Incident none;
    none.id = "NOLOC";
    none.event_date = none.event_date_end = "2025-11-27";
    none.event_type = "Battles";
    none.precision = 3;
    out.push_back(none);
    return out;
}

/// One export of the real geodata (TJK-AFG, bands, admin units) with incidents_at_every_
/// precision(), in every format, shared by the tests of this file (about 5 s to build).
struct RealExport {
    fs::path dir;
    std::vector<Incident> incidents;
    bool available = false;

    RealExport() {
        if (!fs::exists(k_geodata / "countries.geojson")) {
            return;
        }
        available = true;
        dir = test::unique_temp_dir("bw-export-uncertainty");
        const auto engine = BorderEngine::load("TJK-AFG", k_geodata);
        incidents = incidents_at_every_precision(*engine);
        ExportOptions o;
        o.out_dir = dir;
        o.geodata_dir = k_geodata;
        o.styles_dir = k_repo / "styles";
        o.generated_at = "2026-01-01T00:00:00Z";
        o.overwrite = true;
        export_layers(
            o,
            [this](const std::function<void(const Incident &)> &sink) {
                for (const auto &in : incidents) {
                    sink(in);
                }
            },
            load_border_geometry(k_geodata, "TJK-AFG"));
    }
    ~RealExport() {
        if (available) {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }
    RealExport(const RealExport &) = delete;
    RealExport &operator=(const RealExport &) = delete;
};

const RealExport &real_export() {
    static const RealExport e;
    return e;
}

/// properties by id from a GeoJSON layer file.
std::map<std::string, nlohmann::json> by_id(const fs::path &file) {
    std::map<std::string, nlohmann::json> out;
    const auto doc = nlohmann::json::parse(slurp(file)); // outlives the loop
    for (const auto &f : doc["features"]) {
        out[f["properties"]["id"].get<std::string>()] = f;
    }
    return out;
}

/// The unit's feature in a geodata file, through OGR (independent of borderwatch's reader).
std::vector<std::array<double, 2>> unit_points(const std::string &file, const std::string &where) {
    GdalDataset d(k_geodata / file);
    REQUIRE(d.ds != nullptr);
    OGRLayerH layer = GDALDatasetGetLayer(d.ds, 0);
    REQUIRE(OGR_L_SetAttributeFilter(layer, where.c_str()) == OGRERR_NONE);
    OGR_L_ResetReading(layer);
    OgrFeature f(OGR_L_GetNextFeature(layer));
    REQUIRE(f.f != nullptr);
    std::vector<std::array<double, 2>> pts;
    collect_points(OGR_F_GetGeometryRef(f.f), pts);
    return pts;
}

std::string sql_quote(const std::string &s) {
    std::string out = "'";
    for (const char c : s) {
        out += c == '\'' ? std::string("''") : std::string(1, c);
    }
    return out + "'";
}

} // namespace

TEST_CASE("Show the uncertainty: one rule maps each precision code to a region and radius",
          "[export][uncertainty]") {
    // The radii are the distance-band table's, in metres: one table in the program.
    for (int p = 1; p <= 7; ++p) {
        INFO("precision " << p);
        const auto rule = uncertainty_rule(p);
        const double km = location_uncertainty_km(p);
        if (std::isfinite(km) && p != 7) {
            REQUIRE(rule.radius_m);
            CHECK(*rule.radius_m == km * 1000.0);
        } else {
            CHECK_FALSE(rule.radius_m);
        }
    }
    CHECK(uncertainty_rule(1).shape == UncertaintyShape::point);
    CHECK(uncertainty_rule(std::nullopt).shape == UncertaintyShape::point);
    CHECK(*uncertainty_rule(std::nullopt).radius_m == 0.0);
    CHECK(uncertainty_rule(2).shape == UncertaintyShape::circle);
    CHECK(*uncertainty_rule(2).radius_m == 10000.0);
    CHECK(uncertainty_rule(3).shape == UncertaintyShape::admin2);
    CHECK(uncertainty_rule(4).shape == UncertaintyShape::admin1);
    CHECK(uncertainty_rule(5).shape == UncertaintyShape::circle);
    CHECK(*uncertainty_rule(5).radius_m == 100000.0);
    CHECK(uncertainty_rule(6).shape == UncertaintyShape::country);
    CHECK(uncertainty_rule(7).shape == UncertaintyShape::unknown);
    CHECK(uncertainty_rule(42).shape == UncertaintyShape::unknown);
    CHECK(to_string(UncertaintyShape::admin2) == "admin2");
    CHECK(precision_meaning(3) == "district");
}

TEST_CASE("Show the uncertainty: geodesic circles are exact on the ellipsoid",
          "[geodesy][uncertainty]") {
    for (const double r : {10000.0, 100000.0, 250.0}) {
        const auto ring = geodesic_circle(70.1, 37.4, r, 72);
        REQUIRE(ring.size() == 73);
        CHECK(ring.front() == ring.back());
        for (const auto &p : ring) {
            CHECK(geod_m(70.1, 37.4, p[0], p[1]) == Approx(r).margin(1e-6));
        }
        // Not a planar (degree) buffer: at 37.4 N a degree of longitude is ~0.79 of one of
        // latitude, so the east and north vertices differ in degrees but not in metres.
        CHECK(std::abs(ring[18][0] - 70.1) > 1.2 * std::abs(ring[0][1] - 37.4));
    }
}

TEST_CASE("Show the uncertainty: uncertainty_m, the uncertainty layer in every format, "
          "connectors only for precise incidents, precision and confidence in KML and QGIS",
          "[export][uncertainty]") {
    GDALAllRegister();
    const auto &e = real_export();
    if (!e.available) {
        BW_SKIP("geodata", "geodata/ not built");
    }

    // --- incidents.geojson: uncertainty_m by the rule --------------------------------
    const auto inc = by_id(e.dir / "incidents.geojson");
    REQUIRE(inc.size() == 8);
    const auto radius = [&](const std::string &id) {
        return inc.at(id)["properties"]["uncertainty_m"];
    };
    CHECK(radius("P1") == 0.0);
    CHECK(radius("P2") == 10000.0);
    CHECK(radius("P5") == 100000.0);
    CHECK(radius("P7").is_null());
    CHECK(radius("NOLOC").is_null());
    // Units: the extent from the point, checked against every vertex of the unit read by OGR
    // and measured by PROJ.
    const auto extent = [](const std::vector<std::array<double, 2>> &pts, double lon, double lat) {
        double far = 0;
        for (const auto &p : pts) {
            far = std::max(far, geod_m(lon, lat, p[0], p[1]));
        }
        return far;
    };
    const auto &p3 = e.incidents[2];
    const auto &p4 = e.incidents[3];
    const auto &p6 = e.incidents[5];
    REQUIRE_FALSE(p3.admin2.empty());
    REQUIRE_FALSE(p4.admin1.empty());
    REQUIRE(p6.side == "AFG");
    const auto p3_unit = unit_points("admin2.geojson", "iso3 = " + sql_quote(p3.side) +
                                                           " AND name = " + sql_quote(p3.admin2));
    const auto p4_unit = unit_points("admin1.geojson", "iso3 = " + sql_quote(p4.side) +
                                                           " AND name = " + sql_quote(p4.admin1));
    const auto p6_unit = unit_points("countries.geojson", "iso3 = 'AFG'");
    CHECK(radius("P3").get<double>() ==
          Approx(extent(p3_unit, *p3.place_lon, *p3.place_lat)).margin(1.0));
    CHECK(radius("P4").get<double>() ==
          Approx(extent(p4_unit, *p4.place_lon, *p4.place_lat)).margin(1.0));
    CHECK(radius("P6").get<double>() ==
          Approx(extent(p6_unit, *p6.place_lon, *p6.place_lat)).margin(1.0));
    CHECK(radius("P3").get<double>() > 1000.0);

    // --- uncertainty.geojson: one region per imprecise, located incident --------------
    const auto unc = by_id(e.dir / "uncertainty.geojson");
    REQUIRE(unc.size() == 5);
    for (const char *id : {"P1", "P7", "NOLOC"}) {
        CHECK(unc.count(id) == 0);
    }
    CHECK(unc.at("P2")["properties"]["shape"] == "circle");
    CHECK(unc.at("P3")["properties"]["shape"] == "admin2");
    CHECK(unc.at("P3")["properties"]["unit"] == p3.admin2);
    CHECK(unc.at("P4")["properties"]["shape"] == "admin1");
    CHECK(unc.at("P4")["properties"]["unit"] == p4.admin1);
    CHECK(unc.at("P5")["properties"]["shape"] == "circle");
    CHECK(unc.at("P6")["properties"]["shape"] == "country");
    CHECK(unc.at("P6")["properties"]["unit"] == "Afghanistan");
    CHECK(unc.at("P3")["properties"]["precision"] == 3);
    CHECK(unc.at("P3")["properties"]["place_score"] == 0.95);
    CHECK(unc.at("P3")["properties"]["uncertainty_m"] == radius("P3"));
    // Circles: every vertex at the radius (geodesic, PROJ), within the 7-decimal rounding.
    for (const auto &[id, r] : {std::pair{"P2", 10000.0}, std::pair{"P5", 100000.0}}) {
        const auto &g = unc.at(id)["geometry"];
        REQUIRE(g["type"] == "MultiPolygon");
        const auto &ring = g["coordinates"][0][0];
        CHECK(ring.size() == 73);
        const auto &in = inc.at(id)["geometry"]["coordinates"];
        for (const auto &p : ring) {
            CHECK(geod_m(in[0].get<double>(), in[1].get<double>(), p[0].get<double>(),
                         p[1].get<double>()) == Approx(r).margin(0.02));
        }
    }

    // --- GeoPackage (GDAL): the layer, the field, the unit polygons, the styles --------
    {
        GdalDataset gpkg(e.dir / "borderwatch.gpkg");
        REQUIRE(gpkg.ds != nullptr);
        OGRLayerH layer = GDALDatasetGetLayerByName(gpkg.ds, "uncertainty");
        REQUIRE(layer != nullptr);
        CHECK(OGR_L_GetFeatureCount(layer, 1) == 5);
        CHECK(wkbFlatten(OGR_L_GetGeomType(layer)) == wkbMultiPolygon);
        OGR_L_SetAttributeFilter(layer, "id = 'P4'");
        OgrFeature f(OGR_L_GetNextFeature(layer));
        REQUIRE(f.f != nullptr);
        // Same region as the province's polygon in geodata (snap-rounding moves < 1e-7 deg).
        GdalDataset admin1(k_geodata / "admin1.geojson");
        OGRLayerH units = GDALDatasetGetLayer(admin1.ds, 0);
        OGR_L_SetAttributeFilter(units, ("name = " + sql_quote(p4.admin1)).c_str());
        OgrFeature unit(OGR_L_GetNextFeature(units));
        REQUIRE(unit.f != nullptr);
        OGRGeometryH diff =
            OGR_G_SymDifference(OGR_F_GetGeometryRef(f.f), OGR_F_GetGeometryRef(unit.f));
        REQUIRE(diff != nullptr);
        CHECK(OGR_G_Area(diff) < 1e-7 * OGR_G_Area(OGR_F_GetGeometryRef(unit.f)));
        OGR_G_DestroyGeometry(diff);
        OGRLayerH incidents = GDALDatasetGetLayerByName(gpkg.ds, "incidents");
        CHECK(OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(incidents), "uncertainty_m") >= 0);
        // Connectors: only the precise incident.
        OGRLayerH connectors = GDALDatasetGetLayerByName(gpkg.ds, "connectors");
        REQUIRE(OGR_L_GetFeatureCount(connectors, 1) == 1);
        OGR_L_ResetReading(connectors);
        OgrFeature c(OGR_L_GetNextFeature(connectors));
        CHECK(std::string(OGR_F_GetFieldAsString(c.f, OGR_F_GetFieldIndex(c.f, "id"))) == "P1");
        // Default styles: the uncertainty style, and incident labels with precision and
        // confidence.
        OGRLayerH styles = GDALDatasetGetLayerByName(gpkg.ds, "layer_styles");
        REQUIRE(styles != nullptr);
        std::map<std::string, std::string> qml;
        OGR_L_ResetReading(styles);
        while (OGRFeatureH s = OGR_L_GetNextFeature(styles)) {
            qml[OGR_F_GetFieldAsString(s, OGR_F_GetFieldIndex(s, "f_table_name"))] =
                OGR_F_GetFieldAsString(s, OGR_F_GetFieldIndex(s, "styleQML"));
            OGR_F_Destroy(s);
        }
        REQUIRE(qml.count("uncertainty") == 1);
        CHECK(qml["uncertainty"].find("attr=\"shape\"") != std::string::npos);
        CHECK(qml["uncertainty"].find("value=\"admin1\"") != std::string::npos);
        CHECK(qml["incidents"].find("labelsEnabled=\"1\"") != std::string::npos);
        CHECK(qml["incidents"].find("<labeling type=\"simple\">") != std::string::npos);
        CHECK(qml["incidents"].find("&quot;precision&quot;") != std::string::npos);
        CHECK(qml["incidents"].find("&quot;place_score&quot;") != std::string::npos);
        CHECK(qml["incidents"].find("&quot;uncertainty_m&quot;") != std::string::npos);
    }

    // --- CSV: the layer as WKT ---------------------------------------------------------
    {
        const auto csv = slurp(e.dir / "uncertainty.csv");
        CHECK(csv.rfind("WKT,id,event_type,precision,place_score,coord_origin,uncertainty_m,"
                        "shape,unit\n",
                        0) == 0);
        GdalDataset d(e.dir / "uncertainty.csv",
                      {"GEOM_POSSIBLE_NAMES=WKT", "KEEP_GEOM_COLUMNS=NO"}, "CSV");
        REQUIRE(d.ds != nullptr);
        OGRLayerH layer = GDALDatasetGetLayer(d.ds, 0);
        CHECK(OGR_L_GetFeatureCount(layer, 1) == 5);
        OGR_L_ResetReading(layer);
        OgrFeature f(OGR_L_GetNextFeature(layer));
        REQUIRE(f.f != nullptr);
        REQUIRE(OGR_F_GetGeometryRef(f.f) != nullptr);
        CHECK(wkbFlatten(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f.f))) == wkbMultiPolygon);
    }

    // --- KML: schema-valid, the folder, balloons with precision and confidence ----------
    {
        const auto kml = slurp(e.dir / "borderwatch.kml");
        const auto folder = kml.find("<Folder><name>uncertainty</name>");
        REQUIRE(folder != std::string::npos);
        std::size_t placemarks = 0;
        for (auto at = kml.find("<Placemark", folder); at != std::string::npos;
             at = kml.find("<Placemark", at + 1)) {
            ++placemarks;
        }
        CHECK(placemarks == 5);
        CHECK(kml.find("<Style id=\"uncertainty-circle\">") != std::string::npos);
        CHECK(kml.find("<styleUrl>#uncertainty-admin2</styleUrl>") != std::string::npos);
        CHECK(kml.find("location: near a place (precision 2), within 10 km; confidence 0.81") !=
              std::string::npos);
        CHECK(kml.find("location: exact place (precision 1)") != std::string::npos);
        CHECK(kml.find("$[uncertainty/uncertainty_m]") != std::string::npos); // balloon table
        const auto xsd = fs::path(BORDERWATCH_TEST_DATA) / "schemas/kml-2.2/ogckml22.xsd";
        const auto cmd = "xmllint --noout --nonet --schema '" + xsd.string() + "' '" +
                         (e.dir / "borderwatch.kml").string() + "' 2>/dev/null";
        if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
            CHECK(std::system(cmd.c_str()) == 0);
        } else {
            BW_SKIP_PART("xmllint", "xmllint missing: KML schema check not run");
        }
    }
}

TEST_CASE("Valid, typed geometry: every exported polygon in every format is valid when read "
          "back with GDAL",
          "[export][validity]") {
    GDALAllRegister();
    const auto &e = real_export();
    if (!e.available) {
        BW_SKIP("geodata", "geodata/ not built");
    }
    // file → GDAL open options / driver; every layer of every file is read.
    struct Source {
        std::string file;
        std::vector<std::string> options;
        const char *driver;
    };
    std::vector<Source> sources = {{"borderwatch.gpkg", {}, "GPKG"},
                                   {"borderwatch.kml", {}, nullptr}};
    for (const auto &layer : export_layer_names()) {
        sources.push_back({layer + ".geojson", {}, "GeoJSON"});
        sources.push_back(
            {layer + ".csv", {"GEOM_POSSIBLE_NAMES=WKT", "KEEP_GEOM_COLUMNS=NO"}, "CSV"});
    }
    std::map<std::string, std::map<std::string, int>> polygons; // layer → file → count
    for (const auto &s : sources) {
        GdalDataset d(e.dir / s.file, s.options, s.driver);
        INFO(s.file);
        REQUIRE(d.ds != nullptr);
        for (int l = 0; l < GDALDatasetGetLayerCount(d.ds); ++l) {
            OGRLayerH layer = GDALDatasetGetLayer(d.ds, l);
            const std::string name = OGR_L_GetName(layer);
            OGR_L_ResetReading(layer);
            while (OGRFeatureH raw = OGR_L_GetNextFeature(layer)) {
                OgrFeature f(raw);
                OGRGeometryH g = OGR_F_GetGeometryRef(f.f);
                if (g == nullptr) {
                    continue;
                }
                const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
                if (type != wkbPolygon && type != wkbMultiPolygon &&
                    type != wkbGeometryCollection) {
                    continue;
                }
                ++polygons[name][s.file];
                INFO(s.file << " layer " << name << " feature " << OGR_F_GetFID(f.f));
                CHECK(OGR_G_IsValid(g) == 1);
            }
        }
    }
    // Every polygon layer was read from each of the four formats, with the same counts.
    for (const char *layer : {"distance_bands", "admin_stats", "uncertainty"}) {
        INFO(layer);
        const auto &files = polygons[layer];
        CHECK(files.size() == 4);
        for (const auto &[file, n] : files) {
            INFO(file);
            CHECK(n == files.begin()->second);
        }
    }
    CHECK(polygons["distance_bands"]["distance_bands.geojson"] == 12);
    CHECK(polygons["uncertainty"]["uncertainty.csv"] == 5);
}
