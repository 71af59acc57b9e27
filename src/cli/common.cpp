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

void add_text_input_options(CLI::App &app, std::string &encoding, std::string *delimiter) {
    app.add_option("--encoding", encoding,
                   "character encoding of the input (an ICU name: cp1251, windows-1252, latin1, "
                   "UTF-16, UTF-16LE, ...; default UTF-8; 'uconv -l' lists them)")
        ->type_name("NAME");
    if (delimiter != nullptr) {
        app.add_option("--delimiter", *delimiter,
                       "field delimiter: ',' ';' tab (or \\t) '|' (default: detected from the "
                       "header line, ',' ';' or tab)")
            ->type_name("CHAR");
    }
}

TextInputOptions text_input_options(const std::string &encoding, const std::string &delimiter) {
    TextInputOptions out;
    if (!encoding.empty()) {
        (void)check_encoding(encoding);
        out.encoding = encoding;
    }
    if (!delimiter.empty()) {
        out.delimiter = parse_delimiter(delimiter);
    }
    return out;
}

void add_bands_option(CLI::App &app, std::string &bands, const std::string &what) {
    app.add_option("--bands", bands,
                   what + ": edges in km, comma-separated, increasing, the leading 0 optional "
                          "(default 0,1,5,10,25,50; 1,5,10,25,50 is the same)")
        ->type_name("LIST");
}

void add_csv_raw_formulas_option(CLI::App &app, bool &raw) {
    app.add_flag("--csv-raw-formulas", raw,
                 "CSV: write text cells that start with = + - @ TAB or CR as they are (default: "
                 "prefixed with ' so spreadsheets show them as text instead of running them as "
                 "formulas; OWASP CSV Injection)");
}

void add_no_link_option(CLI::App &app, bool &no_link) {
    app.add_flag("--no-link", no_link,
                 "do not link rows into events by the automatic rule (place within the rows' "
                 "uncertainty, overlapping dates, compatible type); explicit same_as links "
                 "still hold");
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
