// The quick commands: those the start-up program `borderwatch` runs itself
// (cli/launcher_main.cpp), without loading GDAL. Their own object file, so linking them pulls
// no other command into that program.
#include "cli/command.hpp"
#include "cli/commands/commands.hpp"

namespace borderwatch::cli {

const std::vector<CommandInfo> &quick_commands() {
    static const std::vector<CommandInfo> commands = {
        {"info",
         "print borderwatch's version and its geodata directory (the border's facts: 'border')",
         make_info_command},
        {"border", "print the border's facts (sides, vertices, length, ends) or list the borders",
         make_border_command},
        {"locate",
         "place points against the border: distance, nearest point, chainage, side, admin units",
         make_locate_command},
        {"resolve", "resolve place names in any spelling or script to gazetteer places",
         make_resolve_command},
    };
    return commands;
}

} // namespace borderwatch::cli
