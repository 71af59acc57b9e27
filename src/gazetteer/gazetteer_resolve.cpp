// Resolving a query: parse context ("Darvoz, Tajikistan", "Afghanistan's Badakhshan
// province", "in Khatlon region of Tajikistan"), look the name up exactly (plain key, then
// phonetic key and name parts), fall back to the consonant skeleton (Arabic script) and
// fuzzy matching, filter, rank, and flag ambiguity.
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/utf8.hpp>

#include "gazetteer/detail/analysis.hpp"
#include "gazetteer/detail/gazetteer_impl.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace borderwatch {

namespace {

using detail::Analysed;
using detail::Place;
using detail::Posting;

constexpr double ambiguity_window = 0.10;
// A bare name prefers a populated place over an admin unit that scores at most this much
// better: 1.00 official name vs 0.95 known variant or 0.92 same phonetic key ("Ishkoshim" is
// the district's official name and, by its phonetic key, the town Ishqoshim), not a fuzzy
// neighbour.
constexpr double bare_name_window = 0.08;
constexpr double score_epsilon = 1e-4;
// Fuzzy confidence = 0.9 x similarity^2 (detail::variant_similarity): one wrong letter in a
// 9-letter key (0.71) still passes the default threshold 0.70, one in 7 letters (0.66:
// "Taliban" ~ "Taleqan") does not; a romanisation slip costs half a letter, so "Shahrituz"
// for Shahritus (s/z) scores 0.80 and "Shamsiddin Shohn" (a dropped vowel) 0.85.
constexpr double fuzzy_scale = 0.90;
constexpr double context_mismatch_factor = 0.90;

struct Candidate {
    std::uint32_t place = 0;
    std::uint32_t name = 0;
    double score = 0.0;
};

void merge(std::vector<Candidate> &out, const std::vector<Posting> *postings, double factor = 1.0) {
    if (postings == nullptr) {
        return;
    }
    for (const auto &p : *postings) {
        const double score = p.score * factor;
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const Candidate &c) { return c.place == p.place; });
        if (it == out.end()) {
            out.push_back({p.place, p.name, score});
        } else if (score > it->score) {
            it->name = p.name;
            it->score = score;
        }
    }
}

const std::vector<Posting> *find(const detail::KeyIndex &index, const std::string &key) {
    if (key.empty()) {
        return nullptr;
    }
    auto it = index.find(key);
    return it == index.end() ? nullptr : &it->second;
}

bool has_arabic_script(std::string_view text) {
    // UTF-8 lead bytes 0xD8..0xDB encode U+0600..U+06FF (Arabic, incl. Persian letters).
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0xD8 && u <= 0xDB;
    });
}

double distance_km(const PlaceMatch &a, const PlaceMatch &b) {
    constexpr double deg = 3.14159265358979323846 / 180.0;
    const double dx = (b.lon - a.lon) * std::cos((a.lat + b.lat) * 0.5 * deg) * 111.32;
    const double dy = (b.lat - a.lat) * 110.57;
    return std::sqrt(dx * dx + dy * dy);
}

/// One contains the other (country > admin1 > admin2 > place) or both are the same point
/// place listed twice: such pairs are not an ambiguity, just levels of the same answer.
bool nested(const Place &a, std::uint32_t ia, const Place &b, std::uint32_t ib) {
    if (a.view.country != b.view.country) {
        return false;
    }
    if (a.rank == 0 || b.rank == 0) {
        return true;
    }
    if (ia == b.admin1_index || ib == a.admin1_index || ia == b.admin2_index ||
        ib == a.admin2_index) {
        return true;
    }
    return a.rank >= 3 && b.rank >= 3 && distance_km(a.view, b.view) < 5.0;
}

/// The query split into the name and its context phrases.
struct ParsedQuery {
    std::vector<NameToken> name;
    std::vector<std::vector<NameToken>> contexts;
};

