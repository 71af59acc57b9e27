#pragma once
// Options and helpers shared by the incident commands (import, delete, query, stats).

#include "cli/command.hpp"

#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>
#include <string>

namespace borderwatch::cli {

/// --store SPEC (default $BORDERWATCH_STORE or ./borderwatch.gpkg).
inline void add_store_option(CLI::App &app, std::string &store) {
    app.add_option("--store", store,
                   "incident store: FILE.gpkg or PG:\"dbname=...\" / postgresql://... "
                   "(default $BORDERWATCH_STORE, else borderwatch.gpkg in the current directory)")
        ->type_name("SPEC");
}

/// Once per run, after the output: "warning: N text values in the store were not valid ...
/// and were replaced (first: ...)" when the store had to repair text (unless -q).
inline void warn_text_repairs(const IncidentStore &store, const GlobalOptions &globals) {
    const auto warning = store.text_repairs().warning();
    if (!warning.empty() && !globals.quiet) {
        std::cerr << "warning: " << warning << '\n';
    }
}

/// resolve_filter_spec(), printing its warnings ("--near: 'Ishkashim' is ambiguous; used
/// ...") on stderr as "COMMAND: warning: ..." unless -q.
inline QueryFilter resolve_filter_reporting(const FilterSpec &spec,
                                            const std::filesystem::path &geodata,
                                            const char *command, const GlobalOptions &globals) {
    std::vector<std::string> warnings;
    auto filter = resolve_filter_spec(spec, geodata, &warnings);
    if (!globals.quiet) {
        for (const auto &w : warnings) {
            std::cerr << command << ": warning: " << w << '\n';
        }
    }
    return filter;
}

/// The query filter options, identical in query, stats and export.
inline void add_query_filter_options(CLI::App &app, FilterSpec &spec) {
    const char *group = "Filters (all combinable)";
    app.add_option("--within-km", spec.within_km, "only incidents within N km of the border")
        ->type_name("N")
        ->group(group);
    app.add_option("--beyond-km", spec.beyond_km, "only incidents at least N km from the border")
        ->type_name("N")
        ->group(group);
    app.add_option("--side", spec.side,
                   "only incidents in this country (TJK, AFG or the country name, any case)")
        ->type_name("ISO3")
        ->group(group);
    app.add_option("--admin1", spec.admin1,
                   "only this region/province, any spelling (\"Khatron\"); repeatable")
        ->type_name("NAME")
        ->group(group);
    app.add_option("--admin2", spec.admin2, "only this district, any spelling; repeatable")
        ->type_name("NAME")
        ->group(group);
    app.add_option("--near", spec.near,
                   "only incidents near a place (name or LON,LAT), geodesic; a bare name is the "
                   "town; an ambiguous name is warned about on stderr with the place used")
        ->type_name("PLACE")
        ->group(group);
    app.add_option("--km", spec.near_km, "radius for --near, km (default 25)")
        ->type_name("N")
        ->group(group);
    app.add_option("--bbox", spec.bbox, "only incidents inside W,S,E,N (degrees)")
        ->type_name("W,S,E,N")
        ->group(group);
    app.add_option("--from", spec.from_date,
                   "only incidents on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD; date ranges "
                   "overlapping)")
        ->type_name("DATE")
        ->group(group);
    app.add_option("--to", spec.to_date, "only incidents on or before DATE")
        ->type_name("DATE")
        ->group(group);
    app.add_option("--type", spec.event_types, "only this event type or sub-type; repeatable")
        ->type_name("TYPE")
        ->group(group);
    app.add_option("--min-fatalities", spec.min_fatalities,
                   "only incidents with at least N fatalities (best estimate)")
        ->type_name("N")
        ->group(group);
    app.add_option("--precision-max", spec.precision_max,
                   "only incidents located at least this precisely (1 exact place, 2 near, "
                   "3 district, 4 province, 6 country)")
        ->type_name("P")
        ->group(group);
}

} // namespace borderwatch::cli
