#pragma once
// The extractor's rule tables (src/extract/rules/*.tsv, built into the library) and the
// tokens every rule works on.
#include <borderwatch/core/civil_date.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch::detail {

/// One word or punctuation mark of a sentence.
struct Token {
    std::string word;      ///< lowercase ASCII-folded word, or the punctuation character
    std::size_t begin = 0; ///< byte offsets in the sentence
    std::size_t end = 0;
    bool punct = false;      ///< a punctuation mark (",", ";", ":", "(", quote, dash, ...)
    bool cap = false;        ///< the word starts with an upper-case letter
    bool possessive = false; ///< the word was followed by 's
    bool digits = false;     ///< all ASCII digits
};

/// Words and punctuation of @p text (hyphens split words; ’ counts as an apostrophe).
std::vector<Token> tokenize(std::string_view text);

/// A multi-word phrase of a rule table with its columns.
struct Phrase {
    std::vector<std::string> words;
    std::vector<std::string> columns; ///< the remaining TSV columns
};

/// The tables, loaded once.
struct Rules {
    std::map<std::string, int, std::less<>> number_words;
    std::vector<Phrase> number_modifiers; ///< columns: effect
    std::vector<std::string> person_nouns;
    std::vector<Phrase> casualty_words; ///< columns: killed|injured
    std::vector<Phrase> date_words;     ///< columns: kind, value
    std::vector<Phrase> event_triggers; ///< columns: type, sub-type, weight
    std::vector<Phrase> place_cues;     ///< columns: location|origin
    std::vector<Phrase> actors;         ///< columns: role, name
    [[nodiscard]] bool is_person_noun(std::string_view word) const;
};

const Rules &rules();

/// Length in words of @p phrase matched at word token @p i (punctuation never matches), or 0.
std::size_t match_phrase(const std::vector<Token> &tokens, std::size_t i, const Phrase &phrase);

/// Days since 1970-01-01 of a civil date (core/civil_date), and back as "YYYY-MM-DD".
using borderwatch::civil_from_days;
using borderwatch::days_from_civil;
std::string iso_date(long days);
/// Days of "YYYY-MM-DD"; false if not such a date.
bool parse_iso_day(std::string_view text, long &days);

} // namespace borderwatch::detail
