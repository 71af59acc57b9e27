// PostgreSQL/PostGIS incident store (libpq). Schema, migrations and the SQL live here;
// docs/postgis.md describes them for database administrators.
//
// Design notes (the why):
// - The schema is created only by an explicit `borderwatch store init` (StoreOpenOptions::init):
//   a shared database is an administrator's object, so opening never creates tables.
// - Migrations are fixed SQL per version (k_migrations); reading and writing iterate
//   incident_fields(), and open checks that the table really has every such column.
// - Upserts COPY a batch into a temporary staging table and merge it with one
//   INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE content_hash differs: one round trip
//   per batch, identical rows not rewritten (no dead tuples, updated_at kept).
// - Writers on one store serialise on a transaction-scoped advisory lock taken at their
//   first change. Without it two imports with overlapping ids in different batch orders
//   can deadlock; with it the second simply waits, and ON CONFLICT sees the committed
//   rows of the first, so nothing is lost or duplicated.
// - state() is a change counter in borderwatch_meta, bumped once per committed writer
//   transaction that changed something; a statement trigger bumps it for edits made by
//   other programs (QGIS, psql).
#include "store/detail/backends.hpp"
#include "store/detail/deletion_memory.hpp"
#include "store/detail/pg_connection.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/utc_time.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/sources.hpp>

#include "incidents/field_visit.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>
#include <unordered_map>

namespace borderwatch::detail {

namespace {

// Advisory lock class id for borderwatch ("BW\0\1"); the object id is the incidents table's
// oid, so stores in different schemas of one database do not block each other.
constexpr int k_lock_class = 0x42570001;

// Rows fetched per round trip when streaming a query through a cursor.
constexpr int k_fetch_rows = 5000;

// The date columns (PostgreSQL date): the schema's FieldType::date fields.
bool is_date_column(std::string_view name) {
    const auto i = incident_field_index(name);
    return i && incident_fields()[*i].type == FieldType::date;
}

// Version 1: the first schema. Append a new entry (never edit an old one) for each change,
// together with raising k_store_schema_version.
const char *const k_migrations[] = {
    R"sql(
CREATE TABLE borderwatch_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE incidents (
    id                text COLLATE "C" PRIMARY KEY,
    event_date        date,
    event_date_end    date,
    date_precision    text,
    event_type        text,
    sub_event_type    text,
    actor1            text,
    actor2            text,
    target            text,
    fatalities_best   integer,
    fatalities_low    integer,
    fatalities_high   integer,
    location_text     text,
    country_text      text,
    admin1_text       text,
    admin2_text       text,
    lon               double precision,
    lat               double precision,
    geo_precision     integer,
    source_name       text,
    source_url        text,
    notes             text,
    place_id          text,
    place_name        text,
    place_matched     text,
    place_score       double precision,
    place_lon         double precision,
    place_lat         double precision,
    coord_origin      text,
    "precision"       integer,
    side              text,
    border_distance_m double precision,
    chainage_km       double precision,
    nearest_lon       double precision,
    nearest_lat       double precision,
    admin1            text,
    admin2            text,
    band              text,
    flags             text,
    updated_at        timestamptz NOT NULL,
    content_hash      text NOT NULL,
    geom              geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN place_lon IS NOT NULL AND place_lat IS NOT NULL
             THEN ST_SetSRID(ST_MakePoint(place_lon, place_lat), 4326) END) STORED
);
CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);
CREATE INDEX incidents_event_date_idx ON incidents (event_date);
CREATE INDEX incidents_border_distance_idx ON incidents (border_distance_m);

CREATE TRIGGER incidents_external_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT
    WHEN (coalesce(current_setting('borderwatch.writer', true), '') <> 'on')
    EXECUTE FUNCTION borderwatch_note_external_change();

INSERT INTO borderwatch_meta (key, value) VALUES ('change_counter', '0');
)sql",
    // Version 2 (issue 14): the source's own columns, kept losslessly, the revision that
    // decides which version of a row wins, and same_as (explicit links between the rows of
    // one event) (docs/incident-schema.md).
    R"sql(
ALTER TABLE incidents
    ADD COLUMN year bigint,
    ADD COLUMN disorder_type text,
    ADD COLUMN assoc_actor_1 text,
    ADD COLUMN assoc_actor_2 text,
    ADD COLUMN inter1 text,
    ADD COLUMN inter2 text,
    ADD COLUMN interaction text,
    ADD COLUMN civilian_targeting text,
    ADD COLUMN iso bigint,
    ADD COLUMN iso3 text,
    ADD COLUMN region text,
    ADD COLUMN admin3 text,
    ADD COLUMN source_scale text,
    ADD COLUMN tags text,
    ADD COLUMN "timestamp" bigint,
    ADD COLUMN data_id bigint,
    ADD COLUMN event_id_no_cnty bigint,
    ADD COLUMN relid text,
    ADD COLUMN active_year bigint,
    ADD COLUMN code_status text,
    ADD COLUMN type_of_violence bigint,
    ADD COLUMN conflict_dset_id bigint,
    ADD COLUMN conflict_new_id bigint,
    ADD COLUMN conflict_name text,
    ADD COLUMN dyad_dset_id bigint,
    ADD COLUMN dyad_new_id bigint,
    ADD COLUMN dyad_name text,
    ADD COLUMN side_a_dset_id bigint,
    ADD COLUMN side_a_new_id bigint,
    ADD COLUMN side_b_dset_id bigint,
    ADD COLUMN side_b_new_id bigint,
    ADD COLUMN number_of_sources bigint,
    ADD COLUMN source_article text,
    ADD COLUMN source_date text,
    ADD COLUMN source_headline text,
    ADD COLUMN source_original text,
    ADD COLUMN where_description text,
    ADD COLUMN priogrid_gid bigint,
    ADD COLUMN country_id bigint,
    ADD COLUMN event_clarity bigint,
    ADD COLUMN deaths_a bigint,
    ADD COLUMN deaths_b bigint,
    ADD COLUMN deaths_civilians bigint,
    ADD COLUMN deaths_unknown bigint,
    ADD COLUMN gwnoa text,
    ADD COLUMN gwnob text,
    ADD COLUMN source_dataset text,
    ADD COLUMN source_version text,
    ADD COLUMN source_revision bigint,
    ADD COLUMN same_as text;
)sql",
    // Version 3 (issue 14): the deletions a source made, remembered so that an older file
    // delivered again cannot bring a deleted event back (StoreWriter::remember_deletions).
    R"sql(
