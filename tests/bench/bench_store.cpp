// Benchmark of the incident store: import of N synthetic incidents with coordinates
// (default 1,000,000) into a fresh GeoPackage store through the full pipeline (CSV parse,
// placement with the border engine + gazetteer, transactional upsert), an idempotent
// re-import, a store-only upsert, a stats run, and as baseline GDAL/OGR's own feature API
// writing the same rows to a GeoPackage in one transaction. Prints rows/s and peak RSS.
//
//   bench_store [ROWS [PHASES [REPEAT]]]   (BORDERWATCH_GEODATA or the built-in geodata)
//   PHASES: comma-separated subset of import,reimport,stats,upsert,ogr (default: all) — e.g.
//   `bench_store 200000 import` under `perf record` profiles the import alone.
//   REPEAT: run the import that many times, each into a fresh store, and judge the target on
//   the median (a shared machine varies from run to run; default 1).
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/stats/stats.hpp>
#include <borderwatch/store/store.hpp>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using namespace borderwatch;
using Clock = std::chrono::steady_clock;

namespace {

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

const char *k_places[] = {"Panj",  "Shurobod", "Khorugh", "Imam Sahib", "Fayzabad",
                          "Kulob", "Darvoz",   "Vanj",    "Dusti",      "Ishkashim"};
const char *k_types[] = {"Battles", "Explosions/Remote violence", "Violence against civilians",
                         "Strategic developments"};

// One deterministic synthetic incident: a point within ~60 km of the border region.
Incident synthetic(std::size_t i, std::mt19937_64 &rng) {
    std::uniform_real_distribution<double> lon(67.8, 74.8);
    std::uniform_real_distribution<double> lat(36.7, 38.6);
    Incident x;
    char id[32];
    std::snprintf(id, sizeof id, "SYN-%08zu", i);
    x.id = id;
    const int day = static_cast<int>(i % 28) + 1;
    const int month = static_cast<int>((i / 28) % 12) + 1;
    char date[16];
    std::snprintf(date, sizeof date, "2025-%02d-%02d", month, day);
    x.event_date = x.event_date_end = date;
    x.event_type = k_types[i % 4];
    x.sub_event_type = "Armed clash";
    x.actor1 = "Actor A";
    x.actor2 = "Actor B";
    x.fatalities_best = static_cast<int>(i % 5);
    x.location_text = k_places[i % 10];
    x.country_text = i % 3 == 0 ? "Afghanistan" : "Tajikistan";
    x.lon = lon(rng);
    x.lat = lat(rng);
    x.geo_precision = 1;
    x.source_name = "synthetic";
    x.notes = "benchmark row";
    return x;
}

void write_csv(const fs::path &path, std::size_t rows) {
    std::ofstream out(path);
    const auto &fields = incident_fields();
    std::size_t reported = 0;
    for (const auto &f : fields) {
        if (f.derived) {
            break;
        }
        out << (reported++ == 0 ? "" : ",") << f.name;
    }
    out << '\n';
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto x = synthetic(i, rng);
        for (std::size_t c = 0; c < reported; ++c) {
            out << (c == 0 ? "" : ",") << field_text(get_field(x, c));
        }
        out << '\n';
    }
}

// Baseline: the same reported rows (with their points) through OGR's feature API into a
// GeoPackage, one transaction — what a straightforward GDAL-based store would do.
double ogr_baseline(const fs::path &path, std::size_t rows, double *cpu) {
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "incidents", srs, wkbPoint, nullptr);
    OSRRelease(srs);
    const auto &fields = incident_fields();
    for (const auto &f : fields) {
        OGRFieldDefnH d = OGR_Fld_Create(std::string(f.name).c_str(),
                                         f.type == FieldType::integer    ? OFTInteger
                                         : f.type == FieldType::real     ? OFTReal
                                         : f.type == FieldType::date     ? OFTDate
                                         : f.type == FieldType::datetime ? OFTDateTime
                                                                         : OFTString);
        OGR_L_CreateField(layer, d, TRUE);
        OGR_Fld_Destroy(d);
    }
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    GDALDatasetStartTransaction(ds, FALSE);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto x = synthetic(i, rng);
        OGRFeatureH f = OGR_F_Create(defn);
        for (std::size_t c = 0; c < fields.size(); ++c) {
            const auto v = get_field(x, c);
            const int idx = static_cast<int>(c);
            if (const auto *n = std::get_if<std::int64_t>(&v)) {
                OGR_F_SetFieldInteger64(f, idx, *n);
            } else if (const auto *d = std::get_if<double>(&v)) {
                OGR_F_SetFieldDouble(f, idx, *d);
            } else if (const auto *s = std::get_if<std::string>(&v)) {
                OGR_F_SetFieldString(f, idx, s->c_str());
            }
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, *x.lon, *x.lat);
        OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            std::cerr << "OGR CreateFeature failed\n";
        }
        OGR_F_Destroy(f);
    }
    GDALDatasetCommitTransaction(ds);
    GDALClose(ds);
    *cpu = cpu_seconds() - c0;
    return seconds_since(t0);
}

} // namespace

