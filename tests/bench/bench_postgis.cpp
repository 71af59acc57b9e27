// PostGIS store benchmark: import N synthetic incidents (default 1,000,000, with coordinates
// and derived fields) into PostGIS, re-import them unchanged, run distance-to-border
// statistics and a filtered query over the store; the same rows through the GeoPackage store
// in the same run are the baseline, so the ratios printed are comparable on any machine.
//
//   bench_postgis [ROWS [BATCH]]
//
// The PostgreSQL server is a private throw-away cluster started with
// tests/scripts/pg_cluster.sh (fsync off, Unix socket only) and stopped at exit, unless
// $BORDERWATCH_BENCH_PG names an existing server ("PG:host=... user=..."; a database is
// created in it and left for inspection).
#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/stats/stats.hpp>
#include <borderwatch/store/store.hpp>

#include "store/detail/pg_connection.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace borderwatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Incident number i, the same on every call: placed near the Tajik-Afghan border with
// every derived field set, as an import after placement would store it.
Incident synthetic_incident(std::size_t i) {
    static const char *const types[] = {"Battles", "Explosions/Remote violence",
                                        "Violence against civilians", "Riots"};
    static const char *const subs[] = {"Armed clash", "Drone strike", "Attack",
                                       "Shelling/artillery/missile attack"};
    static const char *const admin1s[] = {"Khatlon", "Gorno-Badakhshan", "Badakhshan", "Takhar",
                                          "Kunduz"};
    static const char *const bands[] = {"0-1", "1-5", "5-10", "10-25", "25-50", ">50"};
    const std::uint64_t h = splitmix(i);
    auto unit = [](std::uint64_t v) { return static_cast<double>(v >> 11) * 0x1.0p-53; };
    Incident x;
    x.id = "SYN" + std::to_string(1000000000ULL + i);
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", 2015 + static_cast<int>(h % 11),
                  1 + static_cast<int>((h >> 8) % 12), 1 + static_cast<int>((h >> 16) % 28));
    x.event_date = date;
    x.event_date_end = date;
    x.event_type = types[(h >> 20) % 4];
    x.sub_event_type = subs[(h >> 22) % 4];
    x.actor1 = "Military Forces of Tajikistan";
    x.actor2 = "Unidentified Armed Group";
    x.fatalities_best = static_cast<int>((h >> 24) % 5);
    x.location_text = "Synthetic place " + std::to_string(i % 997);
    x.country_text = (h >> 27) % 2 == 0 ? "Tajikistan" : "Afghanistan";
    x.lon = 67.8 + 7.0 * unit(splitmix(h));
    x.lat = 36.6 + 2.4 * unit(splitmix(h + 1));
    x.geo_precision = 1;
    x.source_name = "bench";
    x.source_url = "https://example.org/" + std::to_string(i);
    x.place_lon = x.lon;
    x.place_lat = x.lat;
    x.coord_origin = CoordinateOrigin::given;
    x.precision = 1 + static_cast<int>((h >> 30) % 4);
    x.side = (h >> 27) % 2 == 0 ? "TJK" : "AFG";
    x.border_distance_m = 60000.0 * unit(splitmix(h + 2));
    x.chainage_km = 1365.0 * unit(splitmix(h + 3));
    x.nearest_lon = *x.lon + 0.05;
    x.nearest_lat = *x.lat - 0.05;
    x.admin1 = admin1s[(h >> 33) % 5];
    x.admin2 = "District " + std::to_string((h >> 36) % 40);
    x.band = bands[(h >> 40) % 6];
    return x;
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct Figures {
    double import_rows_s = 0;
    double reimport_rows_s = 0;
    double stats_rows_s = 0;
    double query_ms = 0;
    std::size_t query_rows = 0;
    double size_mb = 0;
};

Figures run_backend(const std::string &name, const std::string &spec, std::size_t rows,
                    std::size_t batch, const std::function<double()> &size_mb) {
    Figures f;
    StoreOpenOptions init;
    init.init = true;
    auto store = open_store(spec, init);
    std::vector<Incident> buffer;
    buffer.reserve(batch);

    for (int pass = 0; pass < 2; ++pass) {
        const auto start = Clock::now();
        auto writer = store->writer();
        UpsertResult total;
        for (std::size_t i = 0; i < rows; i += batch) {
            buffer.clear();
            for (std::size_t k = i; k < std::min(rows, i + batch); ++k) {
                buffer.push_back(synthetic_incident(k));
            }
            total += writer->upsert(buffer);
        }
        writer->commit();
        const double s = seconds_since(start);
        (pass == 0 ? f.import_rows_s : f.reimport_rows_s) = static_cast<double>(rows) / s;
        std::printf("  %-10s %-9s %8zu rows in %7.2f s  (inserted %zu, updated %zu, "
                    "unchanged %zu)\n",
                    name.c_str(), pass == 0 ? "import" : "re-import", rows, s, total.inserted,
                    total.updated, total.unchanged);
        std::fflush(stdout);
    }

    {
        const auto start = Clock::now();
        StatsOptions options;
        options.by = parse_stats_keys("side,band");
        StatsAccumulator stats(options);
        store->query({}, [&stats](const Incident &x) { stats.add(x); });
        const auto table = stats.finish();
        const double s = seconds_since(start);
        f.stats_rows_s = static_cast<double>(table.total.count) / s;
        std::printf("  %-10s stats     %8zu rows in %7.2f s  (%zu groups)\n", name.c_str(),
                    table.total.count, s, table.groups.size());
    }
    {
        QueryFilter filter;
        filter.within_km = 5;
        filter.side = "AFG";
        filter.from_date = "2020";
        filter.to_date = "2021";
        const auto start = Clock::now();
        store->query(filter, [&f](const Incident &) { ++f.query_rows; });
        f.query_ms = seconds_since(start) * 1000.0;
        std::printf("  %-10s query     %8zu rows in %7.2f s  (--within-km 5 --side AFG "
                    "--from 2020 --to 2021)\n",
                    name.c_str(), f.query_rows, f.query_ms / 1000.0);
    }
    store.reset();
    f.size_mb = size_mb();
    return f;
}

