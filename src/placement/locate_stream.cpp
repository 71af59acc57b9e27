// The locate pipeline (see locate_stream.hpp). Rows travel in batches: the calling thread
// reads a batch, a worker checks, places and formats every row of it into one text buffer,
// and the calling thread writes the buffers, the rejected rows and the messages in input
// order (core/ordered_pipeline).
#include <borderwatch/placement/locate_stream.hpp>

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/ordered_pipeline.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/locate_rows.hpp>
#include <borderwatch/placement/lonlat_swap.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

namespace borderwatch {

namespace {

/// Rows per batch; 65,536 when the engine orders a batch's points (place_many): the larger
/// the batch, the nearer its neighbours on the curve (world mode, scattered points: 1.8x).
constexpr std::size_t batch_rows = 8192;
constexpr std::size_t ordered_batch_rows = 65536;

/// A rejected row, reported by the writer in input order.
struct Rejection {
    std::string message;             ///< FILE:LINE:COLUMN: field 'x': why
    std::vector<std::string> fields; ///< as read, plus the error (for the rejects file)
    bool invalid_utf8 = false;
};

struct Batch {
    std::vector<CsvRecord> records; ///< CSV rows, or one field (the line) for GeoJSONSeq
    std::size_t count = 0;          ///< records in use (the vector is reused)
    // Filled by the worker:
    /// Formatted rows, each ending in '\n' (JSON and GeoJSON: in ",\n", the separator)
    std::string text;
    std::vector<std::vector<std::string>> cells; ///< table format: the rows' cells
    std::vector<Rejection> rejections;
    std::vector<std::string> warnings; ///< FILE:LINE: warning: ... (swapped coordinates)
    std::size_t placed = 0;
    // The worker's scratch: the checked rows, their points and placements.
    std::vector<std::size_t> checked;               ///< record numbers of the rows to place
    std::vector<std::array<double, 2>> points;      ///< their lon/lat
    std::vector<Placement> placements;              ///< place_many()'s results
    std::vector<nlohmann::ordered_json> properties; ///< GeoJSONSeq: each feature's properties
    std::vector<std::string> ids;                   ///< GeoJSONSeq: each feature's id ("" if none)
};

/// Columns and formatting shared by every row of one run.
class RowFormatter {
  public:
    RowFormatter(const BorderEngine &engine, std::string format, bool raw_formulas)
        : m_engine(engine), m_format(std::move(format)), m_csv(m_format == "csv"),
          m_raw_formulas(raw_formulas) {}

    /// The input header and where lon/lat are; adds (or reuses) the placement columns.
    void set_columns(std::vector<std::string> header, LocateColumns columns) {
        m_header = std::move(header);
        m_columns = columns;
        m_out_header = m_header;
        m_field_index.clear();
        for (std::size_t k = 0; k < placement_column_count(m_engine.info()); ++k) {
            const std::string_view name = placement_column_name(k);
            const auto existing = find_column(m_header, {std::string(name)});
            if (existing) { // re-locating our own output: replace, do not duplicate
                m_field_index.push_back(*existing);
            } else {
                m_field_index.push_back(m_out_header.size());
                m_out_header.emplace_back(name);
            }
        }
        m_is_number.assign(m_out_header.size(), false);
        for (std::size_t k = 0; k < m_field_index.size(); ++k) {
            m_is_number[m_field_index[k]] = placement_column_is_number(k);
        }
        // Our own digits ("-12.500", "nan"): nothing to quote or neutralise in CSV.
        m_csv_verbatim.assign(m_is_number.begin(), m_is_number.end());
        m_is_number[m_columns.lon] = true;
        m_is_number[m_columns.lat] = true;
        // JSON keys are the same in every row: quoted once.
        m_json_keys.clear();
        for (std::size_t c = 0; c < m_out_header.size(); ++c) {
            m_json_keys.push_back((c > 0 ? "," : "") + json_quoted(m_out_header[c]) + ":");
        }
    }

