#include "cli/command_line.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include <algorithm>
#include <sstream>

namespace borderwatch::cli {

namespace {

// CLI11 prints the description before the usage line; we want
// "Usage: borderwatch <cmd> [OPTIONS] ..." first, then the one-line description.
class UsageFirstFormatter final : public CLI::Formatter {
  public:
    std::string make_help(const CLI::App *app, std::string name,
                          CLI::AppFormatMode mode) const override {
        if (mode == CLI::AppFormatMode::Sub) {
            return make_expanded(app);
        }
        std::stringstream out;
        out << make_usage(app, name);
        if (!app->get_description().empty()) {
            out << '\n' << app->get_description() << '\n';
        }
        out << make_positionals(app) << make_groups(app, mode) << make_subcommands(app, mode);
        const auto footer = make_footer(app);
        if (!footer.empty()) {
            out << '\n' << footer;
        }
        return out.str();
    }
};

void add_global_options(CLI::App &app, GlobalOptions &g) {
    const char *group = "Global options";
    app.add_flag("-v,--verbose", g.verbosity, "more messages on stderr (repeatable)")->group(group);
    app.add_flag("-q,--quiet", g.quiet, "only errors on stderr")->group(group);
    app.add_flag("--progress", g.progress,
                 "show progress (import, locate, resolve, query, stats, export, update) even "
                 "when stderr is not a terminal")
        ->group(group);
    app.add_flag("--no-progress", g.no_progress, "never show progress")->group(group);
    app.add_flag("--json-progress", g.json_progress,
                 "progress as one JSON object per line on stderr")
        ->group(group);
    app.add_option("--geodata", g.geodata,
                   "reference data directory (default: $BORDERWATCH_GEODATA, else built-in)")
        ->check(CLI::ExistingDirectory.description(""))
        ->type_name("DIR")
        ->group(group);
}

} // namespace

CommandLine::CommandLine(const std::vector<CommandInfo> &commands)
    : m_app("Geospatial processing of security incidents along an international border "
            "(default: Tajikistan-Afghanistan).",
            "borderwatch") {
    m_app.formatter(std::make_shared<UsageFirstFormatter>());
    m_app.require_subcommand(1);
    m_app.set_version_flag("--version", version_string());
    m_app.footer(exit_status_footer() +
                 "\nRun 'borderwatch <command> --help' for a command's options.\n");
    for (const auto &info : commands) {
        auto *sub = m_app.add_subcommand(info.name, info.description);
        add_global_options(*sub, m_globals);
        auto command = info.make();
        command->set_globals(&m_globals);
        command->setup(*sub);
        m_commands.emplace_back(sub, std::move(command));
    }
}

void CommandLine::parse(int argc, const char *const *argv) {
    m_app.parse(argc, argv);
}

void CommandLine::parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end()); // CLI11 takes the list last argument first
    m_app.parse(args);
}

Command &CommandLine::chosen() {
    for (auto &[sub, command] : m_commands) {
        if (sub->parsed()) {
            command->validate();
            return *command;
        }
    }
    throw UsageError("no command given");
}

} // namespace borderwatch::cli
