// borderwatch export: end to end through the binary.
#include "cli/cli_helpers.hpp"

#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/store/store.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;
using namespace borderwatch;
using namespace borderwatch::test;

namespace {

/// A store with three placed incidents near the TJK-AFG border (values as the placer would
/// give them, approximately; the export does not re-place).
fs::path make_store(const fs::path &dir) {
    fs::create_directories(dir);
    const auto path = dir / "store.gpkg";
    auto store = open_store(path.string());
    std::vector<Incident> batch;
    const struct {
        const char *id;
        const char *type;
        double lon, lat, dist_m, chainage_km;
        const char *side;
    } rows[] = {{"T-1", "Battles", 68.95, 37.10, 1200, 300.5, "AFG"},
                {"T-2", "Explosions/Remote violence", 69.28, 37.30, 800, 360.0, "TJK"},
                {"T-3", "Strategic developments", 70.70, 38.10, 5000, 650.0, "TJK"}};
    for (const auto &r : rows) {
        Incident in;
        in.id = r.id;
        in.event_date = in.event_date_end = "2025-11-26";
        in.event_type = r.type;
        in.fatalities_best = 2;
        in.location_text = "near <the> river & \"ford\"";
        in.place_lon = in.lon = r.lon;
        in.place_lat = in.lat = r.lat;
        in.coord_origin = CoordinateOrigin::given;
        in.precision = 1;
        in.side = r.side;
        in.border_distance_m = r.dist_m;
        in.chainage_km = r.chainage_km;
        in.nearest_lon = r.lon + 0.01;
        in.nearest_lat = r.lat + 0.01;
        in.band = r.dist_m < 1000 ? "0-1" : r.dist_m < 5000 ? "1-5" : "5-10";
        batch.push_back(in);
    }
    store->upsert(batch);
    return path;
}

} // namespace

