// borderwatch update: the scheduled import + export job (include/borderwatch/schedule/update.hpp).
#include "cli/commands/article_input.hpp"
#include "cli/commands/commands.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/file_lock.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/utc_time.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/schedule/update.hpp>
#include <borderwatch/store/store.hpp>

#include <nlohmann/json.hpp>

#include <ctime>
#include <iostream>

namespace borderwatch::cli {

namespace {

class UpdateCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("-c,--config", m_config, "update configuration (TOML)")
            ->required()
            ->check(CLI::ExistingFile)
            ->type_name("FILE.toml");
        app.add_flag("--json-log", m_json_log,
                     "log every step as one JSON object per line on stderr (for monitoring)");
        app.footer(
            "One run: take the lock, import new or changed input files (fingerprints: size,\n"
            "mtime, sha256), re-export the map layers only when the store changed, and publish\n"
            "them as a set (see 'borderwatch export --help'). Quiet on success (cron mails only\n"
            "on trouble); -v prints what was done. A run killed at any point (kill -9) leaves\n"
            "the previous export published and the store unchanged or fully imported.\n"
            "An input file that cannot be read or recognised is reported once (FILE: not\n"
            "imported: reason), kept out while the other files are imported (exit 1), and\n"
            "retried when it changes. The export directory may also be an input directory.\n\n"
            "Config keys: store, [inputs] paths/extensions/format, [export] dir/formats/border/\n"
            "sector_km/bands_km (\"0,1,5,10,25,50\" as --bands, or [1, 5, 10, 25, 50]),\n"
            "[filter] (as 'borderwatch query'), [lock] mode=wait|fail, timeout_s, file. See\n"
            "scripts/update.example.toml. Warnings of the import (swapped lon/lat, repeated\n"
            "ids) are logged; -v also logs one line per flag raised.\n\n"
            "Examples:\n"
            "  borderwatch update --config /etc/borderwatch/update.toml\n"
            "  */15 * * * * borderwatch update -c /etc/borderwatch/update.toml   (crontab)\n\n" +
            exit_status_footer(
                "  (1 also when rows were rejected or a file was kept out: reported once)\n"
                "  75 another update holds the lock (mode=fail, or wait timed out);\n"
                "     try again later (sysexits EX_TEMPFAIL)\n"));
    }

    void log(const UpdateEvent &e) const {
        if (m_json_log) {
            nlohmann::ordered_json j;
            j["time"] = utc_now_iso8601();
            j["event"] = e.event;
            j["message"] = e.message;
            for (const auto &[k, v] : e.fields) {
                j[k] = v;
            }
            for (const auto &[k, v] : e.numbers) {
                j[k] = v;
            }
            std::cerr << j.dump() << '\n' << std::flush;
        } else if (globals().verbosity > 0 || e.event == "warning") {
            std::cerr << "update: " << e.message << '\n';
        }
    }

    int run() override {
        auto config = load_update_config(m_config);
        config.geodata = globals().geodata;
        ProgressRenderer progress(globals(), "update: export", !m_json_log);
        // Engine and gazetteer are loaded only when something has to be imported.
        const std::filesystem::path &geodata = config.geodata;
        ImportStep import = [&](const std::vector<std::string> &all_files, IncidentStore &store) {
            const auto engine = BorderEngine::load(config.border, geodata);
            Gazetteer::Sources sources;
            sources.geodata = geodata;
            const auto gazetteer = Gazetteer::load(sources);
            const auto placer = make_incident_placer(*engine, *gazetteer);
            // News articles go through extract; their candidates are imported with the rest.
            // A new or changed article is extracted together with every other article, so
            // the reports of one event are merged as one `extract` run would merge them.
            std::vector<std::string> files;
            bool any_article = false;
            for (const auto &file : all_files) {
                if (is_article_input(config, file)) {
                    any_article = true;
                } else {
                    files.push_back(file);
                }
            }
            std::vector<Article> articles;
            if (any_article) {
                for (const auto &file : list_input_files(config)) {
                    if (!is_article_input(config, file)) {
                        continue;
                    }
                    try {
                        articles.push_back(
                            parse_article(file.string(), read_article_file(file.string())));
                    } catch (const Error &e) {
                        log({"warning", file.string() + ": article skipped: " + e.what(), {}, {}});
                    }
                }
            }
            ImportCounts counts;
            std::unique_ptr<TempCandidates> candidates;
            if (!articles.empty()) {
                const auto extracted = extract_incidents(articles, *gazetteer);
                for (const auto &w : extracted.warnings) {
                    counts.warnings.push_back(w);
                }
                log({"extract",
                     "extract: " + std::to_string(extracted.candidates.size()) +
                         " candidate incident(s) from " + std::to_string(articles.size()) +
                         " article(s)",
                     {},
                     {{"articles", static_cast<double>(articles.size())},
                      {"candidates", static_cast<double>(extracted.candidates.size())}}});
                if (!extracted.candidates.empty()) {
                    // The candidates CSV as `extract | import -` would pass it (raw cells:
                    // import reads them back, it does not show them to a spreadsheet).
                    candidates = std::make_unique<TempCandidates>(
                        candidates_to_csv(extracted.candidates, true, true));
                    files.push_back(candidates->path());
                }
            }
            ImportOptions options;
            options.format = *parse_incident_format(config.input_format);
            options.text = config.input_text;
            WarningLimiter limiter;
            options.on_warning = [&](const ImportWarning &w) {
                if (limiter.admit(w)) {
                    counts.warnings.push_back(w.to_string());
                }
            };
            const auto report =
                import_incidents(files, store, *placer, options, [&](const RejectedRow &row) {
                    if (counts.messages.size() < 20) {
                        counts.messages.push_back(row.to_string());
                    }
                });
            for (const auto &hint : report.hints) {
                log({"warning", "hint: " + hint, {}, {}});
            }
            counts.read = report.read;
            counts.rejected = report.rejected;
            counts.inserted = report.inserted;
            counts.updated = report.updated;
            counts.unchanged = report.unchanged;
            counts.older = report.older;
            for (auto &line : limiter.hidden_lines()) {
                counts.warnings.push_back(std::move(line));
            }
            counts.flags = report.flags;
            return counts;
        };
        try {
            const auto result = run_update(
                config, import, [this](const UpdateEvent &e) { log(e); }, progress.callback());
            progress.clear();
            for (const auto &w : result.import.warnings) {
                log({"warning", w, {}, {}});
            }
            if (result.import.rejected > 0) {
                for (const auto &m : result.import.messages) {
                    log({"warning", m, {}, {}});
                }
                log({"warning",
                     std::to_string(result.import.rejected) +
                         " input row(s) rejected; the other rows were imported (the files are "
                         "not re-read until they change; 'borderwatch import --rejects' shows all)",
                     {},
                     {{"rejected", static_cast<double>(result.import.rejected)}}});
                return exit_failure;
            }
            // Each bad file was reported (a warning) on the run that first saw it.
            return result.files_failed.empty() ? exit_ok : exit_failure;
        } catch (const LockBusyError &e) {
            if (m_json_log) {
                log({"locked", e.what(), {}, {}});
            } else {
                std::cerr << "borderwatch: " << e.what() << '\n';
            }
            return k_exit_lock_busy;
        } catch (const Error &e) {
            if (m_json_log) {
                log({"error", e.what(), {}, {}});
            }
            throw;
        }
    }

  private:
    std::string m_config;
    bool m_json_log = false;
};

} // namespace

std::unique_ptr<Command> make_update_command() {
    return std::make_unique<UpdateCommand>();
}

} // namespace borderwatch::cli
