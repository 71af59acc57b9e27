// One registration line per subcommand; each command lives in src/cli/commands/<name>.cpp.
// The quick commands are registered in cli/quick_commands.cpp.
#include "cli/commands/commands.hpp"
#include "cli/command.hpp"

namespace borderwatch::cli {

const std::vector<CommandInfo> &all_commands() {
    // The quick commands first (cli/quick_commands.cpp), then the rest, as --help lists them.
    static const std::vector<CommandInfo> commands = [] {
        std::vector<CommandInfo> all = quick_commands();
        all.insert(
            all.end(),
            {
                {"import",
                 "import incident files (native CSV/GeoJSON, ACLED, UCDP GED) into the store, "
                 "placed",
                 make_import_command},
                {"extract",
                 "news articles (text or HTML) to candidate incidents: dates, places, fatalities, "
                 "type",
                 make_extract_command},
                {"delete",
                 "remove incidents by id, id list (ACLED deletions) or filters; --dry-run",
                 make_delete_command},
                {"query", "print the stored incidents matching filters (table, CSV, JSON, GeoJSON)",
                 make_query_command},
                {"stats",
                 "distance-to-border statistics grouped by side, admin unit, type, month, band, "
                 "sector",
                 make_stats_command},
                {"export",
                 "write map layers (GeoJSON, KML, GeoPackage, CSV, HTML map, GeoJSONSeq, "
                 "FlatGeobuf) with "
                 "a manifest",
                 make_export_command},
                {"update",
                 "the scheduled job: import new input files and articles, re-export when the store "
                 "changed",
                 make_update_command},
                {"store",
                 "create or migrate an incident store's schema (GeoPackage or PostGIS), show its "
                 "facts",
                 make_store_command},
            });
        return all;
    }();
    return commands;
}

} // namespace borderwatch::cli
