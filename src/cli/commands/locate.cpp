// borderwatch locate: place points against the border (distance, nearest point, chainage,
// side, admin units, bearing). Parses arguments only: the pipeline is the library's
// locate_stream() (placement/locate_stream.hpp).
#include "cli/commands/commands.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/locate_stream.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

namespace borderwatch::cli {

namespace {

class LocateCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        m_options.input.clear(); // given: LON LAT or --input, never a default
        app.add_option("coordinates", m_coordinates,
                       "LON LAT of one point in degrees (WGS84); use -- before a negative LON")
            ->expected(0, 2)
            ->type_name("LON LAT");
        app.add_option("-i,--input", m_options.input,
                       "CSV with lon/lat (or longitude/latitude, x/y) columns; '-' = stdin")
            ->type_name("FILE");
        add_format_option(app, m_format, locate_formats,
                          "output format (default: table on a terminal, else csv); "
                          "geojsonseq: one Feature per line, for pipes");
        app.add_option("--input-format", m_options.input_format,
                       "csv or geojsonseq (one Point Feature per line; default: from the "
                       "file name, or GeoJSONSeq when the stream starts with '{')")
            ->check(CLI::IsMember({"csv", "geojsonseq"}))
            ->type_name("FORMAT");
        app.add_flag("--no-header", m_no_header,
                     "CSV input without a header line (a split part of a stream): --columns "
                     "names the fields, and the CSV output has no header line either");
        app.add_option("--columns", m_columns,
                       "comma-separated names of the fields of --no-header input (default "
                       "lon,lat)")
            ->type_name("NAMES");
        app.add_option("-b,--border", m_border,
                       "border: TJK-AFG (default), TJK-CHN, any AAA-BBB pair of "
                       "'borderwatch border --list', 'nearest' (world mode: the nearest "
                       "international land boundary of any pair), or a LineString file "
                       "(EPSG:4326)")
            ->type_name("NAME|FILE");
        app.add_option("-j,--threads", m_threads, "worker threads (default: all cores)")
            ->check(CLI::Range(1, 1024))
            ->type_name("N");
        app.add_option("--rejects", m_options.rejects,
                       "write rejected input rows (with an 'error' column) to FILE (never the "
                       "--input file)")
            ->type_name("FILE");
        add_overwrite_option(app, m_options.overwrite);
        add_text_input_options(app, m_encoding, &m_delimiter);
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        app.add_option("--lon-column", m_options.lon_column, "name of the longitude column")
            ->type_name("NAME");
        app.add_option("--lat-column", m_options.lat_column, "name of the latitude column")
            ->type_name("NAME");
        app.footer(
            "Appended columns (every input column passes through unchanged):\n"
            "  border_distance_m  geodesic WGS84 distance to the border line, m (3 decimals)\n"
            "  nearest_lon/lat    nearest border point, degrees (7 decimals)\n"
            "  chainage_km        along the border (its part) from its first vertex, km (6\n"
            "                     decimals)\n"
            "  side               ISO3 of the country the point is in, anywhere on land (\"\" at\n"
            "                     sea or where no country polygon covers the point)\n"
            "  admin1, admin2     current official region/province and district names\n"
            "  bearing_deg        azimuth from the point to its nearest border point\n"
            "  border_id, part    only for a border of several lines (USA-CAN, ARG-CHL, ...) and\n"
            "                     with --border nearest: the border (AAA-BBB) of the nearest\n"
            "                     point and its 1-based part (line); chainage_km runs along it\n"
            "  own_border_distance_m  --border nearest only: distance to the nearest land\n"
            "                     boundary of the point's own country (side), m; empty at sea\n"
            "  neighbour          --border nearest only: ISO3 of the country across that\n"
            "                     boundary (the nearest neighbouring country); empty at sea\n"
            "  nearest_country    --border nearest only: side on land; at sea the country\n"
            "                     whose boundary (coast included) is nearest, exact geodesic\n\n"
            "Bad rows (non-numeric, NaN or out-of-range coordinates; invalid UTF-8, NUL or a\n"
            "control character in any column) are reported as FILE:LINE: field 'lat': ...,\n"
            "written to --rejects (exactly as read, so the file can be fixed and used again),\n"
            "and skipped.\n\n"
            "Input text is UTF-8 unless --encoding says otherwise (a UTF-16 file is refused with\n"
            "a hint); lines may end in LF, CRLF or CR; the delimiter (',' ';' or TAB) is\n"
            "detected from the header line unless --delimiter sets it. Output is always\n"
            "comma-separated UTF-8.\n\n"
            "Examples:\n"
            "  borderwatch locate 70.78902 38.45373\n"
            "  borderwatch locate --input incidents.csv --format json > placed.json\n"
            "  cat points.csv | borderwatch locate -i - --border TJK-CHN --rejects bad.csv\n"
            "  borderwatch locate --border nearest 2.35 48.85      # Paris: nearest border\n"
            "  borderwatch locate --border USA-CAN -i events.csv   # a border of many parts\n\n" +
            exit_status_footer("  (1 when any input row was rejected; the other rows are still "
                               "written)\n"));
    }

