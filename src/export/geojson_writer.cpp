// Streaming RFC 7946 GeoJSON: one FeatureCollection per layer file. The collection's
// "bbox" member follows "features" (member order is free in JSON), so nothing is buffered.
// The same features as GeoJSON text sequences (newline-delimited, GDAL's GeoJSONSeq
// ".geojsonl"): one Feature per line, no collection around them, so files concatenate.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/per_layer_files.hpp"
#include "export/detail/text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace borderwatch {

namespace {

constexpr int k_decimals = detail::k_coordinate_decimals;

/// RFC 7946 bbox member value: [west, south, east, north].
void append_bbox(std::string &out, const LonLatBox &box) {
    out += "[";
    // Rounded outward would be ideal; rounding to 7 decimals of the same coordinates
    // the geometry uses keeps bbox and coordinates consistent (both rounded alike).
    detail::append_fixed(out, box.west, k_decimals);
    out += ",";
    detail::append_fixed(out, box.south, k_decimals);
    out += ",";
    detail::append_fixed(out, box.east, k_decimals);
    out += ",";
    detail::append_fixed(out, box.north, k_decimals);
    out += "]";
}

void append_position(std::string &out, const LonLat &p) {
    out.push_back('[');
    detail::append_fixed(out, p.lon, k_decimals);
    out.push_back(',');
    detail::append_fixed(out, p.lat, k_decimals);
    out.push_back(']');
}

void append_line(std::string &out, const std::vector<LonLat> &line, LonLatBox &box) {
    out.push_back('[');
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        append_position(out, line[i]);
        box.add(line[i]);
    }
    out.push_back(']');
}

// RFC 7946 3.1.6: exterior rings counter-clockwise, holes clockwise.
void append_ring(std::string &out, const std::vector<LonLat> &ring, bool exterior, LonLatBox &box) {
    const double area = detail::ring_signed_area(ring);
    const bool reverse = exterior ? area < 0 : area > 0;
    if (!reverse) {
        append_line(out, ring, box);
        return;
    }
    out.push_back('[');
    for (std::size_t i = ring.size(); i-- > 0;) {
        append_position(out, ring[i]);
        box.add(ring[i]);
        if (i > 0) {
            out.push_back(',');
        }
    }
    out.push_back(']');
}

void append_polygon(std::string &out, const std::vector<std::vector<LonLat>> &rings,
                    LonLatBox &box) {
    out.push_back('[');
    for (std::size_t r = 0; r < rings.size(); ++r) {
        if (r > 0) {
            out.push_back(',');
        }
        append_ring(out, rings[r], r == 0, box);
    }
    out.push_back(']');
}

/// Appends the geometry member value; returns its bbox.
LonLatBox append_geometry(std::string &out, const Geometry &g) {
    LonLatBox box;
    if (g.empty()) {
        out += "null";
        return box;
    }
    switch (g.type) {
    case GeometryType::point:
        out += R"({"type":"Point","coordinates":)";
        append_position(out, g.parts[0][0][0]);
        box.add(g.parts[0][0][0]);
        break;
    case GeometryType::line_string:
        out += R"({"type":"LineString","coordinates":)";
        append_line(out, g.parts[0][0], box);
        break;
    case GeometryType::multi_line_string:
        out += R"({"type":"MultiLineString","coordinates":[)";
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_line(out, g.parts[i][0], box);
        }
        out.push_back(']');
        break;
    case GeometryType::polygon:
        out += R"({"type":"Polygon","coordinates":)";
        append_polygon(out, g.parts[0], box);
        break;
    case GeometryType::multi_polygon:
        out += R"({"type":"MultiPolygon","coordinates":[)";
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_polygon(out, g.parts[i], box);
        }
        out.push_back(']');
        break;
    }
    out.push_back('}');
    return box;
}

/// A FeatureCollection per file, or one Feature per line.
enum class GeoJsonFlavour : std::uint8_t { collection, sequence };

class GeoJsonLayer final : public LayerWriter {
  public:
    GeoJsonLayer(const std::filesystem::path &dir, LayerSchema schema, GeoJsonFlavour flavour)
        : m_schema(std::move(schema)), m_flavour(flavour),
          m_file(dir / (m_schema.name +
                        (flavour == GeoJsonFlavour::sequence ? ".geojsonl" : ".geojson"))),
          m_out(m_file.stream()) {
        m_out.enable_writeback(m_file.temp_path());
        auto &s = m_out.str();
        if (m_flavour == GeoJsonFlavour::collection) {
            s += R"({"type":"FeatureCollection","name":")";
            detail::append_json_escaped(s, m_schema.name);
            s += R"(","features":[)";
        }
        // Keys are constant per layer: escape them once.
        for (const auto &field : m_schema.fields) {
            std::string key = "\"";
            detail::append_json_escaped(key, field.name);
            key += "\":";
            m_keys.push_back(std::move(key));
        }
    }

    void write(const Feature &feature) override {
        auto &s = m_out.str();
        if (m_flavour == GeoJsonFlavour::collection) {
            s += m_count == 0 ? "\n" : ",\n";
        }
        s += R"({"type":"Feature","properties":{)";
        for (std::size_t i = 0; i < m_keys.size(); ++i) {
            if (i > 0) {
                s.push_back(',');
            }
            s += m_keys[i];
            detail::append_json_value(s, i < feature.values.size() ? feature.values[i] : Value{});
        }
        s += R"(},"geometry":)";
        const LonLatBox box = append_geometry(s, feature.geometry);
        if (box.valid() && feature.geometry.type != GeometryType::point) {
            s += R"(,"bbox":)";
            append_bbox(s, box);
        }
        s.push_back('}');
        if (m_flavour == GeoJsonFlavour::sequence) {
            s.push_back('\n');
        }
        if (box.valid()) {
            m_box.add(box);
        }
        ++m_count;
        m_out.maybe_flush();
    }

    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }

    void finish() {
        if (m_flavour == GeoJsonFlavour::collection) {
            auto &s = m_out.str();
            s += "\n]";
            if (m_box.valid()) {
                s += R"(,"bbox":)";
                append_bbox(s, m_box);
            }
            s += "}\n";
        }
        std::tie(m_sha256, m_bytes) = m_out.finish();
        detail::flush_and_sync(m_file);
    }
    void commit() { m_file.commit(); }
    [[nodiscard]] OutputFile output() const {
        return OutputFile{m_file.target(),
                          m_flavour == GeoJsonFlavour::sequence ? "geojsonseq" : "geojson",
                          {{m_schema.name, m_count}},
                          m_sha256,
                          m_bytes};
    }

  private:
    LayerSchema m_schema;
    GeoJsonFlavour m_flavour;
    AtomicFile m_file;
    detail::OutBuffer m_out;
    std::vector<std::string> m_keys;
    LonLatBox m_box;
    std::uint64_t m_count = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

} // namespace

std::unique_ptr<FormatWriter> make_geojson_writer(const std::filesystem::path &dir) {
    return std::make_unique<detail::PerLayerFileWriter<GeoJsonLayer, GeoJsonFlavour>>(
        dir, GeoJsonFlavour::collection);
}

std::unique_ptr<FormatWriter> make_geojsonseq_writer(const std::filesystem::path &dir) {
    return std::make_unique<detail::PerLayerFileWriter<GeoJsonLayer, GeoJsonFlavour>>(
        dir, GeoJsonFlavour::sequence);
}

} // namespace borderwatch
