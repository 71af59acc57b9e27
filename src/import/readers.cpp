// Incident file readers: native CSV, GeoJSON, ACLED CSV (pre-2023 and current layouts),
// UCDP GED CSV. Each turns one input record into the reported fields of an Incident.
#include <borderwatch/core/civil_date.hpp>
#include <borderwatch/import/import.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/sources.hpp>

#include "incidents/field_visit.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace borderwatch {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto &c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Years an incident date may have, in every form (day, month, year): the same bound for all,
// so a start date always re-parses (fuzz_date found "2201" accepted as a year while
// "2201-01-01" was refused).
bool in_year_range(int y) {
    return y >= 1900 && y <= 2200;
}

int days_in_month(int y, int m) {
    static constexpr int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

std::string ymd(int y, int m, int d) {
    if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        return buf;
    }
    // Hot path of every import (two dates per row): no printf.
    std::string out = "0000-00-00";
    out[0] = static_cast<char>('0' + y / 1000);
    out[1] = static_cast<char>('0' + y / 100 % 10);
    out[2] = static_cast<char>('0' + y / 10 % 10);
    out[3] = static_cast<char>('0' + y % 10);
    out[5] = static_cast<char>('0' + m / 10);
    out[6] = static_cast<char>('0' + m % 10);
    out[8] = static_cast<char>('0' + d / 10);
    out[9] = static_cast<char>('0' + d % 10);
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
    int v = 0;
    for (const char c : s) {
        v = v * 10 + (c - '0');
    }
    return v;
}

int month_number(std::string_view name) {
    static constexpr std::array<std::string_view, 12> months = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    const auto l = lower(name);
    for (std::size_t i = 0; i < months.size(); ++i) {
        if (l == months[i] || (l.size() >= 3 && months[i].substr(0, l.size()) == l &&
                               (l.size() == 3 || l == months[i]))) {
            return static_cast<int>(i) + 1;
        }
    }
    return 0;
}

[[noreturn]] void fail(std::string_view field, const std::string &message) {
    throw InputError(SourceLocation{{}, 0, 0, std::string(field)}, message);
}

// --- typed field parsing ------------------------------------------------------------------

std::optional<double> opt_real(std::string_view text, std::string_view field, double lo,
                               double hi) {
    const auto t = trim(text);
    if (t.empty()) {
        return std::nullopt;
    }
    const auto v = parse_double(t);
    if (!v || !std::isfinite(*v)) {
        fail(field, "'" + std::string(t) + "' is not a number");
    }
    if (*v < lo || *v > hi) {
        fail(field, "value '" + std::string(t) + "' is outside [" + format_double(lo) + ", " +
                        format_double(hi) + "]");
    }
    return v;
}

/// UCDP's geom_wkt and its latitude/longitude are the same point written twice; they may
/// differ by rounding (4 decimals in some releases), never by more.
constexpr double k_wkt_agreement_deg = 1e-4;

/// A WKT point "POINT (lon lat)" (any case, optional space before '('), nothing else: no Z,
/// no third number, no text after ')'. nullopt when the field is empty.
std::optional<std::pair<double, double>> parse_wkt_point(std::string_view text) {
    const auto wkt = trim(text);
    if (wkt.empty()) {
        return std::nullopt;
    }
    auto bad = [&]() {
        fail("geom_wkt", "'" + std::string(wkt) + "' is not a WKT POINT (lon lat)");
    };
    if (wkt.size() < 5 || lower(wkt.substr(0, 5)) != "point") {
        bad();
    }
    const auto open = wkt.find('(');
    if (open == std::string_view::npos || !trim(wkt.substr(5, open - 5)).empty() ||
        wkt.back() != ')') {
        bad();
    }
    const auto inner = trim(wkt.substr(open + 1, wkt.size() - open - 2));
    const auto space = inner.find_first_of(" \t");
    if (space == std::string_view::npos) {
        bad();
    }
    const auto a = inner.substr(0, space);
    const auto b = trim(inner.substr(space));
    if (b.find_first_of(" \t(),") != std::string_view::npos) {
        bad();
    }
    const auto lon = opt_real(a, "geom_wkt", -180, 180);
    const auto lat = opt_real(b, "geom_wkt", -90, 90);
    if (!lon || !lat) {
        bad();
    }
    return std::pair{*lon, *lat};
}

std::optional<std::int64_t> opt_int64(std::string_view text, std::string_view field,
                                      std::int64_t lo, std::int64_t hi) {
    const auto t = trim(text);
    if (t.empty()) {
        return std::nullopt;
    }
    auto v = parse_int(t);
    if (!v) {
        const auto d = parse_double(t); // "3.0" from spreadsheets
        if (d && std::isfinite(*d) && *d == std::floor(*d) && std::fabs(*d) < 9e15) {
            v = static_cast<std::int64_t>(*d);
        }
    }
    if (!v) {
        fail(field, "'" + std::string(t) + "' is not an integer");
    }
    if (*v < lo || *v > hi) {
        fail(field, "value '" + std::string(t) + "' is outside [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "]");
    }
    return v;
}

