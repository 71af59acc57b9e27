// The embedded GeoPackage store.
//
// Layout (docs/incident-schema.md): one point layer `incidents` (EPSG:4326, geometry column
// `geom` = place_lon/place_lat, fid primary key) with one column per incident field plus
// `content_hash`, a unique index on `id`, an attributes table `borderwatch_meta`
// (schema_version, revision) and one of the source deletions it remembers,
// `borderwatch_deletions` (id, revision, remembered_at; schema version 3). The file and its
// GeoPackage metadata tables are created by GDAL, so QGIS and ogrinfo read it as any GDAL-written
// GeoPackage; rows are then written through SQLite directly with prepared statements, which is
// several times faster than OGR's feature API for upserts (one indexed lookup + one insert/update
// per row).
//
// The GeoPackage R-tree triggers call ST_IsEmpty/ST_MinX/... (functions the GeoPackage
// spec requires every writer to provide); we register point-capable versions. During a
// write session the insert trigger and the feature-count trigger are dropped inside the
// transaction and the R-tree / count are brought up to date in bulk before COMMIT: that
// keeps bulk imports fast, and because SQLite DDL is transactional a rollback (or a kill)
// restores the triggers with everything else.
#include "core/spool_sort.hpp"
#include "gpkg/geometry_blob.hpp"
#include "gpkg/rtree.hpp"
#include "gpkg/schema.hpp"
#include "gpkg/sqlite.hpp"
#include "io/gdal_handles.hpp"
#include "store/detail/backends.hpp"
#include "store/detail/deletion_memory.hpp"

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/utc_time.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/sources.hpp>

#include "incidents/field_visit.hpp"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <type_traits>
#include <unistd.h>
#include <variant>

