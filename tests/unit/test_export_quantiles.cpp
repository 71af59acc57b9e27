// The export's exact per-group quantiles with bounded memory (external sort): forced to
// spill with tiny buffers, the results equal an in-memory sort of the same values.
#include "export/detail/group_quantiles.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

using borderwatch::detail::GroupQuantiles;

namespace {

/// The definition the export used before the external sort (type 7 on sorted floats).
double reference_quantile(const std::vector<float> &sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    return static_cast<double>(sorted[lo]) +
           frac * (static_cast<double>(sorted[hi]) - static_cast<double>(sorted[lo]));
}

struct Result {
    std::uint64_t count = 0;
    std::vector<double> q;
    bool operator==(const Result &) const = default;
};

const std::vector<double> k_probabilities = {0.0, 0.1, 0.5, 0.9, 1.0};

/// Random groups: sizes 1, 2, 3 and many; ties (values from a small set) in some groups;
/// some group ids never used.
std::map<std::uint32_t, std::vector<float>> random_groups(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::map<std::uint32_t, std::vector<float>> groups;
    std::uniform_real_distribution<float> metres(0.0F, 250000.0F);
    std::uniform_int_distribution<int> small_set(0, 4);
    for (std::uint32_t g = 0; g < 40; ++g) {
        if (g % 7 == 3) {
            continue; // no values
        }
        const std::size_t n = g % 5 == 0 ? 1 : g % 5 == 1 ? 2 : g % 5 == 2 ? 3 : 50 + rng() % 3000;
        const bool ties = g % 3 == 0;
        for (std::size_t i = 0; i < n; ++i) {
            groups[g].push_back(ties ? static_cast<float>(small_set(rng)) * 1000.5F : metres(rng));
        }
    }
    groups[1000].assign({-3.5F, 0.0F, -0.0F, 2.25F, -1e6F}); // signs sort as numbers
    return groups;
}

std::map<std::uint32_t, Result> reference(std::map<std::uint32_t, std::vector<float>> groups) {
    std::map<std::uint32_t, Result> out;
    for (auto &[g, values] : groups) {
        std::sort(values.begin(), values.end());
        auto &r = out[g];
        r.count = values.size();
        for (const double q : k_probabilities) {
            r.q.push_back(reference_quantile(values, q));
        }
    }
    return out;
}

/// Adds the values interleaved across groups (as the export does) and collects finish().
std::map<std::uint32_t, Result> external(const std::map<std::uint32_t, std::vector<float>> &groups,
                                         GroupQuantiles &sorter, std::uint64_t seed) {
    std::vector<std::pair<std::uint32_t, float>> all;
    for (const auto &[g, values] : groups) {
        for (const float v : values) {
            all.emplace_back(g, v);
        }
    }
    std::shuffle(all.begin(), all.end(), std::mt19937_64(seed));
    for (const auto &[g, v] : all) {
        sorter.add(g, v);
    }
    std::map<std::uint32_t, Result> out;
    std::int64_t previous = -1;
    sorter.finish(k_probabilities,
                  [&](std::uint32_t g, std::uint64_t count, const std::vector<double> &q) {
                      CHECK(static_cast<std::int64_t>(g) > previous); // each group once, in order
                      previous = g;
                      out[g] = {count, q};
                  });
    return out;
}

std::filesystem::path fresh_dir(const std::string &tag) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("bw-quantiles-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace

TEST_CASE("GroupQuantiles: spilled runs merge to the exact in-memory quantiles", "[export]") {
    const auto dir = fresh_dir("exact");
    struct Config {
        std::size_t buffer;
        std::size_t fan_in;
        bool spills;
    };
    // tiny buffer + small fan-in: many runs, several merge passes; one merge; no spill
    const auto config = GENERATE(Config{7, 3, true}, Config{1000, 4, true}, Config{4096, 64, true},
                                 Config{1U << 20, 64, false});
    for (const std::uint64_t seed : {1U, 2U, 3U}) {
        const auto groups = random_groups(seed);
        GroupQuantiles::Options options;
        options.buffer_entries = config.buffer;
        options.fan_in = config.fan_in;
        options.temp_dir = dir;
        GroupQuantiles sorter(options);
        const auto got = external(groups, sorter, seed);
        CHECK((sorter.runs_spilled() > 0) == config.spills);
        const auto want = reference(groups);
        REQUIRE(got.size() == want.size());
        for (const auto &[g, r] : want) {
            INFO("group " << g << ", buffer " << config.buffer << ", fan-in " << config.fan_in);
            REQUIRE(got.count(g) == 1);
            CHECK(got.at(g).count == r.count);
            CHECK(got.at(g).q == r.q); // bit-identical, not approximately
        }
        CHECK(std::filesystem::is_empty(dir)); // the spill file never has a name
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("GroupQuantiles: empty, reuse after finish, and errors leave nothing behind",
          "[export]") {
    const auto dir = fresh_dir("edge");
    GroupQuantiles::Options options;
    options.buffer_entries = 5;
    options.fan_in = 2;
    options.temp_dir = dir;
    GroupQuantiles sorter(options);
    int visits = 0;
    sorter.finish({0.5},
                  [&](std::uint32_t, std::uint64_t, const std::vector<double> &) { ++visits; });
    CHECK(visits == 0);

    for (int i = 0; i < 23; ++i) {
        sorter.add(2, static_cast<float>(22 - i));
    }
    CHECK(sorter.runs_spilled() == 4);
    std::vector<double> median;
    sorter.finish({0.5, 0.9}, [&](std::uint32_t g, std::uint64_t n, const std::vector<double> &q) {
        CHECK(g == 2);
        CHECK(n == 23);
        median = q;
    });
    const double pos = 0.9 * 22.0; // type 7 on the values 0..22
    CHECK(median == std::vector<double>{11.0, 19.0 + (pos - 19.0) * (20.0 - 19.0)});

    // Reused: the previous values are gone.
    sorter.add(0, 4.0F);
    sorter.add(0, 1.0F);
    sorter.finish({0.5}, [&](std::uint32_t g, std::uint64_t n, const std::vector<double> &q) {
        CHECK(g == 0);
        CHECK(n == 2);
        CHECK(q[0] == 2.5);
    });

    {
        GroupQuantiles failing(options);
        for (int i = 0; i < 40; ++i) {
            failing.add(static_cast<std::uint32_t>(i % 3), static_cast<float>(i));
        }
        CHECK_THROWS_AS(
            failing.finish({0.5},
                           [](std::uint32_t, std::uint64_t, const std::vector<double> &) {
                               throw std::runtime_error("consumer failed");
                           }),
            std::runtime_error);
    }
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}