std::optional<int> opt_int(std::string_view text, std::string_view field, int lo, int hi) {
    const auto v = opt_int64(text, field, lo, hi); // within [lo, hi]: fits an int
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

void set_dates(Incident &x, std::string_view start_text, std::string_view end_text,
               std::string_view start_field, std::string_view end_field) {
    const auto start = parse_incident_date(start_text);
    if (!start) {
        fail(start_field, trim(start_text).empty()
                              ? std::string("missing date")
                              : "'" + std::string(trim(start_text)) +
                                    "' is not a date (YYYY-MM-DD or DD Month YYYY)");
    }
    x.event_date = start->start;
    x.event_date_end = start->end;
    x.date_precision = start->precision;
    if (!trim(end_text).empty()) {
        const auto end = parse_incident_date(end_text);
        if (!end) {
            fail(end_field, "'" + std::string(trim(end_text)) + "' is not a date");
        }
        if (end->end < x.event_date) {
            fail(end_field, "end date " + end->end + " is before the start date " + x.event_date);
        }
        x.event_date_end = end->end;
        if (x.event_date_end != x.event_date && x.date_precision == DatePrecision::day) {
            x.date_precision = DatePrecision::range;
        }
    }
}

void check_coordinates(Incident &x, std::string_view lon_field, std::string_view lat_field) {
    if (x.lon.has_value() != x.lat.has_value()) {
        fail(x.lon ? lat_field : lon_field, "missing (both coordinates or neither)");
    }
    if (x.lon && x.lat && *x.lon == 0.0 && *x.lat == 0.0) {
        fail(lon_field, "coordinates 0,0 (null island) are not a location");
    }
}

void require_id(const Incident &x, std::string_view field) {
    if (x.id.empty()) {
        fail(field, "missing id");
    }
}

// --- the source's own columns (Incident fields from detail::k_first_extra_index on) --------

/// A reported extra field read from a column of the same name.
struct ExtraColumn {
    std::size_t field;  ///< index in incident_fields()
    std::size_t column; ///< index in the header
};

/// The reported extra fields that @p header has a column for, except those in @p skip (read
/// by the format's own rules).
std::vector<ExtraColumn> extra_columns(const std::vector<std::string> &header,
                                       std::initializer_list<std::string_view> skip) {
    std::vector<ExtraColumn> out;
    const auto &fields = incident_fields();
    for (std::size_t i = detail::k_first_extra_index; i < detail::k_updated_at_index; ++i) {
        const auto &f = fields[i];
        if (f.derived || std::find(skip.begin(), skip.end(), f.name) != skip.end()) {
            continue;
        }
        if (const auto col = find_column(header, {f.name})) {
            out.push_back({i, *col});
        }
    }
    return out;
}

/// The valid range of an integer source column (documented in docs/incident-schema.md).
std::pair<std::int64_t, std::int64_t> extra_range(std::string_view name) {
    if (name == "type_of_violence") {
        return {1, 3};
    }
    if (name == "active_year") {
        return {0, 1};
    }
    if (name == "event_clarity") {
        return {1, 2};
    }
    if (name == "year") {
        return {1900, 2200};
    }
    if (name.substr(0, 7) == "deaths_" || name == "number_of_sources") {
        return {0, 1000000};
    }
    if (name == "timestamp") {
        return {0, std::numeric_limits<std::int64_t>::max()};
    }
    return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
}

void read_extra_columns(const std::vector<std::string> &r, const std::vector<ExtraColumn> &cols,
                        Incident &x) {
    const auto &fields = incident_fields();
    for (const auto &c : cols) {
        const auto &m = detail::k_extra_members[c.field - detail::k_first_extra_index];
        const auto text = c.column < r.size() ? trim(r[c.column]) : std::string_view{};
        if (m.text != nullptr) {
            (x.*m.text).assign(text);
            continue;
        }
        const auto name = fields[c.field].name;
        if (name == "active_year") {
            // UCDP writes TRUE / FALSE; stored as 1 / 0.
            const auto l = lower(text);
            if (l == "true") {
                x.*m.integer = 1;
                continue;
            }
            if (l == "false") {
                x.*m.integer = 0;
                continue;
            }
        }
        const auto [lo, hi] = extra_range(name);
        x.*m.integer = opt_int64(text, name, lo, hi);
    }
}

// --- CSV readers ---------------------------------------------------------------------------

using Cols = std::vector<std::string>;

/// Column lookup by any of several names.
struct Columns {
    const Cols *header = nullptr;
    [[nodiscard]] std::optional<std::size_t>
    find(std::initializer_list<std::string_view> names) const {
        return find_column(*header, names);
    }
};

std::string_view get(const Cols &row, const std::optional<std::size_t> &col) {
    return col && *col < row.size() ? std::string_view(row[*col]) : std::string_view{};
}

class CsvIncidentReader final : public IncidentReader {
  public:
    /// Fills the reported fields of a default-constructed Incident (in place: no moves).
    using Convert = std::function<void(const Cols &, Incident &)>;

    CsvIncidentReader(std::unique_ptr<std::istream> owned, std::istream &in, std::string file,
                      IncidentFormat format, const TextInputOptions &text = {})
        : m_owned(std::move(owned)),
          m_csv(in, file, text.delimiter == 0 ? CsvReader::detect_separator : text.delimiter),
          m_file(std::move(file)), m_format(format), m_encoding_given(!text.encoding.empty()) {
        auto header = m_csv.next();
        if (!header) {
            throw InputError(SourceLocation{m_file, 1, 0, {}}, "empty file (no header)");
        }
        m_header_line = header->line;
        m_header = header->fields;
        for (auto &h : m_header) {
            h = std::string(trim(h));
        }
        if (m_format == IncidentFormat::auto_detect) {
            const auto detected = detect_csv_format(m_header);
            if (!detected) {
                throw InputError(SourceLocation{m_file, 1, 0, {}},
                                 "cannot tell the format from the header (expected native "
                                 "columns id,event_date,..., an ACLED export or UCDP GED); "
                                 "use --format" +
                                     std::string(m_header.size() == 1
                                                     ? " (the header has one column: if the "
                                                       "file is delimited by another character, "
                                                       "use --delimiter)"
                                                     : ""));
            }
            m_format = *detected;
        }
        setup();
    }

    std::optional<InputRecord> next() override {
        std::optional<InputRecord> out(std::in_place);
        if (!read(out->incident, out->line, out->raw)) {
            return std::nullopt;
        }
        out->file = m_file;
        return out;
    }

    bool read(Incident &incident, std::size_t &line, std::vector<std::string> &raw) override {
        m_last.clear();
        if (!m_csv.next(m_record)) {
            if (m_records == 0 && !m_reported_empty) {
                // A non-empty file never ends in a silent "0 of 0 rows".
                m_reported_empty = true;
                throw InputError(SourceLocation{m_file, m_header_line, 0, {}},
                                 "no data rows: the file has a header line but no records");
            }
            return false;
        }
        ++m_records;
        try {
            if (m_record.fields.size() != m_header.size()) {
                fail("", "has " + std::to_string(m_record.fields.size()) +
                             " fields, the header has " + std::to_string(m_header.size()));
            }
            // The one text rule (core/utf8): a bad byte rejects its row here, so no store and
            // no later export ever holds it.
            for (std::size_t i = 0; i < m_record.fields.size(); ++i) {
                if (const auto issue = find_text_issue(m_record.fields[i])) {
                    m_utf8_rejects += issue->kind == TextIssueKind::invalid_utf8 ? 1 : 0;
                    fail(m_header[i], describe_text_issue(*issue));
                }
            }
            reset_incident(incident);
            m_convert(m_record.fields, incident);
            line = m_record.line;
            // The caller's previous raw fields become the parse buffer for the next record.
            std::swap(raw, m_record.fields);
            return true;
        } catch (const InputError &e) {
            m_last = m_record.fields; // for last_raw(): only rejected rows are kept
            throw InputError(SourceLocation{m_file, m_record.line, 0, e.location().field},
                             e.message());
        }
    }

    IncidentFormat format() const noexcept override { return m_format; }
    std::vector<std::string> last_raw() const override { return m_last; }

    std::string hint() const override {
        // (Almost) every row failed the UTF-8 rule: the file is in another encoding.
        return m_encoding_given ? std::string() : encoding_hint(m_file, m_utf8_rejects, m_records);
    }

  private:
    void setup();

    std::unique_ptr<std::istream> m_owned;
    CsvReader m_csv;
    std::string m_file;
    IncidentFormat m_format;
    bool m_encoding_given = false;
    std::size_t m_header_line = 1;
    std::size_t m_records = 0;      ///< data records read (good and bad)
    std::size_t m_utf8_rejects = 0; ///< of them, rejected for invalid UTF-8
    bool m_reported_empty = false;
    Cols m_header;
    Cols m_last;
    Convert m_convert;
    CsvRecord m_record; ///< parse buffer of read()
};

void CsvIncidentReader::setup() {
    const Columns c{&m_header};
    const auto need = [&](std::initializer_list<std::string_view> names) {
        auto col = c.find(names);
        if (!col) {
            throw InputError(SourceLocation{m_file, 1, 0, std::string(*names.begin())},
                             "required column missing for format " +
                                 std::string(to_string(m_format)));
        }
        return col;
    };
    switch (m_format) {
    case IncidentFormat::native: {
        // Every reported field by its schema name, with ACLED-like aliases. Derived columns
        // (a file exported by borderwatch) are ignored: placement recomputes them.
        struct Map {
            std::optional<std::size_t> id, date, date_end, date_prec, type, sub, a1, a2, target,
                fat, fat_low, fat_high, location, country, adm1, adm2, lon, lat, geo_prec, source,
                url, notes;
        } m;
        m.id = need({"id", "event_id_cnty", "event_id"});
        m.date = need({"event_date", "date", "date_start"});
        m.date_end = c.find({"event_date_end", "date_end"});
        m.date_prec = c.find({"date_precision", "time_precision"});
        m.type = c.find({"event_type"});
        m.sub = c.find({"sub_event_type"});
        m.a1 = c.find({"actor1"});
        m.a2 = c.find({"actor2"});
        m.target = c.find({"target"});
        m.fat = c.find({"fatalities_best", "fatalities", "best"});
        m.fat_low = c.find({"fatalities_low", "low"});
        m.fat_high = c.find({"fatalities_high", "high"});
        m.location = c.find({"location_text", "location"});
        m.country = c.find({"country_text", "country"});
        const bool exported = c.find({"admin1_text"}).has_value();
        m.adm1 = exported ? c.find({"admin1_text"}) : c.find({"admin1"});
        m.adm2 = exported ? c.find({"admin2_text"}) : c.find({"admin2"});
        m.lon = c.find({"lon", "longitude"});
        m.lat = c.find({"lat", "latitude"});
        m.geo_prec = c.find({"geo_precision", "where_prec"});
        m.source = c.find({"source_name", "source"});
        m.url = c.find({"source_url", "url"});
        m.notes = c.find({"notes"});
        const std::string lon_name = m.lon ? m_header[*m.lon] : "lon";
        const std::string lat_name = m.lat ? m_header[*m.lat] : "lat";
        const auto extras = extra_columns(m_header, {});
        m_convert = [m, lon_name, lat_name, extras, this](const Cols &r, Incident &x) {
            x.id.assign(trim(get(r, m.id)));
            require_id(x, m_header[*m.id]);
            set_dates(x, get(r, m.date), get(r, m.date_end), m_header[*m.date],
                      m.date_end ? std::string_view(m_header[*m.date_end]) : "event_date_end");
            if (const auto p = trim(get(r, m.date_prec)); !p.empty()) {
                const auto dp = parse_date_precision(p);
                if (!dp) {
                    fail(m_header[*m.date_prec],
                         "'" + std::string(p) + "' is not one of day, week, month, range, year");
                }
                x.date_precision = *dp;
            }
            widen_to_date_precision(x);
            x.event_type.assign(trim(get(r, m.type)));
            x.sub_event_type.assign(trim(get(r, m.sub)));
            x.actor1.assign(trim(get(r, m.a1)));
            x.actor2.assign(trim(get(r, m.a2)));
            x.target.assign(trim(get(r, m.target)));
            const std::string_view fat_name = m.fat ? std::string_view(m_header[*m.fat]) : "";
            x.fatalities_best = opt_int(get(r, m.fat), fat_name, 0, 1000000);
            x.fatalities_low = opt_int(get(r, m.fat_low), "fatalities_low", 0, 1000000);
            x.fatalities_high = opt_int(get(r, m.fat_high), "fatalities_high", 0, 1000000);
            if (x.fatalities_low && x.fatalities_high && *x.fatalities_low > *x.fatalities_high) {
                fail("fatalities_low", "low estimate is above the high estimate");
            }
            x.location_text.assign(trim(get(r, m.location)));
            x.country_text.assign(trim(get(r, m.country)));
            x.admin1_text.assign(trim(get(r, m.adm1)));
            x.admin2_text.assign(trim(get(r, m.adm2)));
            x.lon = opt_real(get(r, m.lon), lon_name, -180, 180);
            x.lat = opt_real(get(r, m.lat), lat_name, -90, 90);
            check_coordinates(x, lon_name, lat_name);
            x.geo_precision = opt_int(get(r, m.geo_prec), "geo_precision", 1, 7);
            x.source_name.assign(trim(get(r, m.source)));
            x.source_url.assign(trim(get(r, m.url)));
            x.notes.assign(trim(get(r, m.notes)));
            read_extra_columns(r, extras, x); // source_dataset as given: "" for native rows
        };
        break;
    }
    case IncidentFormat::acled: {
        // Current layout (2023+) and the pre-2023 one differ in extra columns (data_id,
        // event_id_no_cnty, iso3 / disorder_type, civilian_targeting, tags) and the date form
        // ("26 November 2025" vs 2025-11-26); the columns we need exist in both.
        struct Map {
            std::optional<std::size_t> id, date, tp, type, sub, a1, a2, assoc2, civ, country, adm1,
                adm2, location, lat, lon, gp, source, notes, fat;
        } m;
        m.id = need({"event_id_cnty"});
        m.date = need({"event_date"});
        m.tp = c.find({"time_precision"});
        m.type = c.find({"event_type"});
        m.sub = c.find({"sub_event_type"});
        m.a1 = c.find({"actor1"});
        m.a2 = c.find({"actor2"});
        m.assoc2 = c.find({"assoc_actor_2"});
        m.civ = c.find({"civilian_targeting"});
        m.country = c.find({"country"});
        m.adm1 = c.find({"admin1"});
        m.adm2 = c.find({"admin2"});
        m.location = c.find({"location"});
        m.lat = c.find({"latitude"});
        m.lon = c.find({"longitude"});
        m.gp = c.find({"geo_precision"});
        m.source = c.find({"source"});
        m.notes = c.find({"notes"});
        m.fat = c.find({"fatalities"});
        // Every other ACLED column (disorder_type, inter1, timestamp, ...) has a field of its
        // own name.
        const auto extras = extra_columns(m_header, {"source_dataset", "source_version"});
        m_convert = [m, extras](const Cols &r, Incident &x) {
            x.id.assign(trim(get(r, m.id)));
            require_id(x, "event_id_cnty");
            set_dates(x, get(r, m.date), {}, "event_date", "event_date");
            // time_precision 1 day, 2 week, 3 month: the coded date stands for its week or
            // month, stored as that range (so date filters find the row).
            if (const auto tp = opt_int(get(r, m.tp), "time_precision", 1, 3)) {
                x.date_precision = static_cast<DatePrecision>(*tp);
            }
            widen_to_date_precision(x);
            x.event_type.assign(trim(get(r, m.type)));
            x.sub_event_type.assign(trim(get(r, m.sub)));
            x.actor1.assign(trim(get(r, m.a1)));
            x.actor2.assign(trim(get(r, m.a2)));
            // ACLED has no target column: the associated actor of side 2, or the second
            // actor when ACLED marks the event as civilian targeting.
            x.target.assign(trim(get(r, m.assoc2)));
            if (x.target.empty() && !trim(get(r, m.civ)).empty()) {
                x.target = x.actor2;
            }
            x.country_text.assign(trim(get(r, m.country)));
            x.admin1_text.assign(trim(get(r, m.adm1)));
            x.admin2_text.assign(trim(get(r, m.adm2)));
            x.location_text.assign(trim(get(r, m.location)));
            x.lat = opt_real(get(r, m.lat), "latitude", -90, 90);
            x.lon = opt_real(get(r, m.lon), "longitude", -180, 180);
            check_coordinates(x, "longitude", "latitude");
            // ACLED geo_precision 1 town, 2 near a town / small part of a region, 3 region
            // (province) → where_prec 1, 2, 4.
            if (const auto gp = opt_int(get(r, m.gp), "geo_precision", 1, 3)) {
                x.geo_precision = *gp == 3 ? 4 : *gp;
            }
            x.source_name.assign(trim(get(r, m.source)));
            x.notes.assign(trim(get(r, m.notes)));
            x.fatalities_best = opt_int(get(r, m.fat), "fatalities", 0, 1000000);
            read_extra_columns(r, extras, x);
            x.source_dataset = k_dataset_acled;
        };
        break;
    }
    case IncidentFormat::ucdp: {
        struct Map {
            std::optional<std::size_t> id, side_a, side_b, where_prec, where_coord, adm1, adm2, lat,
                lon, wkt, country, date_prec, start, end, best, low, high, office, version;
        } m;
        m.id = need({"id"});
        m.side_a = c.find({"side_a"});
        m.side_b = c.find({"side_b"});
        m.where_prec = c.find({"where_prec"});
        m.where_coord = c.find({"where_coordinates"});
        m.adm1 = c.find({"adm_1"});
        m.adm2 = c.find({"adm_2"});
        m.lat = c.find({"latitude"});
        m.lon = c.find({"longitude"});
        m.wkt = c.find({"geom_wkt"});
        m.country = c.find({"country"});
        m.date_prec = c.find({"date_prec"});
        m.start = need({"date_start"});
        m.end = c.find({"date_end"});
        m.best = need({"best"});
        m.low = c.find({"low"});
        m.high = c.find({"high"});
        m.office = c.find({"source_office"});
        m.version = c.find({"version", "source_version"});
        // Every other GED column (relid, conflict_name, deaths_a, where_description, ...) has
        // a field of its own name.
        const auto extras = extra_columns(m_header, {"source_dataset", "source_version"});
        m_convert = [m, extras](const Cols &r, Incident &x) {
            const auto raw_id = std::string(trim(get(r, m.id)));
            if (raw_id.empty()) {
                fail("id", "missing id");
            }
            // Prefixed so UCDP ids never collide with ACLED or native ids in one store.
            x.id = "UCDP-" + raw_id;
            set_dates(x, get(r, m.start), get(r, m.end), "date_start", "date_end");
            // date_prec 1 exact day, 2 within 2-6 days, 3 within a month, 4 within
            // 1-12 months, 5 within a year.
            if (const auto dp = opt_int(get(r, m.date_prec), "date_prec", 1, 5)) {
                x.date_precision = static_cast<DatePrecision>(*dp);
            }
            read_extra_columns(r, extras, x); // type_of_violence checked 1..3 there
            if (x.type_of_violence) {
                // The ACLED taxonomy, so event types compare across sources; the UCDP
                // value stays in type_of_violence.
                if (const auto t = acled_event_type_for_ucdp(*x.type_of_violence)) {
                    x.event_type.assign(t->event_type);
                    x.sub_event_type.assign(t->sub_event_type);
                }
            }
            x.actor1.assign(trim(get(r, m.side_a)));
            x.actor2.assign(trim(get(r, m.side_b)));
            x.location_text.assign(trim(get(r, m.where_coord)));
            x.source_version.assign(trim(get(r, m.version)));
            x.source_dataset = k_dataset_ucdp;
            x.admin1_text.assign(trim(get(r, m.adm1)));
            x.admin2_text.assign(trim(get(r, m.adm2)));
            x.country_text.assign(trim(get(r, m.country)));
            x.lat = opt_real(get(r, m.lat), "latitude", -90, 90);
            x.lon = opt_real(get(r, m.lon), "longitude", -180, 180);
            if (const auto point = parse_wkt_point(get(r, m.wkt))) {
                if (!x.lon && !x.lat) {
                    x.lon = point->first;
                    x.lat = point->second;
                } else if (x.lon && x.lat &&
                           (std::abs(*x.lon - point->first) > k_wkt_agreement_deg ||
                            std::abs(*x.lat - point->second) > k_wkt_agreement_deg)) {
                    // Both say where the event is and they disagree: neither can be trusted.
                    fail("geom_wkt", "'" + std::string(trim(get(r, m.wkt))) +
                                         "' disagrees with longitude/latitude " +
                                         format_double(*x.lon) + ", " + format_double(*x.lat));
                }
            }
            check_coordinates(x, "longitude", "latitude");
            x.geo_precision = opt_int(get(r, m.where_prec), "where_prec", 1, 7);
            x.fatalities_best = opt_int(get(r, m.best), "best", 0, 1000000);
            x.fatalities_low = opt_int(get(r, m.low), "low", 0, 1000000);
            x.fatalities_high = opt_int(get(r, m.high), "high", 0, 1000000);
            x.source_name.assign(trim(get(r, m.office)));
            if (x.source_name.empty()) {
                x.source_name = "UCDP GED";
            }
        };
        break;
    }
    default:
        throw UsageError("format '" + std::string(to_string(m_format)) + "' is not CSV");
    }
}

// --- GeoJSON -------------------------------------------------------------------------------

class GeoJsonIncidentReader final : public IncidentReader {
  public:
    GeoJsonIncidentReader(std::istream &in, std::string file) : m_file(std::move(file)) {
        m_doc = parse_json(in, m_file);
        if (!json_type_is(m_doc, "FeatureCollection") || !m_doc.contains("features") ||
            !m_doc["features"].is_array()) {
            throw InputError(SourceLocation{m_file, 0, 0, "type"},
                             "expected a GeoJSON FeatureCollection");
        }
    }

    std::optional<InputRecord> next() override {
        const auto &features = m_doc["features"];
        if (m_index >= features.size()) {
            if (features.empty() && !m_reported_empty) {
                m_reported_empty = true; // never a silent "0 of 0"
                throw InputError(SourceLocation{m_file, 0, 0, "features"},
                                 "no features: the FeatureCollection is empty");
            }
            return std::nullopt;
        }
        const auto &f = features[m_index++];
        m_last = {f.dump()};
        try {
            return convert(f);
        } catch (const InputError &e) {
            throw InputError(SourceLocation{m_file, m_index, 0, e.location().field}, e.message());
        }
    }
    IncidentFormat format() const noexcept override { return IncidentFormat::geojson; }
    std::vector<std::string> last_raw() const override { return m_last; }

  private:
    InputRecord convert(const nlohmann::json &f) {
        if (!f.is_object() || !f.contains("properties") || !f["properties"].is_object()) {
            fail("properties", "feature without a properties object");
        }
        // Properties use the native CSV names; the geometry, when present, gives lon/lat.
        Cols header;
        Cols row;
        for (const auto &[key, value] : f["properties"].items()) {
            header.push_back(key);
            if (value.is_null()) {
                row.emplace_back();
            } else if (value.is_string()) {
                // JSON escapes can still carry NUL and other controls (\u0000).
                const auto &text = value.get_ref<const std::string &>();
                if (const auto issue = find_text_issue(text)) {
                    fail(key, describe_text_issue(*issue));
                }
                row.push_back(text);
            } else if (value.is_number_integer()) {
                row.push_back(std::to_string(value.get<long long>()));
            } else if (value.is_number()) {
                row.push_back(format_double(value.get<double>()));
            } else {
                row.push_back(value.dump());
            }
        }
        // A borderwatch export records where its point came from (coord_origin): the
        // geometry is then the placement point (a gazetteer placement, rounded to 7
        // decimals), not reported coordinates, and the lon/lat properties are what was
        // reported. The geometry gives lon/lat only for other GeoJSON, or for a "given"
        // row whose lon/lat properties are missing.
        std::optional<CoordinateOrigin> origin;
        if (const auto col = find_column(header, {"coord_origin"})) {
            origin = parse_coordinate_origin(trim(row[*col]));
            if (!origin) {
                fail("coord_origin",
                     "'" + row[*col] + "' is not one of given, gazetteer (or empty)");
            }
        }
        const bool has_lonlat = find_column(header, {"lon", "longitude"}).has_value() &&
                                find_column(header, {"lat", "latitude"}).has_value();
        const bool use_geometry = !origin || *origin == CoordinateOrigin::none ||
                                  (*origin == CoordinateOrigin::given && !has_lonlat);
        if (use_geometry && f.contains("geometry") && !f["geometry"].is_null()) {
            const auto &g = f["geometry"];
            if (!json_type_is(g, "Point") || !g.contains("coordinates") ||
                !g["coordinates"].is_array() || g["coordinates"].size() < 2 ||
                !g["coordinates"][0].is_number() || !g["coordinates"][1].is_number()) {
                fail("geometry", "expected a Point geometry with [lon, lat]");
            }
            for (const char *k : {"lon", "lat", "longitude", "latitude"}) {
                if (auto col = find_column(header, {k})) {
                    header[*col] = std::string("_ignored_") + k;
                }
            }
            header.emplace_back("lon");
            row.push_back(format_double(g["coordinates"][0].get<double>()));
            header.emplace_back("lat");
            row.push_back(format_double(g["coordinates"][1].get<double>()));
        }
        // Reuse the native CSV conversion through an in-memory CSV.
        std::ostringstream csv;
        write_csv_record(csv, header);
        write_csv_record(csv, row);
        std::istringstream in(csv.str());
        CsvIncidentReader reader(nullptr, in, m_file, IncidentFormat::native);
        auto rec = reader.next();
        if (!rec) {
            fail("", "empty feature");
        }
        rec->line = m_index;
        rec->raw = m_last;
        return std::move(*rec);
    }

    std::string m_file;
    nlohmann::json m_doc;
    std::size_t m_index = 0;
    Cols m_last;
    bool m_reported_empty = false;
};

} // namespace