CREATE TABLE borderwatch_deletions (
    id            text COLLATE "C" PRIMARY KEY,
    revision      bigint NOT NULL,
    remembered_at timestamptz NOT NULL
);
COMMENT ON TABLE borderwatch_deletions IS
    'borderwatch: events their source deleted, and at which revision (a row of such an id is stored again only when newer)';
)sql",
    // Version 4 (issue 17): which border a row's distance and chainage refer to (world mode
    // places every row against its nearest border).
    R"sql(
ALTER TABLE incidents ADD COLUMN border_id text;
)sql",
    // Version 5 (issue 17): the line of a border of several lines that chainage_km runs along.
    R"sql(
ALTER TABLE incidents ADD COLUMN border_part bigint;
)sql",
};
// The statement trigger's function, created (or repaired) by every `store init` before the
// migrations. It finds the counter through the schema of the table that fired it, never
// through the editing session's search_path: a psql or QGIS session editing teamb.incidents
// with the default search_path must bump teamb's counter, not public's. (Until issue 12
// migration 1 created a search_path-dependent version of it; init replaces that one.)
// This is its PL/pgSQL body; the marker comment lets init recognise the current version.
const char *const k_note_change_body = R"sql(
BEGIN
    -- borderwatch: counter of the firing table's schema
    EXECUTE format('UPDATE %I.borderwatch_meta SET value = (value::bigint + 1)::text '
                   'WHERE key = %L', TG_TABLE_SCHEMA, 'change_counter');
    RETURN NULL;
END
)sql";
constexpr std::string_view k_note_change_marker = "counter of the firing table's schema";

static_assert(std::size(k_migrations) == static_cast<std::size_t>(k_store_schema_version),
              "one migration per schema version");

bool valid_iso_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') {
        return false;
    }
    for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (d[i] < '0' || d[i] > '9') {
            return false;
        }
    }
    const int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    const int m = (d[5] - '0') * 10 + (d[6] - '0');
    const int day = (d[8] - '0') * 10 + (d[9] - '0');
    if (m < 1 || m > 12 || day < 1) {
        return false;
    }
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return day <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// The filter bounds of QueryFilter dates as valid SQL dates ("2025" → 2025-01-01 /
// 2025-12-31, "2025-02" → 2025-02-01 / 2025-02-28). nullopt when not a date at all: then
// that bound is not pushed into SQL and matches() alone decides.
std::optional<std::string> sql_date_bound(const std::string &d, bool upper) {
    std::string out = d;
    if (d.size() == 4) {
        out = d + (upper ? "-12-31" : "-01-01");
    } else if (d.size() == 7) {
        out = d + "-01";
        if (upper) {
            for (const char *last : {"-31", "-30", "-29", "-28"}) {
                if (valid_iso_date(d + last)) {
                    out = d + last;
                    break;
                }
            }
        }
    }
    return valid_iso_date(out) ? std::optional<std::string>(out) : std::nullopt;
}

// The SQL that depends on incident_fields(), built once per store object.
struct SqlText {
    std::string columns;     // "id", "event_date", ... (every field but updated_at)
    std::string select_list; // columns for reading, updated_at formatted as ISO 8601
    std::string stage_ddl;   // CREATE TEMP TABLE of the staging table
    std::string copy_stage;  // COPY into the staging table
    std::string merge;       // INSERT ... ON CONFLICT from the staging table
};

// @p incidents: the schema-qualified, quoted table name.
SqlText build_sql(PgConnection &conn, const std::string &incidents) {
    SqlText s;
    const auto &fields = incident_fields();
    std::string stage_columns;
    std::string update_set;
    std::string select_stage;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name(fields[i].name);
        const std::string q = conn.quote_identifier(name);
        if (name == "updated_at") {
            s.select_list += "to_char(updated_at AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
            s.select_list += i + 1 < fields.size() ? ", " : "";
            continue;
        }
        s.select_list += q + (i + 1 < fields.size() ? ", " : "");
        s.columns += (s.columns.empty() ? "" : ", ") + q;
        select_stage += (select_stage.empty() ? "" : ", ") + q;
        update_set += q + " = EXCLUDED." + q + ", ";
        std::string type;
        if (name == "id") {
            type = "text COLLATE \"C\"";
        } else if (is_date_column(name)) {
            type = "date";
        } else if (fields[i].type == FieldType::integer) {
            type = "bigint"; // the column may be integer: out of range is the server's refusal
        } else if (fields[i].type == FieldType::real) {
            type = "double precision";
        } else {
            type = "text";
        }
        stage_columns += ", " + q + " " + type;
    }
    s.stage_ddl = "CREATE TEMP TABLE bw_stage (seq bigint" + stage_columns +
                  ", content_hash text) ON COMMIT DROP";
    s.copy_stage = "COPY bw_stage (seq, " + s.columns + ", content_hash) FROM STDIN";
    // The staged ids are unique (fold_batch applied the revision rule inside the batch);
    // DISTINCT ON stays as a guard and yields the rows sorted by id (lock order). Rows whose stored
    // hash is identical are dropped before the INSERT: ON CONFLICT would otherwise lock and
    // re-check each one. The revision rule (is_older_revision() in incidents/sources.hpp) in SQL: a
    // stored row whose source_revision is newer than the incoming one is kept (both known; NULL on
    // either side lets the later import win) and counted as older.
    s.merge = "WITH s AS (SELECT DISTINCT ON (id) " + select_stage +
              ", content_hash FROM bw_stage ORDER BY id, seq DESC), "
              "older AS (SELECT count(*) AS n FROM s JOIN " +
              incidents +
              " e ON e.id = s.id WHERE e.source_revision > s.source_revision), "
              "ins AS (INSERT INTO " +
              incidents + " AS t (" + s.columns +
              ", updated_at, content_hash) "
              "SELECT " +
              select_stage +
              ", date_trunc('second', transaction_timestamp()), content_hash "
              "FROM s "
              "WHERE NOT EXISTS (SELECT 1 FROM " +
              incidents +
              " e WHERE e.id = s.id "
              "AND (e.content_hash = s.content_hash OR e.source_revision > s.source_revision)) "
              "ON CONFLICT (id) DO UPDATE SET " +
              update_set +
              "updated_at = EXCLUDED.updated_at, content_hash = EXCLUDED.content_hash "
              "WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash "
              "AND NOT (t.source_revision > EXCLUDED.source_revision) IS TRUE "
              "RETURNING (t.xmax = 0) AS inserted) "
              "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
              "(SELECT n FROM older) FROM ins";
    return s;
}

