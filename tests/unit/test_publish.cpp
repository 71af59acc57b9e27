// Outputs never destroy inputs (core/protected_paths) and an export directory published as a
// set (export/publish.hpp): run directories, the `current` symlink, stable top-level names,
// pruning, fewer formats, the layout before runs.
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/export.hpp>
#include <borderwatch/export/publish.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

const fs::path k_data = fs::path(BORDERWATCH_TEST_DATA) / "export";
const fs::path k_repo = BORDERWATCH_REPO_ROOT;

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ExportOptions options_for(const fs::path &out, std::vector<ExportFormat> formats) {
    ExportOptions o;
    o.out_dir = out;
    o.formats = std::move(formats);
    o.geodata_dir = k_data / "geodata";
    o.styles_dir = k_repo / "styles";
    o.store_description = "test";
    o.store_state = "s1";
    o.overwrite = true;
    return o;
}

/// An export of a few incidents on the test border.
ExportResult run_export(const ExportOptions &options, int incidents = 3) {
    const auto border = load_border_geometry(k_data / "geodata", "TST-LINE");
    return export_layers(
        options,
        [&](const std::function<void(const Incident &)> &sink) {
            for (int i = 0; i < incidents; ++i) {
                Incident in;
                in.id = "P-" + std::to_string(i);
                in.event_date = in.event_date_end = "2025-11-26";
                in.event_type = "Battles";
                in.place_lon = in.lon = border.vertices[0].lon + 0.01 * i;
                in.place_lat = in.lat = border.vertices[0].lat + 0.01;
                sink(in);
            }
        },
        border);
}

std::set<std::string> names_in(const fs::path &dir) {
    std::set<std::string> out;
    for (const auto &e : fs::directory_iterator(dir)) {
        out.insert(e.path().filename().string());
    }
    return out;
}

/// The current run: manifest lists exactly the files there, sha256 and sizes match, and its
/// "run" is the directory's name.
void check_current_consistent(const fs::path &out) {
    const auto run = current_export_run(out);
    REQUIRE_FALSE(run.empty());
    const auto manifest = nlohmann::json::parse(slurp(run / "manifest.json"));
    CHECK(manifest["run"] == run.filename().string());
    std::set<std::string> listed{"manifest.json"};
    for (const auto &f : manifest["files"]) {
        const auto name = f["path"].get<std::string>();
        listed.insert(name);
        CHECK(sha256_file(run / name) == f["sha256"].get<std::string>());
        CHECK(fs::file_size(run / name) == f["bytes"].get<std::uint64_t>());
    }
    CHECK(names_in(run) == listed);
}

} // namespace

TEST_CASE("same_file compares file-system identity", "[publish][core]") {
    const auto dir = test::unique_temp_dir("bw-same");
    std::ofstream(dir / "a.csv") << "x";
    fs::create_directories(dir / "sub");
    fs::create_symlink(dir / "a.csv", dir / "link.csv");
    fs::create_hard_link(dir / "a.csv", dir / "hard.csv");
    std::ofstream(dir / "b.csv") << "x";
    CHECK(same_file(dir / "a.csv", dir / "sub/../a.csv"));
    CHECK(same_file(dir / "a.csv", dir / "./a.csv"));
    CHECK(same_file(dir / "link.csv", dir / "a.csv"));
    CHECK(same_file(dir / "hard.csv", dir / "a.csv"));
    CHECK_FALSE(same_file(dir / "a.csv", dir / "b.csv")); // same content, another file
    CHECK_FALSE(same_file(dir / "a.csv", dir / "missing.csv"));
    CHECK(same_file(dir / "missing.csv", dir / "sub/../missing.csv")); // neither exists
    // Relative spelling against the working directory.
    const auto cwd = fs::current_path();
    fs::current_path(dir / "sub");
    CHECK(same_file("../a.csv", dir / "a.csv"));
    fs::current_path(cwd);

    try {
        check_not_protected(dir / "link.csv", "--rejects", {{dir / "a.csv", "the input file"}},
                            "choose another --rejects path");
        FAIL("no error");
    } catch (const UsageError &e) {
        const std::string m = e.what();
        CHECK(m.find("--rejects '" + (dir / "link.csv").string() + "'") != std::string::npos);
        CHECK(m.find("the input file '" + (dir / "a.csv").string() + "'") != std::string::npos);
        CHECK(m.find("choose another --rejects path") != std::string::npos);
    }
    CHECK_NOTHROW(check_not_protected(dir / "b.csv", "--rejects", {{dir / "a.csv", "x"}}));
    fs::remove_all(dir);
}