    [[nodiscard]] const std::vector<std::string> &header() const { return m_header; }
    [[nodiscard]] const std::vector<std::string> &out_header() const { return m_out_header; }
    [[nodiscard]] const LocateColumns &columns() const { return m_columns; }
    [[nodiscard]] bool is_number(std::size_t column) const { return m_is_number[column]; }
    [[nodiscard]] const std::string &format() const { return m_format; }
    [[nodiscard]] CsvFormulas formulas() const {
        return m_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
    }

    /// Place one checked row and append it (with its line end) to @p batch.
    /// @return the swapped-coordinates warning (without location), or ""
    std::string place_row(const std::vector<std::string> &fields, double lon, double lat,
                          Batch &batch) const {
        return format_row(fields, lon, lat, m_engine.place(lon, lat), batch);
    }

    /// Append a checked row with its placement @p p to @p batch; returns as place_row().
    std::string format_row(const std::vector<std::string> &fields, double lon, double lat,
                           const Placement &p, Batch &batch) const {
        PlacementText placed;
        format_placement_into(p, placed);
        // The output cells as views: input fields, placement fields over them or after them.
        std::array<std::string_view, 64> small{};
        std::vector<std::string_view> large;
        std::string_view *cells = small.data();
        if (m_out_header.size() > small.size()) {
            large.resize(m_out_header.size());
            cells = large.data();
        }
        for (std::size_t c = 0; c < fields.size(); ++c) {
            cells[c] = fields[c];
        }
        for (std::size_t k = 0; k < m_field_index.size(); ++k) {
            cells[m_field_index[k]] = placed.fields[k];
        }
        // JSON carries lon/lat as numbers: the parsed values, shortest round trip (the text
        // as given may not be a JSON number: "+70.5", "1e1", " 70.5").
        std::string lon_text;
        std::string lat_text;
        if (!m_csv && m_format != "table") {
            lon_text = format_double(lon);
            lat_text = format_double(lat);
            cells[m_columns.lon] = lon_text;
            cells[m_columns.lat] = lat_text;
        }
        const std::size_t n = m_out_header.size();
        std::string &out = batch.text;
        if (m_csv) {
            const CsvFormulas rule = formulas();
            // Most rows need no quoting: sized once and copied, not appended cell by cell.
            std::size_t size = n; // the separators and the line end
            bool plain = true;
            for (std::size_t c = 0; c < n; ++c) {
                size += cells[c].size();
                plain = plain && (m_csv_verbatim[c] || csv_field_is_plain(cells[c], ',', rule));
            }
            if (plain) {
                const std::size_t at = out.size();
                out.resize(at + size);
                char *w = out.data() + at;
                for (std::size_t c = 0; c < n; ++c) {
                    if (c > 0) {
                        *w++ = ',';
                    }
                    // std::copy: an empty cell may be a view of nothing (memcpy forbids null)
                    w = std::copy(cells[c].begin(), cells[c].end(), w);
                }
                *w = '\n';
            } else {
                for (std::size_t c = 0; c < n; ++c) {
                    if (c > 0) {
                        out += ',';
                    }
                    if (m_csv_verbatim[c]) {
                        out.append(cells[c]);
                    } else {
                        append_csv_field(out, cells[c], ',', rule);
                    }
                }
                out += '\n';
            }
        } else if (m_format == "table") {
            // Table cells are shown as they are (no formula neutralising).
            auto &row = batch.cells.emplace_back();
            row.reserve(n);
            for (std::size_t c = 0; c < n; ++c) {
                row.emplace_back(cells[c]);
            }
        } else if (m_format == "json") {
            out += "  ";
            append_object(out, cells);
            out += ",\n";
        } else { // geojson, geojsonseq
            out += m_format == "geojson" ? "    " : "";
            out += R"({"type":"Feature","geometry":{"type":"Point","coordinates":[)";
            out += lon_text;
            out += ',';
            out += lat_text;
            out += "]},\"properties\":";
            append_object(out, cells);
            out += m_format == "geojson" ? "},\n" : "}\n";
        }
        return lonlat_swap_warning(m_engine, lon, lat, p);
    }