/// "near X", "in the outskirts of X", "border post in X", "X area": the words around the
/// name go (at least one word is always kept).
std::vector<NameToken> drop_leading_stop_words(std::vector<NameToken> tokens) {
    const auto filler = [](const NameToken &t) {
        return detail::is_stop_word(t.text) || detail::is_filler_word(t.text);
    };
    std::size_t i = 0;
    while (i + 1 < tokens.size() && filler(tokens[i])) {
        ++i;
    }
    tokens.erase(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(i));
    while (tokens.size() > 1 && detail::is_filler_word(tokens.back().text)) {
        tokens.pop_back();
    }
    return tokens;
}

bool is_connector(std::string_view w) {
    return w == "of" || w == "in" || w == "near" || w == "at";
}

ParsedQuery parse_context(const std::string &folded) {
    ParsedQuery q;
    std::vector<std::vector<NameToken>> segments;
    std::string segment;
    for (std::size_t i = 0; i <= folded.size(); ++i) {
        const char c = i < folded.size() ? folded[i] : ',';
        if (c == ',' || c == ';' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']') {
            auto tokens = drop_leading_stop_words(tokenize_folded(segment));
            if (!tokens.empty()) {
                segments.push_back(std::move(tokens));
            }
            segment.clear();
        } else {
            segment.push_back(c);
        }
    }
    if (segments.empty()) {
        return q;
    }
    auto main = std::move(segments.front());
    for (std::size_t i = 1; i < segments.size(); ++i) {
        q.contexts.push_back(std::move(segments[i]));
    }
    // "Tajikistan's Darvoz district": the owner is context.
    for (std::size_t i = 0; i + 1 < main.size(); ++i) {
        if (main[i].possessive) {
            q.contexts.emplace_back(main.begin(),
                                    main.begin() + static_cast<std::ptrdiff_t>(i + 1));
            main.erase(main.begin(), main.begin() + static_cast<std::ptrdiff_t>(i + 1));
            main = drop_leading_stop_words(std::move(main));
            break;
        }
    }
    // "Khatlon region of Tajikistan", "Kavo village in Shamsiddin Shohin district".
    std::vector<NameToken> current;
    bool in_context = false;
    for (auto &t : main) {
        if (!current.empty() && is_connector(t.text)) {
            if (in_context) {
                q.contexts.push_back(std::move(current));
            } else {
                q.name = std::move(current);
            }
            current.clear();
            in_context = true;
            continue;
        }
        current.push_back(std::move(t));
    }
    if (in_context) {
        if (!current.empty()) {
            q.contexts.push_back(std::move(current));
        }
    } else {
        q.name = std::move(current);
    }
    return q;
}

struct Filters {
    std::string country;                      ///< ISO3 or ""
    std::unordered_set<std::uint32_t> admin1; ///< admin-1 place indices (empty = any)
    std::string kind;

    [[nodiscard]] bool pass(const Gazetteer::Impl &g, const Place &p) const {
        if (!country.empty() && p.view.country != country) {
            return false;
        }
        if (!kind.empty() && p.view.kind != kind) {
            return false;
        }
        if (!admin1.empty()) {
            const auto self = static_cast<std::uint32_t>(&p - g.places.data());
            if (admin1.count(self) == 0 && admin1.count(p.admin1_index) == 0) {
                return false;
            }
        }
        return true;
    }
};

/// Exact lookups (plain key, phonetic key incl. name parts) for an analysed name.
std::vector<Candidate> exact_candidates(const Gazetteer::Impl &g, const Analysed &a) {
    std::vector<Candidate> out;
    if (a.empty()) {
        return out;
    }
    const auto plain = a.plain();
    merge(out, find(g.plain, plain));
    // A key far shorter than the words is mostly collapsed repeats ("xxxxxxxy" -> "hi"):
    // not a spelling variant of anything.
    const auto phonetic = a.phonetic();
    if (phonetic.size() * 2 + 2 >= plain.size()) {
        merge(out, find(g.phonetic, phonetic));
    }
    return out;
}

