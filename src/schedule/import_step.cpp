// The import step of `update`: incident files, news articles (through extract) and deletion
// lists, in that order, for the files run_update() found new or changed.

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/scratch_file.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/query/delete.hpp>
#include <borderwatch/schedule/update.hpp>
#include <borderwatch/store/store.hpp>

#include <memory>

namespace borderwatch {

namespace {

/// Every article of the config, parsed; an unreadable one is logged and skipped.
std::vector<Article> read_all_articles(const UpdateConfig &config, const UpdateLog &log) {
    std::vector<Article> articles;
    for (const auto &file : list_input_files(config)) {
        if (!is_article_input(config, file)) {
            continue;
        }
        try {
            articles.push_back(parse_article(file.string(), read_article_file(file.string())));
        } catch (const Error &e) {
            if (log) {
                log({"warning", file.string() + ": article skipped: " + e.what(), {}, {}});
            }
        }
    }
    return articles;
}

} // namespace

ImportStep make_import_step(const UpdateConfig &config, const UpdateLog &log) {
    return [&config, log](const std::vector<std::string> &all_files, IncidentStore &store) {
        std::vector<std::string> files;
        std::vector<std::string> deletion_lists;
        bool any_article = false;
        for (const auto &file : all_files) {
            if (is_deletions_input(config, file)) {
                deletion_lists.push_back(file);
            } else if (is_article_input(config, file)) {
                any_article = true;
            } else {
                files.push_back(file);
            }
        }
        ImportCounts counts;
        if (!files.empty() || any_article) {
            const std::filesystem::path &geodata = config.geodata;
            const auto engine = BorderEngine::load(config.border, geodata);
            Gazetteer::Sources sources;
            sources.geodata = geodata;
            const auto gazetteer = Gazetteer::load(sources);
            const auto placer = make_incident_placer(*engine, *gazetteer);
            // A new or changed article is extracted together with every other article, so
            // the reports of one event are merged as one `extract` run would merge them.
            std::unique_ptr<ScratchFile> candidates;
            if (any_article) {
                const auto articles = read_all_articles(config, log);
                const auto extracted = extract_incidents(articles, *gazetteer);
                counts.warnings = extracted.warnings;
                if (log) {
                    log({"extract",
                         "extract: " + std::to_string(extracted.candidates.size()) +
                             " candidate incident(s) from " + std::to_string(articles.size()) +
                             " article(s)",
                         {},
                         {{"articles", static_cast<double>(articles.size())},
                          {"candidates", static_cast<double>(extracted.candidates.size())}}});
                }
                if (!extracted.candidates.empty()) {
                    // The candidates CSV as `extract | import -` would pass it (raw cells:
                    // the import reads them back, no spreadsheet shows them).
                    candidates = std::make_unique<ScratchFile>(
                        "borderwatch-candidates", ".csv",
                        candidates_to_csv(extracted.candidates, true, true));
                    files.push_back(candidates->path().string());
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
            if (!files.empty()) {
                const auto report =
                    import_incidents(files, store, *placer, options, [&](const RejectedRow &row) {
                        if (counts.messages.size() < 20) {
                            counts.messages.push_back(row.to_string());
                        }
                    });
                for (const auto &hint : report.hints) {
                    if (log) {
                        log({"warning", "hint: " + hint, {}, {}});
                    }
                }
                counts.read = report.read;
                counts.rejected = report.rejected;
                counts.inserted = report.inserted;
                counts.updated = report.updated;
                counts.unchanged = report.unchanged;
                counts.older = report.older;
                counts.deleted_earlier = report.deleted_earlier;
                counts.flags = report.flags;
            }
            for (auto &line : limiter.hidden_lines()) {
                counts.warnings.push_back(std::move(line));
            }
        }
        // Deletions after the import: an event a source deleted stays deleted even when a
        // file of the same run still carries it.
        if (!deletion_lists.empty()) {
            DeleteOptions deletions;
            deletions.id_files = deletion_lists;
            deletions.text = config.input_text;
            const auto deleted = delete_incidents(store, deletions);
            counts.deleted = deleted.removed;
            counts.deletions_listed =
                deleted.matched.size() + deleted.missing.size() + deleted.kept_newer.size();
            counts.kept_newer = deleted.kept_newer.size();
        }
        return counts;
    };
}

} // namespace borderwatch
