#pragma once
/// @file
/// Reading incident files (native CSV / GeoJSON, ACLED CSV, UCDP GED CSV), placing each
/// incident (border engine + gazetteer), the precision-aware distance bands, and the
/// transactional import into a store.

#include <borderwatch/core/progress.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/stats/bands.hpp> // the stored band: import --bands, band_index()

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace borderwatch {

class IncidentStore;
class BorderEngine;
class Gazetteer;
struct PlaceMatch;
struct Placement;
struct UpsertResult;

/// Input layouts. auto_detect looks at the header (CSV) or the JSON type (GeoJSON).
enum class IncidentFormat { auto_detect, native, acled, ucdp, geojson };

/// "auto" | "native" | "acled" | "ucdp" | "geojson"; nullopt if unknown.
[[nodiscard]] std::optional<IncidentFormat> parse_incident_format(std::string_view name) noexcept;
[[nodiscard]] std::string_view to_string(IncidentFormat format) noexcept;

/// Format of a CSV file from its header: ACLED (event_id_cnty + event_date + fatalities),
/// UCDP GED (where_prec or date_prec + best), native (id + event_date). nullopt if none fits.
[[nodiscard]] std::optional<IncidentFormat>
detect_csv_format(const std::vector<std::string> &header) noexcept;

/// Parse a reported date: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.fff]", "DD Month YYYY"
/// (English month name or 3-letter abbreviation), "YYYY-MM" (a month), "YYYY" (a year).
/// @return {start, end, precision implied by the form}; nullopt when not a valid date
struct ParsedDate {
    std::string start;
    std::string end;
    DatePrecision precision = DatePrecision::day;
};
[[nodiscard]] std::optional<ParsedDate> parse_incident_date(std::string_view text);

/// The date range a coarse date precision means, for a date coded as one day
/// ("YYYY-MM-DD", as parse_incident_date() returns it):
///  - week: the ISO week (Monday to Sunday) containing the date (ACLED time_precision 2:
///    the event happened in the week, or on the weekend, of the date given);
///  - month: the calendar month containing it (ACLED time_precision 3);
///  - year: the calendar year containing it;
///  - day and range: the day itself.
/// @return {first day, last day, @p precision}; nullopt when @p date is not YYYY-MM-DD
[[nodiscard]] std::optional<ParsedDate> date_range_for_precision(std::string_view date,
                                                                 DatePrecision precision);

/// Widen a record reported with a coarse date precision (week, month, year) but a single
/// day (event_date_end empty or equal to event_date) to the range that precision means
/// (date_range_for_precision()), so date filters that test overlap find it. Other records
/// are left as they are.
void widen_to_date_precision(Incident &incident);

/// One input record after parsing (reported fields only, not yet placed).
struct InputRecord {
    Incident incident;
    std::string file;             ///< as given
    std::size_t line = 0;         ///< 1-based line (CSV) or feature number (GeoJSON)
    std::vector<std::string> raw; ///< the original fields (CSV) or the feature JSON (GeoJSON)
};

/// A rejected input record: where, why, and the original content.
struct RejectedRow {
    std::string file;
    std::size_t line = 0;
    std::string field;   ///< column that was wrong ("" if the row as a whole)
    std::string message; ///< without location
    std::vector<std::string> raw;
    /// "FILE:LINE: field 'x': message" (compiler style).
    [[nodiscard]] std::string to_string() const;
};

/// Streams records from one file. Each call to next() yields a parsed record or throws
/// InputError for that record only (the reader stays usable: call next() again).
class IncidentReader {
  public:
    virtual ~IncidentReader() = default;
    /// Next record; nullopt at end. @throws InputError for a bad record (skip it and go on)
    virtual std::optional<InputRecord> next() = 0;
    /// Same as next(), into caller-owned storage that is reused row after row (no allocation
    /// per row once the strings have grown): @p incident is reset first, @p raw receives the
    /// original fields and @p line the record's line. @return false at end.
    /// The default implementation goes through next(). @throws InputError as next()
    virtual bool read(Incident &incident, std::size_t &line, std::vector<std::string> &raw);
    /// The format being read (after auto-detection).
    [[nodiscard]] virtual IncidentFormat format() const noexcept = 0;
    /// Original fields of the record that just failed (for the rejects file).
    [[nodiscard]] virtual std::vector<std::string> last_raw() const = 0;
    /// After the last record: advice about the file as a whole (e.g. nearly every row failed
    /// the UTF-8 rule: try --encoding), or "" when there is none.
    [[nodiscard]] virtual std::string hint() const { return {}; }
};

/// Open @p path ("-" = stdin) in @p format, read as @p text says (encoding, CSV delimiter;
/// see core/text_input). A file that holds no record (a header and no data rows, a
/// FeatureCollection without features) yields one InputError from the reader instead of a
/// silent end. @throws IoError (cannot open), UsageError (unknown encoding), InputError (the
/// header/document is unusable, looks like UTF-16, or the format cannot be detected)
[[nodiscard]] std::unique_ptr<IncidentReader>
open_incident_reader(const std::string &path, IncidentFormat format,
                     const TextInputOptions &text = {});

/// A warning about a stored row: lon/lat that look swapped, an id repeated in the import.
struct ImportWarning {
    std::string file;
    std::size_t line = 0;
    std::string kind;    ///< the flag (lonlat_look_swapped) or k_duplicate_id
    std::string message; ///< without location
    /// "FILE:LINE: warning: message".
    [[nodiscard]] std::string to_string() const;
};

/// ImportWarning::kind and FlagSummary::flag of a repeated id (not a stored flag).
inline constexpr std::string_view k_duplicate_id = "duplicate_id";

/// Derives the placement fields of an incident. Implementations must be thread-safe.
class IncidentPlacer {
  public:
    virtual ~IncidentPlacer() = default;
    /// Fill place_*, coord_origin, precision, side, border_distance_m, chainage_km,
    /// nearest_*, admin1/2, band and flags of @p incident from its reported fields.
    /// @throws InputError (field named) when the incident cannot be placed: no coordinates
    ///         and the location text does not resolve
    virtual void place(Incident &incident) const = 0;
    /// Warnings about an incident that place() has just placed (kind and message; the import
    /// fills file and line), e.g. the lon/lat swap warning behind flag lonlat_look_swapped.
    /// Default: none.
    [[nodiscard]] virtual std::vector<ImportWarning> warnings(const Incident &placed) const;
};

/// Placement options.
struct PlacementOptions {
    std::vector<double> band_edges_km = default_band_edges_km();
    double mismatch_km = 25.0; ///< flag given coordinates this far from the resolved place
    double min_score = 0.70;   ///< gazetteer confidence needed to accept a resolution
};

/// The location_mismatch_25km rule for a row with given coordinates (@p lon, @p lat, placed
/// by the engine as @p where) whose text names @p named: for an area (country, admin1,
/// admin2) the coordinates lie outside the named unit's polygon (where.side / admin1 /
/// admin2 differ; unknown coverage is not a mismatch); for a place (populated place, spot,
/// ...) they lie more than @p mismatch_km from it (geodesic).
[[nodiscard]] bool location_mismatch(const PlaceMatch &named, double lon, double lat,
                                     const Placement &where, double mismatch_km);

/// The real placer: coordinates given → kept, placed with the engine, and the location
/// text resolved too (flag location_mismatch_25km: see location_mismatch());
/// no coordinates → the location text (then admin2, admin1, country columns) resolved
/// through the gazetteer with the country / admin1 columns as context. Resolutions are
/// cached (bounded). Engine and gazetteer must outlive the placer.
[[nodiscard]] std::unique_ptr<IncidentPlacer>
make_incident_placer(const BorderEngine &engine, const Gazetteer &gazetteer,
                     const PlacementOptions &options = {});

/// Import options.
struct ImportOptions {
    IncidentFormat format = IncidentFormat::auto_detect;
    std::size_t batch_size = 2000; ///< records per upsert call (memory bound)
    /// Threads that read and place (1: the reader places; N: the reader and N-1 placers),
    /// besides the store writer's; 0 = one per core but the writer's (at least 1).
    unsigned threads = 0;
    TextInputOptions text; ///< encoding and CSV delimiter of every file
    /// The release of the UCDP GED files imported ("25.1"): their rows' source_version
    /// when the file has no `version` column. Empty: from each file's name
    /// (release_version_from_file_name(): GEDEvent_v25_1.csv, ged251.csv), else unknown.
    std::string source_version;
    /// Called for every warning, in input order (may be empty). Rate limiting is the
    /// caller's: see WarningLimiter.
    std::function<void(const ImportWarning &)> on_warning;
    /// Rows stored so far (stage "rows", total unknown), after every batch; called from the
    /// store-writing thread, one call at a time.
    ProgressCallback progress;
};

/// One flag raised during an import: how many stored rows have it, and where the first were.
struct FlagSummary {
    std::string flag; ///< e.g. "location_mismatch_25km", or k_duplicate_id
    std::size_t count = 0;
    std::vector<std::pair<std::string, std::size_t>> first; ///< up to 5 (file, line)
    /// "location_mismatch_25km: 12 rows (first: a.csv:4, a.csv:9, a.csv:17, ...)".
    [[nodiscard]] std::string to_string(std::size_t max_lines = 3) const;
};

/// What an import did.
struct ImportReport {
    std::size_t read = 0; ///< records read (good + bad)
    std::size_t rejected = 0;
    std::size_t inserted = 0, updated = 0, unchanged = 0;
    /// Rows not stored because the store holds a newer revision of their id
    /// (is_older_revision(), incidents/sources.hpp).
    std::size_t older = 0;
    /// Rows not stored because their source deleted the event (the store remembers the
    /// deletion and the row is not newer: UpsertResult::deleted_earlier).
    std::size_t deleted_earlier = 0;
    std::vector<std::string> hints; ///< "FILE: ..." advice about whole files (IncidentReader::hint)
    std::size_t warnings = 0;       ///< ImportWarnings raised
    std::vector<FlagSummary> flags; ///< every flag of the stored rows and repeated ids, by name
};

/// Shows the first @p per_kind warnings of each kind, then counts the rest: the "and 312
/// more like this" of the style guide, for the CLI and the update log.
class WarningLimiter {
  public:
    explicit WarningLimiter(std::size_t per_kind = 20) : m_per_kind(per_kind) {}
    /// True when @p w is to be shown (counts it either way).
    bool admit(const ImportWarning &w);
    /// "and 312 more like this (duplicate_id)" per kind that had hidden warnings.
    [[nodiscard]] std::vector<std::string> hidden_lines() const;

  private:
    std::size_t m_per_kind;
    std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>>
        m_kinds; // shown, hidden
};

/// Import @p files into @p store in ONE transaction: either every good record of every file
/// is stored, or (exception, kill) nothing changes. Bad records go to @p on_reject and are
/// skipped; a record is never partially imported. An id seen again (in the same file or
/// another of @p files) is stored from its later row, as an update, and reported to
/// options.on_warning with both lines; ids are remembered as 64-bit hashes (about 40 bytes per
/// stored row). Memory is otherwise bounded by batch_size.
/// @throws IoError / GdalError on storage failure (store unchanged)
ImportReport import_incidents(const std::vector<std::string> &files, IncidentStore &store,
                              const IncidentPlacer &placer, const ImportOptions &options,
                              const std::function<void(const RejectedRow &)> &on_reject);

} // namespace borderwatch
