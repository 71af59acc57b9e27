#pragma once
/// @file
/// `borderwatch update`: the scheduled job. One run imports what is new or changed in the
/// configured input locations (idempotent, one store transaction), re-exports the map layers
/// only when the store changed (or the export settings did), and otherwise touches nothing.
/// Runs are serialised by a lock file; a run killed at any point leaves the previous export
/// published (the export is swapped in as a set) and the store consistent (transactional).
/// An input file that cannot be read or recognised is kept out, reported once and retried
/// when it changes; the other files are imported.

#include <borderwatch/core/text_input.hpp>
#include <borderwatch/export/export.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/query/filter_spec.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace borderwatch {

class IncidentStore;

/// Exit status of `borderwatch update` when the lock is held by another run
/// (sysexits.h EX_TEMPFAIL: "try again later").
inline constexpr int k_exit_lock_busy = 75;

/// What to do when another run holds the lock.
enum class LockMode : std::uint8_t { wait, fail };

/// The update configuration (a TOML file; see load_update_config()).
struct UpdateConfig {
    std::filesystem::path config_file; ///< where it was read from (for messages)
    std::string store;                 ///< store spec (file path resolved against the config)
    std::vector<std::filesystem::path> inputs; ///< files or directories with incident drops
    std::vector<std::string> extensions{"csv", "geojson", "json"}; ///< files taken from directories
    /// Files or directories of news articles (.txt, .html, .htm): each new or changed one is
    /// run through `extract` and its candidate incidents imported (see docs/extract.md).
    std::vector<std::filesystem::path> articles;
    /// Files or directories of deletion lists (ACLED's deletions export
    /// `event_id_cnty,deleted_timestamp`, or any id list read_id_list() reads; .csv .txt):
    /// the events of each new or changed list are removed after the run's import.
    std::vector<std::filesystem::path> deletions;
    std::string input_format = "auto"; ///< auto|native|acled|ucdp|geojson
    TextInputOptions input_text;       ///< [inputs] encoding / delimiter of every input file
    std::filesystem::path export_dir;
    std::vector<ExportFormat> formats{ExportFormat::geojson, ExportFormat::kml, ExportFormat::gpkg,
                                      ExportFormat::csv};
    std::string border = "TJK-AFG";
    double sector_km = 50;
    std::vector<DistanceBand> bands = default_distance_bands();
    /// [export] link = false: as `export --no-link` (event clusters by same_as only).
    LinkOptions link;
    FilterSpec filter;
    LockMode lock_mode = LockMode::wait;
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(10)};
    std::filesystem::path lock_file;  ///< default: <export_dir>/.borderwatch-update.lock
    std::filesystem::path state_file; ///< default: <store>.update-state.json (file stores)
    /// Reference data directory of the run (not a config key: the caller's --geodata);
    /// empty = geodata_dir().
    std::filesystem::path geodata;
};

/// Read and check a TOML config. Relative paths are relative to the config file's directory.
/// ```toml
/// store = "incidents.gpkg"              # or "PG:dbname=borderwatch"
/// [inputs]
/// paths = ["drops/", "ucdp/ged.csv"]    # files or directories (scanned recursively)
/// extensions = ["csv", "geojson", "json"]
/// format = "auto"                       # auto | native | acled | ucdp | geojson
/// encoding = "cp1251"                   # optional: ICU encoding of the files (default UTF-8)
/// delimiter = ";"                       # optional: , ; tab | (default: from the header line)
/// articles = ["news/"]                  # optional: news articles (.txt .html .htm) -> extract
/// deletions = ["acled/deletions/"]      # optional: id lists (.csv .txt) -> removed
/// [export]
/// dir = "layers"
/// formats = ["geojson", "kml", "gpkg", "csv"]
/// border = "TJK-AFG"
/// sector_km = 50
/// bands_km = [1, 5, 10, 25, 50]
/// link = true                           # false: as `export --no-link`
/// [filter]                              # same names as `borderwatch query` options
/// side = "TJK"
/// within_km = 50
/// [lock]
/// mode = "wait"                         # wait | fail
/// timeout_s = 600
/// ```
/// @throws UsageError naming FILE and key for a missing/invalid value, IoError if unreadable
[[nodiscard]] UpdateConfig load_update_config(const std::filesystem::path &file);

/// Parse a config from text (@p base_dir resolves relative paths). @throws UsageError
[[nodiscard]] UpdateConfig parse_update_config(const std::string &toml_text,
                                               const std::filesystem::path &base_dir,
                                               const std::string &file_name = "config");

/// One input file as last seen.
struct FileFingerprint {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string sha256; ///< empty when the file could not be read
    /// Why the file was kept out of the import ("" = imported). A file with an error is
    /// not re-read or re-reported until its size, mtime or sha256 changes (or, when it was
    /// unreadable, until it can be read).
    std::string error;
};

