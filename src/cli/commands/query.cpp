// borderwatch query: stream the incidents matching the filters to stdout.
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/query/write_results.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

class QueryCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        add_store_option(app, m_store);
        add_format_option(app, m_format, query_formats,
                          "output format (default: table on a terminal, csv otherwise)");
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        add_query_filter_options(app, m_filter);
        add_no_link_option(app, m_no_link);
        app.add_flag("--clusters", m_clusters,
                     "only the rows of events reported by two or more rows (event clusters), "
                     "grouped by event_cluster");
        app.footer(
            "Prints the matching incidents ordered by id: every field (csv, json, geojson with\n"
            "the placed point as geometry) or a summary (table). csv/json/geojson rows end with\n"
            "event_cluster and cluster_size: rows reporting one event (same place within their\n"
            "uncertainty, overlapping dates, compatible type, or an explicit same_as) share\n"
            "one event_cluster, the smallest id among them (docs/incident-schema.md, \"Event\n"
            "clusters\"). Names given to --admin1,\n"
            "--admin2 and --near are resolved through the gazetteer, so any spelling works.\n"
            "Text the store holds that is not valid UTF-8 (or holds NUL / control characters,\n"
            "e.g. after edits by another tool) is replaced and counted in one warning.\n\n"
            "Examples:\n"
            "  borderwatch query --within-km 5 --side TJK\n"
            "  borderwatch query --admin2 \"Shamsiddin Shokhin\" --from 2025-12 --format json\n"
            "  borderwatch query --near Darvoz --km 30 --format geojson > near_darvoz.geojson\n"
            "  borderwatch query --clusters --from 2025-11                     # linked rows\n\n" +
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
        QueryOutputOptions options;
        options.format = m_format;
        if (options.format.empty()) {
            options.format = stdout_is_terminal() ? "table" : "csv";
        }
        options.csv_formulas = m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
        options.link.automatic = !m_no_link;
        options.clusters_only = m_clusters;
        ProgressRenderer progress(globals(), "query:");
        write_query_results(*store, filter, options, std::cout, progress.callback());
        progress.clear();
        warn_text_repairs(*store, globals());
        return exit_ok;
    }

  private:
    std::string m_store;
    std::string m_format;
    bool m_csv_raw_formulas = false;
    bool m_no_link = false;
    bool m_clusters = false;
    FilterSpec m_filter;
};

} // namespace

std::unique_ptr<Command> make_query_command() {
    return std::make_unique<QueryCommand>();
}

} // namespace borderwatch::cli