    /// A GeoJSONSeq input feature: its properties pass through, the placement columns are
    /// set (replacing properties of the same name); geojson/geojsonseq output only.
    std::string format_feature(const nlohmann::ordered_json &properties, const std::string &id,
                               double lon, double lat, const Placement &p, Batch &batch) const {
        PlacementText placed;
        format_placement_into(p, placed);
        std::string &out = batch.text;
        out += m_format == "geojson" ? "    " : "";
        out += R"({"type":"Feature",)";
        if (!id.empty()) {
            out += "\"id\":";
            out += id;
            out += ',';
        }
        out += R"("geometry":{"type":"Point","coordinates":[)";
        out += format_double(lon);
        out += ',';
        out += format_double(lat);
        out += "]},\"properties\":{";
        bool first = true;
        for (const auto &[key, value] : properties.items()) {
            bool ours = false;
            for (std::size_t k = 0; k < m_field_index.size(); ++k) {
                ours = ours || placement_column_name(k) == key;
            }
            if (ours) {
                continue;
            }
            out += first ? "" : ",";
            first = false;
            append_json_quoted(out, key);
            out += ':';
            out += value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
        }
        for (std::size_t k = 0; k < m_field_index.size(); ++k) {
            out += first ? "" : ",";
            first = false;
            append_json_quoted(out, placement_column_name(k));
            out += ':';
            append_json_value(out, placed.fields[k], placement_column_is_number(k));
        }
        out += m_format == "geojson" ? "}},\n" : "}}\n";
        return lonlat_swap_warning(m_engine, lon, lat, p);
    }

  private:
    static void append_json_quoted(std::string &out, std::string_view text) {
        out += '"';
        append_json_escaped(out, text);
        out += '"';
    }

    static void append_json_value(std::string &out, std::string_view v, bool number) {
        if (number && v.empty()) {
            out += "null"; // a number without a value (own_border_distance_m)
        } else if (number && v != "nan" && v != "inf" && v != "-inf") {
            out += v;
        } else {
            append_json_quoted(out, v);
        }
    }

    void append_object(std::string &out, const std::string_view *cells) const {
        out += '{';
        for (std::size_t c = 0; c < m_out_header.size(); ++c) {
            out += m_json_keys[c];
            append_json_value(out, cells[c], m_is_number[c]);
        }
        out += '}';
    }

    const BorderEngine &m_engine;
    std::string m_format;
    bool m_csv;                           ///< m_format == "csv" (asked once per row)
    std::vector<std::string> m_json_keys; ///< per column: [","]"name":
    bool m_raw_formulas = false;
    std::vector<std::string> m_header;
    LocateColumns m_columns;
    std::vector<std::string> m_out_header;
    std::vector<std::size_t> m_field_index;
    std::vector<bool> m_is_number;
    std::vector<char> m_csv_verbatim; ///< CSV cells written as they are (placement numbers)
};

/// The table format: widths from the first batch (a stream cannot be measured to its end).
class TableWriter {
  public:
    TableWriter(const RowFormatter &formatter, std::ostream &out)
        : m_formatter(formatter), m_out(out) {}

    void write(const std::vector<std::vector<std::string>> &rows) {
        const auto &header = m_formatter.out_header();
        if (m_widths.empty()) {
            m_widths.assign(header.size(), 0);
            for (std::size_t c = 0; c < header.size(); ++c) {
                m_widths[c] = display_width(header[c]);
            }
            for (const auto &r : rows) {
                for (std::size_t c = 0; c < r.size() && c < m_widths.size(); ++c) {
                    m_widths[c] = std::max(m_widths[c], display_width(r[c]));
                }
            }
            write_line(header);
        }
        for (const auto &r : rows) {
            write_line(r);
        }
    }

