// Scheduler pieces: TOML config parsing, the flock lock, input listing, settings hash.
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/file_lock.hpp>
#include <borderwatch/schedule/update.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

fs::path temp_dir(const std::string &tag) {
    return test::unique_temp_dir("bw-schedule-" + tag);
}

const char *k_config = R"(
store = "data/incidents.gpkg"
[inputs]
paths = ["drops", "/abs/ged.csv"]
extensions = [".CSV", "geojson"]
format = "acled"
[export]
dir = "layers"
formats = ["kml", "gpkg"]
sector_km = 25
bands_km = [2, 10]
[filter]
side = "TJK"
within_km = 30
type = ["Battles"]
[lock]
mode = "fail"
timeout_s = 2.5
)";

} // namespace

TEST_CASE("update config parses every section, paths relative to the file", "[schedule]") {
    const auto c = parse_update_config(k_config, "/etc/bw", "update.toml");
    CHECK(c.store == "/etc/bw/data/incidents.gpkg");
    REQUIRE(c.inputs.size() == 2);
    CHECK(c.inputs[0] == fs::path("/etc/bw/drops"));
    CHECK(c.inputs[1] == fs::path("/abs/ged.csv"));
    CHECK(c.extensions == std::vector<std::string>{"CSV", "geojson"});
    CHECK(c.input_format == "acled");
    CHECK(c.export_dir == fs::path("/etc/bw/layers"));
    CHECK(c.formats == std::vector<ExportFormat>{ExportFormat::kml, ExportFormat::gpkg});
    CHECK(c.sector_km == 25);
    REQUIRE(c.bands.size() == 3);
    CHECK(c.bands[1].label() == "2-10");
    CHECK(c.bands[2].label() == ">10");
    CHECK(c.filter.side == "TJK");
    CHECK(c.filter.within_km == 30);
    CHECK(c.lock_mode == LockMode::fail);
    CHECK(c.lock_timeout == std::chrono::milliseconds(2500));
    CHECK(c.lock_file == fs::path("/etc/bw/layers/.borderwatch-update.lock"));
    CHECK(c.state_file == fs::path("/etc/bw/data/incidents.gpkg.update-state.json"));
}

