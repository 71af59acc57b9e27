#pragma once
/// @file
/// The incident store interface: where placed incidents are kept, updated idempotently,
/// queried and counted. Two backends implement it:
///  - the embedded GeoPackage store (default; "borderwatch.gpkg", any path ending in .gpkg),
///    src/store/gpkg_store.cpp;
///  - PostgreSQL/PostGIS ("PG:dbname=... host=..." or "postgresql://..."),
///    src/store/postgis_store.cpp (factory declared in src/store/detail/backends.hpp).
///
/// Store-independent logic every backend shares lives here too, so a backend only does
/// storage: `matches()` (the full filter semantics, including the geodesic --near test),
/// `content_hash()` (what "unchanged" means for idempotent upserts).
/// A backend may pre-filter in its own query language (bbox, dates, distances) for speed but
/// must return exactly the incidents for which `matches()` is true, ordered by id.

#include <borderwatch/incidents/incident.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace borderwatch {

/// Selection of incidents; every member left empty / nullopt means "no restriction".
/// All set members must hold (logical AND). Semantics (implemented by matches()):
/// - within_km / beyond_km: border_distance_m <= within_km*1000 / >= beyond_km*1000;
///   incidents without a border distance never match a distance filter.
/// - side: ISO3 equal to Incident::side (ASCII case-insensitive).
/// - admin1 / admin2: Incident::admin1 / admin2 equals ANY of the given names (ASCII
///   case-insensitive). These are resolved official names: the CLI resolves user text
///   ("Khatron") through the gazetteer first; ambiguous text may give several names.
/// - bbox: {west, south, east, north} degrees; the placed point (place_lon/place_lat)
///   lies inside, edges included. west <= east (no antimeridian wrap).
/// - near_lon/near_lat/near_km: geodesic (WGS84) distance from the placed point to
///   (near_lon, near_lat) <= near_km. All three set or none.
/// - from_date / to_date ("YYYY-MM-DD", or "YYYY-MM" / "YYYY" meaning the whole period):
///   the incident's date range [event_date, event_date_end] overlaps [from, to].
/// - event_types: event_type OR sub_event_type equals any entry (ASCII case-insensitive).
/// - min_fatalities: fatalities_best >= N (unknown fatalities never match).
/// - precision_max: precision <= P (where_prec scale; unknown precision never matches).
/// - ids: Incident::id is one of these (exact).
struct QueryFilter {
    std::optional<double> within_km;
    std::optional<double> beyond_km;
    std::string side;
    std::vector<std::string> admin1;
    std::vector<std::string> admin2;
    std::optional<std::array<double, 4>> bbox; ///< west, south, east, north (degrees)
    std::optional<double> near_lon;
    std::optional<double> near_lat;
    std::optional<double> near_km;
    std::string from_date;
    std::string to_date;
    std::vector<std::string> event_types;
    std::optional<int> min_fatalities;
    std::optional<int> precision_max;
    std::vector<std::string> ids;

    /// True when no member restricts anything.
    [[nodiscard]] bool empty() const noexcept;
};

/// What one upsert (or one writer session) did.
struct UpsertResult {
    std::size_t inserted = 0;  ///< new ids
    std::size_t updated = 0;   ///< existing ids whose content hash changed
    std::size_t unchanged = 0; ///< existing ids with identical content (row not touched)
    /// Existing ids whose stored row is a newer revision than the incoming one (row not
    /// touched; is_older_revision() of incidents/sources.hpp on Incident::source_revision).
    std::size_t older = 0;
    /// Rows of ids their source deleted at a revision not older than theirs (the store
    /// remembers the deletion, StoreWriter::remember_deletions; is_deleted_revision() of
    /// incidents/sources.hpp): not stored.
    std::size_t deleted_earlier = 0;

    UpsertResult &operator+=(const UpsertResult &other) noexcept {
        inserted += other.inserted;
        updated += other.updated;
        unchanged += other.unchanged;
        older += other.older;
        deleted_earlier += other.deleted_earlier;
        return *this;
    }
};

/// A source's deletion of one incident: a row of ACLED's deletions export
/// (`event_id_cnty`, `deleted_timestamp`), or an id of a plain id list (no revision).
struct SourceDeletion {
    std::string id;
    /// The revision the source deleted it at, on the scale of Incident::source_revision
    /// (ACLED: Unix seconds, as its `timestamp`); nullopt when the list does not say.
    std::optional<std::int64_t> revision;
};

/// A row the store's server refused while the rest of its batch was stored (see
/// StoreWriter::upsert with a `refused` list).
struct RefusedRow {
    std::size_t index = 0; ///< position of the row in the batch given to upsert()
    std::string message;   ///< the server's message (never a password), without location
};

