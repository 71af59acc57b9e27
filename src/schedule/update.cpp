// One scheduled run: lock → import new/changed inputs → export only when something changed.
// Crash safety comes from the parts: the store commits imports in one transaction, the
// fingerprint state is replaced atomically, and the export is published as a set (a run
// directory behind the OUT/current symlink). A run killed between import and export is
// completed by the next run, which sees the store state differ from the manifest's.
// A bad input file never stops the others: it fails a check before the import, is
// reported once and recorded with its fingerprint, and is retried when it changes.

#include <borderwatch/schedule/update.hpp>

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/file_lock.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/publish.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/query/delete.hpp>
#include <borderwatch/store/store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace borderwatch {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool wanted_extension(const std::filesystem::path &p, const std::vector<std::string> &extensions) {
    auto ext = lower(p.extension().string());
    if (!ext.empty() && ext[0] == '.') {
        ext.erase(0, 1);
    }
    return std::any_of(extensions.begin(), extensions.end(),
                       [&ext](const std::string &e) { return lower(e) == ext; });
}

bool hidden(const std::filesystem::path &p) {
    const auto name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

/// Size and mtime of @p p; false when it cannot be stat'ed (gone since the listing).
bool stat_file(const std::filesystem::path &p, std::uint64_t &size, std::int64_t &mtime_ns) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
        return false;
    }
    size = static_cast<std::uint64_t>(st.st_size);
    mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return true;
}

using StateMap = std::map<std::string, FileFingerprint>;

StateMap read_state(const std::filesystem::path &file) {
    StateMap out;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return out;
    }
    try {
        const auto j = parse_json(in, file.string());
        for (const auto &f : j.at("files")) {
            FileFingerprint fp;
            fp.path = f.at("path").get<std::string>();
            fp.size = f.at("size").get<std::uint64_t>();
            fp.mtime_ns = f.at("mtime_ns").get<std::int64_t>();
            fp.sha256 = f.at("sha256").get<std::string>();
            fp.error = f.value("error", "");
            out.emplace(fp.path, fp);
        }
    } catch (const InputError &e) {
        throw DataError("update state file '" + file.string() + "' is unreadable (" + e.what() +
                        "); delete it to re-scan every input (imports are idempotent)");
    } catch (const nlohmann::json::exception &e) {
        // A damaged state file only costs a re-import (idempotent): say so and start over.
        throw DataError("update state file '" + file.string() + "' is unreadable (" + e.what() +
                        "); delete it to re-scan every input (imports are idempotent)");
    }
    return out;
}

void write_state(const std::filesystem::path &file, const StateMap &state) {
    nlohmann::ordered_json j;
    j["comment"] = "borderwatch update: fingerprints of imported input files";
    j["files"] = nlohmann::ordered_json::array();
    for (const auto &[path, fp] : state) {
        nlohmann::ordered_json f{
            {"path", fp.path}, {"size", fp.size}, {"mtime_ns", fp.mtime_ns}, {"sha256", fp.sha256}};
        if (!fp.error.empty()) {
            f["error"] = fp.error;
        }
        j["files"].push_back(std::move(f));
    }
    write_file_atomically(file, j.dump(1) + "\n");
}

/// True when the export directory already holds a complete published export of @p state
/// with the same settings: OUT/current points at a run whose manifest has the same store
/// state and settings hash, every file is there with its recorded size, and every top-level
/// name links to current/ (a run killed between the swap and the links is redone).
bool export_is_current(const std::filesystem::path &dir, const std::string &state,
                       const std::string &settings_hash) {
    const auto run = current_export_run(dir);
    if (run.empty()) {
        return false;
    }
    std::ifstream in(run / "manifest.json", std::ios::binary);
    if (!in) {
        return false;
    }
    const auto linked = [&dir](const std::string &name) {
        std::error_code ec;
        const auto target = std::filesystem::read_symlink(dir / name, ec);
        return !ec && target == std::filesystem::path(k_export_current_link) / name;
    };
    try {
        const auto m = parse_json(in, (run / "manifest.json").string());
        if (m.at("store").at("state").get<std::string>() != state ||
            m.value("extra", nlohmann::json::object()).value("settings_hash", "") !=
                settings_hash ||
            !linked("manifest.json")) {
            return false;
        }
        for (const auto &f : m.at("files")) {
            const auto name = f.at("path").get<std::string>();
            std::error_code ec;
            if (std::filesystem::file_size(run / name, ec) != f.at("bytes").get<std::uint64_t>() ||
                ec || !linked(name)) {
                return false;
            }
        }
        return true;
    } catch (const nlohmann::json::exception &) {
        return false;
    } catch (const InputError &) {
        return false;
    }
}

