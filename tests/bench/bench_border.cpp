// Border engine benchmark (issue 3): places 1,000,000 random points in the border region,
// single-threaded and with all threads, and a straightforward exact baseline (exact geodesic
// minimisation over every edge, no index) on a subset in the same run, with the ratio.
//
// Usage: bench_border [BORDER] [POINTS] [BASELINE_POINTS]   (defaults TJK-AFG 1000000 200)
// BORDER "nearest" is world mode (issue 17): points uniform over land, every boundary.
// Needs BORDERWATCH_GEODATA (or an installed/source geodata/). Prints wall-clock and CPU-time
// rates: on a shared machine the CPU-time rate is the per-core figure.
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/placement/border_engine.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

using namespace borderwatch;

namespace {

using Points = std::vector<std::array<double, 2>>;

double wall_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double thread_cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Rate {
    double wall_s = 0.0;
    double cpu_s = 0.0;
    double checksum = 0.0;
};

template <class Fn> Rate run_threads(const Points &points, unsigned threads, Fn &&place) {
    std::vector<double> cpu(threads, 0.0);
    std::vector<double> sums(threads, 0.0);
    const double start = wall_now();
    std::vector<std::thread> pool;
    const std::size_t per = (points.size() + threads - 1) / threads;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            const double c0 = thread_cpu_now();
            double sum = 0.0;
            const std::size_t first = t * per;
            const std::size_t last = std::min(points.size(), first + per);
            for (std::size_t i = first; i < last; ++i) {
                sum += place(points[i][0], points[i][1]).border_distance_m;
            }
            sums[t] = sum;
            cpu[t] = thread_cpu_now() - c0;
        });
    }
    for (auto &th : pool) {
        th.join();
    }
    Rate r;
    r.wall_s = wall_now() - start;
    for (unsigned t = 0; t < threads; ++t) {
        r.cpu_s += cpu[t];
        r.checksum += sums[t];
    }
    return r;
}

/// One thread placing @p points in batches of @p batch through place_many().
Rate run_batches(const Points &points, std::size_t batch, const BorderEngine &engine) {
    std::vector<Placement> out(batch);
    Rate r;
    const double start = wall_now();
    const double c0 = thread_cpu_now();
    for (std::size_t first = 0; first < points.size(); first += batch) {
        const std::size_t count = std::min(batch, points.size() - first);
        engine.place_many(std::span(points).subspan(first, count), std::span(out).first(count));
        for (std::size_t i = 0; i < count; ++i) {
            r.checksum += out[i].border_distance_m;
        }
    }
    r.cpu_s = thread_cpu_now() - c0;
    r.wall_s = wall_now() - start;
    return r;
}

void report(const char *label, std::size_t n, const Rate &r) {
    std::printf("  %-34s %9zu points  %12.0f points/s wall  %12.0f points/s per CPU-second\n",
                label, n, static_cast<double>(n) / r.wall_s, static_cast<double>(n) / r.cpu_s);
}

} // namespace

