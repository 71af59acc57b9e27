// GeoPackage written directly through SQLite: all layers in one file, one transaction,
// prepared INSERTs with GeoPackage geometry blobs built here, the R-tree spatial indexes
// packed in bulk at the end (sort-tile-recursive, written as SQLite rtree nodes) instead of
// one trigger-driven R*-tree insertion per row, and QGIS default styles (styles/<layer>.qml)
// in the `layer_styles` table. The file has the same tables, columns, triggers and
// metadata GDAL's GPKG driver writes, so GDAL and QGIS read (and may edit) it as their own.
//
// Durability is the AtomicFile's: the database is a private temporary until commit(), so
// SQLite runs without journal and without syncs; finish() fsyncs the finished file once.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/export/feature.hpp>
#include <borderwatch/export/sha256.hpp>

#include "export/detail/text.hpp"

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

constexpr int k_srs_id = 4326;

// The EPSG:4326 definition exactly as GDAL writes it into gpkg_spatial_ref_sys.
constexpr const char* k_wgs84_wkt =
    "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,"
    "AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,"
    "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\","
    "\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// "name" → "\"name\"" (SQL identifier quoting).
std::string sql_name(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

/// 'text' → "'text'" (SQL string literal).
std::string literal(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out.push_back('\'');
        }
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

const char* geometry_type_name(GeometryType type) {
    switch (type) {
    case GeometryType::point: return "POINT";
    case GeometryType::line_string: return "LINESTRING";
    case GeometryType::multi_line_string: return "MULTILINESTRING";
    case GeometryType::polygon: return "POLYGON";
    case GeometryType::multi_polygon: return "MULTIPOLYGON";
    }
    return "GEOMETRY";
}

std::uint32_t wkb_type(GeometryType type) {
    switch (type) {
    case GeometryType::point: return 1;
    case GeometryType::line_string: return 2;
    case GeometryType::polygon: return 3;
    case GeometryType::multi_line_string: return 5;
    case GeometryType::multi_polygon: return 6;
    }
    return 0;
}

/// Envelope of a geometry in degrees.

/// Little-endian GeoPackage binary ("GP" header, SRS id, envelope unless a point, WKB).
class BlobBuilder {
  public:
    /// Encode @p g (non-empty) into the internal buffer; returns its envelope.
    LonLatBox build(const Geometry& g) {
        m_buf.clear();
        LonLatBox box;
        for (const auto& part : g.parts) {
            for (const auto& ring : part) {
                for (const auto& p : ring) {
                    box.add(p);
                }
            }
        }
        const bool point = g.type == GeometryType::point;
        m_buf.push_back('G');
        m_buf.push_back('P');
        m_buf.push_back(0);                                      // version 1
        m_buf.push_back(static_cast<char>(point ? 0x01 : 0x03)); // LE; envelope [x,x,y,y]
        put_u32(static_cast<std::uint32_t>(k_srs_id));
        if (!point) {
            put_f64(box.west);
            put_f64(box.east);
            put_f64(box.south);
            put_f64(box.north);
        }
        switch (g.type) {
        case GeometryType::point:
            header(GeometryType::point);
            put_f64(g.parts[0][0][0].lon);
            put_f64(g.parts[0][0][0].lat);
            break;
        case GeometryType::line_string:
            header(GeometryType::line_string);
            points(g.parts[0][0]);
            break;
        case GeometryType::multi_line_string:
            header(GeometryType::multi_line_string);
            put_u32(static_cast<std::uint32_t>(g.parts.size()));
            for (const auto& part : g.parts) {
                header(GeometryType::line_string);
                points(part[0]);
            }
            break;
        case GeometryType::polygon:
            header(GeometryType::polygon);
            rings(g.parts[0]);
            break;
        case GeometryType::multi_polygon:
            header(GeometryType::multi_polygon);
            put_u32(static_cast<std::uint32_t>(g.parts.size()));
            for (const auto& part : g.parts) {
                header(GeometryType::polygon);
                rings(part);
            }
            break;
        }
        return box;
    }
    [[nodiscard]] const std::string& bytes() const noexcept { return m_buf; }

  private:
    void put_u32(std::uint32_t v) {
        char b[4];
        for (int i = 0; i < 4; ++i) {
            b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        }
        m_buf.append(b, 4);
    }
    void put_f64(double d) {
        std::uint64_t v = 0;
        std::memcpy(&v, &d, 8);
        char b[8];
        for (int i = 0; i < 8; ++i) {
            b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        }
        m_buf.append(b, 8);
    }
    void header(GeometryType type) {
        m_buf.push_back(1); // little endian
        put_u32(wkb_type(type));
    }
    void points(const std::vector<LonLat>& line) {
        put_u32(static_cast<std::uint32_t>(line.size()));
        for (const auto& p : line) {
            put_f64(p.lon);
            put_f64(p.lat);
        }
    }
    void rings(const std::vector<std::vector<LonLat>>& rs) {
        put_u32(static_cast<std::uint32_t>(rs.size()));
        for (const auto& r : rs) {
            points(r);
        }
    }
    std::string m_buf;
};

// --- R-tree bulk load ---------------------------------------------------------------------

/// One R-tree cell: row id (leaf) or child node number, and a float box that contains the
/// double one (rounded outward, as SQLite's rtree module stores coordinates).
struct Cell {
    std::int64_t id;
    float minx, maxx, miny, maxy;
};


void put_be(unsigned char* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(v & 0xFF);
        v >>= 8;
    }
}

