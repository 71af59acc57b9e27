// The HTML map: one self-contained page (Leaflet inlined, every layer inlined as JSON, the
// map's own script and stylesheet built into the program) that opens from a file with no
// network. The page's script (html_map.js) draws the layers on canvases, styles them from the
// style table (kml_styles.json, the one the KML and QGIS styles come from) and filters the
// incidents by date.
//
// Layout: header (CSP, Leaflet, styles), <script type="application/json" id="bw-styles">,
// <script type="application/json" id="bw-data">{"layers":[{"name":..,"geometry":..,
// "fields":[..],"features":[[geometry, [values]], ...]}, ...]}</script>, the map script.
// A feature's geometry is its GeoJSON "coordinates" (null without one).

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/html.hpp"
#include "export/detail/style_table.hpp"
#include "export/detail/text.hpp"

#include <array>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <tuple>

namespace borderwatch {

namespace detail {
namespace {

constexpr unsigned char k_map_js[] = {
#include "export/html_map_js.inc"
};
constexpr unsigned char k_map_css[] = {
#include "export/html_map_css.inc"
};

std::string read_file(const std::filesystem::path &file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
    const auto lower = [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (needle.size() > haystack.size()) {
        return false;
    }
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && lower(haystack[i + k]) == needle[k]) {
            ++k;
        }
        if (k == needle.size()) {
            return true;
        }
    }
    return false;
}

} // namespace

void append_script_json_escaped(std::string &out, std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto lt = text.find('<', start);
        append_json_escaped(
            out,
            text.substr(start, lt == std::string_view::npos ? std::string_view::npos : lt - start));
        if (lt == std::string_view::npos) {
            break;
        }
        out += "\\u003c";
        start = lt + 1;
    }
}

LeafletAssets load_leaflet(const std::filesystem::path &dir) {
    LeafletAssets a;
    a.dir = dir;
    const auto hint = " (install Debian's libjs-leaflet, or pass the directory holding "
                      "leaflet.js and leaflet.css)";
    for (const char *name : {"leaflet.min.js", "leaflet.js"}) {
        a.js = read_file(dir / name);
        if (!a.js.empty()) {
            break;
        }
    }
    a.css = read_file(dir / "leaflet.css");
    if (a.js.empty() || a.css.empty()) {
        throw DataError("Leaflet not found in '" + dir.string() + "'" + hint);
    }
    // The page must not ask for anything: no source map, no images (the layer control is
    // always expanded, so its toggle icon is not needed; markers are drawn on canvas).
    static const std::regex source_map_js(R"(//[#@] sourceMappingURL=[^\n]*)");
    static const std::regex source_map_css(R"(/\*[#@] sourceMappingURL=[^*]*\*/)");
    static const std::regex image_url(R"(url\(\s*['"]?images/[^)]*\))");
    a.js = std::regex_replace(a.js, source_map_js, "");
    a.css = std::regex_replace(std::regex_replace(a.css, source_map_css, ""), image_url, "none");
    if (contains_ci(a.js, "</script") || contains_ci(a.css, "</style")) {
        throw DataError("Leaflet in '" + dir.string() +
                        "' contains a closing script/style tag and cannot be inlined");
    }
    return a;
}

std::string_view html_map_script() {
    return {reinterpret_cast<const char *>(k_map_js), sizeof k_map_js};
}
std::string_view html_map_stylesheet() {
    return {reinterpret_cast<const char *>(k_map_css), sizeof k_map_css};
}

} // namespace detail

std::filesystem::path default_leaflet_dir() {
    return "/usr/share/javascript/leaflet";
}

