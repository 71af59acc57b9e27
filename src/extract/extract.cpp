// Articles -> reports (one per event a paragraph describes) -> candidates (reports of the
// same event merged across articles) -> CSV / JSON.
#include "extract/detail/article.hpp"
#include "extract/detail/rules.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/normalize.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include "incidents/field_visit.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace borderwatch {

namespace {

/// What one paragraph (or part of one) reports about one event.
struct Report {
    std::size_t article = 0;
    std::size_t order = 0; ///< position over all articles, for stable output
    std::optional<DateSpan> date;
    double date_confidence = 0.0;
    std::vector<PlaceMention> places; ///< the event's locations (one candidate each)
    std::optional<PlaceMention> origin;
    std::string event_type;
    std::string sub_event_type;
    int weight = 0;
    std::optional<Count> killed;
    std::optional<Count> injured;
    std::string actor1;
    std::string actor2;
    std::string target;
    std::vector<FieldEvidence> evidence;
    std::size_t last_sentence = 0;
    bool aggregate = false;
};

int place_rank(const std::string &kind) {
    if (kind == "populated_place" || kind == "spot") {
        return 4;
    }
    if (kind == "admin2") {
        return 3;
    }
    if (kind == "admin1") {
        return 2;
    }
    if (kind == "country") {
        return 0;
    }
    return 1;
}

long day_of(const std::string &iso) {
    long d = 0;
    detail::parse_iso_day(iso, d);
    return d;
}

bool overlaps(const DateSpan &a, const DateSpan &b) {
    return day_of(a.start) <= day_of(b.end) && day_of(b.start) <= day_of(a.end);
}

/// Finer precision classes: day and range (0) before week (1), month (2), year (3).
int date_class(DatePrecision p) {
    switch (p) {
    case DatePrecision::day:
    case DatePrecision::range:
        return 0;
    case DatePrecision::week:
        return 1;
    case DatePrecision::month:
        return 2;
    case DatePrecision::year:
        return 3;
    }
    return 3;
}

double date_confidence(const DateSpan &d) {
    switch (date_class(d.precision)) {
    case 0:
        return d.relative ? 0.85 : 0.95;
    case 1:
        return 0.75;
    case 2:
        return 0.7;
    default:
        return 0.3;
    }
}

std::string actor_name(const std::string &pattern, const std::string &origin_country) {
    std::string out = pattern;
    const auto pos = out.find("{origin}");
    if (pos != std::string::npos) {
        out.replace(pos, 8, origin_country.empty() ? "" : " (from " + origin_country + ")");
    }
    return out;
}

bool is_aggregate(const std::vector<detail::Token> &t) {
    static const std::string_view quantifiers[] = {"two",    "three", "several", "multiple",
                                                   "series", "both",  "many",    "numerous"};
    static const std::string_view nouns[] = {"attacks",  "strikes",       "incursions",
                                             "clashes",  "infiltrations", "incidents",
                                             "assaults", "airstrikes"};
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::find(std::begin(nouns), std::end(nouns), t[i].word) == std::end(nouns)) {
            continue;
        }
        for (std::size_t b = 1; b <= 3 && b <= i; ++b) {
            if (std::find(std::begin(quantifiers), std::end(quantifiers), t[i - b].word) !=
                std::end(quantifiers)) {
                return true;
            }
        }
    }
    return false;
}

struct ArticleContext {
    const Article *article = nullptr;
    std::size_t index = 0;
    std::string published;
    std::string source_name;
    std::string source_url;
};

class Extractor {
  public:
    Extractor(const Gazetteer &gazetteer, const ExtractOptions &options)
        : m_gazetteer(gazetteer), m_options(options) {}

    void add_article(const ArticleContext &ctx, std::vector<Report> &reports,
                     std::vector<std::string> &warnings);

  private:
    FieldEvidence evidence(const ArticleContext &ctx, const detail::TextSpan &s, std::string field,
                           double confidence) const {
        const auto &text = ctx.article->text;
        return {std::move(field),
                ctx.article->file,
                detail::code_points_before(text, s.begin),
                detail::code_points_before(text, s.end),
                confidence,
                text.substr(s.begin, s.end - s.begin)};
    }

    const Gazetteer &m_gazetteer;
    const ExtractOptions &m_options;
};