/// Everything about a query that does not depend on the options: computed once per thread
/// and query (ICU transliteration, tokenizing and the exact lookups are the costly part).
struct QueryAnalysis {
    bool arabic = false;
    Analysed whole;                     ///< the whole query as a name
    std::vector<Candidate> whole_exact; ///< its exact hits (unfiltered)
    bool has_context = false;           ///< the query has a name part and context phrases
    Analysed context_name;              ///< the name part
    std::vector<Candidate> context_exact;
    std::vector<std::vector<std::uint32_t>> contexts; ///< units each context phrase names
};

QueryAnalysis compute_analysis(const Gazetteer::Impl &g, std::string_view trimmed) {
    QueryAnalysis qa;
    const std::string folded = fold_to_ascii(trimmed);
    qa.arabic = has_arabic_script(trimmed);
    const auto tokens = drop_leading_stop_words(tokenize_folded(folded));
    qa.whole = detail::analyse(tokens, 0, tokens.size());
    qa.whole_exact = exact_candidates(g, qa.whole);
    // Context phrases need a separator, a possessive or a connector word.
    const bool maybe_context = folded.find_first_of(",;()/[]") != std::string::npos ||
                               std::any_of(tokens.begin(), tokens.end(), [](const NameToken &t) {
                                   return t.possessive || is_connector(t.text);
                               });
    if (!maybe_context) {
        return qa;
    }
    auto parsed = parse_context(folded);
    if (!parsed.contexts.empty() && !parsed.name.empty()) {
        qa.has_context = true;
        qa.context_name = detail::analyse(parsed.name, 0, parsed.name.size());
        qa.context_exact = exact_candidates(g, qa.context_name);
        for (const auto &ctx : parsed.contexts) {
            std::vector<std::uint32_t> units;
            for (const auto &c : exact_candidates(g, detail::analyse(ctx, 0, ctx.size()))) {
                if (g.places[c.place].rank <= 2 && c.score >= 0.85) {
                    units.push_back(c.place);
                }
            }
            if (!units.empty()) {
                qa.contexts.push_back(std::move(units));
            }
        }
    }
    return qa;
}

const QueryAnalysis &analyse_query(const Gazetteer::Impl &g, std::string_view trimmed) {
    struct Cache {
        std::uint64_t serial = 0;
        std::unordered_map<std::string, QueryAnalysis, detail::StringHash, std::equal_to<>> entries;
    };
    thread_local Cache cache;
    if (cache.serial != g.serial) {
        cache.entries.clear();
        cache.serial = g.serial;
    }
    if (auto it = cache.entries.find(trimmed); it != cache.entries.end()) {
        return it->second;
    }
    if (cache.entries.size() >= 20000) {
        cache.entries.clear();
    }
    return cache.entries.emplace(std::string(trimmed), compute_analysis(g, trimmed)).first->second;
}

} // namespace