TEST_CASE("an export is a run directory behind the current symlink", "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-publish");
    const auto all = std::vector<ExportFormat>{ExportFormat::geojson, ExportFormat::kml,
                                               ExportFormat::gpkg, ExportFormat::csv};
    const auto first = run_export(options_for(out, all));
    CHECK(first.run_dir == out / ".runs" / first.run);
    CHECK(fs::read_symlink(out / "current") == fs::path(".runs") / first.run);
    check_current_consistent(out);
    // Stable top-level names: links into current/, for every file and the manifest.
    for (const auto &name : export_file_names(all)) {
        INFO(name);
        CHECK(fs::read_symlink(out / name) == fs::path("current") / name);
    }
    CHECK(fs::read_symlink(out / "manifest.json") == fs::path("current/manifest.json"));
    CHECK(slurp(out / "incidents.geojson") == slurp(first.run_dir / "incidents.geojson"));

    // Runs are pruned to the current one and the one it replaced.
    const auto second = run_export(options_for(out, all), 4);
    const auto third = run_export(options_for(out, all), 5);
    CHECK(names_in(out / ".runs") == std::set<std::string>{".lock", second.run, third.run});
    CHECK(current_export_run(out) == third.run_dir);
    check_current_consistent(out);
    fs::remove_all(out);
}

TEST_CASE("a second export with fewer formats leaves one consistent run", "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-fewer");
    run_export(options_for(out, {ExportFormat::geojson, ExportFormat::kml, ExportFormat::csv}));
    run_export(options_for(out, {ExportFormat::kml}));
    // Only the new run's names are in OUT (and the user's own files would stay).
    CHECK(names_in(out) ==
          std::set<std::string>{".runs", "current", "borderwatch.kml", "manifest.json"});
    check_current_consistent(out);
    const auto manifest = nlohmann::json::parse(slurp(out / "manifest.json"));
    REQUIRE(manifest["files"].size() == 1);
    CHECK(manifest["files"][0]["path"] == "borderwatch.kml");
    fs::remove_all(out);
}

TEST_CASE("an export directory of the layout before runs is taken over cleanly",
          "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-legacy");
    // What an older borderwatch left: plain files and a plain manifest listing them.
    std::ofstream(out / "incidents.geojson") << "{}";
    std::ofstream(out / "incidents.csv") << "WKT\n";
    std::ofstream(out / "notes.txt") << "mine"; // not an export file: never touched
    std::ofstream(out / "manifest.json")
        << R"({"files":[{"path":"incidents.geojson"},{"path":"incidents.csv"}]})";
    CHECK(is_export_output(out, out / "incidents.csv"));
    CHECK_FALSE(is_export_output(out, out / "notes.txt"));
    auto options = options_for(out, {ExportFormat::geojson});
    options.overwrite = false;
    CHECK_THROWS_AS(run_export(options), IoError); // an export is there: --overwrite needed
    options.overwrite = true;
    run_export(options);
    CHECK_FALSE(fs::exists(fs::symlink_status(out / "incidents.csv"))); // the old run's file
    CHECK(fs::is_symlink(out / "incidents.geojson"));
    CHECK(slurp(out / "notes.txt") == "mine");
    check_current_consistent(out);
    CHECK(is_export_output(out, out / "incidents.geojson"));
    CHECK(is_export_output(out, out / ".runs" / "x" / "incidents.csv"));
    CHECK_FALSE(is_export_output(out, out / "notes.txt"));
    fs::remove_all(out);
}

