// GeoPackage written directly through SQLite: all layers in one file, one transaction,
// prepared INSERTs with GeoPackage geometry blobs (gpkg/geometry_blob.hpp), the R-tree spatial
// indexes packed in bulk at the end (gpkg/rtree.hpp: Hilbert order, external sort)
// instead of one trigger-driven R*-tree insertion per row, and QGIS default styles
// (styles/<layer>.qml) in the `layer_styles` table. The file has the same tables, columns, triggers
// and metadata GDAL's GPKG driver writes (gpkg/schema.hpp, shared with the store), so GDAL and
// QGIS read (and may edit) it as their own.
//
// Durability is the AtomicFile's: the database is a private temporary until commit(), so
// SQLite runs without journal and without syncs; finish() fsyncs the finished file once.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/text.hpp"
#include "gpkg/geometry_blob.hpp"
#include "gpkg/rtree.hpp"
#include "gpkg/schema.hpp"
#include "gpkg/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

namespace borderwatch {

namespace {

using DbPtr = detail::SqliteDb;
using StmtPtr = std::unique_ptr<sqlite3_stmt, detail::SqliteFinalizer>;

const char *geometry_type_name(GeometryType type) {
    switch (type) {
    case GeometryType::point:
        return "POINT";
    case GeometryType::line_string:
        return "LINESTRING";
    case GeometryType::multi_line_string:
        return "MULTILINESTRING";
    case GeometryType::polygon:
        return "POLYGON";
    case GeometryType::multi_polygon:
        return "MULTIPOLYGON";
    }
    return "GEOMETRY";
}

detail::WkbType wkb_type(GeometryType type) {
    switch (type) {
    case GeometryType::point:
        break;
    case GeometryType::line_string:
        return detail::WkbType::line_string;
    case GeometryType::polygon:
        return detail::WkbType::polygon;
    case GeometryType::multi_line_string:
        return detail::WkbType::multi_line_string;
    case GeometryType::multi_polygon:
        return detail::WkbType::multi_polygon;
    }
    return detail::WkbType::point;
}

/// Encodes an export Geometry (non-empty) as a GeoPackage blob: envelope unless a point
/// (as GDAL writes), then WKB. The byte layout is gpkg/geometry_blob.hpp's.
class BlobBuilder {
  public:
    /// Encode @p g into the internal buffer; returns its envelope.
    LonLatBox build(const Geometry &g) {
        LonLatBox box;
        for (const auto &part : g.parts) {
            for (const auto &ring : part) {
                for (const auto &p : ring) {
                    box.add(p);
                }
            }
        }
        if (g.type == GeometryType::point) {
            m_writer.header(detail::k_gpkg_srs_id, nullptr);
        } else {
            const detail::BlobEnvelope envelope{box.west, box.east, box.south, box.north};
            m_writer.header(detail::k_gpkg_srs_id, &envelope);
        }
        m_writer.wkb_header(wkb_type(g.type));
        switch (g.type) {
        case GeometryType::point:
            m_writer.xy(g.parts[0][0][0].lon, g.parts[0][0][0].lat);
            break;
        case GeometryType::line_string:
            points(g.parts[0][0]);
            break;
        case GeometryType::polygon:
            rings(g.parts[0]);
            break;
        case GeometryType::multi_line_string:
        case GeometryType::multi_polygon:
            m_writer.count(g.parts.size());
            for (const auto &part : g.parts) {
                if (g.type == GeometryType::multi_line_string) {
                    m_writer.wkb_header(detail::WkbType::line_string);
                    points(part[0]);
                } else {
                    m_writer.wkb_header(detail::WkbType::polygon);
                    rings(part);
                }
            }
            break;
        }
        return box;
    }
    [[nodiscard]] const std::string &bytes() const noexcept { return m_writer.bytes(); }