TEST_CASE("export --help documents usage and exit status", "[export][cli]") {
    const auto r = run_cli({"export", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("Usage: borderwatch export [OPTIONS]", 0) == 0);
    CHECK(r.stdout_text.find("Exit status:") != std::string::npos);
    CHECK(r.stdout_text.find("--formats") != std::string::npos);
    CHECK(r.stdout_text.find("--within-km") != std::string::npos);
}

TEST_CASE("export writes every format from a store, then refuses to overwrite", "[export][cli]") {
    const auto dir = unique_temp_path("export");
    const auto store = make_store(dir);
    const auto out = dir / "layers";
    auto r = run_cli({"export", "--store", store.string(), "--out", out.string(), "--formats",
                      "geojson,csv,kml"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    CHECK(r.stdout_text.find("incidents.geojson\tgeojson\t3 features") != std::string::npos);
    CHECK(fs::exists(out / "borderwatch.kml"));
    CHECK_FALSE(fs::exists(out / "borderwatch.gpkg"));
    const auto manifest = nlohmann::json::parse(read_text_file(out / "manifest.json"));
    CHECK(manifest["incidents"] == 3);
    CHECK(manifest["store"]["state"].get<std::string>().size() > 0);

    // Filters as in query: only TJK.
    r = run_cli({"export", "--store", store.string(), "--out", out.string(), "--formats", "geojson",
                 "--side", "TJK", "--overwrite"});
    REQUIRE(r.exit_code == 0);
    const auto incidents = nlohmann::json::parse(read_text_file(out / "incidents.geojson"));
    CHECK(incidents["features"].size() == 2);
    CHECK(nlohmann::json::parse(read_text_file(out / "manifest.json"))["filter"] == "side=TJK");

    // Existing outputs are not replaced without --overwrite.
    r = run_cli(
        {"export", "--store", store.string(), "--out", out.string(), "--formats", "geojson"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("--overwrite") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("export rejects bad options with status 2", "[export][cli]") {
    CHECK(run_cli({"export", "--out", "x", "--formats", "shp"}).exit_code == 2);
    CHECK(run_cli({"export", "--out", "x", "--bbox", "1,2,3"}).exit_code == 2);
    CHECK(run_cli({"export", "--out", "x", "--sector-km", "0"}).exit_code == 2);
    CHECK(run_cli({"export", "--formats", "kml"}).exit_code == 2); // --out missing
    const auto r = run_cli({"export", "--out", unique_temp_path("nostore").string(), "--store",
                            unique_temp_path("missing", ".gpkg").string()});
    CHECK(r.exit_code == 1); // a missing store is not created by export
}

TEST_CASE("export --formats geojsonseq,fgb: the features of the GeoJSON, read back by GDAL",
          "[export][cli]") {
    const auto dir = unique_temp_path("export-stream-formats");
    const auto store = make_store(dir);
    {
        // One incident without a place: in GeoJSONSeq with a null geometry; FlatGeobuf
        // cannot hold it.
        auto s = open_store(store.string());
        Incident in;
        in.id = "T-4";
        in.event_date = in.event_date_end = "2025-11-27";
        in.event_type = "Battles";
        s->upsert({in});
    }
    const auto out = dir / "layers";
    const auto r = run_cli({"export", "--store", store.string(), "--out", out.string(), "--formats",
                            "geojson,geojsonseq,fgb"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.find("incidents.geojsonl\tgeojsonseq\t4 features") != std::string::npos);
    CHECK(r.stdout_text.find("incidents.fgb\tfgb\t3 features") != std::string::npos);

    // GeoJSONSeq: one Feature per line, the same features as the collection, in order.
    const auto collection = nlohmann::json::parse(read_text_file(out / "incidents.geojson"));
    const auto lines = split_lines(read_text_file(out / "incidents.geojsonl"));
    REQUIRE(lines.size() == 4);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto feature = nlohmann::json::parse(lines[i]);
        CHECK(feature == collection["features"][i]);
    }

    // Both read back through GDAL's own drivers, every layer.
    for (const auto &layer : {"incidents", "border", "border_sectors", "connectors"}) {
        for (const auto &[ext, driver] :
             {std::pair{".geojsonl", "GeoJSON"}, // a 1-line file is also GeoJSON
              std::pair{".fgb", "FlatGeobuf"}}) {
            const auto path = out / (std::string(layer) + ext);
            REQUIRE(fs::exists(path));
            const auto info = run_cli_command("ogrinfo -ro -so -al " + shell_quote(path.string()));
            INFO(path.string() << "\n" << info);
            CHECK(info.find(std::string("using driver `") + driver) != std::string::npos);
            CHECK(info.find("Feature Count:") != std::string::npos);
        }
    }
    CHECK(run_cli_command("ogrinfo -ro -so " + shell_quote((out / "incidents.geojsonl").string()))
              .find("using driver `GeoJSONSeq'") != std::string::npos);
    const auto fgb =
        run_cli_command("ogrinfo -ro -al -q " + shell_quote((out / "incidents.fgb").string()));
    CHECK(fgb.find("id (String) = T-2") != std::string::npos);
    CHECK(fgb.find("T-4") == std::string::npos);
    const auto manifest = nlohmann::json::parse(read_text_file(out / "manifest.json"));
    bool listed = false;
    for (const auto &f : manifest["files"]) {
        listed = listed || (f["path"] == "incidents.fgb" && f["format"] == "fgb");
    }
    CHECK(listed);
    fs::remove_all(dir);
}

TEST_CASE("progress: import, query and resolve report with --json-progress", "[cli]") {
    const auto dir = unique_temp_path("progress");
    fs::create_directories(dir);
    const auto store = (dir / "p.gpkg").string();
    const std::string sample =
        std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";
    auto has_progress = [](const CliResult &r, const std::string &stage) {
        for (const auto &line : split_lines(r.stderr_text)) {
            if (line.rfind('{', 0) == 0) {
                const auto j = nlohmann::json::parse(line);
                if (j.value("stage", "") == stage && j.contains("done")) {
                    return true;
                }
            }
        }
        return false;
    };
    const auto imported = run_cli({"import", sample, "--store", store, "--json-progress"});
    INFO(imported.stderr_text);
    REQUIRE(imported.exit_code == 0);
    CHECK(has_progress(imported, "rows"));
    const auto queried = run_cli({"query", "--store", store, "--format", "csv", "--json-progress"});
    REQUIRE(queried.exit_code == 0);
    CHECK(has_progress(queried, "incidents"));
    CHECK(split_lines(queried.stdout_text).size() == 6); // header + 5, nothing else on stdout
    const auto resolved = run_cli({"resolve", "Darboz", "Khatron", "--json-progress"});
    REQUIRE(resolved.exit_code == 0);
    CHECK(has_progress(resolved, "queries"));
    // Without a terminal and without the option: nothing but results and messages.
    const auto quiet = run_cli({"query", "--store", store, "--format", "csv"});
    CHECK(quiet.stderr_text.empty());
    fs::remove_all(dir);
}
