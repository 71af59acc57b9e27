// borderwatch update: first run, no-change fast path, new drops, lock, kill -9.
#include "cli/cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/schedule/lock.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <gdal.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char **environ;

namespace fs = std::filesystem;
using namespace borderwatch;
using namespace borderwatch::test;

namespace {

const fs::path k_sample = fs::path(BORDERWATCH_REPO_ROOT) / "samples/border_incidents_2025.csv";

struct Setup {
    fs::path dir;
    fs::path config;
    fs::path drops;
    fs::path out;
};

Setup make_setup(const std::string &tag, const std::string &lock_mode = "fail",
                 double sector_km = 50) {
    Setup s;
    s.dir = unique_temp_path(tag);
    s.drops = s.dir / "drops";
    s.out = s.dir / "layers";
    fs::create_directories(s.drops);
    fs::copy_file(k_sample, s.drops / "sample.csv");
    s.config = s.dir / "update.toml";
    std::ofstream(s.config)
        << "store = \"store.gpkg\"\n"
           "[inputs]\npaths = [\"drops\"]\n"
           "[export]\ndir = \"layers\"\nformats = [\"geojson\", \"kml\", \"gpkg\"]\n"
           "sector_km = "
        << sector_km << "\n[lock]\nmode = \"" << lock_mode
        << "\"\ntimeout_s = 1\nfile = \"update.lock\"\n";
    return s;
}

/// The sample with every id suffixed: new incidents for a second drop.
void write_variant(const fs::path &to, const std::string &suffix) {
    std::ifstream in(k_sample);
    std::ofstream out(to);
    CsvReader reader(in, k_sample.string());
    bool header = true;
    while (auto rec = reader.next()) {
        if (!header) {
            rec->fields[0] += suffix;
        }
        header = false;
        write_csv_record(out, rec->fields);
    }
}

fs::file_time_type mtime(const fs::path &p) {
    return fs::last_write_time(p);
}

/// Every file of the export directory's manifest exists, is complete and matches its kind.
void check_export_complete(const fs::path &out) {
    const auto manifest = nlohmann::json::parse(read_text_file(out / "manifest.json"));
    for (const auto &f : manifest["files"]) {
        const auto path = out / f["path"].get<std::string>();
        INFO(path.string());
        REQUIRE(fs::exists(path));
        const auto format = f["format"].get<std::string>();
        if (format == "geojson") {
            CHECK(nlohmann::json::accept(read_text_file(path)));
        } else if (format == "kml") {
            const auto text = read_text_file(path);
            CHECK(text.size() > 100);
            CHECK(text.substr(text.size() - 7) == "</kml>\n");
        } else if (format == "gpkg") {
            GDALAllRegister();
            GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                         nullptr, nullptr);
            REQUIRE(ds != nullptr);
            CHECK(GDALDatasetGetLayerByName(ds, "incidents") != nullptr);
            GDALClose(ds);
        }
    }
}

} // namespace

