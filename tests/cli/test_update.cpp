// borderwatch update: first run, no-change fast path, new drops, lock, kill -9.
#include "cli/cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/file_lock.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <gdal.h>

#include "../support/skip.hpp"
#include <algorithm>
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
        write_csv_record(out, rec->fields, ',', CsvFormulas::raw); // an input file
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

TEST_CASE("update keeps a bad file out, reports it once and retries it when it changes",
          "[update][cli]") {
    auto s = make_setup("badfile");
    // Unrecognised CSV header, JSON that is not a FeatureCollection, JSON nested too deep.
    std::ofstream(s.drops / "garbage.csv") << "foo,bar\n1,2\n";
    std::ofstream(s.drops / "list.json") << "[1, 2, 3]\n";
    std::ofstream(s.drops / "deep.geojson") << std::string(5000, '[') << std::string(5000, ']');
    auto r = run_cli({"update", "--config", s.config.string()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 1); // like rejected rows: the rest was processed
    for (const char *bad : {"garbage.csv", "list.json", "deep.geojson"}) {
        const auto line = (s.drops / bad).string() + ": not imported: ";
        const auto at = r.stderr_text.find(line);
        CHECK(at != std::string::npos);
        CHECK(r.stderr_text.find(line, at + 1) == std::string::npos); // once
    }
    check_export_complete(s.out); // the good file was imported and exported
    auto manifest = nlohmann::json::parse(read_text_file(s.out / "manifest.json"));
    CHECK(manifest["incidents"] == 5);
    // The state records each bad file with its fingerprint and reason.
    const auto state =
        nlohmann::json::parse(read_text_file(s.dir / "store.gpkg.update-state.json"));
    int errors = 0;
    for (const auto &f : state["files"]) {
        if (f.contains("error")) {
            ++errors;
            CHECK(f["sha256"].get<std::string>().size() == 64);
        }
    }
    CHECK(errors == 3);

    // Next runs: nothing to say, exit 0 — also after a touch that leaves the content as it is.
    r = run_cli({"update", "--config", s.config.string()});
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    fs::last_write_time(s.drops / "garbage.csv", fs::file_time_type::clock::now());
    r = run_cli({"update", "--config", s.config.string()});
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.empty());

    // Changed but still bad: reported again. Fixed: imported.
    std::ofstream(s.drops / "garbage.csv") << "foo,bar,baz\n1,2,3\n";
    r = run_cli({"update", "--config", s.config.string()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("garbage.csv: not imported") != std::string::npos);
    CHECK(r.stderr_text.find("list.json") == std::string::npos);
    write_variant(s.drops / "garbage.csv", "-fixed");
    r = run_cli({"update", "--config", s.config.string()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    manifest = nlohmann::json::parse(read_text_file(s.out / "manifest.json"));
    CHECK(manifest["incidents"] == 10);

    // An unreadable file (not testable as root, who reads everything).
    if (::geteuid() != 0) {
        write_variant(s.drops / "locked.csv", "-locked");
        fs::permissions(s.drops / "locked.csv", fs::perms::none);
        r = run_cli({"update", "--config", s.config.string()});
        CHECK(r.exit_code == 1);
        CHECK(r.stderr_text.find("locked.csv: not imported: unreadable") != std::string::npos);
        r = run_cli({"update", "--config", s.config.string()});
        CHECK(r.exit_code == 0);
        fs::permissions(s.drops / "locked.csv", fs::perms::owner_read | fs::perms::owner_write);
        r = run_cli({"update", "--config", s.config.string()});
        CHECK(r.exit_code == 0);
        manifest = nlohmann::json::parse(read_text_file(s.out / "manifest.json"));
        CHECK(manifest["incidents"] == 15);
    } else {
        WARN("unreadable-file case not run: root reads every file");
    }
    fs::remove_all(s.dir);
}

TEST_CASE("update works when the export directory is also the input directory", "[update][cli]") {
    const auto dir = unique_temp_path("samedir");
    const auto layers = dir / "layers";
    fs::create_directories(layers);
    fs::copy_file(k_sample, layers / "sample.csv");
    const auto config = dir / "update.toml";
    // The store lives there too: its state file (.json) must not be read as an input either.
    std::ofstream(config) << "store = \"layers/store.gpkg\"\n"
                             "[inputs]\npaths = [\"layers\"]\n"
                             "[export]\ndir = \"layers\"\n"
                             "formats = [\"geojson\", \"csv\", \"kml\", \"gpkg\"]\n";
    auto r = run_cli({"update", "--config", config.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    check_export_complete(layers);
    CHECK(nlohmann::json::parse(read_text_file(layers / "manifest.json"))["incidents"] == 5);
    // The export's files (incidents.csv, *.geojson, manifest.json) are not inputs: nothing new.
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"unchanged\"") != std::string::npos);
    CHECK(r.stderr_text.find("\"event\":\"import\"") == std::string::npos);
    const auto state =
        nlohmann::json::parse(read_text_file(layers / "store.gpkg.update-state.json"));
    REQUIRE(state["files"].size() == 1);
    CHECK(fs::path(state["files"][0]["path"].get<std::string>()).filename() == "sample.csv");
    // A new drop beside the outputs is imported.
    write_variant(layers / "second.csv", "-2");
    r = run_cli({"update", "--config", config.string()});
    CHECK(r.exit_code == 0);
    CHECK(nlohmann::json::parse(read_text_file(layers / "manifest.json"))["incidents"] == 10);
    check_export_complete(layers);
    fs::remove_all(dir);
}

TEST_CASE("update refuses a lock file that is an input", "[update][cli]") {
    auto s = make_setup("lockinput");
    const auto text = read_text_file(s.config);
    std::ofstream(s.config) << std::regex_replace(text, std::regex("file = \"update.lock\""),
                                                  "file = \"drops/sample.csv\"");
    const auto before = read_text_file(s.drops / "sample.csv");
    const auto r = run_cli({"update", "--config", s.config.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("the input file") != std::string::npos);
    CHECK(read_text_file(s.drops / "sample.csv") == before);
    fs::remove_all(s.dir);
}

TEST_CASE("update extracts incidents from a drop folder of news articles", "[update][cli]") {
    const auto dir = unique_temp_path("update-articles");
    const auto news = dir / "news";
    fs::create_directories(news);
    const fs::path reports = fs::path(BORDERWATCH_TEST_DATA) / "news";
    fs::copy_file(reports / "report-1.txt", news / "report-1.txt");
    fs::copy_file(reports / "report-2.html", news / "report-2.html");
    fs::copy_file(reports / "README.md", news / "README.md"); // not an article: ignored
    const auto config = dir / "update.toml";
    std::ofstream(config) << "store = \"store.gpkg\"\n"
                             "[inputs]\narticles = [\"news\"]\n"
                             "[export]\ndir = \"layers\"\nformats = [\"geojson\"]\n"
                             "[lock]\nmode = \"fail\"\nfile = \"update.lock\"\n";
    const auto store = (dir / "store.gpkg").string();
    auto count = [&] {
        const auto q = run_cli({"query", "--store", store, "--format", "csv"});
        return split_lines(q.stdout_text).size() - 1;
    };
    auto r = run_cli({"update", "--config", config.string(), "--json-log"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"extract\"") != std::string::npos);
    const auto first = count();
    CHECK(first >= 1);
    const auto layer = nlohmann::json::parse(read_text_file(dir / "layers" / "incidents.geojson"));
    CHECK(layer["features"].size() == first);

    // Unchanged articles: nothing to do.
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"unchanged\"") != std::string::npos);

    // The other reports arrive: every article is extracted again together, so the store
    // holds every candidate one `extract` of all five reports gives.
    for (const auto *name : {"report-3.txt", "report-4.txt", "report-5.txt"}) {
        fs::copy_file(reports / name, news / name);
    }
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> all;
    for (const auto *name :
         {"report-1.txt", "report-2.html", "report-3.txt", "report-4.txt", "report-5.txt"}) {
        all.push_back((news / name).string());
    }
    std::vector<std::string> args = {"extract"};
    args.insert(args.end(), all.begin(), all.end());
    args.insert(args.end(), {"--format", "csv"});
    const auto extracted = split_lines(run_cli(args).stdout_text);
    REQUIRE(extracted.size() == 6); // header + the five incidents of the reports
    const auto stored = run_cli({"query", "--store", store, "--format", "csv"}).stdout_text;
    for (std::size_t i = 1; i < extracted.size(); ++i) {
        const auto id = extracted[i].substr(0, extracted[i].find(','));
        INFO(id);
        CHECK(stored.find("\n" + id + ",") != std::string::npos);
    }
    fs::remove_all(dir);
}

TEST_CASE("update removes the events of a deletions drop after its import", "[update][cli]") {
    const auto dir = unique_temp_path("update-deletions");
    fs::create_directories(dir / "drops");
    fs::create_directories(dir / "deleted");
    fs::copy_file(k_sample, dir / "drops" / "sample.csv");
    const auto config = dir / "update.toml";
    std::ofstream(config) << "store = \"store.gpkg\"\n"
                             "[inputs]\npaths = [\"drops\"]\ndeletions = [\"deleted\"]\n"
                             "[export]\ndir = \"layers\"\nformats = [\"geojson\"]\n"
                             "[lock]\nmode = \"fail\"\nfile = \"update.lock\"\n";
    const auto store = (dir / "store.gpkg").string();
    auto ids = [&] {
        const auto q = run_cli({"query", "--store", store, "--format", "csv"});
        auto lines = split_lines(q.stdout_text);
        std::vector<std::string> out;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            out.push_back(lines[i].substr(0, lines[i].find(',')));
        }
        return out;
    };
    auto r = run_cli({"update", "--config", config.string(), "--json-log"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto before = ids();
    REQUIRE(before.size() >= 3);

    // ACLED's deletions export: two stored events and one this store never had. The
    // unchanged incident file is not imported again, so nothing brings them back.
    std::ofstream(dir / "deleted" / "acled_deletions_week49.csv")
        << "event_id_cnty,deleted_timestamp\n"
        << before[0] << ",1765000000\n"
        << before[2] << ",1765000001\nTJK9999,1765000002\n";
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("2 deleted (of 3 listed)") != std::string::npos);
    auto after = ids();
    CHECK(after.size() == before.size() - 2);
    CHECK(std::find(after.begin(), after.end(), before[0]) == after.end());
    CHECK(std::find(after.begin(), after.end(), before[2]) == after.end());
    CHECK(std::find(after.begin(), after.end(), before[1]) != after.end());
    const auto layer = nlohmann::json::parse(read_text_file(dir / "layers" / "incidents.geojson"));
    CHECK(layer["features"].size() == after.size());

    // Unchanged list: nothing to do. A list that cannot be read is kept out and reported.
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.find("\"event\":\"unchanged\"") != std::string::npos);
    std::ofstream(dir / "deleted" / "broken.csv") << "event_id_cnty,deleted_timestamp\n\"open";
    r = run_cli({"update", "--config", config.string(), "--json-log"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("broken.csv: not imported") != std::string::npos);
    CHECK(ids() == after);
    fs::remove_all(dir);
}