std::size_t to_size(std::string_view text) {
    const auto v = parse_int(text);
    return v && *v > 0 ? static_cast<std::size_t>(*v) : 0;
}

// Appends one COPY text-format line for @p x.
void append_copy_row(std::string &out, std::size_t seq, const Incident &x) {
    out += std::to_string(seq);
    visit_fields(x, [&](std::size_t i, const FieldRef &v) {
        if (i == k_updated_at_index) {
            return;
        }
        out += '\t';
        if (std::holds_alternative<std::monostate>(v)) {
            out += "\\N";
        } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
            out += std::to_string(*n);
        } else if (const auto *d = std::get_if<double>(&v)) {
            out += format_double(*d);
        } else {
            const auto text = std::get<std::string_view>(v);
            const auto &field = incident_fields()[i];
            if (is_date_column(field.name)) {
                if (text.empty()) {
                    out += "\\N";
                    return;
                }
                if (!valid_iso_date(text)) {
                    throw InputError(SourceLocation{{}, 0, 0, std::string(field.name)},
                                     "incident '" + x.id + "': '" + std::string(text) +
                                         "' is not a date YYYY-MM-DD");
                }
            }
            append_copy_escaped(out, text);
        }
    });
    out += '\t';
    out += content_hash(x);
    out += '\n';
}

// How the rows of batch[first, last) fold among themselves before they meet the store: a later
// row with an id seen earlier in the range replaces it unless it is an older revision
// (is_older_revision), then it is dropped. This is the rule GeoPackage applies row by row; the
// merge SQL alone (DISTINCT ON, the last row) would let an older later row win. The rows of a
// repeated id are then counted one by one (count_row), so the counters equal GeoPackage's too.
struct BatchFold {
    std::vector<bool> dropped; ///< per row of the range: superseded inside the batch
    std::size_t distinct = 0;  ///< distinct ids
    /// Ids with more than one row in the range: their rows (batch indices, in order).
    std::vector<std::vector<std::size_t>> twins;
};

BatchFold fold_batch(const std::vector<Incident> &batch, std::size_t first, std::size_t last) {
    BatchFold fold;
    fold.dropped.assign(last - first, false);
    struct Seen {
        std::size_t winner;                               // the row the id keeps so far
        std::size_t twins = static_cast<std::size_t>(-1); // its entry in fold.twins, if repeated
    };
    std::unordered_map<std::string_view, Seen> seen;
    seen.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
        const auto [it, fresh] = seen.try_emplace(batch[i].id, Seen{i});
        if (fresh) {
            continue;
        }
        Seen &s = it->second;
        if (s.twins == static_cast<std::size_t>(-1)) {
            s.twins = fold.twins.size();
            fold.twins.push_back({s.winner}); // the id's first row: it was the winner until now
        }
        fold.twins[s.twins].push_back(i);
        if (is_older_revision(batch[i].source_revision, batch[s.winner].source_revision)) {
            fold.dropped[i - first] = true;
        } else {
            fold.dropped[s.winner - first] = true;
            s.winner = i;
        }
    }
    fold.distinct = seen.size();
    return fold;
}

// The stored version of a row as the revision rule and the content hash see it.
struct StoredVersion {
    std::string hash;
    std::optional<std::int64_t> revision;
};

// What upserting @p incoming over @p state counts, as GeoPackage counts it row by row;
// @p state becomes the stored version afterwards.
void count_row(const Incident &incoming, std::optional<StoredVersion> &state,
               UpsertResult &counts) {
    auto hash = content_hash(incoming);
    if (!state) {
        ++counts.inserted;
    } else if (state->hash == hash) {
        ++counts.unchanged;
        return;
    } else if (is_older_revision(incoming.source_revision, state->revision)) {
        ++counts.older;
        return;
    } else {
        ++counts.updated;
    }
    state = StoredVersion{std::move(hash), incoming.source_revision};
}

// A server error about one row's value rather than about the session: a data exception
// (class 22: number out of range, invalid text, bad UTF-8), an integrity constraint (23: a
// CHECK or NOT NULL an administrator added), a trigger's RAISE (P0) or a program limit (54:
// an id too long for the primary key index). Anything else fails the whole writer.
bool refuses_row(const PgError &e) {
    const auto &s = e.sqlstate();
    return s.rfind("22", 0) == 0 || s.rfind("23", 0) == 0 || s.rfind("P0", 0) == 0 ||
           s.rfind("54", 0) == 0;
}