/// The files of the config that no output may replace (inputs are added by the caller).
std::vector<ProtectedPath> own_files(const UpdateConfig &config) {
    std::vector<ProtectedPath> out;
    if (!is_postgis_spec(config.store)) {
        out.push_back({config.store, "the store"});
    }
    out.push_back({config.state_file, "the update state file"});
    return out;
}

} // namespace

std::vector<std::filesystem::path> list_input_files(const UpdateConfig &config) {
    std::vector<std::filesystem::path> out;
    const auto collect = [&](const std::vector<std::filesystem::path> &inputs,
                             const std::vector<std::string> &extensions) {
        for (const auto &input : inputs) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(input, ec)) {
                out.push_back(std::filesystem::absolute(input));
            } else if (std::filesystem::is_directory(input, ec)) {
                for (auto it = std::filesystem::recursive_directory_iterator(input, ec);
                     it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                    if (ec) {
                        break;
                    }
                    if (hidden(it->path())) {
                        if (it->is_directory()) {
                            it.disable_recursion_pending();
                        }
                        continue;
                    }
                    if (it->is_regular_file() && wanted_extension(it->path(), extensions) &&
                        !is_export_output(config.export_dir, it->path())) {
                        out.push_back(std::filesystem::absolute(it->path()));
                    }
                }
            } else {
                throw IoError(config.config_file.string() + ": input '" + input.string() +
                              "' does not exist");
            }
        }
    };
    collect(config.inputs, config.extensions);
    collect(config.articles, k_article_extensions);
    collect(config.deletions, k_deletion_list_extensions);
    // The state file (.json) and the store may live in an input directory: never inputs.
    const auto own = own_files(config);
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&own](const std::filesystem::path &f) {
                                 return std::any_of(
                                     own.begin(), own.end(),
                                     [&f](const ProtectedPath &p) { return same_file(f, p.path); });
                             }),
              out.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

/// True when @p file is one of @p roots or lies under one of them.
bool under_any(const std::vector<std::filesystem::path> &roots, const std::filesystem::path &file) {
    const auto abs = std::filesystem::absolute(file).lexically_normal();
    return std::any_of(roots.begin(), roots.end(), [&](const auto &input) {
        const auto root = std::filesystem::absolute(input).lexically_normal();
        const auto rel = abs.lexically_relative(root);
        return abs == root || (!rel.empty() && *rel.begin() != "..");
    });
}

} // namespace

bool is_article_input(const UpdateConfig &config, const std::filesystem::path &file) {
    return under_any(config.articles, file);
}

bool is_deletions_input(const UpdateConfig &config, const std::filesystem::path &file) {
    return under_any(config.deletions, file);
}

InputCheck make_input_check(const UpdateConfig &config) {
    const auto format = parse_incident_format(config.input_format);
    if (!format) {
        throw UsageError(config.config_file.string() + ": inputs.format: unknown format '" +
                         config.input_format + "'");
    }
    // Articles are plain text or HTML: `extract` reads them in the import step.
    return [format = *format, &config](const std::filesystem::path &file) {
        if (is_deletions_input(config, file)) {
            (void)read_id_list(file.string(), config.input_text);
        } else if (!is_article_input(config, file)) {
            (void)open_incident_reader(file.string(), format);
        }
    };
}

