#include "export/detail/geodata_read.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>

#include <fstream>

namespace borderwatch::detail {

namespace {

std::vector<LonLat> positions(const nlohmann::json &array) {
    std::vector<LonLat> out;
    out.reserve(array.size());
    for (const auto &p : array) {
        out.push_back({p.at(0).get<double>(), p.at(1).get<double>()});
    }
    return out;
}

std::vector<std::vector<LonLat>> rings(const nlohmann::json &array) {
    std::vector<std::vector<LonLat>> out;
    for (const auto &r : array) {
        out.push_back(positions(r));
    }
    return out;
}

Geometry to_geometry(const nlohmann::json &g) {
    Geometry out;
    if (g.is_null()) {
        return out;
    }
    const auto type = g.at("type").get<std::string>();
    const auto &c = g.at("coordinates");
    if (type == "Point") {
        out.set_point(c.at(0).get<double>(), c.at(1).get<double>());
    } else if (type == "LineString") {
        out.type = GeometryType::line_string;
        out.parts.push_back({positions(c)});
    } else if (type == "MultiLineString") {
        out.type = GeometryType::multi_line_string;
        for (const auto &line : c) {
            out.parts.push_back({positions(line)});
        }
    } else if (type == "Polygon") {
        out.type = GeometryType::multi_polygon;
        out.parts.push_back(rings(c));
    } else if (type == "MultiPolygon") {
        out.type = GeometryType::multi_polygon;
        for (const auto &poly : c) {
            out.parts.push_back(rings(poly));
        }
    } else {
        throw DataError("unsupported geometry type '" + type + "'");
    }
    return out;
}

} // namespace

std::vector<ReferenceFeature> read_geojson_features(const std::filesystem::path &file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw DataError("cannot read '" + file.string() + "' (run scripts/build-geodata?)");
    }
    std::vector<ReferenceFeature> out;
    try {
        const auto doc = parse_json(in, file.string());
        for (const auto &f : doc.at("features")) {
            ReferenceFeature rf;
            rf.properties = f.value("properties", nlohmann::json::object());
            rf.geometry = to_geometry(f.at("geometry"));
            out.push_back(std::move(rf));
        }
    } catch (const nlohmann::json::exception &e) {
        throw DataError("'" + file.string() + "': " + e.what());
    } catch (const DataError &e) {
        throw DataError("'" + file.string() + "': " + e.what());
    }
    return out;
}

std::string text_property(const nlohmann::json &properties, const char *key) {
    const auto it = properties.find(key);
    return it != properties.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace borderwatch::detail