  private:
    void points(const std::vector<LonLat> &line) {
        m_writer.count(line.size());
        for (const auto &p : line) {
            m_writer.xy(p.lon, p.lat);
        }
    }
    void rings(const std::vector<std::vector<LonLat>> &rs) {
        m_writer.count(rs.size());
        for (const auto &r : rs) {
            points(r);
        }
    }
    detail::GeometryBlobWriter m_writer;
};

class GpkgWriter;

class GpkgLayer final : public LayerWriter {
  public:
    GpkgLayer(GpkgWriter &owner, LayerSchema schema);
    void write(const Feature &feature) override;
    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    [[nodiscard]] const LayerSchema &schema() const noexcept { return m_schema; }
    [[nodiscard]] const LonLatBox &extent() const noexcept { return m_extent; }
    /// Pack the R-tree from the collected entries (consumes them).
    void build_rtree();

  private:
    GpkgWriter &m_owner;
    LayerSchema m_schema;
    StmtPtr m_insert;
    BlobBuilder m_blob;
    std::string m_datetime;      ///< a DATETIME value rewritten to the GeoPackage form
    detail::RtreeSorter m_rtree; ///< entries of the spatial index (external sort: flat memory)
    LonLatBox m_extent;
    std::uint64_t m_count = 0;
};

class GpkgWriter final : public FormatWriter {
  public:
    GpkgWriter(std::filesystem::path file, const ExportStyles &styles)
        : m_file(std::move(file)), m_styles_dir(styles.dir) {
        // The temporary is SQLite's alone: create it fresh (no stream on it).
        std::filesystem::remove(m_file.temp_path());
        sqlite3 *db = nullptr;
        const int rc = sqlite3_open_v2(
            m_file.temp_path().c_str(), &db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        m_db.reset(db);
        if (rc != SQLITE_OK) {
            fail("cannot create the database");
        }
        m_writeback = std::make_unique<detail::Writeback>(m_file.temp_path());
        exec("PRAGMA page_size = 4096;"
             "PRAGMA journal_mode = OFF;"
             "PRAGMA synchronous = OFF;"
             "PRAGMA locking_mode = EXCLUSIVE;"
             "PRAGMA cache_size = -16384;" // KiB: 16 MiB (rows are appended; the cache holds B-tree
                                           // paths)
             "PRAGMA application_id = 1196444487;" // 'GPKG'
             "PRAGMA user_version = 10200;");
        exec("BEGIN");
        exec(detail::gpkg_metadata_tables_sql());
    }

    [[noreturn]] void fail(const std::string &what, const std::string &layer = {}) const {
        std::string msg = "GeoPackage '" + m_file.target().string() + "'";
        if (!layer.empty()) {
            msg += ", layer '" + layer + "'";
        }
        msg += ": " + what;
        if (m_db) {
            msg += ": ";
            msg += sqlite3_errmsg(m_db.get());
        }
        throw IoError(msg);
    }

    void exec(const std::string &sql, const std::string &layer = {}) const {
        char *err = nullptr;
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err != nullptr ? err : "error";
            sqlite3_free(err);
            throw IoError("GeoPackage '" + m_file.target().string() + "'" +
                          (layer.empty() ? std::string() : ", layer '" + layer + "'") + ": " +
                          sql.substr(0, 60) + "...: " + msg);
        }
    }

    [[nodiscard]] sqlite3 *db() const noexcept { return m_db.get(); }
    [[nodiscard]] const std::filesystem::path &target() const noexcept { return m_file.target(); }

    StmtPtr prepare(const std::string &sql, const std::string &layer = {}) const {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v3(m_db.get(), sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
            fail("cannot prepare '" + sql.substr(0, 60) + "...'", layer);
        }
        return StmtPtr(s);
    }

    void step(sqlite3_stmt *s, const std::string &layer, const char *what) const {
        if (sqlite3_step(s) != SQLITE_DONE) {
            fail(what, layer);
        }
        sqlite3_reset(s);
    }