ResolveResult Gazetteer::resolve(std::string_view query, const ResolveOptions &options) const {
    const auto &g = *m_impl;
    if (query.size() > max_query_bytes) {
        throw InputError({}, "query is " + std::to_string(query.size()) + " bytes long (limit " +
                                 std::to_string(max_query_bytes) + ")");
    }
    // The one text rule (core/utf8): "invalid UTF-8 at byte N", "NUL at byte N", ...
    if (const auto issue = find_text_issue(query)) {
        throw InputError({}, describe_text_issue(*issue));
    }
    const auto trimmed = trim(query);
    if (trimmed.empty()) {
        throw InputError({}, "empty query");
    }

    // Hard filters from the options.
    Filters filters;
    filters.kind = options.kind;
    if (!filters.kind.empty()) {
        static const std::unordered_set<std::string> kinds{
            "country", "admin1", "admin2", "populated_place", "hydrographic", "terrain",
            "area",    "spot",   "road",   "vegetation",      "undersea",     "other"};
        if (kinds.count(filters.kind) == 0) {
            throw UsageError("unknown kind '" + filters.kind +
                             "' (country, admin1, admin2, populated_place, ...)");
        }
    }
    if (!options.country.empty()) {
        std::string upper(options.country);
        for (auto &c : upper) {
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
        }
        const bool iso3_known =
            upper.size() == 3 && std::any_of(g.places.begin(), g.places.end(), [&](const Place &p) {
                return p.view.country == upper;
            });
        if (iso3_known) {
            filters.country = upper;
        } else {
            for (const auto &c : exact_candidates(g, detail::analyse(options.country))) {
                if (g.places[c.place].view.kind == "country") {
                    filters.country = g.places[c.place].view.country;
                    break;
                }
            }
            if (filters.country.empty()) {
                throw UsageError("unknown country '" + options.country + "'");
            }
        }
    }
    if (!options.admin1.empty()) {
        for (const auto &c : exact_candidates(g, detail::analyse(options.admin1))) {
            const auto &p = g.places[c.place];
            if (p.view.kind == "admin1" &&
                (filters.country.empty() || p.view.country == filters.country)) {
                filters.admin1.insert(c.place);
            }
        }
        if (filters.admin1.empty()) {
            throw UsageError("unknown admin-1 unit '" + options.admin1 + "'");
        }
    }

    const auto &qa = analyse_query(g, trimmed);
    const bool arabic = qa.arabic;
    const auto drop_filtered = [&](std::vector<Candidate> &list) {
        list.erase(
            std::remove_if(list.begin(), list.end(),
                           [&](const Candidate &c) { return !filters.pass(g, g.places[c.place]); }),
            list.end());
    };

    // 1. The whole query as a name; 2. otherwise the name with its context phrases.
    const Analysed *name_ptr = &qa.whole;
    std::vector<Candidate> candidates = qa.whole_exact;
    drop_filtered(candidates);
    static const std::vector<std::vector<std::uint32_t>> no_contexts;
    const std::vector<std::vector<std::uint32_t>> *context_ptr = &no_contexts;
    if (candidates.empty() && qa.has_context) {
        name_ptr = &qa.context_name;
        context_ptr = &qa.contexts;
        candidates = qa.context_exact;
        drop_filtered(candidates);
    }
    const Analysed &name = *name_ptr;
    const auto &contexts = *context_ptr;

    // 3. Arabic script: the consonant skeleton (short vowels are not written).
    std::string key;
    if (arabic || candidates.empty()) {
        key = name.phonetic();
        if (key.size() * 2 + 2 < name.plain().size()) {
            key.clear(); // collapsed repeats, see exact_candidates()
        }
    }
    // Also consulted when the admin word asks for a kind no exact hit has, so "ولایت کندز"
    // reaches the province even though only the town has an Arabic-script name.
    if (arabic) {
        const bool hint_unmet =
            !name.kind_hint.empty() &&
            std::none_of(candidates.begin(), candidates.end(), [&](const Candidate &c) {
                return g.places[c.place].view.kind == name.kind_hint;
            });
        if (candidates.empty() || hint_unmet) {
            const bool none = candidates.empty();
            std::vector<Candidate> skeleton;
            merge(skeleton, find(g.skeleton, detail::consonant_skeleton(key)));
            for (const auto &c : skeleton) {
                if (none || g.places[c.place].view.kind == name.kind_hint) {
                    candidates.push_back(c);
                }
            }
            drop_filtered(candidates);
        }
    }
    // 4. Fuzzy: the trigram index finds keys by plain edit distance, the confidence comes
    // from the variant similarity (romanisation noise costs half an edit: "Shahrituz" is
    // one voiced/voiceless slip from "Shahritus", not a whole wrong letter).
    const auto fuzzy = [&](double min_similarity) {
        std::vector<Candidate> out;
        if (key.empty()) {
            return out;
        }
        // variant >= s implies plain edit similarity >= 1 - 2 (1 - s).
        const double plain_min = std::max(0.3, 1.0 - 2.0 * (1.0 - min_similarity));
        for (const auto &hit : g.fuzzy.search(key, 16, plain_min)) {
            const auto &hit_key = g.fuzzy.key(hit.key);
            const double similarity = detail::variant_similarity(key, hit_key);
            if (similarity + 1e-9 < min_similarity) {
                continue;
            }
            merge(out, find(g.phonetic, hit_key), fuzzy_scale * similarity * similarity / 0.92);
        }
        drop_filtered(out);
        return out;
    };
    if (candidates.empty()) {
        // Only keys that can still reach min_score are worth verifying.
        candidates = fuzzy(std::clamp(std::sqrt(options.min_score / fuzzy_scale) - 1e-6, 0.3, 1.0));
    }

    // Context: keep the candidates inside every context unit that fits at least one.
    const auto apply_contexts = [&](std::vector<Candidate> &list, bool penalise) {
        for (const auto &units : contexts) {
            const auto inside = [&](const Candidate &c) {
                const auto &p = g.places[c.place];
                return std::any_of(units.begin(), units.end(), [&](std::uint32_t u) {
                    const auto &unit = g.places[u];
                    return c.place == u ||
                           (unit.rank == 0 && p.view.country == unit.view.country) ||
                           p.admin1_index == u || p.admin2_index == u;
                });
            };
            if (std::any_of(list.begin(), list.end(), inside)) {
                list.erase(std::remove_if(list.begin(), list.end(),
                                          [&](const Candidate &c) { return !inside(c); }),
                           list.end());
            } else if (penalise) {
                for (auto &c : list) {
                    c.score *= context_mismatch_factor; // the context contradicts every candidate
                }
            }
        }
    };
    apply_contexts(candidates, true);

    const auto better = [&](const Candidate &x, const Candidate &y) {
        if (std::abs(x.score - y.score) > score_epsilon) {
            return x.score > y.score;
        }
        const auto &a = g.places[x.place];
        const auto &b = g.places[y.place];
        if (a.rank != b.rank) {
            return a.rank < b.rank;
        }
        if (a.population != b.population) {
            return a.population > b.population;
        }
        if (a.border_km != b.border_km) {
            return a.border_km < b.border_km;
        }
        return a.view.id < b.view.id;
    };
    std::sort(candidates.begin(), candidates.end(), better);

    ResolveResult result;
    const auto to_match = [&](const Candidate &c) {
        PlaceMatch m = g.places[c.place].view;
        m.query = std::string(query);
        m.matched = g.names[c.name].text;
        m.score = std::round(c.score * 1000.0) / 1000.0;
        return m;
    };
    if (candidates.empty() || candidates.front().score + score_epsilon < options.min_score) {
        auto near = candidates.empty() ? fuzzy(0.30) : candidates;
        apply_contexts(near, false);
        std::sort(near.begin(), near.end(), better);
        std::unordered_set<std::string> seen;
        for (const auto &c : near) {
            const auto &p = g.places[c.place].view;
            auto text = p.name + " (" + p.kind + ", " + p.country + ")";
            if (seen.insert(text).second) {
                result.suggestions.push_back(std::move(text));
            }
            if (result.suggestions.size() == 5) {
                break;
            }
        }
        // "Kavo village of Shamsiddin Shohin district": the unit the query named is a
        // useful fallback (at its own, coarser precision).
        for (const auto &units : contexts) {
            for (auto u : units) {
                const auto &p = g.places[u].view;
                auto text = p.name + " (" + p.kind + ", " + p.country + ")";
                if (seen.insert(text).second) {
                    result.suggestions.push_back(std::move(text));
                }
            }
        }
        return result;
    }

    // Which kind the text means -- the one rule, here. An admin word ("district", "province",
    // "ولسوالی", "town") asks for its kind among the near-equal candidates. A bare name means
    // the populated place (geoparser and ACLED practice: "Vanj", "Kabul", "Fayzabad" are the
    // towns, reported with their district and province as context); the unit only when the
    // text names it ("Vanj district") or --kind asks for it.
    const double floor = candidates.front().score - ambiguity_window - score_epsilon;
    std::size_t window = 0;
    while (window < candidates.size() && candidates[window].score >= floor) {
        ++window;
    }
    const bool bare = name.kind_hint.empty();
    const std::string_view wanted = bare ? std::string_view("populated_place") : name.kind_hint;
    std::size_t preferred = window;
    if (bare) {
        // Only a place that matched (almost) as well as the unit: an exact name or a known
        // variant of it, not a mere spelling neighbour of a unit's official name.
        const double bare_floor = candidates.front().score - bare_name_window - score_epsilon;
        preferred = 0;
        while (preferred < window && candidates[preferred].score >= bare_floor) {
            ++preferred;
        }
    }
    {
        const auto fits = [&](const Candidate &c) { return g.places[c.place].view.kind == wanted; };
        // "ولسوالی بلخ", "Khulm district": the text asks for a unit, but only the town is
        // known by that name. A seat's district (PPLA2 and up) or a capital's province
        // (PPLA, PPLC) is named after it: take that unit, at the town's score.
        if (!bare && (wanted == "admin2" || wanted == "admin1") &&
            std::none_of(candidates.begin(),
                         candidates.begin() + static_cast<std::ptrdiff_t>(window), fits)) {
            const auto &town = g.places[candidates.front().place];
            const auto &code = town.feature_code;
            const bool seat = wanted == "admin2"
                                  ? (code == "PPLA" || code == "PPLA2" || code == "PPLC")
                                  : (code == "PPLA" || code == "PPLC");
            const auto unit = wanted == "admin2" ? town.admin2_index : town.admin1_index;
            if (town.view.kind == "populated_place" && seat && unit != detail::no_place &&
                filters.pass(g, g.places[unit])) {
                Candidate c = candidates.front();
                c.place = unit;
                candidates.insert(candidates.begin(), c);
                ++window;
                ++preferred;
            }
        }
        const auto first = candidates.begin();
        const auto last = first + static_cast<std::ptrdiff_t>(preferred);
        if (std::any_of(first, last, fits)) {
            const auto split = std::stable_partition(first, last, fits);
            if (!bare) {
                // The text named the kind: other kinds are not rivals.
                window = static_cast<std::size_t>(split - first);
            }
        }
    }

    // Ambiguity: unrelated candidates (not nested in each other) within the window.
    std::vector<std::size_t> chosen{0};
    for (std::size_t i = 1; i < window && chosen.size() < 6; ++i) {
        const auto &p = g.places[candidates[i].place];
        const bool related = std::any_of(chosen.begin(), chosen.end(), [&](std::size_t k) {
            return nested(g.places[candidates[k].place], candidates[k].place, p,
                          candidates[i].place);
        });
        if (!related) {
            chosen.push_back(i);
        }
    }
    const bool ambiguous = chosen.size() > 1;
    for (std::size_t i = 0;
         i < candidates.size() && chosen.size() < std::max<std::size_t>(options.top, 1); ++i) {
        if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) {
            chosen.push_back(i);
        }
    }
    result.matched = true;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        auto m = to_match(candidates[chosen[k]]);
        m.ambiguous = ambiguous;
        result.candidates.push_back(std::move(m));
    }
    return result;
}

