// borderwatch query: stream the incidents matching the filters to stdout.
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/store/store.hpp>

#include <nlohmann/json.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

nlohmann::ordered_json properties(const Incident &x) {
    nlohmann::ordered_json o;
    const auto &fields = incident_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto v = get_field(x, i);
        const std::string name(fields[i].name);
        if (std::holds_alternative<std::monostate>(v)) {
            o[name] = nullptr;
        } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
            o[name] = *n;
        } else if (const auto *d = std::get_if<double>(&v)) {
            o[name] = *d;
        } else {
            o[name] = std::get<std::string>(v);
        }
    }
    return o;
}

class QueryCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        add_store_option(app, m_store);
        add_format_option(app, m_format, {"table", "csv", "json", "geojson"},
                          "output format (default: table on a terminal, csv otherwise)");
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        add_query_filter_options(app, m_filter);
        app.footer(
            "Prints the matching incidents ordered by id: every field (csv, json, geojson with\n"
            "the placed point as geometry) or a summary (table). Names given to --admin1,\n"
            "--admin2 and --near are resolved through the gazetteer, so any spelling works.\n"
            "Text the store holds that is not valid UTF-8 (or holds NUL / control characters,\n"
            "e.g. after edits by another tool) is replaced and counted in one warning.\n\n"
            "Examples:\n"
            "  borderwatch query --within-km 5 --side TJK\n"
            "  borderwatch query --admin2 \"Shamsiddin Shokhin\" --from 2025-12 --format json\n"
            "  borderwatch query --near Darvoz --km 30 --format geojson > near_darvoz.geojson\n\n" +
            exit_status_footer());
    }

    void validate() override {
        validate_filter_spec(m_filter);
        if (m_filter.near_km && m_filter.near.empty()) {
            throw UsageError("query: --km needs --near");
        }
    }

    int run() override {
        const auto filter =
            resolve_filter_reporting(m_filter, globals().geodata, "query", globals());
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store,
                                      StoreOpenOptions{false, false});
        std::string format = m_format;
        if (format.empty()) {
            format = stdout_is_terminal() ? "table" : "csv";
        }
        auto &out = std::cout;
        const auto &fields = incident_fields();
        if (format == "csv") {
            std::vector<std::string> header;
            for (const auto &f : fields) {
                header.emplace_back(f.name);
            }
            const auto formulas = m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
            write_csv_record(out, header, ',', formulas);
            std::vector<std::string> row(fields.size());
            store->query(filter, [&](const Incident &x) {
                for (std::size_t i = 0; i < fields.size(); ++i) {
                    row[i] = field_text(get_field(x, i));
                }
                write_csv_record(out, row, ',', formulas);
            });
        } else if (format == "json" || format == "geojson") {
            const bool geo = format == "geojson";
            out << (geo ? "{\"type\":\"FeatureCollection\",\"features\":[" : "[");
            bool first = true;
            store->query(filter, [&](const Incident &x) {
                out << (first ? "\n" : ",\n");
                first = false;
                if (!geo) {
                    out << properties(x).dump();
                    return;
                }
                nlohmann::ordered_json f;
                f["type"] = "Feature";
                f["id"] = x.id;
                if (x.place_lon && x.place_lat) {
                    f["geometry"] = {{"type", "Point"},
                                     {"coordinates", {*x.place_lon, *x.place_lat}}};
                } else {
                    f["geometry"] = nullptr;
                }
                f["properties"] = properties(x);
                out << f.dump();
            });
            out << (geo ? "\n]}\n" : "\n]\n");
        } else {
            const std::vector<std::string> header = {"id",          "date", "event_type",
                                                     "location",    "side", "admin2",
                                                     "distance_km", "band", "fatalities"};
            std::vector<std::vector<std::string>> rows;
            store->query(filter, [&](const Incident &x) {
                rows.push_back(
                    {x.id, x.event_date, x.event_type, x.location_text, x.side, x.admin2,
                     x.border_distance_m ? format_fixed(*x.border_distance_m / 1000.0, 3) : "",
                     x.band, x.fatalities_best ? std::to_string(*x.fatalities_best) : ""});
            });
            // distance_km and fatalities are numbers: right-aligned.
            write_text_table(out, header, rows,
                             {false, false, false, false, false, false, true, false, true});
        }
        out.flush();
        warn_text_repairs(*store, globals());
        return exit_ok;
    }

  private:
    std::string m_store;
    std::string m_format;
    bool m_csv_raw_formulas = false;
    FilterSpec m_filter;
};

} // namespace

std::unique_ptr<Command> make_query_command() {
    return std::make_unique<QueryCommand>();
}

} // namespace borderwatch::cli