class PostgisStore;

class PostgisWriter final : public StoreWriter {
  public:
    explicit PostgisWriter(PostgisStore &store);
    ~PostgisWriter() override;
    PostgisWriter(const PostgisWriter &) = delete;
    PostgisWriter &operator=(const PostgisWriter &) = delete;

    using StoreWriter::upsert;
    /// All or nothing: a refused row fails the writer (DataError).
    UpsertResult upsert(const std::vector<Incident> &batch) override;
    UpsertResult upsert(const std::vector<Incident> &batch, const std::vector<std::string> &hashes,
                        std::vector<RefusedRow> &refused) override;
    std::size_t remove(const std::vector<std::string> &ids) override;
    void remember_deletions(const std::vector<SourceDeletion> &deletions) override;
    void commit() override;

  private:
    void begin_changes();
    void store_rows(const std::vector<Incident> &batch, std::size_t first, std::size_t last,
                    UpsertResult &result, std::vector<RefusedRow> &refused);
    void copy_rows(const std::vector<Incident> &batch, std::size_t first, std::size_t last,
                   const std::vector<bool> &dropped);
    std::vector<std::optional<StoredVersion>> stored_versions(const std::vector<Incident> &batch,
                                                              const BatchFold &fold);
    void check_usable() const;

    PostgisStore &m_store;
    PgConnection &m_conn;
    DeletionMemory m_deletions; // loaded by begin_changes(), under the lock
    bool m_locked = false;
    bool m_staged = false;
    bool m_changed = false;
    bool m_done = false;
    bool m_failed = false;
};

class PostgisStore final : public IncidentStore {
  public:
    PostgisStore(const std::string &spec, const StoreOpenOptions &options)
        : m_conn(parse_pg_spec(spec)) {
        resolve_schema();
        set_search_path();
        if (options.init) {
            initialise();
        }
        m_version = read_version();
        if (m_version == 0) {
            throw IoError(m_conn.spec().description + ": no borderwatch store in schema " +
                          m_schema +
                          " of this database; create it with "
                          "'borderwatch store init --store <spec>'");
        }
        check_version(m_version);
        if (m_version < k_store_schema_version) {
            throw DataError(m_conn.spec().description + ": schema version " +
                            std::to_string(m_version) + " is older than this program's (" +
                            std::to_string(k_store_schema_version) +
                            "); migrate it with 'borderwatch store init --store <spec>'");
        }
        check_columns();
        m_sql = build_sql(m_conn, m_incidents);
    }

    std::unique_ptr<StoreWriter> writer() override {
        if (m_writer_open) {
            throw Error(describe() + ": a writer is already open on this store object");
        }
        return std::make_unique<PostgisWriter>(*this);
    }

    void query_stored(const QueryFilter &filter,
                      const std::function<void(const Incident &)> &sink) const override;

    std::string state() const override {
        const auto r = m_conn.exec("SELECT value FROM " + m_meta + " WHERE key = 'change_counter'");
        return "postgis-v" + std::to_string(m_version) + "-" +
               std::string(r.rows() > 0 ? r.value(0, 0) : "0");
    }

    std::size_t count() const override {
        return to_size(m_conn.exec("SELECT count(*) FROM " + m_incidents).value(0, 0));
    }

    std::size_t remembered_deletions() const override {
        return to_size(m_conn.exec("SELECT count(*) FROM " + m_deletions).value(0, 0));
    }

    // The spec's description, plus the schema actually used when the spec named none.
    std::string describe() const override {
        return m_conn.spec().schema.empty() && !m_schema.empty()
                   ? m_conn.spec().description + " active_schema=" + m_schema
                   : m_conn.spec().description;
    }
    int schema_version() const override { return m_version; }

    PgConnection &connection() const { return m_conn; }
    /// Quoted, schema-qualified table names ("teamb"."incidents").
    const std::string &incidents_table() const { return m_incidents; }
    const std::string &meta_table() const { return m_meta; }
    const std::string &deletions_table() const { return m_deletions; }
    const SqlText &sql() const { return m_sql; }
    void set_writer_open(bool open) { m_writer_open = open; }

  private:
    // Every table reference is qualified with this schema: the session's search_path (which
    // finds public.incidents when teamb has none yet) never decides where data goes.
    void resolve_schema() {
        m_schema = m_conn.spec().schema;
        if (m_schema.empty()) {
            const auto r = m_conn.exec("SELECT current_schema()");
            if (r.is_null(0, 0)) {
                throw IoError(m_conn.spec().description +
                              ": the server's search_path names no existing schema; give one "
                              "with active_schema=NAME");
            }
            m_schema = std::string(r.value(0, 0));
        }
        const auto q = m_conn.quote_identifier(m_schema);
        m_incidents = q + ".incidents";
        m_meta = q + ".borderwatch_meta";
        m_deletions = q + ".borderwatch_deletions";
    }

