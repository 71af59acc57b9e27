// One registration line per subcommand; each command lives in src/cli/commands/<name>.cpp.
#include "cli/command.hpp"
#include "cli/commands/commands.hpp"

namespace borderwatch::cli {

const std::vector<CommandInfo>& all_commands() {
    static const std::vector<CommandInfo> commands = {
        {"info", "print borderwatch's version, data locations and the border's facts", make_info_command},
        {"border", "print the border's facts (sides, vertices, length, ends) or list the borders", make_border_command},
        {"locate", "place points against the border: distance, nearest point, chainage, side, admin units", make_locate_command},
        {"resolve", "resolve place names in any spelling or script to gazetteer places", make_resolve_command},
        {"export", "write map layers (GeoJSON, KML, GeoPackage, CSV) with a manifest", make_export_command},
        {"store", "create or migrate an incident store's schema (GeoPackage or PostGIS), show its facts", make_store_command},
    };
    return commands;
}

} // namespace borderwatch::cli