/// What the import step did with the files it was given.
struct ImportCounts {
    std::size_t read = 0;
    std::size_t rejected = 0;
    std::size_t inserted = 0;
    std::size_t updated = 0;
    std::size_t unchanged = 0;
    std::size_t deleted = 0;          ///< stored events removed by deletion lists
    std::size_t deletions_listed = 0; ///< distinct ids in the run's deletion lists
    std::size_t older = 0; ///< rows older than the stored revision, ignored (ImportReport)
    /// rows of events their source deleted, ignored (ImportReport::deleted_earlier)
    std::size_t deleted_earlier = 0;
    std::size_t kept_newer = 0;        ///< listed deletions older than the stored row: row kept
    std::vector<std::string> messages; ///< "FILE:LINE: field 'x': ..." for rejected rows
    /// "FILE:LINE: warning: ..." (swapped lon/lat, repeated ids), rate-limited by
    /// WarningLimiter ("and 312 more like this (duplicate_id)")
    std::vector<std::string> warnings;
    std::vector<FlagSummary> flags; ///< every flag raised (ImportReport::flags)
};

/// Imports @p files into @p store in one transaction (all or nothing).
using ImportStep =
    std::function<ImportCounts(const std::vector<std::string> &files, IncidentStore &store)>;

/// Checks, before the import, that one new or changed input file can be imported at all;
/// throws borderwatch::Error with the reason. A file that fails is kept out of the import,
/// reported once, recorded in the state and retried when it changes.
using InputCheck = std::function<void(const std::filesystem::path &file)>;

/// The standard check: the file opens and its format is recognised
/// (open_incident_reader(): the CSV header, or the whole GeoJSON document, is read); articles
/// (is_article_input) pass; deletion lists (is_deletions_input) must read as id lists. The check
/// refers to @p config, which must outlive it.
[[nodiscard]] InputCheck make_input_check(const UpdateConfig &config);

/// One log event: "start", "import" (then one "import" event per flag raised, with fields
/// flag and rows), "export", "unchanged", "warning", "done".
struct UpdateEvent {
    std::string event;
    std::string message;                                     ///< one human-readable line
    std::vector<std::pair<std::string, std::string>> fields; ///< extra key/values (strings)
    std::vector<std::pair<std::string, double>> numbers;     ///< extra key/values (numbers)
};
using UpdateLog = std::function<void(const UpdateEvent &)>;

/// What a run did.
struct UpdateResult {
    std::size_t files_seen = 0;
    std::size_t files_imported = 0; ///< new or changed files handed to the import step
    /// Files kept out of the import on this run (new or changed, failed the check): path
    /// and reason. Each is reported once; later runs skip it silently until it changes.
    std::vector<std::pair<std::string, std::string>> files_failed;
    ImportCounts import;
    bool exported = false; ///< false: store and settings unchanged, nothing written
    std::string store_state;
    ExportResult export_result;
    double seconds = 0;
};

/// One scheduled run (see the file comment). @p check defaults to make_input_check().
/// The store, the state file, the lock file and every input are protected: an export file
/// or a lock file that is one of them is a UsageError.
/// @throws LockBusyError (exit k_exit_lock_busy), UsageError, IoError, GdalError, DataError
UpdateResult run_update(const UpdateConfig &config, const ImportStep &import,
                        const UpdateLog &log = {}, const ExportProgress &progress = {},
                        const InputCheck &check = {});

/// Input files named by the config (directories scanned recursively, hidden files and
/// other extensions skipped), sorted, as absolute paths. borderwatch's own files are never
/// inputs: the export's files and links (is_export_output(): the export directory may be an
/// input directory), the update state file and the store.
[[nodiscard]] std::vector<std::filesystem::path> list_input_files(const UpdateConfig &config);

/// File name extensions of news articles in `articles` directories.
inline const std::vector<std::string> k_article_extensions{"txt", "html", "htm"};
/// File name extensions of deletion lists in `deletions` directories.
inline const std::vector<std::string> k_deletion_list_extensions{"csv", "txt"};

/// True when @p file (as list_input_files() gives it) comes from `articles`: a news article
/// for `extract`, not an incident file.
[[nodiscard]] bool is_article_input(const UpdateConfig &config, const std::filesystem::path &file);

/// True when @p file comes from `deletions`: an id list whose events are removed.
[[nodiscard]] bool is_deletions_input(const UpdateConfig &config,
                                      const std::filesystem::path &file);

/// The import step of `borderwatch update` (an ImportStep for run_update()): incident files
/// are imported (import_incidents(), the config's format, encoding and delimiter); new or
/// changed news articles are run through extract_incidents() together with every other
/// article of the config and their candidates imported with the rest; then the events of new
/// or changed deletion lists are removed (delete_incidents()). The border engine and the
/// gazetteer are loaded only when there is something to import. @p log receives the extract
/// and deletion events and warnings. @p config must outlive the step.
[[nodiscard]] ImportStep make_import_step(const UpdateConfig &config, const UpdateLog &log = {});

/// Hash of everything in the config that shapes the export (formats, filters, border,
/// sectors, bands); stored in the manifest so a settings change triggers a re-export.
[[nodiscard]] std::string export_settings_hash(const UpdateConfig &config);

} // namespace borderwatch