  private:
    void write_line(const std::vector<std::string> &cells) {
        std::string line;
        for (std::size_t c = 0; c < m_widths.size(); ++c) {
            const std::string &v = c < cells.size() ? cells[c] : std::string();
            const bool right = m_formatter.is_number(c) && c != m_formatter.columns().lon &&
                               c != m_formatter.columns().lat;
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
        m_out << line << '\n';
    }

    const RowFormatter &m_formatter;
    std::ostream &m_out;
    std::vector<std::size_t> m_widths;
};

bool looks_like_geojsonseq_name(const std::string &path) {
    for (const char *ext : {".geojsonl", ".geojsons", ".geojsonseq", ".jsonl", ".ndjson"}) {
        const std::string e(ext);
        if (path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) {
            return true;
        }
    }
    return false;
}

/// Parse one GeoJSONSeq record into its point and properties.
/// @return the problem (message, field) or nullopt
std::optional<std::pair<std::string, std::string>> parse_feature(std::string_view line,
                                                                 nlohmann::ordered_json &properties,
                                                                 std::string &id, double &lon,
                                                                 double &lat) {
    while (!line.empty() && (line.front() == '\x1e' || line.front() == ' ')) {
        line.remove_prefix(1);
    }
    if (const auto issue = find_text_issue(line)) {
        return std::pair{describe_text_issue(*issue), std::string()};
    }
    if (find_json_depth_violation(line)) {
        return std::pair{std::string("JSON nests deeper than ") + std::to_string(kMaxJsonDepth) +
                             " levels",
                         std::string()};
    }
    auto feature = nlohmann::ordered_json::parse(line.begin(), line.end(), nullptr, false);
    if (feature.is_discarded() || !feature.is_object()) {
        return std::pair{std::string("not a JSON object (GeoJSONSeq: one Feature per line)"),
                         std::string()};
    }
    const auto geometry = feature.find("geometry");
    if (geometry == feature.end() || !json_type_is(*geometry, "Point")) {
        return std::pair{std::string("expected a Feature with a Point geometry"),
                         std::string("geometry")};
    }
    const auto coords = geometry->find("coordinates");
    if (coords == geometry->end() || !coords->is_array() || coords->size() < 2 ||
        !(*coords)[0].is_number() || !(*coords)[1].is_number()) {
        return std::pair{std::string("Point coordinates must be [lon, lat] numbers"),
                         std::string("coordinates")};
    }
    lon = (*coords)[0].get<double>();
    lat = (*coords)[1].get<double>();
    if (!(lon >= -180.0 && lon <= 180.0)) {
        return std::pair{"longitude " + format_double(lon) + " is outside [-180, 180]",
                         std::string("coordinates")};
    }
    if (!(lat >= -90.0 && lat <= 90.0)) {
        return std::pair{"latitude " + format_double(lat) + " is outside [-90, 90]",
                         std::string("coordinates")};
    }
    properties = nlohmann::ordered_json::object();
    if (const auto p = feature.find("properties"); p != feature.end() && p->is_object()) {
        properties = *p;
    }
    id.clear();
    if (const auto i = feature.find("id");
        i != feature.end() && (i->is_string() || i->is_number())) {
        id = i->dump();
    }
    return std::nullopt;
}

class LocatePipeline {
  public:
    LocatePipeline(const BorderEngine &engine, const LocateStreamOptions &options,
                   std::ostream &out, const LocateMessages &messages,
                   const ProgressCallback &progress)
        : m_engine(engine), m_options(options), m_out(out), m_messages(messages),
          m_progress(progress), m_formatter(engine, options.format, options.csv_raw_formulas),
          m_name(options.input) {}