namespace borderwatch::detail {

namespace {

namespace fs = std::filesystem;

constexpr const char *k_table = "incidents";
constexpr const char *k_rtree = "rtree_incidents_geom";
constexpr const char *k_meta = "borderwatch_meta";
constexpr const char *k_deletions = "borderwatch_deletions";
constexpr std::size_t k_chunk_rows = 32; // rows per multi-row INSERT (measured: 32-64 best)

OGRFieldType ogr_type(FieldType t) {
    switch (t) {
    case FieldType::integer:
        return OFTInteger64; // GDAL reads INTEGER as 64-bit (MEDIUMINT would be 32-bit)
    case FieldType::real:
        return OFTReal;
    case FieldType::date:
        return OFTDate;
    case FieldType::datetime:
        return OFTDateTime;
    case FieldType::text:
        break;
    }
    return OFTString;
}

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (auto &c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

// Stores created before dates were typed (issue 13) declare event_date, event_date_end and
// updated_at TEXT. Their declared types become DATE / DATETIME in place: the CREATE TABLE
// text in sqlite_master is rewritten (SQLite's documented writable_schema procedure for
// changes that leave the stored content valid). The values are already ISO 8601 text; DATE
// and DATETIME have NUMERIC affinity, which keeps such text as text, and no index covers
// these columns, so nothing stored changes meaning. Empty strings become NULL (no date), and
// date-times get the milliseconds the GeoPackage form requires. One transaction: a failure
// leaves the store as it was.
void retype_columns(sqlite3 *db, const std::string &file,
                    const std::vector<std::pair<std::string, const char *>> &columns) {
    sqlite_exec(db, "BEGIN IMMEDIATE", file);
    try {
        std::string sql;
        {
            Stmt s(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'incidents'",
                   file);
            if (s.step()) {
                sql = std::string(s.text(0));
            }
        }
        for (const auto &[name, type] : columns) {
            // GDAL writes `"name" TEXT`, ALTER TABLE ADD COLUMN (above) the same.
            const std::string from = sql_identifier(name) + " TEXT";
            const auto at = sql.find(from);
            const auto after = at == std::string::npos ? at : at + from.size();
            if (at == std::string::npos || sql.find(from, after) != std::string::npos ||
                (after < sql.size() && sql[after] != ',' && sql[after] != ')' &&
                 sql[after] != ' ')) {
                throw DataError("store '" + file + "': cannot change column '" + name + "' to " +
                                type + ": unexpected table definition");
            }
            sql.replace(at, from.size(), sql_identifier(name) + " " + type);
        }
        std::int64_t version = 0;
        {
            Stmt v(db, "PRAGMA schema_version", file);
            version = v.step() ? v.int64(0) : 0;
        }
        // Defensive mode (off by default, but a build may turn it on) refuses writable_schema.
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, nullptr);
        sqlite_exec(db, "PRAGMA writable_schema = ON", file);
        {
            Stmt u(db,
                   "UPDATE sqlite_master SET sql = ?1 WHERE type = 'table' AND name = 'incidents'",
                   file);
            u.bind(1, std::string_view(sql));
            u.step();
        }
        sqlite_exec(db, "PRAGMA schema_version = " + std::to_string(version + 1), file);
        sqlite_exec(db, "PRAGMA writable_schema = OFF", file);
        std::string nulls;
        for (const auto &[name, type] : columns) {
            const auto q = sql_identifier(name);
            nulls += "UPDATE incidents SET " + q + " = NULL WHERE " + q + " = '';";
            if (std::string_view(type) == "DATETIME") {
                // "YYYY-MM-DDTHH:MM:SSZ" (before issue 13) → the GeoPackage form with
                // milliseconds (GDAL warns "non-conformant" without them).
                nulls += "UPDATE incidents SET " + q + " = substr(" + q + ", 1, 19) || '.000Z' " +
                         "WHERE length(" + q + ") = 20 AND substr(" + q + ", 20, 1) = 'Z';";
            }
        }
        sqlite_exec(db, nulls + "COMMIT", file);
    } catch (...) {
        sqlite3_exec(db, "PRAGMA writable_schema = OFF; ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// The table of remembered source deletions (schema version 3), registered as a GeoPackage
// attributes table (an INTEGER PRIMARY KEY AUTOINCREMENT column, as the spec requires) so
// QGIS and ogrinfo list it like borderwatch_meta.
std::string create_deletions_table_sql() {
    return std::string("CREATE TABLE ") + k_deletions +
           " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, id TEXT NOT NULL UNIQUE, "
           "revision INTEGER NOT NULL, remembered_at DATETIME NOT NULL);"
           "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
           "last_change) VALUES ('" +
           k_deletions + "', 'attributes', '" + k_deletions +
           "', 'borderwatch: events their source deleted, and at which revision', "
           "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));";
}

// Create a fresh store at @p path: GDAL writes the GeoPackage (metadata tables, layer,
// R-tree, triggers), then we add the unique id index and the meta table. Built under a
// temporary sibling name and renamed into place, so a half-created store never exists.
void create_store_file(const fs::path &path) {
    ensure_gdal_registered();
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    if (driver == nullptr) {
        throw GdalError("GDAL has no GPKG driver");
    }
    const fs::path temp = path.parent_path() / (".creating-" + std::to_string(getpid()) + "-" +
                                                path.filename().string());
    std::error_code ec;
    fs::remove(temp, ec);
    // GDAL must not print on its own; its messages end up in our exceptions.
    GdalQuietErrors quiet;
    {
        GdalDatasetPtr ds(GDALCreate(driver, temp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds) {
            throw GdalError("GPKG driver: cannot create '" + path.string() +
                            "': " + GdalQuietErrors::reason());
        }
        OsrPtr srs(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(static_cast<OGRSpatialReferenceH>(srs.get()), 4326);
        OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(srs.get()),
                                  OAMS_TRADITIONAL_GIS_ORDER);
        const char *layer_options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES",
                                       "DESCRIPTION=borderwatch incidents", nullptr};
        OGRLayerH layer = GDALDatasetCreateLayer(static_cast<GDALDatasetH>(ds.get()), k_table,
                                                 static_cast<OGRSpatialReferenceH>(srs.get()),
                                                 wkbPoint, const_cast<char **>(layer_options));
        if (layer == nullptr) {
            throw GdalError("GPKG driver: " + path.string() +
                            ": cannot create layer 'incidents': " + GdalQuietErrors::reason());
        }
        auto add_field = [&](OGRLayerH l, std::string_view name, OGRFieldType type) {
            OgrFieldDefnPtr defn(OGR_Fld_Create(std::string(name).c_str(), type));
            if (OGR_L_CreateField(l, static_cast<OGRFieldDefnH>(defn.get()), TRUE) != OGRERR_NONE) {
                throw GdalError("GPKG driver: " + path.string() + ": cannot create field '" +
                                std::string(name) + "': " + GdalQuietErrors::reason());
            }
        };
        for (const auto &f : incident_fields()) {
            add_field(layer, f.name, ogr_type(f.type));
        }
        add_field(layer, "content_hash", OFTString);
        const char *meta_options[] = {"DESCRIPTION=borderwatch store metadata", nullptr};
        OGRLayerH meta =
            GDALDatasetCreateLayer(static_cast<GDALDatasetH>(ds.get()), k_meta, nullptr, wkbNone,
                                   const_cast<char **>(meta_options));
        if (meta == nullptr) {
            throw GdalError("GPKG driver: " + path.string() + ": cannot create table '" +
                            std::string(k_meta) + "': " + GdalQuietErrors::reason());
        }
        add_field(meta, "key", OFTString);
        add_field(meta, "value", OFTString);
    }
    {
        sqlite3 *raw = nullptr;
        const int rc = sqlite3_open_v2(temp.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
        SqliteDb db(raw);
        sqlite_check(raw, rc, path.string(), "open");
        const std::string file = path.string();
        // 64 KiB pages instead of GDAL's 4 KiB: far fewer B-tree page splits and page
        // spills per inserted row (rows are ~400 bytes): bulk imports ~10-15% cheaper. The file
        // is still empty, so the VACUUM that applies it is instant.
        sqlite_exec(raw, "PRAGMA page_size = 65536; VACUUM;", file);
        sqlite_exec(raw,
                    "BEGIN;"
                    "CREATE UNIQUE INDEX incidents_id ON incidents(id);" +
                        create_deletions_table_sql() +
                        "INSERT INTO borderwatch_meta(key, value) VALUES ('schema_version', '" +
                        std::to_string(k_store_schema_version) +
                        "'), ('revision', '0'), ('created_at', '" + utc_now_iso8601_millis() +
                        "');"
                        "COMMIT;",
                    file);
    }
    fsync_path(temp);
    fs::rename(temp, path, ec);
    if (ec) {
        fs::remove(temp);
        throw IoError("cannot create store '" + path.string() + "': " + ec.message());
    }
    fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

// --- R-tree bulk loading ---------------------------------------------------------------------

// Every row of `incidents` with a non-empty geometry (the envelope parsed here, not by SQL
// functions).
void collect_rtree_from_table(sqlite3 *db, const std::string &file, RtreeSorter &out) {
    Stmt rows(db, "SELECT fid, geom FROM incidents WHERE geom IS NOT NULL", file);
    while (rows.step()) {
        BlobEnvelope env{};
        bool empty = false;
        const auto *p = static_cast<const unsigned char *>(sqlite3_column_blob(rows.get(), 1));
        if (blob_envelope(p, sqlite3_column_bytes(rows.get(), 1), env, empty)) {
            out.add(rtree_entry(rows.int64(0), env.minx, env.maxx, env.miny, env.maxy));
        }
    }
}

// The entries the R-tree holds now (its boxes are already 32-bit floats).
void collect_rtree_from_rtree(sqlite3 *db, const std::string &file, RtreeSorter &out) {
    Stmt rows(db, "SELECT id, minx, maxx, miny, maxy FROM rtree_incidents_geom", file);
    while (rows.step()) {
        out.add(rtree_entry(rows.int64(0), rows.real(1), rows.real(2), rows.real(3), rows.real(4)));
    }
}

// --- the store --------------------------------------------------------------------------------

class GpkgStore;

class GpkgWriter final : public StoreWriter {
  public:
    explicit GpkgWriter(GpkgStore &store);
    ~GpkgWriter() override;
    UpsertResult upsert(const std::vector<Incident> &batch) override;
    UpsertResult upsert(const std::vector<Incident> &batch,
                        const std::vector<std::string> &hashes) override;
    std::size_t remove(const std::vector<std::string> &ids) override;
    void remember_deletions(const std::vector<SourceDeletion> &deletions) override;
    void commit() override;

  private:
    UpsertResult upsert_rows(const std::vector<Incident> &batch,
                             const std::vector<std::string> &hashes);
    // Binds parameters base+1 .. base+n+2 (the fields, content_hash, geom); @p blob must
    // live until the statement has stepped (bound without copy).
    void bind_row(Stmt &s, int base, const Incident &x, const std::string &hash, PointBlob &blob);
    bool try_insert(const Incident &x, const std::string &hash, UpsertResult &result);
    void insert_chunk(const Incident *rows, const std::string *hashes, UpsertResult &result);
    void upsert_one(const Incident &x, const std::string &hash, UpsertResult &result);
    void record_insert(const Incident &x, std::int64_t fid, UpsertResult &result);
    void track(const Incident &x) {
        if (x.place_lon && x.place_lat) {
            m_env[0] = std::min(m_env[0], *x.place_lon);
            m_env[1] = std::max(m_env[1], *x.place_lon);
            m_env[2] = std::min(m_env[2], *x.place_lat);
            m_env[3] = std::max(m_env[3], *x.place_lat);
        }
    }
    void start_writeback();
    void close_writeback_fd() noexcept;
    void collect(const Incident &x, std::int64_t fid) {
        if (m_new_entries_valid && x.place_lon && x.place_lat) {
            m_new_entries.add(
                rtree_entry(fid, *x.place_lon, *x.place_lon, *x.place_lat, *x.place_lat));
        }
    }

    GpkgStore &m_store;
    bool m_open = true;
    bool m_changed = false;
    std::int64_t m_start_max_fid = 0;
    std::int64_t m_start_count = 0;
    std::size_t m_inserted = 0;
    std::size_t m_removed = 0;
    bool m_insert_first = true; // the last row was new: try INSERT before the lookup
    double m_env[4] = {std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity()}; // of the points written
    std::string m_now;
    PointBlob m_blob{}; // geometry of the row being bound
    Stmt m_lookup, m_insert, m_update, m_delete;
    Stmt m_remember, m_forget; // borderwatch_deletions
    DeletionMemory m_deletions;
    // Bulk imports insert k_chunk_rows rows per statement: the table is AUTOINCREMENT (as GDAL
    // creates it), and SQLite reads and writes sqlite_sequence once per statement, which alone
    // cost a quarter of a one-row INSERT. SQLite assigns the fids (appending: an explicit fid
    // would cost a B-tree seek per row, measured +28 %); they are consecutive within a
    // statement that inserts every row. Measured at 1 M rows: the store thread's CPU drops
    // by about half.
    Stmt m_insert_chunk, m_rows_after;
    std::vector<PointBlob> m_chunk_blobs;
    std::int64_t m_max_fid = 0; // the largest fid in the table (fids only grow)
    // R-tree entries of the rows inserted in this session (the insert trigger is dropped),
    // for the bulk load at commit without re-reading the table. Invalid once a row inserted
    // in this session is updated or any row deleted: then the table is scanned instead.
    RtreeSorter m_new_entries;
    bool m_new_entries_valid = true;
    int m_writeback_fd = -1;
    std::size_t m_unsynced_rows = 0; // rows written since the last start_writeback()
};

class GpkgStore final : public IncidentStore {
  public:
    GpkgStore(std::string path, const StoreOpenOptions &options) : m_path(std::move(path)) {
        const bool exists = fs::exists(m_path);
        if (exists && fs::is_directory(m_path)) {
            throw IoError("store '" + m_path + "' is a directory; give a GeoPackage file (.gpkg)");
        }
        if (!exists) {
            if (!options.create_if_missing && !options.init) {
                throw IoError("store '" + m_path +
                              "' does not exist (create it with 'borderwatch import' or "
                              "'borderwatch store init', or choose one with --store)");
            }
            const auto parent = fs::path(m_path).parent_path();
            if (!parent.empty() && !fs::is_directory(parent)) {
                throw IoError("cannot create store '" + m_path + "': directory '" +
                              parent.string() + "' does not exist");
            }
            create_store_file(m_path);
        }
        sqlite3 *raw = nullptr;
        // No SQLite mutex per call: a store object is used by one thread at a time (the
        // import hands its writer from thread to thread, never concurrently).
        const int rc = sqlite3_open_v2(m_path.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        m_db.reset(raw);
        sqlite_check(raw, rc, m_path, "open");
        sqlite3_busy_timeout(raw, 60000);
        sqlite3_extended_result_codes(raw, 1);
        register_gpkg_functions(raw, m_path);
        check_schema();
    }

    std::unique_ptr<StoreWriter> writer() override {
        if (m_writer_open) {
            throw Error("GeoPackage " + m_path + ": a write transaction is already open");
        }
        return std::make_unique<GpkgWriter>(*this);
    }

    void query_stored(const QueryFilter &filter,
                      const std::function<void(const Incident &)> &sink) const override;

    std::string state() const override {
        Stmt s(db(),
               "SELECT (SELECT value FROM borderwatch_meta WHERE key = 'revision'), "
               "(SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'incidents'), "
               "(SELECT last_change FROM gpkg_contents WHERE table_name = 'incidents')",
               m_path);
        std::string out;
        if (s.step()) {
            out = "gpkg:r" + std::string(s.text(0)) + ":n" + std::string(s.text(1)) + ":" +
                  std::string(s.text(2));
        }
        return out;
    }

    std::size_t count() const override {
        Stmt s(db(), "SELECT count(*) FROM incidents", m_path);
        return s.step() ? static_cast<std::size_t>(s.int64(0)) : 0;
    }

    std::string describe() const override { return "GeoPackage " + m_path; }
    int schema_version() const override { return m_schema_version; }

    std::size_t remembered_deletions() const override {
        Stmt s(db(), std::string("SELECT count(*) FROM ") + k_deletions, m_path);
        return s.step() ? static_cast<std::size_t>(s.int64(0)) : 0;
    }

    [[nodiscard]] sqlite3 *db() const noexcept { return m_db.get(); }
    [[nodiscard]] const std::string &path() const noexcept { return m_path; }
    bool m_writer_open = false;

  private:
    void check_schema() {
        {
            Stmt s(db(),
                   "SELECT count(*) FROM sqlite_master WHERE name IN ('incidents', "
                   "'borderwatch_meta', 'gpkg_contents')",
                   m_path);
            if (!s.step() || s.int64(0) != 3) {
                throw DataError("'" + m_path +
                                "' is not a borderwatch store (a GeoPackage with "
                                "tables 'incidents' and 'borderwatch_meta')");
            }
        }
        Stmt v(db(), "SELECT value FROM borderwatch_meta WHERE key = 'schema_version'", m_path);
        m_schema_version =
            v.step() ? static_cast<int>(std::atoi(std::string(v.text(0)).c_str())) : 0;
        if (m_schema_version > k_store_schema_version) {
            throw DataError("store '" + m_path + "' has schema version " +
                            std::to_string(m_schema_version) + ", newer than this borderwatch (" +
                            std::to_string(k_store_schema_version) + "); upgrade borderwatch");
        }
        // Forward-compatible migration: columns added to the schema since the store was
        // created are appended (NULL for existing rows).
        std::vector<std::string> have;
        std::vector<std::pair<std::string, const char *>> retype;
        {
            Stmt c(db(), "PRAGMA table_info(incidents)", m_path);
            while (c.step()) {
                have.emplace_back(c.text(1));
                const auto index = incident_field_index(have.back());
                if (index) {
                    const auto type = incident_fields()[*index].type;
                    const char *want = gpkg_column_type(type);
                    if ((type == FieldType::date || type == FieldType::datetime) &&
                        upper_ascii(c.text(2)) != want) {
                        retype.emplace_back(have.back(), want);
                    }
                }
            }
        }
        if (!retype.empty()) {
            retype_columns(db(), m_path, retype);
        }
        std::string alter;
        for (const auto &f : incident_fields()) {
            if (std::find(have.begin(), have.end(), f.name) == have.end()) {
                alter += "ALTER TABLE incidents ADD COLUMN " + sql_identifier(f.name) + " " +
                         gpkg_column_type(f.type) + ";";
            }
        }
        if (std::find(have.begin(), have.end(), "content_hash") == have.end()) {
            alter += "ALTER TABLE incidents ADD COLUMN content_hash TEXT;";
        }
        {
            Stmt t(db(), "SELECT count(*) FROM sqlite_master WHERE name = ?1", m_path);
            t.bind(1, std::string_view(k_deletions));
            if (t.step() && t.int64(0) == 0) {
                alter += create_deletions_table_sql(); // version 3
            }
        }
        if (m_schema_version < k_store_schema_version) {
            // Version 2 (issue 14): the source columns, added above like any new column;
            // versions 4 and 5 (issue 17): border_id and border_part, the same way.
            alter += "UPDATE borderwatch_meta SET value = '" +
                     std::to_string(k_store_schema_version) + "' WHERE key = 'schema_version';";
        }
        if (!alter.empty()) {
            sqlite_exec(db(), "BEGIN IMMEDIATE;" + alter + "COMMIT;", m_path);
            m_schema_version = k_store_schema_version;
        }
    }

    std::string m_path;
    SqliteDb m_db;
    int m_schema_version = 0;
    mutable std::uint64_t m_id_tables = 0; // names the temporary id tables of query_stored()
};

// Column list shared by SELECT/INSERT/UPDATE in incident_fields() order.
std::string column_list() {
    std::string cols;
    for (const auto &f : incident_fields()) {
        if (!cols.empty()) {
            cols += ", ";
        }
        cols += sql_identifier(f.name);
    }
    return cols;
}

GpkgWriter::GpkgWriter(GpkgStore &store) : m_store(store), m_now(utc_now_iso8601_millis()) {
    sqlite3 *db = store.db();
    const auto &file = store.path();
    // synchronous=FULL (SQLite's default): the rollback journal is synced before database
    // pages are overwritten (cache spills, COMMIT), so neither a killed process nor a power cut
    // can leave a half-written store. Measured at 1M rows it costs nothing over OFF (run-to-run
    // noise is larger); the R-tree build and the early writeback below dominate the commit.
    sqlite_exec(db, "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768;", file);
    sqlite_exec(db, "BEGIN IMMEDIATE", file);
    store.m_writer_open = true;
    try {
        {
            Stmt s(db, "SELECT coalesce(max(fid), 0) FROM incidents", file);
            m_start_max_fid = s.step() ? s.int64(0) : 0;
        }
        m_max_fid = m_start_max_fid;
        {
            // The count GDAL maintains (and our triggers); a full count only if it is unset.
            Stmt s(db,
                   "SELECT coalesce((SELECT feature_count FROM gpkg_ogr_contents WHERE "
                   "lower(table_name) = 'incidents'), (SELECT count(*) FROM incidents))",
                   file);
            m_start_count = s.step() ? s.int64(0) : 0;
        }
        sqlite_exec(db,
                    "DROP TRIGGER IF EXISTS rtree_incidents_geom_insert;"
                    "DROP TRIGGER IF EXISTS trigger_insert_feature_count_incidents;"
                    "DROP TRIGGER IF EXISTS trigger_delete_feature_count_incidents;",
                    file);
        const auto cols = column_list();
        const auto n = incident_fields().size();
        std::string params;
        std::string sets;
        for (std::size_t i = 0; i < n; ++i) {
            params += ", ?" + std::to_string(i + 1);
            sets +=
                sql_identifier(incident_fields()[i].name) + " = ?" + std::to_string(i + 1) + ", ";
        }
        const auto hash_param = "?" + std::to_string(n + 1);
        const auto geom_param = "?" + std::to_string(n + 2);
        m_lookup = Stmt(
            db, "SELECT fid, content_hash, source_revision FROM incidents WHERE id = ?1", file);
        m_insert = Stmt(db,
                        "INSERT INTO incidents(" + cols + ", content_hash, geom) VALUES (" +
                            params.substr(2) + ", " + hash_param + ", " + geom_param +
                            ") ON CONFLICT(id) DO NOTHING",
                        file);
        m_update = Stmt(db,
                        "UPDATE incidents SET " + sets + "content_hash = " + hash_param +
                            ", geom = " + geom_param + " WHERE fid = ?" + std::to_string(n + 3),
                        file);
        m_delete = Stmt(db, "DELETE FROM incidents WHERE id = ?1", file);
        m_remember = Stmt(db,
                          std::string("INSERT INTO ") + k_deletions +
                              " (id, revision, remembered_at) VALUES (?1, ?2, ?3) ON CONFLICT(id) "
                              "DO UPDATE SET revision = max(revision, excluded.revision), "
                              "remembered_at = excluded.remembered_at",
                          file);
        m_forget = Stmt(db, std::string("DELETE FROM ") + k_deletions + " WHERE id = ?1", file);
        {
            Stmt d(db, std::string("SELECT id, revision FROM ") + k_deletions, file);
            while (d.step()) {
                m_deletions.remember(std::string(d.text(0)), d.int64(1));
            }
        }
        const std::size_t per_row = n + 2; // fields, content_hash, geom
        if (static_cast<std::size_t>(sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) >=
            per_row * k_chunk_rows) {
            std::string values;
            for (std::size_t r = 0; r < k_chunk_rows; ++r) {
                values += r == 0 ? "(" : ", (";
                for (std::size_t i = 1; i <= per_row; ++i) {
                    values += (i == 1 ? "?" : ", ?") + std::to_string(r * per_row + i);
                }
                values += ")";
            }
            // ON CONFLICT applies row by row: a known id skips only its own row.
            m_insert_chunk =
                Stmt(db,
                     "INSERT INTO incidents(" + cols + ", content_hash, geom) VALUES " + values +
                         " ON CONFLICT(id) DO NOTHING",
                     file);
            m_rows_after =
                Stmt(db, "SELECT fid, id FROM incidents WHERE fid > ?1 ORDER BY fid", file);
            m_chunk_blobs.resize(k_chunk_rows);
        }
    } catch (...) {
        sqlite_exec(db, "ROLLBACK", file);
        store.m_writer_open = false;
        throw;
    }
}

GpkgWriter::~GpkgWriter() {
    if (m_open) {
        m_lookup = Stmt();
        m_insert = Stmt();
        m_update = Stmt();
        m_delete = Stmt();
        m_remember = Stmt();
        m_forget = Stmt();
        m_insert_chunk = Stmt();
        m_rows_after = Stmt();
        sqlite3_exec(m_store.db(), "ROLLBACK", nullptr, nullptr, nullptr);
        m_store.m_writer_open = false;
    }
    close_writeback_fd();
}

// Ask the kernel to start writing the file's dirty pages now (asynchronously), so the fsync
// after COMMIT has little left to flush instead of the whole file. Best effort: the fsync
// reports real write failures. A descriptor of our own: closing it would drop SQLite's POSIX
// locks, so it stays open until the transaction has ended.
void GpkgWriter::start_writeback() {
    if (m_writeback_fd < 0) {
        m_writeback_fd = ::open(m_store.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (m_writeback_fd < 0) {
            return;
        }
    }
    (void)::sync_file_range(m_writeback_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

void GpkgWriter::close_writeback_fd() noexcept {
    if (m_writeback_fd >= 0) {
        ::close(m_writeback_fd);
        m_writeback_fd = -1;
    }
}

void GpkgWriter::bind_row(Stmt &s, int base, const Incident &x, const std::string &hash,
                          PointBlob &blob) {
    visit_field_values(x, [&](std::size_t i, const auto &value) {
        using V = std::decay_t<decltype(value)>;
        const int param = base + static_cast<int>(i) + 1;
        if (i == k_updated_at_index) {
            s.bind(param, std::string_view(m_now));
        } else if constexpr (std::is_same_v<V, std::monostate>) {
            s.bind_null(param);
        } else if constexpr (std::is_same_v<V, std::string_view>) {
            // No date is NULL in a DATE column (GDAL reads '' there as an invalid date).
            if (value.empty() && incident_fields()[i].type == FieldType::date) {
                s.bind_null(param);
            } else {
                s.bind(param, value);
            }
        } else {
            s.bind(param, value);
        }
    });
    const int n = base + static_cast<int>(incident_fields().size());
    s.bind(n + 1, std::string_view(hash));
    if (x.place_lon && x.place_lat) {
        blob = point_blob(*x.place_lon, *x.place_lat);
        s.bind_blob(n + 2, blob.data(), static_cast<int>(blob.size()));
    } else {
        s.bind_null(n + 2);
    }
}

UpsertResult GpkgWriter::upsert(const std::vector<Incident> &batch) {
    std::vector<std::string> hashes;
    hashes.reserve(batch.size());
    for (const auto &x : batch) {
        hashes.push_back(content_hash(x));
    }
    return upsert(batch, hashes);
}

// One INSERT ... ON CONFLICT DO NOTHING. @return false if the id exists already.
bool GpkgWriter::try_insert(const Incident &x, const std::string &hash, UpsertResult &result) {
    m_insert.rewind();
    bind_row(m_insert, 0, x, hash, m_blob);
    m_insert.step();
    const bool inserted = sqlite3_changes(m_store.db()) > 0;
    m_insert.rewind();
    if (inserted) {
        record_insert(x, sqlite3_last_insert_rowid(m_store.db()), result);
    }
    return inserted;
}

void GpkgWriter::record_insert(const Incident &x, std::int64_t fid, UpsertResult &result) {
    m_max_fid = std::max(m_max_fid, fid);
    ++result.inserted;
    ++m_inserted;
    m_changed = true;
    track(x);
    collect(x, fid);
}

// k_chunk_rows rows in one statement; rows whose id exists already are skipped by the
// statement and then go through the lookup path, in input order (a later duplicate of an id
// updates the earlier one, as row by row).
void GpkgWriter::insert_chunk(const Incident *rows, const std::string *hashes,
                              UpsertResult &result) {
    const int per_row = static_cast<int>(incident_fields().size()) + 2;
    const std::int64_t before = m_max_fid;
    m_insert_chunk.rewind();
    for (std::size_t r = 0; r < k_chunk_rows; ++r) {
        bind_row(m_insert_chunk, static_cast<int>(r) * per_row, rows[r], hashes[r],
                 m_chunk_blobs[r]);
    }
    m_insert_chunk.step();
    const auto stored = static_cast<std::size_t>(sqlite3_changes(m_store.db()));
    const std::int64_t last = sqlite3_last_insert_rowid(m_store.db());
    m_insert_chunk.rewind();
    std::array<std::int64_t, k_chunk_rows> fids{}; // 0: not inserted
    if (stored == k_chunk_rows) {
        for (std::size_t r = 0; r < k_chunk_rows; ++r) {
            fids[r] = last - static_cast<std::int64_t>(k_chunk_rows - 1 - r);
        }
    } else if (stored > 0) {
        // The new rows are the ones above the old largest fid, in statement order: match
        // them to the chunk's rows by id.
        m_rows_after.rewind();
        m_rows_after.bind(1, before);
        std::size_t r = 0;
        while (m_rows_after.step() && r < k_chunk_rows) {
            const auto id = m_rows_after.text(1);
            while (r < k_chunk_rows && rows[r].id != id) {
                ++r;
            }
            if (r < k_chunk_rows) {
                fids[r++] = m_rows_after.int64(0);
            }
        }
        m_rows_after.rewind();
    }
    for (std::size_t r = 0; r < k_chunk_rows; ++r) {
        if (fids[r] != 0) {
            record_insert(rows[r], fids[r], result);
        }
    }
    for (std::size_t r = 0; r < k_chunk_rows; ++r) {
        if (fids[r] == 0) {
            upsert_one(rows[r], hashes[r], result);
        }
    }
}

// A row that probably exists (re-imports): one indexed lookup, then nothing, an UPDATE or an
// INSERT.
void GpkgWriter::upsert_one(const Incident &x, const std::string &hash, UpsertResult &result) {
    m_lookup.rewind();
    m_lookup.bind(1, std::string_view(x.id));
    if (m_lookup.step()) {
        m_insert_first = false;
        const auto fid = m_lookup.int64(0);
        const bool same = m_lookup.text(1) == hash;
        const auto stored_revision = m_lookup.type(2) == SQLITE_NULL
                                         ? std::nullopt
                                         : std::optional<std::int64_t>(m_lookup.int64(2));
        m_lookup.rewind();
        if (same) {
            ++result.unchanged;
            return;
        }
        if (is_older_revision(x.source_revision, stored_revision)) {
            ++result.older; // the store holds a newer version of this row
            return;
        }
        m_update.rewind();
        bind_row(m_update, 0, x, hash, m_blob);
        m_update.bind(static_cast<int>(incident_fields().size()) + 3, fid);
        m_update.step();
        m_update.rewind();
        ++result.updated;
        if (fid > m_start_max_fid) {
            m_new_entries_valid = false; // its R-tree entry now comes from the trigger
        }
        m_changed = true;
        track(x);
        return;
    }
    m_lookup.rewind();
    m_insert_first = true;
    try_insert(x, hash, result);
}

UpsertResult GpkgWriter::upsert(const std::vector<Incident> &batch,
                                const std::vector<std::string> &hashes) {
    if (hashes.size() != batch.size()) {
        throw Error("GeoPackage " + m_store.path() + ": upsert: one content hash per row needed");
    }
    if (!m_open) {
        throw Error("GeoPackage " + m_store.path() + ": writer already committed");
    }
    for (const auto &x : batch) {
        if (x.id.empty()) {
            throw InputError(SourceLocation{{}, 0, 0, "id"}, "empty id");
        }
    }
    auto screened = m_deletions.screen(batch, hashes);
    if (!screened) {
        return upsert_rows(batch, hashes);
    }
    for (const auto &id : screened->forgotten) {
        m_forget.reset();
        m_forget.bind(1, std::string_view(id));
        m_forget.step();
    }
    auto result = upsert_rows(screened->rows, screened->hashes);
    result.deleted_earlier += screened->deleted;
    return result;
}

UpsertResult GpkgWriter::upsert_rows(const std::vector<Incident> &batch,
                                     const std::vector<std::string> &hashes) {
    UpsertResult result;
    // New rows (bulk imports): multi-row INSERTs; known rows (re-imports): one indexed lookup
    // each. Which comes first follows the previous row.
    std::size_t row = 0;
    while (row < batch.size()) {
        if (m_insert_first && m_insert_chunk && batch.size() - row >= k_chunk_rows) {
            insert_chunk(&batch[row], &hashes[row], result);
            row += k_chunk_rows;
        } else if (m_insert_first) {
            // New as far as the previous rows tell; the lookup path if the id exists.
            if (!try_insert(batch[row], hashes[row], result)) {
                upsert_one(batch[row], hashes[row], result);
            }
            ++row;
        } else {
            upsert_one(batch[row], hashes[row], result);
            ++row;
        }
    }
    m_unsynced_rows += batch.size();
    if (m_unsynced_rows >= 50000) { // ~20 MB of table pages
        m_unsynced_rows = 0;
        start_writeback();
    }
    return result;
}

std::size_t GpkgWriter::remove(const std::vector<std::string> &ids) {
    if (!m_open) {
        throw Error("GeoPackage " + m_store.path() + ": writer already committed");
    }
    std::size_t removed = 0;
    for (const auto &id : ids) {
        m_delete.reset();
        m_delete.bind(1, std::string_view(id));
        m_delete.step();
        removed += static_cast<std::size_t>(sqlite3_changes(m_store.db()));
    }
    m_removed += removed;
    if (removed > 0) {
        m_changed = true;
        m_new_entries_valid = false;
        m_new_entries.clear();
    }
    return removed;
}

void GpkgWriter::remember_deletions(const std::vector<SourceDeletion> &deletions) {
    if (!m_open) {
        throw Error("GeoPackage " + m_store.path() + ": writer already committed");
    }
    for (const auto &d : deletions) {
        if (!d.revision) {
            continue;
        }
        m_remember.reset();
        m_remember.bind(1, std::string_view(d.id));
        m_remember.bind(2, *d.revision);
        m_remember.bind(3, std::string_view(m_now));
        m_remember.step();
        m_deletions.remember(d.id, *d.revision);
    }
}

void GpkgWriter::commit() {
    if (!m_open) {
        throw Error("GeoPackage " + m_store.path() + ": writer already committed");
    }
    sqlite3 *db = m_store.db();
    const auto &file = m_store.path();
    const std::string start = std::to_string(m_start_max_fid);
    // Bring the R-tree and the feature count up to date for the rows inserted in this
    // session, then restore the triggers (exact text GDAL uses).
    // Large imports relative to the store: repack the whole R-tree (fast, well-ordered);
    // small ones: insert the new rows' entries one by one.
    if (m_inserted >= 10000 && static_cast<std::int64_t>(m_inserted) > m_start_count / 2) {
        // The Hilbert sort spills sorted runs to a temporary file, so memory stays flat
        // however many rows are packed.
        if (m_new_entries_valid) {
            // The R-tree holds every row but this session's inserts, collected on the way.
            collect_rtree_from_rtree(db, file, m_new_entries);
            pack_rtree(db, file, "rtree_incidents_geom", m_new_entries);
        } else {
            m_new_entries.clear();
            RtreeSorter all;
            collect_rtree_from_table(db, file, all);
            pack_rtree(db, file, "rtree_incidents_geom", all);
        }
    } else {
        sqlite_exec(db,
                    std::string("INSERT OR REPLACE INTO ") + k_rtree +
                        " SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), "
                        "ST_MaxY(geom) FROM incidents WHERE fid > " +
                        start + " AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)",
                    file);
    }
    sqlite_exec(db,
                gpkg_rtree_insert_trigger_sql(k_table) + gpkg_feature_count_triggers_sql(k_table),
                file);
    if (m_changed) {
        const std::int64_t count = m_start_count + static_cast<std::int64_t>(m_inserted) -
                                   static_cast<std::int64_t>(m_removed);
        sqlite_exec(db,
                    "UPDATE gpkg_ogr_contents SET feature_count = " + std::to_string(count) +
                        " WHERE lower(table_name) = 'incidents';"
                        "UPDATE gpkg_contents SET last_change = "
                        "strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'incidents';"
                        "UPDATE borderwatch_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
                        "TEXT) WHERE key = 'revision';",
                    file);
        // Extent: grown by the points written; recomputed (one R-tree scan) after deletes;
        // cleared when the layer becomes empty.
        if (m_removed > 0 && count > 0) {
            sqlite_exec(db,
                        "UPDATE gpkg_contents SET (min_x, max_x, min_y, max_y) = (SELECT "
                        "min(minx), max(maxx), min(miny), max(maxy) FROM rtree_incidents_geom) "
                        "WHERE table_name = 'incidents'",
                        file);
        } else if (count == 0) {
            sqlite_exec(db,
                        "UPDATE gpkg_contents SET min_x = NULL, max_x = NULL, min_y = NULL, "
                        "max_y = NULL WHERE table_name = 'incidents'",
                        file);
        } else if (m_env[0] <= m_env[1]) {
            Stmt e(db,
                   "UPDATE gpkg_contents SET "
                   "min_x = CASE WHEN min_x IS NULL THEN ?1 ELSE min(min_x, ?1) END, "
                   "max_x = CASE WHEN max_x IS NULL THEN ?2 ELSE max(max_x, ?2) END, "
                   "min_y = CASE WHEN min_y IS NULL THEN ?3 ELSE min(min_y, ?3) END, "
                   "max_y = CASE WHEN max_y IS NULL THEN ?4 ELSE max(max_y, ?4) END "
                   "WHERE table_name = 'incidents'",
                   file);
            for (int i = 0; i < 4; ++i) {
                e.bind(i + 1, m_env[i]);
            }
            e.step();
        }
    }
    m_lookup = Stmt();
    m_insert = Stmt();
    m_update = Stmt();
    m_delete = Stmt();
    m_remember = Stmt();
    m_forget = Stmt();
    m_insert_chunk = Stmt();
    m_rows_after = Stmt();
    try {
        sqlite_exec(db, "COMMIT", file);
    } catch (...) {
        // m_open stays true: the destructor rolls back.
        throw;
    }
    m_open = false;
    m_store.m_writer_open = false;
    close_writeback_fd(); // the transaction is over: no SQLite lock to lose
}

void GpkgStore::query_stored(const QueryFilter &f,
                             const std::function<void(const Incident &)> &sink) const {
    // SQL pre-filter on the cheap, exact conditions; matches() below decides.
    std::string where;
    std::vector<std::pair<int, double>> reals;
    std::vector<std::pair<int, std::string>> texts;
    int next = 1;
    auto add_real = [&](const std::string &cond, double v) {
        where += (where.empty() ? " WHERE " : " AND ") + cond + "?" + std::to_string(next);
        reals.emplace_back(next++, v);
    };
    if (f.within_km) {
        add_real("border_distance_m <= ", *f.within_km * 1000.0);
    }
    if (f.beyond_km) {
        add_real("border_distance_m >= ", *f.beyond_km * 1000.0);
    }
    if (f.bbox) {
        add_real("place_lon >= ", (*f.bbox)[0]);
        add_real("place_lat >= ", (*f.bbox)[1]);
        add_real("place_lon <= ", (*f.bbox)[2]);
        add_real("place_lat <= ", (*f.bbox)[3]);
    }
    if (f.min_fatalities) {
        add_real("fatalities_best >= ", *f.min_fatalities);
    }
    if (f.precision_max) {
        add_real("precision <= ", *f.precision_max);
    }
    if (!f.side.empty()) {
        where += (where.empty() ? " WHERE " : " AND ") + std::string("side = ?") +
                 std::to_string(next) + " COLLATE NOCASE";
        texts.emplace_back(next++, f.side);
    }
    // Ids (a deletions list may hold tens of thousands) go through a temporary table and the
    // unique index; matches() then need not search the list for every row.
    // One table per query: a sink may run another query on this store while this one reads.
    struct DropTable {
        sqlite3 *db = nullptr;
        std::string name;
        ~DropTable() {
            if (db != nullptr) {
                sqlite3_exec(db, ("DROP TABLE IF EXISTS temp." + name).c_str(), nullptr, nullptr,
                             nullptr);
            }
        }
    } ids_table;
    QueryFilter rest = f;
    if (!f.ids.empty()) {
        ids_table.name = "bw_query_ids_" + std::to_string(++m_id_tables);
        sqlite_exec(db(),
                    "DROP TABLE IF EXISTS temp." + ids_table.name + "; CREATE TEMP TABLE " +
                        ids_table.name + " (id TEXT PRIMARY KEY)",
                    m_path);
        ids_table.db = db();
        Stmt add(db(), "INSERT OR IGNORE INTO temp." + ids_table.name + " VALUES (?1)", m_path);
        for (const auto &id : f.ids) {
            add.reset();
            add.bind(1, std::string_view(id));
            add.step();
        }
        where += std::string(where.empty() ? " WHERE " : " AND ") + "id IN (SELECT id FROM temp." +
                 ids_table.name + ")";
        rest.ids.clear(); // exact in SQL (byte-wise text comparison)
    }
    const std::string sql = "SELECT " + column_list() + " FROM incidents" + where + " ORDER BY id";
    Stmt s(db(), sql, m_path);
    for (const auto &[i, v] : reals) {
        s.bind(i, v);
    }
    for (const auto &[i, v] : texts) {
        s.bind(i, std::string_view(v));
    }
    const auto n = incident_fields().size();
    Incident x;
    while (s.step()) {
        x = Incident{};
        for (std::size_t i = 0; i < n; ++i) {
            const int col = static_cast<int>(i);
            switch (s.type(col)) {
            case SQLITE_NULL:
                set_field(x, i, FieldValue{});
                break;
            case SQLITE_INTEGER:
                set_field(x, i, FieldValue{s.int64(col)});
                break;
            case SQLITE_FLOAT:
                set_field(x, i, FieldValue{s.real(col)});
                break;
            default:
                set_field(x, i, FieldValue{std::string(s.text(col))});
                break;
            }
        }
        if (matches(rest, x)) {
            sink(x);
        }
    }
}

} // namespace

std::unique_ptr<IncidentStore> open_gpkg_store(const std::string &path,
                                               const StoreOpenOptions &options) {
    return std::make_unique<GpkgStore>(path, options);
}

} // namespace borderwatch::detail
