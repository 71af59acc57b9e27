// The two programs (src/cli/launcher_main.cpp): `borderwatch` runs the quick commands without
// GDAL (and without PROJ where no geodesic is measured) and hands every other command to
// borderwatch-full, with the same output, errors and exit status as running that directly.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

using namespace borderwatch::test;

namespace {

std::string full_program() {
    return (std::filesystem::path(BORDERWATCH_EXE).parent_path() / "borderwatch-full").string();
}

/// The shared objects a run loaded, as the dynamic loader reports them (LD_DEBUG=files).
std::string loaded_libraries(const std::vector<std::string> &args) {
    return run_cli(args, {}, "LD_DEBUG=files ").stderr_text;
}

} // namespace

TEST_CASE("quick commands give what the full program gives", "[cli][startup]") {
    for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
             {"locate", "70", "37"},
             {"locate", "71.2", "38.1", "-f", "json"},
             {"resolve", "Darboz"},
             {"resolve", "Хорог", "-f", "json"},
             {"border", "-f", "json"},
             {"border", "--list"},
             {"border", "--border", "TJK-CHN"},
             {"info"},
             {"locate", "--help"},
             {"locate", "70", "91"}, // latitude out of range: the same usage error
         }) {
        INFO(args.front() << ' ' << (args.size() > 1 ? args[1] : ""));
        const auto quick = run_cli(args);
        const auto full = run_program(full_program(), args);
        CHECK(quick.exit_code == full.exit_code);
        CHECK(quick.stdout_text == full.stdout_text);
        CHECK(quick.stderr_text == full.stderr_text);
    }
}

