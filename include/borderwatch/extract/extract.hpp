#pragma once
/// @file
/// From news text to candidate incidents: sentences (ICU), dates resolved against the
/// publication day, number phrases, place mentions resolved through the gazetteer, ACLED
/// event types from rule tables (src/extract/rules/*.tsv, built into the library), and the
/// merging of several reports of one event. Deterministic and offline; docs/extract.md.
#include <borderwatch/incidents/incident.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

class Gazetteer;

/// Version of the extractor's rules, written with every candidate.
inline constexpr std::string_view k_extractor_version = "extract-1";

/// One article as read: the text the offsets refer to (HTML reduced to text) and what the
/// file says about itself.
struct Article {
    std::string file;        ///< as given ("-" for stdin)
    std::string text;        ///< plain text (UTF-8); for HTML the text without markup
    std::string published;   ///< YYYY-MM-DD from <meta>/<time> or a dateline; "" if none
    std::string source_name; ///< from <meta property="og:site_name"> etc.; "" if none
    std::string source_url;  ///< from <link rel="canonical"> / og:url; "" if none
    std::string title;       ///< HTML <title> / og:title; "" if none
};

/// Turn file content into an Article: HTML (a document starting with '<' or holding <html,
/// <body, <p) is reduced to text with its metadata read; plain text is kept, and its
/// dateline ("DUSHANBE, Dec. 26, 2025 —", "26 December 2025") gives the publication date.
/// @throws InputError if @p content is not valid UTF-8
[[nodiscard]] Article parse_article(std::string file, std::string_view content);

/// The whole content of an article file ("-" = stdin), for parse_article(). @throws IoError
[[nodiscard]] std::string read_article_file(const std::string &file);

/// A date or date range with its precision (DatePrecision of the incident schema).
struct DateSpan {
    std::string start; ///< YYYY-MM-DD
    std::string end;   ///< YYYY-MM-DD (== start for one day)
    DatePrecision precision = DatePrecision::day;
    bool relative = false; ///< resolved against the publication day or a previous date
    friend bool operator==(const DateSpan &, const DateSpan &) = default;
};

/// A date expression found in a sentence.
struct DateMention {
    std::size_t begin = 0; ///< byte offsets in the sentence
    std::size_t end = 0;
    std::string text;
    DateSpan span;
};

/// The date expressions of @p sentence ("on Tuesday", "late on December 23", "the next
/// morning", "this week", "in the last week of November", "on November 26", "in December"),
/// resolved against @p published (YYYY-MM-DD, the reference day) and @p anchor (the last
/// event day before this sentence, YYYY-MM-DD or "", for "the next morning").
/// Weekdays mean the last such day on or before the reference day; a month without a year
/// the last such month on or before it.
[[nodiscard]] std::vector<DateMention>
find_dates(std::string_view sentence, std::string_view published, std::string_view anchor = {});

/// A count of people from a number phrase.
struct Count {
    std::optional<int> best;
    std::optional<int> low;
    std::optional<int> high;
    bool partial = false; ///< "two border guards also died": part of a larger toll
    friend bool operator==(const Count &, const Count &) = default;
};

/// The value of a number phrase ("five", "at least five", "more than a dozen", "10",
/// "between three and five", "twenty-one"); nullopt if @p phrase is not one or is vague
/// ("dozens", "several").
[[nodiscard]] std::optional<Count> parse_number_phrase(std::string_view phrase);

/// Fatalities and injured in one sentence.
struct Casualties {
    std::optional<Count> killed;
    std::optional<Count> injured;
};

/// The people killed and injured that @p sentence reports ("at least five people, including
/// three intruders, were killed", "three Chinese nationals were killed and two others
/// seriously injured", "killing at least two people").
[[nodiscard]] Casualties find_casualties(std::string_view sentence);

/// Role of a place mention in its sentence.
enum class PlaceRole { location, origin, other };

