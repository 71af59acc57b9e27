// Gazetteer benchmark: load time, exact and fuzzy lookups per second on one core over a
// realistic query mix, and top-1 accuracy over tests/data/gazetteer/queries.tsv.
// Baselines measured in the same run: reading + splitting the three TSVs (load), a bare
// std::unordered_map<std::string> lookup of the same query strings (exact), and brute-force
// edit-distance similarity against every indexed key (fuzzy).
#include <borderwatch/core/paths.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace borderwatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> read_lines(const std::filesystem::path &path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

// Run fn over the queries repeatedly for at least min_seconds; returns calls per second.
template <typename Fn>
double rate(const std::vector<std::string> &queries, double min_seconds, Fn &&fn) {
    std::size_t calls = 0;
    std::size_t sink = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
        for (const auto &q : queries) {
            sink += fn(q);
            ++calls;
        }
        elapsed = seconds_since(start);
    } while (elapsed < min_seconds);
    if (sink == 42) {
        std::puts("");
    }
    return static_cast<double>(calls) / elapsed;
}

} // namespace

int main(int argc, char **argv) {
    // Usage: bench_gazetteer [SECONDS [exact|fuzzy]] (a mode runs only that loop, for profiling)
    const double min_seconds = argc > 1 ? std::stod(argv[1]) : 1.0;
    const std::string mode = argc > 2 ? argv[2] : "";
    const auto geodata = geodata_dir();
    // Test data: $BORDERWATCH_TEST_DATA, else next to the source tree's geodata/.
    const char *env = std::getenv("BORDERWATCH_TEST_DATA");
    const std::filesystem::path data =
        (env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : geodata.parent_path() / "tests" / "data") /
        "gazetteer";

    // Load: warm the ICU data once (process start cost, reported separately), then time.
    auto start = Clock::now();
    (void)fold_to_ascii("Дарвоз");
    const double icu_init_ms = seconds_since(start) * 1000;
    std::unique_ptr<Gazetteer> g;
    double load_ms = 1e9;
    for (int i = 0; i < 5; ++i) {
        start = Clock::now();
        g = Gazetteer::load();
        load_ms = std::min(load_ms, seconds_since(start) * 1000);
    }
    double read_ms = 1e9;
    for (int i = 0; i < 5; ++i) {
        start = Clock::now();
        std::size_t fields = 0;
        for (const char *f : {"places.tsv", "names.tsv", "aliases.tsv"}) {
            for (const auto &line : read_lines(geodata / "gazetteer" / f)) {
                fields += static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
            }
        }
        read_ms = std::min(read_ms, seconds_since(start) * 1000);
        if (fields == 0) {
            return 1;
        }
    }

    // Exact mix: spellings as they come in news and reports (Latin variants, context
    // phrases, Tajik/Russian Cyrillic, Arabic script) - every one an exact-key hit.
    const std::vector<std::string> exact{"Shamsiddin Shokhin district",
                                         "Shamsiddin Shohin",
                                         "Darvoz district",
                                         "Darboz",
                                         "Khatlon",
                                         "Khatlon province",
                                         "Badakhshan province",
                                         "Badakshan",
                                         "Kalaikhum",
                                         "Qal'ai Khumb",
                                         "Khorog",
                                         "Dushanbe",
                                         "Kulob",
                                         "Panj",
                                         "Farkhor",
                                         "Jayhun",
                                         "Qumsangir",
                                         "Ishkashim",
                                         "Fayzabad",
                                         "Kunduz",
                                         "Taloqan",
                                         "Wakhan",
                                         "Nusay",
                                         "Shuroobod",
                                         "Kurgan-Tyube",
                                         "Darvoz, Tajikistan",
                                         "Afghanistan's Badakhshan province",
                                         "GBAO",
                                         "Tajikistan",
                                         "Khatron",
                                         "Imam Sahib",
                                         "Darvaz",
                                         "Vanj",
                                         "Rushon",
                                         "Шамсиддин Шоҳин",
                                         "Дарвоз",
                                         "Хатлон",
                                         "Хорог",
                                         "Кӯлоб",
                                         "بدخشان",
                                         "کندز"};
    // Fuzzy mix: real typos plus generated ones (a letter dropped, doubled or swapped).
    std::vector<std::string> fuzzy{"Shamsiddin Shohn", "Ishkoshm",    "Shamsidin Shokhinn",
                                   "Khatlonn provnce", "Kalaikhumbb", "Dushanbbe city"};
    for (const char *base :
         {"Shamsiddin Shohin", "Qubodiyon", "Hamadoni", "Nosiri Khusrav", "Jaloliddini Balkhi",
          "Abdurahmoni Jomi", "Roshtqal'a", "Darwazbala", "Khwaja Ghar", "Dasht-e Qal'ah",
          "Shahri Buzurg", "Kuran Wa Munjan", "Yamgan Girwan", "Mazar-e Sharif", "Pul-e Khumri",
          "Bazar-e Tashkan"}) {
        const std::string s = base;
        const auto mid = s.size() / 2;
        fuzzy.push_back(s.substr(0, mid) + s.substr(mid + 1));      // drop
        fuzzy.push_back(s.substr(0, mid) + s[mid] + s.substr(mid)); // double
        std::string swapped = s;
        std::swap(swapped[mid], swapped[mid + 1]);
        fuzzy.push_back(swapped); // swap
    }
    std::size_t fuzzy_matched = 0;
    for (const auto &q : fuzzy) {
        fuzzy_matched += g->resolve(q).matched ? 1 : 0;
    }

    if (!mode.empty()) {
        const auto &list = mode == "exact" ? exact : fuzzy;
        std::printf("%s: %.0f /s\n", mode.c_str(),
                    rate(list, min_seconds,
                         [&](const std::string &q) { return g->resolve(q).candidates.size(); }));
        return 0;
    }
    const double exact_rate = rate(
        exact, min_seconds, [&](const std::string &q) { return g->resolve(q).candidates.size(); });
    // The same mix with every query made unique (trailing dots, which the tokenizer drops):
    // more distinct queries than the per-thread caches (ICU folding, query analysis) hold,
    // so every lookup takes the cold path.
    std::vector<std::string> distinct;
    for (std::size_t v = 0; v < 600; ++v) { // 41 x 600 > the 20,000-entry query cache
        for (const auto &q : exact) {
            distinct.push_back(q + std::string(v / 2, '.') + (v % 2 == 0 ? "" : "!"));
        }
    }
    const double cold_rate = rate(distinct, min_seconds, [&](const std::string &q) {
        return g->resolve(q).candidates.size();
    });
    std::unordered_map<std::string, std::size_t> plain_map;
    for (std::size_t i = 0; i < exact.size(); ++i) {
        plain_map.emplace(exact[i], i);
    }
    const double map_rate =
        rate(exact, min_seconds, [&](const std::string &q) { return plain_map.find(q)->second; });
    const double fuzzy_rate = rate(
        fuzzy, min_seconds, [&](const std::string &q) { return g->resolve(q).candidates.size(); });
    // Brute force: the similarity of the query key against every name's key.
    std::vector<std::string> all_keys;
    for (const auto &line : read_lines(geodata / "gazetteer" / "names.tsv")) {
        const auto tab = line.find('\t');
        const auto tab2 = line.find('\t', tab + 1);
        all_keys.push_back(name_key(line.substr(tab + 1, tab2 - tab - 1)).phonetic);
    }
    std::sort(all_keys.begin(), all_keys.end());
    all_keys.erase(std::unique(all_keys.begin(), all_keys.end()), all_keys.end());
    const double brute_rate = rate(fuzzy, std::min(min_seconds, 0.5), [&](const std::string &q) {
        const auto k = name_key(q).phonetic;
        double best = 0;
        for (const auto &other : all_keys) {
            best = std::max(best, key_similarity(k, other));
        }
        return static_cast<std::size_t>(best * 100);
    });

    // Accuracy over the query table.
    std::size_t total = 0, correct = 0;
    ResolveOptions top3;
    top3.top = 3;
    bool header = true;
    for (const auto &line : read_lines(data / "queries.tsv")) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        const auto t1 = line.find('\t');
        const auto t2 = line.find('\t', t1 + 1);
        const auto query = line.substr(0, t1);
        const auto expected = "|" + line.substr(t1 + 1, t2 - t1 - 1) + "|";
        const auto r = g->resolve(query, top3);
        ++total;
        if (r.matched && expected.find("|" + r.candidates.front().id + "|") != std::string::npos) {
            ++correct;
        }
    }

    std::printf("gazetteer benchmark (one core)\n");
    std::printf("  places %zu, name variants %zu\n", g->place_count(), g->name_count());
    std::printf("  ICU first use             %8.1f ms (once per process)\n", icu_init_ms);
    std::printf("  load (best of 5)          %8.1f ms   target < 200 ms; baseline read+split TSVs "
                "%.1f ms (x%.1f)\n",
                load_ms, read_ms, load_ms / read_ms);
    std::printf("  exact lookups             %10.0f /s  target >= 1,000,000; baseline bare "
                "hash map %.0f /s (x%.1f slower)\n",
                exact_rate, map_rate, map_rate / exact_rate);
    std::printf("  exact, distinct queries   %10.0f /s  (caches cold: every query spelt anew)\n",
                cold_rate);
    std::printf("  fuzzy lookups             %10.0f /s  target >= 100,000; baseline brute-force "
                "edit distance %.0f /s (x%.1f faster)\n",
                fuzzy_rate, brute_rate, fuzzy_rate / brute_rate);
    std::printf("  fuzzy queries matched     %zu / %zu\n", fuzzy_matched, fuzzy.size());
    std::printf("  accuracy (queries.tsv)    %zu / %zu top-1 = %.1f%%\n", correct, total,
                100.0 * static_cast<double>(correct) / static_cast<double>(total));
    return 0;
}
