// borderwatch import: read incident files, place them, upsert them into the store in one
// transaction (see include/borderwatch/import/import.hpp).
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/incidents/sources.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/query/delete.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>
#include <memory>

namespace borderwatch::cli {

namespace {

class ImportCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option(
               "files", m_files,
               "incident files: native CSV or GeoJSON, ACLED CSV, UCDP GED CSV ('-' = stdin)")
            ->type_name("FILE...");
        app.add_option("--deletions", m_deletions,
                       "after the import, remove the events listed in FILE (ACLED's deletions "
                       "export: event_id_cnty,deleted_timestamp; or any id list; repeatable)")
            ->type_name("FILE")
            ->allow_extra_args(false);
        add_store_option(app, m_store);
        app.add_option("--format", m_format,
                       "input format (auto|native|acled|ucdp|geojson; default auto: from the "
                       "header / file type)")
            ->check(CLI::IsMember({"auto", "native", "acled", "ucdp", "geojson"}))
            ->type_name("FORMAT");
        add_text_input_options(app, m_encoding, &m_delimiter);
        app.add_option("--source-version", m_source_version,
                       "the UCDP GED release of the files (e.g. 25.1), for rows without a "
                       "'version' column; default: from the file name (GEDEvent_v25_1.csv, "
                       "ged251.csv). Decides with ACLED's timestamp which version of a row wins")
            ->type_name("VERSION");
        app.add_option("--rejects", m_rejects,
                       "write rejected rows to FILE (CSV: file,line,field,error,record; cells as "
                       "read, formulas not neutralised, so the rows can be fixed and imported "
                       "again); never an input file or the store")
            ->type_name("FILE");
        add_overwrite_option(app, m_overwrite);
        app.add_option("--border", m_border,
                       "border to place against (default TJK-AFG; any of 'borderwatch border "
                       "--list', or 'nearest': the nearest international land boundary)")
            ->type_name("NAME");
        add_bands_option(app, m_bands, "distance bands stored in 'band'");
        app.add_option("--threads", m_threads,
                       "reading and placement threads, besides the one writing the store (default: "
                       "one per core but one)")
            ->type_name("N")
            ->check(CLI::Range(1, 256));
        app.footer(
            "Every row is placed: given coordinates are kept (and the location text checked: a\n"
            "place more than 25 km away, or an admin unit the point lies outside of, flags\n"
            "'location_mismatch_25km'); rows without coordinates are\n"
            "placed at the gazetteer's point for their location text (country/admin columns as\n"
            "context). Existing ids are updated in place when their content changed and left\n"
            "untouched otherwise; the whole import is one transaction. A row older than the\n"
            "stored one (ACLED timestamp, UCDP release) never overwrites it: 'N older rows\n"
            "ignored'. Every source column is kept (docs/incident-schema.md).\n"
            "--deletions with ACLED's deleted_timestamp: the store remembers each deletion, so\n"
            "an event deleted at time T stays deleted when a file with a version of it up to T\n"
            "is imported again ('N rows ignored: events their source deleted'); a newer\n"
            "revision brings it back. A stored row revised after its deletion is kept.\n\n"
            "Warnings (stderr, the row is stored): FILE:LINE: warning: ... for given coordinates\n"
            "that lie far from the border while lon/lat exchanged lie near it ('lon/lat look\n"
            "swapped', flag 'lonlat_look_swapped'; the coordinates are stored as given), and for\n"
            "an id that repeats an earlier row of the import (both lines; the later row wins "
            "unless it is an older revision).\n"
            "20 warnings of a kind are shown, then 'and N more like this'. The summary on stdout\n"
            "has one line per flag raised: 'location_mismatch_25km: 12 rows (first: a.csv:4,\n"
            "a.csv:9, a.csv:17, ...)' (and duplicate_id).\n\n"
            "Bad rows are reported as FILE:LINE: field 'x': message, written to --rejects, and\n"
            "skipped; the other rows are imported. Formats and columns: "
            "docs/incident-schema.md.\n\n"
            "Text: UTF-8 by default (a file that looks like UTF-16 is refused with a hint;\n"
            "--encoding transcodes any ICU encoding while streaming); lines may end in LF, CRLF\n"
            "or CR; CSV fields are separated by ',' ';' or TAB, detected from the header line\n"
            "(--delimiter sets it). A file with a header but no data rows is an error.\n\n"
            "Examples:\n"
            "  borderwatch import samples/border_incidents_2025.csv\n"
            "  borderwatch import acled_export.csv ged_tjk.csv --store team.gpkg --rejects "
            "bad.csv\n"
            "  borderwatch import excel_export.csv --encoding UTF-16 --delimiter tab\n\n" +
            exit_status_footer(
                "  (1 when any row was rejected; the good rows are still imported)\n"));
    }

    void validate() override {
        m_text = text_input_options(m_encoding, m_delimiter);
        if (!m_source_version.empty() && !release_version_number(m_source_version)) {
            throw UsageError("--source-version: '" + m_source_version +
                             "' is not a release such as 25.1 or 24.0.10");
        }
        if (!m_bands.empty()) {
            m_edges = parse_band_edges(m_bands);
        }
        if (m_files.empty() && m_deletions.empty()) {
            throw UsageError("import: give incident files and/or --deletions FILE");
        }
        std::size_t stdin_count = 0;
        for (const auto &f : m_deletions) {
            stdin_count += f == "-" ? 1 : 0;
        }
        for (const auto &f : m_files) {
            stdin_count += f == "-" ? 1 : 0;
        }
        if (stdin_count > 1) {
            throw UsageError("import: '-' (stdin) can be given only once");
        }
        if (!m_rejects.empty()) {
            std::vector<ProtectedPath> inputs;
            for (const auto &f : m_files) {
                if (f != "-") {
                    inputs.push_back({f, "the input file"});
                }
            }
            const auto spec = m_store.empty() ? default_store_spec() : m_store;
            if (!is_postgis_spec(spec)) {
                inputs.push_back({spec, "the active store"});
            }
            check_not_protected(m_rejects, "import: --rejects", inputs,
                                "choose another --rejects path");
        }
    }

