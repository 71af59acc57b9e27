#include "gazetteer/detail/analysis.hpp"

#include <array>
#include <string_view>

namespace borderwatch::detail {

std::string Analysed::plain(std::size_t begin, std::size_t end) const {
    std::string out;
    for (std::size_t i = begin; i < end && i < words.size(); ++i) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out += words[i];
    }
    return out;
}

std::string Analysed::phonetic(std::size_t begin, std::size_t end) const {
    std::string out;
    for (std::size_t i = begin; i < end && i < keys.size(); ++i) {
        for (char c : keys[i]) {
            if (out.empty() || out.back() != c) {
                out.push_back(c);
            }
        }
    }
    return out;
}

Analysed analyse(const std::vector<NameToken> &tokens, std::size_t begin, std::size_t end) {
    Analysed a;
    std::size_t admin_count = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const auto kind = admin_word_kind(tokens[i].text);
        if (!kind.empty()) {
            ++admin_count;
            if (a.kind_hint.empty()) {
                a.kind_hint = kind;
            }
        }
    }
    const bool strip = admin_count < end - begin;
    if (!strip) {
        a.kind_hint.clear();
    }
    for (std::size_t i = begin; i < end; ++i) {
        if (strip && !admin_word_kind(tokens[i].text).empty()) {
            continue;
        }
        a.words.push_back(tokens[i].text);
        a.keys.push_back(phonetic_word_key(tokens[i].text));
    }
    return a;
}

Analysed analyse(std::string_view utf8) {
    const auto tokens = tokenize_folded(fold_to_ascii(utf8));
    return analyse(tokens, 0, tokens.size());
}

bool is_qualifier_word(std::string_view w) {
    static constexpr std::array<std::string_view, 38> words{
        "gorno", "kuhistoni", "kuhistan", "bala", "bolo",  "payin",  "pain",    "poyon",
        "poyin", "sufla",     "ulya",     "ulia", "kalan", "khurd",  "khord",   "kuhna",
        "kohna", "nau",       "naw",      "now",  "nav",   "markaz", "markazi", "bazar",
        "bozor", "e",         "i",        "ye",   "yi",    "upper",  "lower",   "north",
        "south", "east",      "west",     "old",  "new",   "greater"};
    for (auto q : words) {
        if (q == w) {
            return true;
        }
    }
    return false;
}

bool is_stop_word(std::string_view w) {
    static constexpr std::array<std::string_view, 14> words{
        "in",      "at",     "near",   "from", "the",  "of", "around",
        "outside", "inside", "across", "to",   "into", "on", "a"};
    for (auto q : words) {
        if (q == w) {
            return true;
        }
    }
    return false;
}

bool is_filler_word(std::string_view w) {
    static constexpr std::array<std::string_view, 24> words{
        "area",    "areas",      "vicinity",     "outskirts",     "outskirt",     "suburbs",
        "suburb",  "environs",   "surroundings", "border",        "post",         "posts",
        "outpost", "checkpoint", "checkpoints",  "frontier",      "nearby",       "close",
        "by",      "localities", "locality",     "neighbourhood", "neighborhood", "general"};
    for (auto q : words) {
        if (q == w) {
            return true;
        }
    }
    return false;
}

std::string consonant_skeleton(std::string_view phonetic) {
    std::string out;
    for (char c : phonetic) {
        if (c == 'a' || c == 'i' || c == 'u' || c == 'v') {
            continue;
        }
        if (out.empty() || out.back() != c) {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace borderwatch::detail
