// Sentence-level rules: dates, number phrases and casualties, event triggers, place mentions.
#include "extract/detail/rules.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include <algorithm>
#include <charconv>

namespace borderwatch {

using detail::Token;

namespace {

const detail::Phrase *phrase_at(const std::vector<Token> &t, std::size_t i,
                                const std::vector<detail::Phrase> &table, std::size_t &len) {
    for (const auto &p : table) {
        len = detail::match_phrase(t, i, p);
        if (len > 0) {
            return &p;
        }
    }
    len = 0;
    return nullptr;
}

int to_int(std::string_view s) {
    int v = -1;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() ? v : -1;
}

int days_in_month(int y, int m) {
    const long a = detail::days_from_civil(y, m, 1);
    const long b =
        m == 12 ? detail::days_from_civil(y + 1, 1, 1) : detail::days_from_civil(y, m + 1, 1);
    return static_cast<int>(b - a);
}

/// Weekday 1 (Monday) .. 7 (Sunday) of a day count.
int weekday(long days) {
    const long w = (days + 3) % 7; // 1970-01-01 was a Thursday
    return static_cast<int>((w < 0 ? w + 7 : w) + 1);
}

struct Word {
    std::string_view kind;
    std::string_view value;
};

Word date_word(const std::vector<Token> &t, std::size_t i, std::size_t &len) {
    const auto *p = phrase_at(t, i, detail::rules().date_words, len);
    if (p == nullptr) {
        return {};
    }
    return {p->columns.at(0), p->columns.at(1)};
}

bool is_word(const std::vector<Token> &t, std::size_t i, std::string_view w) {
    return i < t.size() && !t[i].punct && t[i].word == w;
}

DateSpan day_span(long d, bool relative) {
    return {detail::iso_date(d), detail::iso_date(d), DatePrecision::day, relative};
}

} // namespace

std::vector<DateMention> find_dates(std::string_view sentence, std::string_view published,
                                    std::string_view anchor) {
    const auto t = detail::tokenize(sentence);
    long ref = 0;
    const bool have_ref = detail::parse_iso_day(published, ref);
    long anchor_day = 0;
    const bool have_anchor = detail::parse_iso_day(anchor, anchor_day);
    int ref_y = 0;
    int ref_m = 0;
    int ref_d = 0;
    if (have_ref) {
        detail::civil_from_days(ref, ref_y, ref_m, ref_d);
    }
    std::vector<DateMention> out;
    const auto add = [&](std::size_t first, std::size_t last, DateSpan span) {
        DateMention m;
        m.begin = t[first].begin;
        m.end = t[last].end;
        m.text = std::string(sentence.substr(m.begin, m.end - m.begin));
        m.span = std::move(span);
        out.push_back(std::move(m));
    };
    // The year of a month without one: the last such month on or before the reference day.
    const auto infer_year = [&](int month) { return month > ref_m ? ref_y - 1 : ref_y; };
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].punct) {
            continue;
        }
        std::size_t len = 0;
        const auto w = date_word(t, i, len);
        if (w.kind == "relative" || w.kind == "anchored") {
            // "earlier this month" is listed; a bare "this week" too.
            long s = 0;
            long e = 0;
            auto prec = DatePrecision::day;
            bool ok = have_ref;
            if (w.kind == "anchored") {
                ok = have_anchor;
                s = e = anchor_day + to_int(w.value);
            } else if (w.value == "today") {
                s = e = ref;
            } else if (w.value == "yesterday") {
                s = e = ref - 1;
            } else if (w.value == "this_week") {
                s = ref - (weekday(ref) - 1);
                e = ref;
                prec = DatePrecision::week;
            } else if (w.value == "last_week") {
                s = ref - (weekday(ref) - 1) - 7;
                e = s + 6;
                prec = DatePrecision::week;
            } else if (w.value == "this_month") {
                s = detail::days_from_civil(ref_y, ref_m, 1);
                e = ref;
                prec = DatePrecision::month;
            } else if (w.value == "last_month") {
                const int y = ref_m == 1 ? ref_y - 1 : ref_y;
                const int m = ref_m == 1 ? 12 : ref_m - 1;
                s = detail::days_from_civil(y, m, 1);
                e = s + days_in_month(y, m) - 1;
                prec = DatePrecision::month;
            } else {
                ok = false;
            }
            if (ok) {
                add(i, i + len - 1, {detail::iso_date(s), detail::iso_date(e), prec, true});
            }
            i += len - 1;
            continue;
        }
        if (w.kind == "weekday" && t[i].cap) {
            if (have_ref) {
                const int wd = to_int(w.value);
                const long d = ref - ((weekday(ref) - wd + 7) % 7);
                add(i, i, day_span(d, true));
            }
            continue;
        }
        if (w.kind != "month" || !t[i].cap) {
            continue;
        }
        const int month = to_int(w.value);
        std::size_t last = i;
        if (i + 1 < t.size() && t[i + 1].word == ".") {
            ++last; // "Dec."
        }
        int day = -1;
        int year = -1;
        std::size_t first = i;
        if (last + 1 < t.size() && t[last + 1].digits && to_int(t[last + 1].word) >= 1 &&
            to_int(t[last + 1].word) <= 31 && t[last + 1].word.size() <= 2) {
            day = to_int(t[last + 1].word);
            last += 1;
        } else if (i > 0 && t[i - 1].digits && t[i - 1].word.size() <= 2 &&
                   to_int(t[i - 1].word) >= 1 && to_int(t[i - 1].word) <= 31) {
            day = to_int(t[i - 1].word);
            first = i - 1;
        }
        std::size_t y = last + 1;
        if (y < t.size() && t[y].word == ",") {
            ++y;
        }
        if (y < t.size() && t[y].digits && t[y].word.size() == 4) {
            year = to_int(t[y].word);
            last = y;
        }
        if (year < 0 && !have_ref) {
            continue;
        }
        const int yy = year >= 0 ? year : infer_year(month);
        if (day > 0) {
            if (day > days_in_month(yy, month)) {
                continue;
            }
            add(first, last, day_span(detail::days_from_civil(yy, month, day), year < 0));
            continue;
        }
        const long m0 = detail::days_from_civil(yy, month, 1);
        const long m1 = m0 + days_in_month(yy, month) - 1;
        // "the last week of November", "the first week of December"
        if (i >= 3 && is_word(t, i - 1, "of") && is_word(t, i - 2, "week")) {
            const bool last_week = is_word(t, i - 3, "last") || is_word(t, i - 3, "final");
            const bool first_week = is_word(t, i - 3, "first");
            if (last_week || first_week) {
                const std::size_t from = i >= 4 && is_word(t, i - 4, "the") ? i - 4 : i - 3;
                const long s = last_week ? m1 - 6 : m0;
                add(from, last,
                    {detail::iso_date(s), detail::iso_date(s + 6), DatePrecision::week, year < 0});
                continue;
            }
        }
        // "late November", "early December", "mid-November"
        if (i >= 1 &&
            (is_word(t, i - 1, "late") || is_word(t, i - 1, "early") || is_word(t, i - 1, "mid"))) {
            const long s = is_word(t, i - 1, "late")  ? m0 + 20
                           : is_word(t, i - 1, "mid") ? m0 + 10
                                                      : m0;
            const long e = is_word(t, i - 1, "late") ? m1 : s + 9;
            add(i - 1, last,
                {detail::iso_date(s), detail::iso_date(e), DatePrecision::range, year < 0});
            continue;
        }
        // A bare month only after a preposition ("in December", "since November").
        if (year >= 0 || (i >= 1 && (is_word(t, i - 1, "in") || is_word(t, i - 1, "during") ||
                                     is_word(t, i - 1, "since") || is_word(t, i - 1, "of") ||
                                     is_word(t, i - 1, "throughout")))) {
            add(i, last,
                {detail::iso_date(m0), detail::iso_date(m1), DatePrecision::month, year < 0});
        }
    }
    // "in 2021": a year.
    for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i].digits && t[i].word.size() == 4 && is_word(t, i - 1, "in")) {
            const int y = to_int(t[i].word);
            const bool taken = std::any_of(out.begin(), out.end(), [&](const DateMention &m) {
                return m.begin <= t[i].begin && t[i].end <= m.end;
            });
            if (y >= 1900 && y <= 2100 && !taken) {
                add(i, i,
                    {detail::iso_date(detail::days_from_civil(y, 1, 1)),
                     detail::iso_date(detail::days_from_civil(y, 12, 31)), DatePrecision::year,
                     false});
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const DateMention &a, const DateMention &b) { return a.begin < b.begin; });
    return out;
}

