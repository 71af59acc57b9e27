// Benchmark: export N synthetic placed incidents (default 1,000,000) to every format, and
// the same rows converted by ogr2ogr from CSV to GeoJSON, KML and GPKG, in the same run.
// Each measurement runs in a forked child so its peak RSS is its own (wait4 rusage).
//
// usage: bench_export [N] [WORK_DIR]      (WORK_DIR default: $TMPDIR; needs ~4 GB per 1M)
//        bench_export N WORK_DIR formats [geojson,csv,kml,gpkg|all]   one export per format
//        bench_export N WORK_DIR gc      GeoJSON + CSV at N/10 and N only (memory growth)
#include <borderwatch/core/paths.hpp>
#include <borderwatch/export/export.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

struct Measure {
    double seconds = 0;
    double cpu_seconds = 0; ///< user + system of the measured process (the machine is shared)
    double peak_rss_mb = 0;
    int status = 0;
};

Measure in_child(const std::function<int()> &work) {
    std::fflush(nullptr); // or the child would print our buffered output again
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 1;
        try {
            rc = work();
        } catch (const std::exception &e) {
            std::cerr << "bench_export: " << e.what() << '\n';
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    Measure m;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    const auto secs = [](const timeval &t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    m.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
    m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return m;
}

/// Streams N deterministic incidents spread over the border region (never held in memory).
IncidentSource synthetic(std::size_t n, const BorderGeometry &border) {
    return [n, &border](const std::function<void(const Incident &)> &sink) {
        static const char *types[] = {
            "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
            "Riots",   "Strategic developments"};
        static const char *admin2_tjk[] = {"Shamsiddin Shohin District", "Panj District",
                                           "Darvoz District", "Qubodiyon District"};
        std::mt19937_64 rng(2025);
        std::uniform_real_distribution<double> u(0, 1);
        Incident in;
        for (std::size_t i = 0; i < n; ++i) {
            const auto &v =
                border.vertices[static_cast<std::size_t>(u(rng) * (border.vertices.size() - 1))];
            const double dlon = (u(rng) - 0.5) * 1.2;
            const double dlat = (u(rng) - 0.5) * 0.8;
            in.id = "BENCH-" + std::to_string(1000000 + i);
            in.event_date =
                "2025-" + std::to_string(10 + i % 3) + "-" + std::to_string(10 + i % 19);
            in.event_date_end = in.event_date;
            in.date_precision = i % 10 == 3 ? DatePrecision::week : DatePrecision::day;
            in.event_type = types[i % 6];
            in.sub_event_type = i % 2 ? "Armed clash" : "Drone strike";
            in.actor1 = "Unidentified armed group";
            in.actor2 = i % 3 ? "" : "Civilians (China)";
            in.fatalities_best = static_cast<int>(i % 5);
            in.location_text = "Shamsiddin Shokhin district";
            in.country_text = "Tajikistan";
            in.lon = in.place_lon = v.lon + dlon;
            in.lat = in.place_lat = v.lat + dlat;
            in.coord_origin = CoordinateOrigin::given;
            in.precision = 1;
            in.side = dlat > 0 ? "TJK" : "AFG";
            in.border_distance_m = std::abs(dlat) * 111000.0;
            in.chainage_km = u(rng) * border.length_km;
            in.nearest_lon = v.lon;
            in.nearest_lat = v.lat;
            in.admin1 = dlat > 0 ? "Khatlon Region" : "Kunduz";
            in.admin2 = dlat > 0 ? admin2_tjk[i % 4] : "Imam Sahib";
            const double km = *in.border_distance_m / 1000;
            in.band = km < 1    ? "0-1"
                      : km < 5  ? "1-5"
                      : km < 10 ? "5-10"
                      : km < 25 ? "10-25"
                      : km < 50 ? "25-50"
                                : ">50";
            in.source_name = "bench";
            in.updated_at = "2026-01-01T00:00:00Z";
            sink(in);
        }
    };
}

void row(const std::string &what, const Measure &m, double n) {
    std::printf("%-42s %8.2f s %8.2f s %10.0f rows/s %8.1f MB%s\n", what.c_str(), m.seconds,
                m.cpu_seconds, n / m.seconds, m.peak_rss_mb, m.status == 0 ? "" : "  (FAILED)");
}

} // namespace

int main(int argc, char **argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
    const fs::path work = (argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path()) /
                          ("bench-export-" + std::to_string(::getpid()));
    fs::create_directories(work);
    const auto border = load_border_geometry(geodata_dir(), "TJK-AFG");
    std::printf("bench_export: %zu incidents, border %s (%zu vertices), work dir %s\n", n,
                border.id.c_str(), border.vertices.size(), work.c_str());

    const auto run_export = [&](const fs::path &out, std::vector<ExportFormat> formats,
                                std::size_t count) {
        return in_child([&, out, formats, count] {
            ExportOptions o;
            o.out_dir = out;
            o.formats = formats;
            o.overwrite = true;
            export_layers(o, synthetic(count, border), border);
            return 0;
        });
    };
    // "bench_export N DIR formats": one export per format (where the time goes), then stop.
    if (argc > 3 && std::string(argv[3]) == "formats") {
        const std::pair<const char *, ExportFormat> each[] = {{"geojson", ExportFormat::geojson},
                                                              {"csv", ExportFormat::csv},
                                                              {"kml", ExportFormat::kml},
                                                              {"gpkg", ExportFormat::gpkg}};
        std::printf("\n%-42s %10s %10s %17s %11s\n", "", "wall", "cpu", "throughput", "peak RSS");
        const std::string only = argc > 4 ? argv[4] : ""; // e.g. "kml"; "all": one export
        if (only == "all") {
            const auto m = run_export(
                work / "all",
                {ExportFormat::geojson, ExportFormat::kml, ExportFormat::gpkg, ExportFormat::csv},
                n);
            row("borderwatch all formats", m, static_cast<double>(n));
        }
        for (const auto &[name, format] : each) {
            if (!only.empty() && only.find(name) == std::string::npos) {
                continue;
            }
            const auto m = run_export(work / name, {format}, n);
            row(std::string("borderwatch ") + name + " only", m, static_cast<double>(n));
            std::uintmax_t bytes = 0;
            for (const auto &entry : fs::directory_iterator(work / name)) {
                bytes += entry.file_size();
            }
            std::printf("%-42s %8.1f MB on disk\n", "", static_cast<double>(bytes) / 1e6);
        }
        if (std::getenv("BENCH_EXPORT_KEEP") == nullptr) { // keep the files to inspect them
            fs::remove_all(work);
        }
        return 0;
    }
    // Memory independence: GeoJSON + CSV at N/10 and N.
    const auto small =
        run_export(work / "gc-small", {ExportFormat::geojson, ExportFormat::csv}, n / 10);
    const auto big = run_export(work / "gc", {ExportFormat::geojson, ExportFormat::csv}, n);
    fs::remove_all(work / "gc-small");
    const auto print_growth = [&] {
        std::printf("peak RSS geojson+csv: %.1f MB at N/10, %.1f MB at N (growth %.1f MB per %zu "
                    "rows)\n",
                    small.peak_rss_mb, big.peak_rss_mb, big.peak_rss_mb - small.peak_rss_mb,
                    n - n / 10);
    };
    // "bench_export N DIR gc": only those two (no ogr2ogr, no other formats).
    if (argc > 3 && std::string(argv[3]) == "gc") {
        std::printf("\n%-42s %10s %10s %17s %11s\n", "", "wall", "cpu", "throughput", "peak RSS");
        row("borderwatch geojson+csv, N/10 incidents", small, static_cast<double>(n / 10));
        row("borderwatch geojson+csv, N incidents", big, static_cast<double>(n));
        print_growth();
        std::error_code ec;
        fs::remove_all(work, ec);
        return 0;
    }
    // Everything.
    const auto all = run_export(
        work / "all",
        {ExportFormat::geojson, ExportFormat::kml, ExportFormat::gpkg, ExportFormat::csv}, n);
    // Baseline: ogr2ogr from the same rows (our incidents.csv, WKT geometry).
    const auto csv = (work / "gc" / "incidents.csv").string();
    // The child execs ogr2ogr itself, so wait4 reports ogr2ogr's own peak RSS.
    const auto ogr = [&](const char *driver, const std::string &out) {
        return in_child([&csv, driver, out] {
            std::vector<std::string> args = {"ogr2ogr", "-q",
                                             "-f",      driver,
                                             out,       csv,
                                             "-oo",     "GEOM_POSSIBLE_NAMES=WKT",
                                             "-oo",     "KEEP_GEOM_COLUMNS=NO",
                                             "-a_srs",  "EPSG:4326",
                                             "-nln",    "incidents"};
            std::vector<char *> exec_args;
            for (auto &a : args) {
                exec_args.push_back(a.data());
            }
            exec_args.push_back(nullptr);
            ::execvp("ogr2ogr", exec_args.data());
            return 127;
        });
    };
    const auto g_geojson = ogr("GeoJSON", (work / "ogr.geojson").string());
    const auto g_kml = ogr("KML", (work / "ogr.kml").string());
    const auto g_gpkg = ogr("GPKG", (work / "ogr.gpkg").string());

    const double rows = static_cast<double>(n);
    std::printf("\n%-42s %10s %10s %17s %11s\n", "", "wall", "cpu", "throughput", "peak RSS");
    row("borderwatch geojson+csv, N/10 incidents", small, rows / 10);
    row("borderwatch geojson+csv, N incidents", big, rows);
    row("borderwatch all formats (6 layers each)", all, rows);
    row("ogr2ogr CSV -> GeoJSON (incidents only)", g_geojson, rows);
    row("ogr2ogr CSV -> KML (incidents only)", g_kml, rows);
    row("ogr2ogr CSV -> GPKG (incidents only)", g_gpkg, rows);
    const double ogr_total = g_geojson.seconds + g_kml.seconds + g_gpkg.seconds;
    const double ogr_cpu = g_geojson.cpu_seconds + g_kml.cpu_seconds + g_gpkg.cpu_seconds;
    std::printf(
        "\nogr2ogr GeoJSON+KML+GPKG total: %.2f s wall, %.2f s cpu; borderwatch all formats\n"
        "(plus CSV and five more layers): %.2f s wall, %.2f s cpu\n"
        "ratio ogr2ogr / borderwatch = %.2fx wall, %.2fx cpu\n",
        ogr_total, ogr_cpu, all.seconds, all.cpu_seconds, ogr_total / all.seconds,
        ogr_cpu / all.cpu_seconds);
    print_growth();
    std::error_code ec;
    fs::remove_all(work, ec);
    return 0;
}
