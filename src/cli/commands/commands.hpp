#pragma once
// Factory functions, one per subcommand, registered in src/cli/commands.cpp.

#include "cli/command.hpp"

namespace borderwatch::cli {

std::unique_ptr<Command> make_info_command();
std::unique_ptr<Command> make_border_command();
std::unique_ptr<Command> make_locate_command();
std::unique_ptr<Command> make_resolve_command();
std::unique_ptr<Command> make_export_command();
std::unique_ptr<Command> make_update_command();
std::unique_ptr<Command> make_store_command();
std::unique_ptr<Command> make_import_command();
std::unique_ptr<Command> make_extract_command();
std::unique_ptr<Command> make_delete_command();
std::unique_ptr<Command> make_query_command();
std::unique_ptr<Command> make_stats_command();

} // namespace borderwatch::cli
