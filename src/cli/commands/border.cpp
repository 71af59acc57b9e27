// borderwatch border: the facts of a border (id, sides, vertices, geodesic length, end
// points, source), or the list of borders that can be selected by name.
#include "cli/commands/commands.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

std::string json_text(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x",
                          static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

class BorderCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("-b,--border", m_border,
                       "border: TJK-AFG (default), TJK-CHN, any AAA-BBB pair of --list, or a "
                       "LineString file (EPSG:4326)")
            ->type_name("NAME|FILE");
        app.add_flag("-l,--list", m_list, "list the borders that can be selected by name");
        add_format_option(app, m_format, {"table", "csv", "json"},
                          "output format (default: table on a terminal, else csv)");
        app.footer("Facts: id, left and right country (ISO3; left of the line's direction),\n"
                   "vertices, geodesic length (WGS84, km), first and last vertex, source.\n"
                   "Chainage in 'locate' runs from the first vertex.\n\n"
                   "Examples:\n"
                   "  borderwatch border\n"
                   "  borderwatch border --border TJK-CHN --format json\n"
                   "  borderwatch border --list\n\n" +
                   exit_status_footer());
    }

    void validate() override {
        if (m_format.empty()) {
            m_format = stdout_is_terminal() ? "table" : "csv";
        }
    }

    int run() override {
        if (m_list) {
            print_list();
        } else {
            print_facts();
        }
        return exit_ok;
    }

  private:
    void print_facts() const {
        const auto engine = BorderEngine::load(m_border, globals().geodata);
        const BorderInfo &info = engine->info();
        std::vector<std::pair<std::string, std::string>> facts{
            {"id", info.id},
            {"left", info.left},
            {"right", info.right},
            {"vertices", std::to_string(info.vertices)},
            {"length_km", format_fixed_exact(info.length_km, 3)},
            {"start_lon", format_fixed_exact(info.start_lon, 7)},
            {"start_lat", format_fixed_exact(info.start_lat, 7)},
            {"end_lon", format_fixed_exact(info.end_lon, 7)},
            {"end_lat", format_fixed_exact(info.end_lat, 7)},
            {"source", info.source},
        };
        if (info.parts > 1) { // a border of several lines (USA-CAN, --border nearest)
            facts.insert(facts.begin() + 4, {"parts", std::to_string(info.parts)});
        }
        auto is_number = [](const std::string &key) {
            return key == "vertices" || key == "parts" || key == "length_km" ||
                   key.ends_with("_lon") || key.ends_with("_lat");
        };
        std::ostream &out = std::cout;
        if (m_format == "table") {
            for (const auto &[key, value] : facts) {
                out << key << std::string(11 - key.size(), ' ') << value << '\n';
            }
        } else if (m_format == "csv") {
            std::vector<std::string> keys;
            std::vector<std::string> values;
            for (const auto &[key, value] : facts) {
                keys.push_back(key);
                values.push_back(value);
            }
            write_csv_record(out, keys);
            write_csv_record(out, values);
        } else {
            out << "{";
            bool first = true;
            for (const auto &[key, value] : facts) {
                out << (first ? "" : ", ") << json_text(key) << ": "
                    << (is_number(key) ? value : json_text(value));
                first = false;
            }
            out << "}\n";
        }
    }

    void print_list() const {
        const auto borders = BorderEngine::available_borders(globals().geodata);
        std::ostream &out = std::cout;
        if (m_format == "table") {
            out << "id       left  right  source\n";
            for (const auto &b : borders) {
                out << b.id << std::string(b.id.size() < 9 ? 9 - b.id.size() : 1, ' ') << b.left
                    << std::string(b.left.size() < 6 ? 6 - b.left.size() : 1, ' ') << b.right
                    << std::string(b.right.size() < 7 ? 7 - b.right.size() : 1, ' ') << b.source
                    << '\n';
            }
        } else if (m_format == "csv") {
            write_csv_record(out, {"id", "left", "right", "source"});
            for (const auto &b : borders) {
                write_csv_record(out, {b.id, b.left, b.right, b.source});
            }
        } else {
            out << "[\n";
            for (std::size_t i = 0; i < borders.size(); ++i) {
                const auto &b = borders[i];
                out << "  {\"id\": " << json_text(b.id) << ", \"left\": " << json_text(b.left)
                    << ", \"right\": " << json_text(b.right)
                    << ", \"source\": " << json_text(b.source) << "}"
                    << (i + 1 < borders.size() ? ",\n" : "\n");
            }
            out << "]\n";
        }
    }

    std::string m_border = "TJK-AFG";
    bool m_list = false;
    std::string m_format;
};

} // namespace

std::unique_ptr<Command> make_border_command() {
    return std::make_unique<BorderCommand>();
}

} // namespace borderwatch::cli
