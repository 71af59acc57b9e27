// The HTML map (export --formats html): one self-contained file that asks for nothing from
// the network, with its data inlined as JSON that survives hostile text.
#include <borderwatch/core/error.hpp>
#include <borderwatch/export/export.hpp>

#include "export/detail/html.hpp"
#include "export/detail/style_table.hpp"

#include <catch2/catch.hpp>

#include "test_helpers.hpp"
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

const fs::path k_data = fs::path(BORDERWATCH_TEST_DATA) / "export";
const fs::path k_repo = BORDERWATCH_REPO_ROOT;
const std::string k_hostile = "</script><script>alert('x')</script> <!-- Хатлон & \"q\"";

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const fs::path &p, const std::string &text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

/// A stand-in for libjs-leaflet with what must be removed: a source map and an image URL.
fs::path fake_leaflet(const fs::path &dir) {
    fs::create_directories(dir);
    spit(dir / "leaflet.js", "window.L={fake:true};\n//# sourceMappingURL=leaflet.js.map\n");
    spit(dir / "leaflet.css",
         ".leaflet-control-layers-toggle{background-image:url(images/layers.png);width:36px}\n"
         ".x{background-image:url('images/marker-icon.png')}\n");
    return dir;
}

/// Debian's Leaflet when installed (the real thing is what ships), else the stand-in.
fs::path leaflet_for_tests(const fs::path &work) {
    if (fs::exists(default_leaflet_dir() / "leaflet.css")) {
        return default_leaflet_dir();
    }
    return fake_leaflet(work / "leaflet");
}

std::vector<Incident> incidents() {
    std::vector<Incident> out;
    const char *types[] = {"Battles", "Protests", "Riots", "Something new"};
    for (int i = 0; i < 9; ++i) {
        Incident in;
        in.id = "H" + std::to_string(i);
        in.event_date = "2025-0" + std::to_string(1 + i % 9) + "-15";
        in.event_date_end = in.event_date;
        in.event_type = types[i % 4];
        in.fatalities_best = i;
        in.location_text = i == 3 ? k_hostile : "Panj";
        in.notes = i == 3 ? "Пяндж <b>bold</b>" : "";
        if (i != 8) { // the last one has no location
            in.place_lon = 69.2 + 0.2 * i;
            in.place_lat = 37.3 + (i % 2 == 0 ? 0.1 : -0.1);
            in.lon = in.place_lon;
            in.lat = in.place_lat;
            in.precision = 1;
            in.coord_origin = CoordinateOrigin::given;
            in.side = i % 2 == 0 ? "TJK" : "AFG";
        }
        out.push_back(in);
    }
    return out;
}

ExportResult export_html(const fs::path &out, const fs::path &leaflet,
                         std::vector<ExportFormat> formats = {ExportFormat::html}) {
    ExportOptions o;
    o.out_dir = out;
    o.formats = std::move(formats);
    o.geodata_dir = k_data / "geodata";
    o.styles_dir = k_repo / "styles";
    o.leaflet_dir = leaflet;
    o.sector_km = 25;
    o.overwrite = true;
    const auto border = load_border_geometry(k_data / "geodata", "TST-LINE");
    const auto list = incidents();
    return export_layers(
        o,
        [&](const std::function<void(const Incident &)> &sink) {
            for (const auto &in : list) {
                sink(in);
            }
        },
        border);
}

/// The text of the <script type="application/json" id="ID"> element.
std::string json_island(const std::string &html, const std::string &id) {
    const auto open = "<script type=\"application/json\" id=\"" + id + "\">";
    const auto start = html.find(open);
    REQUIRE(start != std::string::npos);
    const auto body = start + open.size();
    const auto end = html.find("</script>", body);
    REQUIRE(end != std::string::npos);
    return html.substr(body, end - body);
}

