#pragma once
// The small polygon files of geodata/ (countries, admin1/2) in the export's Geometry model,
// read by the one GeoJSON reader of the geodata files (io/vector_features.hpp); borders.geojson
// has its own reader, read_canonical_borders() of the geodata module.

#include <borderwatch/export/feature.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace borderwatch::detail {

struct ReferenceFeature {
    /// The text properties the export uses (id, iso3, name, admin1, admin1_id); "" when absent.
    std::map<std::string, std::string, std::less<>> properties;
    Geometry geometry; ///< a multi_polygon (a Polygon is a one-part multi_polygon)
};

/// Every feature of a geodata polygon file. @throws DataError naming the file
[[nodiscard]] std::vector<ReferenceFeature>
read_geojson_features(const std::filesystem::path &file);

/// A text property, "" when missing.
[[nodiscard]] std::string
text_property(const std::map<std::string, std::string, std::less<>> &properties, const char *key);

} // namespace borderwatch::detail
