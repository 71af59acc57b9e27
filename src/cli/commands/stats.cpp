// borderwatch stats: distance-to-border statistics of the stored incidents.
#include "cli/commands/stats.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/export/export.hpp>
#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/query/store_stats.hpp>
#include <borderwatch/stats/bands.hpp>
#include <borderwatch/stats/stats.hpp>
#include <borderwatch/store/store.hpp>

#include <algorithm>
#include <iostream>

namespace borderwatch::cli {

namespace {

class StatsCommandImpl final : public StatsCommand {
  public:
    void setup(CLI::App &app) override {
        app.add_option("--by", m_by,
                       "group by a comma-separated list of side, admin1, admin2, event_type, "
                       "month, band, sector, border (the border each row was placed against: "
                       "one group per border for a store imported with --border nearest; "
                       "default: no grouping)")
            ->type_name("KEYS");
        add_bands_option(app, m_bands, "distance bands of --by band");
        app.add_option("--sector-km", m_sector_km,
                       "length of the border sectors (chainage bins), km (default 50)")
            ->type_name("N");
        app.add_option("--border", m_border,
                       "border the chainages run along: the last sector ends at its end, as in "
                       "'export' (TJK-AFG default, TJK-CHN, AAA-BBB, nearest, or a line file); "
                       "a border of several lines and nearest: sectors per line, labelled "
                       "BORDER/PART:FROM-TO (USA-CAN/2:0-50), a row in its own border and part")
            ->type_name("ID");
        add_store_option(app, m_store);
        add_format_option(app, m_format, {"table", "csv", "json", "markdown"},
                          "output format (default table)");
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        add_query_filter_options(app, m_filter);
        add_no_link_option(app, m_no_link);
        app.footer(
            "Per group: count, fatalities (sum of the best estimates), imprecise, and the border\n"
            "distance of the precisely located incidents in km: min, median, mean, p90, max.\n"
            "Counts are of events: rows that report one event (ACLED and UCDP codings of one\n"
            "clash, two reports entered twice) are linked into an event cluster and counted\n"
            "once, with the median of their best fatality estimates; see 'query --clusters'.\n\n"
            "Precision rule: a location known only to precision P has an uncertainty U(P)\n"
            "(1 exact: 0 km, 2 near a place: 10 km, 3 district: 25 km, 4 province and 5 area:\n"
            "100 km, 6 country: unbounded). An incident is put in a distance band (or border\n"
            "sector) only if the whole interval distance +- U lies inside it; otherwise it is\n"
            "counted as 'imprecise' and left out of the distance statistics.\n"
            "The export's statistics layers (border_sectors, distance_bands, admin_stats) are\n"
            "these statistics: --by sector, side,band, side,admin1 and side,admin1,admin2.\n\n"
            "Examples:\n"
            "  borderwatch stats --by side,band\n"
            "  borderwatch stats --by sector --sector-km 100 --format markdown\n"
            "  borderwatch stats --by admin2,month --side TJK --format csv\n"
            "  borderwatch stats --by border,side   (a world file imported with --border "
            "nearest)\n\n" +
            exit_status_footer());
    }

    void validate() override {
        m_options.by = parse_stats_keys(m_by);
        if (!m_bands.empty()) {
            m_options.band_edges_km = parse_band_edges(m_bands);
        }
        if (!(m_sector_km > 0)) {
            throw UsageError("stats: --sector-km must be > 0");
        }
        m_options.sector_km = m_sector_km;
        validate_filter_spec(m_filter);
    }

    int run() override {
        const auto filter = m_filter.empty() ? QueryFilter{}
                                             : resolve_filter_reporting(m_filter, globals().geodata,
                                                                        "stats", globals());
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store,
                                      StoreOpenOptions{false, false});
        if (std::find(m_options.by.begin(), m_options.by.end(), StatsKey::sector) !=
            m_options.by.end()) {
            use_border_sectors(m_options, resolve_border_geometry(m_border, globals().geodata));
        }
        ProgressRenderer progress(globals(), "stats:");
        StoreStatsOptions options;
        options.stats = m_options;
        options.link.automatic = !m_no_link;
        const auto table = compute_store_stats(*store, filter, options, progress.callback());
        progress.clear();
        std::cout << format_stats(table, m_format,
                                  m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise);
        std::cout.flush();
        warn_text_repairs(*store, globals());
        return exit_ok;
    }

    const StatsOptions &options() const override { return m_options; }
    const FilterSpec &filter() const override { return m_filter; }
    const std::string &format() const override { return m_format; }

  private:
    std::string m_by;
    std::string m_bands;
    std::string m_border = "TJK-AFG";
    double m_sector_km = 50.0;
    std::string m_store;
    std::string m_format = "table";
    bool m_csv_raw_formulas = false;
    bool m_no_link = false;
    FilterSpec m_filter;
    StatsOptions m_options;
};

} // namespace

std::unique_ptr<Command> make_stats_command() {
    return std::make_unique<StatsCommandImpl>();
}

} // namespace borderwatch::cli