    void set_search_path() {
        const auto &schema = m_schema;
        // Our schema first (unqualified names in the migrations are created there), PostGIS
        // next to it when it lives in a schema of its own.
        std::string path = m_conn.quote_identifier(schema);
        const auto ext = m_conn.exec("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                     "ON n.oid = e.extnamespace WHERE e.extname = 'postgis'");
        if (ext.rows() > 0 && ext.value(0, 0) != schema) {
            path += ", " + m_conn.quote_identifier(ext.value(0, 0));
        }
        m_conn.exec("SET search_path TO " + path);
    }

    int read_version() {
        const auto exists = m_conn.exec("SELECT to_regclass($1) IS NOT NULL", {m_meta});
        if (exists.value(0, 0) != "t") {
            return 0;
        }
        const auto r = m_conn.exec("SELECT value FROM " + m_meta + " WHERE key = 'schema_version'");
        if (r.rows() == 0) {
            return 0;
        }
        const auto v = parse_int(r.value(0, 0));
        if (!v || *v < 1) {
            throw DataError(describe() + ": borderwatch_meta.schema_version is '" +
                            std::string(r.value(0, 0)) + "', not a positive integer");
        }
        return static_cast<int>(*v);
    }

    void check_version(int version) const {
        if (version > k_store_schema_version) {
            throw DataError(describe() + ": schema version " + std::to_string(version) +
                            " is newer than this program understands (" +
                            std::to_string(k_store_schema_version) +
                            "); upgrade borderwatch - the database was left untouched");
        }
    }

    void initialise() {
        m_conn.exec("BEGIN");
        try {
            // Serialise concurrent `store init` runs on one database.
            m_conn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(k_lock_class) + ", 0)");
            const auto ext = m_conn.exec("SELECT 1 FROM pg_extension WHERE extname = 'postgis'");
            if (ext.rows() == 0) {
                try {
                    m_conn.exec("CREATE EXTENSION postgis");
                } catch (const PgError &e) {
                    throw PgError(std::string(e.what()) +
                                      " (PostGIS is not installed in this database; ask its "
                                      "administrator to run CREATE EXTENSION postgis)",
                                  e.sqlstate());
                }
                set_search_path();
            }
            m_conn.exec("CREATE SCHEMA IF NOT EXISTS " + m_conn.quote_identifier(m_schema));
            // Unqualified CREATEs in the migrations go to the first existing schema of the
            // search_path: make sure that is ours.
            if (m_conn.exec("SELECT current_schema() IS NOT DISTINCT FROM $1", {m_schema})
                    .value(0, 0) != "t") {
                throw IoError(describe() + ": schema " + m_schema +
                              " is not the session's current schema after SET search_path");
            }
            const int from = read_version();
            check_version(from);
            install_note_change_function();
            for (int v = from + 1; v <= k_store_schema_version; ++v) {
                m_conn.exec(k_migrations[v - 1]);
                m_conn.exec("INSERT INTO " + m_meta +
                                " (key, value) VALUES "
                                "('schema_version', $1) ON CONFLICT (key) DO UPDATE "
                                "SET value = EXCLUDED.value",
                            {std::to_string(v)});
            }
            if (from == 0) {
                m_conn.exec(
                    "INSERT INTO " + m_meta +
                        " (key, value) VALUES ('created_by', $1), ('created_at', $2)",
                    {std::string("borderwatch ") + version_string(), utc_now_iso8601_millis()});
            }
            if (from < k_store_schema_version) {
                comment_columns(); // also the columns a migration added
            }
            m_conn.exec("COMMIT");
        } catch (...) {
            m_conn.rollback_noexcept();
            throw;
        }
    }

    // The trigger function in our schema, created or replaced when it is missing or an
    // older (search_path-dependent) version. Left alone when current: replacing needs
    // ownership, and init must stay harmless for every role that may run it.
    void install_note_change_function() {
        const std::string name =
            m_conn.quote_identifier(m_schema) + ".borderwatch_note_external_change";
        const auto r = m_conn.exec("SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure($1)",
                                   {name + "()"});
        if (r.rows() > 0 && r.value(0, 0).find(k_note_change_marker) != std::string_view::npos) {
            return;
        }
        m_conn.exec("CREATE OR REPLACE FUNCTION " + name +
                    "() RETURNS trigger LANGUAGE plpgsql AS " + sql_literal(k_note_change_body));
    }

    // COMMENT ON COLUMN from the field descriptions, so psql's \d+ and QGIS show them.
    void comment_columns() {
        for (const auto &f : incident_fields()) {
            m_conn.exec("COMMENT ON COLUMN " + m_incidents + "." + m_conn.quote_identifier(f.name) +
                        " IS " + sql_literal(f.description));
        }
        m_conn.exec("COMMENT ON TABLE " + m_incidents +
                    " IS 'borderwatch incidents (one row per incident id; see docs/postgis.md)'");
        m_conn.exec("COMMENT ON COLUMN " + m_incidents +
                    ".geom IS 'placed point (place_lon, place_lat), generated'");
        m_conn.exec("COMMENT ON COLUMN " + m_incidents +
                    ".content_hash IS 'borderwatch content hash; rows are rewritten only when it "
                    "changes'");
    }

    void check_columns() {
        const auto r = m_conn.exec("SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass "
                                   "AND attnum > 0 AND NOT attisdropped",
                                   {m_incidents});
        std::vector<std::string> have;
        for (int i = 0; i < r.rows(); ++i) {
            have.emplace_back(r.value(i, 0));
        }
        for (const auto &f : incident_fields()) {
            if (std::find(have.begin(), have.end(), f.name) == have.end()) {
                throw DataError(describe() + ": table incidents has no column '" +
                                std::string(f.name) + "' (schema version " +
                                std::to_string(m_version) + " predates it)");
            }
        }
    }

    mutable PgConnection m_conn;
    std::string m_schema;    // resolved: the spec's active_schema or the server's current one
    std::string m_incidents; // "schema"."incidents"
    std::string m_meta;      // "schema"."borderwatch_meta"
    std::string m_deletions; // "schema"."borderwatch_deletions"
    int m_version = 0;
    bool m_writer_open = false;
    SqlText m_sql;
};

PostgisWriter::PostgisWriter(PostgisStore &store) : m_store(store), m_conn(store.connection()) {
    m_conn.exec("BEGIN");
    try {
        // Statement triggers skip our own changes; commit() counts them once.
        m_conn.exec("SET LOCAL borderwatch.writer = 'on'");
        // Batches of tens of thousands of wide rows are sorted by id; keep that in memory.
        m_conn.exec("SET LOCAL work_mem = '64MB'");
    } catch (...) {
        m_conn.rollback_noexcept();
        throw;
    }
    m_store.set_writer_open(true);
}