    LocateStreamResult run() {
        TextInput in(m_options.input, m_options.text.encoding);
        m_geojsonseq = input_is_geojsonseq(in);
        if (m_geojsonseq && m_options.format != "geojson" && m_options.format != "geojsonseq") {
            throw UsageError("locate: GeoJSONSeq input gives --format geojsonseq or geojson "
                             "output (its properties differ from feature to feature)");
        }
        std::optional<CsvReader> csv;
        std::optional<LineReader> lines;
        std::size_t header_line = 0;
        if (m_geojsonseq) {
            lines.emplace(in);
            m_formatter.set_columns({"lon", "lat"}, {0, 1});
        } else {
            csv.emplace(in, m_name,
                        m_options.text.delimiter == 0 ? CsvReader::detect_separator
                                                      : m_options.text.delimiter);
            header_line = read_header(*csv);
        }
        open_rejects();
        write_prologue();

        std::size_t line_number = 0;
        auto read = [&](Batch &batch) {
            batch.count = 0;
            const std::size_t rows = m_engine.orders_batches() ? ordered_batch_rows : batch_rows;
            batch.records.resize(rows);
            while (batch.count < rows) {
                CsvRecord &rec = batch.records[batch.count];
                if (csv) {
                    if (!csv->next(rec)) {
                        break;
                    }
                } else {
                    rec.fields.resize(1);
                    if (!lines->next(rec.fields[0])) {
                        break;
                    }
                    rec.line = ++line_number;
                    if (rec.fields[0].find_first_not_of(" \t\x1e") == std::string::npos) {
                        continue; // blank line
                    }
                }
                ++batch.count;
            }
            return batch.count > 0;
        };
        auto work = [&](Batch &batch) { process(batch); };
        auto write = [&](Batch &batch) { emit(batch); };
        run_ordered_pipeline<Batch>(m_options.threads > 1 ? m_options.threads : 1, read, work,
                                    write);
        finish(header_line);
        return m_result;
    }

  private:
    bool input_is_geojsonseq(std::istream &in) const {
        if (!m_options.input_format.empty()) {
            if (m_options.input_format != "csv" && m_options.input_format != "geojsonseq") {
                throw UsageError("locate: --input-format must be csv or geojsonseq");
            }
            return m_options.input_format == "geojsonseq";
        }
        if (looks_like_geojsonseq_name(m_options.input)) {
            return true;
        }
        // A stream: a record separator or '{' first is GeoJSONSeq (a CSV header never is).
        const int c = in.peek();
        return c == 0x1e || c == '{';
    }

    std::size_t read_header(CsvReader &reader) {
        if (!m_options.header) {
            auto names = m_options.columns;
            if (names.empty()) {
                names = {"lon", "lat"};
            }
            const auto columns = find_locate_columns(names, m_options.lon_column,
                                                     m_options.lat_column, {"--columns", 0, 0, ""});
            m_formatter.set_columns(std::move(names), columns);
            return 0;
        }
        const auto header = reader.next();
        if (!header) {
            throw InputError({m_name, 1, 0, ""},
                             "empty input: expected a header line with lon/lat columns");
        }
        const auto columns =
            find_locate_columns(header->fields, m_options.lon_column, m_options.lat_column,
                                {m_name, header->line, 0, ""});
        m_formatter.set_columns(header->fields, columns);
        return header->line;
    }

    void open_rejects() {
        if (m_options.rejects.empty()) {
            return;
        }
        m_rejects = std::make_unique<AtomicFile>(m_options.rejects, m_options.overwrite
                                                                        ? OverwritePolicy::replace
                                                                        : OverwritePolicy::refuse);
        if (!m_geojsonseq) {
            auto header_row = m_formatter.header();
            header_row.emplace_back("error");
            write_csv_record(m_rejects->stream(), header_row, ',', CsvFormulas::raw);
        }
    }

    void write_prologue() {
        const auto &format = m_options.format;
        if (format == "csv" && m_options.header) {
            write_csv_record(m_out, m_formatter.out_header(), ',', m_formatter.formulas());
        } else if (format == "json") {
            m_out << "[\n";
        } else if (format == "geojson") {
            m_out << "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n";
        } else if (format == "table") {
            m_table = std::make_unique<TableWriter>(m_formatter, m_out);
        }
    }