void Extractor::add_article(const ArticleContext &ctx, std::vector<Report> &reports,
                            std::vector<std::string> &warnings) {
    const auto &text = ctx.article->text;
    if (ctx.published.empty()) {
        warnings.push_back(ctx.article->file +
                           ": no publication date (no --published, HTML date or dateline); "
                           "relative dates are not resolved");
    }
    long published_day = 0;
    const bool have_published = detail::parse_iso_day(ctx.published, published_day);
    const auto spans = detail::sentence_spans(text);
    std::optional<Report> frame;
    std::size_t frame_paragraph = 0;
    std::string anchor;              // last event day, for "the next morning"
    std::vector<std::size_t> recent; // reports of the last sentences (for origins)
    const auto close = [&]() {
        if (frame) {
            frame->order = reports.size();
            reports.push_back(std::move(*frame));
            frame.reset();
        }
    };
    for (std::size_t si = 0; si < spans.size(); ++si) {
        const auto &s = spans[si];
        const std::string_view sentence = std::string_view(text).substr(s.begin, s.end - s.begin);
        if (frame && s.paragraph != frame_paragraph) {
            close();
        }
        const auto tokens = detail::tokenize(sentence);
        auto triggers = find_triggers(sentence);
        auto dates = find_dates(sentence, ctx.published, anchor);
        // History and the future are background: only dates near the publication day count.
        dates.erase(std::remove_if(dates.begin(), dates.end(),
                                   [&](const DateMention &d) {
                                       if (!have_published) {
                                           return true;
                                       }
                                       const long e = day_of(d.span.end);
                                       const long st = day_of(d.span.start);
                                       return st > published_day ||
                                              e < published_day - m_options.max_age_days ||
                                              d.span.precision == DatePrecision::year;
                                   }),
                    dates.end());
        const auto casualties = find_casualties(sentence);
        const bool has_trigger = !triggers.empty();
        const bool typed = has_trigger && !triggers.front().event_type.empty();
        const auto places = find_places(sentence, m_gazetteer);
        // Origins: into the report being built, or the reports of the last sentences.
        std::optional<PlaceMention> origin;
        for (const auto &p : places) {
            if (p.role == PlaceRole::origin &&
                (!origin || place_rank(p.kind) > place_rank(origin->kind))) {
                origin = p;
            }
        }
        if (origin && !has_trigger) {
            for (const auto r : recent) {
                if (r < reports.size() && !reports[r].origin) {
                    reports[r].origin = origin;
                    reports[r].evidence.push_back(evidence(ctx, s, "origin_text", 0.7));
                }
            }
            if (frame && !frame->origin) {
                frame->origin = origin;
                frame->evidence.push_back(evidence(ctx, s, "origin_text", 0.7));
            }
        }
        if (!has_trigger && !casualties.killed && !casualties.injured) {
            continue;
        }
        if (is_aggregate(tokens)) {
            continue; // "two attacks ... in the last week of November": a summary
        }
        // The event date: the one nearest the strongest trigger.
        std::optional<DateMention> date;
        if (!dates.empty()) {
            const std::size_t at = has_trigger ? triggers.front().begin : 0;
            std::size_t best = 0;
            long best_distance = -1;
            for (std::size_t k = 0; k < dates.size(); ++k) {
                const long d = std::labs(static_cast<long>(dates[k].begin) - static_cast<long>(at));
                if (best_distance < 0 || d < best_distance) {
                    best = k;
                    best_distance = d;
                }
            }
            date = dates[best];
        }
        std::vector<PlaceMention> locations;
        for (const auto &p : places) {
            if (p.role == PlaceRole::location && p.kind != "country") {
                locations.push_back(p);
            }
        }
        // A new event: a typed trigger with a date that the current report does not cover.
        const bool anchored_date =
            date && date->span.relative && date->text.find("next") != std::string::npos;
        if (frame && typed && date && frame->date && !anchored_date &&
            !overlaps(*frame->date, date->span)) {
            close();
        }
        if (frame && typed && !locations.empty() && !frame->places.empty() && date && frame->date &&
            !anchored_date && frame->places.front().admin1 != locations.front().admin1) {
            close();
        }
        if (!frame) {
            if (!has_trigger) {
                continue;
            }
            frame = Report{};
            frame->article = ctx.index;
            frame_paragraph = s.paragraph;
        }
        auto &f = *frame;
        f.last_sentence = si;
        if (typed && triggers.front().weight > f.weight) {
            f.event_type = triggers.front().event_type;
            f.sub_event_type = triggers.front().sub_event_type;
            f.weight = triggers.front().weight;
            f.evidence.push_back(
                evidence(ctx, s, "event_type", std::min(0.95, 0.5 + f.weight * 0.05)));
        }
        if (date) {
            const auto &d = date->span;
            if (!f.date) {
                f.date = d;
                f.date_confidence = date_confidence(d);
                f.evidence.push_back(evidence(ctx, s, "event_date", f.date_confidence));
            } else if (anchored_date) {
                f.date->end = std::max(f.date->end, d.end);
                f.date->precision =
                    f.date->start == f.date->end ? DatePrecision::day : DatePrecision::range;
                f.evidence.push_back(evidence(ctx, s, "event_date_end", date_confidence(d)));
            } else if (date_class(d.precision) < date_class(f.date->precision) &&
                       overlaps(d, *f.date)) {
                f.date = d; // "In December ... late on December 23"
                f.date_confidence = date_confidence(d);
                f.evidence.push_back(evidence(ctx, s, "event_date", f.date_confidence));
            }
            if (f.date && f.date->precision == DatePrecision::day) {
                anchor = f.date->end;
            } else if (f.date && f.date->precision == DatePrecision::range) {
                anchor = f.date->end;
            }
        }
        if ((has_trigger || date) && !locations.empty()) {
            const bool finer =
                !f.places.empty() &&
                place_rank(locations.front().kind) > place_rank(f.places.front().kind) &&
                f.places.size() == 1 &&
                (locations.front().admin1 == f.places.front().admin1 ||
                 f.places.front().admin1.empty());
            if (f.places.empty() || finer) {
                f.places = locations;
                double conf = 0.0;
                for (const auto &p : locations) {
                    conf = std::max(conf, p.score);
                }
                f.evidence.push_back(evidence(ctx, s, "location_text", conf));
            }
        }
        if (casualties.killed) {
            const auto &c = *casualties.killed;
            if (!f.killed || (f.killed->partial && !c.partial)) {
                f.killed = c;
                f.evidence.push_back(evidence(ctx, s, "fatalities_best", c.partial ? 0.5 : 0.85));
            }
        }
        if (casualties.injured && !f.injured) {
            f.injured = casualties.injured;
            f.evidence.push_back(evidence(ctx, s, "injured", 0.8));
        }
        if (origin && !f.origin) {
            f.origin = origin;
            f.evidence.push_back(evidence(ctx, s, "origin_text", 0.7));
        }
        // Actors and target from the actor table.
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::size_t len = 0;
            for (const auto &p : detail::rules().actors) {
                len = detail::match_phrase(tokens, i, p);
                if (len == 0) {
                    continue;
                }
                const auto &role = p.columns.at(0);
                auto &slot = role == "actor1" ? f.actor1 : role == "actor2" ? f.actor2 : f.target;
                if (slot.empty()) {
                    slot = p.columns.at(1); // {origin} is filled in when the candidate is made
                }
                break;
            }
            if (len > 0) {
                i += len - 1;
            }
        }
        recent.push_back(reports.size());
        if (recent.size() > 3) {
            recent.erase(recent.begin());
        }
    }
    close();
}

