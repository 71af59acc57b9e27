// CLI end-to-end: the export's statistics layers are `stats` (issue 19 part 1, issue 13).
// The same store is exported (GeoPackage and GeoJSON, read back with GDAL) and summarised
// with `stats --by X --format json`; every number of every statistics layer must be equal.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace borderwatch::test;
using nlohmann::json;

namespace {

const std::string k_repo = BORDERWATCH_REPO_ROOT;
const std::string k_sample = k_repo + "/samples/border_incidents_2025.csv";
const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";

/// Every feature of @p layer in the vector file @p file as a JSON object of its fields
/// (null for unset fields), read with GDAL.
std::vector<json> read_layer(const fs::path &file, const std::string &layer_name) {
    GDALAllRegister();
    const std::unique_ptr<void, decltype(&GDALClose)> ds(
        GDALOpenEx(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr),
        &GDALClose);
    if (!ds) {
        throw std::runtime_error("GDAL cannot open " + file.string());
    }
    OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), layer_name.c_str());
    if (layer == nullptr && GDALDatasetGetLayerCount(ds.get()) == 1) {
        layer = GDALDatasetGetLayer(ds.get(), 0); // a GeoJSON file: its one layer
    }
    if (layer == nullptr) {
        throw std::runtime_error(file.string() + " has no layer " + layer_name);
    }
    std::vector<json> rows;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        json row = json::object();
        const int n = OGR_F_GetFieldCount(f);
        for (int i = 0; i < n; ++i) {
            OGRFieldDefnH def = OGR_F_GetFieldDefnRef(f, i);
            const std::string name = OGR_Fld_GetNameRef(def);
            if (!OGR_F_IsFieldSetAndNotNull(f, i)) {
                row[name] = nullptr;
                continue;
            }
            switch (OGR_Fld_GetType(def)) {
            case OFTInteger:
            case OFTInteger64:
                row[name] = OGR_F_GetFieldAsInteger64(f, i);
                break;
            case OFTReal:
                row[name] = OGR_F_GetFieldAsDouble(f, i);
                break;
            default:
                row[name] = OGR_F_GetFieldAsString(f, i);
                break;
            }
        }
        OGR_F_Destroy(f);
        rows.push_back(std::move(row));
    }
    return rows;
}

json run_stats(const std::string &store, const std::string &by,
               const std::vector<std::string> &extra) {
    std::vector<std::string> args = {"stats", "--store", store, "--by", by, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.stdout_text);
}

/// The statistics of a stats group (or the total) as the layers name them.
json expected_fields(const json &g) {
    const auto count = g["count"].get<std::int64_t>();
    const auto imprecise = g["imprecise"].get<std::int64_t>();
    const auto unplaced = g["unplaced"].get<std::int64_t>();
    return {{"count", count},
            {"fatalities", g["fatalities"]},
            {"precise", count - imprecise - unplaced},
            {"imprecise", imprecise},
            {"unplaced", unplaced},
            {"dist_min_km", g["min_km"]},
            {"dist_median_km", g["median_km"]},
            {"dist_mean_km", g["mean_km"]},
            {"dist_p90_km", g["p90_km"]},
            {"dist_max_km", g["max_km"]}};
}

json empty_group() {
    return {{"count", 0},         {"fatalities", 0},   {"imprecise", 0},
            {"unplaced", 0},      {"min_km", nullptr}, {"median_km", nullptr},
            {"mean_km", nullptr}, {"p90_km", nullptr}, {"max_km", nullptr}};
}

void check_fields(const json &row, const json &expected, const std::string &what) {
    for (const auto &[name, value] : expected.items()) {
        INFO(what << " field " << name << ": layer " << row.value(name, json()).dump() << ", stats "
                  << value.dump());
        REQUIRE(row.contains(name));
        if (value.is_null()) {
            CHECK(row[name].is_null());
        } else if (value.is_number_float() || row[name].is_number_float()) {
            REQUIRE(row[name].is_number());
            CHECK(row[name].get<double>() == Approx(value.get<double>()).margin(1e-9));
        } else {
            CHECK(row[name] == value);
        }
    }
}

/// One statistics layer and the `stats --by` it must equal: layer fields → stats keys.
struct LayerRule {
    std::string layer;
    std::string by;                      ///< stats --by
    std::vector<std::string> key_fields; ///< the layer's fields holding the group key, in order
    std::optional<std::int64_t> level;   ///< admin_stats: only features of this level
};

const std::vector<LayerRule> k_rules = {
    {"border_sectors", "sector", {"sector"}, std::nullopt},
    {"distance_bands", "side,band", {"side", "band"}, std::nullopt},
    {"admin_stats", "side,admin1", {"iso3", "name"}, 1},
    {"admin_stats", "side,admin1,admin2", {"iso3", "admin1", "name"}, 2}};