namespace {

// 5 decimals (about 1 m, a pixel at zoom 17) are enough for a map and keep the page about a
// fifth smaller than the 7 of the data formats (the popups show the fields exactly).
constexpr int k_decimals = 5;

const char *geometry_name(GeometryType t) {
    switch (t) {
    case GeometryType::point:
        return "point";
    case GeometryType::line_string:
        return "line_string";
    case GeometryType::multi_line_string:
        return "multi_line_string";
    case GeometryType::polygon:
        return "polygon";
    case GeometryType::multi_polygon:
        return "multi_polygon";
    }
    return "";
}

const char *type_name(FieldType t) {
    switch (t) {
    case FieldType::integer:
        return "integer";
    case FieldType::real:
        return "real";
    case FieldType::date:
        return "date";
    case FieldType::datetime:
        return "datetime";
    case FieldType::text:
        break;
    }
    return "text";
}

void append_position(std::string &out, const LonLat &p) {
    out.push_back('[');
    detail::append_fixed(out, p.lon, k_decimals);
    out.push_back(',');
    detail::append_fixed(out, p.lat, k_decimals);
    out.push_back(']');
}

void append_line(std::string &out, const std::vector<LonLat> &line) {
    out.push_back('[');
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        append_position(out, line[i]);
    }
    out.push_back(']');
}

void append_rings(std::string &out, const std::vector<std::vector<LonLat>> &rings) {
    out.push_back('[');
    for (std::size_t r = 0; r < rings.size(); ++r) {
        if (r > 0) {
            out.push_back(',');
        }
        append_line(out, rings[r]);
    }
    out.push_back(']');
}

/// The GeoJSON "coordinates" of @p g (winding does not matter to a canvas fill).
void append_coordinates(std::string &out, const Geometry &g) {
    if (g.empty()) {
        out += "null";
        return;
    }
    switch (g.type) {
    case GeometryType::point:
        append_position(out, g.parts[0][0][0]);
        return;
    case GeometryType::line_string:
        append_line(out, g.parts[0][0]);
        return;
    case GeometryType::multi_line_string:
        out.push_back('[');
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_line(out, g.parts[i][0]);
        }
        out.push_back(']');
        return;
    case GeometryType::polygon:
        append_rings(out, g.parts[0]);
        return;
    case GeometryType::multi_polygon:
        out.push_back('[');
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_rings(out, g.parts[i]);
        }
        out.push_back(']');
        return;
    }
}

/// `{"name":..,"geometry":..,"fields":[..],"features":[`
std::string layer_start(const LayerSchema &schema) {
    std::string s = R"({"name":")";
    detail::append_script_json_escaped(s, schema.name);
    s += R"(","geometry":")";
    s += geometry_name(schema.geometry_type);
    s += R"(","fields":[)";
    for (std::size_t i = 0; i < schema.fields.size(); ++i) {
        s += i > 0 ? R"(,{"name":")" : R"({"name":")";
        detail::append_script_json_escaped(s, schema.fields[i].name);
        s += R"(","type":")";
        s += type_name(schema.fields[i].type);
        s += "\"}";
    }
    s += R"(],"features":[)";
    return s;
}

