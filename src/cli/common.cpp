#include "cli/command.hpp"

#include <unistd.h>

namespace borderwatch::cli {

void add_format_option(CLI::App &app, std::string &format, const std::vector<std::string> &choices,
                       const std::string &description) {
    std::string list;
    for (const auto &c : choices) {
        list += (list.empty() ? "" : "|") + c;
    }
    app.add_option("-f,--format", format, description + " (" + list + ")")
        ->check(CLI::IsMember(choices))
        ->type_name("FORMAT");
}

void add_overwrite_option(CLI::App &app, bool &overwrite) {
    app.add_flag("--overwrite", overwrite, "replace existing output files");
}

void add_csv_raw_formulas_option(CLI::App &app, bool &raw) {
    app.add_flag("--csv-raw-formulas", raw,
                 "CSV: write text cells that start with = + - @ TAB or CR as they are (default: "
                 "prefixed with ' so spreadsheets show them as text instead of running them as "
                 "formulas; OWASP CSV Injection)");
}

std::string exit_status_footer(const std::string &extra) {
    std::string out = "Exit status:\n"
                      "  0  success\n"
                      "  1  data or processing failure, or rejected input rows\n"
                      "  2  usage error (bad option or argument)\n";
    out += extra;
    return out;
}

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

} // namespace borderwatch::cli