namespace {

/// A count read at token @p i (a number word or digits), with the modifier before it.
struct NumberAt {
    Count count;
    std::size_t first = 0; ///< first token (modifier included)
    std::size_t last = 0;  ///< last token of the number
    bool vague = false;
};

std::optional<NumberAt> number_at(const std::vector<Token> &t, std::size_t i, bool ranges = true) {
    const auto &r = detail::rules();
    if (i >= t.size() || t[i].punct) {
        return std::nullopt;
    }
    NumberAt n;
    n.first = i;
    n.last = i;
    int value = -1;
    std::size_t len = 0;
    const bool as_many_as = i >= 1 && is_word(t, i - 1, "as") && is_word(t, i + 1, "as");
    if (const auto *vague = phrase_at(t, i, r.number_modifiers, len);
        vague != nullptr && vague->columns.at(0) == "vague" && !as_many_as) {
        n.vague = true;
        n.last = i + len - 1;
        return n;
    }
    if (t[i].digits) {
        value = to_int(t[i].word);
        if (t[i].word.size() > 6) {
            return std::nullopt;
        }
    } else {
        const auto it = r.number_words.find(t[i].word);
        if (it == r.number_words.end()) {
            return std::nullopt;
        }
        value = it->second;
        if (t[i].word == "one" && i >= 1 && is_word(t, i - 1, "no")) {
            n.first = i - 1;
            n.count = {0, 0, 0, false}; // "no one was killed"
            return n;
        }
        // "a dozen", "twenty-one", "a hundred"
        if ((t[i].word == "a" || t[i].word == "an") && i + 1 < t.size()) {
            const auto next = r.number_words.find(t[i + 1].word);
            if (next != r.number_words.end() && next->second >= 12) {
                value = next->second;
                n.last = i + 1;
            }
        } else if (value >= 20 && value < 100 && value % 10 == 0 && i + 1 < t.size()) {
            const auto next = r.number_words.find(t[i + 1].word);
            if (next != r.number_words.end() && next->second < 10 && t[i + 1].word != "a" &&
                t[i + 1].word != "an") {
                value += next->second;
                n.last = i + 1;
            }
        }
    }
    if (value < 0) {
        return std::nullopt;
    }
    // "between three and five"
    if (ranges && i >= 1 && is_word(t, i - 1, "between") && is_word(t, n.last + 1, "and")) {
        if (const auto hi = number_at(t, n.last + 2, false); hi && hi->count.best) {
            n.first = i - 1;
            n.last = hi->last;
            n.count.low = value;
            n.count.high = *hi->count.best;
            n.count.best = value;
            return n;
        }
    }
    // "three and five" after "between": a range ending here
    if (ranges && i >= 3 && is_word(t, i - 1, "and") && is_word(t, i - 3, "between")) {
        if (const auto lo = number_at(t, i - 2, false); lo && lo->count.best) {
            n.first = i - 3;
            n.count = {*lo->count.best, *lo->count.best, value, false};
            return n;
        }
    }
    // The modifier before the number, or before its article ("more than a dozen").
    const std::size_t base =
        i >= 1 && value >= 12 && (is_word(t, i - 1, "a") || is_word(t, i - 1, "an")) ? i - 1 : i;
    n.first = base;
    std::string effect = "exact";
    for (std::size_t back = 1; back <= 3 && back <= base; ++back) {
        if (const auto *m = phrase_at(t, base - back, r.number_modifiers, len);
            m != nullptr && len == back) {
            effect = m->columns.at(0);
            n.first = base - back;
            break;
        }
    }
    if (effect == "vague") {
        n.vague = true;
        return n;
    }
    if (effect == "exact") {
        n.count = {value, value, value, false};
    } else if (effect == "at_least") {
        n.count = {value, value, std::nullopt, false};
    } else if (effect == "more_than") {
        n.count = {value + 1, value + 1, std::nullopt, false};
    } else if (effect == "up_to") {
        n.count = {value, std::nullopt, value, false};
    } else {
        n.count = {value, std::nullopt, std::nullopt, false};
    }
    return n;
}

/// The noun a count belongs to: the first word within three after the number.
bool counts_people(const std::vector<Token> &t, std::size_t last, bool &next_is_casualty) {
    const auto &r = detail::rules();
    next_is_casualty = false;
    for (std::size_t k = last + 1; k < t.size() && k <= last + 4; ++k) {
        if (t[k].punct && t[k].word != "\xe2\x80\x9c" && t[k].word != "\"") {
            return false;
        }
        if (t[k].punct) {
            continue;
        }
        if (r.is_person_noun(t[k].word)) {
            return true;
        }
        std::size_t len = 0;
        if (phrase_at(t, k, r.casualty_words, len) != nullptr) {
            next_is_casualty = k == last + 1;
            return next_is_casualty;
        }
        if (t[k].word == "of" && k + 1 < t.size() &&
            (t[k + 1].word == "them" || t[k + 1].word == "those" || t[k + 1].word == "whom")) {
            return true; // "killing two of them"
        }
        if (t[k].word == "of" || t[k].word == "and" || t[k].word == "were" || t[k].word == "was" ||
            t[k].digits) {
            return false;
        }
    }
    return false;
}

/// The people counted by the number phrase nearest to a casualty word at @p k, looking back
/// within the clause, then forward ("killing at least two people").
std::optional<Count> count_for(const std::vector<Token> &t, std::size_t k,
                               const std::vector<bool> &casualty_token) {
    const auto try_at = [&](std::size_t j) -> std::optional<NumberAt> {
        auto n = number_at(t, j);
        if (!n || n->vague) {
            return n;
        }
        bool direct = false;
        // "six were injured": the number is the subject of the casualty verb
        const bool subject = n->last + 2 < t.size() &&
                             (is_word(t, n->last + 1, "were") || is_word(t, n->last + 1, "was")) &&
                             casualty_token[std::min(n->last + 2, t.size() - 1)];
        if (!subject && !counts_people(t, n->last, direct) && !direct) {
            // "all three were killed", "Three killed in ..."
            const bool all = j >= 1 && (is_word(t, j - 1, "all") || is_word(t, j - 1, "the"));
            if (!(all && n->last + 1 < t.size() &&
                  (is_word(t, n->last + 1, "were") || is_word(t, n->last + 1, "died")))) {
                return std::nullopt;
            }
        }
        if (n->count.best == 0) {
            return n;
        }
        if ((t[j].word == "a" || t[j].word == "an" || t[j].word == "one") && n->last == j) {
            // "a Chinese worker": one person only before a singular noun
            bool singular = false;
            for (std::size_t q = j + 1; q < t.size() && q <= j + 4; ++q) {
                if (detail::rules().is_person_noun(t[q].word)) {
                    singular = t[q].word.back() != 's' && t[q].word != "people" &&
                               t[q].word != "men" && t[q].word != "children" &&
                               t[q].word != "police" && t[q].word != "personnel";
                    break;
                }
            }
            if (!singular) {
                return std::nullopt;
            }
        }
        return n;
    };
    const auto excluded = [&](std::size_t first) {
        // "including three intruders", "among them two guards": part of the total
        for (std::size_t b = 1; b <= 3 && b <= first; ++b) {
            if (is_word(t, first - b, "including") || is_word(t, first - b, "among") ||
                is_word(t, first - b, "incl") ||
                (b < first && is_word(t, first - b, "with") &&
                 is_word(t, first - b - 1, "together"))) {
                return true;
            }
        }
        return false;
    };
    const auto partial = [&](std::size_t from, std::size_t to) {
        for (std::size_t q = from; q < to && q < t.size(); ++q) {
            if (is_word(t, q, "also") || is_word(t, q, "another") || is_word(t, q, "additional")) {
                return true;
            }
        }
        return false;
    };
    for (std::size_t back = 1; back <= 14 && back <= k; ++back) {
        const std::size_t j = k - back;
        if (t[j].word == ";" || casualty_token[j]) {
            break;
        }
        if (is_word(t, j, "when") || is_word(t, j, "after") || is_word(t, j, "which")) {
            break;
        }
        auto n = try_at(j);
        if (!n) {
            continue;
        }
        if (n->vague) {
            return std::nullopt;
        }
        if (excluded(n->first)) {
            continue;
        }
        Count c = n->count;
        c.partial = partial(n->last + 1, k) || (n->first > 0 && partial(n->first - 1, n->first));
        if (c.partial) {
            c.high.reset(); // "two guards also died": at least two
        }
        return c;
    }
    for (std::size_t j = k + 1; j < t.size() && j <= k + 8; ++j) {
        if (t[j].punct || casualty_token[j]) {
            break;
        }
        auto n = try_at(j);
        if (n && n->vague) {
            return std::nullopt;
        }
        if (n && !excluded(n->first)) {
            return n->count;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Count> parse_number_phrase(std::string_view phrase) {
    const auto t = detail::tokenize(phrase);
    for (std::size_t i = 0; i < t.size(); ++i) {
        auto n = number_at(t, i);
        if (!n) {
            continue;
        }
        if (n->vague) {
            return std::nullopt;
        }
        // A modifier further on ("more than a dozen": the number starts at "a").
        return n->count;
    }
    return std::nullopt;
}

Casualties find_casualties(std::string_view sentence) {
    const auto t = detail::tokenize(sentence);
    const auto &r = detail::rules();
    std::vector<bool> casualty(t.size(), false);
    std::vector<std::pair<std::size_t, bool>> hits; // token, killed?
    for (std::size_t i = 0; i < t.size(); ++i) {
        std::size_t len = 0;
        if (const auto *p = phrase_at(t, i, r.casualty_words, len); p != nullptr) {
            for (std::size_t k = i; k < i + len; ++k) {
                casualty[k] = true;
            }
            hits.emplace_back(i + len - 1, p->columns.at(0) == "killed");
            i += len - 1;
        }
    }
    // Dates are not counts ("the November 28 killing").
    Casualties out;
    const auto dates = find_dates(sentence, "2000-01-01");
    std::vector<Token> masked = t;
    for (auto &tok : masked) {
        for (const auto &d : dates) {
            if (tok.begin >= d.begin && tok.end <= d.end && tok.digits) {
                tok.word = "#";
            }
        }
    }
    // "no casualties were reported", "no deaths": nobody was killed.
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
        if (t[i].word == "no" && (t[i + 1].word == "casualties" || t[i + 1].word == "deaths" ||
                                  t[i + 1].word == "fatalities")) {
            out.killed = Count{0, 0, 0, false};
        }
    }
    for (const auto &[k, killed] : hits) {
        auto &slot = killed ? out.killed : out.injured;
        if (slot) {
            continue;
        }
        slot = count_for(masked, k, casualty);
    }
    return out;
}

std::vector<EventTrigger> find_triggers(std::string_view sentence) {
    const auto t = detail::tokenize(sentence);
    std::vector<EventTrigger> out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        std::size_t len = 0;
        if (const auto *p = phrase_at(t, i, detail::rules().event_triggers, len); p != nullptr) {
            EventTrigger e;
            e.begin = t[i].begin;
            e.end = t[i + len - 1].end;
            e.event_type = p->columns.at(0);
            e.sub_event_type = p->columns.size() > 1 ? p->columns[1] : "";
            e.weight = p->columns.size() > 2 ? to_int(p->columns[2]) : 1;
            out.push_back(std::move(e));
            i += len - 1;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const EventTrigger &a, const EventTrigger &b) {
        return a.weight > b.weight;
    });
    return out;
}

namespace {

bool breaks_clause(const Token &t) {
    return (t.punct &&
            (t.word == "," || t.word == ";" || t.word == ":" || t.word == "(" || t.word == ")")) ||
           (!t.punct &&
            (t.word == "and" || t.word == "but" || t.word == "which" || t.word == "who" ||
             t.word == "where" || t.word == "when" || t.word == "while" || t.word == "that"));
}

/// Capitalised words that never start a place name.
bool never_place(const Token &t) {
    static const std::string_view words[] = {
        "the",        "a",         "an",       "on",        "in",       "at",        "of",
        "and",        "but",       "for",      "to",        "after",    "before",    "this",
        "that",       "these",     "those",    "it",        "its",      "he",        "she",
        "they",       "we",        "our",      "his",       "her",      "their",     "there",
        "here",       "what",      "who",      "why",       "how",      "when",      "where",
        "since",      "although",  "however",  "meanwhile", "speaking", "according", "officials",
        "tensions",   "president", "minister", "file",      "summary",  "recent",    "state",
        "committee",  "security",  "national", "foreign",   "interior", "chinese",   "embassy",
        "government", "taliban",   "islamic",  "afp",       "reuters",  "several",   "two",
        "three",      "five",      "most",     "both",      "among",    "in",        "beijing",
        "as",         "with",      "by",       "from",      "while",    "despite",   "for",
        "now",        "political", "regional", "claims",    "weapons",  "workers",   "afghans",
        "observers",  "analysts"};
    return t.punct || t.digits ||
           std::find(std::begin(words), std::end(words), t.word) != std::end(words);
}

} // namespace

std::vector<PlaceMention> find_places(std::string_view sentence, const Gazetteer &gazetteer) {
    const auto t = detail::tokenize(sentence);
    const auto &r = detail::rules();
    // Origin scopes: from an origin phrase to the next clause break.
    std::vector<bool> origin(t.size(), false);
    std::vector<bool> cue_location(t.size(), false);
    for (std::size_t i = 0; i < t.size(); ++i) {
        std::size_t len = 0;
        const auto *p = phrase_at(t, i, r.place_cues, len);
        if (p == nullptr) {
            continue;
        }
        if (p->columns.at(0) == "origin") {
            // The origin is named right after its cue ("from villages in Afghanistan's
            // Badakhshan province"); a place further on is not ("from across the border
            // damaged homes in Ishkoshim district").
            for (std::size_t k = i + len; k < t.size() && k < i + len + 5 && !breaks_clause(t[k]);
                 ++k) {
                origin[k] = true;
            }
        } else {
            cue_location[i + len - 1] = true;
        }
        i += len - 1;
    }
    std::vector<PlaceMention> out;
    std::string country_context;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!t[i].cap || never_place(t[i])) {
            continue;
        }
        // The longest run of capitalised words (up to 4) that resolves.
        std::size_t run = 1;
        while (run < 4 && i + run < t.size() && t[i + run].cap && !t[i + run].punct &&
               !t[i + run - 1].possessive && !t[i + run].digits &&
               admin_word_kind(t[i + run].word).empty()) {
            ++run;
        }
        // Role: a locative word before the mention, skipping articles, adjectives and a
        // possessive country ("in the remote Khatron region", "in Tajikistan's Darboz region").
        PlaceRole role = PlaceRole::other;
        std::string context_country;
        for (std::size_t back = 1; back <= 4 && back <= i; ++back) {
            const auto &b = t[i - back];
            if (cue_location[i - back]) {
                role = PlaceRole::location;
                break;
            }
            if (b.punct || b.digits || (b.cap && !b.possessive)) {
                break;
            }
        }
        if (role == PlaceRole::other && !out.empty()) {
            // A list continues the role of its first member ("in Kabul, Khost and ...").
            const auto between = sentence.substr(out.back().end, t[i].begin - out.back().end);
            if (between == ", " || between == " and " || between == ", and " || between == " or ") {
                role = out.back().role;
            }
        }
        if (origin[i]) {
            role = PlaceRole::origin;
        }
        if (i >= 1 && t[i - 1].possessive && t[i - 1].cap) {
            context_country = country_context;
        }
        PlaceMention best;
        std::size_t best_len = 0;
        for (std::size_t n = run; n >= 1; --n) {
            std::size_t end_tok = i + n - 1;
            std::string kind_hint;
            if (end_tok + 1 < t.size() && !t[end_tok].possessive && !t[end_tok + 1].punct) {
                const auto k = admin_word_kind(t[end_tok + 1].word);
                if (!k.empty() && k != "country") {
                    kind_hint = std::string(k);
                    ++end_tok;
                }
            }
            const auto text = sentence.substr(t[i].begin, t[end_tok].end - t[i].begin);
            ResolveOptions options;
            options.country = context_country;
            // Bare words need a near-exact match; a cue or an admin word allows spelling
            // variants ("Khatron region").
            options.min_score = !kind_hint.empty() ? 0.72 : role != PlaceRole::other ? 0.80 : 0.88;
            ResolveResult result;
            try {
                result = gazetteer.resolve(text, options);
                if (!result.matched && !kind_hint.empty()) {
                    // "Darboz region": the admin word may name the wrong level.
                    result = gazetteer.resolve(
                        sentence.substr(t[i].begin, t[i + n - 1].end - t[i].begin), options);
                }
            } catch (const Error &) {
                continue;
            }
            if (!result.matched || result.candidates.empty()) {
                if (n == 1 && kind_hint == "populated_place" && role == PlaceRole::location) {
                    // "Kavo village": a village the gazetteer does not know, kept by name.
                    best.text = std::string(text);
                    best.kind = "populated_place";
                    best.score = 0.6;
                    best.begin = t[i].begin;
                    best.end = t[end_tok].end;
                    best_len = end_tok - i + 1;
                }
                continue;
            }
            const auto &c = result.candidates.front();
            best.begin = t[i].begin;
            best.end = t[end_tok].end;
            best.text = std::string(text);
            best.id = c.id;
            best.name = c.name;
            best.kind = c.kind;
            best.country = c.country;
            best.admin1 = c.admin1;
            best.admin2 = c.admin2;
            best.score = c.score * (c.ambiguous ? 0.8 : 1.0);
            best_len = end_tok - i + 1;
            break;
        }
        if (best_len == 0) {
            continue;
        }
        best.role = role;
        if (best.kind == "country") {
            if (t[i + best_len - 1].possessive ||
                (i + best_len < t.size() && t[i + best_len].cap)) {
                country_context = best.country; // "Tajikistan's ...", "Tajik border guards"
                best.role = role == PlaceRole::origin ? role : PlaceRole::other;
            } else {
                country_context = best.country;
            }
        }
        out.push_back(best);
        i += best_len - 1;
    }
    // "Kavo village of Shamsiddin Shohin district": the district is the village's context.
    for (std::size_t k = 0; k + 1 < out.size(); ++k) {
        auto &a = out[k];
        const auto &b = out[k + 1];
        const auto between = sentence.substr(a.end, b.begin - a.end);
        if (a.kind == "populated_place" && a.id.empty() &&
            (b.kind == "admin2" || b.kind == "admin1") &&
            (between == " of " || between == ", " || between == " in ")) {
            a.admin2 = b.kind == "admin2" ? b.name : "";
            a.admin1 = b.admin1.empty() ? b.name : b.admin1;
            a.country = b.country;
            a.score = 0.6 * b.score + 0.3;
            out[k + 1].role = PlaceRole::other;
        }
    }
    return out;
}

} // namespace borderwatch