PostgisWriter::~PostgisWriter() {
    if (!m_done) {
        m_conn.rollback_noexcept();
    }
    m_store.set_writer_open(false);
}

void PostgisWriter::check_usable() const {
    if (m_done) {
        throw Error(m_store.describe() + ": writer already committed");
    }
    if (m_failed) {
        throw Error(m_store.describe() + ": writer unusable after an earlier failure");
    }
}

void PostgisWriter::begin_changes() {
    if (!m_locked) {
        m_conn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(k_lock_class) +
                        ", $1::regclass::oid::int)",
                    {m_store.incidents_table()});
        m_locked = true;
        const auto r = m_conn.exec("SELECT id, revision FROM " + m_store.deletions_table());
        for (int i = 0; i < r.rows(); ++i) {
            const auto revision = parse_int(r.value(i, 1));
            if (revision) {
                m_deletions.remember(std::string(r.value(i, 0)), *revision);
            }
        }
    }
}

UpsertResult PostgisWriter::upsert(const std::vector<Incident> &batch) {
    std::vector<RefusedRow> refused;
    auto result = upsert(batch, {}, refused);
    if (!refused.empty()) {
        m_failed = true;
        m_conn.rollback_noexcept();
        throw DataError(m_store.describe() + ": incident '" + batch[refused.front().index].id +
                        "': " + refused.front().message);
    }
    return result;
}

UpsertResult PostgisWriter::upsert(const std::vector<Incident> &batch,
                                   const std::vector<std::string> & /*hashes*/,
                                   std::vector<RefusedRow> &refused) {
    check_usable();
    UpsertResult result;
    if (batch.empty()) {
        return result;
    }
    try {
        for (const auto &x : batch) {
            if (x.id.empty()) {
                throw InputError(SourceLocation{{}, 0, 0, "id"}, "incident without an id");
            }
        }
        begin_changes();
        if (!m_staged) {
            m_conn.exec(m_store.sql().stage_ddl);
            m_staged = true;
        }
        auto screened = m_deletions.screen(batch, {});
        if (screened) {
            result.deleted_earlier = screened->deleted;
            if (!screened->forgotten.empty()) {
                m_conn.exec("DELETE FROM " + m_store.deletions_table() +
                                " WHERE id = ANY($1::text[])",
                            {pg_text_array(screened->forgotten)});
            }
            // Refused rows are reported by their index in the caller's batch.
            std::vector<RefusedRow> screened_refused;
            store_rows(screened->rows, 0, screened->rows.size(), result, screened_refused);
            for (auto &r : screened_refused) {
                r.index = screened->index[r.index];
                refused.push_back(std::move(r));
            }
        } else {
            store_rows(batch, 0, batch.size(), result, refused);
        }
        if (result.inserted + result.updated > 0) {
            m_changed = true;
        }
        return result;
    } catch (...) {
        m_failed = true;
        m_conn.rollback_noexcept();
        throw;
    }
}

// COPY batch[first, last) into the staging table and merge it, inside a savepoint. When the
// server refuses a value, only the savepoint is rolled back and the range is halved until
// the refused rows stand alone: one bad row costs about 2*log2(batch) extra round trips, the
// good rows are all stored, and a batch without refusals costs two statements more.
void PostgisWriter::store_rows(const std::vector<Incident> &batch, std::size_t first,
                               std::size_t last, UpsertResult &result,
                               std::vector<RefusedRow> &refused) {
    m_conn.exec("SAVEPOINT bw_rows");
    std::string refusal;
    try {
        m_conn.exec("TRUNCATE bw_stage");
        const auto fold = fold_batch(batch, first, last);
        const auto twins_before = stored_versions(batch, fold);
        copy_rows(batch, first, last, fold.dropped);
        const auto r = m_conn.exec(m_store.sql().merge);
        m_conn.exec("RELEASE SAVEPOINT bw_rows");
        UpsertResult merged;
        merged.inserted = to_size(r.value(0, 0));
        merged.updated = to_size(r.value(0, 1));
        merged.older = to_size(r.value(0, 2));
        const auto touched = merged.inserted + merged.updated + merged.older;
        merged.unchanged = fold.distinct > touched ? fold.distinct - touched : 0;
        // The merge saw one row per id. An id with several rows is counted row by row, as
        // GeoPackage does: its merged outcome is replaced by the outcome of each of its rows
        // over the version stored before (the stored rows are the same either way).
        UpsertResult merged_twins;
        UpsertResult row_by_row;
        for (std::size_t t = 0; t < fold.twins.size(); ++t) {
            const auto &rows = fold.twins[t];
            auto state = twins_before[t];
            for (const auto i : rows) {
                count_row(batch[i], state, row_by_row);
                if (!fold.dropped[i - first]) {
                    auto before = twins_before[t];
                    count_row(batch[i], before, merged_twins);
                }
            }
        }
        // (merged_twins is part of merged; min() only guards the arithmetic.)
        auto swap_in = [](std::size_t all, std::size_t out, std::size_t in) {
            return all - std::min(all, out) + in;
        };
        result.inserted += swap_in(merged.inserted, merged_twins.inserted, row_by_row.inserted);
        result.updated += swap_in(merged.updated, merged_twins.updated, row_by_row.updated);
        result.unchanged += swap_in(merged.unchanged, merged_twins.unchanged, row_by_row.unchanged);
        result.older += swap_in(merged.older, merged_twins.older, row_by_row.older);
        return;
    } catch (const PgError &e) {
        if (!refuses_row(e)) {
            throw;
        }
        refusal = e.primary().empty() ? e.what() : e.primary();
    }
    m_conn.exec("ROLLBACK TO SAVEPOINT bw_rows");
    m_conn.exec("RELEASE SAVEPOINT bw_rows");
    if (last - first == 1) {
        refused.push_back(RefusedRow{first, "refused by the PostGIS server: " + refusal});
        return;
    }
    const std::size_t middle = first + (last - first) / 2;
    store_rows(batch, first, middle, result, refused);
    store_rows(batch, middle, last, result, refused);
}