TEST_CASE("update --help documents the lock status", "[update][cli]") {
    const auto r = run_cli({"update", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("Usage: borderwatch update [OPTIONS]", 0) == 0);
    CHECK(r.stdout_text.find("75") != std::string::npos);
}

TEST_CASE("update imports, exports, then touches nothing until inputs change", "[update][cli]") {
    const auto s = make_setup("update");
    auto r = run_cli({"update", "--config", s.config.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.empty()); // quiet on success
    CHECK(r.stderr_text.empty());
    REQUIRE(fs::exists(s.out / "manifest.json"));
    check_export_complete(s.out);
    const auto manifest1 = read_text_file(s.out / "manifest.json");
    const auto t_manifest = mtime(s.out / "manifest.json");
    const auto t_kml = mtime(s.out / "borderwatch.kml");
    CHECK(fs::exists(s.dir / "store.gpkg.update-state.json"));

    // Nothing new: fast path, nothing written.
    r = run_cli({"update", "--config", s.config.string(), "--json-log"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"unchanged\"") != std::string::npos);
    CHECK(mtime(s.out / "manifest.json") == t_manifest);
    CHECK(mtime(s.out / "borderwatch.kml") == t_kml);

    // Touched but identical input: still nothing exported.
    fs::last_write_time(s.drops / "sample.csv", fs::file_time_type::clock::now());
    r = run_cli({"update", "--config", s.config.string()});
    REQUIRE(r.exit_code == 0);
    CHECK(mtime(s.out / "manifest.json") == t_manifest);

    // A new drop: imported and re-exported.
    write_variant(s.drops / "second.csv", "-2");
    r = run_cli({"update", "--config", s.config.string(), "--json-log"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"import\"") != std::string::npos);
    CHECK(r.stderr_text.find("\"event\":\"export\"") != std::string::npos);
    const auto manifest2 = nlohmann::json::parse(read_text_file(s.out / "manifest.json"));
    const auto m1 = nlohmann::json::parse(manifest1);
    CHECK(manifest2["store"]["state"] != m1["store"]["state"]);
    CHECK(manifest2["incidents"].get<int>() == 2 * m1["incidents"].get<int>());
    check_export_complete(s.out);
    fs::remove_all(s.dir);
}

TEST_CASE("a second update exits 75 while the lock is held", "[update][cli]") {
    auto s = make_setup("lock", "fail");
    {
        fs::create_directories(s.dir);
        const auto held = FileLock::acquire(s.dir / "update.lock", std::chrono::milliseconds(0));
        auto r = run_cli({"update", "--config", s.config.string()});
        CHECK(r.exit_code == 75);
        CHECK(r.stderr_text.find("lock") != std::string::npos);
        CHECK_FALSE(fs::exists(s.out / "manifest.json"));
        // wait mode gives up after timeout_s with the same status
        std::ofstream(s.config, std::ios::app) << "";
        const auto text = read_text_file(s.config);
        std::ofstream(s.config) << std::regex_replace(text, std::regex("mode = \"fail\""),
                                                      "mode = \"wait\"");
        const auto t0 = std::chrono::steady_clock::now();
        r = run_cli({"update", "--config", s.config.string(), "--json-log"});
        const auto waited = std::chrono::steady_clock::now() - t0;
        CHECK(r.exit_code == 75);
        CHECK(r.stderr_text.find("\"event\":\"locked\"") != std::string::npos);
        CHECK(waited >= std::chrono::milliseconds(900));
    }
    // Lock released: the run goes through.
    CHECK(run_cli({"update", "--config", s.config.string()}).exit_code == 0);
    fs::remove_all(s.dir);
}

TEST_CASE("update killed with SIGKILL at random moments leaves the previous export complete",
          "[update][cli]") {
    auto s = make_setup("kill");
    REQUIRE(run_cli({"update", "--config", s.config.string()}).exit_code == 0);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> delay_ms(50, 2500);
    for (int round = 0; round < 3; ++round) {
        // A new drop and a settings change: the run both imports and re-exports.
        write_variant(s.drops / ("drop" + std::to_string(round) + ".csv"),
                      "-k" + std::to_string(round));
        const auto text = read_text_file(s.config);
        std::ofstream(s.config) << std::regex_replace(text, std::regex("sector_km = [0-9]+"),
                                                      "sector_km = " + std::to_string(40 + round));
        std::string exe = BORDERWATCH_EXE;
        std::string cfg = s.config.string();
        std::vector<char *> argv = {exe.data(), const_cast<char *>("update"),
                                    const_cast<char *>("--config"), cfg.data(), nullptr};
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        REQUIRE(posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        INFO("round " << round);
        check_export_complete(s.out); // the previous (or the new) export, complete either way
    }
    // The next run completes the job: manifest and files agree.
    auto r = run_cli({"update", "--config", s.config.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    check_export_complete(s.out);
    const auto manifest = nlohmann::json::parse(read_text_file(s.out / "manifest.json"));
    CHECK(manifest["sector_km"] == 42);
    CHECK(manifest["incidents"].get<int>() == 4 * 5);
    fs::remove_all(s.dir);
}
