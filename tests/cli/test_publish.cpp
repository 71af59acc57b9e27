// Outputs never destroy inputs, and an export is published as a set: end to end through the
// binary, including kill -9 aimed at the publication while a reader checks every run it sees.
#include "cli/cli_helpers.hpp"

#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/publish.hpp>
#include <borderwatch/store/store.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char **environ;

namespace fs = std::filesystem;
using namespace borderwatch;
using namespace borderwatch::test;

namespace {

const fs::path k_sample = fs::path(BORDERWATCH_REPO_ROOT) / "samples/border_incidents_2025.csv";

/// A store named borderwatch.gpkg (the GeoPackage export's name) in @p dir, with the sample.
fs::path make_store(const fs::path &dir) {
    fs::create_directories(dir);
    const auto store = dir / "borderwatch.gpkg";
    const auto r = run_cli({"import", "--store", store.string(), k_sample.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    return store;
}

std::uint64_t store_count(const fs::path &store) {
    return open_store(store.string())->count();
}

/// What a reader sees in OUT/current, resolved once: "" when it is one whole run (manifest
/// lists exactly the files there, sha256 match, manifest's run = the directory), else the
/// problem. A run pruned while being read is not a problem (retried): runs are kept until
/// the second publication after theirs.
std::string check_run(const fs::path &out, bool &checked) {
    checked = false;
    std::error_code ec;
    const auto target = fs::read_symlink(out / "current", ec);
    if (ec) {
        return {}; // nothing published yet
    }
    const auto run = out / target;
    try {
        const auto text = read_text_file(run / "manifest.json");
        if (text.empty()) {
            return fs::exists(run) ? "empty manifest in " + run.string() : std::string();
        }
        const auto manifest = nlohmann::json::parse(text);
        if (manifest["run"] != run.filename().string()) {
            return "manifest of run " + manifest["run"].dump() + " in " + run.string();
        }
        std::set<std::string> listed{"manifest.json"};
        for (const auto &f : manifest["files"]) {
            const auto name = f["path"].get<std::string>();
            listed.insert(name);
            if (sha256_file(run / name) != f["sha256"].get<std::string>()) {
                return "sha256 of " + (run / name).string() + " differs from the manifest";
            }
        }
        std::set<std::string> present;
        for (const auto &e : fs::directory_iterator(run)) {
            present.insert(e.path().filename().string());
        }
        if (present != listed) {
            return "files in " + run.string() + " differ from its manifest";
        }
        checked = true;
        return {};
    } catch (const std::exception &e) {
        return fs::exists(run) ? std::string("reading ") + run.string() + ": " + e.what()
                               : std::string(); // pruned meanwhile
    }
}

/// Sets an environment variable (inherited by the binaries the test runs) for a scope.
class ScopedEnv {
  public:
    ScopedEnv(std::string name, const std::string &value) : m_name(std::move(name)) {
        if (const char *old = std::getenv(m_name.c_str())) {
            m_old = old;
        }
        ::setenv(m_name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (m_old) {
            ::setenv(m_name.c_str(), m_old->c_str(), 1);
        } else {
            ::unsetenv(m_name.c_str());
        }
    }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

  private:
    std::string m_name;
    std::optional<std::string> m_old;
};

pid_t spawn_export(const std::vector<std::string> &args) {
    std::vector<std::string> all = {BORDERWATCH_EXE};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (auto &a : all) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, all[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    return pid;
}

} // namespace

TEST_CASE("export --overwrite into the store's directory never replaces the store",
          "[publish][cli]") {
    const auto dir = unique_temp_path("protect-store");
    const auto store = make_store(dir);
    const auto before = read_text_file(store);
    // The case: both are borderwatch.gpkg.
    auto r = run_cli({"export", "--store", store.string(), "--out", dir.string(), "--formats",
                      "gpkg", "--overwrite"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find((dir / "borderwatch.gpkg").string()) != std::string::npos);
    CHECK(r.stderr_text.find("the active store") != std::string::npos);
    CHECK(r.stderr_text.find("--out") != std::string::npos); // the fix
    CHECK(read_text_file(store) == before);
    CHECK(store_count(store) == 5);
    // Another spelling of the same directory, the default store through $BORDERWATCH_STORE.
    r = run_cli({"export", "--out", (dir / "." / ".." / dir.filename()).string(), "--overwrite"},
                {}, "BORDERWATCH_STORE=" + shell_quote(store.string()) + " ");
    CHECK(r.exit_code == 2);
    CHECK(read_text_file(store) == before);
    // Formats without a GeoPackage do not collide: allowed, the store untouched.
    r = run_cli({"export", "--store", store.string(), "--out", dir.string(), "--formats",
                 "geojson,csv", "--overwrite"});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(read_text_file(store) == before);
    fs::remove_all(dir);
}

TEST_CASE("import and locate: --rejects never replaces an input or the store", "[publish][cli]") {
    const auto dir = unique_temp_path("protect-rejects");
    fs::create_directories(dir / "sub");
    const auto input = dir / "x.csv";
    fs::copy_file(k_sample, input);
    std::ofstream(input, std::ios::app) << "BAD-1,not-a-date,,,Battles,,,,,,,,,,,,,,\n";
    const auto before = read_text_file(input);
    fs::create_symlink(input, dir / "link.csv");
    const auto store = dir / "s.gpkg";
    for (const auto &rejects :
         {input, dir / "sub" / ".." / "x.csv", dir / "link.csv", fs::path(dir / "./x.csv")}) {
        INFO(rejects.string());
        const auto r = run_cli({"import", input.string(), "--store", store.string(), "--rejects",
                                rejects.string(), "--overwrite"});
        CHECK(r.exit_code == 2);
        CHECK(r.stderr_text.find("the input file") != std::string::npos);
        CHECK(r.stderr_text.find(input.string()) != std::string::npos);
        CHECK(read_text_file(input) == before);
    }
    CHECK_FALSE(fs::exists(store)); // refused before the store was opened
    // The store is protected too.
    REQUIRE(run_cli({"import", k_sample.string(), "--store", store.string()}).exit_code == 0);
    const auto store_bytes = read_text_file(store);
    auto r = run_cli({"import", input.string(), "--store", store.string(), "--rejects",
                      store.string(), "--overwrite"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("the active store") != std::string::npos);
    CHECK(read_text_file(store) == store_bytes);
    // locate: --rejects vs --input.
    r = run_cli({"locate", "--input", input.string(), "--rejects", (dir / "link.csv").string(),
                 "--overwrite", "--format", "csv"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("the input file") != std::string::npos);
    CHECK(read_text_file(input) == before);
    // A different file is fine (exit 1: a row was rejected).
    r = run_cli({"import", input.string(), "--store", store.string(), "--rejects",
                 (dir / "rejects.csv").string()});
    CHECK(r.exit_code == 1);
    CHECK(read_text_file(dir / "rejects.csv").find("BAD-1") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("export killed with SIGKILL during publication: readers only ever see whole runs",
          "[publish][cli]") {
    const auto dir = unique_temp_path("publish-kill");
    const auto store = make_store(dir / "store");
    const auto out = dir / "layers";
    // The test border and its small reference layers: a run takes a second, not seven.
    const std::vector<std::string> args = {"export",     "--store",     store.string(), "--out",
                                           out.string(), "--overwrite", "--border",     "TST-LINE"};
    const ScopedEnv geodata("BORDERWATCH_GEODATA",
                            (fs::path(BORDERWATCH_TEST_DATA) / "export/geodata").string());
    REQUIRE(run_cli(args).exit_code == 0);

    // Widen the publication window: 150 ms between its steps (rename, swap, links, prune).
    constexpr int pause_ms = 150;
    std::optional<ScopedEnv> delay;
    delay.emplace("BORDERWATCH_TEST_PUBLISH_DELAY_MS", std::to_string(pause_ms));
    auto t0 = std::chrono::steady_clock::now();
    {
        const pid_t pid = spawn_export(args);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
    }
    const auto full_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    REQUIRE(full_ms > 3 * pause_ms);

    std::atomic<bool> stop{false};
    std::atomic<int> whole{0};
    std::string problem;
    std::thread reader([&] {
        while (!stop && problem.empty()) {
            bool checked = false;
            problem = check_run(out, checked);
            whole += checked ? 1 : 0;
        }
    });
    std::mt19937 rng(12);
    std::uniform_int_distribution<long> anywhere(0, full_ms);
    // Aimed kills: the run directory appearing under its final name in .runs is the start of
    // the publication; then kill after half a pause (before the swap), one and a half (after
    // the swap, links pending) or two and a half (links done, pruning pending).
    const long aimed[] = {pause_ms / 2, 3 * pause_ms / 2, 5 * pause_ms / 2};
    const auto published_runs = [&out] {
        std::set<std::string> runs;
        std::error_code ec;
        for (const auto &e : fs::directory_iterator(out / ".runs", ec)) {
            const auto name = e.path().filename().string();
            if (name[0] != '.') {
                runs.insert(name);
            }
        }
        return runs;
    };
    std::set<std::string> runs_seen;
    int in_window = 0;
    for (int round = 0; round < 12 && problem.empty(); ++round) {
        const bool aim = round % 4 != 3;
        const auto before = published_runs();
        const pid_t pid = spawn_export(args);
        long at = 0;
        if (aim) {
            const auto start = std::chrono::steady_clock::now();
            int status = 0;
            while (published_runs() == before && ::waitpid(pid, &status, WNOHANG) == 0 &&
                   std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            at = aimed[round % 4];
            ++in_window;
        } else {
            at = anywhere(rng);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(at));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        bool checked = false;
        INFO("round " << round << (aim ? ", publication + " : ", killed at ") << at << " ms");
        CHECK(check_run(out, checked).empty());
        CHECK(checked);
        runs_seen.insert(current_export_run(out).filename().string());
    }
    stop = true;
    reader.join();
    delay.reset();
    INFO(problem);
    CHECK(problem.empty());
    CHECK(whole > 0);
    CHECK(in_window == 9);
    CHECK(runs_seen.size() > 1); // some kills came after the swap

    // The next export cleans up: the current run and the one before it, no temporaries, and
    // every top-level name links into current/.
    REQUIRE(run_cli(args).exit_code == 0);
    std::set<std::string> runs;
    for (const auto &e : fs::directory_iterator(out / ".runs")) {
        runs.insert(e.path().filename().string());
    }
    CHECK(runs.size() == 3); // .lock + 2 runs
    CHECK(runs.count(".lock") == 1);
    for (const auto &e : fs::directory_iterator(out)) {
        const auto name = e.path().filename().string();
        INFO(name);
        CHECK(name.find(".tmp-") == std::string::npos);
        if (name != ".runs" && name != "current") {
            CHECK(fs::read_symlink(e.path()) == fs::path("current") / name);
            CHECK(fs::exists(e.path()));
        }
    }
    fs::remove_all(dir);
}