int main(int argc, char **argv) {
    const std::size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
    const std::string phases = argc > 2 ? argv[2] : "import,reimport,stats,upsert,ogr";
    const int repeat = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
    auto phase = [&](const std::string &name) {
        return ("," + phases + ",").find("," + name + ",") != std::string::npos;
    };
    constexpr double target_rows_per_s = 200000;
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const auto dir = fs::temp_directory_path() / ("bw-bench-store-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::cout << "bench_store: " << rows << " synthetic incidents with coordinates, "
              << std::thread::hardware_concurrency() << " hardware threads\n";

    auto t0 = Clock::now();
    write_csv(dir / "incidents.csv", rows);
    std::cout << "  generate CSV                 " << seconds_since(t0) << " s ("
              << fs::file_size(dir / "incidents.csv") / 1048576 << " MiB)\n";

    const auto engine = BorderEngine::load("TJK-AFG");
    const auto gazetteer = Gazetteer::load({});
    const auto placer = make_incident_placer(*engine, *gazetteer);
    const double rss_before = peak_rss_mb();
    const auto n = static_cast<double>(rows);
    auto line = [&](const char *label, double s, double cpu, const std::string &extra) {
        std::printf("  %-28s %8.2f s %10.0f rows/s  %6.2f CPU-s %10.0f rows/CPU-s  %s\n", label, s,
                    n / s, cpu, n / cpu, extra.c_str());
    };

    // 1. Full pipeline into a fresh store.
    double import_rate = 0;
    double import_cpu = 0;
    std::unique_ptr<IncidentStore> store;
    std::vector<double> rates;
    for (int run = 0; run < (phase("import") ? repeat : 0); ++run) {
        store.reset();
        fs::remove(dir / "store.gpkg");
        store = open_store((dir / "store.gpkg").string());
        t0 = Clock::now();
        const double c0 = cpu_seconds();
        const auto report = import_incidents({(dir / "incidents.csv").string()}, *store, *placer,
                                             ImportOptions{}, [](const RejectedRow &) {});
        const double s = seconds_since(t0);
        import_cpu = cpu_seconds() - c0;
        rates.push_back(n / s);
        if (std::getenv("BW_BENCH_MARKS") != nullptr) { // for perf record -k CLOCK_MONOTONIC
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            const double end = static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9;
            std::fprintf(stderr, "import window: %.6f,%.6f\n", end - s, end);
        }
        line("import (parse+place+upsert)", s, import_cpu,
             "inserted " + std::to_string(report.inserted) + " rejected " +
                 std::to_string(report.rejected) + ", peak RSS " +
                 std::to_string(static_cast<int>(peak_rss_mb())) + " MiB");
    }
    if (!rates.empty()) {
        std::sort(rates.begin(), rates.end());
        import_rate = rates[rates.size() / 2]; // the upper median for an even count
        if (rates.size() > 1) {
            std::printf("  import over %zu runs: min %.0f, median %.0f, max %.0f rows/s\n",
                        rates.size(), rates.front(), import_rate, rates.back());
        }
    }
    if (!store) {
        store = open_store((dir / "store.gpkg").string());
    }

    // 2. Idempotent re-import: every row unchanged.
    if (phase("reimport")) {
        t0 = Clock::now();
        const double c0 = cpu_seconds();
        const auto report = import_incidents({(dir / "incidents.csv").string()}, *store, *placer,
                                             ImportOptions{}, [](const RejectedRow &) {});
        line("re-import (all unchanged)", seconds_since(t0), cpu_seconds() - c0,
             "unchanged " + std::to_string(report.unchanged) + ", peak RSS " +
                 std::to_string(static_cast<int>(peak_rss_mb())) + " MiB");
    }

    // 3. Stats over the whole store.
    if (phase("stats")) {
        t0 = Clock::now();
        const double c0 = cpu_seconds();
        StatsOptions so;
        so.by = {StatsKey::side, StatsKey::band};
        StatsAccumulator acc(so);
        std::size_t seen = 0;
        store->query({}, [&](const Incident &x) {
            acc.add(x);
            ++seen;
        });
        const auto table = acc.finish();
        line("stats --by side,band", seconds_since(t0), cpu_seconds() - c0,
             "rows " + std::to_string(seen) + " groups " + std::to_string(table.groups.size()) +
                 ", peak RSS " + std::to_string(static_cast<int>(peak_rss_mb())) + " MiB");
    }
    store.reset();

    // 4. Store only: pre-placed rows upserted in batches into a second fresh store.
    if (phase("upsert")) {
        auto store2 = open_store((dir / "store2.gpkg").string());
        std::mt19937_64 rng(42);
        std::vector<Incident> batch;
        double place_s = 0;
        t0 = Clock::now();
        const double c0 = cpu_seconds();
        auto writer = store2->writer();
        for (std::size_t i = 0; i < rows; ++i) {
            auto x = synthetic(i, rng);
            const auto tp = Clock::now();
            placer->place(x);
            place_s += seconds_since(tp);
            batch.push_back(std::move(x));
            if (batch.size() == 20000) {
                writer->upsert(batch);
                batch.clear();
            }
        }
        writer->upsert(batch);
        writer->commit();
        line("store upsert only", seconds_since(t0) - place_s, cpu_seconds() - c0 - place_s,
             "(placement " + std::to_string(place_s) + " s excluded)");
    }

    // 5. Baseline: OGR feature API.
    if (phase("ogr")) {
        double ogr_cpu = 0;
        const double s = ogr_baseline(dir / "ogr.gpkg", rows, &ogr_cpu);
        line("baseline OGR CreateFeature", s, ogr_cpu, "(same rows, one transaction)");
        if (import_rate > 0) {
            std::printf("  import vs OGR baseline: %.2fx wall, %.2fx CPU\n", import_rate / (n / s),
                        ogr_cpu / import_cpu);
        }
    }
    if (import_rate > 0) {
        std::printf("  import vs target 200,000 rows/s: %.2fx wall%s (%s), %.2fx per CPU-s\n",
                    import_rate / target_rows_per_s, rates.size() > 1 ? " (median)" : "",
                    import_rate >= target_rows_per_s ? "met" : "NOT met",
                    n / import_cpu / target_rows_per_s);
    }
    std::printf("  peak RSS %.0f MiB (%.0f MiB after loading engine + gazetteer)\n", peak_rss_mb(),
                rss_before);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
