// Streaming KML 2.2: one Document, a shared Style per category (styles/kml_styles.json),
// one Schema + Folder per layer, and a BalloonStyle that shows a layer's fields from
// ExtendedData. The first layer streams straight into the document; the others are spooled
// (compact binary) to temporary siblings and rendered at finish(), so incidents and
// connectors can be written in one pass without holding features in memory.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/style_table.hpp"
#include "export/detail/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>

namespace borderwatch {

namespace {

constexpr int k_decimals = detail::k_coordinate_decimals;

/// "#rrggbb" + opacity [0, 1] → KML "aabbggrr".
std::string kml_color(const std::string &rgb, double opacity, const std::string &where) {
    if (rgb.size() != 7 || rgb[0] != '#') {
        throw DataError("kml_styles.json: " + where + ": colour '" + rgb +
                        "' is not of the form #rrggbb");
    }
    const int alpha = static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 255));
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.push_back(hex[alpha >> 4]);
    out.push_back(hex[alpha & 0xf]);
    out += rgb.substr(5, 2);
    out += rgb.substr(3, 2);
    out += rgb.substr(1, 2);
    for (auto &c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// One <Style> element built from a JSON style object, without its end tag (the writer
/// adds the layer's BalloonStyle, which needs the layer schema).
std::string style_xml(const nlohmann::json &s, const std::string &where) {
    const auto id = s.at("id").get<std::string>();
    std::string out = "<Style id=\"";
    detail::append_xml_escaped(out, id);
    out += "\">";
    if (s.contains("icon")) {
        out += "<IconStyle><color>" +
               kml_color(s.value("color", std::string("#ffffff")), s.value("opacity", 1.0), where) +
               "</color><scale>";
        detail::append_shortest(out, s.value("scale", 1.0));
        out += "</scale><Icon><href>";
        detail::append_xml_escaped(out, s.at("icon").get<std::string>());
        out += "</href></Icon></IconStyle><LabelStyle><scale>0</scale></LabelStyle>";
    }
    if (s.contains("line_color")) {
        out +=
            "<LineStyle><color>" +
            kml_color(s.at("line_color").get<std::string>(), s.value("line_opacity", 1.0), where) +
            "</color><width>";
        detail::append_shortest(out, s.value("line_width", 1.0));
        out += "</width></LineStyle>";
    }
    if (s.contains("fill_color")) {
        out +=
            "<PolyStyle><color>" +
            kml_color(s.at("fill_color").get<std::string>(), s.value("fill_opacity", 0.5), where) +
            "</color><fill>" + std::string(s.value("fill_opacity", 0.5) > 0 ? "1" : "0") +
            "</fill><outline>1</outline></PolyStyle>";
    }
    return out;
}

/// Per layer: a single style id, or a category → style id map with a default.
struct LayerStyle {
    std::string single;
    std::map<std::string, std::string, std::less<>> categories;
    std::string fallback;

    [[nodiscard]] const std::string &resolve(std::string_view key) const {
        if (!single.empty()) {
            return single;
        }
        const auto it = categories.find(key);
        return it != categories.end() ? it->second : fallback;
    }
};

struct KmlStyles {
    /// Every <Style> element without its end tag, with the layer it belongs to.
    std::vector<std::pair<std::string, std::string>> elements;
    std::map<std::string, LayerStyle> layers;
};

KmlStyles load_kml_styles(const ExportStyles &source) {
    // The <Style> elements in sorted order, as KML documents have always had them (the
    // table's own order is the HTML map's legend order).
    const nlohmann::json j = detail::load_style_table(source);
    const auto file = detail::style_table_path(source);
    KmlStyles styles;
    try {
        for (const auto &[layer, spec] : j.at("layers").items()) {
            LayerStyle ls;
            if (spec.contains("categories")) {
                for (const auto &[key, s] : spec.at("categories").items()) {
                    styles.elements.emplace_back(layer, style_xml(s, layer + "/" + key));
                    ls.categories.emplace(key, s.at("id").get<std::string>());
                }
                const auto &d = spec.at("default");
                styles.elements.emplace_back(layer, style_xml(d, layer + "/default"));
                ls.fallback = d.at("id").get<std::string>();
            } else {
                styles.elements.emplace_back(layer, style_xml(spec, layer));
                ls.single = spec.at("id").get<std::string>();
            }
            styles.layers.emplace(layer, std::move(ls));
        }
    } catch (const nlohmann::json::exception &e) {
        throw DataError("KML style file '" + file.string() + "': " + e.what());
    }
    return styles;
}

/// Google Earth's balloon for a layer: the feature's name and description, then every
/// field as a table row filled from the placemark's ExtendedData ($[schema/field] entity
/// replacement), so the attributes are shown readably without repeating them per placemark.
std::string balloon_xml(const LayerSchema &schema) {
    std::string html = "<h3>$[name]</h3><p>$[description]</p><table>";
    for (const auto &field : schema.fields) {
        html += "<tr><th align=\"left\">" + field.name + "</th><td>$[" + schema.name + "/" +
                field.name + "]</td></tr>";
    }
    html += "</table>";
    std::string out = "<BalloonStyle><text>";
    if (html.find("]]>") == std::string::npos) { // readable HTML in the file
        out += "<![CDATA[" + html + "]]>";
    } else {
        detail::append_xml_escaped(out, html);
    }
    out += "</text></BalloonStyle>";
    return out;
}

const char *kml_type(FieldType type) {
    switch (type) {
    case FieldType::integer:
        return "int";
    case FieldType::real:
        return "double";
    case FieldType::text:
    case FieldType::date: // KML SimpleField has no date type
    case FieldType::datetime:
        break;
    }
    return "string";
}

void append_coordinates(std::string &out, const std::vector<LonLat> &positions) {
    out += "<coordinates>";
    for (std::size_t i = 0; i < positions.size(); ++i) {
        if (i > 0) {
            out.push_back(' ');
        }
        detail::append_fixed(out, positions[i].lon, k_decimals);
        out.push_back(',');
        detail::append_fixed(out, positions[i].lat, k_decimals);
    }
    out += "</coordinates>";
}

void append_line(std::string &out, const std::vector<LonLat> &line) {
    out += "<LineString><tessellate>1</tessellate>";
    append_coordinates(out, line);
    out += "</LineString>";
}

void append_polygon(std::string &out, const std::vector<std::vector<LonLat>> &rings) {
    out += "<Polygon>";
    for (std::size_t r = 0; r < rings.size(); ++r) {
        out += r == 0 ? "<outerBoundaryIs><LinearRing>" : "<innerBoundaryIs><LinearRing>";
        append_coordinates(out, rings[r]);
        out += r == 0 ? "</LinearRing></outerBoundaryIs>" : "</LinearRing></innerBoundaryIs>";
    }
    out += "</Polygon>";
}

void append_geometry(std::string &out, const Geometry &g) {
    if (g.empty()) {
        return;
    }
    switch (g.type) {
    case GeometryType::point:
        out += "<Point>";
        append_coordinates(out, g.parts[0][0]);
        out += "</Point>";
        break;
    case GeometryType::line_string:
        append_line(out, g.parts[0][0]);
        break;
    case GeometryType::multi_line_string:
        out += "<MultiGeometry>";
        for (const auto &part : g.parts) {
            append_line(out, part[0]);
        }
        out += "</MultiGeometry>";
        break;
    case GeometryType::polygon:
        append_polygon(out, g.parts[0]);
        break;
    case GeometryType::multi_polygon:
        out += "<MultiGeometry>";
        for (const auto &part : g.parts) {
            append_polygon(out, part);
        }
        out += "</MultiGeometry>";
        break;
    }
}

/// Text with line breaks shown as such in Google Earth's balloon (description is HTML).
void append_description(std::string &out, std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto nl = text.find('\n', start);
        const auto piece = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
        detail::append_xml_escaped(out, piece);
        if (nl == std::string_view::npos) {
            break;
        }
        out += "&lt;br/&gt;";
        start = nl + 1;
    }
}

// --- spool records ---------------------------------------------------------------------
// Layers after the first are spooled as compact binary features (native byte order, same
// process) and rendered to KML at finish(): a connector is ~130 bytes spooled instead of
// ~600 as KML text, so the spool costs a fraction of the writes, reads and hashing.

template <class T> void put_raw(std::string &out, T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

void put_text(std::string &out, std::string_view text) {
    put_raw(out, static_cast<std::uint32_t>(text.size()));
    out.append(text);
}

/// Appends one length-prefixed record for @p f.
void spool_feature(std::string &out, const Feature &f) {
    const auto start = out.size();
    put_raw(out, std::uint32_t{0}); // record length, patched below
    put_text(out, f.name);
    put_text(out, f.description);
    put_text(out, f.style);
    put_text(out, f.time_begin);
    put_text(out, f.time_end);
    put_raw(out, static_cast<std::uint32_t>(f.values.size()));
    for (const auto &v : f.values) {
        if (const auto *text = std::get_if<std::string_view>(&v)) {
            out.push_back(1);
            put_text(out, *text);
        } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
            out.push_back(2);
            put_raw(out, *n);
        } else if (const auto *d = std::get_if<double>(&v)) {
            out.push_back(3);
            put_raw(out, *d);
        } else {
            out.push_back(0);
        }
    }
    out.push_back(static_cast<char>(f.geometry.type));
    put_raw(out, static_cast<std::uint32_t>(f.geometry.parts.size()));
    for (const auto &part : f.geometry.parts) {
        put_raw(out, static_cast<std::uint32_t>(part.size()));
        for (const auto &ring : part) {
            put_raw(out, static_cast<std::uint32_t>(ring.size()));
            out.append(reinterpret_cast<const char *>(ring.data()), ring.size() * sizeof(LonLat));
        }
    }
    const auto length = static_cast<std::uint32_t>(out.size() - start - 4);
    std::memcpy(out.data() + start, &length, 4);
}

/// Reads records written by spool_feature(); text values view the record buffer.
class SpoolReader {
  public:
    explicit SpoolReader(const std::filesystem::path &path) : m_buffer(1 << 20) {
        m_in.rdbuf()->pubsetbuf(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_in.open(path, std::ios::binary);
        if (!m_in) {
            throw IoError("cannot read the KML spool '" + path.string() + "'");
        }
    }
    /// The next feature into @p f (valid until the next call); false at the end.
    bool next(Feature &f) {
        std::uint32_t length = 0;
        if (!m_in.read(reinterpret_cast<char *>(&length), 4)) {
            return false;
        }
        m_record.resize(length);
        if (!m_in.read(m_record.data(), length)) {
            throw IoError("KML spool truncated");
        }
        m_pos = 0;
        f.name = text();
        f.description = text();
        f.style = text();
        f.time_begin = text();
        f.time_end = text();
        f.values.resize(get<std::uint32_t>());
        for (auto &v : f.values) {
            switch (m_record[m_pos++]) {
            case 1:
                v = text();
                break;
            case 2:
                v = get<std::int64_t>();
                break;
            case 3:
                v = get<double>();
                break;
            default:
                v = std::monostate{};
                break;
            }
        }
        f.geometry.type = static_cast<GeometryType>(m_record[m_pos++]);
        f.geometry.parts.resize(get<std::uint32_t>());
        for (auto &part : f.geometry.parts) {
            part.resize(get<std::uint32_t>());
            for (auto &ring : part) {
                ring.resize(get<std::uint32_t>());
                std::memcpy(ring.data(), m_record.data() + m_pos, ring.size() * sizeof(LonLat));
                m_pos += ring.size() * sizeof(LonLat);
            }
        }
        return true;
    }

  private:
    template <class T> T get() {
        T v;
        std::memcpy(&v, m_record.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    std::string_view text() {
        const auto n = get<std::uint32_t>();
        const std::string_view t(m_record.data() + m_pos, n);
        m_pos += n;
        return t;
    }
    std::vector<char> m_buffer;
    std::ifstream m_in;
    std::string m_record;
    std::size_t m_pos = 0;
};

class KmlWriter;

class KmlLayer final : public LayerWriter {
  public:
    KmlLayer(KmlWriter &owner, LayerSchema schema, const LayerStyle *style, std::ostream *direct,
             std::unique_ptr<AtomicFile> spool)
        : m_owner(owner), m_schema(std::move(schema)), m_style(style), m_spool(std::move(spool)),
          m_out(direct != nullptr ? *direct : m_spool->stream()) {
        for (const auto &field : m_schema.fields) {
            std::string open = "<SimpleData name=\"";
            detail::append_xml_escaped(open, field.name);
            m_empty_tags.push_back(open + "\"/>");
            open += "\">";
            m_open_tags.push_back(std::move(open));
        }
    }

    void write(const Feature &feature) override;
    /// Append the Placemark of @p feature to @p s.
    void render(std::string &s, const Feature &feature) const;
    /// Write the spool buffer to the spool file (spooled layers).
    void flush_spool() {
        m_spool->stream().write(m_spool_buffer.data(),
                                static_cast<std::streamsize>(m_spool_buffer.size()));
        m_spool_buffer.clear();
    }
    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    [[nodiscard]] const LayerSchema &schema() const noexcept { return m_schema; }
    detail::OutBuffer &out() noexcept { return m_out; }
    [[nodiscard]] AtomicFile *spool() const noexcept { return m_spool.get(); }

  private:
    KmlWriter &m_owner;
    LayerSchema m_schema;
    const LayerStyle *m_style;
    std::unique_ptr<AtomicFile> m_spool;
    detail::OutBuffer m_out;
    std::vector<std::string> m_open_tags;
    std::vector<std::string> m_empty_tags; ///< <SimpleData name="x"/>: an empty string
    std::string m_spool_buffer;
    std::uint64_t m_count = 0;
};

class KmlWriter final : public FormatWriter {
  public:
    KmlWriter(std::filesystem::path file, const ExportStyles &styles)
        : m_file(std::move(file)), m_styles(load_kml_styles(styles)) {}

    LayerWriter &open_layer(const LayerSchema &schema) override {
        if (m_header_written) {
            throw std::logic_error("KML writer: open every layer before writing features");
        }
        const auto it = m_styles.layers.find(schema.name);
        const LayerStyle *style = it == m_styles.layers.end() ? nullptr : &it->second;
        if (m_layers.empty()) {
            m_layers.push_back(
                std::make_unique<KmlLayer>(*this, schema, style, &m_file.stream(), nullptr));
            m_layers.back()->out().enable_writeback(m_file.temp_path());
        } else {
            auto spool = std::make_unique<AtomicFile>(
                m_file.target().parent_path() /
                ("." + m_file.target().filename().string() + "." + schema.name + ".spool"));
            m_layers.push_back(
                std::make_unique<KmlLayer>(*this, schema, style, nullptr, std::move(spool)));
        }
        return *m_layers.back();
    }

    /// Document header with styles and every layer's Schema, then the first Folder's start.
    void ensure_header() {
        if (m_header_written) {
            return;
        }
        m_header_written = true;
        auto &s = m_layers.front()->out().str();
        std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
                           "<name>borderwatch</name>\n<open>1</open>\n";
        for (const auto &[layer_name, xml] : m_styles.elements) {
            head += xml;
            for (const auto &layer : m_layers) {
                if (layer->schema().name == layer_name) {
                    head += balloon_xml(layer->schema());
                    break;
                }
            }
            head += "</Style>\n";
        }
        for (const auto &layer : m_layers) {
            head += "<Schema name=\"";
            detail::append_xml_escaped(head, layer->schema().name);
            head += "\" id=\"";
            detail::append_xml_escaped(head, layer->schema().name);
            head += "_schema\">";
            for (const auto &field : layer->schema().fields) {
                head += "<SimpleField type=\"";
                head += kml_type(field.type);
                head += "\" name=\"";
                detail::append_xml_escaped(head, field.name);
                head += "\"/>";
            }
            head += "</Schema>\n";
        }
        head += "<Folder><name>";
        detail::append_xml_escaped(head, m_layers.front()->schema().name);
        head += "</name>\n";
        s.insert(0, head);
    }

    void finish() override {
        if (m_layers.empty()) {
            auto &stream = m_file.stream();
            stream << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
                      "<name>borderwatch</name>\n</Document>\n</kml>\n";
            return;
        }
        ensure_header();
        auto &main = m_layers.front()->out();
        main.str() += "</Folder>\n";
        // Spooled folders go through the main buffer so the whole file is hashed once.
        Feature feature;
        for (std::size_t i = 1; i < m_layers.size(); ++i) {
            auto &layer = *m_layers[i];
            layer.flush_spool();
            auto *spool = layer.spool();
            spool->stream().flush();
            if (!spool->stream()) {
                throw IoError("write to '" + spool->temp_path().string() + "' failed (disk full?)");
            }
            main.str() += "<Folder><name>";
            detail::append_xml_escaped(main.str(), layer.schema().name);
            main.str() += "</name>\n";
            SpoolReader reader(spool->temp_path());
            while (reader.next(feature)) {
                layer.render(main.str(), feature);
                main.maybe_flush();
            }
            main.str() += "</Folder>\n";
        }
        main.str() += "</Document>\n</kml>\n";
        std::tie(m_sha256, m_bytes) = main.finish();
        detail::flush_and_sync(m_file);
        // The spools are never committed: destroying the writer removes them.
    }

    void commit() override { m_file.commit(); }

    [[nodiscard]] std::vector<OutputFile> files() const override {
        OutputFile f{m_file.target(), "kml", {}, m_sha256, m_bytes};
        for (const auto &layer : m_layers) {
            f.layers.emplace_back(layer->schema().name, layer->count());
        }
        return {f};
    }

  private:
    AtomicFile m_file;
    KmlStyles m_styles;
    std::vector<std::unique_ptr<KmlLayer>> m_layers;
    bool m_header_written = false;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

void KmlLayer::write(const Feature &feature) {
    ++m_count;
    if (m_spool != nullptr) {
        spool_feature(m_spool_buffer, feature);
        if (m_spool_buffer.size() >= (1 << 20)) {
            flush_spool();
        }
        return;
    }
    static_cast<KmlWriter &>(m_owner).ensure_header();
    render(m_out.str(), feature);
    m_out.maybe_flush();
}

void KmlLayer::render(std::string &s, const Feature &feature) const {
    s += "<Placemark>";
    if (!feature.name.empty()) {
        s += "<name>";
        detail::append_xml_escaped(s, feature.name);
        s += "</name>";
    }
    if (!feature.description.empty()) {
        s += "<description>";
        append_description(s, feature.description);
        s += "</description>";
    }
    if (!feature.time_begin.empty()) {
        if (feature.time_end.empty() || feature.time_end == feature.time_begin) {
            s += "<TimeStamp><when>";
            detail::append_xml_escaped(s, feature.time_begin);
            s += "</when></TimeStamp>";
        } else {
            s += "<TimeSpan><begin>";
            detail::append_xml_escaped(s, feature.time_begin);
            s += "</begin><end>";
            detail::append_xml_escaped(s, feature.time_end);
            s += "</end></TimeSpan>";
        }
    }
    if (m_style != nullptr) {
        const auto &id = m_style->resolve(feature.style);
        if (!id.empty()) {
            s += "<styleUrl>#";
            detail::append_xml_escaped(s, id);
            s += "</styleUrl>";
        }
    }
    s += "<ExtendedData><SchemaData schemaUrl=\"#";
    detail::append_xml_escaped(s, m_schema.name);
    s += "_schema\">";
    // Null values are left out (KML has no null); every present field is written.
    for (std::size_t i = 0; i < m_open_tags.size() && i < feature.values.size(); ++i) {
        const auto &v = feature.values[i];
        if (std::holds_alternative<std::monostate>(v)) {
            continue;
        }
        const auto *text = std::get_if<std::string_view>(&v);
        if (text != nullptr && text->empty()) {
            s += m_empty_tags[i];
            continue;
        }
        s += m_open_tags[i];
        if (text != nullptr) {
            detail::append_xml_escaped(s, *text);
        } else {
            detail::append_value_text(s, v);
        }
        s += "</SimpleData>";
    }
    s += "</SchemaData></ExtendedData>";
    append_geometry(s, feature.geometry);
    s += "</Placemark>\n";
}

} // namespace

std::unique_ptr<FormatWriter> make_kml_writer(const std::filesystem::path &file,
                                              const ExportStyles &styles) {
    return std::make_unique<KmlWriter>(file, styles);
}

} // namespace borderwatch