std::string describe_place(const PlaceMatch &place) {
    std::string out = place.name + " (" + place.kind;
    if (!place.admin1.empty() && place.admin1 != place.name) {
        out += ", " + place.admin1;
    }
    out += ", " + place.country + ", " + format_fixed(place.lon, 6) + "," +
           format_fixed(place.lat, 6) + ")";
    return out;
}

std::string ambiguity_note(const ResolveResult &result) {
    if (!result.matched || result.candidates.empty() || !result.candidates.front().ambiguous) {
        return {};
    }
    const auto &used = result.candidates.front();
    std::string out = "'" + used.query + "' is ambiguous; used " + describe_place(used);
    std::string others;
    for (std::size_t i = 1; i < result.candidates.size(); ++i) {
        const auto &c = result.candidates[i];
        if (c.score + ambiguity_window + score_epsilon < used.score ||
            (c.country == used.country && (c.name == used.admin1 || c.name == used.admin2))) {
            continue; // not a rival: a further candidate, or the used place's own unit
        }
        others += (others.empty() ? "" : ", ") + describe_place(c);
    }
    if (!others.empty()) {
        out += "; also matched " + others;
    }
    return out + "; to choose, add context ('" + used.query +
           ", <province or country>') or give LON,LAT";
}

} // namespace borderwatch
