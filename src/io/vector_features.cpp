#include "io/vector_features.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <optional>

namespace borderwatch::detail {

namespace {

using Ring = std::vector<std::array<double, 2>>;

Ring positions(const nlohmann::json &array) {
    Ring out;
    out.reserve(array.size());
    for (const auto &p : array) {
        out.push_back({p.at(0).get<double>(), p.at(1).get<double>()});
    }
    return out;
}

std::vector<Ring> rings(const nlohmann::json &array) {
    std::vector<Ring> out;
    out.reserve(array.size());
    for (const auto &r : array) {
        out.push_back(positions(r));
    }
    return out;
}

// The same parts as GDAL's reading gives (io/gdal_features.cpp): a line is a part with one
// "ring", a polygon a part with its rings; collections are flattened, points carry nothing.
void collect_parts(const nlohmann::json &g, VectorFeature &feature, int depth = 0) {
    if (g.is_null()) {
        return;
    }
    const auto &type = g.at("type").get_ref<const std::string &>();
    if (type == "GeometryCollection") {
        if (depth > 8) {
            throw DataError("geometry collections nested too deeply");
        }
        for (const auto &member : g.at("geometries")) {
            collect_parts(member, feature, depth + 1);
        }
        return;
    }
    const auto &c = g.at("coordinates");
    if (type == "LineString") {
        feature.parts.push_back({positions(c)});
    } else if (type == "MultiLineString") {
        for (const auto &line : c) {
            feature.parts.push_back({positions(line)});
        }
    } else if (type == "Polygon") {
        feature.parts.push_back(rings(c));
    } else if (type == "MultiPolygon") {
        for (const auto &polygon : c) {
            feature.parts.push_back(rings(polygon));
        }
    } else if (type != "Point" && type != "MultiPoint") {
        throw DataError("unknown geometry type '" + type + "'");
    }
}

/// A property as OGR_F_GetFieldAsString would give it.
std::string field_text(const nlohmann::json &value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_boolean()) {
        return value.get<bool>() ? "1" : "0";
    }
    if (value.is_number_integer()) {
        return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                          : std::to_string(value.get<std::int64_t>());
    }
    if (value.is_number_float()) {
        char text[32];
        std::snprintf(text, sizeof text, "%.15g", value.get<double>());
        return text;
    }
    return value.is_null() ? std::string() : value.dump();
}

/// True when a legacy (GeoJSON 2008) `crs` member names anything but lon/lat WGS 84.
bool names_other_crs(const nlohmann::json &doc) {
    const auto crs = doc.find("crs");
    if (crs == doc.end() || crs->is_null()) {
        return false;
    }
    const auto properties = crs->find("properties");
    if (properties == crs->end() || !properties->is_object()) {
        return true;
    }
    const auto name = properties->find("name");
    if (name == properties->end() || !name->is_string()) {
        return true;
    }
    const auto &text = name->get_ref<const std::string &>();
    for (const char *wgs84 : {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84",
                              "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "OGC:CRS84"}) {
        if (text == wgs84) {
            return false;
        }
    }
    return true;
}

VectorFeature to_feature(const nlohmann::json &feature,
                         const std::vector<std::string> &field_names) {
    VectorFeature out;
    const auto properties = feature.find("properties");
    const bool has_properties = properties != feature.end() && properties->is_object();
    for (const auto &name : field_names) {
        if (!has_properties) {
            out.fields.emplace_back();
            continue;
        }
        const auto value = properties->find(name);
        out.fields.push_back(value == properties->end() ? std::string() : field_text(*value));
    }
    if (const auto geometry = feature.find("geometry"); geometry != feature.end()) {
        collect_parts(*geometry, out);
    }
    return out;
}

bool is_geojson_type(const std::string &type) {
    for (const char *known : {"FeatureCollection", "Feature", "Point", "MultiPoint", "LineString",
                              "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}) {
        if (type == known) {
            return true;
        }
    }
    return false;
}

bool is_geojson_name(const std::filesystem::path &path) {
    auto ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return ext == ".geojson" || ext == ".json";
}

} // namespace

std::optional<std::vector<VectorFeature>>
read_geojson_vector_features(const std::filesystem::path &path,
                             const std::vector<std::string> &field_names) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw DataError("cannot read '" + path.string() + "'");
    }
    std::vector<VectorFeature> out;
    try {
        const auto doc = parse_json(in, path.string());
        if (!doc.is_object()) {
            throw DataError("not a GeoJSON object");
        }
        const auto type = doc.value("type", std::string());
        if (names_other_crs(doc) || !is_geojson_type(type)) {
            return std::nullopt; // another CRS, or TopoJSON / Esri JSON: GDAL reads those
        }
        if (type == "FeatureCollection") {
            const auto &features = doc.at("features");
            out.reserve(features.size());
            for (const auto &f : features) {
                out.push_back(to_feature(f, field_names));
            }
        } else if (type == "Feature") {
            out.push_back(to_feature(doc, field_names));
        } else {
            VectorFeature bare;
            bare.fields.resize(field_names.size());
            collect_parts(doc, bare);
            out.push_back(std::move(bare));
        }
    } catch (const nlohmann::json::exception &e) {
        throw DataError("'" + path.string() + "': not GeoJSON as expected: " + e.what());
    } catch (const DataError &e) {
        throw DataError("'" + path.string() + "': " + e.what());
    }
    return out;
}

std::vector<VectorFeature> read_vector_features(const std::filesystem::path &path,
                                                const std::vector<std::string> &field_names) {
    if (is_geojson_name(path)) {
        if (auto features = read_geojson_vector_features(path, field_names)) {
            return std::move(*features);
        }
    }
    return read_gdal_features(path, field_names);
}

} // namespace borderwatch::detail