    void validate() override {
        const std::string &input = m_options.input;
        if (!m_coordinates.empty() && m_coordinates.size() != 2) {
            throw UsageError("locate: give both LON and LAT (got " +
                             std::to_string(m_coordinates.size()) + " value)");
        }
        if (m_coordinates.empty() == input.empty()) {
            throw UsageError(input.empty()
                                 ? "locate: give LON LAT or --input FILE (see --help)"
                                 : "locate: give either LON LAT or --input FILE, not both");
        }
        if (!m_options.rejects.empty() && input.empty()) {
            throw UsageError("locate: --rejects needs --input");
        }
        if (!m_options.rejects.empty() && input != "-") {
            check_not_protected(m_options.rejects, "locate: --rejects", {{input, "the input file"}},
                                "choose another --rejects path");
        }
        if ((!m_encoding.empty() || !m_delimiter.empty() || m_no_header ||
             !m_options.input_format.empty()) &&
            input.empty()) {
            throw UsageError(
                "locate: --encoding, --delimiter, --no-header and --input-format need --input");
        }
        if (!m_columns.empty() && !m_no_header) {
            throw UsageError("locate: --columns names the fields of --no-header input");
        }
        m_options.text = text_input_options(m_encoding, m_delimiter);
        m_options.header = !m_no_header;
        m_options.columns.clear();
        if (!m_columns.empty()) {
            std::string name;
            for (const char c : m_columns + ",") {
                if (c == ',') {
                    m_options.columns.push_back(name);
                    name.clear();
                } else {
                    name += c;
                }
            }
        }
        if (m_format.empty()) {
            m_format = stdout_is_terminal() ? "table" : "csv";
        }
        m_options.format = m_format;
        m_options.csv_raw_formulas = m_csv_raw_formulas;
        if (m_threads == 0) {
            m_threads = std::max(1U, std::thread::hardware_concurrency());
        }
        m_options.threads = m_threads;
    }

    int run() override {
        const auto start = std::chrono::steady_clock::now();
        const auto engine = BorderEngine::load(m_border, globals().geodata);
        if (!m_coordinates.empty()) {
            const std::string warning = locate_point(*engine, m_coordinates[0], m_coordinates[1],
                                                     m_format, m_csv_raw_formulas, std::cout);
            if (!warning.empty() && !globals().quiet) {
                std::cerr << "command line: warning: " << warning << '\n';
            }
            return exit_ok;
        }
        ProgressRenderer progress(globals(), "locate:");
        auto messages = [this, &progress](const std::string &message) {
            if (!globals().quiet) {
                progress.clear();
                std::cerr << message << '\n';
            }
        };
        const LocateStreamResult result =
            locate_stream(*engine, m_options, std::cout, messages, progress.callback());
        progress.clear();
        if (result.header_only) {
            std::cerr << result.header_only_message << '\n';
            return exit_failure;
        }
        if (globals().verbosity > 0) {
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::cerr << "locate: " << result.rows << " rows placed, " << result.rejected
                      << " rejected, border " << engine->info().id << ", " << m_options.threads
                      << " thread(s), " << format_fixed_exact(s, 2) << " s\n";
        }
        return result.rejected > 0 ? exit_failure : exit_ok;
    }

  private:
    std::vector<std::string> m_coordinates;
    std::string m_format;
    std::string m_border = "TJK-AFG";
    unsigned m_threads = 0;
    std::string m_encoding;
    std::string m_delimiter;
    std::string m_columns;
    bool m_no_header = false;
    bool m_csv_raw_formulas = false;
    LocateStreamOptions m_options;
};

} // namespace

std::unique_ptr<Command> make_locate_command() {
    return std::make_unique<LocateCommand>();
}

} // namespace borderwatch::cli