void put_be_float(unsigned char* p, float f) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, 4);
    put_be(p, bits, 4);
}

/// Sort-tile-recursive grouping of @p cells into runs of at most @p fanout: sort by x
/// centre, cut into vertical slices of ~sqrt(n / fanout) nodes each, sort each slice by y.
void str_order(std::vector<Cell>& cells, std::size_t fanout) {
    const auto cx = [](const Cell& c) { return static_cast<double>(c.minx) + c.maxx; };
    const auto cy = [](const Cell& c) { return static_cast<double>(c.miny) + c.maxy; };
    std::sort(cells.begin(), cells.end(), [&](const Cell& a, const Cell& b) { return cx(a) < cx(b); });
    const std::size_t nodes = (cells.size() + fanout - 1) / fanout;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
    const std::size_t per_slice = std::max<std::size_t>(1, (nodes + slices - 1) / slices) * fanout;
    for (std::size_t begin = 0; begin < cells.size(); begin += per_slice) {
        const auto end = std::min(cells.size(), begin + per_slice);
        std::sort(cells.begin() + static_cast<std::ptrdiff_t>(begin),
                  cells.begin() + static_cast<std::ptrdiff_t>(end),
                  [&](const Cell& a, const Cell& b) { return cy(a) < cy(b); });
    }
}

class GpkgWriter;

class GpkgLayer final : public LayerWriter {
  public:
    GpkgLayer(GpkgWriter& owner, LayerSchema schema);
    void write(const Feature& feature) override;
    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    [[nodiscard]] const LayerSchema& schema() const noexcept { return m_schema; }
    [[nodiscard]] const LonLatBox& extent() const noexcept { return m_extent; }
    /// Pack the R-tree from the collected cells (frees them).
    void build_rtree();

  private:
    GpkgWriter& m_owner;
    LayerSchema m_schema;
    StmtPtr m_insert;
    BlobBuilder m_blob;
    std::vector<Cell> m_cells; ///< leaf cells of the spatial index, in fid order
    LonLatBox m_extent;
    std::uint64_t m_count = 0;
};

class GpkgWriter final : public FormatWriter {
  public:
    GpkgWriter(std::filesystem::path file, const ExportStyles& styles)
        : m_file(std::move(file)), m_styles_dir(styles.dir) {
        // The temporary is SQLite's alone: create it fresh (no stream on it).
        std::filesystem::remove(m_file.temp_path());
        sqlite3* db = nullptr;
        const int rc = sqlite3_open_v2(m_file.temp_path().c_str(), &db,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOMUTEX,
                                       nullptr);
        m_db.reset(db);
        if (rc != SQLITE_OK) {
            fail("cannot create the database");
        }
        m_writeback = std::make_unique<detail::Writeback>(m_file.temp_path());
        exec("PRAGMA page_size = 4096;"
             "PRAGMA journal_mode = OFF;"
             "PRAGMA synchronous = OFF;"
             "PRAGMA locking_mode = EXCLUSIVE;"
             "PRAGMA cache_size = -16384;" // KiB: 16 MiB (rows are appended; the cache holds B-tree paths)
             "PRAGMA application_id = 1196444487;" // 'GPKG'
             "PRAGMA user_version = 10200;");
        exec("BEGIN");
        exec("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL "
             "PRIMARY KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,"
             "definition  TEXT NOT NULL,description TEXT);"
             "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT "
             "NOT NULL,identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME "
             "NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,"
             "max_x DOUBLE, max_y DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY "
             "(srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
             "CREATE TABLE gpkg_ogr_contents(table_name TEXT NOT NULL PRIMARY KEY,feature_count "
             "INTEGER DEFAULT NULL);"
             "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT "
             "NULL,geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,"
             "m TINYINT NOT NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
             "CONSTRAINT uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY "
             "(table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY "
             "(srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
             "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name "
             "TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce "
             "UNIQUE (table_name, column_name, extension_name));"
             "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS',-1,'NONE',-1,"
             "'undefined','undefined Cartesian coordinate reference system');"
             "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS',0,'NONE',0,"
             "'undefined','undefined geographic coordinate reference system');"
             "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic',4326,'EPSG',4326," +
             literal(k_wgs84_wkt) +
             ",'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');");
    }

