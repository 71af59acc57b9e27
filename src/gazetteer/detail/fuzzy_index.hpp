#pragma once
// Trigram index over phonetic keys for fuzzy lookups: candidate keys share trigrams with
// the query, then the best few are verified with the edit-distance similarity.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace borderwatch::detail {

class FuzzyIndex {
  public:
    /// Add a key (duplicates are ignored); returns its number.
    std::uint32_t add(const std::string &key);

    /// The key with this number.
    [[nodiscard]] const std::string &key(std::uint32_t id) const { return m_keys[id]; }
    [[nodiscard]] std::size_t size() const noexcept { return m_keys.size(); }

    struct Hit {
        std::uint32_t key = 0;
        double similarity = 0.0; ///< key_similarity(query, key)
    };

    /// Keys similar to @p query, best first, at most @p limit, similarity >= @p min_similarity.
    /// Thread-safe (per-thread scratch).
    [[nodiscard]] std::vector<Hit> search(std::string_view query, std::size_t limit,
                                          double min_similarity) const;

  private:
    std::vector<std::string> m_keys;
    std::unordered_map<std::string, std::uint32_t> m_key_ids;
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> m_trigrams;
};

/// Similarity in [0, 1] from the optimal string alignment distance (no allocation for
/// keys up to 63 bytes).
[[nodiscard]] double osa_similarity(std::string_view a, std::string_view b) noexcept;

/// Similarity of two phonetic keys in [0, 1] that forgives romanisation noise: like
/// osa_similarity(), but a vowel for a vowel, s/z, t/d, k/g, k/h, j/z, p/f, adding or dropping
/// a vowel or an h, and swapping two neighbours cost half an edit. Never below
/// osa_similarity(a, b), and 1 - variant >= (1 - osa) / 2.
[[nodiscard]] double variant_similarity(std::string_view a, std::string_view b);

/// Optimal string alignment distance; bit-parallel when @p a is at most 64 bytes.
[[nodiscard]] std::size_t osa_distance(std::string_view a, std::string_view b) noexcept;

} // namespace borderwatch::detail