    int run() override {
        const std::filesystem::path geodata = globals().geodata;
        const auto engine = BorderEngine::load(m_border, geodata);
        Gazetteer::Sources sources;
        sources.geodata = geodata;
        const auto gazetteer = Gazetteer::load(sources);
        PlacementOptions placement;
        if (!m_edges.empty()) {
            placement.band_edges_km = m_edges;
        }
        const auto placer = make_incident_placer(*engine, *gazetteer, placement);
        // Open the rejects file before touching the store: a refused --rejects path must not
        // leave an imported store behind.
        std::unique_ptr<AtomicFile> rejects;
        if (!m_rejects.empty()) {
            rejects = std::make_unique<AtomicFile>(
                m_rejects, m_overwrite ? OverwritePolicy::replace : OverwritePolicy::refuse);
            // Rejects keep the input exactly (CsvFormulas::raw), so they can be fixed and
            // imported again; they are not meant for spreadsheets.
            write_csv_record(rejects->stream(), {"file", "line", "field", "error", "record"}, ',',
                             CsvFormulas::raw);
        }
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store);
        ImportOptions options;
        options.format = *parse_incident_format(m_format);
        options.threads = m_threads;
        options.text = m_text;
        options.source_version = m_source_version;
        WarningLimiter limiter;
        ProgressRenderer progress(globals(), "import:");
        options.progress = progress.callback();
        if (!globals().quiet) {
            options.on_warning = [&](const ImportWarning &w) {
                if (limiter.admit(w)) {
                    progress.clear();
                    std::cerr << w.to_string() << '\n';
                }
            };
        }
        std::size_t shown = 0;
        constexpr std::size_t max_shown = 20;
        const auto report =
            import_incidents(m_files, *store, *placer, options, [&](const RejectedRow &row) {
                if (!globals().quiet && shown < max_shown) {
                    progress.clear();
                    std::cerr << row.to_string() << '\n';
                }
                ++shown;
                if (rejects) {
                    std::string record;
                    for (std::size_t i = 0; i < row.raw.size(); ++i) {
                        record +=
                            (i == 0 ? "" : ",") + csv_escape(row.raw[i], ',', CsvFormulas::raw);
                    }
                    write_csv_record(
                        rejects->stream(),
                        {row.file, std::to_string(row.line), row.field, row.message, record}, ',',
                        CsvFormulas::raw);
                }
            });
        progress.clear();
        if (rejects) {
            rejects->commit();
        }
        if (!globals().quiet && shown > max_shown) {
            std::cerr << "import: and " << (shown - max_shown) << " more rejected rows\n";
        }
        if (!globals().quiet) {
            for (const auto &line : limiter.hidden_lines()) {
                std::cerr << "import: " << line << '\n';
            }
        }
        if (!m_files.empty()) {
            std::cout << "imported " << report.read - report.rejected << " of " << report.read
                      << " rows into " << store->describe() << ": " << report.inserted
                      << " inserted, " << report.updated << " updated, " << report.unchanged
                      << " unchanged, " << report.rejected << " rejected\n";
            if (report.older > 0) {
                std::cout << report.older
                          << " older rows ignored (the store holds a newer revision)\n";
            }
            if (report.deleted_earlier > 0) {
                std::cout << report.deleted_earlier
                          << " rows ignored: events their source deleted (the store remembers "
                             "the deletion; only a newer revision is stored)\n";
            }
        }
        for (const auto &hint : report.hints) {
            if (!globals().quiet) {
                std::cerr << "import: hint: " << hint << '\n';
            }
        }
        for (const auto &flag : report.flags) {
            std::cout << "  " << flag.to_string() << '\n';
        }
        if (report.rejected > 0 && !globals().quiet) {
            std::cerr << "import: " << report.rejected << " row(s) rejected"
                      << (m_rejects.empty() ? std::string() : ", written to " + m_rejects) << '\n';
        }
        if (!m_deletions.empty()) {
            // A deletions export lists every deleted event of the source: most are not in
            // this store, which is not an error.
            DeleteOptions deletions;
            deletions.id_files = m_deletions;
            deletions.text = m_text;
            const auto deleted = delete_incidents(*store, deletions);
            std::cout << deletion_summary(deleted, store->describe()) << '\n';
        }
        return report.rejected > 0 ? exit_failure : exit_ok;
    }

  private:
    std::vector<std::string> m_files;
    std::vector<std::string> m_deletions;
    std::string m_store;
    std::string m_format = "auto";
    std::string m_rejects;
    bool m_overwrite = false;
    std::string m_border = "TJK-AFG";
    std::string m_bands;
    std::vector<double> m_edges;
    unsigned m_threads = 0;
    std::string m_encoding;
    std::string m_delimiter;
    std::string m_source_version;
    TextInputOptions m_text;
};

} // namespace

std::unique_ptr<Command> make_import_command() {
    return std::make_unique<ImportCommand>();
}

} // namespace borderwatch::cli