    [[noreturn]] void fail(const std::string& what, const std::string& layer = {}) const {
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

    void exec(const std::string& sql, const std::string& layer = {}) const {
        char* err = nullptr;
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err != nullptr ? err : "error";
            sqlite3_free(err);
            throw IoError("GeoPackage '" + m_file.target().string() + "'" +
                          (layer.empty() ? std::string() : ", layer '" + layer + "'") + ": " +
                          sql.substr(0, 60) + "...: " + msg);
        }
    }

    StmtPtr prepare(const std::string& sql, const std::string& layer = {}) const {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(m_db.get(), sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
            fail("cannot prepare '" + sql.substr(0, 60) + "...'", layer);
        }
        return StmtPtr(s);
    }

    void step(sqlite3_stmt* s, const std::string& layer, const char* what) const {
        if (sqlite3_step(s) != SQLITE_DONE) {
            fail(what, layer);
        }
        sqlite3_reset(s);
    }

    LayerWriter& open_layer(const LayerSchema& schema) override {
        const auto& name = schema.name;
        const auto t = sql_name(name);
        std::string sql = "CREATE TABLE " + t +
                          " ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"geom\" " +
                          geometry_type_name(schema.geometry_type);
        for (const auto& field : schema.fields) {
            sql += ", " + sql_name(field.name) + " " +
                   (field.type == FieldType::integer ? "INTEGER"
                    : field.type == FieldType::real  ? "REAL"
                                                     : "TEXT");
        }
        sql += ");";
        sql += "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
               "srs_id) VALUES (" + literal(name) + ",'features'," + literal(name) + ",''," +
               std::to_string(k_srs_id) + ");";
        sql += "INSERT INTO gpkg_geometry_columns VALUES (" + literal(name) + ",'geom','" +
               geometry_type_name(schema.geometry_type) + "'," + std::to_string(k_srs_id) +
               ",0,0);";
        sql += "INSERT INTO gpkg_ogr_contents VALUES (" + literal(name) + ",0);";
        const auto rtree = "rtree_" + name + "_geom";
        sql += "CREATE VIRTUAL TABLE " + sql_name(rtree) + " USING rtree(id, minx, maxx, miny, maxy);";
        sql += "INSERT INTO gpkg_extensions VALUES (" + literal(name) +
               ",'geom','gpkg_rtree_index','http://www.geopackage.org/spec120/#extension_rtree',"
               "'write-only');";
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
        for (const auto& layer : m_layers) {
            const auto qml_path = m_styles_dir / (layer->schema().name + ".qml");
            if (!std::filesystem::exists(qml_path)) {
                continue;
            }
            std::ifstream in(qml_path, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            const auto qml = ss.str();
            const auto& name = layer->schema().name;
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
        for (auto& layer : m_layers) {
            const auto& name = layer->schema().name;
            layer->build_rtree();
            std::string sql = "UPDATE gpkg_ogr_contents SET feature_count = " +
                              std::to_string(layer->count()) + " WHERE table_name = " +
                              literal(name) + ";";
            const auto& e = layer->extent();
            if (e.valid()) {
                char buf[256];
                std::snprintf(buf, sizeof buf,
                              "UPDATE gpkg_contents SET min_x = %.17g, min_y = %.17g, max_x = "
                              "%.17g, max_y = %.17g WHERE table_name = ",
                              e.west, e.south, e.east, e.north);
                sql += buf + literal(name) + ";";
            }
            sql += triggers(name);
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
        for (const auto& layer : m_layers) {
            f.layers.emplace_back(layer->schema().name, layer->count());
        }
        return {f};
    }

  private:
    /// The R-tree maintenance and feature-count triggers GDAL creates, so edits made later
    /// in QGIS/GDAL keep the index and counts right (created after the bulk load).
    static std::string triggers(const std::string& name) {
        const auto t = sql_name(name);
        const auto r = sql_name("rtree_" + name + "_geom");
        const auto trig = [&name](const char* suffix) { return sql_name("rtree_" + name + "_geom_" + suffix); };
        const std::string ins = "INSERT OR REPLACE INTO " + r +
                                " VALUES (NEW.\"fid\",ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"),"
                                "ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\"));";
        std::string s;
        s += "CREATE TRIGGER " + trig("insert") + " AFTER INSERT ON " + t +
             " WHEN (new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN " + ins + " END;";
        s += "CREATE TRIGGER " + trig("update1") + " AFTER UPDATE OF \"geom\" ON " + t +
             " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
             "ST_IsEmpty(NEW.\"geom\")) BEGIN " + ins + " END;";
        s += "CREATE TRIGGER " + trig("update2") + " AFTER UPDATE OF \"geom\" ON " + t +
             " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
             " BEGIN DELETE FROM " + r + " WHERE id = OLD.\"fid\"; END;";
        s += "CREATE TRIGGER " + trig("update3") + " AFTER UPDATE ON " + t +
             " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
             "ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM " + r + " WHERE id = OLD.\"fid\"; " +
             ins + " END;";
        s += "CREATE TRIGGER " + trig("update4") + " AFTER UPDATE ON " + t +
             " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
             " BEGIN DELETE FROM " + r + " WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END;";
        s += "CREATE TRIGGER " + trig("delete") + " AFTER DELETE ON " + t +
             " WHEN old.\"geom\" NOT NULL BEGIN DELETE FROM " + r + " WHERE id = OLD.\"fid\"; END;";
        s += "CREATE TRIGGER " + sql_name("trigger_insert_feature_count_" + name) +
             " AFTER INSERT ON " + t + " BEGIN UPDATE gpkg_ogr_contents SET feature_count = "
             "feature_count + 1 WHERE lower(table_name) = lower(" + literal(name) + "); END;";
        s += "CREATE TRIGGER " + sql_name("trigger_delete_feature_count_" + name) +
             " AFTER DELETE ON " + t + " BEGIN UPDATE gpkg_ogr_contents SET feature_count = "
             "feature_count - 1 WHERE lower(table_name) = lower(" + literal(name) + "); END;";
        return s;
    }

    AtomicFile m_file; // declared first: destroyed last, after the database is closed
    std::filesystem::path m_styles_dir;
    std::vector<std::unique_ptr<GpkgLayer>> m_layers;
    std::unique_ptr<detail::Writeback> m_writeback;
    std::uint32_t m_since_writeback = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
    DbPtr m_db;
};

GpkgLayer::GpkgLayer(GpkgWriter& owner, LayerSchema schema)
    : m_owner(owner), m_schema(std::move(schema)) {
    std::string sql = "INSERT INTO " + sql_name(m_schema.name) + " (\"fid\", \"geom\"";
    std::string values = "?1, ?2";
    for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
        sql += ", " + sql_name(m_schema.fields[i].name);
        values += ", ?" + std::to_string(i + 3);
    }
    sql += ") VALUES (" + values + ")";
    m_insert = m_owner.prepare(sql, m_schema.name);
}

void GpkgLayer::write(const Feature& feature) {
    sqlite3_stmt* s = m_insert.get();
    const auto fid = static_cast<std::int64_t>(m_count + 1);
    sqlite3_bind_int64(s, 1, fid);
    if (feature.geometry.empty()) {
        sqlite3_bind_null(s, 2);
    } else {
        const LonLatBox box = m_blob.build(feature.geometry);
        const auto& bytes = m_blob.bytes();
        sqlite3_bind_blob(s, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
        m_extent.add(box);
        m_cells.push_back(Cell{fid, float_at_or_below(box.west), float_at_or_above(box.east),
                               float_at_or_below(box.south), float_at_or_above(box.north)});
    }
    for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
        const int index = static_cast<int>(i) + 3;
        static const Value null_value;
        const Value& v = i < feature.values.size() ? feature.values[i] : null_value;
        if (const auto* text = std::get_if<std::string_view>(&v)) {
            sqlite3_bind_text(s, index, text->data(), static_cast<int>(text->size()),
                              SQLITE_STATIC);
        } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
            sqlite3_bind_int64(s, index, *n);
        } else if (const auto* d = std::get_if<double>(&v)) {
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
    const auto& name = m_schema.name;
    const auto prefix = "\"rtree_" + name + "_geom"; // + "_node\"" etc. (names have no '"')
    // Node size as SQLite chose it for this page size (the empty root written at creation).
    std::size_t node_size = 0;
    {
        const auto q = m_owner.prepare("SELECT length(data) FROM " + prefix +
                                           "_node\" WHERE nodeno = 1",
                                       name);
        if (sqlite3_step(q.get()) == SQLITE_ROW) {
            node_size = static_cast<std::size_t>(sqlite3_column_int64(q.get(), 0));
        }
    }
    if (node_size < 4 + 24 * 4) {
        m_owner.fail("unexpected R-tree node size " + std::to_string(node_size), name);
    }
    const std::size_t fanout = (node_size - 4) / 24;
    if (m_cells.empty()) {
        return; // the empty root is already there
    }
    const auto put_node = m_owner.prepare("INSERT OR REPLACE INTO " + prefix +
                                              "_node\" (nodeno, data) VALUES (?1, ?2)",
                                          name);
    const auto put_rowid = m_owner.prepare("INSERT INTO " + prefix +
                                               "_rowid\" (rowid, nodeno) VALUES (?1, ?2)",
                                           name);
    const auto put_parent = m_owner.prepare("INSERT INTO " + prefix +
                                                "_parent\" (nodeno, parentnode) VALUES (?1, ?2)",
                                            name);
    std::vector<unsigned char> blob(node_size);
    // Levels bottom-up; node numbers: the root is 1, the others 2, 3, ... in build order.
    // A child's parent number is only known one level up, so parent rows are written then.
    std::int64_t next_node = 2;
    int depth = 0;
    // Leaf of each row, indexed by fid: %_rowid is then filled in rowid order (appending to
    // its B-tree) rather than in the spatial order of the leaves (random inserts).
    std::vector<std::int64_t> leaf_of(m_count + 1, 0);
    std::vector<Cell> level = std::move(m_cells);
    m_cells = {};
    while (true) {
        str_order(level, fanout);
        const std::size_t nodes = (level.size() + fanout - 1) / fanout;
        const bool root = nodes == 1;
        std::vector<Cell> parents;
        parents.reserve(nodes);
        for (std::size_t begin = 0; begin < level.size(); begin += fanout) {
            const auto end = std::min(level.size(), begin + fanout);
            const std::int64_t nodeno = root ? 1 : next_node++;
            std::fill(blob.begin(), blob.end(), 0);
            put_be(blob.data(), root ? static_cast<std::uint64_t>(depth) : 0, 2);
            put_be(blob.data() + 2, end - begin, 2);
            Cell bound{nodeno, level[begin].minx, level[begin].maxx, level[begin].miny,
                       level[begin].maxy};
            unsigned char* p = blob.data() + 4;
            for (std::size_t i = begin; i < end; ++i, p += 24) {
                const auto& c = level[i];
                put_be(p, static_cast<std::uint64_t>(c.id), 8);
                put_be_float(p + 8, c.minx);
                put_be_float(p + 12, c.maxx);
                put_be_float(p + 16, c.miny);
                put_be_float(p + 20, c.maxy);
                bound.minx = std::min(bound.minx, c.minx);
                bound.maxx = std::max(bound.maxx, c.maxx);
                bound.miny = std::min(bound.miny, c.miny);
                bound.maxy = std::max(bound.maxy, c.maxy);
                if (depth == 0) {
                    leaf_of[static_cast<std::size_t>(c.id)] = nodeno;
                } else {
                    sqlite3_bind_int64(put_parent.get(), 1, c.id);
                    sqlite3_bind_int64(put_parent.get(), 2, nodeno);
                    m_owner.step(put_parent.get(), name, "cannot write the R-tree index");
                }
            }
            sqlite3_bind_int64(put_node.get(), 1, nodeno);
            sqlite3_bind_blob(put_node.get(), 2, blob.data(), static_cast<int>(blob.size()),
                              SQLITE_STATIC);
            m_owner.step(put_node.get(), name, "cannot write the R-tree index");
            parents.push_back(bound);
        }
        if (depth == 0) {
            for (std::size_t fid = 1; fid < leaf_of.size(); ++fid) {
                if (leaf_of[fid] != 0) {
                    sqlite3_bind_int64(put_rowid.get(), 1, static_cast<std::int64_t>(fid));
                    sqlite3_bind_int64(put_rowid.get(), 2, leaf_of[fid]);
                    m_owner.step(put_rowid.get(), name, "cannot write the R-tree index");
                }
            }
            leaf_of = {};
        }
        if (root) {
            break;
        }
        level = std::move(parents);
        ++depth;
    }
}

} // namespace

std::unique_ptr<FormatWriter> make_gpkg_writer(const std::filesystem::path& file,
                                               const ExportStyles& styles) {
    return std::make_unique<GpkgWriter>(file, styles);
}

} // namespace borderwatch
