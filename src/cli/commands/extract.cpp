// borderwatch extract: news articles (text or HTML) -> candidate incidents (native CSV or
// JSON), optionally imported (see include/borderwatch/extract/extract.hpp).
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/scratch_file.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/store/store.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <unistd.h>

namespace borderwatch::cli {

namespace {

class ExtractCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("files", m_files, "news articles: plain text or HTML, UTF-8 ('-' = stdin)")
            ->required()
            ->type_name("FILE...");
        app.add_option("--published", m_published,
                       "publication day of every article, YYYY-MM-DD (default: each article's "
                       "HTML <meta>/<time> date or dateline); relative dates are resolved "
                       "against it")
            ->type_name("DATE");
        app.add_option("--source-name", m_source_name,
                       "source name written to source_name (default: og:site_name or the file "
                       "name)")
            ->type_name("NAME");
        app.add_option("--source-url", m_source_url,
                       "source URL written to source_url (default: the HTML's canonical URL)")
            ->type_name("URL");
        add_format_option(app, m_format, {"csv", "json"}, "output format (default csv)");
        app.add_option("--min-confidence", m_min_confidence,
                       "drop candidates below this confidence (0..1, default 0.5)")
            ->check(CLI::Range(0.0, 1.0))
            ->type_name("C");
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        app.add_flag("--import", m_import,
                     "import the candidates into the store instead of printing them (as "
                     "'extract ... | borderwatch import -')");
        add_store_option(app, m_store);
        app.add_option("--border", m_border,
                       "with --import: border to place against (default TJK-AFG; 'nearest': the "
                       "nearest international land boundary)")
            ->type_name("NAME");
        app.footer(
            "Each article is cut into sentences; dates are resolved against the publication day\n"
            "(\"on Tuesday\" = the last Tuesday on or before it, \"the next morning\", \"this "
            "week\",\n"
            "\"in the last week of November\"), places through the gazetteer (\"in Tajikistan's\n"
            "Darboz region\"; origins such as \"originated from villages in Afghanistan's\n"
            "Badakhshan province\" go to origin_text), fatalities from number phrases (\"at least\n"
            "five people, including three intruders\"), the ACLED event type from trigger words.\n"
            "Reports of the same event (place, date, type) become one candidate with all sources;\n"
            "background (history, summaries without a dated event) is left out.\n\n"
            "Output: the native CSV columns (ready for 'borderwatch import -') plus injured,\n"
            "origin_text, confidence, extractor_version and evidence (field=file:begin-end@conf,\n"
            "character offsets of the sentence); --format json adds the sentences. Rules and\n"
            "limits: docs/extract.md.\n\n"
            "Examples:\n"
            "  borderwatch extract --published 2025-12-26 article.txt > candidates.csv\n"
            "  borderwatch extract page.html | borderwatch import -\n"
            "  borderwatch extract --import --store team.gpkg news/*.txt --published "
            "2025-12-26\n\n" +
            exit_status_footer("  (1 when an article cannot be read or a candidate is rejected "
                               "by --import)\n"));
    }

    void validate() override {
        std::size_t stdin_count = 0;
        for (const auto &f : m_files) {
            stdin_count += f == "-" ? 1 : 0;
        }
        if (stdin_count > 1) {
            throw UsageError("extract: '-' (stdin) can be given only once");
        }
        if (!m_published.empty() && !parse_incident_date(m_published)) {
            throw UsageError("extract: --published '" + m_published +
                             "' is not a date (YYYY-MM-DD)");
        }
        if (!m_published.empty()) {
            const auto d = parse_incident_date(m_published);
            if (d->precision != DatePrecision::day) {
                throw UsageError("extract: --published '" + m_published + "' is not one day");
            }
            m_published = d->start;
        }
        if (m_import && m_format != "csv" && !m_format.empty()) {
            throw UsageError("extract: --import takes no --format");
        }
        if (!m_import && (!m_store.empty() || m_border != "TJK-AFG")) {
            throw UsageError("extract: --store and --border need --import");
        }
    }

    int run() override {
        std::vector<Article> articles;
        int status = exit_ok;
        for (const auto &f : m_files) {
            try {
                articles.push_back(parse_article(f, read_article_file(f)));
            } catch (const InputError &e) {
                std::cerr << e.what() << '\n';
                status = exit_failure;
            } catch (const IoError &e) {
                std::cerr << e.what() << '\n';
                status = exit_failure;
            }
        }
        Gazetteer::Sources sources;
        sources.geodata = globals().geodata;
        const auto gazetteer = Gazetteer::load(sources);
        ExtractOptions options;
        options.published = m_published;
        options.source_name = m_source_name;
        options.source_url = m_source_url;
        options.min_confidence = m_min_confidence;
        const auto result = extract_incidents(articles, *gazetteer, options);
        if (!globals().quiet) {
            for (const auto &w : result.warnings) {
                std::cerr << "extract: warning: " << w << '\n';
            }
        }
        if (!m_import) {
            std::cout << (m_format == "json"
                              ? candidates_to_json(result.candidates)
                              : candidates_to_csv(result.candidates, true, m_csv_raw_formulas));
            std::cout.flush();
            return status;
        }
        if (result.candidates.empty()) {
            std::cout << "extract: no candidate incidents to import\n";
            return status;
        }
        // The import reads files: the candidates go through a private temporary CSV
        // (raw cells: read back by the import, not shown to a spreadsheet).
        const ScratchFile tmp("borderwatch-candidates", ".csv",
                              candidates_to_csv(result.candidates, true, true));
        const auto engine = BorderEngine::load(m_border, globals().geodata);
        const auto placer = make_incident_placer(*engine, *gazetteer);
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store);
        ImportOptions import_options;
        import_options.format = IncidentFormat::native;
        std::size_t rejected = 0;
        const auto report = import_incidents(
            {tmp.path().string()}, *store, *placer, import_options, [&](const RejectedRow &row) {
                if (!globals().quiet) {
                    std::cerr << "extract: candidate " << row.line - 1 << ": " << row.message
                              << '\n';
                }
                ++rejected;
            });
        std::cout << "extracted " << result.candidates.size() << " candidates from "
                  << articles.size() << " articles; imported " << report.read - report.rejected
                  << " into " << store->describe() << ": " << report.inserted << " inserted, "
                  << report.updated << " updated, " << report.unchanged << " unchanged, "
                  << report.rejected << " rejected\n";
        return rejected > 0 ? exit_failure : status;
    }

  private:
    std::vector<std::string> m_files;
    std::string m_published;
    std::string m_source_name;
    std::string m_source_url;
    std::string m_format = "csv";
    double m_min_confidence = 0.5;
    bool m_import = false;
    bool m_csv_raw_formulas = false;
    std::string m_store;
    std::string m_border = "TJK-AFG";
};

} // namespace

std::unique_ptr<Command> make_extract_command() {
    return std::make_unique<ExtractCommand>();
}

} // namespace borderwatch::cli
