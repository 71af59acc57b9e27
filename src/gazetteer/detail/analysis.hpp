#pragma once
// Word-level analysis shared by indexing and querying, so both sides reduce names the
// same way (see borderwatch/gazetteer/normalize.hpp for the rules).

#include <borderwatch/gazetteer/normalize.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch::detail {

/// Words of a name with admin words removed (unless nothing else is left).
struct Analysed {
    std::vector<std::string> words; ///< folded words
    std::vector<std::string> keys;  ///< phonetic key of each word
    std::string kind_hint;          ///< kind implied by a removed admin word

    [[nodiscard]] bool empty() const noexcept { return words.empty(); }
    /// Plain key of words [begin, end): joined by one space.
    [[nodiscard]] std::string plain(std::size_t begin, std::size_t end) const;
    /// Phonetic key of words [begin, end): concatenated, doubled letters merged at joins.
    [[nodiscard]] std::string phonetic(std::size_t begin, std::size_t end) const;
    [[nodiscard]] std::string plain() const { return plain(0, words.size()); }
    [[nodiscard]] std::string phonetic() const { return phonetic(0, words.size()); }
};

/// Analyse tokens [begin, end) of a tokenized name.
[[nodiscard]] Analysed analyse(const std::vector<NameToken> &tokens, std::size_t begin,
                               std::size_t end);
/// Fold, tokenize and analyse a whole name.
[[nodiscard]] Analysed analyse(std::string_view utf8);

/// Words that qualify a name rather than name it ("Gorno-", "-e Bala", "Bazar-e"):
/// a name without them is still recognisably the same place.
[[nodiscard]] bool is_qualifier_word(std::string_view folded_word);

/// Words that only introduce a phrase ("in", "near", "the").
[[nodiscard]] bool is_stop_word(std::string_view folded_word);

/// Words that place a report around a name rather than name it: "outskirts of X",
/// "border post in X", "X area", "X vicinity". Stripped from the ends of a query.
[[nodiscard]] bool is_filler_word(std::string_view folded_word);

/// Consonant skeleton of a phonetic key (vowels and v dropped): the part of a name that
/// Arabic script writes, so "bdkhshan" and "Badakhshan" meet.
[[nodiscard]] std::string consonant_skeleton(std::string_view phonetic);

} // namespace borderwatch::detail
