// borderwatch resolve: place names in any spelling or script -> gazetteer places.
#include "cli/commands/commands.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/resolve_stream.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

namespace borderwatch::cli {

namespace {

class ResolveCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("query", m_queries,
                       "place names to resolve (any spelling or script; context such as "
                       "\"Darvoz, Tajikistan\" is understood)");
        app.add_option("-i,--input", m_input,
                       "read queries from FILE, one per line ('-' = stdin; lines may end in LF, "
                       "CRLF or CR)")
            ->type_name("FILE");
        add_text_input_options(app, m_encoding, nullptr);
        add_format_option(app, m_format, {"table", "csv", "json"},
                          "output format (default: table on a terminal, else csv)");
        app.add_option("--top", m_top, "candidates per query (ambiguous results add more)")
            ->check(CLI::Range(1, 100))
            ->type_name("N");
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        app.add_option("-j,--threads", m_threads,
                       "worker threads for --input (default: all cores; the output does not "
                       "depend on it)")
            ->check(CLI::Range(1, 1024))
            ->type_name("N");
        app.add_option("--country", m_country, "only places in this country (ISO3 or name)")
            ->type_name("COUNTRY");
        app.add_option("--admin1", m_admin1, "only places in this admin-1 unit (any spelling)")
            ->type_name("NAME");
        app.add_option("--kind", m_kind,
                       "only places of this kind (a bare name otherwise means the populated "
                       "place: --kind admin2 for the district of the same name)")
            ->check(CLI::IsMember({"country", "admin1", "admin2", "populated_place", "hydrographic",
                                   "terrain", "area", "spot", "road", "vegetation", "undersea"}))
            ->type_name("KIND");
        app.add_option("--min-score", m_min_score,
                       "confidence below which a query is 'no match' (0..1, default 0.70)")
            ->check(CLI::Range(0.0, 1.0))
            ->type_name("S");
        app.add_option("--geonames", m_geonames,
                       "extra GeoNames-format TSV (e.g. a full TJ.txt dump; repeatable)")
            ->check(CLI::ExistingFile)
            ->allow_extra_args(false)
            ->type_name("FILE");
        app.add_option("--aliases", m_aliases,
                       "extra alias TSV: alias<TAB>id[<TAB>note] (repeatable)")
            ->check(CLI::ExistingFile)
            ->allow_extra_args(false)
            ->type_name("FILE");
        app.footer(
            "Output columns: query, name, matched, id, kind, country, admin1, admin2, lon, lat,\n"
            "score, precision, ambiguous, suggestions. One row per candidate; a query that does\n"
            "not match has one row with an empty id and suggestions. score is a confidence in\n"
            "[0, 1] (1 official name, 0.95 known variant, ~0.9 spelling variant, lower for\n"
            "fuzzy matches); precision is UCDP where_prec (1 place, 3 district, 4 province,\n"
            "6 country); ambiguous = another unrelated place matched almost as well.\n\n"
            "A bare name means the populated place (\"Vanj\", \"Kabul\" are the towns; admin1/\n"
            "admin2 give their province and district); the admin unit only when the text says\n"
            "so (\"Vanj district\", \"Kabul province\", \"Darvoz raion\", \"ولسوالی ...\") or\n"
            "with --kind admin2 / --kind admin1. Report phrases (\"near X\", \"outskirts of X\",\n"
            "\"border post in X\", \"X area\") are dropped.\n\n"
            "Examples:\n"
            "  borderwatch resolve \"Shamsiddin Shokhin\" Дарвоз \"Badakhshan province, "
            "Afghanistan\"\n"
            "  borderwatch resolve --input places.txt --format json --top 3\n"
            "  borderwatch resolve --input names_cp1251.txt --encoding cp1251\n\n" +
            exit_status_footer("  (1 also when a query line is empty, not valid text (invalid "
                               "UTF-8, NUL,\n   a control character) or longer than 500 bytes; "
                               "the other lines are\n   still resolved)\n"));
    }

    void validate() override {
        if (m_queries.empty() && m_input.empty()) {
            throw UsageError("resolve: give queries as arguments or --input FILE (- for stdin)");
        }
        if (!m_queries.empty() && !m_input.empty()) {
            throw UsageError("resolve: give queries as arguments or with --input, not both");
        }
        if (!m_encoding.empty() && m_input.empty()) {
            throw UsageError("resolve: --encoding needs --input");
        }
        m_text = text_input_options(m_encoding, {});
    }

    int run() override {
        Gazetteer::Sources sources;
        sources.geonames_files.assign(m_geonames.begin(), m_geonames.end());
        sources.alias_files.assign(m_aliases.begin(), m_aliases.end());
        sources.geodata = globals().geodata;
        const auto gazetteer = Gazetteer::load(sources);

        ResolveStreamOptions options;
        options.queries = m_queries;
        options.input = m_input;
        options.text = m_text;
        options.format = format();
        options.csv_formulas = m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
        options.resolve.country = m_country;
        options.resolve.admin1 = m_admin1;
        options.resolve.kind = m_kind;
        options.resolve.top = m_top;
        options.resolve.min_score = m_min_score;
        options.threads = m_threads;
        if (options.threads == 0) {
            options.threads =
                m_input.empty() ? 1 : std::max<std::size_t>(1, std::thread::hardware_concurrency());
        }
        options.hints = !globals().quiet;

        ProgressRenderer progress(globals(), "resolve:");
        const auto result = resolve_stream(
            *gazetteer, options, std::cout,
            [&](const std::string &message) {
                progress.clear();
                std::cerr << message << '\n';
            },
            progress.callback());
        progress.clear();
        if (result.rejected > 0) {
            std::cerr << "borderwatch resolve: " << result.rejected << " of " << result.queries
                      << " queries rejected\n";
            return exit_failure;
        }
        return exit_ok;
    }

  private:
    [[nodiscard]] std::string format() const {
        if (!m_format.empty()) {
            return m_format;
        }
        return stdout_is_terminal() ? "table" : "csv";
    }

    std::vector<std::string> m_queries;
    std::string m_input;
    std::string m_format;
    bool m_csv_raw_formulas = false;
    std::size_t m_top = 1;
    std::string m_country;
    std::string m_admin1;
    std::string m_kind;
    double m_min_score = 0.70;
    std::vector<std::string> m_geonames;
    std::vector<std::string> m_aliases;
    std::string m_encoding;
    TextInputOptions m_text;
    std::size_t m_threads = 0;
};

} // namespace

std::unique_ptr<Command> make_resolve_command() {
    return std::make_unique<ResolveCommand>();
}

} // namespace borderwatch::cli