    LayerWriter &open_layer(const LayerSchema &schema) override {
        const auto &name = schema.name;
        std::vector<detail::GpkgColumn> columns;
        columns.reserve(schema.fields.size());
        for (const auto &field : schema.fields) {
            columns.push_back({field.name, detail::gpkg_column_type(field.type)});
        }
        const auto sql =
            detail::gpkg_feature_table_sql(name, geometry_type_name(schema.geometry_type), columns);
        exec(sql, name);
        m_layers.push_back(std::make_unique<GpkgLayer>(*this, schema));
        return *m_layers.back();
    }

    void write_styles() {
        exec("CREATE TABLE \"layer_styles\" ( \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT "
             "NULL, \"f_table_catalog\" TEXT, \"f_table_schema\" TEXT, \"f_table_name\" TEXT, "
             "\"f_geometry_column\" TEXT, \"styleName\" TEXT, \"styleQML\" TEXT, \"styleSLD\" "
             "TEXT, \"useAsDefault\" BOOLEAN, \"description\" TEXT, \"owner\" TEXT, \"ui\" TEXT, "
             "\"update_time\" DATETIME);"
             "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
             " VALUES ('layer_styles','attributes','layer_styles','',0);",
             "layer_styles");
        const auto insert = prepare(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) "
            "VALUES ('', '', ?1, 'geom', ?1, ?2, '', 1, ?3, '')",
            "layer_styles");
        std::int64_t count = 0;
        for (const auto &layer : m_layers) {
            const auto qml_path = m_styles_dir / (layer->schema().name + ".qml");
            if (!std::filesystem::exists(qml_path)) {
                continue;
            }
            std::ifstream in(qml_path, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            const auto qml = ss.str();
            const auto &name = layer->schema().name;
            const auto description = "borderwatch default style for " + name;
            sqlite3_bind_text(insert.get(), 1, name.data(), static_cast<int>(name.size()),
                              SQLITE_STATIC);
            sqlite3_bind_text(insert.get(), 2, qml.data(), static_cast<int>(qml.size()),
                              SQLITE_STATIC);
            sqlite3_bind_text(insert.get(), 3, description.data(),
                              static_cast<int>(description.size()), SQLITE_STATIC);
            step(insert.get(), "layer_styles", "cannot insert style");
            ++count;
        }
        exec("INSERT INTO gpkg_ogr_contents VALUES ('layer_styles'," + std::to_string(count) +
             ");");
    }

    void finish() override {
        for (auto &layer : m_layers) {
            const auto &name = layer->schema().name;
            layer->build_rtree();
            std::string sql =
                "UPDATE gpkg_ogr_contents SET feature_count = " + std::to_string(layer->count()) +
                " WHERE table_name = " + sql_literal(name) + ";";
            const auto &e = layer->extent();
            if (e.valid()) {
                char buf[256];
                std::snprintf(buf, sizeof buf,
                              "UPDATE gpkg_contents SET min_x = %.17g, min_y = %.17g, max_x = "
                              "%.17g, max_y = %.17g WHERE table_name = ",
                              e.west, e.south, e.east, e.north);
                sql += buf + sql_literal(name) + ";";
            }
            // The triggers GDAL creates, after the bulk load: later edits in QGIS/GDAL keep
            // the index and the counts right.
            sql += detail::gpkg_rtree_triggers_sql(name);
            sql += detail::gpkg_feature_count_triggers_sql(name);
            exec(sql, name);
        }
        write_styles();
        exec("COMMIT");
        m_db.reset(); // close: everything is in the file
        fsync_path(m_file.temp_path());
        // Hashed here, on this writer's thread, rather than by the manifest afterwards.
        m_sha256 = sha256_file(m_file.temp_path());
        m_bytes = std::filesystem::file_size(m_file.temp_path());
    }

    void commit() override { m_file.commit(); }

