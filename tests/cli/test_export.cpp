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
