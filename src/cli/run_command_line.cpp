#include "cli/command_line.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include <filesystem>
#include <iostream>

namespace borderwatch::cli {

int run_command_line(CommandLine &command_line, int argc, const char *const *argv) {
    try {
        command_line.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return command_line.app().exit(e);
    } catch (const CLI::CallForVersion &e) {
        return command_line.app().exit(e);
    } catch (const CLI::ParseError &e) {
        std::cerr << "borderwatch: error: " << e.what() << '\n'
                  << "Run 'borderwatch --help' or 'borderwatch <command> --help' for usage.\n";
        return exit_usage;
    }

    try {
        return command_line.chosen().run();
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

} // namespace borderwatch::cli
