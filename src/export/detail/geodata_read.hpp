#pragma once
// Reading the small GeoJSON reference files of geodata/ (countries, admin1/2) into the
// export's Geometry model; borders.geojson has one reader, read_canonical_borders() of the
// geodata module (declared with the border engine's API).

#include <borderwatch/export/feature.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace borderwatch::detail {

struct ReferenceFeature {
    nlohmann::json properties;
    Geometry geometry; ///< Polygon input becomes a one-part multi_polygon
};

/// Every feature of a GeoJSON FeatureCollection. @throws DataError
[[nodiscard]] std::vector<ReferenceFeature>
read_geojson_features(const std::filesystem::path &file);

/// Text property or "" when missing / not a string.
[[nodiscard]] std::string text_property(const nlohmann::json &properties, const char *key);

} // namespace borderwatch::detail
