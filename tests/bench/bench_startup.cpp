// Start-up benchmark (issue 15): median wall time of `borderwatch locate LON LAT`,
// `resolve NAME`, `border` and `info` with a warm geodata cache, printed beside the baseline
// measured in the same run: `ogrinfo -ro -so` of a small GeoPackage (borders.geojson
// converted with ogr2ogr). Also the first run with an empty cache (the cache being built)
// and a run with the cache disabled (BORDERWATCH_NO_CACHE=1).
//
// Usage: bench_startup [RUNS]   (default 11; the geodata cache goes to a scratch directory,
//        never to ~/.cache). Needs ogr2ogr/ogrinfo (gdal-bin) for the baseline.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

/// Run @p argv with stdout and stderr to /dev/null; wall time in ms, or -1 on failure.
double run_ms(const std::vector<std::string> &argv) {
    std::vector<char *> args;
    for (const auto &a : argv) {
        args.push_back(const_cast<char *>(a.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        return -1.0;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1.0;
}

double median_ms(const std::vector<std::string> &argv, int runs) {
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const double ms = run_ms(argv);
        if (ms < 0) {
            return -1.0;
        }
        times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 11;
    const std::string exe = BORDERWATCH_EXE;
    const std::filesystem::path repo = BORDERWATCH_REPO_ROOT;
    if (std::getenv("BORDERWATCH_GEODATA") == nullptr) {
        setenv("BORDERWATCH_GEODATA", (repo / "geodata").c_str(), 1);
    }
    const auto scratch =
        std::filesystem::temp_directory_path() / ("bw-bench-startup-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    setenv("BORDERWATCH_CACHE_DIR", (scratch / "cache").c_str(), 1);
    unsetenv("BORDERWATCH_NO_CACHE");

    const std::vector<std::pair<std::string, std::vector<std::string>>> commands{
        {"locate 70 37", {exe, "locate", "70", "37"}},
        {"resolve Darboz", {exe, "resolve", "Darboz"}},
        {"border", {exe, "border"}},
        {"info", {exe, "info"}},
    };

    // The baseline: ogrinfo on a small GeoPackage made here.
    const auto gpkg = scratch / "small.gpkg";
    const double convert = run_ms(
        {"ogr2ogr", "-f", "GPKG", gpkg.string(), (repo / "geodata" / "borders.geojson").string()});
    const double ogrinfo =
        convert < 0 ? -1.0 : median_ms({"ogrinfo", "-ro", "-so", gpkg.string(), "borders"}, runs);

    std::printf("start-up, median wall of %d runs (target <= 50 ms with a warm cache)\n", runs);
    if (ogrinfo > 0) {
        std::printf("  %-16s %8.1f ms   (baseline)\n", "ogrinfo -ro -so", ogrinfo);
    } else {
        std::printf("  %-16s  skipped: ogr2ogr/ogrinfo (gdal-bin) not available\n",
                    "ogrinfo -ro -so");
    }
    std::printf("  %-16s %10s %10s %10s %9s\n", "command", "cold", "warm", "no cache", "warm/ogr");
    int failures = 0;
    for (const auto &[name, command] : commands) {
        std::filesystem::remove_all(scratch / "cache");
        const double cold = run_ms(command); // builds the cache
        const double warm = median_ms(command, runs);
        setenv("BORDERWATCH_NO_CACHE", "1", 1);
        const double off = median_ms(command, std::max(1, runs / 4));
        unsetenv("BORDERWATCH_NO_CACHE");
        if (cold < 0 || warm < 0 || off < 0) {
            std::printf("  %-16s failed\n", name.c_str());
            ++failures;
            continue;
        }
        std::printf("  %-16s %7.1f ms %7.1f ms %7.1f ms %8.2fx%s\n", name.c_str(), cold, warm, off,
                    ogrinfo > 0 ? warm / ogrinfo : 0.0, warm <= 50.0 ? "" : "  (over target)");
    }
    // Issue 15 set 50 ms where ogrinfo took 70 ms: on a busy machine judge by the ratio.
    std::printf("  (50 ms against ogrinfo's 70 ms on the machine of issue 15: warm/ogr <= %.2f)\n",
                50.0 / 70.0);
    std::filesystem::remove_all(scratch);
    return failures == 0 ? 0 : 1;
}