UpdateResult run_update(const UpdateConfig &config, const ImportStep &import, const UpdateLog &log,
                        const ExportProgress &progress, const InputCheck &check) {
    const auto started = std::chrono::steady_clock::now();
    const auto emit = [&log](UpdateEvent e) {
        if (log) {
            log(e);
        }
    };
    UpdateResult result;
    create_directories_checked(config.export_dir);
    if (config.lock_file.has_parent_path()) {
        create_directories_checked(config.lock_file.parent_path());
    }
    // Taking the lock truncates the lock file: it must not be anything we read.
    auto protect = own_files(config);
    for (const auto &file : list_input_files(config)) {
        protect.push_back({file, "the input file"});
    }
    check_not_protected(config.lock_file, config.config_file.string() + ": [lock] file", protect,
                        "choose another lock file");
    const auto timeout =
        config.lock_mode == LockMode::fail ? std::chrono::milliseconds(0) : config.lock_timeout;
    const auto lock = FileLock::acquire(config.lock_file, timeout);
    emit({"start",
          "update started",
          {{"config", config.config_file.string()}, {"lock", config.lock_file.string()}},
          {}});

    StoreOpenOptions open_options;
    open_options.create_if_missing = true;
    auto store = open_store(config.store, open_options);
    const auto check_file = check ? check : make_input_check(config);

    // --- which inputs are new or changed ---------------------------------------------
    auto state = read_state(config.state_file);
    const auto files = list_input_files(config);
    result.files_seen = files.size();
    std::vector<std::string> to_import;
    StateMap next = state;
    bool state_dirty = false;
    for (const auto &file : files) {
        const auto key = file.string();
        FileFingerprint fp{key, 0, 0, {}, {}};
        if (!stat_file(file, fp.size, fp.mtime_ns)) {
            continue; // removed since the listing: nothing to import
        }
        const auto it = state.find(key);
        const FileFingerprint *seen = it != state.end() ? &it->second : nullptr;
        const bool known_bad = seen != nullptr && !seen->error.empty();
        if (seen != nullptr && seen->size == fp.size && seen->mtime_ns == fp.mtime_ns &&
            (!known_bad || !seen->sha256.empty() || ::access(file.c_str(), R_OK) != 0)) {
            continue; // unchanged (cheap check); a known bad file stays out silently
        }
        // Kept out of the import: recorded with its fingerprint, reported once.
        const auto keep_out = [&](std::string reason) {
            fp.error = std::move(reason);
            next[key] = fp;
            state_dirty = true;
            result.files_failed.emplace_back(key, fp.error);
            emit({"warning",
                  key + ": not imported: " + fp.error +
                      " (the other files are imported; this one is retried when it changes)",
                  {{"file", key}, {"reason", fp.error}},
                  {}});
        };
        try {
            fp.sha256 = sha256_file(file);
        } catch (const Error &e) {
            keep_out(std::string("unreadable: ") + e.what());
            continue;
        }
        if (seen != nullptr && !known_bad && seen->sha256 == fp.sha256) {
            next[key] = fp; // touched but identical: remember the new mtime, do not import
            state_dirty = true;
            continue;
        }
        try {
            check_file(file);
        } catch (const Error &e) {
            if (known_bad && seen->sha256 == fp.sha256 && seen->error == e.what()) {
                fp.error = seen->error; // touched, same content, same fault: no second report
                next[key] = fp;
                state_dirty = true;
            } else {
                keep_out(e.what());
            }
            continue;
        }
        to_import.push_back(key);
        next[key] = fp;
        state_dirty = true;
    }

    // --- import (one transaction) ------------------------------------------------------
    if (!to_import.empty()) {
        result.files_imported = to_import.size();
        result.import = import(to_import, *store);
        UpdateEvent e{"import",
                      "imported " + std::to_string(to_import.size()) +
                          " file(s): " + std::to_string(result.import.inserted) + " new, " +
                          std::to_string(result.import.updated) + " updated, " +
                          std::to_string(result.import.unchanged) + " unchanged, " +
                          std::to_string(result.import.rejected) + " rejected" +
                          (result.import.older > 0
                               ? ", " + std::to_string(result.import.older) + " older rows ignored"
                               : std::string()) +
                          (result.import.deleted_earlier > 0
                               ? ", " + std::to_string(result.import.deleted_earlier) +
                                     " rows of deleted events ignored"
                               : std::string()) +
                          (result.import.deletions_listed > 0
                               ? ", " + std::to_string(result.import.deleted) + " deleted (of " +
                                     std::to_string(result.import.deletions_listed) + " listed" +
                                     (result.import.kept_newer > 0
                                          ? ", " + std::to_string(result.import.kept_newer) +
                                                " kept: revised after the deletion"
                                          : std::string()) +
                                     ")"
                               : std::string()),
                      {},
                      {{"files", static_cast<double>(to_import.size())},
                       {"read", static_cast<double>(result.import.read)},
                       {"inserted", static_cast<double>(result.import.inserted)},
                       {"updated", static_cast<double>(result.import.updated)},
                       {"unchanged", static_cast<double>(result.import.unchanged)},
                       {"older", static_cast<double>(result.import.older)},
                       {"deleted_earlier", static_cast<double>(result.import.deleted_earlier)},
                       {"rejected", static_cast<double>(result.import.rejected)},
                       {"deleted", static_cast<double>(result.import.deleted)}}};
        emit(e);
        for (const auto &flag : result.import.flags) {
            emit({"import",
                  flag.to_string(),
                  {{"flag", flag.flag}},
                  {{"rows", static_cast<double>(flag.count)}}});
        }
    }
    // Fingerprints are recorded after the import committed; a kill in between only means
    // the next run imports the same files again, which changes nothing.
    if (state_dirty) {
        write_state(config.state_file, next);
    }

    // --- export only when the store (or the export settings) changed -----------------
    result.store_state = store->state();
    const auto settings_hash = export_settings_hash(config);
    if (export_is_current(config.export_dir, result.store_state, settings_hash)) {
        emit({"unchanged",
              "store unchanged since the last export; nothing written",
              {{"store_state", result.store_state}},
              {}});
    } else {
        ExportOptions options;
        options.out_dir = config.export_dir;
        options.formats = config.formats;
        options.overwrite = true;
        options.sector_km = config.sector_km;
        options.bands = config.bands;
        options.link = config.link;
        options.geodata_dir = config.geodata;
        options.store_description = store->describe();
        options.store_state = result.store_state;
        options.filter_description = config.filter.describe();
        nlohmann::json extra{{"settings_hash", settings_hash},
                             {"config", config.config_file.filename().string()}};
        options.manifest_extra_json = extra.dump();
        options.protected_paths = protect;
        options.protected_paths.push_back({config.lock_file, "the update lock file"});
        std::vector<std::string> filter_warnings;
        const auto filter = resolve_filter_spec(config.filter, config.geodata, &filter_warnings);
        for (const auto &w : filter_warnings) {
            emit({"warning", "filter " + w, {}, {}});
        }
        options.expected_incidents = filter.empty() ? store->count() : 0;
        options.link_source = [&](const std::function<void(const Incident &)> &sink) {
            store->query(filter, sink, StoredText::raw);
        };
        const auto border = resolve_border_geometry(config.border, config.geodata);
        result.export_result = export_layers(
            options,
            [&](const std::function<void(const Incident &)> &sink) { store->query(filter, sink); },
            border, progress);
        result.exported = true;
        emit({"export",
              "exported " + std::to_string(result.export_result.incidents) + " incidents to " +
                  config.export_dir.string(),
              {{"dir", config.export_dir.string()}, {"store_state", result.store_state}},
              {{"incidents", static_cast<double>(result.export_result.incidents)},
               {"files", static_cast<double>(result.export_result.files.size())}}});
        if (const auto warning = store->text_repairs().warning(); !warning.empty()) {
            emit({"warning",
                  warning,
                  {},
                  {{"text_values_replaced", static_cast<double>(store->text_repairs().count)}}});
        }
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    emit({"done",
          "update finished",
          {},
          {{"seconds", result.seconds}, {"exported", result.exported ? 1.0 : 0.0}}});
    return result;
}

} // namespace borderwatch
