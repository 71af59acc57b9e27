// GeoPackage DDL texts: see gpkg/schema.hpp.

#include "gpkg/schema.hpp"

#include <borderwatch/core/escape.hpp>

namespace borderwatch::detail {

namespace {

// The EPSG:4326 definition exactly as GDAL writes it into gpkg_spatial_ref_sys.
constexpr const char *k_wgs84_wkt =
    "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,"
    "AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,"
    "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\","
    "\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

std::string rtree_name(const std::string &table) {
    return "rtree_" + table + "_geom";
}

std::string rtree_insert_values(const std::string &table) {
    return "INSERT OR REPLACE INTO " + sql_identifier(rtree_name(table)) +
           " VALUES (NEW.\"fid\",ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"),"
           "ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\"));";
}

std::string trigger_name(const std::string &table, const char *suffix) {
    return sql_identifier(rtree_name(table) + "_" + suffix);
}

} // namespace

std::string gpkg_metadata_tables_sql() {
    return "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL "
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
           sql_literal(k_wgs84_wkt) +
           ",'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');";
}

std::string gpkg_feature_table_sql(const std::string &table, std::string_view geometry_type_name,
                                   const std::vector<GpkgColumn> &columns) {
    const std::string geometry_type(geometry_type_name);
    std::string sql = "CREATE TABLE " + sql_identifier(table) +
                      " ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"geom\" " +
                      geometry_type;
    for (const auto &column : columns) {
        sql += ", " + sql_identifier(column.name) + " " + column.type;
    }
    sql += ");";
    sql += "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
           "srs_id) VALUES (" +
           sql_literal(table) + ",'features'," + sql_literal(table) + ",''," +
           std::to_string(k_gpkg_srs_id) + ");";
    sql += "INSERT INTO gpkg_geometry_columns VALUES (" + sql_literal(table) + ",'geom','" +
           geometry_type + "'," + std::to_string(k_gpkg_srs_id) + ",0,0);";
    sql += "INSERT INTO gpkg_ogr_contents VALUES (" + sql_literal(table) + ",0);";
    sql += "CREATE VIRTUAL TABLE " + sql_identifier(rtree_name(table)) +
           " USING rtree(id, minx, maxx, miny, maxy);";
    sql += "INSERT INTO gpkg_extensions VALUES (" + sql_literal(table) +
           ",'geom','gpkg_rtree_index','http://www.geopackage.org/spec120/#extension_rtree',"
           "'write-only');";
    return sql;
}

std::string gpkg_rtree_insert_trigger_sql(const std::string &table) {
    return "CREATE TRIGGER " + trigger_name(table, "insert") + " AFTER INSERT ON " +
           sql_identifier(table) +
           " WHEN (new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN " +
           rtree_insert_values(table) + " END;";
}

std::string gpkg_rtree_triggers_sql(const std::string &table) {
    const auto t = sql_identifier(table);
    const auto r = sql_identifier(rtree_name(table));
    const auto ins = rtree_insert_values(table);
    std::string s = gpkg_rtree_insert_trigger_sql(table);
    s += "CREATE TRIGGER " + trigger_name(table, "update1") + " AFTER UPDATE OF \"geom\" ON " + t +
         " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
         "ST_IsEmpty(NEW.\"geom\")) BEGIN " +
         ins + " END;";
    s += "CREATE TRIGGER " + trigger_name(table, "update2") + " AFTER UPDATE OF \"geom\" ON " + t +
         " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
         " BEGIN DELETE FROM " +
         r + " WHERE id = OLD.\"fid\"; END;";
    s += "CREATE TRIGGER " + trigger_name(table, "update3") + " AFTER UPDATE ON " + t +
         " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
         "ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM " +
         r + " WHERE id = OLD.\"fid\"; " + ins + " END;";
    s += "CREATE TRIGGER " + trigger_name(table, "update4") + " AFTER UPDATE ON " + t +
         " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
         " BEGIN DELETE FROM " +
         r + " WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END;";
    s += "CREATE TRIGGER " + trigger_name(table, "delete") + " AFTER DELETE ON " + t +
         " WHEN old.\"geom\" NOT NULL BEGIN DELETE FROM " + r + " WHERE id = OLD.\"fid\"; END;";
    return s;
}

std::string gpkg_feature_count_triggers_sql(const std::string &table) {
    const auto t = sql_identifier(table);
    std::string s;
    s += "CREATE TRIGGER " + sql_identifier("trigger_insert_feature_count_" + table) +
         " AFTER INSERT ON " + t +
         " BEGIN UPDATE gpkg_ogr_contents SET feature_count = "
         "feature_count + 1 WHERE lower(table_name) = lower(" +
         sql_literal(table) + "); END;";
    s += "CREATE TRIGGER " + sql_identifier("trigger_delete_feature_count_" + table) +
         " AFTER DELETE ON " + t +
         " BEGIN UPDATE gpkg_ogr_contents SET feature_count = "
         "feature_count - 1 WHERE lower(table_name) = lower(" +
         sql_literal(table) + "); END;";
    return s;
}

} // namespace borderwatch::detail