std::size_t count_of(const std::string &text, const std::string &what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) {
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("html: script-safe JSON strings", "[export][html]") {
    std::string out = "\"";
    detail::append_script_json_escaped(out, k_hostile);
    out += "\"";
    CHECK(out.find('<') == std::string::npos);
    CHECK(out.find("\\u003c/script>") != std::string::npos);
    CHECK(nlohmann::json::parse(out).get<std::string>() == k_hostile);
}

TEST_CASE("html: Leaflet is read and made inert", "[export][html]") {
    const auto dir = test::unique_temp_dir("bw-html-leaflet");
    const auto assets = detail::load_leaflet(fake_leaflet(dir / "ok"));
    CHECK(assets.js.find("sourceMappingURL") == std::string::npos);
    CHECK(assets.js.find("window.L={fake:true};") != std::string::npos);
    CHECK(assets.css.find("url(") == std::string::npos);
    CHECK(assets.css.find("background-image:none;width:36px") != std::string::npos);

    CHECK_THROWS_AS(detail::load_leaflet(dir / "missing"), DataError);
    const auto bad = fake_leaflet(dir / "bad");
    spit(bad / "leaflet.js", "var s='</SCRIPT>';");
    CHECK_THROWS_AS(detail::load_leaflet(bad), DataError);
    fs::remove_all(dir);
}

TEST_CASE("html: the format parses and names map.html", "[export][html]") {
    CHECK(parse_export_formats("html,geojson") ==
          std::vector<ExportFormat>{ExportFormat::html, ExportFormat::geojson});
    CHECK(std::string(to_string(ExportFormat::html)) == "html");
    CHECK(export_file_names({ExportFormat::html}) == std::vector<std::string>{"map.html"});
    // "all" stays the four formats that need nothing installed.
    CHECK(parse_export_formats("all").size() == 4);
}

TEST_CASE("html: map.html is self-contained and its data complete and escaped", "[export][html]") {
    const auto dir = test::unique_temp_dir("bw-html-export");
    const auto leaflet = leaflet_for_tests(dir);
    const auto result =
        export_html(dir / "out", leaflet, {ExportFormat::html, ExportFormat::geojson});
    const auto file = dir / "out" / "map.html";
    REQUIRE(fs::exists(file));
    const auto html = slurp(file);

    // Nothing is fetched: no external script, style sheet, image, frame or import; a CSP
    // forbids any load; the hostile text never appears raw.
    // (Leaflet's code holds an attribution link to its site, but links are not loads.)
    static const std::regex external(
        R"(<script[^>]*\ssrc\s*=|<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\(\s*['"]?(https?:|//)|src\s*=\s*['"]?(https?:)?//)",
        std::regex::icase);
    CHECK_FALSE(std::regex_search(html, external));
    CHECK(html.find("Content-Security-Policy\" content=\"default-src 'none';") !=
          std::string::npos);
    CHECK(html.find("<script>alert") == std::string::npos);
    CHECK(html.find("<b>bold") == std::string::npos);
    CHECK(count_of(html, "<script") == 4);   // Leaflet, styles, data, map
    CHECK(count_of(html, "</script>") == 4); // no data string closed an element
    CHECK(html.find(detail::html_map_script().substr(0, 200)) != std::string::npos);
    CHECK(html.find(detail::load_leaflet(leaflet).js.substr(0, 200)) != std::string::npos);

    // The data: every layer, every incident, every field, values exact.
    const auto data = nlohmann::json::parse(json_island(html, "bw-data"));
    std::vector<std::string> names;
    for (const auto &l : data.at("layers")) {
        names.push_back(l.at("name").get<std::string>());
    }
    CHECK(names == export_layer_names());
    const auto &inc = data["layers"][0];
    CHECK(inc["geometry"] == "point");
    REQUIRE(inc["features"].size() == 9);
    std::map<std::string, std::size_t> field;
    for (std::size_t i = 0; i < inc["fields"].size(); ++i) {
        field[inc["fields"][i]["name"].get<std::string>()] = i;
    }
    REQUIRE(field.count("location_text") == 1);
    REQUIRE(field.count("uncertainty_m") == 1);
    const auto &h3 = inc["features"][3];
    CHECK(h3[1][field["id"]] == "H3");
    CHECK(h3[1][field["location_text"]] == k_hostile);
    CHECK(h3[1][field["notes"]] == "Пяндж <b>bold</b>");
    CHECK(h3[1][field["fatalities_best"]] == 3);
    CHECK(h3[0][0].get<double>() == Approx(69.8));
    CHECK(inc["features"][8][0].is_null()); // no location: no geometry
    std::size_t with_point = 0;
    for (const auto &f : inc["features"]) {
        with_point += f[0].is_null() ? 0 : 1;
    }
    CHECK(with_point == 8);
    // The other layers hold what the GeoJSON files of the same run hold.
    for (const auto &l : data["layers"]) {
        const auto name = l["name"].get<std::string>();
        INFO(name);
        const auto geojson = nlohmann::json::parse(slurp(dir / "out" / (name + ".geojson")));
        CHECK(l["features"].size() == geojson["features"].size());
        CHECK((geojson["features"].empty() ||
               l["fields"].size() == geojson["features"][0]["properties"].size()));
    }

    // The symbols come from the style table, not from a copy.
    const auto styles = nlohmann::ordered_json::parse(json_island(html, "bw-styles"));
    CHECK(styles == detail::load_style_table(ExportStyles{k_repo / "styles"}).at("layers"));
    // ... in the table's order, which is the legends' order.
    std::vector<std::string> bands;
    for (const auto &[label, style] : styles["distance_bands"]["categories"].items()) {
        bands.push_back(label);
    }
    CHECK(bands == std::vector<std::string>{"0-1", "1-5", "5-10", "10-25", "25-50", ">50"});

    // The manifest lists the page with its layer counts.
    bool listed = false;
    for (const auto &f : result.files) {
        if (f.path == "map.html") {
            listed = true;
            CHECK(f.format == "html");
            CHECK(f.bytes == fs::file_size(file));
            CHECK(f.layers.front() == std::pair<std::string, std::uint64_t>{"incidents", 9});
        }
    }
    CHECK(listed);
    // No spool is left next to the page.
    for (const auto &e : fs::directory_iterator(fs::canonical(dir / "out" / "current"))) {
        CHECK(e.path().filename().string().find(".spool") == std::string::npos);
    }
    fs::remove_all(dir);
}

TEST_CASE("html: without Leaflet the export fails before writing anything", "[export][html]") {
    const auto dir = test::unique_temp_dir("bw-html-noleaflet");
    CHECK_THROWS_AS(export_html(dir / "out", dir / "no-leaflet-here"), DataError);
    CHECK_FALSE(fs::exists(dir / "out" / "map.html"));
    CHECK_FALSE(fs::exists(dir / "out" / "manifest.json"));
    fs::remove_all(dir);
}
