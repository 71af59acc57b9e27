// One --bands syntax (issue 12): import, stats, export and the update config's bands_km accept
// the same strings and reject the same bad ones, as usage errors (exit 2) naming the token.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {

const std::string k_sample =
    std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";

/// A bad --bands value and the text its error must contain (the bad token, quoted).
struct Bad {
    std::string bands;
    std::string message;
};

const std::vector<Bad> k_bad{
    {"1,x,10", "'x' is not a non-negative number of km"},
    {"1,,5", "'' is not a non-negative number of km"},
    {"-1,5", "'-1' is not a non-negative number of km"},
    {"1,nan", "'nan' is not"},
    {"1,inf", "'inf' is not"},
    {"5,1", "'1' does not increase (after 5)"},
    {"0,5,5", "'5' does not increase (after 5)"},
    {"0", "need at least one edge above 0"},
    {"1;5", "'1;5' is not"},
};

/// update with `[export] bands_km = VALUE` (a TOML value), in a fresh directory.
CliResult run_update_with_bands(const fs::path &dir, const std::string &toml_value) {
    fs::create_directories(dir / "drops");
    fs::copy_file(k_sample, dir / "drops" / "sample.csv", fs::copy_options::overwrite_existing);
    const fs::path config = dir / "update.toml";
    std::ofstream(config) << "store = \"store.gpkg\"\n[inputs]\npaths = [\"drops\"]\n"
                             "[export]\ndir = \"layers\"\nformats = [\"csv\"]\nbands_km = "
                          << toml_value << "\n[lock]\nfile = \"update.lock\"\n";
    return run_cli({"update", "--config", config.string()});
}

} // namespace

TEST_CASE("bands option: every command rejects the same bad lists as usage errors",
          "[cli][bands]") {
    TempFile store("bands-bad", ".gpkg");
    const fs::path dir = unique_temp_path("bands-bad-update");
    for (const auto &bad : k_bad) {
        INFO("--bands " << bad.bands);
        for (const auto &args : std::vector<std::vector<std::string>>{
                 {"import", k_sample, "--store", store.str(), "--bands", bad.bands},
                 {"stats", "--store", store.str(), "--by", "band", "--bands", bad.bands},
                 {"export", "--store", store.str(), "--out", (dir / "out").string(), "--bands",
                  bad.bands}}) {
            INFO(args[0]);
            const auto r = run_cli(args);
            CHECK(r.exit_code == 2);
            CHECK(r.stderr_text.find("--bands: " + bad.message) != std::string::npos);
            CHECK(r.stderr_text.find("internal error") == std::string::npos);
        }
        // The update config: the same string, with the key named.
        const auto r = run_update_with_bands(dir, "\"" + bad.bands + "\"");
        CHECK(r.exit_code == 2);
        CHECK(r.stderr_text.find("key 'export.bands_km': " + bad.message) != std::string::npos);
        CHECK_FALSE(fs::exists(dir / "layers" / "manifest.json"));
    }
    // An array of numbers goes through the same rule.
    const auto r = run_update_with_bands(dir, "[5, 1]");
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("key 'export.bands_km': '1' does not increase (after 5)") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("bands option: every command accepts the same lists, the leading 0 optional",
          "[cli][bands]") {
    TempFile store("bands-ok", ".gpkg");
    const fs::path dir = unique_temp_path("bands-ok");
    auto r = run_cli({"import", k_sample, "--store", store.str(), "--bands", "0,50,200"});
    REQUIRE(r.exit_code == 0);
    std::string previous;
    for (const std::string bands : {"0,50,200", "50,200", " 50 , 200 ", "0,5e1,200"}) {
        INFO("--bands '" << bands << "'");
        r = run_cli({"import", k_sample, "--store", store.str(), "--bands", bands});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_text.find("5 unchanged") != std::string::npos); // same bands stored
        r = run_cli(
            {"stats", "--store", store.str(), "--by", "band", "--bands", bands, "--format", "csv"});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_text.find("0-50") != std::string::npos);
        if (!previous.empty()) {
            CHECK(r.stdout_text == previous);
        }
        previous = r.stdout_text;
    }
    r = run_cli({"export", "--store", store.str(), "--out", (dir / "a").string(), "--formats",
                 "csv", "--bands", "50,200"});
    CHECK(r.exit_code == 0);
    r = run_cli({"export", "--store", store.str(), "--out", (dir / "b").string(), "--formats",
                 "csv", "--bands", "0,50,200"});
    CHECK(r.exit_code == 0);
    for (const auto *sub : {"a", "b"}) {
        const auto manifest = read_text_file(dir / sub / "manifest.json");
        CHECK(manifest.find("\"0-50\"") != std::string::npos);
        CHECK(manifest.find("\">200\"") != std::string::npos);
    }
    r = run_update_with_bands(dir / "u1", "\"50,200\"");
    CHECK(r.exit_code == 0);
    CHECK(read_text_file(dir / "u1" / "layers" / "manifest.json").find("\"0-50\"") !=
          std::string::npos);
    r = run_update_with_bands(dir / "u2", "[0, 50, 200]");
    CHECK(r.exit_code == 0);
    fs::remove_all(dir);
}