/// A cluster of reports of one event.
struct Cluster {
    std::vector<const Report *> reports;
    std::vector<const Report *> supporting; ///< undated reports of the same place and type
    PlaceMention place;
    DateSpan date;
    std::string event_type;
};

bool same_place(const PlaceMention &a, const PlaceMention &b) {
    if (!a.id.empty() && a.id == b.id) {
        return true;
    }
    if (a.country != b.country) {
        return false;
    }
    if (!a.admin2.empty() && !b.admin2.empty()) {
        return a.admin2 == b.admin2;
    }
    const auto a2 = a.kind == "admin2" ? a.name : a.admin2;
    const auto b2 = b.kind == "admin2" ? b.name : b.admin2;
    if (!a2.empty() && !b2.empty()) {
        return a2 == b2;
    }
    const auto a1 = a.kind == "admin1" ? a.name : a.admin1;
    const auto b1 = b.kind == "admin1" ? b.name : b.admin1;
    return !a1.empty() && a1 == b1;
}

std::string country_name(const Gazetteer &g, const std::string &iso3) {
    if (iso3.empty()) {
        return {};
    }
    const auto *c = g.find_by_id("iso3:" + iso3);
    return c != nullptr ? c->name : iso3;
}

std::string join_unique(const std::vector<std::string> &items) {
    std::string out;
    std::set<std::string> seen;
    for (const auto &s : items) {
        if (!s.empty() && seen.insert(s).second) {
            out += (out.empty() ? "" : "; ") + s;
        }
    }
    return out;
}