bool IncidentReader::read(Incident &incident, std::size_t &line, std::vector<std::string> &raw) {
    auto record = next();
    if (!record) {
        return false;
    }
    incident = std::move(record->incident);
    line = record->line;
    raw = std::move(record->raw);
    return true;
}

namespace {

bool ends_with_icase(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

} // namespace

std::optional<IncidentFormat> parse_incident_format(std::string_view name) noexcept {
    if (name == "auto") {
        return IncidentFormat::auto_detect;
    }
    if (name == "native") {
        return IncidentFormat::native;
    }
    if (name == "acled") {
        return IncidentFormat::acled;
    }
    if (name == "ucdp") {
        return IncidentFormat::ucdp;
    }
    if (name == "geojson") {
        return IncidentFormat::geojson;
    }
    return std::nullopt;
}

std::string_view to_string(IncidentFormat format) noexcept {
    switch (format) {
    case IncidentFormat::auto_detect:
        return "auto";
    case IncidentFormat::native:
        return "native";
    case IncidentFormat::acled:
        return "acled";
    case IncidentFormat::ucdp:
        return "ucdp";
    case IncidentFormat::geojson:
        return "geojson";
    }
    return "auto";
}

std::optional<IncidentFormat> detect_csv_format(const std::vector<std::string> &header) noexcept {
    auto has = [&](std::string_view name) { return find_column(header, {name}).has_value(); };
    if (has("event_id_cnty") && has("event_date") && has("fatalities") && has("geo_precision")) {
        return IncidentFormat::acled;
    }
    if (has("id") && has("best") && has("date_start") && (has("where_prec") || has("date_prec"))) {
        return IncidentFormat::ucdp;
    }
    if ((has("id") || has("event_id_cnty")) && (has("event_date") || has("date"))) {
        return IncidentFormat::native;
    }
    return std::nullopt;
}

std::optional<ParsedDate> parse_incident_date(std::string_view text) {
    text = trim(text);
    if (text.empty()) {
        return std::nullopt;
    }
    // Strip a time part: "2025-11-26 00:00:00.000" or "2025-11-26T..."
    if (text.size() > 10 && (text[10] == ' ' || text[10] == 'T') && text[4] == '-') {
        text = text.substr(0, 10);
    }
    int y = 0;
    int m = 0;
    int d = 0;
    ParsedDate out;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
        all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2))) {
        y = to_int(text.substr(0, 4));
        m = to_int(text.substr(5, 2));
        d = to_int(text.substr(8, 2));
    } else if (text.size() == 7 && text[4] == '-' && all_digits(text.substr(0, 4)) &&
               all_digits(text.substr(5, 2))) {
        y = to_int(text.substr(0, 4));
        m = to_int(text.substr(5, 2));
        if (!in_year_range(y) || m < 1 || m > 12) {
            return std::nullopt;
        }
        return ParsedDate{ymd(y, m, 1), ymd(y, m, days_in_month(y, m)), DatePrecision::month};
    } else if (text.size() == 4 && all_digits(text)) {
        y = to_int(text);
        if (!in_year_range(y)) {
            return std::nullopt;
        }
        return ParsedDate{ymd(y, 1, 1), ymd(y, 12, 31), DatePrecision::year};
    } else {
        // "26 November 2025" / "26 Nov 2025" / "26-Nov-2025"
        std::string t(text);
        std::replace(t.begin(), t.end(), '-', ' ');
        std::istringstream in(t);
        std::string ds;
        std::string ms;
        std::string ys;
        std::string rest;
        if (!(in >> ds >> ms >> ys) || (in >> rest) || !all_digits(ds) || !all_digits(ys) ||
            ys.size() != 4 || ds.size() > 2) {
            return std::nullopt;
        }
        d = to_int(ds);
        m = month_number(ms);
        y = to_int(ys);
    }
    if (!in_year_range(y) || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        return std::nullopt;
    }
    out.start = out.end = ymd(y, m, d);
    out.precision = DatePrecision::day;
    return out;
}