/// A place named in a sentence, resolved through the gazetteer.
struct PlaceMention {
    std::size_t begin = 0; ///< byte offsets in the sentence
    std::size_t end = 0;
    std::string text;    ///< as written, with its admin word ("Shamsiddin Shokhin district")
    std::string id;      ///< gazetteer id
    std::string name;    ///< official name
    std::string kind;    ///< country|admin1|admin2|populated_place|...
    std::string country; ///< ISO3
    std::string admin1;
    std::string admin2;
    double score = 0.0; ///< gazetteer confidence
    PlaceRole role = PlaceRole::other;
};

/// The places of @p sentence: capitalised n-grams (with a following admin word) looked up in
/// the gazetteer, a preceding "Country's" as context; role location when a locative word
/// ("in", "at", "near", "hit", ...) introduces the mention, origin inside an origin phrase
/// ("originated from ...", "crossed from ..."), else other.
[[nodiscard]] std::vector<PlaceMention> find_places(std::string_view sentence,
                                                    const Gazetteer &gazetteer);

/// ACLED event type and sub-type named by a trigger phrase.
struct EventTrigger {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string event_type; ///< "" for a weak trigger ("incident", "crossed")
    std::string sub_event_type;
    int weight = 0; ///< strength of the trigger (rule table)
};

/// The event triggers of @p sentence, strongest first.
[[nodiscard]] std::vector<EventTrigger> find_triggers(std::string_view sentence);

/// Evidence for one field: where it came from and how sure the rule is.
struct FieldEvidence {
    std::string field;     ///< incident column ("event_date", "fatalities_best", ...)
    std::string file;      ///< article file
    std::size_t begin = 0; ///< character (code point) offsets of the sentence in the text
    std::size_t end = 0;
    double confidence = 0.0; ///< [0, 1]
    std::string sentence;    ///< the sentence
};

/// A candidate incident.
struct Candidate {
    Incident incident;              ///< reported fields filled, derived ones empty
    std::optional<int> injured;     ///< people injured
    std::string origin_text;        ///< where the attack came from ("Badakhshan province, AFG")
    double confidence = 0.0;        ///< [0, 1]: the product of the fields' confidences
    std::vector<std::string> files; ///< the articles that report it
    std::vector<FieldEvidence> evidence;
};

/// What to extract and how.
struct ExtractOptions {
    std::string published;   ///< reference day YYYY-MM-DD for every article ("" = each one's own)
    std::string source_name; ///< source name for every article ("" = from the HTML or file name)
    std::string source_url;  ///< source URL for every article ("" = from the HTML)
    double min_confidence = 0.5; ///< candidates below are dropped (range [0, 1])
    int max_age_days = 120; ///< events more than this before the publication day are background
};

/// The result: candidates in date order, and warnings ("FILE: no publication date ...").
struct ExtractResult {
    std::vector<Candidate> candidates;
    std::vector<std::string> warnings;
    std::size_t dropped = 0; ///< candidates below min_confidence
};

/// Extract candidate incidents from @p articles; reports of the same event (place, date and
/// type) become one candidate with all sources. Deterministic: the same input gives the same
/// output. @throws UsageError if options.published is not YYYY-MM-DD
[[nodiscard]] ExtractResult extract_incidents(const std::vector<Article> &articles,
                                              const Gazetteer &gazetteer,
                                              const ExtractOptions &options = {});

/// The CSV columns written by write_candidates_csv(): the reported incident columns, then
/// injured, origin_text, confidence, extractor_version, evidence.
[[nodiscard]] const std::vector<std::string> &candidate_csv_columns();

/// One CSV row per candidate (after the header when @p header), in candidate_csv_columns()
/// order; `borderwatch import` reads it as the native format. Text from the articles (source
/// names, places) is untrusted: formula-like cells are neutralised unless @p raw_formulas
/// (core/escape.hpp, CsvFormulas).
[[nodiscard]] std::string candidates_to_csv(const std::vector<Candidate> &candidates,
                                            bool header = true, bool raw_formulas = false);

/// The candidates as a JSON array (fields, injured, origin, confidence, sources, evidence).
[[nodiscard]] std::string candidates_to_json(const std::vector<Candidate> &candidates);

} // namespace borderwatch
