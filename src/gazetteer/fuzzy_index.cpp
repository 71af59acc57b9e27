#include "gazetteer/detail/fuzzy_index.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace borderwatch::detail {

namespace {

std::uint32_t trigram_code(char a, char b, char c) noexcept {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(a)) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(c));
}

// "^key$" trigrams, deduplicated.
void trigrams_of(std::string_view key, std::vector<std::uint32_t>& out) {
    out.clear();
    if (key.empty()) {
        return;
    }
    const std::size_t n = key.size() + 2;
    const auto at = [&](std::size_t i) -> char {
        return i == 0 ? '^' : (i == n - 1 ? '$' : key[i - 1]);
    };
    for (std::size_t i = 0; i + 2 < n; ++i) {
        out.push_back(trigram_code(at(i), at(i + 1), at(i + 2)));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

} // namespace

double osa_similarity(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    if (n == 0 || m == 0) {
        return (n == 0 && m == 0) ? 1.0 : 0.0;
    }
    constexpr std::size_t cap = 64;
    if (n >= cap || m >= cap) {
        // Very long keys: compare prefixes; such names are rare and similarity is
        // only used for ranking.
        return osa_similarity(a.substr(0, cap - 1), b.substr(0, cap - 1));
    }
    std::array<std::uint8_t, cap> prev2{}, prev{}, cur{};
    for (std::size_t j = 0; j <= m; ++j) {
        prev[j] = static_cast<std::uint8_t>(j);
    }
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = static_cast<std::uint8_t>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                v = std::min(v, prev2[j - 2] + 1);
            }
            cur[j] = static_cast<std::uint8_t>(v);
        }
        prev2 = prev;
        prev = cur;
    }
    return 1.0 - static_cast<double>(prev[m]) / static_cast<double>(std::max(n, m));
}

std::uint32_t FuzzyIndex::add(const std::string& key) {
    if (auto it = m_key_ids.find(key); it != m_key_ids.end()) {
        return it->second;
    }
    const auto id = static_cast<std::uint32_t>(m_keys.size());
    m_keys.push_back(key);
    m_key_ids.emplace(key, id);
    std::vector<std::uint32_t> grams;
    trigrams_of(key, grams);
    for (auto g : grams) {
        m_trigrams[g].push_back(id);
    }
    return id;
}

std::vector<FuzzyIndex::Hit> FuzzyIndex::search(std::string_view query, std::size_t limit,
                                                double min_similarity) const {
    thread_local std::vector<std::uint16_t> counts;
    thread_local std::vector<std::uint32_t> touched;
    thread_local std::vector<std::uint32_t> grams;
    if (counts.size() < m_keys.size()) {
        counts.resize(m_keys.size(), 0);
    }
    touched.clear();
    trigrams_of(query, grams);
    for (auto g : grams) {
        auto it = m_trigrams.find(g);
        if (it == m_trigrams.end()) {
            continue;
        }
        for (auto k : it->second) {
            if (counts[k]++ == 0) {
                touched.push_back(k);
            }
        }
    }
    // Rank by trigram Jaccard, verify only the most promising with the edit distance.
    struct Candidate {
        std::uint32_t key;
        double jaccard;
    };
    std::vector<Candidate> candidates;
    candidates.reserve(touched.size());
    const double query_grams = static_cast<double>(grams.size());
    const double query_len = static_cast<double>(query.size());
    for (auto k : touched) {
        const double common = counts[k];
        counts[k] = 0;
        const double key_len = static_cast<double>(m_keys[k].size());
        // Length filter: similarity can never reach the minimum.
        if (1.0 - std::abs(key_len - query_len) / std::max(key_len, query_len) < min_similarity) {
            continue;
        }
        const double key_grams = key_len; // "^key$" has len(key) trigrams (before dedup)
        candidates.push_back({k, common / (query_grams + key_grams - common)});
    }
    const std::size_t verify = std::min(candidates.size(), std::max<std::size_t>(limit * 3, 12));
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(verify),
                      candidates.end(), [](const Candidate& x, const Candidate& y) {
                          return x.jaccard > y.jaccard || (x.jaccard == y.jaccard && x.key < y.key);
                      });
    std::vector<Hit> hits;
    for (std::size_t i = 0; i < verify; ++i) {
        const double sim = osa_similarity(query, m_keys[candidates[i].key]);
        if (sim >= min_similarity) {
            hits.push_back({candidates[i].key, sim});
        }
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
        return x.similarity > y.similarity || (x.similarity == y.similarity && x.key < y.key);
    });
    if (hits.size() > limit) {
        hits.resize(limit);
    }
    return hits;
}

} // namespace borderwatch::detail