TEST_CASE("an export never replaces a protected file, even with overwrite", "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-protect");
    // The store is OUT/borderwatch.gpkg: the GeoPackage export has that name.
    std::ofstream(out / "borderwatch.gpkg") << "the store";
    auto options = options_for(out, {ExportFormat::gpkg});
    options.protected_paths = {{out / "." / "borderwatch.gpkg", "the active store"}};
    try {
        run_export(options);
        FAIL("no error");
    } catch (const UsageError &e) {
        const std::string m = e.what();
        CHECK(m.find("the active store") != std::string::npos);
        CHECK(m.find("--out") != std::string::npos); // the fix
    }
    CHECK(slurp(out / "borderwatch.gpkg") == "the store");
    CHECK_FALSE(fs::exists(out / "current"));
    CHECK_FALSE(fs::exists(out / ".runs")); // refused before anything was created
    // Through a symlink: the store is elsewhere, OUT/borderwatch.gpkg links to it.
    const auto store_dir = test::unique_temp_dir("bw-protect-store");
    fs::rename(out / "borderwatch.gpkg", store_dir / "team.gpkg");
    fs::create_symlink(store_dir / "team.gpkg", out / "borderwatch.gpkg");
    options.protected_paths = {{store_dir / "team.gpkg", "the active store"}};
    CHECK_THROWS_AS(run_export(options), UsageError);
    CHECK(slurp(store_dir / "team.gpkg") == "the store");
    // Another format does not touch that name: fine.
    options.formats = {ExportFormat::geojson};
    CHECK_NOTHROW(run_export(options));
    fs::remove_all(out);
    fs::remove_all(store_dir);
}

TEST_CASE("an entry in the way of the publication is refused before writing", "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-inway");
    fs::create_directories(out / "current");
    CHECK_THROWS_AS(run_export(options_for(out, {ExportFormat::geojson})), IoError);
    fs::remove(out / "current");
    fs::create_directories(out / "incidents.geojson");
    CHECK_THROWS_AS(run_export(options_for(out, {ExportFormat::geojson})), IoError);
    fs::remove_all(out);
}

TEST_CASE("temporaries of a killed export are removed by the next one", "[publish][export]") {
    const auto out = test::unique_temp_dir("bw-stale");
    run_export(options_for(out, {ExportFormat::csv}));
    // A run directory and a link temporary of a process that no longer exists, and an
    // unpublished (renamed, never swapped in) run.
    const pid_t gone = 2147483646;
    fs::create_directories(out / ".runs" / (".tmp-" + std::to_string(gone) + "-0"));
    std::ofstream(out / ".runs" / (".tmp-" + std::to_string(gone) + "-0") / "x.csv") << "x";
    fs::create_symlink("nowhere", out / (".current.tmp-" + std::to_string(gone) + "-1"));
    fs::create_directories(out / ".runs" / "19990101T000000Z-1-0");
    // A live process's run directory is left alone.
    const auto live = out / ".runs" / (".tmp-" + std::to_string(::getpid()) + "-live");
    fs::create_directories(live);
    const auto result = run_export(options_for(out, {ExportFormat::csv}));
    const auto runs = names_in(out / ".runs");
    CHECK(runs.count(".tmp-" + std::to_string(gone) + "-0") == 0);
    CHECK(runs.count("19990101T000000Z-1-0") == 0);
    CHECK(runs.count(live.filename().string()) == 1);
    CHECK(runs.count(result.run) == 1);
    CHECK_FALSE(
        fs::exists(fs::symlink_status(out / (".current.tmp-" + std::to_string(gone) + "-1"))));
    fs::remove_all(out);
}