std::string id_part(const std::string &name) {
    std::string out;
    for (const char c : fold_to_ascii(name)) {
        if (std::isalpha(static_cast<unsigned char>(c)) && out.size() < 3) {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return out.empty() ? "UNK" : out;
}

} // namespace

ExtractResult extract_incidents(const std::vector<Article> &articles, const Gazetteer &gazetteer,
                                const ExtractOptions &options) {
    long check = 0;
    if (!options.published.empty() && !detail::parse_iso_day(options.published, check)) {
        throw UsageError("extract: --published '" + options.published + "' is not YYYY-MM-DD");
    }
    ExtractResult result;
    std::vector<Report> reports;
    std::vector<ArticleContext> contexts;
    Extractor extractor(gazetteer, options);
    for (std::size_t i = 0; i < articles.size(); ++i) {
        ArticleContext ctx;
        ctx.article = &articles[i];
        ctx.index = i;
        ctx.published = options.published.empty() ? articles[i].published : options.published;
        ctx.source_name = !options.source_name.empty() ? options.source_name
                          : !articles[i].source_name.empty()
                              ? articles[i].source_name
                              : std::filesystem::path(articles[i].file).filename().string();
        ctx.source_url = !options.source_url.empty() ? options.source_url : articles[i].source_url;
        contexts.push_back(ctx);
        extractor.add_article(contexts.back(), reports, result.warnings);
    }
    // Only typed, dated reports describe an event.
    std::vector<const Report *> located;
    std::vector<const Report *> unlocated;
    std::vector<const Report *> undated;
    for (const auto &r : reports) {
        if (!r.date && !r.event_type.empty() && !r.places.empty()) {
            undated.push_back(&r); // "in the latest clash ... in X district": a source only
        }
        if (!r.date || r.event_type.empty()) {
            continue;
        }
        (r.places.empty() ? unlocated : located).push_back(&r);
    }
    // Finer dates first, so week and month reports join the day they describe.
    std::stable_sort(located.begin(), located.end(), [](const Report *a, const Report *b) {
        return date_class(a->date->precision) < date_class(b->date->precision);
    });
    std::vector<Cluster> clusters;
    for (const auto *r : located) {
        for (const auto &place : r->places) {
            Cluster *home = nullptr;
            for (auto &c : clusters) {
                if (c.event_type == r->event_type && overlaps(c.date, *r->date) &&
                    same_place(c.place, place)) {
                    home = &c;
                    break;
                }
            }
            if (home == nullptr) {
                clusters.push_back({{}, {}, place, *r->date, r->event_type});
                home = &clusters.back();
            }
            if (std::find(home->reports.begin(), home->reports.end(), r) == home->reports.end()) {
                home->reports.push_back(r);
            }
            if (place_rank(place.kind) > place_rank(home->place.kind) ||
                (place_rank(place.kind) == place_rank(home->place.kind) &&
                 place.score > home->place.score + 1e-9)) {
                home->place = place;
            }
        }
    }
    // Reports without a place join the one cluster they fit (type and date), if exactly one.
    for (const auto *r : unlocated) {
        Cluster *home = nullptr;
        std::size_t fits = 0;
        for (auto &c : clusters) {
            if (c.event_type == r->event_type && overlaps(c.date, *r->date) &&
                date_class(r->date->precision) == 0) {
                home = &c;
                ++fits;
            }
        }
        if (fits == 1) {
            home->reports.push_back(r);
        }
    }
    // Undated reports name an event already dated elsewhere: they add their source (not
    // their counts) to the one cluster of the same type and place, if exactly one.
    for (const auto *r : undated) {
        Cluster *home = nullptr;
        std::size_t fits = 0;
        for (auto &c : clusters) {
            const bool place =
                std::any_of(r->places.begin(), r->places.end(),
                            [&](const PlaceMention &p) { return same_place(c.place, p); });
            if (c.event_type == r->event_type && place) {
                home = &c;
                ++fits;
            }
        }
        if (fits == 1) {
            home->supporting.push_back(r);
        }
    }
    for (auto &c : clusters) {
        Candidate cand;
        auto &x = cand.incident;
        // Date: the union of the finest reports.
        int best_class = 9;
        for (const auto *r : c.reports) {
            best_class = std::min(best_class, date_class(r->date->precision));
        }
        long start = 0;
        long end = 0;
        bool first = true;
        DatePrecision precision = DatePrecision::day;
        for (const auto *r : c.reports) {
            if (date_class(r->date->precision) != best_class) {
                continue;
            }
            const long s = day_of(r->date->start);
            const long e = day_of(r->date->end);
            start = first ? s : std::min(start, s);
            end = first ? e : std::max(end, e);
            precision = r->date->precision;
            first = false;
        }
        x.event_date = detail::iso_date(start);
        x.event_date_end = detail::iso_date(end);
        x.date_precision = best_class == 0
                               ? (start == end ? DatePrecision::day : DatePrecision::range)
                               : precision;
        // Fatalities: best the highest count, low the lowest, high the highest closed count.
        std::optional<int> best;
        std::optional<int> low;
        std::optional<int> high;
        bool any_full = false;
        for (const auto *r : c.reports) {
            any_full = any_full || (r->killed && !r->killed->partial);
        }
        for (const auto *r : c.reports) {
            if (!r->killed || (any_full && r->killed->partial)) {
                continue;
            }
            const auto &k = *r->killed;
            if (k.best) {
                best = best ? std::max(*best, *k.best) : *k.best;
            }
            const auto l = k.low ? k.low : k.best;
            if (l) {
                low = low ? std::min(*low, *l) : *l;
            }
            if (k.high) {
                high = high ? std::max(*high, *k.high) : *k.high;
            }
        }
        if (high && best && *high < *best) {
            high.reset(); // the highest count is open-ended ("at least five")
        }
        x.fatalities_best = best;
        x.fatalities_low = low;
        x.fatalities_high = high;
        for (const auto *r : c.reports) {
            if (r->injured && r->injured->best) {
                cand.injured =
                    cand.injured ? std::max(*cand.injured, *r->injured->best) : *r->injured->best;
            }
        }
        const auto &p = c.place;
        x.location_text = p.text;
        x.country_text = country_name(gazetteer, p.country);
        x.admin1_text = p.kind == "admin1" ? p.text : p.admin1;
        x.admin2_text = p.kind == "admin2" ? p.text : p.admin2;
        x.event_type = c.event_type;
        int weight = 0;
        std::string origin_country;
        for (const auto *r : c.reports) {
            if (r->weight > weight) {
                weight = r->weight;
                x.sub_event_type = r->sub_event_type;
            }
            if (r->origin && cand.origin_text.empty()) {
                const auto &o = *r->origin;
                cand.origin_text =
                    o.text + (o.kind == "country" ? "" : ", " + country_name(gazetteer, o.country));
                origin_country = country_name(gazetteer, o.country);
            }
        }
        for (const auto *r : c.reports) {
            if (x.actor1.empty()) {
                x.actor1 = actor_name(r->actor1, origin_country);
            }
            if (x.actor2.empty()) {
                x.actor2 = actor_name(r->actor2, origin_country);
            }
            if (x.target.empty()) {
                x.target = r->target;
            }
        }
        if (x.actor1.empty() && !x.actor2.empty()) {
            std::swap(x.actor1, x.actor2);
        }
        std::vector<std::string> names;
        std::vector<std::string> urls;
        std::set<std::size_t> seen;
        double miss = 1.0;
        for (const auto *r : c.reports) {
            const auto &ctx = contexts[r->article];
            names.push_back(ctx.source_name);
            urls.push_back(ctx.source_url);
            if (seen.insert(r->article).second) {
                cand.files.push_back(ctx.article->file);
            }
            double place_conf = 0.3;
            for (const auto &pl : r->places) {
                place_conf = std::max(place_conf, pl.score);
            }
            const double type_conf = std::min(0.95, 0.5 + r->weight * 0.05);
            miss *= 1.0 - r->date_confidence * place_conf * type_conf;
            cand.evidence.insert(cand.evidence.end(), r->evidence.begin(), r->evidence.end());
        }
        for (const auto *r : c.supporting) {
            const auto &ctx = contexts[r->article];
            names.push_back(ctx.source_name);
            urls.push_back(ctx.source_url);
            if (seen.insert(r->article).second) {
                cand.files.push_back(ctx.article->file);
            }
            cand.evidence.insert(cand.evidence.end(), r->evidence.begin(), r->evidence.end());
        }
        x.source_name = join_unique(names);
        x.source_url = join_unique(urls);
        cand.confidence = std::round((1.0 - miss) * 1000.0) / 1000.0;
        x.notes = "extracted by " + std::string(k_extractor_version) + " from " +
                  std::to_string(cand.files.size()) + " article(s)";
        x.id = "EX-" + x.event_date + "-" + id_part(p.name.empty() ? p.text : p.name);
        result.candidates.push_back(std::move(cand));
    }
    std::stable_sort(result.candidates.begin(), result.candidates.end(),
                     [](const Candidate &a, const Candidate &b) {
                         return std::tie(a.incident.event_date, a.incident.id) <
                                std::tie(b.incident.event_date, b.incident.id);
                     });
    // Unique ids.
    std::map<std::string, int> used;
    for (auto &c : result.candidates) {
        const int n = ++used[c.incident.id];
        if (n > 1) {
            c.incident.id += "-" + std::to_string(n);
        }
    }
    const auto before = result.candidates.size();
    result.candidates.erase(
        std::remove_if(result.candidates.begin(), result.candidates.end(),
                       [&](const Candidate &c) { return c.confidence < options.min_confidence; }),
        result.candidates.end());
    result.dropped = before - result.candidates.size();
    return result;
}

namespace {

// The reported fields a candidate has: not the sources' own columns (ACLED/UCDP, after
// "flags"), which an article never fills; the import reads them as empty.
bool candidate_field(std::size_t i) {
    return !incident_fields()[i].derived && i < detail::k_first_extra_index;
}

} // namespace

const std::vector<std::string> &candidate_csv_columns() {
    static const std::vector<std::string> columns = [] {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < incident_fields().size(); ++i) {
            if (candidate_field(i)) {
                out.emplace_back(incident_fields()[i].name);
            }
        }
        for (const char *extra :
             {"injured", "origin_text", "confidence", "extractor_version", "evidence"}) {
            out.emplace_back(extra);
        }
        return out;
    }();
    return columns;
}