/// A JSON text made safe inside <script>: '<' only occurs inside its strings.
std::string script_safe(const std::string &json) {
    std::string out;
    out.reserve(json.size());
    for (const char c : json) {
        if (c == '<') {
            out += "\\u003c";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

class HtmlLayer final : public LayerWriter {
  public:
    /// The first layer writes into @p main; the others into @p spool (text, appended later).
    HtmlLayer(LayerSchema schema, detail::OutBuffer *main, std::unique_ptr<AtomicFile> spool)
        : m_schema(std::move(schema)), m_main(main), m_spool(std::move(spool)) {}

    void write(const Feature &feature) override {
        auto &s = m_main != nullptr ? m_main->str() : m_buffer;
        s += m_count == 0 ? "\n[" : ",\n[";
        append_coordinates(s, feature.geometry);
        s += ",[";
        for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
            if (i > 0) {
                s.push_back(',');
            }
            detail::append_json_value(s, i < feature.values.size() ? feature.values[i] : Value{},
                                      detail::JsonStrings::script_safe);
        }
        s += "]]";
        ++m_count;
        if (m_main != nullptr) {
            m_main->maybe_flush();
        } else if (m_buffer.size() >= (1u << 20)) {
            flush_spool();
        }
    }

    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    [[nodiscard]] const LayerSchema &schema() const noexcept { return m_schema; }

    void flush_spool() {
        auto &stream = m_spool->stream();
        stream.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_buffer.clear();
    }

    /// Append the spooled features to @p main.
    void append_spool_to(detail::OutBuffer &main) {
        flush_spool();
        auto &stream = m_spool->stream();
        stream.flush();
        if (!stream) {
            throw IoError("write to '" + m_spool->temp_path().string() + "' failed (disk full?)");
        }
        std::ifstream in(m_spool->temp_path(), std::ios::binary);
        std::array<char, 1 << 16> chunk{};
        while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
            main.str().append(chunk.data(), static_cast<std::size_t>(in.gcount()));
            main.maybe_flush();
        }
    }

  private:
    LayerSchema m_schema;
    detail::OutBuffer *m_main;
    std::unique_ptr<AtomicFile> m_spool;
    std::string m_buffer;
    std::uint64_t m_count = 0;
};

class HtmlWriter final : public FormatWriter {
  public:
    HtmlWriter(std::filesystem::path file, const ExportStyles &styles,
               const std::filesystem::path &leaflet_dir)
        : m_file(std::move(file)), m_out(m_file.stream()) {
        // Both inputs are read before anything is written: a missing one fails the export
        // before its first incident.
        const auto leaflet = detail::load_leaflet(leaflet_dir);
        const auto table = detail::load_style_table(styles);
        m_out.enable_writeback(m_file.temp_path());
        auto &s = m_out.str();
        s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             // Nothing may be loaded: not a script, a style sheet, an image, a font, a frame
             // or a connection; only what is inline.
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             "<meta name=\"generator\" content=\"borderwatch\">\n"
             "<title>borderwatch map</title>\n<style>\n";
        s += leaflet.css;
        s += "\n</style>\n<style>\n";
        s += detail::html_map_stylesheet();
        s += "\n</style>\n<script>\n";
        s += leaflet.js;
        s += "\n</script>\n</head>\n<body>\n<div id=\"bw-map\"></div>\n"
             "<script type=\"application/json\" id=\"bw-styles\">";
        s += script_safe(table.at("layers").dump());
        s += "</script>\n<script type=\"application/json\" id=\"bw-data\">{\"layers\":[";
        m_out.maybe_flush();
    }

    LayerWriter &open_layer(const LayerSchema &schema) override {
        if (m_layers.empty()) {
            m_out.str() += layer_start(schema);
            m_layers.push_back(std::make_unique<HtmlLayer>(schema, &m_out, nullptr));
        } else {
            auto spool = std::make_unique<AtomicFile>(
                m_file.target().parent_path() /
                ("." + m_file.target().filename().string() + "." + schema.name + ".spool"));
            m_layers.push_back(std::make_unique<HtmlLayer>(schema, nullptr, std::move(spool)));
        }
        return *m_layers.back();
    }

    void finish() override {
        auto &s = m_out.str();
        for (std::size_t i = 0; i < m_layers.size(); ++i) {
            if (i > 0) {
                s += ",\n";
                s += layer_start(m_layers[i]->schema());
                m_layers[i]->append_spool_to(m_out);
            }
            s += "\n]}";
        }
        s += "]}</script>\n<script>\n";
        s += detail::html_map_script();
        s += "\n</script>\n</body>\n</html>\n";
        std::tie(m_sha256, m_bytes) = m_out.finish();
        detail::flush_and_sync(m_file);
        // The spools are never committed: destroying the writer removes them.
    }

    void commit() override { m_file.commit(); }

    [[nodiscard]] std::vector<OutputFile> files() const override {
        OutputFile f{m_file.target(), "html", {}, m_sha256, m_bytes};
        for (const auto &layer : m_layers) {
            f.layers.emplace_back(layer->schema().name, layer->count());
        }
        return {f};
    }

  private:
    AtomicFile m_file;
    detail::OutBuffer m_out;
    std::vector<std::unique_ptr<HtmlLayer>> m_layers;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

} // namespace

std::unique_ptr<FormatWriter> make_html_writer(const std::filesystem::path &file,
                                               const ExportStyles &styles,
                                               const std::filesystem::path &leaflet_dir) {
    return std::make_unique<HtmlWriter>(file, styles, leaflet_dir);
}

} // namespace borderwatch