namespace {

/// "YYYY-MM-DD" of day number @p z (core/civil_date).
std::string date_from_days(long z) {
    int y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(z, y, m, d);
    return ymd(y, m, d);
}

} // namespace

std::optional<ParsedDate> date_range_for_precision(std::string_view date, DatePrecision precision) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !all_digits(date.substr(0, 4)) ||
        !all_digits(date.substr(5, 2)) || !all_digits(date.substr(8, 2))) {
        return std::nullopt;
    }
    const int y = to_int(date.substr(0, 4));
    const int m = to_int(date.substr(5, 2));
    const int d = to_int(date.substr(8, 2));
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        return std::nullopt;
    }
    switch (precision) {
    case DatePrecision::week: {
        const long days = days_from_civil(y, m, d);
        // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
        const long monday = days - (((days + 3) % 7) + 7) % 7;
        return ParsedDate{date_from_days(monday), date_from_days(monday + 6), precision};
    }
    case DatePrecision::month:
        return ParsedDate{ymd(y, m, 1), ymd(y, m, days_in_month(y, m)), precision};
    case DatePrecision::year:
        return ParsedDate{ymd(y, 1, 1), ymd(y, 12, 31), precision};
    case DatePrecision::day:
    case DatePrecision::range:
        break;
    }
    return ParsedDate{std::string(date), std::string(date), precision};
}

