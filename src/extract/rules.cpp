// The extractor's rule tables: TSV files under src/extract/rules/, built into the library as
// byte arrays (CMakeLists.txt), parsed once.
#include "extract/detail/rules.hpp"
#include <borderwatch/core/civil_date.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace borderwatch::detail {

namespace {

// clang-format off
const unsigned char k_number_words[] = {
#include "extract/number_words_tsv.inc"
};
const unsigned char k_number_modifiers[] = {
#include "extract/number_modifiers_tsv.inc"
};
const unsigned char k_person_nouns[] = {
#include "extract/person_nouns_tsv.inc"
};
const unsigned char k_casualty_words[] = {
#include "extract/casualty_words_tsv.inc"
};
const unsigned char k_date_words[] = {
#include "extract/date_words_tsv.inc"
};
const unsigned char k_event_triggers[] = {
#include "extract/event_triggers_tsv.inc"
};
const unsigned char k_place_cues[] = {
#include "extract/place_cues_tsv.inc"
};
const unsigned char k_actors[] = {
#include "extract/actors_tsv.inc"
};
// clang-format on

std::string_view as_text(const unsigned char *data, std::size_t size) {
    return {reinterpret_cast<const char *>(data), size};
}

std::vector<std::string> split(std::string_view line, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto pos = line.find(sep, start);
        out.emplace_back(line.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) {
            break;
        }
        start = pos + 1;
    }
    return out;
}

/// Rows of a table: comment lines (#) and blank lines skipped.
std::vector<std::vector<std::string>> rows(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    for (auto &line : split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#') {
            continue;
        }
        out.push_back(split(line, '\t'));
    }
    return out;
}

std::vector<Phrase> phrases(std::string_view text) {
    std::vector<Phrase> out;
    for (auto &row : rows(text)) {
        Phrase p;
        for (const auto &w : split(row[0], ' ')) {
            if (!w.empty()) {
                p.words.push_back(w);
            }
        }
        p.columns.assign(row.begin() + 1, row.end());
        out.push_back(std::move(p));
    }
    // Longest phrase first, so "at least" wins over "at" and "drone strike" over "strike".
    std::stable_sort(out.begin(), out.end(), [](const Phrase &a, const Phrase &b) {
        return a.words.size() > b.words.size();
    });
    return out;
}

Rules load_rules() {
    Rules r;
    for (const auto &row : rows(as_text(k_number_words, sizeof k_number_words))) {
        r.number_words[row.at(0)] = std::stoi(row.at(1));
    }
    r.number_modifiers = phrases(as_text(k_number_modifiers, sizeof k_number_modifiers));
    for (const auto &row : rows(as_text(k_person_nouns, sizeof k_person_nouns))) {
        r.person_nouns.push_back(row.at(0));
    }
    std::sort(r.person_nouns.begin(), r.person_nouns.end());
    r.casualty_words = phrases(as_text(k_casualty_words, sizeof k_casualty_words));
    r.date_words = phrases(as_text(k_date_words, sizeof k_date_words));
    r.event_triggers = phrases(as_text(k_event_triggers, sizeof k_event_triggers));
    r.place_cues = phrases(as_text(k_place_cues, sizeof k_place_cues));
    r.actors = phrases(as_text(k_actors, sizeof k_actors));
    return r;
}

bool is_word_byte(unsigned char c) {
    return std::isalnum(c) != 0 || c >= 0x80;
}

} // namespace

bool Rules::is_person_noun(std::string_view word) const {
    return std::binary_search(person_nouns.begin(), person_nouns.end(), word);
}

