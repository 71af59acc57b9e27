#pragma once
// The whole command line of borderwatch: the top-level CLI11 app with every subcommand
// declared (setup() of each command, the global options once per subcommand). main() parses
// argv with it and runs the chosen command; unit tests parse argument lists with it and
// inspect the chosen command without running it.

#include "cli/command.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace borderwatch::cli {

class CommandLine {
  public:
    /// Declares every command of @p commands (all_commands(), or the start-up program's few:
    /// cli/launcher.hpp). No I/O.
    explicit CommandLine(const std::vector<CommandInfo> &commands);
    CommandLine(const CommandLine &) = delete;
    CommandLine &operator=(const CommandLine &) = delete;

    [[nodiscard]] CLI::App &app() noexcept { return m_app; }
    [[nodiscard]] const GlobalOptions &globals() const noexcept { return m_globals; }

    /// Parse @p argc / @p argv (argv[0] the program). @throws CLI::ParseError
    void parse(int argc, const char *const *argv);
    /// Parse @p args (without the program name), e.g. {"export", "--out", "x"}.
    /// @throws CLI::ParseError
    void parse(std::vector<std::string> args);

    /// The command the parsed arguments chose, after its validate(): ready to run(), nothing
    /// run yet. @throws UsageError (no command, or a cross-option rule broken)
    Command &chosen();

  private:
    GlobalOptions m_globals;
    CLI::App m_app;
    std::vector<std::pair<CLI::App *, std::unique_ptr<Command>>> m_commands;
};

/// What main() does with a command line: parse @p argv, run the chosen command, print errors
/// and map them to exit codes (exit_usage for usage errors, exit_failure for the rest).
int run_command_line(CommandLine &command_line, int argc, const char *const *argv);

} // namespace borderwatch::cli