/// One write transaction on a store. Nothing is visible to other readers, and nothing
/// is kept, until commit(); destroying an uncommitted writer (exception, interrupt)
/// rolls everything back, so an import is all or nothing. A process killed mid-import
/// leaves the store as it was (the backend's own journal guarantees this).
/// Not thread-safe; one writer per store object at a time.
class StoreWriter {
  public:
    virtual ~StoreWriter() = default;
    /// Insert new ids; update rows whose content_hash() differs (sets updated_at to now);
    /// leave identical rows untouched (updated_at kept), and rows whose stored
    /// source_revision is newer than the incoming one (counted as UpsertResult::older).
    /// Incident::updated_at of the input is ignored. An id repeated inside one batch: a later
    /// row replaces the earlier one unless it is an older revision (then it is counted as
    /// older), exactly as if the rows came one by one.
    /// @throws Error (GdalError / IoError) on storage failure; the writer is then unusable
    ///         and the whole transaction is rolled back on destruction.
    virtual UpsertResult upsert(const std::vector<Incident> &batch) = 0;
    /// upsert(batch) with @p hashes[i] == content_hash(batch[i]) already computed by the
    /// caller (the import computes them on its placement threads, off the single writer
    /// thread). Sizes must match. The default ignores @p hashes.
    virtual UpsertResult upsert(const std::vector<Incident> &batch,
                                const std::vector<std::string> &hashes) {
        (void)hashes;
        return upsert(batch);
    }
    /// upsert(batch, hashes) that refuses single rows instead of failing the whole batch: a
    /// row whose value the backend's server will not store (PostGIS: a data exception such
    /// as an out-of-range number or invalid text, a constraint or trigger an administrator
    /// added, an id too long for the index) is left out and appended to @p refused, in batch
    /// order; every other row is stored. The default (GeoPackage, which has no such
    /// refusals) never fills @p refused.
    /// @throws Error for anything else (connection lost, permissions, ...), as upsert().
    virtual UpsertResult upsert(const std::vector<Incident> &batch,
                                const std::vector<std::string> &hashes,
                                std::vector<RefusedRow> &refused) {
        (void)refused;
        return upsert(batch, hashes);
    }
    /// Delete by id. @return how many of @p ids existed (and were removed)
    virtual std::size_t remove(const std::vector<std::string> &ids) = 0;
    /// Remember that the source deleted these ids (those with a revision; the larger revision
    /// of an id is kept): from now on upsert() ignores a row of such an id whose revision is
    /// not newer (is_deleted_revision(), counted as UpsertResult::deleted_earlier), so an older
    /// file delivered again cannot bring a deleted event back. A row that is stored (a newer
    /// revision, or one without revision: the later import wins) makes the store forget the
    /// deletion. Removes no row itself (remove() does).
    virtual void remember_deletions(const std::vector<SourceDeletion> &deletions) = 0;
    /// Make every change since the writer was opened durable and visible. @throws Error
    virtual void commit() = 0;
};

/// Text values a store handed out only after making them valid text. A store written by
/// another tool (QGIS edits, SQL, an older borderwatch) may hold invalid UTF-8, NUL or
/// XML-illegal control characters in any text column; IncidentStore::query() replaces them
/// (sanitize_text, the one rule of core/utf8.hpp) so no output is ever invalid UTF-8, JSON or
/// XML, and counts them here so the command can warn once.
struct TextRepairs {
    /// Where one replaced value was: the incident id (itself made valid) and the field name.
    struct Place {
        std::string id;
        std::string field;
    };
    static constexpr std::size_t k_places_kept = 3; ///< how many places are remembered
    std::size_t count = 0;                          ///< text values replaced
    std::vector<Place> first;                       ///< the first k_places_kept, in query order

    /// "3 text values in the store were not valid UTF-8/XML text and were replaced (first: id
    /// BW-1 field 'notes', ...)"; "" when nothing was replaced.
    [[nodiscard]] std::string warning() const;
};

/// Which text IncidentStore::query() hands out.
enum class StoredText : std::uint8_t {
    valid, ///< valid text only (see TextRepairs): for everything that is output
    raw,   ///< the bytes as stored: for ids fed back to the store (delete)
};

/// A keeper of incidents. Open with open_store().
class IncidentStore {
  public:
    virtual ~IncidentStore() = default;

    /// Start a write transaction (see StoreWriter). At most one open writer per store object.
    [[nodiscard]] virtual std::unique_ptr<StoreWriter> writer() = 0;

    /// Convenience: writer(), upsert(batch), commit() — all or nothing.
    UpsertResult upsert(const std::vector<Incident> &batch);
    /// Convenience: writer(), remove(ids), commit(). @return number of rows removed
    std::size_t remove(const std::vector<std::string> &ids);