void widen_to_date_precision(Incident &x) {
    const auto p = x.date_precision;
    if ((p != DatePrecision::week && p != DatePrecision::month && p != DatePrecision::year) ||
        (!x.event_date_end.empty() && x.event_date_end != x.event_date)) {
        return;
    }
    if (auto r = date_range_for_precision(x.event_date, p)) {
        x.event_date = std::move(r->start);
        x.event_date_end = std::move(r->end);
    }
}

std::string RejectedRow::to_string() const {
    return SourceLocation{file, line, 0, field}.to_string() + " " + message;
}

std::unique_ptr<IncidentReader> open_incident_reader(const std::string &path, IncidentFormat format,
                                                     const TextInputOptions &text) {
    // Every file goes through TextInput: the encoding (or the UTF-16 check) applies to CSV
    // and GeoJSON alike.
    std::unique_ptr<std::istream> owned = std::make_unique<TextInput>(path, text.encoding);
    std::istream *in = owned.get();
    if (format == IncidentFormat::auto_detect) {
        if (ends_with_icase(path, ".geojson") || ends_with_icase(path, ".json")) {
            format = IncidentFormat::geojson;
        } else {
            // Sniff: a JSON document starts with '{' (after blanks / BOM).
            int c = in->peek();
            while (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                in->get();
                c = in->peek();
            }
            if (c == '{') {
                format = IncidentFormat::geojson;
            }
        }
    }
    if (format == IncidentFormat::geojson) {
        class Owning final : public IncidentReader {
          public:
            Owning(std::unique_ptr<std::istream> s, std::istream &in, const std::string &p)
                : m_stream(std::move(s)), m_reader(in, p) {}
            std::optional<InputRecord> next() override { return m_reader.next(); }
            IncidentFormat format() const noexcept override { return m_reader.format(); }
            std::vector<std::string> last_raw() const override { return m_reader.last_raw(); }

          private:
            std::unique_ptr<std::istream> m_stream;
            GeoJsonIncidentReader m_reader;
        };
        return std::make_unique<Owning>(std::move(owned), *in, path);
    }
    return std::make_unique<CsvIncidentReader>(std::move(owned), *in, path, format, text);
}

} // namespace borderwatch
