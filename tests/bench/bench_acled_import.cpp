// Benchmark of issue 14: `borderwatch import` of an ACLED export in the current layout, every
// column kept (31 source columns, typed, plus placement), against `ogr2ogr` converting the same
// CSV to a GeoPackage (points from latitude/longitude, spatial index), measured in the same run.
// Both run as processes (start-up included); wall time, CPU time (user + system of the child)
// and the child's peak RSS come from wait4(). Memory must stay flat: the import is run on the
// first half of the file too, and its peak RSS compared with the whole file's (at small sizes
// SQLite's page cache is still filling, so judge it at 1 M).
//
//   bench_acled_import [ROWS [REPEAT]]   (default 1,000,000 rows, 1 run; BORDERWATCH_GEODATA;
//   BW_BENCH_KEEP=1 keeps the generated CSV and stores for profiling)
//   Target: import >= 4x the rows/s of ogr2ogr by wall clock; peak RSS of the full import
//   within 25 % of the half's.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

extern char **environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct RunResult {
    int status = -1;
    double wall_s = 0;
    double cpu_s = 0;
    double peak_rss_mb = 0;
};

/// Run @p argv (stdout and stderr to @p log), wait for it: wall, CPU and peak RSS.
RunResult run(const std::vector<std::string> &argv, const fs::path &log) {
    std::vector<char *> args;
    for (const auto &a : argv) {
        args.push_back(const_cast<char *>(a.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    RunResult r;
    const auto t0 = Clock::now();
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return r;
    }
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    rusage u{};
    wait4(pid, &status, 0, &u);
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.cpu_s = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
              static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    r.peak_rss_mb = static_cast<double>(u.ru_maxrss) / 1024.0;
    return r;
}

const char *const k_header =
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp\n";

struct Place {
    const char *location, *admin1, *admin2, *country;
    int iso;
};
const Place k_places[] = {
    {"Panj", "Khatlon", "Panj", "Tajikistan", 762},
    {"Shurobod", "Khatlon", "Shamsiddin Shohin", "Tajikistan", 762},
    {"Khorugh", "Gorno-Badakhshan", "Shughnon", "Tajikistan", 762},
    {"Imam Sahib", "Kunduz", "Imam Sahib", "Afghanistan", 4},
    {"Fayzabad", "Badakhshan", "Fayzabad", "Afghanistan", 4},
    {"Kulob", "Khatlon", "Kulob", "Tajikistan", 762},
};
const char *const k_types[][3] = {
    {"Political violence", "Battles", "Armed clash"},
    {"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"},
    {"Political violence", "Violence against civilians", "Attack"},
    {"Demonstrations", "Protests", "Peaceful protest"},
};

/// ACLED current layout, every column filled as ACLED does; points in the border region.
void write_acled(const fs::path &path, std::size_t rows) {
    std::ofstream out(path);
    out << k_header;
    std::mt19937_64 rng(14);
    std::uniform_real_distribution<double> lon(67.8, 74.8);
    std::uniform_real_distribution<double> lat(36.7, 38.6);
    char buf[1024];
    for (std::size_t i = 0; i < rows; ++i) {
        const auto &p = k_places[i % std::size(k_places)];
        const auto *t = k_types[i % std::size(k_types)];
        const int day = static_cast<int>(i % 28) + 1;
        const int month = static_cast<int>((i / 28) % 12) + 1;
        std::snprintf(
            buf, sizeof buf,
            "%s%zu,2025-%02d-%02d,2025,%d,%s,%s,%s,Military Forces of %s (1994-),Border "
            "Guards,State forces,Unidentified Armed Group (Afghanistan),%s,Rebel group,State "
            "forces-Rebel group,%s,%d,Caucasus and Central Asia,%s,%s,%s,,%s,%.5f,%.5f,%d,"
            "Asia-Plus; Radio Ozodi,National-Regional,\"On %d %s 2025, an event near %s, "
            "reported by local sources.\",%zu,%s,%zu\n",
            p.iso == 4 ? "AFG" : "TJK", i, month, day, static_cast<int>(i % 3) + 1, t[0], t[1],
            t[2], p.country, i % 7 == 0 ? "Farmers (Tajikistan)" : "",
            i % 5 == 0 ? "Civilian targeting" : "", p.iso, p.country, p.admin1, p.admin2,
            p.location, lat(rng), lon(rng), static_cast<int>(i % 3) + 1, day, "November",
            p.location, i % 4, i % 11 == 0 ? "crowd size=no report" : "",
            static_cast<std::size_t>(1700000000) + i);
        out << buf;
    }
}

void first_lines(const fs::path &from, const fs::path &to, std::size_t lines) {
    std::ifstream in(from);
    std::ofstream out(to);
    std::string line;
    for (std::size_t i = 0; i < lines && std::getline(in, line); ++i) {
        out << line << '\n';
    }
}

} // namespace

int main(int argc, char **argv) {
    const std::size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
    const int repeat = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
    constexpr double target_ratio = 4.0;
    const auto dir = fs::temp_directory_path() / ("bw-bench-acled-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string exe = BORDERWATCH_EXE;
    std::cout << "bench_acled_import: " << rows << " ACLED rows (current layout, 31 columns)\n";

    auto t0 = Clock::now();
    const auto csv = dir / "acled.csv";
    write_acled(csv, rows);
    const auto half = dir / "acled_half.csv";
    first_lines(csv, half, rows / 2 + 1);
    std::printf("  generate CSV      %8.2f s (%ju MiB)\n",
                std::chrono::duration<double>(Clock::now() - t0).count(),
                static_cast<std::uintmax_t>(fs::file_size(csv) / 1048576));

    const auto n = static_cast<double>(rows);
    auto line = [&](const char *label, const RunResult &r, double count) {
        std::printf("  %-17s %8.2f s %10.0f rows/s  %7.2f CPU-s  peak RSS %6.0f MiB  exit %d\n",
                    label, r.wall_s, count / r.wall_s, r.cpu_s, r.peak_rss_mb, r.status);
    };
    auto best = [](std::vector<RunResult> &runs) {
        std::sort(runs.begin(), runs.end(),
                  [](const RunResult &a, const RunResult &b) { return a.wall_s < b.wall_s; });
        return runs[runs.size() / 2]; // the median (upper for an even count)
    };

    std::vector<RunResult> imports;
    std::vector<RunResult> ogrs;
    for (int i = 0; i < repeat; ++i) {
        fs::remove(dir / "store.gpkg");
        imports.push_back(
            run({exe, "import", csv.string(), "--store", (dir / "store.gpkg").string()},
                dir / "import.log"));
        line("borderwatch import", imports.back(), n);
        fs::remove(dir / "ogr.gpkg");
        ogrs.push_back(
            run({"ogr2ogr", "-f", "GPKG", (dir / "ogr.gpkg").string(), csv.string(), "-oo",
                 "X_POSSIBLE_NAMES=longitude", "-oo", "Y_POSSIBLE_NAMES=latitude", "-oo",
                 "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326", "-nln", "incidents"},
                dir / "ogr.log"));
        line("ogr2ogr CSV->GPKG", ogrs.back(), n);
    }
    fs::remove(dir / "store_half.gpkg");
    const auto q =
        run({exe, "import", half.string(), "--store", (dir / "store_half.gpkg").string()},
            dir / "import_half.log");
    line("import (1/2 rows)", q, static_cast<double>(rows / 2));

    const auto imp = best(imports);
    const auto ogr = best(ogrs);
    const double ratio = ogr.wall_s / imp.wall_s;
    const double cpu_ratio = ogr.cpu_s / imp.cpu_s;
    const bool ok_speed = imp.status == 0 && ogr.status == 0 && ratio >= target_ratio;
    const bool ok_memory = imp.peak_rss_mb <= 1.25 * q.peak_rss_mb;
    std::printf("  speed: import %.1fx ogr2ogr by wall clock, %.1fx by CPU (target >= %.0fx by "
                "wall): %s\n",
                ratio, cpu_ratio, target_ratio, ok_speed ? "OK" : "MISSED");
    std::printf("  memory: peak RSS %.0f MiB for %zu rows, %.0f MiB for %zu (flat: within 25 %%): "
                "%s\n",
                imp.peak_rss_mb, rows, q.peak_rss_mb, rows / 2, ok_memory ? "OK" : "MISSED");
    if (imp.status != 0) {
        std::cout << "  import log: " << (dir / "import.log").string() << '\n';
        return 1;
    }
    if (std::getenv("BW_BENCH_KEEP") != nullptr) { // keep the files for profiling
        std::cout << "  kept: " << dir.string() << '\n';
    } else {
        fs::remove_all(dir);
    }
    return ok_speed && ok_memory ? 0 : 1;
}