    /// Stream every incident for which matches(filter, incident) holds to @p sink, ordered by
    /// id (byte-wise). Incident::updated_at is filled. Memory does not grow with the store
    /// size. @p sink may throw; the exception propagates and the query stops.
    /// With StoredText::valid (the default) every text field is valid text (sanitize_text);
    /// each value that had to be replaced is counted in text_repairs(). Filters see the
    /// stored bytes.
    void query(const QueryFilter &filter, const std::function<void(const Incident &)> &sink,
               StoredText text = StoredText::valid) const;

    /// Text values replaced by query() since the store was opened (see TextRepairs).
    [[nodiscard]] const TextRepairs &text_repairs() const noexcept { return m_text_repairs; }

    /// An opaque token that changes whenever the content changes (any committed insert,
    /// update or delete) and stays identical otherwise — the scheduler compares it to skip
    /// re-exports. Stable across processes.
    [[nodiscard]] virtual std::string state() const = 0;
    /// Number of incidents stored.
    [[nodiscard]] virtual std::size_t count() const = 0;
    /// Human-readable location ("GeoPackage borderwatch.gpkg", "PostGIS dbname=x host=y");
    /// for logs and manifests: never contains a password.
    [[nodiscard]] virtual std::string describe() const = 0;
    /// Schema version of the opened store (k_store_schema_version when current).
    [[nodiscard]] virtual int schema_version() const = 0;
    /// Number of source deletions the store remembers (StoreWriter::remember_deletions).
    [[nodiscard]] virtual std::size_t remembered_deletions() const = 0;

  protected:
    /// The backend's query: query() semantics with the text exactly as stored.
    virtual void query_stored(const QueryFilter &filter,
                              const std::function<void(const Incident &)> &sink) const = 0;

  private:
    mutable TextRepairs m_text_repairs; // query() is const; not thread-safe (as the store)
};

/// Schema version this program writes and understands. Backends refuse to open a store
/// whose version is newer. 2: the source columns (issue 14); 3: remembered source deletions
/// (table borderwatch_deletions); 4: border_id; 5: border_part (issue 17).
inline constexpr int k_store_schema_version = 5;

/// How open_store() treats a missing or outdated store.
struct StoreOpenOptions {
    /// Create an empty store (file / schema) when it does not exist (import, delete).
    /// false: a missing store is an IoError (query, stats, export read only existing stores).
    /// Backends with explicit schema management (PostGIS) may ignore this and require `init`.
    bool create_if_missing = true;
    /// Explicitly create or migrate the schema (`borderwatch store init`).
    bool init = false;
};

/// Open a store by spec:
///  - "PG:..." or "postgresql://..." / "postgres://..." → PostGIS backend;
///  - anything else is a file path → GeoPackage backend ("" means default_store_spec()).
/// @throws UsageError for an unusable spec, IoError if missing and !create_if_missing,
///         DataError if the store's schema version is newer than k_store_schema_version,
///         Error("PostGIS support not built") when the PostGIS backend is absent.
[[nodiscard]] std::unique_ptr<IncidentStore> open_store(const std::string &spec,
                                                        const StoreOpenOptions &options = {});

/// The store used when no --store is given: $BORDERWATCH_STORE if set and non-empty,
/// else "borderwatch.gpkg" in the current directory.
[[nodiscard]] std::string default_store_spec();

/// True if @p spec selects the PostGIS backend ("PG:", "postgresql://", "postgres://").
[[nodiscard]] bool is_postgis_spec(const std::string &spec) noexcept;

/// @p spec safe to print. A PostGIS spec (any form: keyword/value, URI, PG:-prefixed URI) is
/// shown as libpq itself parses it, "PG:dbname=x host=y user=u password=***", every secret
/// option masked; one that does not parse as "PG:(spec not shown: ...)". Passwords taken
/// from PGPASSWORD, service files or ~/.pgpass are never part of it. Other specs (file paths)
/// are returned as they are.
[[nodiscard]] std::string mask_store_spec(const std::string &spec);

/// The one filter semantics every backend implements (see QueryFilter).
[[nodiscard]] bool matches(const QueryFilter &filter, const Incident &incident);

/// Stable 16-hex-digit digest (64-bit multiply-xorshift over every field except updated_at,
/// with field indices and type tags) — equal hashes mean "unchanged" for upserts. Stable
/// across platforms and runs.
[[nodiscard]] std::string content_hash(const Incident &incident);
/// content_hash() into @p out (its capacity reused: for hot loops).
void content_hash(const Incident &incident, std::string &out);

} // namespace borderwatch
