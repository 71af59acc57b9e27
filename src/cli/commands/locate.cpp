// borderwatch locate: place points against the border (distance, nearest point, chainage,
// side, admin units, bearing). One point from the command line or a CSV stream; rows are
// processed in chunks by N threads and written in input order, so the output bytes do not
// depend on the thread count.
#include "cli/commands/commands.hpp"

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/parallel.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/locate_rows.hpp>
#include <borderwatch/placement/lonlat_swap.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace borderwatch::cli {

namespace {

constexpr std::size_t chunk_rows = 8192;
constexpr std::size_t max_messages = 20; // per kind, then a summary line

struct OutputRow {
    std::string text;    // the formatted row (without separator)
    std::string warning; // a far-away / swapped-coordinates warning, or ""
};

class LocateCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("coordinates", m_coordinates,
                       "LON LAT of one point in degrees (WGS84); use -- before a negative LON")
            ->expected(0, 2)
            ->type_name("LON LAT");
        app.add_option("-i,--input", m_input,
                       "CSV with lon/lat (or longitude/latitude, x/y) columns; '-' = stdin")
            ->type_name("FILE");
        add_format_option(app, m_format, {"csv", "json", "geojson", "table"},
                          "output format (default: table on a terminal, else csv)");
        app.add_option("-b,--border", m_border,
                       "border: TJK-AFG (default), TJK-CHN, any AAA-BBB pair of "
                       "'borderwatch border --list', or a LineString file (EPSG:4326)")
            ->type_name("NAME|FILE");
        app.add_option("-j,--threads", m_threads, "worker threads (default: all cores)")
            ->check(CLI::Range(1, 1024))
            ->type_name("N");
        app.add_option("--rejects", m_rejects,
                       "write rejected input rows (with an 'error' column) to FILE (never the "
                       "--input file)")
            ->type_name("FILE");
        add_overwrite_option(app, m_overwrite);
        add_text_input_options(app, m_encoding, &m_delimiter);
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        app.add_option("--lon-column", m_lon_column, "name of the longitude column")
            ->type_name("NAME");
        app.add_option("--lat-column", m_lat_column, "name of the latitude column")
            ->type_name("NAME");
        app.footer(
            "Appended columns (every input column passes through unchanged):\n"
            "  border_distance_m  geodesic WGS84 distance to the border line, m (3 decimals)\n"
            "  nearest_lon/lat    nearest border point, degrees (7 decimals)\n"
            "  chainage_km        along the border from its first vertex, km (6 decimals)\n"
            "  side               ISO3 of the country the point is in (\"\" if unknown)\n"
            "  admin1, admin2     current official region/province and district names\n"
            "  bearing_deg        azimuth from the point to its nearest border point\n\n"
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
            "  cat points.csv | borderwatch locate -i - --border TJK-CHN --rejects bad.csv\n\n" +
            exit_status_footer("  (1 when any input row was rejected; the other rows are still "
                               "written)\n"));
    }

    void validate() override {
        if (!m_coordinates.empty() && m_coordinates.size() != 2) {
            throw UsageError("locate: give both LON and LAT (got " +
                             std::to_string(m_coordinates.size()) + " value)");
        }
        if (m_coordinates.empty() == m_input.empty()) {
            throw UsageError(m_input.empty()
                                 ? "locate: give LON LAT or --input FILE (see --help)"
                                 : "locate: give either LON LAT or --input FILE, not both");
        }
        if (!m_rejects.empty() && m_input.empty()) {
            throw UsageError("locate: --rejects needs --input");
        }
        if (!m_rejects.empty() && m_input != "-") {
            check_not_protected(m_rejects, "locate: --rejects", {{m_input, "the input file"}},
                                "choose another --rejects path");
        }
        if ((!m_encoding.empty() || !m_delimiter.empty()) && m_input.empty()) {
            throw UsageError("locate: --encoding and --delimiter need --input");
        }
        m_text = text_input_options(m_encoding, m_delimiter);
        if (m_format.empty()) {
            m_format = stdout_is_terminal() ? "table" : "csv";
        }
        if (m_threads == 0) {
            m_threads = std::max(1U, std::thread::hardware_concurrency());
        }
    }

    int run() override {
        const auto start = std::chrono::steady_clock::now();
        m_engine = BorderEngine::load(m_border, globals().geodata);
        if (!m_coordinates.empty()) {
            return run_single();
        }
        const int status = run_stream();
        if (globals().verbosity > 0) {
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::cerr << "locate: " << m_rows << " rows placed, " << m_rejected
                      << " rejected, border " << m_engine->info().id << ", " << m_threads
                      << " thread(s), " << format_fixed_exact(s, 2) << " s\n";
        }
        return status;
    }

  private:
    // ---- coordinate checks ------------------------------------------------------------

    /// The swapped-coordinates hint for a rejected value (the library's one rule).
    [[nodiscard]] std::string swap_hint(double lon, double lat) const {
        return lonlat_swap_hint(*m_engine, lon, lat);
    }

    // ---- one point ----------------------------------------------------------------------

    int run_single() {
        double lon = 0.0;
        double lat = 0.0;
        const auto lon_error = check_coordinate(m_coordinates[0], false, lon);
        const auto lat_error = check_coordinate(m_coordinates[1], true, lat);
        if (lon_error || lat_error) {
            double raw_lon = parse_double(m_coordinates[0]).value_or(NAN);
            double raw_lat = parse_double(m_coordinates[1]).value_or(NAN);
            const std::string which = lon_error ? "LON" : "LAT";
            throw UsageError("locate: argument " + which + ": " +
                             (lon_error ? *lon_error : *lat_error) + swap_hint(raw_lon, raw_lat));
        }
        m_header = {"lon", "lat"};
        m_lon_col = 0;
        m_lat_col = 1;
        prepare_columns();
        std::vector<std::string> fields{m_coordinates[0], m_coordinates[1]};
        const OutputRow row = format_row(fields, lon, lat, "command line", 0);
        std::ostream &out = std::cout;
        if (m_format == "table") {
            std::vector<std::vector<std::string>> cells{split_cells(row.text)};
            write_table(out, cells, true);
        } else {
            write_prologue(out);
            out << row.text;
            write_epilogue(out, true);
        }
        out.flush();
        if (!row.warning.empty() && !globals().quiet) {
            std::cerr << row.warning << '\n';
        }
        return exit_ok;
    }

    // ---- output columns and formats -----------------------------------------------------

    void prepare_columns() {
        m_out_header = m_header;
        m_field_index.clear();
        for (const auto &name : placement_columns) {
            const auto existing = find_column(m_header, {name});
            if (existing) { // re-locating our own output: replace, do not duplicate
                m_field_index.push_back(*existing);
            } else {
                m_field_index.push_back(m_out_header.size());
                m_out_header.emplace_back(name);
            }
        }
    }

    /// Number-valued output columns (for JSON/GeoJSON) are the appended numeric fields.
    [[nodiscard]] bool column_is_number(std::size_t column) const {
        for (std::size_t k = 0; k < m_field_index.size(); ++k) {
            if (m_field_index[k] == column) {
                return placement_column_is_number(k);
            }
        }
        return false;
    }

    OutputRow format_row(const std::vector<std::string> &input, double lon, double lat,
                         const std::string &file, std::size_t line) const {
        const Placement p = m_engine->place(lon, lat);
        std::vector<std::string> cells = input;
        cells.resize(m_out_header.size());
        const auto values = format_placement(p);
        for (std::size_t k = 0; k < values.size(); ++k) {
            cells[m_field_index[k]] = values[k];
        }
        OutputRow row;
        const std::string warning = lonlat_swap_warning(*m_engine, lon, lat, p.border_distance_m);
        if (!warning.empty()) {
            row.warning = file + (line > 0 ? ":" + std::to_string(line) : std::string()) +
                          ": warning: " + warning;
        }
        if (m_format == "csv" || m_format == "table") {
            std::ostringstream s;
            // Table cells are read back from this line: only real CSV output is neutralised.
            write_csv_record(s, cells, ',',
                             m_format == "csv" && !m_csv_raw_formulas ? CsvFormulas::neutralise
                                                                      : CsvFormulas::raw);
            row.text = s.str();
            if (!row.text.empty() && row.text.back() == '\n') {
                row.text.pop_back();
            }
        } else if (m_format == "json") {
            set_coordinate_cells(cells, lon, lat);
            row.text = "  " + json_object(cells);
        } else { // geojson
            set_coordinate_cells(cells, lon, lat);
            row.text =
                "    {\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" +
                format_double(lon) + "," + format_double(lat) +
                "]},\"properties\":" + json_object(cells) + "}";
        }
        return row;
    }

    /// JSON and GeoJSON carry the input lon/lat as numbers: the parsed values, shortest
    /// round trip (the text as given may not be a JSON number: "+70.5", "1e1", " 70.5").
    void set_coordinate_cells(std::vector<std::string> &cells, double lon, double lat) const {
        cells[m_lon_col] = format_double(lon);
        cells[m_lat_col] = format_double(lat);
    }

    [[nodiscard]] std::string json_object(const std::vector<std::string> &cells) const {
        std::string out = "{";
        for (std::size_t c = 0; c < m_out_header.size(); ++c) {
            if (c > 0) {
                out += ",";
            }
            out += json_quoted(m_out_header[c]);
            out += ":";
            const std::string &v = cells[c];
            const bool number = column_is_number(c) || c == m_lon_col || c == m_lat_col;
            if (number && v != "nan" && v != "inf" && v != "-inf") {
                out += v;
            } else {
                out += json_quoted(v);
            }
        }
        out += "}";
        return out;
    }

    static std::vector<std::string> split_cells(const std::string &csv_line) {
        std::istringstream in(csv_line);
        CsvReader reader(in, "row");
        auto rec = reader.next();
        return rec ? rec->fields : std::vector<std::string>{};
    }

    void write_prologue(std::ostream &out) const {
        if (m_format == "csv") {
            write_csv_record(out, m_out_header, ',',
                             m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise);
        } else if (m_format == "json") {
            out << "[\n";
        } else if (m_format == "geojson") {
            out << "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n";
        }
    }

    void write_epilogue(std::ostream &out, bool any_row) const {
        if (m_format == "csv") {
            if (any_row) {
                out << '\n';
            }
        } else if (m_format == "json") {
            out << (any_row ? "\n]\n" : "]\n");
        } else if (m_format == "geojson") {
            out << (any_row ? "\n  ]\n}\n" : "  ]\n}\n");
        }
    }

    void write_table(std::ostream &out, const std::vector<std::vector<std::string>> &rows,
                     bool header) {
        if (m_widths.empty()) {
            m_widths.assign(m_out_header.size(), 0);
            for (std::size_t c = 0; c < m_out_header.size(); ++c) {
                m_widths[c] = display_width(m_out_header[c]);
            }
            for (const auto &r : rows) {
                for (std::size_t c = 0; c < r.size() && c < m_widths.size(); ++c) {
                    m_widths[c] = std::max(m_widths[c], display_width(r[c]));
                }
            }
        }
        auto write_line = [&](const std::vector<std::string> &cells) {
            std::string line;
            for (std::size_t c = 0; c < m_widths.size(); ++c) {
                const std::string &v = c < cells.size() ? cells[c] : std::string();
                const bool right = column_is_number(c);
                const std::size_t pad =
                    m_widths[c] > display_width(v) ? m_widths[c] - display_width(v) : 0;
                if (c > 0) {
                    line += "  ";
                }
                if (right) {
                    line.append(pad, ' ');
                    line += v;
                } else {
                    line += v;
                    if (c + 1 < m_widths.size()) {
                        line.append(pad, ' ');
                    }
                }
            }
            while (!line.empty() && line.back() == ' ') {
                line.pop_back();
            }
            out << line << '\n';
        };
        if (header) {
            write_line(m_out_header);
        }
        for (const auto &r : rows) {
            write_line(r);
        }
    }

    // ---- streaming ------------------------------------------------------------------------

    struct InputRow {
        CsvRecord record;
        double lon = 0.0;
        double lat = 0.0;
    };

    int run_stream() {
        const std::string &name = m_input;
        TextInput in(m_input, m_text.encoding);
        CsvReader reader(in, name,
                         m_text.delimiter == 0 ? CsvReader::detect_separator : m_text.delimiter);
        const auto header = reader.next();
        if (!header) {
            throw InputError({name, 1, 0, ""},
                             "empty input: expected a header line with lon/lat columns");
        }
        m_header = header->fields;
        const auto columns =
            find_locate_columns(m_header, m_lon_column, m_lat_column, {name, header->line, 0, ""});
        const std::size_t lon_col = columns.lon;
        const std::size_t lat_col = columns.lat;
        m_lon_col = lon_col;
        m_lat_col = lat_col;
        prepare_columns();

        std::unique_ptr<AtomicFile> rejects;
        if (!m_rejects.empty()) {
            rejects = std::make_unique<AtomicFile>(
                m_rejects, m_overwrite ? OverwritePolicy::replace : OverwritePolicy::refuse);
            auto header_row = m_header;
            header_row.emplace_back("error");
            write_csv_record(rejects->stream(), header_row, ',', CsvFormulas::raw);
        }

        std::ostream &out = std::cout;
        const bool table = m_format == "table";
        if (!table) {
            write_prologue(out);
        }
        bool any_row = false;
        bool table_started = false;
        std::size_t messages = 0;
        std::size_t warnings_shown = 0;
        std::size_t warnings_total = 0;

        std::size_t invalid_utf8 = 0; // rejected rows that were not UTF-8
        std::vector<InputRow> chunk;
        chunk.reserve(chunk_rows);
        bool eof = false;
        while (!eof) {
            chunk.clear();
            while (chunk.size() < chunk_rows) {
                auto rec = reader.next();
                if (!rec) {
                    eof = true;
                    break;
                }
                InputRow row{std::move(*rec), 0.0, 0.0};
                if (auto problem =
                        parse_locate_row(row.record.fields, m_header, columns, row.lon, row.lat)) {
                    ++m_rejected;
                    invalid_utf8 += problem->invalid_utf8 ? 1 : 0;
                    std::string error = std::move(problem->message);
                    const std::string field = std::move(problem->field);
                    const std::size_t column = problem->column;
                    if (problem->coordinates) {
                        error += swap_hint(parse_double(row.record.fields[lon_col]).value_or(NAN),
                                           parse_double(row.record.fields[lat_col]).value_or(NAN));
                    }
                    const InputError err({name, row.record.line, column, field}, error);
                    if (messages < max_messages && !globals().quiet) {
                        std::cerr << err.what() << '\n';
                    }
                    ++messages;
                    if (rejects) {
                        auto fields = row.record.fields;
                        fields.push_back(error);
                        write_csv_record(rejects->stream(), fields, ',', CsvFormulas::raw);
                    }
                    continue;
                }
                chunk.push_back(std::move(row));
            }
            if (chunk.empty()) {
                continue;
            }
            auto rows = place_chunk(chunk, name);
            m_rows += rows.size();
            if (table) {
                std::vector<std::vector<std::string>> cells;
                cells.reserve(rows.size());
                for (const auto &r : rows) {
                    cells.push_back(split_cells(r.text));
                }
                write_table(out, cells, !table_started);
                table_started = true;
            } else {
                for (const auto &r : rows) {
                    if (any_row) {
                        out << (m_format == "csv" ? "\n" : ",\n");
                    }
                    out << r.text;
                    any_row = true;
                }
            }
            for (const auto &r : rows) {
                if (!r.warning.empty()) {
                    ++warnings_total;
                    if (warnings_shown < max_messages && !globals().quiet) {
                        std::cerr << r.warning << '\n';
                        ++warnings_shown;
                    }
                }
            }
        }
        if (table && !table_started) {
            write_table(out, {}, true);
        }
        if (!table) {
            write_epilogue(out, any_row);
        }
        out.flush();
        if (messages > max_messages && !globals().quiet) {
            std::cerr << name << ": and " << (messages - max_messages) << " more rejected rows\n";
        }
        if (warnings_total > warnings_shown && !globals().quiet) {
            std::cerr << name << ": and " << (warnings_total - warnings_shown)
                      << " more far-away points that look swapped\n";
        }
        if (rejects) {
            rejects->commit();
        }
        if (m_text.encoding.empty() && !globals().quiet) {
            if (const auto hint = encoding_hint(name, invalid_utf8, m_rows + m_rejected);
                !hint.empty()) {
                std::cerr << "locate: hint: " << hint << '\n';
            }
        }
        if (m_rejected > 0 && !globals().quiet) {
            std::cerr << name << ": " << m_rejected << " row(s) rejected"
                      << (m_rejects.empty() ? std::string() : ", written to " + m_rejects) << '\n';
        }
        if (m_rows == 0 && m_rejected == 0) {
            // A header and nothing else: never a silent empty result.
            std::cerr << SourceLocation{name, header->line, 0, {}}.to_string()
                      << " no data rows: the file has a header line but no records\n";
            return exit_failure;
        }
        return m_rejected > 0 ? exit_failure : exit_ok;
    }

    std::vector<OutputRow> place_chunk(const std::vector<InputRow> &chunk,
                                       const std::string &name) const {
        std::vector<OutputRow> rows(chunk.size());
        const std::size_t threads = std::min<std::size_t>(m_threads, (chunk.size() + 255) / 256);
        auto work = [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                rows[i] = format_row(chunk[i].record.fields, chunk[i].lon, chunk[i].lat, name,
                                     chunk[i].record.line);
            }
        };
        if (threads <= 1) {
            work(0, chunk.size());
            return rows;
        }
        const std::size_t per = (chunk.size() + threads - 1) / threads;
        run_in_parallel(threads, [&](std::size_t t) {
            work(std::min(chunk.size(), t * per), std::min(chunk.size(), (t + 1) * per));
        });
        return rows;
    }

    std::vector<std::string> m_coordinates;
    std::size_t m_lon_col = 0; ///< input column of the longitude
    std::size_t m_lat_col = 1; ///< input column of the latitude
    std::string m_input;
    std::string m_format;
    std::string m_border = "TJK-AFG";
    unsigned m_threads = 0;
    std::string m_rejects;
    bool m_overwrite = false;
    bool m_csv_raw_formulas = false;
    std::string m_lon_column;
    std::string m_lat_column;
    std::string m_encoding;
    std::string m_delimiter;
    TextInputOptions m_text;

    std::unique_ptr<BorderEngine> m_engine;
    std::vector<std::string> m_header;
    std::vector<std::string> m_out_header;
    std::vector<std::size_t> m_field_index;
    std::vector<std::size_t> m_widths;
    std::size_t m_rows = 0;
    std::size_t m_rejected = 0;
};

} // namespace

std::unique_ptr<Command> make_locate_command() {
    return std::make_unique<LocateCommand>();
}

} // namespace borderwatch::cli