    /// Worker: check every row of the batch, place the good ones together (place_many()
    /// orders them when that pays), then format them in input order.
    void process(Batch &batch) const {
        batch.text.clear();
        batch.cells.clear();
        batch.rejections.clear();
        batch.warnings.clear();
        batch.checked.clear();
        batch.points.clear();
        batch.properties.clear();
        batch.ids.clear();
        for (std::size_t i = 0; i < batch.count; ++i) {
            const CsvRecord &rec = batch.records[i];
            double lon = 0.0;
            double lat = 0.0;
            if (m_geojsonseq) {
                nlohmann::ordered_json properties;
                std::string id;
                if (auto problem = parse_feature(rec.fields[0], properties, id, lon, lat)) {
                    reject(batch, rec, {m_name, rec.line, 0, problem->second}, problem->first,
                           false);
                    continue;
                }
                batch.properties.push_back(std::move(properties));
                batch.ids.push_back(std::move(id));
            } else {
                const auto &columns = m_formatter.columns();
                if (auto problem =
                        parse_locate_row(rec.fields, m_formatter.header(), columns, lon, lat)) {
                    std::string error = std::move(problem->message);
                    if (problem->coordinates) {
                        error += lonlat_swap_hint(
                            m_engine, parse_double(rec.fields[columns.lon]).value_or(NAN),
                            parse_double(rec.fields[columns.lat]).value_or(NAN));
                    }
                    reject(batch, rec, {m_name, rec.line, problem->column, problem->field}, error,
                           problem->invalid_utf8);
                    continue;
                }
            }
            batch.checked.push_back(i);
            batch.points.push_back({lon, lat});
        }
        batch.placements.resize(batch.points.size());
        m_engine.place_many(batch.points, batch.placements);
        batch.placed = batch.checked.size();
        for (std::size_t k = 0; k < batch.checked.size(); ++k) {
            const CsvRecord &rec = batch.records[batch.checked[k]];
            const auto [lon, lat] = batch.points[k];
            const std::string warning =
                m_geojsonseq
                    ? m_formatter.format_feature(batch.properties[k], batch.ids[k], lon, lat,
                                                 batch.placements[k], batch)
                    : m_formatter.format_row(rec.fields, lon, lat, batch.placements[k], batch);
            if (!warning.empty()) {
                batch.warnings.push_back(m_name + ":" + std::to_string(rec.line) +
                                         ": warning: " + warning);
            }
        }
    }

    static void reject(Batch &batch, const CsvRecord &rec, const SourceLocation &where,
                       const std::string &error, bool invalid_utf8) {
        Rejection r;
        r.message = InputError(where, error).what();
        r.fields = rec.fields;
        r.fields.push_back(error);
        r.invalid_utf8 = invalid_utf8;
        batch.rejections.push_back(std::move(r));
    }

    /// Calling thread, in input order.
    void emit(Batch &batch) {
        for (auto &r : batch.rejections) {
            ++m_result.rejected;
            m_invalid_utf8 += r.invalid_utf8 ? 1 : 0;
            if (m_result.rejected <= m_options.max_messages) {
                say(r.message);
            }
            if (m_rejects) {
                write_csv_record(m_rejects->stream(), r.fields, ',', CsvFormulas::raw);
            }
        }
        for (const auto &w : batch.warnings) {
            ++m_result.warnings;
            if (m_result.warnings <= m_options.max_messages) {
                say(w);
            }
        }
        m_result.rows += batch.placed;
        if (m_table) {
            m_table->write(batch.cells);
        } else if (!batch.text.empty()) {
            write_rows(batch.text);
        }
        if (m_progress) {
            m_progress("rows", m_result.rows + m_result.rejected, 0);
        }
    }

    /// CSV and GeoJSONSeq rows end in '\n'; JSON and GeoJSON rows in ",\n", and the
    /// separator of the last row written is held back (the next batch or the end decides).
    void write_rows(const std::string &text) {
        const auto &format = m_options.format;
        if (format != "json" && format != "geojson") {
            m_out.write(text.data(), static_cast<std::streamsize>(text.size()));
            return;
        }
        if (m_any_json_row) {
            m_out << ",\n";
        }
        m_out.write(text.data(), static_cast<std::streamsize>(text.size() - 2));
        m_any_json_row = true;
    }