TEST_CASE("update config errors name the file and key", "[schedule]") {
    const auto error_of = [](const std::string &text) {
        try {
            (void)parse_update_config(text, "/x", "u.toml");
        } catch (const UsageError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("[export]\ndir='x'\n").find("key 'store'") != std::string::npos);
    CHECK(error_of("store='s'\n").find("key 'export'") != std::string::npos);
    CHECK(error_of("store='s'\n[export]\ndir='x'\nformat=['kml']\n").find("export.format") !=
          std::string::npos);
    CHECK(error_of("store='s'\n[export]\ndir='x'\nformats=['shp']\n").find("export.formats") !=
          std::string::npos);
    CHECK(error_of("store='s'\n[export]\ndir='x'\n[lock]\nmode='later'\n").find("lock.mode") !=
          std::string::npos);
    CHECK(error_of("store='s'\n[export]\ndir='x'\nsector_km='50'\n").find("must be a number") !=
          std::string::npos);
    CHECK(error_of("store = \n").find("u.toml:1") != std::string::npos);
    CHECK(error_of("store='s'\n[export]\ndir='x'\n[filter]\nbbox='1,2'\n").find("[filter]") !=
          std::string::npos);
}

TEST_CASE("update config bands_km: the --bands syntax, or an array, one rule", "[schedule]") {
    const auto bands_of = [](const std::string &value) {
        const auto c = parse_update_config(
            "store='s'\n[export]\ndir='x'\nbands_km = " + value + "\n", "/x", "u.toml");
        std::string labels;
        for (const auto &b : c.bands) {
            labels += b.label() + " ";
        }
        return labels;
    };
    CHECK(bands_of("\"0,2,10\"") == "0-2 2-10 >10 ");
    CHECK(bands_of("\"2,10\"") == "0-2 2-10 >10 ");
    CHECK(bands_of("[0, 2, 10]") == "0-2 2-10 >10 ");
    CHECK(bands_of("[2, 10]") == "0-2 2-10 >10 ");
    const auto default_config = parse_update_config("store='s'\n[export]\ndir='x'\n", "/x", "u");
    REQUIRE(default_config.bands.size() == default_distance_bands().size());
    CHECK(default_config.bands.back().label() == ">50");
    for (const auto &[value, message] : std::vector<std::pair<std::string, std::string>>{
             {"\"2,x\"", "u.toml: key 'export.bands_km': 'x' is not a non-negative number"},
             {"[10, 2]", "u.toml: key 'export.bands_km': '2' does not increase (after 10)"},
             {"\"\"", "key 'export.bands_km': '' is not"},
             {"[]", "key 'export.bands_km': need at least one edge above 0"},
             {"['a']", "key 'export.bands_km': must be an array of numbers"},
             {"5", "key 'export.bands_km': must be an array of numbers"}}) {
        INFO(value);
        CHECK_THROWS_WITH(bands_of(value), Catch::Contains(message));
        CHECK_THROWS_AS(bands_of(value), UsageError);
    }
}

TEST_CASE("the settings hash follows what shapes the export", "[schedule]") {
    auto a = parse_update_config(k_config, "/etc/bw", "u.toml");
    auto b = a;
    CHECK(export_settings_hash(a) == export_settings_hash(b));
    b.sector_km = 50;
    CHECK(export_settings_hash(a) != export_settings_hash(b));
    b = a;
    b.filter.side = "AFG";
    CHECK(export_settings_hash(a) != export_settings_hash(b));
    b = a;
    b.link.automatic = false; // --no-link: other statistics
    CHECK(export_settings_hash(a) != export_settings_hash(b));
    b = a;
    b.inputs.clear(); // inputs do not shape the export
    CHECK(export_settings_hash(a) == export_settings_hash(b));
}

TEST_CASE("update config: deletions drops and the link switch", "[schedule]") {
    const auto c = parse_update_config("store='s'\n[inputs]\ndeletions = ['acled/deleted', "
                                       "'/srv/x.csv']\n[export]\ndir='x'\nlink = false\n",
                                       "/etc/bw", "u.toml");
    REQUIRE(c.deletions.size() == 2);
    CHECK(c.deletions[0] == std::filesystem::path("/etc/bw/acled/deleted"));
    CHECK(c.deletions[1] == std::filesystem::path("/srv/x.csv"));
    CHECK_FALSE(c.link.automatic);
    CHECK(is_deletions_input(c, "/etc/bw/acled/deleted/week49.csv"));
    CHECK_FALSE(is_deletions_input(c, "/etc/bw/acled/other.csv"));
    CHECK(parse_update_config("store='s'\n[export]\ndir='x'\n", "/x", "u").link.automatic);
    CHECK_THROWS_WITH(
        parse_update_config("store='s'\n[export]\ndir='x'\nlink = 'no'\n", "/x", "u.toml"),
        Catch::Contains("u.toml: key 'export.link': must be true or false"));
}

TEST_CASE("input listing scans directories, skips hidden files and other extensions",
          "[schedule]") {
    const auto dir = temp_dir("inputs");
    fs::create_directories(dir / "drops/sub");
    fs::create_directories(dir / "drops/.hidden");
    for (const char *f : {"drops/a.csv", "drops/sub/b.GEOJSON", "drops/c.txt", "drops/.d.csv",
                          "drops/.hidden/e.csv", "single.csv"}) {
        std::ofstream(dir / f) << "x";
    }
    UpdateConfig c;
    c.inputs = {dir / "drops", dir / "single.csv"};
    const auto files = list_input_files(c);
    REQUIRE(files.size() == 3);
    CHECK(files[0].filename() == "a.csv");
    CHECK(files[1].filename() == "b.GEOJSON");
    CHECK(files[2].filename() == "single.csv");
    c.inputs = {dir / "missing"};
    CHECK_THROWS_AS(list_input_files(c), IoError);
    fs::remove_all(dir);
}

TEST_CASE("the lock excludes a second holder and is released on exit", "[schedule]") {
    const auto dir = temp_dir("lock");
    const auto path = dir / "update.lock";
    {
        const auto held = FileLock::acquire(path, std::chrono::milliseconds(0));
        // Another process cannot take it (flock locks belong to open file descriptions,
        // so the test uses a child process, as a second cron run would be).
        const pid_t pid = ::fork();
        if (pid == 0) {
            try {
                (void)FileLock::acquire(path, std::chrono::milliseconds(200));
                ::_exit(0);
            } catch (const LockBusyError &) {
                ::_exit(75);
            } catch (...) {
                ::_exit(1);
            }
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WEXITSTATUS(status) == 75);
    }
    // Released: a new holder gets it at once.
    CHECK_NOTHROW(FileLock::acquire(path, std::chrono::milliseconds(0)));
    fs::remove_all(dir);
}

TEST_CASE("update config refuses keys with thousands of dotted parts instead of crashing",
          "[schedule]") {
    std::string deep = "store = \"s.gpkg\"\n";
    for (int i = 0; i < 100000; ++i) {
        deep += i ? ".a" : "a";
    }
    deep += " = 1\n";
    try {
        (void)parse_update_config(deep, ".", "deep.toml");
        FAIL("no error");
    } catch (const UsageError &e) {
        CHECK_THAT(e.what(), Catch::Contains("deep.toml:2: a key with more than 64 dotted parts"));
    }
    // Dots in strings, comments, multi-line strings and numbers are not key parts.
    std::string fine = "# " + std::string(100, '.') + "\nx = \"" + std::string(100, '.') +
                       "\"\ny = '''\n" + std::string(100, '.') + "\n'''\n";
    for (int i = 0; i < 100; ++i) {
        fine += "z" + std::to_string(i) + " = 1.5\n";
    }
    try {
        (void)parse_update_config(fine, ".", "fine.toml");
    } catch (const UsageError &e) {
        CHECK_THAT(e.what(), !Catch::Contains("dotted parts")); // other keys are unknown: fine
    }
    // Nested arrays / inline tables are limited by toml++ itself: an error, not a crash.
    CHECK_THROWS_AS(parse_update_config("x = " + std::string(100000, '[') + "]", ".", "a.toml"),
                    UsageError);
}
