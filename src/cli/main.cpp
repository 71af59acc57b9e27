// borderwatch's entry point: choose the command, parse, run, map errors to exit codes.
#include "cli/command.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace {

using namespace borderwatch;
using namespace borderwatch::cli;

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
    app.add_flag("--progress", g.progress, "show progress even when stderr is not a terminal")
        ->group(group);
    app.add_flag("--no-progress", g.no_progress, "never show progress")->group(group);
    app.add_flag("--json-progress", g.json_progress,
                 "progress as one JSON object per line on stderr")
        ->group(group);
    app.add_option("--geodata", g.geodata, "reference data directory (default: built-in)")
        ->check(CLI::ExistingDirectory.description(""))
        ->type_name("DIR")
        ->group(group);
}

} // namespace

int main(int argc, char **argv) {
    GlobalOptions globals;
    CLI::App app{"Geospatial processing of security incidents along an international border "
                 "(default: Tajikistan-Afghanistan).",
                 "borderwatch"};
    app.formatter(std::make_shared<UsageFirstFormatter>());
    app.require_subcommand(1);
    app.set_version_flag("--version", version_string());
    app.footer(exit_status_footer() +
               "\nRun 'borderwatch <command> --help' for a command's options.\n");

    std::vector<std::pair<CLI::App *, std::unique_ptr<Command>>> commands;
    for (const auto &info : all_commands()) {
        auto *sub = app.add_subcommand(info.name, info.description);
        add_global_options(*sub, globals);
        auto command = info.make();
        command->set_globals(&globals);
        command->setup(*sub);
        commands.emplace_back(sub, std::move(command));
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::cerr << "borderwatch: error: " << e.what() << '\n'
                  << "Run 'borderwatch --help' or 'borderwatch <command> --help' for usage.\n";
        return exit_usage;
    }

    try {
        if (!globals.geodata.empty()) {
            ::setenv("BORDERWATCH_GEODATA", globals.geodata.c_str(), 1);
        }
        for (auto &[sub, command] : commands) {
            if (sub->parsed()) {
                command->validate();
                return command->run();
            }
        }
        return exit_usage;
    } catch (const UsageError &e) {
        std::cerr << "borderwatch: error: " << e.what() << '\n';
        return exit_usage;
    } catch (const Error &e) {
        std::cerr << "borderwatch: error: " << e.what() << '\n';
        return exit_failure;
    } catch (const std::filesystem::filesystem_error &e) {
        // A file-system call the library did not wrap in an IoError: still the user's
        // environment (a path, a permission), not a bug.
        std::cerr << "borderwatch: error: " << describe_filesystem_error(e) << '\n';
        return exit_failure;
    } catch (const std::exception &e) {
        std::cerr << "borderwatch: internal error: " << e.what() << '\n';
        return exit_failure;
    }
}