int main(int argc, char **argv) {
    const std::string border = argc > 1 ? argv[1] : "TJK-AFG";
    const std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1000000;
    const std::size_t n_base = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 200;
    const unsigned threads = std::max(1U, std::thread::hardware_concurrency());

    const double t0 = wall_now();
    const auto engine = BorderEngine::load(border);
    const double load_ms = (wall_now() - t0) * 1000.0;
    const auto &info = engine->info();
    std::printf("bench_border: %s, %zu vertices, %.3f km; load %.0f ms (reference polygons "
                "included), index build %.1f ms; %u hardware threads\n",
                info.id.c_str(), info.vertices, info.length_km, load_ms, engine->index_build_ms(),
                threads);

    // The border region: the line's bounding box grown by 0.25 degrees, uniform in lon/lat.
    double lon0 = 180;
    double lon1 = -180;
    double lat0 = 90;
    double lat1 = -90;
    for (const auto &v : engine->vertices()) {
        lon0 = std::min(lon0, v[0]);
        lon1 = std::max(lon1, v[0]);
        lat0 = std::min(lat0, v[1]);
        lat1 = std::max(lat1, v[1]);
    }
    lon0 -= 0.25;
    lon1 += 0.25;
    lat0 -= 0.25;
    lat1 += 0.25;
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> ulon(lon0, lon1);
    std::uniform_real_distribution<double> ulat(lat0, lat1);
    Points region(n);
    for (auto &p : region) {
        p = {ulon(rng), ulat(rng)};
    }
    if (info.world) {
        // World mode (issue 17): uniform over the sphere, kept when on land (a country).
        std::uniform_real_distribution<double> uz(-1.0, 1.0);
        std::uniform_real_distribution<double> uworld(-180.0, 180.0);
        region.clear();
        while (region.size() < n) {
            const double lon = uworld(rng);
            const double lat = std::asin(uz(rng)) * 57.29577951308232;
            if (!engine->place(lon, lat).side.empty()) {
                region.push_back({lon, lat});
            }
        }
        std::printf("world mode: %zu lines; the region is uniform over land\n", info.parts);
    }
    // A second set: within 5 km of the line (random chainage, random azimuth and distance).
    std::uniform_real_distribution<double> uch(0.0, info.length_km);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    Points near(n);
    for (auto &p : near) {
        const auto on = engine->point_at_chainage(uch(rng));
        p = geodesic_direct(on[0], on[1], 360.0 * u01(rng), 5000.0 * u01(rng));
    }
    if (info.world) {
        // World mode indexes each country's own boundaries the first time a point needs them
        // (own_border_distance_m): a one-time cost, paid here rather than in the timed runs.
        for (const auto &p : near) {
            (void)engine->place(p[0], p[1]);
        }
    }
    std::size_t within_10km = 0;
    for (std::size_t i = 0; i < region.size(); i += 100) {
        within_10km +=
            engine->place(region[i][0], region[i][1]).border_distance_m <= 10000.0 ? 1 : 0;
    }
    if (info.world) {
        lon0 = -180.0;
        lon1 = 180.0;
        lat0 = -90.0;
        lat1 = 90.0;
    }
    std::printf("region: lon %.2f..%.2f, lat %.2f..%.2f (%.0f%% of the points within 10 km of the "
                "line)\n\n",
                lon0, lon1, lat0, lat1,
                100.0 * static_cast<double>(within_10km) /
                    static_cast<double>((region.size() + 99) / 100));

    auto fast = [&](double lon, double lat) { return engine->place(lon, lat); };
    auto exact = [&](double lon, double lat) { return engine->place_exact(lon, lat); };
    auto brute = [&](double lon, double lat) { return engine->place_brute_force(lon, lat); };

    std::printf("fast path (place: distance, nearest point, chainage, side, admin1/2, bearing)\n");
    const Rate fast1 = run_threads(region, 1, fast);
    report("region, 1 thread", n, fast1);
    const Rate fastn = run_threads(region, threads, fast);
    report(("region, " + std::to_string(threads) + " threads").c_str(), n, fastn);
    const Rate near1 = run_threads(near, 1, fast);
    report("within 5 km, 1 thread", n, near1);
    // place_many: batches as locate reads them (65,536 rows when the engine orders batches).
    // Five runs, the median reported (this machine's noise moves a single run by +-20%).
    const std::size_t batch = engine->orders_batches() ? 65536 : 8192;
    std::vector<Rate> many_runs;
    for (int run = 0; run < 5; ++run) {
        many_runs.push_back(run_batches(region, batch, *engine));
    }
    std::sort(many_runs.begin(), many_runs.end(),
              [](const Rate &a, const Rate &b) { return a.cpu_s < b.cpu_s; });
    const Rate many1 = many_runs[many_runs.size() / 2];
    report(("region, 1 thread, place_many(" + std::to_string(batch) + "), median of 5").c_str(), n,
           many1);
    std::printf("  %-34s %9zu points  %12.0f .. %.0f points per CPU-second\n",
                "  (place_many, fastest .. slowest)", n,
                static_cast<double>(n) / many_runs.front().cpu_s,
                static_cast<double>(n) / many_runs.back().cpu_s);

    std::printf("exact (place_exact: indexed candidates, Newton on geod_* geodesics)\n");
    // (world mode: far inland points have thousands of candidate edges for the exact path)
    const std::size_t n_exact = std::min<std::size_t>(n, info.world ? 50 : 20000);
    const Points region_exact(region.begin(),
                              region.begin() + static_cast<std::ptrdiff_t>(n_exact));
    const Rate exact1 = run_threads(region_exact, 1, exact);
    report("region, 1 thread", n_exact, exact1);

    std::printf("baseline (place_brute_force: exact geodesic minimisation over every edge)\n");
    const Points region_base(region.begin(),
                             region.begin() + static_cast<std::ptrdiff_t>(std::min(n, n_base)));
    const Rate base1 = run_threads(region_base, 1, brute);
    report("region, 1 thread", region_base.size(), base1);

    // Accuracy in the same run: the fast path against the baseline.
    double worst = 0.0;
    double worst_chain = 0.0;
    for (const auto &p : region_base) {
        const Placement f = engine->place(p[0], p[1]);
        const Placement b = engine->place_brute_force(p[0], p[1]);
        worst = std::max(worst, std::abs(f.border_distance_m - b.border_distance_m));
        worst_chain = std::max(worst_chain, std::abs(f.chainage_km - b.chainage_km) * 1000.0);
    }
    const double fast_rate = static_cast<double>(n) / fast1.cpu_s;
    const double base_rate = static_cast<double>(region_base.size()) / base1.cpu_s;
    const double exact_rate = static_cast<double>(n_exact) / exact1.cpu_s;
    std::printf("\nratio fast / baseline (per CPU-second, 1 thread): %.0fx;  fast / exact: %.1fx\n",
                fast_rate / base_rate, fast_rate / exact_rate);
    std::printf("fast vs baseline on the %zu baseline points: max |d distance| %.6f mm, max |d "
                "chainage| %.6f mm\n",
                region_base.size(), worst * 1000.0, worst_chain * 1000.0);
    // Issue 3: 1,000,000 points per core in the border's region; issue 17 (world mode):
    // 500,000 per core for points uniform over land.
    const double target = info.world ? 5e5 : 1e6;
    const double many_rate = static_cast<double>(n) / many1.cpu_s;
    std::printf("target >= %.0f points/s per core (%s): %s (%.0f points per CPU-second one call "
                "per point, %.0f through place_many, %s)\n",
                target, info.world ? "issue 17" : "issue 3",
                std::max(fast_rate, many_rate) >= target ? "met" : "NOT met", fast_rate, many_rate,
                info.world ? "uniform over land" : "region");
    std::printf("checksum %.3f (place_many %.3f)\n", fast1.checksum, many1.checksum);
    return 0;
}
