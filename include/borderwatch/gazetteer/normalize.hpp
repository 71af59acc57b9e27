#pragma once
/// @file
/// Text normalisation for place names in any spelling or script: ICU folding to lowercase
/// ASCII Latin, then a "phonetic key" that merges the romanisation variants of Central Asia
/// (kh/h/x, o/a, v/w/b, dzh/j/zh, e/i/y, ou/u, q/k, gh/g, doubled letters, apostrophes,
/// hyphens, spaces, izafe "-i"/"-e"), with administrative words (district, rayon, nohiya,
/// woleswali, region, oblast, viloyat, province, район, ولسوالی, ...) removed and reported
/// as a kind hint. The gazetteer indexes and queries with exactly these functions.

#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// True if @p text is well-formed UTF-8 (no overlong forms, surrogates or code points
/// above U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Fold any-script text to lowercase ASCII Latin with ICU: NFKC case folding, then the
/// transliterators Tajik letters (ҳ ҷ ӣ ӯ қ ғ), ru-ru_Latn/BGN, Arabic-Latin, Any-Latin and
/// Latin-ASCII. Pure-ASCII input takes a fast path (ASCII lowercase). Characters that have
/// no Latin form are dropped. Thread-safe; results of non-ASCII input are cached per thread.
/// @param utf8 valid UTF-8 (invalid sequences are replaced by U+FFFD and then dropped)
[[nodiscard]] std::string fold_to_ascii(std::string_view utf8);

/// One word of a folded name.
struct NameToken {
    std::string text;        ///< folded ASCII, apostrophes removed ("qalai")
    bool possessive = false; ///< the word ended in "'s" ("tajikistan's")
};

/// Split folded ASCII text into words at anything that is not a letter or digit;
/// apostrophes inside words are removed, a trailing "'s" marks the word possessive.
[[nodiscard]] std::vector<NameToken> tokenize_folded(std::string_view folded);

/// The kind an administrative word implies: "admin2" (district, rayon, nohiya, woleswali,
/// район, ноҳия, ولسوالی, ...), "admin1" (region, oblast, viloyat, province, wilayat,
/// область, вилоят, ولایت, ...), "populated_place" (town, city, village, kishlak, ...),
/// "country" (country, republic), or "" for an ordinary word.
/// @param folded_word one word as produced by tokenize_folded()
[[nodiscard]] std::string_view admin_word_kind(std::string_view folded_word);

/// The phonetic key of one folded word (see the file comment). Example: "shokhin" -> "shahin".
[[nodiscard]] std::string phonetic_word_key(std::string_view folded_word);

/// A place name reduced for matching.
struct NameKey {
    std::string plain;     ///< folded words without admin words, joined by one space
    std::string phonetic;  ///< phonetic key of the same words, no separators
    std::string kind_hint; ///< kind implied by the admin words removed ("" if none)
};

/// Reduce a name in any script: fold, tokenize, drop admin words (unless that would leave
/// nothing), build the plain and phonetic keys. Examples: "Шамсиддин Шоҳин", "Shamsiddin
/// Shohin" and "Shamsiddin Shokhin district" share the phonetic key "shamsidinshahin";
/// "Дарвоз", "Darvoz", "Darvaz", "Darboz", "Darwaz" share "darvaz".
[[nodiscard]] NameKey name_key(std::string_view utf8);

/// Similarity of two phonetic keys in [0, 1]: 1 - (optimal string alignment distance) /
/// (length of the longer key). 1 means equal.
[[nodiscard]] double key_similarity(std::string_view a, std::string_view b);

} // namespace borderwatch