std::vector<std::string> split_by(const std::string &by) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= by.size()) {
        const auto end = std::min(by.find(',', start), by.size());
        out.push_back(by.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

/// Export @p store with @p options and compare every statistics layer of the GeoPackage and
/// the GeoJSON files, the border layer and the manifest with `stats`.
/// @return number of features compared
std::size_t check_layers_equal_stats(const std::string &store,
                                     const std::vector<std::string> &options) {
    TempDir out("stats-layers");
    std::vector<std::string> args = {
        "export", "--store", store, "--out", out.path().string(), "--formats", "gpkg,geojson"};
    args.insert(args.end(), options.begin(), options.end());
    const auto r = run_cli(args);
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);

    std::size_t compared = 0;
    const json total = run_stats(store, "side", options)["total"];
    const auto manifest = json::parse(read_text_file(out.path() / "manifest.json"));
    // The statistics count events (rows of one event linked into a cluster count once).
    CHECK(manifest["incidents"].get<std::int64_t>() - manifest["merged_rows"].get<std::int64_t>() ==
          total["count"].get<std::int64_t>());
    CHECK(manifest["incidents_imprecise"] == total["imprecise"]);
    const auto by_sector = run_stats(store, "sector", options);
    std::int64_t sector_imprecise = 0;
    for (const auto &g : by_sector["groups"]) {
        if (g["sector"] == "imprecise") {
            sector_imprecise = g["count"].get<std::int64_t>();
        }
    }
    CHECK(manifest["incidents_sector_imprecise"] == sector_imprecise);

    for (const fs::path &file_of_layer : {fs::path("borderwatch.gpkg"), fs::path()}) {
        const auto file = [&](const std::string &layer) {
            return out.path() /
                   (file_of_layer.empty() ? fs::path(layer + ".geojson") : file_of_layer);
        };
        // border: the totals.
        const auto border = read_layer(file("border"), "border");
        REQUIRE(border.size() == 1);
        auto border_expected = expected_fields(total);
        border_expected["incidents"] = border_expected["count"];
        for (const char *drop : {"count", "dist_min_km", "dist_median_km", "dist_mean_km",
                                 "dist_p90_km", "dist_max_km"}) {
            border_expected.erase(drop);
        }
        check_fields(border[0], border_expected, file("border").string() + " border");

        for (const auto &rule : k_rules) {
            const auto stats = run_stats(store, rule.by, options);
            const auto keys = split_by(rule.by);
            std::map<std::vector<std::string>, json> groups;
            for (const auto &g : stats["groups"]) {
                std::vector<std::string> key;
                for (const auto &k : keys) {
                    key.push_back(g[k].get<std::string>());
                }
                groups[key] = g;
            }
            std::map<std::vector<std::string>, int> seen;
            for (const auto &row : read_layer(file(rule.layer), rule.layer)) {
                if (rule.level && row["level"] != *rule.level) {
                    continue;
                }
                std::vector<std::string> key;
                for (const auto &k : rule.key_fields) {
                    key.push_back(row[k].get<std::string>());
                }
                ++seen[key];
                const auto it = groups.find(key);
                const std::string what = file(rule.layer).string() + " " + rule.layer + " " +
                                         row[rule.key_fields.back()].get<std::string>() +
                                         " vs stats --by " + rule.by;
                check_fields(row, expected_fields(it != groups.end() ? it->second : empty_group()),
                             what);
                ++compared;
            }
            // Every group of `stats` with a real key has its feature (exactly one); the
            // others are the incidents the precision rule keeps out of every feature.
            for (const auto &[key, g] : groups) {
                const bool real_key =
                    std::none_of(key.begin(), key.end(), [](const std::string &v) {
                        return v.empty() || v == "imprecise";
                    });
                INFO(rule.layer << " group " << g.dump());
                if (real_key) {
                    CHECK(seen[key] == 1);
                }
            }
        }
    }
    return compared;
}

/// A hand-made incident file along the TJK-AFG border: points offset from border vertices
/// at every precision (exact, near a place, district, province, country), some far inside.
std::string hand_made_incidents() {
    const auto borders =
        json::parse(read_text_file(fs::path(k_repo) / "geodata" / "borders.geojson"));
    json line;
    for (const auto &f : borders["features"]) {
        if (f["properties"]["id"] == "TJK-AFG") {
            line = f["geometry"]["coordinates"];
        }
    }
    REQUIRE(line.size() > 1000);
    std::string csv = "id,event_date,event_type,fatalities_best,location_text,country_text,lon,"
                      "lat,geo_precision\n";
    const int precisions[] = {1, 1, 2, 3, 4, 6, 1, 2};
    const double offsets[] = {0.004, -0.03, 0.08, -0.2, 0.35, -0.6, 0.12, -0.09};
    int n = 0;
    for (std::size_t v = 3; v < line.size(); v += 97, ++n) {
        const double lon = line[v][0].get<double>();
        const double lat = line[v][1].get<double>() + offsets[n % 8];
        char row[256];
        std::snprintf(row, sizeof row, "H-%d,2025-%02d-15,%s,%d,,,%.6f,%.6f,%d\n", n, 1 + n % 12,
                      n % 3 == 0 ? "Battles" : "Explosions/Remote violence", n % 5, lon, lat,
                      precisions[n % 8]);
        csv += row;
    }
    return csv;
}

} // namespace

