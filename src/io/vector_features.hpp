#pragma once
// Line and polygon features of a vector file as plain {lon, lat} coordinates, for the border
// engine and the geodata cache. GeoJSON in EPSG:4326 (every file of geodata/, and most border
// files users bring) is read here without GDAL, so the small start-up program (src/cli/
// launcher_main.cpp) never loads it; any other format or CRS goes through GDAL
// (read_gdal_features in io/gdal_handles.hpp).

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace borderwatch::detail {

/// One feature's geometry as parts of {lon, lat} coordinates plus its string fields.
struct VectorFeature {
    /// Polygons: one entry per polygon, each a list of rings (outer first).
    /// Lines: one polygon-like entry per line part, with a single "ring" (the line).
    std::vector<std::vector<std::vector<std::array<double, 2>>>> parts;
    std::vector<std::string> fields; ///< the requested fields, "" when missing or null
};

/// Every feature of the first layer of @p path in EPSG:4326 lon/lat order, with the fields
/// @p field_names as strings. GeoJSON without a legacy `crs` member naming another CRS is
/// read directly; everything else through GDAL (transformed to EPSG:4326).
/// @throws DataError (GeoJSON that does not parse), GdalError (GDAL cannot read it)
[[nodiscard]] std::vector<VectorFeature>
read_vector_features(const std::filesystem::path &path,
                     const std::vector<std::string> &field_names);

/// GDAL's reading (io/gdal_features.cpp): every feature of the first layer of @p path in any
/// format GDAL reads, transformed to EPSG:4326 lon/lat order when the layer has another CRS.
/// @throws GdalError on open/read failures
[[nodiscard]] std::vector<VectorFeature>
read_gdal_features(const std::filesystem::path &path, const std::vector<std::string> &field_names);

/// The GeoJSON reader alone (RFC 7946: a FeatureCollection, a Feature or a bare geometry).
/// Fields: strings as they are, integers and reals as GDAL prints them, true/false as 1/0,
/// null or missing as "". std::nullopt when the JSON is not GeoJSON (TopoJSON, Esri JSON) or
/// names a CRS other than OGC:CRS84 / EPSG:4326 in a legacy `crs` member: GDAL reads those.
/// @throws DataError or InputError naming the file
[[nodiscard]] std::optional<std::vector<VectorFeature>>
read_geojson_vector_features(const std::filesystem::path &path,
                             const std::vector<std::string> &field_names);

} // namespace borderwatch::detail
