#pragma once
// The contract between main() and each subcommand (see src/cli/commands/*.cpp):
// setup() declares options and parse-time validators only (no I/O), validate()
// checks cross-option rules after parsing, run() calls the library and returns the
// exit status. Errors are thrown as borderwatch::Error; main() maps them to codes.

#include <borderwatch/core/text_input.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace borderwatch::cli {

/// Exit codes shared by every command (documented in each --help).
enum ExitCode : int { exit_ok = 0, exit_failure = 1, exit_usage = 2 };

/// Options every command understands, parsed once at the top level.
struct GlobalOptions {
    int verbosity = 0;          ///< -v (repeatable)
    bool quiet = false;         ///< -q: only errors on stderr
    bool progress = false;      ///< --progress: progress bar even when stderr is not a TTY
    bool no_progress = false;   ///< --no-progress
    bool json_progress = false; ///< --json-progress: one JSON object per line on stderr
    std::string geodata;        ///< --geodata DIR (else $BORDERWATCH_GEODATA or built-in)
};

class Command {
  public:
    virtual ~Command() = default;
    /// Declare options on the subcommand's CLI11 app. No I/O.
    virtual void setup(CLI::App &app) = 0;
    /// Cross-option checks after parsing. @throws UsageError
    virtual void validate() {}
    /// Do the work. @return exit status
    virtual int run() = 0;

    void set_globals(const GlobalOptions *globals) noexcept { m_globals = globals; }

  protected:
    [[nodiscard]] const GlobalOptions &globals() const { return *m_globals; }

  private:
    const GlobalOptions *m_globals = nullptr;
};

struct CommandInfo {
    const char *name;
    const char *description;
    std::function<std::unique_ptr<Command>()> make;
};

/// Every subcommand, in the order shown by --help (src/cli/commands.cpp).
const std::vector<CommandInfo> &all_commands();
/// The commands the start-up program runs without GDAL: info, border, locate, resolve
/// (src/cli/quick_commands.cpp); the first entries of all_commands().
const std::vector<CommandInfo> &quick_commands();

/// Shared option helpers so the same option reads the same everywhere.
void add_format_option(CLI::App &app, std::string &format, const std::vector<std::string> &choices,
                       const std::string &description = "output format");
void add_overwrite_option(CLI::App &app, bool &overwrite);
/// --encoding NAME (and, with @p delimiter non-null, --delimiter CHAR) for commands that read
/// text input files; the same wording everywhere.
void add_text_input_options(CLI::App &app, std::string &encoding, std::string *delimiter);
/// The options as the library takes them. @throws UsageError (unknown encoding or delimiter)
TextInputOptions text_input_options(const std::string &encoding, const std::string &delimiter);
/// --bands LIST (one syntax for import, stats and export: parse_band_edges()); @p what says
/// what the bands are used for.
void add_bands_option(CLI::App &app, std::string &bands, const std::string &what);
/// --csv-raw-formulas: keep CSV cells starting with = + - @ TAB CR as they are (default:
/// neutralised with a leading ', see csv_formula_risk in core/escape.hpp).
void add_csv_raw_formulas_option(CLI::App &app, bool &raw);
/// --no-link: rows are linked into events only by their explicit same_as column, not by the
/// automatic rule (linking/event_clusters.hpp); the same wording for stats, query, export.
void add_no_link_option(CLI::App &app, bool &no_link);
/// Footer text listing exit codes; @p extra adds command-specific lines.
std::string exit_status_footer(const std::string &extra = {});
/// True if stdout is a terminal (decides default table vs csv output).
bool stdout_is_terminal();

} // namespace borderwatch::cli