    /// After each feature: every 16384 features, start writing out what SQLite has spilled
    /// from its cache (the final fsync then has less to wait for).
    void feature_written() noexcept {
        if (++m_since_writeback == 16384) {
            m_since_writeback = 0;
            m_writeback->start();
        }
    }

    [[nodiscard]] std::vector<OutputFile> files() const override {
        OutputFile f{m_file.target(), "gpkg", {}, m_sha256, m_bytes};
        for (const auto &layer : m_layers) {
            f.layers.emplace_back(layer->schema().name, layer->count());
        }
        return {f};
    }

  private:
    AtomicFile m_file; // declared first: destroyed last, after the database is closed
    std::filesystem::path m_styles_dir;
    std::vector<std::unique_ptr<GpkgLayer>> m_layers;
    std::unique_ptr<detail::Writeback> m_writeback;
    std::uint32_t m_since_writeback = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
    DbPtr m_db;
};

GpkgLayer::GpkgLayer(GpkgWriter &owner, LayerSchema schema)
    : m_owner(owner), m_schema(std::move(schema)) {
    std::string sql = "INSERT INTO " + sql_identifier(m_schema.name) + " (\"fid\", \"geom\"";
    std::string values = "?1, ?2";
    for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
        sql += ", " + sql_identifier(m_schema.fields[i].name);
        values += ", ?" + std::to_string(i + 3);
    }
    sql += ") VALUES (" + values + ")";
    m_insert = m_owner.prepare(sql, m_schema.name);
}

void GpkgLayer::write(const Feature &feature) {
    sqlite3_stmt *s = m_insert.get();
    const auto fid = static_cast<std::int64_t>(m_count + 1);
    sqlite3_bind_int64(s, 1, fid);
    if (feature.geometry.empty()) {
        sqlite3_bind_null(s, 2);
    } else {
        const LonLatBox box = m_blob.build(feature.geometry);
        const auto &bytes = m_blob.bytes();
        sqlite3_bind_blob(s, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
        m_extent.add(box);
        m_rtree.add(detail::rtree_entry(fid, box.west, box.east, box.south, box.north));
    }
    for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
        const int index = static_cast<int>(i) + 3;
        static const Value null_value;
        const Value &v = i < feature.values.size() ? feature.values[i] : null_value;
        if (const auto *text = std::get_if<std::string_view>(&v)) {
            const auto type = m_schema.fields[i].type;
            if (text->empty() && type != FieldType::text) {
                sqlite3_bind_null(s, index); // no date: NULL, never '' in a DATE column
            } else if (type == FieldType::datetime) {
                const auto value = detail::gpkg_datetime_text(*text, m_datetime);
                sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()),
                                  SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_text(s, index, text->data(), static_cast<int>(text->size()),
                                  SQLITE_STATIC);
            }
        } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
            sqlite3_bind_int64(s, index, *n);
        } else if (const auto *d = std::get_if<double>(&v)) {
            if (std::isfinite(*d)) {
                sqlite3_bind_double(s, index, *d);
            } else {
                sqlite3_bind_null(s, index);
            }
        } else {
            sqlite3_bind_null(s, index);
        }
    }
    if (sqlite3_step(s) != SQLITE_DONE) {
        m_owner.fail("cannot write feature " + std::to_string(fid), m_schema.name);
    }
    sqlite3_reset(s);
    ++m_count;
    m_owner.feature_written();
}

void GpkgLayer::build_rtree() {
    try {
        const auto rtree = "rtree_" + m_schema.name + "_geom";
        detail::pack_rtree(m_owner.db(), m_owner.target().string(), rtree, m_rtree);
    } catch (const Error &e) {
        m_owner.fail(std::string("cannot write the R-tree index: ") + e.what(), m_schema.name);
    }
}

} // namespace

std::unique_ptr<FormatWriter> make_gpkg_writer(const std::filesystem::path &file,
                                               const ExportStyles &styles) {
    return std::make_unique<GpkgWriter>(file, styles);
}

} // namespace borderwatch
