// extract benchmark: articles per second over the news test reports (tests/data/news), and
// the per-article latency of a cold run (process-like start-up: gazetteer load + one
// article), with the gazetteer load alone as the baseline measured in the same run.
// Usage: bench_extract [SECONDS]  (default 3; run through scripts/bench, not while building)
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace borderwatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string slurp(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

int main(int argc, char **argv) {
    const double min_seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
    const auto dir = std::filesystem::path(BORDERWATCH_REPO_ROOT) / "tests" / "data" / "news";
    std::vector<Article> articles;
    for (const char *name :
         {"report-1.txt", "report-2.html", "report-3.txt", "report-4.txt", "report-5.txt"}) {
        articles.push_back(parse_article(name, slurp(dir / name)));
    }
    ExtractOptions options;
    options.published = "2025-12-26";

    // Start-up: gazetteer load (baseline), then load + one article (cold latency).
    auto start = Clock::now();
    auto gazetteer = Gazetteer::load();
    const double load_s = seconds_since(start);
    start = Clock::now();
    {
        const auto cold = Gazetteer::load();
        const auto r = extract_incidents({articles[0]}, *cold, options);
        std::printf("cold run: %zu candidates\n", r.candidates.size());
    }
    const double cold_s = seconds_since(start);

    // Warm: all five articles together, repeatedly.
    std::size_t runs = 0;
    std::size_t candidates = 0;
    start = Clock::now();
    double elapsed = 0;
    do {
        candidates += extract_incidents(articles, *gazetteer, options).candidates.size();
        ++runs;
        elapsed = seconds_since(start);
    } while (elapsed < min_seconds);
    const double per_second = static_cast<double>(runs * articles.size()) / elapsed;
    std::printf("gazetteer load (baseline): %.1f ms\n", load_s * 1e3);
    std::printf("start-up + one article:    %.1f ms (%.2fx the load)\n", cold_s * 1e3,
                cold_s / load_s);
    std::printf("warm: %.1f articles/s, %.2f ms per article (%zu candidates per run)\n", per_second,
                1e3 / per_second, candidates / runs);
    return 0;
}