    void finish(std::size_t header_line) {
        const auto &format = m_options.format;
        if (format == "json") {
            m_out << (m_any_json_row ? "\n]\n" : "]\n");
        } else if (format == "geojson") {
            m_out << (m_any_json_row ? "\n  ]\n}\n" : "  ]\n}\n");
        } else if (m_table && m_result.rows == 0) {
            m_table->write({});
        }
        m_out.flush();
        if (m_result.rejected > m_options.max_messages) {
            say(m_name + ": and " + std::to_string(m_result.rejected - m_options.max_messages) +
                " more rejected rows");
        }
        if (m_result.warnings > m_options.max_messages) {
            say(m_name + ": and " + std::to_string(m_result.warnings - m_options.max_messages) +
                " more far-away points that look swapped");
        }
        if (m_rejects) {
            m_rejects->commit();
        }
        if (m_options.text.encoding.empty()) {
            if (const auto hint =
                    encoding_hint(m_name, m_invalid_utf8, m_result.rows + m_result.rejected);
                !hint.empty()) {
                say("locate: hint: " + hint);
            }
        }
        if (m_result.rejected > 0) {
            say(m_name + ": " + std::to_string(m_result.rejected) + " row(s) rejected" +
                (m_options.rejects.empty() ? std::string() : ", written to " + m_options.rejects));
        }
        if (m_result.rows == 0 && m_result.rejected == 0 && m_options.header && !m_geojsonseq) {
            m_result.header_only = true;
            m_result.header_only_message =
                SourceLocation{m_name, header_line, 0, {}}.to_string() +
                " no data rows: the file has a header line but no records";
        }
    }

    void say(const std::string &message) const {
        if (m_messages) {
            m_messages(message);
        }
    }

    const BorderEngine &m_engine;
    const LocateStreamOptions &m_options;
    std::ostream &m_out;
    const LocateMessages &m_messages;
    const ProgressCallback &m_progress;
    RowFormatter m_formatter;
    std::string m_name;
    bool m_geojsonseq = false;
    std::unique_ptr<AtomicFile> m_rejects;
    std::unique_ptr<TableWriter> m_table;
    bool m_any_json_row = false;
    std::size_t m_invalid_utf8 = 0;
    LocateStreamResult m_result;
};

} // namespace

LocateStreamResult locate_stream(const BorderEngine &engine, const LocateStreamOptions &options,
                                 std::ostream &out, const LocateMessages &messages,
                                 const ProgressCallback &progress) {
    if (std::find(locate_formats.begin(), locate_formats.end(), options.format) ==
        locate_formats.end()) {
        throw UsageError("locate: unknown format '" + options.format + "'");
    }
    LocatePipeline pipeline(engine, options, out, messages, progress);
    return pipeline.run();
}

std::string locate_point(const BorderEngine &engine, const std::string &lon_text,
                         const std::string &lat_text, const std::string &format,
                         bool csv_raw_formulas, std::ostream &out) {
    double lon = 0.0;
    double lat = 0.0;
    const auto lon_error = check_coordinate(lon_text, false, lon);
    const auto lat_error = check_coordinate(lat_text, true, lat);
    if (lon_error || lat_error) {
        const double raw_lon = parse_double(lon_text).value_or(NAN);
        const double raw_lat = parse_double(lat_text).value_or(NAN);
        throw UsageError("locate: argument " + std::string(lon_error ? "LON" : "LAT") + ": " +
                         (lon_error ? *lon_error : *lat_error) +
                         lonlat_swap_hint(engine, raw_lon, raw_lat));
    }
    RowFormatter formatter(engine, format, csv_raw_formulas);
    formatter.set_columns({"lon", "lat"}, {0, 1});
    Batch batch;
    const std::string warning = formatter.place_row({lon_text, lat_text}, lon, lat, batch);
    if (format == "table") {
        TableWriter(formatter, out).write(batch.cells);
    } else if (format == "csv") {
        write_csv_record(out, formatter.out_header(), ',', formatter.formulas());
        out << batch.text;
    } else if (format == "json") {
        out << "[\n" << batch.text.substr(0, batch.text.size() - 2) << "\n]\n";
    } else if (format == "geojson") {
        out << "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n"
            << batch.text.substr(0, batch.text.size() - 2) << "\n  ]\n}\n";
    } else {
        out << batch.text;
    }
    out.flush();
    return warning;
}

} // namespace borderwatch
