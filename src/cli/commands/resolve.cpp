// borderwatch resolve: place names in any spelling or script -> gazetteer places.
#include "cli/commands/commands.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace borderwatch::cli {

namespace {

const std::vector<std::string> columns{"query",   "name",      "matched",   "id",         "kind",
                                       "country", "admin1",    "admin2",    "lon",        "lat",
                                       "score",   "precision", "ambiguous", "suggestions"};

struct Line {
    std::string text;
    SourceLocation where;
};

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
        std::vector<Line> lines = read_lines();
        Gazetteer::Sources sources;
        sources.geonames_files.assign(m_geonames.begin(), m_geonames.end());
        sources.alias_files.assign(m_aliases.begin(), m_aliases.end());
        sources.geodata = globals().geodata;
        const auto gazetteer = Gazetteer::load(sources);

        ResolveOptions options;
        options.country = m_country;
        options.admin1 = m_admin1;
        options.kind = m_kind;
        options.top = m_top;
        options.min_score = m_min_score;

        std::vector<std::vector<std::string>> rows;
        nlohmann::ordered_json json = nlohmann::ordered_json::array();
        std::size_t failed = 0;
        std::size_t invalid_utf8 = 0; // for the --encoding hint
        for (const auto &line : lines) {
            const auto issue = find_text_issue(line.text);
            invalid_utf8 += issue && issue->kind == TextIssueKind::invalid_utf8 ? 1 : 0;
            ResolveResult result;
            try {
                result = gazetteer->resolve(line.text, options);
            } catch (const InputError &e) {
                std::cerr << line.where.to_string() << ' ' << e.message() << '\n';
                ++failed;
                continue;
            }
            add_result(line.text, result, rows, json);
        }
        if (format() == "json") {
            std::cout << json.dump(2) << '\n';
        } else if (format() == "csv") {
            const auto formulas = m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
            write_csv_record(std::cout, columns, ',', formulas);
            for (const auto &row : rows) {
                write_csv_record(std::cout, row, ',', formulas);
            }
        } else {
            write_table(rows);
        }
        std::cout.flush();
        if (!m_input.empty() && m_text.encoding.empty() && !globals().quiet) {
            if (const auto hint = encoding_hint(m_input, invalid_utf8, lines.size());
                !hint.empty()) {
                std::cerr << "resolve: hint: " << hint << '\n';
            }
        }
        if (failed > 0) {
            std::cerr << "borderwatch resolve: " << failed << " of " << lines.size()
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

    std::vector<Line> read_lines() const {
        std::vector<Line> lines;
        if (!m_queries.empty()) {
            for (std::size_t i = 0; i < m_queries.size(); ++i) {
                lines.push_back(
                    {m_queries[i], {"argument " + std::to_string(i + 1), 0, 0, "query"}});
            }
            return lines;
        }
        // Same text input as every reader: --encoding, the UTF-16 check, LF/CRLF/CR.
        TextInput in(m_input, m_text.encoding);
        LineReader reader(in);
        std::string text;
        while (reader.next(text)) {
            if (reader.line_number() == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) {
                text.erase(0, 3);
            }
            lines.push_back({text, {m_input, reader.line_number(), 0, "query"}});
        }
        return lines;
    }

    static void add_result(const std::string &query, const ResolveResult &result,
                           std::vector<std::vector<std::string>> &rows,
                           nlohmann::ordered_json &json) {
        nlohmann::ordered_json entry;
        entry["query"] = query;
        entry["matched"] = result.matched;
        entry["candidates"] = nlohmann::ordered_json::array();
        std::string suggestions;
        for (const auto &s : result.suggestions) {
            suggestions += (suggestions.empty() ? "" : "; ") + s;
        }
        for (const auto &m : result.candidates) {
            rows.push_back({m.query, m.name, m.matched, m.id, m.kind, m.country, m.admin1, m.admin2,
                            format_fixed(m.lon, 6), format_fixed(m.lat, 6),
                            format_fixed(m.score, 3), std::to_string(m.precision),
                            m.ambiguous ? "true" : "false", ""});
            nlohmann::ordered_json c;
            c["name"] = m.name;
            c["matched"] = m.matched;
            c["id"] = m.id;
            c["kind"] = m.kind;
            c["country"] = m.country;
            c["admin1"] = m.admin1;
            c["admin2"] = m.admin2;
            c["lon"] = m.lon;
            c["lat"] = m.lat;
            c["score"] = m.score;
            c["precision"] = m.precision;
            c["ambiguous"] = m.ambiguous;
            entry["candidates"].push_back(std::move(c));
        }
        if (!result.matched) {
            rows.push_back(
                {query, "", "", "", "", "", "", "", "", "", "0", "", "false", suggestions});
        }
        entry["suggestions"] = result.suggestions;
        json.push_back(std::move(entry));
    }

    static void write_table(const std::vector<std::vector<std::string>> &rows) {
        write_text_table(std::cout, columns, rows);
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
};

} // namespace

std::unique_ptr<Command> make_resolve_command() {
    return std::make_unique<ResolveCommand>();
}

} // namespace borderwatch::cli
