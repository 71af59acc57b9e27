#pragma once
// GeoPackage DDL: the metadata tables, feature tables, R-tree and feature-count triggers and
// column types exactly as GDAL's GPKG driver writes them, so GDAL and QGIS read (and may
// edit) our files as their own. The store (which lets GDAL create its file and re-creates
// the triggers it drops during a write session) and the export use these texts.

#include <borderwatch/incidents/incident_fields.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace borderwatch::detail {

/// The EPSG:4326 srs_id every borderwatch GeoPackage layer uses.
inline constexpr int k_gpkg_srs_id = 4326;

/// The GeoPackage column type of a field type (GeoPackage 1.3 table 1; what GDAL writes):
/// INTEGER, REAL, TEXT, DATE ('YYYY-MM-DD'), DATETIME ('YYYY-MM-DDTHH:MM:SS[.SSS]Z').
/// The store and the export's GeoPackage use it, so both read back in GDAL/QGIS with the
/// same types (Date and DateTime fields, usable by QGIS's temporal controller).
constexpr const char *gpkg_column_type(FieldType type) noexcept {
    switch (type) {
    case FieldType::integer:
        return "INTEGER";
    case FieldType::real:
        return "REAL";
    case FieldType::date:
        return "DATE";
    case FieldType::datetime:
        return "DATETIME";
    case FieldType::text:
        break;
    }
    return "TEXT";
}

/// @p text as a GeoPackage DATETIME value: "YYYY-MM-DDTHH:MM:SSZ" gets the milliseconds the
/// GeoPackage form requires ("...:SS.000Z"; GDAL warns "non-conformant" without them), any
/// other text is returned unchanged. @p buffer holds the result when it is rewritten.
inline std::string_view gpkg_datetime_text(std::string_view text, std::string &buffer) {
    if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z') {
        return text;
    }
    buffer.assign(text.substr(0, 19)).append(".000Z");
    return buffer;
}

/// The core GeoPackage tables (gpkg_spatial_ref_sys with its three required rows,
/// gpkg_contents, gpkg_ogr_contents, gpkg_geometry_columns, gpkg_extensions), as one SQL
/// script for a new, empty database.
[[nodiscard]] std::string gpkg_metadata_tables_sql();

/// One column of a feature table: name and GeoPackage type (gpkg_column_type()).
struct GpkgColumn {
    std::string name;
    const char *type;
};

/// A feature table @p table ("fid" INTEGER PRIMARY KEY AUTOINCREMENT, "geom" of
/// @p geometry_type_name, then @p columns), registered in gpkg_contents,
/// gpkg_geometry_columns and gpkg_ogr_contents (count 0) with srs k_gpkg_srs_id, with its
/// empty R-tree "rtree_<table>_geom" and the gpkg_rtree_index extension row. No triggers:
/// they come after the bulk load (gpkg_rtree_triggers_sql()).
[[nodiscard]] std::string gpkg_feature_table_sql(const std::string &table,
                                                 std::string_view geometry_type_name,
                                                 const std::vector<GpkgColumn> &columns);

/// The R-tree index's AFTER INSERT trigger on @p table (geometry column "geom").
[[nodiscard]] std::string gpkg_rtree_insert_trigger_sql(const std::string &table);
/// All six R-tree maintenance triggers on @p table (insert, update1-4, delete).
[[nodiscard]] std::string gpkg_rtree_triggers_sql(const std::string &table);
/// The two gpkg_ogr_contents feature-count triggers (insert, delete) on @p table.
[[nodiscard]] std::string gpkg_feature_count_triggers_sql(const std::string &table);

} // namespace borderwatch::detail