const Rules &rules() {
    static const Rules loaded = load_rules();
    return loaded;
}

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> out;
    std::size_t i = 0;
    const auto starts_with = [&](std::size_t at, std::string_view s) {
        return text.substr(at, s.size()) == s;
    };
    // Typographic punctuation that must not be taken for letters.
    static const std::string_view marks[] = {"\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x93",
                                             "\xe2\x80\x94", "\xe2\x80\x98", "\xc2\xa0",
                                             "\xe2\x80\xa6"};
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        bool mark = false;
        for (const auto m : marks) {
            if (starts_with(i, m)) {
                Token t;
                t.word = std::string(m);
                t.begin = i;
                t.end = i + m.size();
                t.punct = true;
                out.push_back(std::move(t));
                i += m.size();
                mark = true;
                break;
            }
        }
        if (mark) {
            continue;
        }
        if (starts_with(i, "\xe2\x80\x99")) { // a closing quote, not an apostrophe
            i += 3;
            continue;
        }
        if (!is_word_byte(c)) {
            if (std::isspace(c) == 0 && c != '-' && c != '\'') {
                Token t;
                t.word = std::string(1, static_cast<char>(c));
                t.begin = i;
                t.end = i + 1;
                t.punct = true;
                out.push_back(std::move(t));
            }
            ++i;
            continue;
        }
        Token t;
        t.begin = i;
        std::string raw;
        while (i < text.size()) {
            const auto d = static_cast<unsigned char>(text[i]);
            bool apostrophe = d == '\'';
            std::size_t alen = 1;
            if (starts_with(i, "\xe2\x80\x99") || starts_with(i, "\xe2\x80\x98")) {
                apostrophe = true;
                alen = 3;
            }
            if (apostrophe) {
                const auto next = i + alen;
                if (next < text.size() && (text[next] == 's' || text[next] == 'S') &&
                    (next + 1 >= text.size() ||
                     !is_word_byte(static_cast<unsigned char>(text[next + 1])))) {
                    t.possessive = true;
                    t.end = i;
                    i = next + 1;
                    break;
                }
                if (next < text.size() && is_word_byte(static_cast<unsigned char>(text[next])) &&
                    !starts_with(next, "\xe2\x80")) {
                    i = next; // "Qal'ai": the apostrophe is part of the word
                    continue;
                }
                break;
            }
            bool inner_mark = false;
            for (const auto m : marks) {
                inner_mark = inner_mark || starts_with(i, m);
            }
            if (inner_mark || !is_word_byte(d)) {
                break;
            }
            raw += static_cast<char>(d);
            ++i;
        }
        if (!t.possessive) {
            t.end = i;
        }
        if (raw.empty()) {
            continue;
        }
        const auto first = static_cast<unsigned char>(raw[0]);
        t.cap = std::isupper(first) != 0 || first >= 0x80;
        const bool ascii = std::all_of(
            raw.begin(), raw.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
        if (ascii) {
            t.word = raw;
            std::transform(t.word.begin(), t.word.end(), t.word.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        } else {
            t.word = fold_to_ascii(raw);
            if (!t.word.empty() && first >= 0x80) {
                t.cap = std::isupper(static_cast<unsigned char>(raw[0])) != 0 ||
                        fold_to_ascii(raw) != raw; // non-Latin scripts count as names
            }
        }
        t.digits = std::all_of(raw.begin(), raw.end(),
                               [](unsigned char ch) { return std::isdigit(ch) != 0; });
        out.push_back(std::move(t));
    }
    return out;
}

std::size_t match_phrase(const std::vector<Token> &tokens, std::size_t i, const Phrase &phrase) {
    if (phrase.words.empty() || i + phrase.words.size() > tokens.size()) {
        return 0;
    }
    for (std::size_t k = 0; k < phrase.words.size(); ++k) {
        const auto &t = tokens[i + k];
        if (t.punct || t.word != phrase.words[k]) {
            return 0;
        }
        // A possessive ends a phrase ("this week's clashes" matches "this week").
        if (t.possessive && k + 1 < phrase.words.size()) {
            return 0;
        }
    }
    return phrase.words.size();
}

std::string iso_date(long days) {
    int y = 0;
    int m = 0;
    int d = 0;
    borderwatch::civil_from_days(days, y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

bool parse_iso_day(std::string_view text, long &days) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return false;
    }
    int v[3] = {0, 0, 0};
    const std::size_t pos[3] = {0, 5, 8};
    const std::size_t len[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k) {
        for (std::size_t j = 0; j < len[k]; ++j) {
            const char ch = text[pos[k] + j];
            if (ch < '0' || ch > '9') {
                return false;
            }
            v[k] = v[k] * 10 + (ch - '0');
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) {
        return false;
    }
    days = borderwatch::days_from_civil(v[0], v[1], v[2]);
    int y = 0;
    int m = 0;
    int d = 0;
    borderwatch::civil_from_days(days, y, m, d);
    return y == v[0] && m == v[1] && d == v[2];
}

} // namespace borderwatch::detail
