#include "gazetteer/detail/fuzzy_index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace borderwatch::detail {

namespace {

std::uint32_t trigram_code(char a, char b, char c) noexcept {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(a)) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(c));
}

// "^key$" trigrams, deduplicated.
void trigrams_of(std::string_view key, std::vector<std::uint32_t> &out) {
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

namespace {

bool is_key_vowel(char c) noexcept {
    return c == 'a' || c == 'i' || c == 'u';
}

// Letters that romanisations and hurried typists confuse: voiced/voiceless pairs (Shaartuz
// ~ Shahritus, Tajik з/с), kh read as k, zh as z, ph as p.
bool confusable(char x, char y) noexcept {
    if (x > y) {
        std::swap(x, y);
    }
    return (is_key_vowel(x) && is_key_vowel(y)) || (x == 's' && y == 'z') ||
           (x == 'd' && y == 't') || (x == 'g' && y == 'k') || (x == 'h' && y == 'k') ||
           (x == 'j' && y == 'z') || (x == 'f' && y == 'p');
}

// A vowel (vowels are not written in Arabic script and vary between romanisations) or an h
// (silent or dropped: "Shaartuz" / "Shahrtuz") costs half a letter to add or drop.
double indel_cost(char c) noexcept {
    return is_key_vowel(c) || c == 'h' ? 0.5 : 1.0;
}

} // namespace

double variant_similarity(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    if (n == 0 || m == 0) {
        return (n == 0 && m == 0) ? 1.0 : 0.0;
    }
    std::vector<double> prev2(m + 1), prev(m + 1), cur(m + 1);
    prev[0] = 0.0;
    for (std::size_t j = 1; j <= m; ++j) {
        prev[j] = prev[j - 1] + indel_cost(b[j - 1]);
    }
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = prev[0] + indel_cost(a[i - 1]);
        for (std::size_t j = 1; j <= m; ++j) {
            const char x = a[i - 1];
            const char y = b[j - 1];
            const double sub = x == y ? 0.0 : confusable(x, y) ? 0.5 : 1.0;
            double v =
                std::min({prev[j] + indel_cost(x), cur[j - 1] + indel_cost(y), prev[j - 1] + sub});
            if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y) {
                v = std::min(v, prev2[j - 2] + 0.5); // swapped neighbours: a typing slip
            }
            cur[j] = v;
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    const double d = prev[m];
    return std::max(0.0, 1.0 - d / static_cast<double>(std::max(n, m)));
}

std::uint32_t FuzzyIndex::add(const std::string &key) {
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

namespace {

/// Bit-parallel optimal string alignment distance (Hyyroe 2003), pattern up to 64 bytes:
/// one pass over the text with a few word operations per character.
class OsaPattern {
  public:
    explicit OsaPattern(std::string_view pattern) : m_size(pattern.size()) {
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            m_peq[static_cast<unsigned char>(pattern[i])] |= std::uint64_t{1} << i;
        }
    }
    [[nodiscard]] std::size_t distance(std::string_view text) const noexcept {
        if (m_size == 0) {
            return text.size();
        }
        std::uint64_t vp = ~std::uint64_t{0};
        std::uint64_t vn = 0;
        std::uint64_t d0 = 0;
        std::uint64_t pm_old = 0;
        std::size_t dist = m_size;
        const std::uint64_t last = std::uint64_t{1} << (m_size - 1);
        for (char ch : text) {
            const std::uint64_t pm = m_peq[static_cast<unsigned char>(ch)];
            const std::uint64_t tr = (((~d0) & pm) << 1) & pm_old;
            d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
            std::uint64_t hp = vn | ~(d0 | vp);
            std::uint64_t hn = d0 & vp;
            dist += (hp & last) != 0 ? 1 : 0;
            dist -= (hn & last) != 0 ? 1 : 0;
            hp = (hp << 1) | 1;
            hn = hn << 1;
            vp = hn | ~(d0 | hp);
            vn = hp & d0;
            pm_old = pm;
        }
        return dist;
    }

  private:
    std::size_t m_size;
    std::array<std::uint64_t, 256> m_peq{};
};

} // namespace

std::size_t osa_distance(std::string_view a, std::string_view b) noexcept {
    if (a.size() <= 64) {
        return OsaPattern(a).distance(b);
    }
    const double sim = osa_similarity(a, b);
    return static_cast<std::size_t>(
        std::lround((1.0 - sim) * static_cast<double>(std::max(a.size(), b.size()))));
}

std::vector<FuzzyIndex::Hit> FuzzyIndex::search(std::string_view query, std::size_t limit,
                                                double min_similarity) const {
    thread_local std::vector<std::uint16_t> counts;
    thread_local std::vector<std::uint32_t> touched;
    thread_local std::vector<std::uint32_t> grams;
    std::vector<Hit> hits;
    if (query.empty()) {
        return hits;
    }
    if (counts.size() < m_keys.size()) {
        counts.resize(m_keys.size(), 0);
    }
    touched.clear();
    trigrams_of(query, grams);
    // Prefix filter: a key within the allowed edits shares at least `needed` of the query's
    // trigrams, so it contains one of the (grams - needed + 1) rarest; only their posting
    // lists need counting. Loose searches (needed <= 0) count every list.
    thread_local std::vector<const std::vector<std::uint32_t> *> lists;
    lists.clear();
    for (auto g : grams) {
        if (auto it = m_trigrams.find(g); it != m_trigrams.end()) {
            lists.push_back(&it->second);
        }
    }
    const double longest_key = static_cast<double>(query.size()) / std::max(min_similarity, 0.01);
    const double most_edits = std::floor((1.0 - min_similarity) * longest_key);
    const double needed = static_cast<double>(grams.size()) - 3.0 * most_edits - 1.0;
    std::size_t scan = lists.size();
    if (needed >= 1.0) {
        scan = std::min(lists.size(), grams.size() - static_cast<std::size_t>(needed) + 1);
        std::partial_sort(lists.begin(), lists.begin() + static_cast<std::ptrdiff_t>(scan),
                          lists.end(),
                          [](const auto *x, const auto *y) { return x->size() < y->size(); });
    }
    for (std::size_t i = 0; i < scan; ++i) {
        for (auto k : *lists[i]) {
            if (counts[k]++ == 0) {
                touched.push_back(k);
            }
        }
    }
    const bool prefix_only = scan < lists.size();
    const bool bit_parallel = query.size() <= 64;
    const OsaPattern pattern(bit_parallel ? query : std::string_view{});
    const double query_len = static_cast<double>(query.size());
    const double query_grams = static_cast<double>(grams.size());
    struct Survivor {
        std::uint32_t key;
        std::uint16_t common;
    };
    thread_local std::vector<Survivor> survivors;
    survivors.clear();
    for (auto k : touched) {
        const auto common = counts[k];
        counts[k] = 0;
        const double key_len = static_cast<double>(m_keys[k].size());
        const double longest = std::max(key_len, query_len);
        // Length filter: the similarity can never reach the minimum.
        if (1.0 - std::abs(key_len - query_len) / longest < min_similarity) {
            continue;
        }
        // q-gram filter: one edit destroys at most three of the query's trigrams (with the
        // prefix filter the counts are partial, so it does not apply).
        const double max_edits = std::floor((1.0 - min_similarity) * longest);
        if (!prefix_only && common < query_grams - 3.0 * max_edits - 1.0) {
            continue;
        }
        survivors.push_back({k, common});
    }
    // Loose searches (suggestions) can leave thousands: verify the most promising only.
    constexpr std::size_t max_verify = 96;
    if (survivors.size() > max_verify) {
        std::nth_element(survivors.begin(), survivors.begin() + max_verify, survivors.end(),
                         [](const Survivor &x, const Survivor &y) {
                             return x.common > y.common || (x.common == y.common && x.key < y.key);
                         });
        survivors.resize(max_verify);
    }
    for (const auto &sv : survivors) {
        const auto &key = m_keys[sv.key];
        const double longest = std::max(static_cast<double>(key.size()), query_len);
        const double distance = bit_parallel ? static_cast<double>(pattern.distance(key))
                                             : (1.0 - osa_similarity(query, key)) * longest;
        const double sim = 1.0 - distance / longest;
        if (sim >= min_similarity) {
            hits.push_back({sv.key, sim});
        }
    }
    const auto by_similarity = [](const Hit &x, const Hit &y) {
        return x.similarity > y.similarity || (x.similarity == y.similarity && x.key < y.key);
    };
    if (hits.size() > limit) {
        std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit),
                          hits.end(), by_similarity);
        hits.resize(limit);
    } else {
        std::sort(hits.begin(), hits.end(), by_similarity);
    }
    return hits;
}

} // namespace borderwatch::detail
