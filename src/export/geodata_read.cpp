#include "export/detail/geodata_read.hpp"

#include <borderwatch/core/error.hpp>

#include "io/vector_features.hpp"

#include <array>

namespace borderwatch::detail {

std::vector<ReferenceFeature> read_geojson_features(const std::filesystem::path &file) {
    if (!std::filesystem::exists(file)) {
        throw DataError("cannot read '" + file.string() + "' (run scripts/build-geodata?)");
    }
    static const std::array<std::string, 5> names{"id", "iso3", "name", "admin1", "admin1_id"};
    auto features = read_vector_features(file, {names.begin(), names.end()});
    std::vector<ReferenceFeature> out;
    out.reserve(features.size());
    for (auto &f : features) {
        ReferenceFeature rf;
        for (std::size_t k = 0; k < names.size(); ++k) {
            rf.properties.emplace(names[k], std::move(f.fields[k]));
        }
        rf.geometry.type = GeometryType::multi_polygon;
        for (const auto &polygon : f.parts) {
            std::vector<std::vector<LonLat>> rings;
            rings.reserve(polygon.size());
            for (const auto &ring : polygon) {
                std::vector<LonLat> points;
                points.reserve(ring.size());
                for (const auto &p : ring) {
                    points.push_back({p[0], p[1]});
                }
                rings.push_back(std::move(points));
            }
            rf.geometry.parts.push_back(std::move(rings));
        }
        out.push_back(std::move(rf));
    }
    return out;
}

std::string text_property(const std::map<std::string, std::string, std::less<>> &properties,
                          const char *key) {
    const auto it = properties.find(std::string_view(key));
    return it != properties.end() ? it->second : std::string();
}

} // namespace borderwatch::detail