// The stored version (before this merge) of each id of fold.twins; nullopt: not stored.
std::vector<std::optional<StoredVersion>>
PostgisWriter::stored_versions(const std::vector<Incident> &batch, const BatchFold &fold) {
    std::vector<std::optional<StoredVersion>> out(fold.twins.size());
    if (fold.twins.empty()) {
        return out;
    }
    std::vector<std::string> ids;
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t t = 0; t < fold.twins.size(); ++t) {
        ids.push_back(batch[fold.twins[t].front()].id);
        index.emplace(batch[fold.twins[t].front()].id, t);
    }
    const auto r = m_conn.exec("SELECT id, content_hash, source_revision FROM " +
                                   m_store.incidents_table() + " WHERE id = ANY($1::text[])",
                               {pg_text_array(ids)});
    for (int row = 0; row < r.rows(); ++row) {
        const auto it = index.find(r.value(row, 0));
        if (it != index.end()) {
            out[it->second] =
                StoredVersion{std::string(r.value(row, 1)),
                              r.is_null(row, 2) ? std::nullopt : parse_int(r.value(row, 2))};
        }
    }
    return out;
}

void PostgisWriter::copy_rows(const std::vector<Incident> &batch, std::size_t first,
                              std::size_t last, const std::vector<bool> &dropped) {
    m_conn.copy_begin(m_store.sql().copy_stage);
    std::string buffer;
    buffer.reserve(std::min<std::size_t>(1U << 20, (last - first) * 512));
    for (std::size_t i = first; i < last; ++i) {
        if (dropped[i - first]) {
            continue;
        }
        // seq keeps the batch order (the rows left by fold_batch have unique ids).
        append_copy_row(buffer, i, batch[i]);
        if (buffer.size() >= (1U << 20)) {
            m_conn.copy_put(buffer);
            buffer.clear();
        }
    }
    if (!buffer.empty()) {
        m_conn.copy_put(buffer);
    }
    m_conn.copy_end();
}

std::size_t PostgisWriter::remove(const std::vector<std::string> &ids) {
    check_usable();
    if (ids.empty()) {
        return 0;
    }
    try {
        begin_changes();
        const auto r =
            m_conn.exec("DELETE FROM " + m_store.incidents_table() + " WHERE id = ANY($1::text[])",
                        {pg_text_array(ids)});
        const auto n = r.affected();
        if (n > 0) {
            m_changed = true;
        }
        return n;
    } catch (...) {
        m_failed = true;
        m_conn.rollback_noexcept();
        throw;
    }
}

void PostgisWriter::remember_deletions(const std::vector<SourceDeletion> &deletions) {
    check_usable();
    std::vector<std::string> ids;
    std::vector<std::string> revisions;
    for (const auto &d : deletions) {
        if (d.revision) {
            ids.push_back(d.id);
            revisions.push_back(std::to_string(*d.revision));
        }
    }
    if (ids.empty()) {
        return;
    }
    try {
        begin_changes();
        m_conn.exec("INSERT INTO " + m_store.deletions_table() +
                        " AS t (id, revision, remembered_at) "
                        "SELECT DISTINCT ON (id) id, revision, transaction_timestamp() "
                        "FROM unnest($1::text[], $2::bigint[]) AS d(id, revision) "
                        "ORDER BY id, revision DESC "
                        "ON CONFLICT (id) DO UPDATE SET revision = greatest(t.revision, "
                        "EXCLUDED.revision), remembered_at = EXCLUDED.remembered_at",
                    {pg_text_array(ids), pg_text_array(revisions)});
        for (std::size_t i = 0; i < ids.size(); ++i) {
            m_deletions.remember(ids[i], *parse_int(revisions[i]));
        }
    } catch (...) {
        m_failed = true;
        m_conn.rollback_noexcept();
        throw;
    }
}

void PostgisWriter::commit() {
    check_usable();
    try {
        if (m_changed) {
            m_conn.exec("UPDATE " + m_store.meta_table() +
                        " SET value = (value::bigint + 1)::text "
                        "WHERE key = 'change_counter'");
        }
        m_conn.exec("COMMIT");
        m_done = true;
    } catch (...) {
        m_failed = true;
        m_conn.rollback_noexcept();
        throw;
    }
}