namespace {

std::string number_text(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string evidence_text(const Candidate &c) {
    std::string out;
    for (const auto &e : c.evidence) {
        out += (out.empty() ? "" : " | ") + e.field + "=" +
               std::filesystem::path(e.file).filename().string() + ":" + std::to_string(e.begin) +
               "-" + std::to_string(e.end) + "@" + number_text(e.confidence);
    }
    return out;
}

} // namespace

std::string candidates_to_csv(const std::vector<Candidate> &candidates, bool header,
                              bool raw_formulas) {
    const auto formulas = raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
    std::ostringstream out;
    if (header) {
        write_csv_record(out, candidate_csv_columns(), ',', formulas);
    }
    for (const auto &c : candidates) {
        std::vector<std::string> row;
        for (std::size_t i = 0; i < incident_fields().size(); ++i) {
            if (candidate_field(i)) {
                row.push_back(field_text(get_field(c.incident, i)));
            }
        }
        row.push_back(c.injured ? std::to_string(*c.injured) : "");
        row.push_back(c.origin_text);
        row.push_back(number_text(c.confidence));
        row.emplace_back(k_extractor_version);
        row.push_back(evidence_text(c));
        write_csv_record(out, row, ',', formulas);
    }
    return out.str();
}

std::string candidates_to_json(const std::vector<Candidate> &candidates) {
    auto all = nlohmann::ordered_json::array();
    for (const auto &c : candidates) {
        nlohmann::ordered_json j;
        for (std::size_t i = 0; i < incident_fields().size(); ++i) {
            const auto &f = incident_fields()[i];
            if (!candidate_field(i)) {
                continue;
            }
            const auto v = get_field(c.incident, i);
            if (std::holds_alternative<std::monostate>(v)) {
                j[std::string(f.name)] = nullptr;
            } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
                j[std::string(f.name)] = *n;
            } else if (const auto *d = std::get_if<double>(&v)) {
                j[std::string(f.name)] = *d;
            } else {
                j[std::string(f.name)] = std::get<std::string>(v);
            }
        }
        j["injured"] = c.injured ? nlohmann::ordered_json(*c.injured) : nlohmann::ordered_json();
        j["origin_text"] = c.origin_text;
        j["confidence"] = c.confidence;
        j["extractor_version"] = std::string(k_extractor_version);
        j["files"] = c.files;
        auto ev = nlohmann::ordered_json::array();
        for (const auto &e : c.evidence) {
            ev.push_back({{"field", e.field},
                          {"file", e.file},
                          {"begin", e.begin},
                          {"end", e.end},
                          {"confidence", e.confidence},
                          {"sentence", e.sentence}});
        }
        j["evidence"] = ev;
        all.push_back(std::move(j));
    }
    return all.dump(2) + "\n";
}

} // namespace borderwatch