TEST_CASE("issue 19 one statistics engine: every statistics layer of the export equals stats "
          "on the sample store",
          "[stats][export][cli]") {
    TempFile store("stats-layers", ".gpkg");
    const auto r = run_cli({"import", k_sample, k_data + "native.csv", k_data + "acled_current.csv",
                            k_data + "ucdp_ged.csv", "--store", store.str()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(check_layers_equal_stats(store.str(), {}) > 100);
    CHECK(check_layers_equal_stats(store.str(), {"--bands", "0,10,100", "--sector-km", "100"}) >
          100);
}

TEST_CASE("issue 19 one statistics engine: layers equal stats on a hand-made store with "
          "imprecise incidents and incidents on sector edges",
          "[stats][export][cli]") {
    TempFile csv("hand-made", ".csv", hand_made_incidents());
    TempFile store("stats-layers-hand", ".gpkg");
    auto r = run_cli({"import", csv.str(), k_data + "native.csv", "--store", store.str()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto total = run_stats(store.str(), "side", {})["total"];
    REQUIRE(total["count"].get<int>() > 50);
    REQUIRE(total["imprecise"].get<int>() > 10);

    CHECK(check_layers_equal_stats(store.str(), {}) > 100);
    CHECK(check_layers_equal_stats(store.str(), {"--bands", "2,20", "--sector-km", "30"}) > 100);

    // A sector edge exactly at an incident's stored chainage: --sector-km = that chainage
    // (printed with every digit) puts the exact incident at the start of sector 2, and an
    // incident known to 10 km there straddles the edge. Same rule in stats and export.
    const auto rows = read_layer(store.path(), "incidents");
    std::optional<double> edge;
    for (const auto &row : rows) {
        if (row["precision"] == 1 && row["chainage_km"].is_number() &&
            row["chainage_km"].get<double>() > 100) {
            edge = row["chainage_km"].get<double>();
            break;
        }
    }
    REQUIRE(edge);
    char km[64];
    std::snprintf(km, sizeof km, "%.17g", *edge);
    const auto by_sector = run_stats(store.str(), "sector", {"--sector-km", km});
    bool found_edge_sector = false;
    for (const auto &g : by_sector["groups"]) {
        const auto label = g["sector"].get<std::string>();
        found_edge_sector = found_edge_sector ||
                            (label.rfind(std::to_string(0), 0) != 0 && g["count"].get<int>() > 0);
    }
    CHECK(found_edge_sector);
    CHECK(check_layers_equal_stats(store.str(), {"--sector-km", km}) > 50);
}

TEST_CASE("issue 13 admin_stats and stats by admin1 agree: imprecise incidents counted "
          "explicitly and left out of the distances",
          "[stats][export][cli]") {
    TempFile store("stats-admin", ".gpkg");
    auto r = run_cli({"import", k_sample, k_data + "native.csv", "--store", store.str()});
    REQUIRE(r.exit_code == 0);
    TempDir out("stats-layers");
    r = run_cli(
        {"export", "--store", store.str(), "--out", out.path().string(), "--formats", "gpkg"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto stats = run_stats(store.str(), "side,admin1", {});
    json khatlon;
    for (const auto &g : stats["groups"]) {
        if (g["admin1"] == "Khatlon Region") {
            khatlon = g;
        }
    }
    REQUIRE(khatlon.is_object());
    REQUIRE(khatlon["imprecise"].get<int>() > 0); // the province-level drone strike at least
    bool found = false;
    for (const auto &row : read_layer(out.path() / "borderwatch.gpkg", "admin_stats")) {
        if (row["level"] == 1 && row["name"] == "Khatlon Region") {
            found = true;
            CHECK(row["count"] == khatlon["count"]);
            CHECK(row["imprecise"] == khatlon["imprecise"]);
            CHECK(row["precise"].get<int>() == khatlon["count"].get<int>() -
                                                   khatlon["imprecise"].get<int>() -
                                                   khatlon["unplaced"].get<int>());
            CHECK(row["dist_median_km"].get<double>() ==
                  Approx(khatlon["median_km"].get<double>()).margin(1e-9));
        }
    }
    CHECK(found);
}