TEST_CASE("other commands are handed to the full program", "[cli][startup]") {
    const auto version = run_cli({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.stdout_text == run_program(full_program(), {"--version"}).stdout_text);
    const auto help = run_cli({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.stdout_text.find("export") != std::string::npos);
    const auto stats_help = run_cli({"stats", "--help"});
    CHECK(stats_help.exit_code == 0);
    CHECK(stats_help.stdout_text.find("Usage: borderwatch stats") != std::string::npos);
    // Exit status and errors pass through unchanged.
    const auto missing = run_cli({"query", "--store", "/nonexistent/dir/store.gpkg"});
    const auto missing_full =
        run_program(full_program(), {"query", "--store", "/nonexistent/dir/store.gpkg"});
    CHECK(missing.exit_code != 0);
    CHECK(missing.exit_code == missing_full.exit_code);
    CHECK(missing.stderr_text == missing_full.stderr_text);
    CHECK(run_cli({"no-such-command"}).exit_code == 2);
}

TEST_CASE("quick commands load neither GDAL nor, without geodesics, PROJ", "[cli][startup]") {
    const auto locate = loaded_libraries({"locate", "70", "37"});
    REQUIRE(locate.find("libicuuc") != std::string::npos); // LD_DEBUG reports what is loaded
    CHECK(locate.find("libgdal") == std::string::npos);
    // A point 3,000 km away is solved on exact geodesics: PROJ is loaded then, and only then.
    const auto far = loaded_libraries({"locate", "40", "40"});
    CHECK(far.find("libproj") != std::string::npos);
    CHECK(far.find("libgdal") == std::string::npos);
    for (const std::vector<std::string> &args :
         std::vector<std::vector<std::string>>{{"resolve", "Darboz"}, {"info"}}) {
        const auto loaded = loaded_libraries(args);
        CHECK(loaded.find("libgdal") == std::string::npos);
        CHECK(loaded.find("libproj") == std::string::npos);
    }
    // A command the start-up program does not run: the full program, GDAL and all.
    CHECK(loaded_libraries({"store", "--help"}).find("libgdal") != std::string::npos);
}

TEST_CASE("a border file only GDAL reads makes the quick command start over in the full program",
          "[cli][startup]") {
    const std::string line =
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
        R"("geometry":{"type":"LineString","coordinates":[[70.0,37.0],[71.0,37.5]]}}]})";
    TempFile geojson("startup-line", ".geojson", line);
    TempFile gpkg("startup-line", ".gpkg");
    run_cli_command("ogr2ogr -f GPKG " + shell_quote(gpkg.str()) + " " +
                    shell_quote(geojson.str()));
    REQUIRE(std::filesystem::exists(gpkg.path()));
    const auto from_geojson = run_cli({"locate", "70.5", "37.25", "--border", geojson.str()});
    const auto from_gpkg = run_cli({"locate", "70.5", "37.25", "--border", gpkg.str()});
    REQUIRE(from_geojson.exit_code == 0);
    REQUIRE(from_gpkg.exit_code == 0);
    CHECK(from_gpkg.stdout_text == from_geojson.stdout_text); // printed once, not twice
    CHECK(from_gpkg.stderr_text.empty());
    CHECK(loaded_libraries({"locate", "70.5", "37.25", "--border", gpkg.str()}).find("libgdal") !=
          std::string::npos);
    // The same line in Web Mercator with a legacy crs member: GDAL transforms it.
    TempFile mercator("startup-mercator", ".geojson");
    run_cli_command("ogr2ogr -f GeoJSON -t_srs EPSG:3857 -lco RFC7946=NO " +
                    shell_quote(mercator.str()) + " " + shell_quote(geojson.str()));
    REQUIRE(read_text_file(mercator.path()).find("3857") != std::string::npos);
    const auto from_mercator = run_cli({"locate", "70.5", "37.25", "--border", mercator.str()});
    REQUIRE(from_mercator.exit_code == 0);
    const auto a = split_lines(from_mercator.stdout_text);
    const auto b = split_lines(from_geojson.stdout_text);
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
    // Same distance to the millimetre or so (a projection round trip, not the same doubles).
    const auto distance = [](const std::string &row) {
        const auto first = row.find(',', row.find(',') + 1);
        return std::stod(row.substr(first + 1));
    };
    CHECK(distance(a[1]) == Approx(distance(b[1])).margin(0.01));
}

TEST_CASE("without borderwatch-full the start-up program says what is missing", "[cli][startup]") {
    TempFile dir("startup-alone");
    std::filesystem::create_directories(dir.path());
    const auto alone = dir.path() / "borderwatch";
    std::filesystem::copy_file(BORDERWATCH_EXE, alone);
    const auto quick = run_program(alone.string(), {"locate", "70", "37"});
    CHECK(quick.exit_code == 0); // the quick commands need nothing else
    const auto other = run_program(alone.string(), {"stats", "--help"});
    CHECK(other.exit_code == 1);
    CHECK(other.stderr_text.find("borderwatch-full") != std::string::npos);
    std::filesystem::remove_all(dir.path());
}

TEST_CASE("installed, the start-up program finds borderwatch-full in libexec", "[cli][startup]") {
    const auto build_dir = std::filesystem::path(BORDERWATCH_EXE).parent_path();
    TempFile prefix("startup-prefix");
    const auto log =
        run_cli_command("cmake --install " + shell_quote(build_dir.string()) +
                        " --component Unspecified --prefix " + shell_quote(prefix.str()));
    INFO(log);
    const auto bin = prefix.path() / "bin" / "borderwatch";
    REQUIRE(std::filesystem::exists(bin));
    REQUIRE(std::filesystem::exists(prefix.path() / "libexec" / "borderwatch-full"));
    // The installed geodata is found from either program's location.
    const std::string env = "env -u BORDERWATCH_GEODATA ";
    const auto info = run_program(bin.string(), {"info"}, {}, env);
    CHECK(info.exit_code == 0);
    CHECK(info.stdout_text.find((prefix.path() / "share" / "borderwatch" / "geodata").string()) !=
          std::string::npos);
    const auto other = run_program(bin.string(), {"stats", "--help"}, {}, env);
    CHECK(other.exit_code == 0);
    CHECK(other.stdout_text.find("Usage: borderwatch stats") != std::string::npos);
    std::filesystem::remove_all(prefix.path());
}