/// The private cluster: started in the constructor, stopped in the destructor.
class PrivateCluster {
  public:
    PrivateCluster() {
        m_state = (std::filesystem::temp_directory_path() /
                   ("bw_bench_pg_" + std::to_string(::getpid()) + ".state"))
                      .string();
        const std::string command = std::string("BW_PG_OPTS='-c shared_buffers=512MB "
                                                "-c max_wal_size=8GB -c work_mem=64MB' '") +
                                    BORDERWATCH_REPO_ROOT +
                                    "/tests/scripts/pg_cluster.sh' start '" + m_state + "' >&2";
        const int rc = std::system(command.c_str());
        if (rc != 0) {
            std::fprintf(stderr, "bench_postgis: could not start a PostgreSQL cluster "
                                 "(install postgresql-15-postgis-3: scripts/setup)\n");
            std::exit(77);
        }
        std::ifstream in(m_state);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("conninfo=", 0) == 0) {
                m_spec = line.substr(9);
            }
        }
    }
    ~PrivateCluster() {
        const std::string command = std::string("'") + BORDERWATCH_REPO_ROOT +
                                    "/tests/scripts/pg_cluster.sh' stop '" + m_state + "'";
        if (std::system(command.c_str()) != 0) {
            std::fprintf(stderr, "bench_postgis: stopping the cluster failed\n");
        }
    }
    PrivateCluster(const PrivateCluster &) = delete;
    PrivateCluster &operator=(const PrivateCluster &) = delete;
    [[nodiscard]] const std::string &spec() const { return m_spec; }

  private:
    std::string m_state;
    std::string m_spec;
};

} // namespace

int main(int argc, char **argv) {
    const std::size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
    const std::size_t batch = argc > 2 ? std::stoul(argv[2]) : 50000;

    std::optional<PrivateCluster> cluster;
    std::string server;
    if (const char *env = std::getenv("BORDERWATCH_BENCH_PG"); env != nullptr && *env) {
        server = env;
    } else {
        cluster.emplace();
        server = cluster->spec();
    }
    try {
        const std::string db = "bw_bench_" + std::to_string(::getpid());
        {
            detail::PgConnection admin(detail::parse_pg_spec(server));
            admin.exec("CREATE DATABASE " + admin.quote_identifier(db));
        }
        const std::string pg_spec = server + " dbname=" + db;
        const auto gpkg = std::filesystem::temp_directory_path() /
                          ("bw_bench_" + std::to_string(::getpid()) + ".gpkg");

        std::printf("bench_postgis: %zu incidents, batches of %zu, one transaction per import\n",
                    rows, batch);
        const auto g = run_backend("GeoPackage", gpkg.string(), rows, batch, [&gpkg] {
            return static_cast<double>(std::filesystem::file_size(gpkg)) / 1048576.0;
        });
        std::error_code ec;
        std::filesystem::remove(gpkg, ec);
        const auto p = run_backend("PostGIS", pg_spec, rows, batch, [&pg_spec] {
            detail::PgConnection c(detail::parse_pg_spec(pg_spec));
            const auto r = c.exec("SELECT pg_total_relation_size('incidents')");
            return std::stod(std::string(r.value(0, 0))) / 1048576.0;
        });
        if (cluster) {
            detail::PgConnection admin(detail::parse_pg_spec(server));
            admin.exec("DROP DATABASE " + admin.quote_identifier(db));
        }

        std::printf("\n%-22s %14s %14s %10s\n", "", "GeoPackage", "PostGIS", "PG/GPKG");
        auto line = [](const char *what, double a, double b, const char *fmt) {
            char ga[32];
            char pb[32];
            std::snprintf(ga, sizeof ga, fmt, a);
            std::snprintf(pb, sizeof pb, fmt, b);
            std::printf("%-22s %14s %14s %9.2fx\n", what, ga, pb, a > 0 ? b / a : 0.0);
        };
        line("import rows/s", g.import_rows_s, p.import_rows_s, "%.0f");
        line("re-import rows/s", g.reimport_rows_s, p.reimport_rows_s, "%.0f");
        line("stats rows/s", g.stats_rows_s, p.stats_rows_s, "%.0f");
        line("filtered query ms", g.query_ms, p.query_ms, "%.1f");
        line("size on disk MB", g.size_mb, p.size_mb, "%.1f");
        std::printf("peak RSS of this process: %.0f MB (batch size bound, not row count)\n",
                    peak_rss_mb());
        if (g.query_rows != p.query_rows) {
            std::fprintf(stderr, "bench_postgis: backends disagree on the query: %zu vs %zu\n",
                         g.query_rows, p.query_rows);
            return 1;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_postgis: %s\n", e.what());
        return 1;
    }
    return 0;
}