// WHERE clause for the parts of @p f that SQL can pre-filter. Always a superset of
// matches(): the caller re-checks every row with matches().
std::string where_clause(const QueryFilter &f, std::vector<PgParam> &params) {
    std::vector<std::string> terms;
    auto param = [&params](std::string value) {
        params.emplace_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    auto lowered_list = [&](const std::vector<std::string> &values) {
        return "(SELECT lower(v) FROM unnest(" + param(pg_text_array(values)) + "::text[]) v)";
    };
    if (!f.ids.empty()) {
        terms.push_back("id = ANY(" + param(pg_text_array(f.ids)) + "::text[])");
    }
    if (f.within_km) {
        terms.push_back("border_distance_m <= " + param(format_double(*f.within_km * 1000.0)) +
                        "::float8");
    }
    if (f.beyond_km) {
        terms.push_back("border_distance_m >= " + param(format_double(*f.beyond_km * 1000.0)) +
                        "::float8");
    }
    if (!f.side.empty()) {
        terms.push_back("lower(side) = lower(" + param(f.side) + ")");
    }
    if (!f.admin1.empty()) {
        terms.push_back("lower(admin1) IN " + lowered_list(f.admin1));
    }
    if (!f.admin2.empty()) {
        terms.push_back("lower(admin2) IN " + lowered_list(f.admin2));
    }
    if (f.bbox) {
        const auto &b = *f.bbox;
        terms.push_back("geom && ST_MakeEnvelope(" + param(format_double(b[0])) + "::float8, " +
                        param(format_double(b[1])) + "::float8, " + param(format_double(b[2])) +
                        "::float8, " + param(format_double(b[3])) + "::float8, 4326)");
    }
    if (f.near_km && f.near_lon && f.near_lat && std::isfinite(*f.near_km) &&
        std::abs(*f.near_lat) <= 90.0) {
        // Index-assisted box first (GiST on geom), then PostGIS's spheroidal distance with
        // 1 m of slack so that rounding never drops a row matches() would keep.
        const double r_m = std::max(0.0, *f.near_km * 1000.0);
        const double dlat = r_m / 110000.0 + 0.01;
        const double lat_max = std::min(89.0, std::abs(*f.near_lat) + dlat);
        const double cos_lat = std::cos(lat_max * std::numbers::pi / 180.0);
        if (std::abs(*f.near_lat) + dlat < 89.0 && r_m / (111000.0 * cos_lat) + 0.01 < 180.0) {
            const double dlon = r_m / (111000.0 * cos_lat) + 0.01;
            terms.push_back("geom && ST_MakeEnvelope(" + param(format_double(*f.near_lon - dlon)) +
                            "::float8, " + param(format_double(*f.near_lat - dlat)) + "::float8, " +
                            param(format_double(*f.near_lon + dlon)) + "::float8, " +
                            param(format_double(*f.near_lat + dlat)) + "::float8, 4326)");
        }
        terms.push_back("ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(" +
                        param(format_double(*f.near_lon)) + "::float8, " +
                        param(format_double(*f.near_lat)) + "::float8), 4326)::geography, " +
                        param(format_double(r_m + 1.0)) + "::float8)");
    }
    if (!f.from_date.empty() || !f.to_date.empty()) {
        terms.push_back("event_date IS NOT NULL");
        if (const auto from =
                f.from_date.empty() ? std::nullopt : sql_date_bound(f.from_date, false)) {
            terms.push_back("coalesce(event_date_end, event_date) >= " + param(*from) + "::date");
        }
        if (const auto to = f.to_date.empty() ? std::nullopt : sql_date_bound(f.to_date, true)) {
            terms.push_back("event_date <= " + param(*to) + "::date");
        }
    }
    if (!f.event_types.empty()) {
        const auto list = lowered_list(f.event_types);
        terms.push_back("(lower(event_type) IN " + list + " OR lower(sub_event_type) IN " + list +
                        ")");
    }
    if (f.min_fatalities) {
        terms.push_back("fatalities_best >= " + param(std::to_string(*f.min_fatalities)) +
                        "::integer");
    }
    if (f.precision_max) {
        terms.push_back("\"precision\" <= " + param(std::to_string(*f.precision_max)) +
                        "::integer");
    }
    std::string out;
    for (const auto &t : terms) {
        out += (out.empty() ? " WHERE " : " AND ") + t;
    }
    return out;
}

void PostgisStore::query_stored(const QueryFilter &filter,
                                const std::function<void(const Incident &)> &sink) const {
    std::vector<PgParam> params;
    // where_clause() selects the ids exactly (id = ANY, byte-wise "C" collation): matches()
    // need not search a long id list (a deletions list) for every row again.
    QueryFilter rest = filter;
    rest.ids.clear();
    const std::string sql = "DECLARE bw_query NO SCROLL CURSOR FOR SELECT " + m_sql.select_list +
                            " FROM " + m_incidents + where_clause(filter, params) + " ORDER BY id";
    // A cursor needs a transaction; inside an open writer the query sees its changes.
    const bool own_transaction = !m_conn.in_transaction();
    if (own_transaction) {
        m_conn.exec("BEGIN READ ONLY");
    }
    try {
        m_conn.exec(sql, params);
        const auto &fields = incident_fields();
        const std::string fetch = "FETCH " + std::to_string(k_fetch_rows) + " FROM bw_query";
        while (true) {
            const auto r = m_conn.exec(fetch);
            for (int row = 0; row < r.rows(); ++row) {
                Incident x;
                for (std::size_t i = 0; i < fields.size(); ++i) {
                    const int col = static_cast<int>(i);
                    if (r.is_null(row, col)) {
                        set_field(x, i, FieldValue{});
                        continue;
                    }
                    const auto text = r.value(row, col);
                    switch (fields[i].type) {
                    case FieldType::integer:
                        set_field(x, i, FieldValue{parse_int(text).value_or(0)});
                        break;
                    case FieldType::real:
                        set_field(x, i, FieldValue{parse_double(text).value_or(0.0)});
                        break;
                    case FieldType::text:
                    case FieldType::date:
                    case FieldType::datetime:
                        set_field(x, i, FieldValue{std::string(text)});
                        break;
                    }
                }
                if (matches(rest, x)) {
                    sink(x);
                }
            }
            if (r.rows() < k_fetch_rows) {
                break;
            }
        }
        m_conn.exec("CLOSE bw_query");
        if (own_transaction) {
            m_conn.exec("COMMIT");
        }
    } catch (...) {
        if (own_transaction) {
            m_conn.rollback_noexcept();
        } else {
            try {
                m_conn.exec("CLOSE bw_query");
            } catch (...) { // NOLINT(bugprone-empty-catch): the original error matters more
            }
        }
        throw;
    }
}

} // namespace

std::unique_ptr<IncidentStore> open_postgis_store(const std::string &spec,
                                                  const StoreOpenOptions &options) {
    return std::make_unique<PostgisStore>(spec, options);
}

} // namespace borderwatch::detail
