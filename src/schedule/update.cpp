// One scheduled run: lock → import new/changed inputs → export only when something changed.
// Crash safety comes from the parts: the store commits imports in one transaction, every
// export file and the fingerprint state are replaced atomically, and the manifest is written
// last. A run killed between import and export is completed by the next run, which sees the
// store state differ from the manifest's.

#include <borderwatch/schedule/update.hpp>

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/export/sha256.hpp>
#include <borderwatch/schedule/lock.hpp>
#include <borderwatch/store/store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sys/stat.h>

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

std::int64_t mtime_ns(const std::filesystem::path &p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
        throw IoError("cannot stat '" + p.string() + "'");
    }
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

using StateMap = std::map<std::string, FileFingerprint>;

StateMap read_state(const std::filesystem::path &file) {
    StateMap out;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return out;
    }
    try {
        const auto j = nlohmann::json::parse(in);
        for (const auto &f : j.at("files")) {
            FileFingerprint fp;
            fp.path = f.at("path").get<std::string>();
            fp.size = f.at("size").get<std::uint64_t>();
            fp.mtime_ns = f.at("mtime_ns").get<std::int64_t>();
            fp.sha256 = f.at("sha256").get<std::string>();
            out.emplace(fp.path, fp);
        }
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
        j["files"].push_back({{"path", fp.path},
                              {"size", fp.size},
                              {"mtime_ns", fp.mtime_ns},
                              {"sha256", fp.sha256}});
    }
    write_file_atomically(file, j.dump(1) + "\n");
}

/// True when the export directory already holds a complete export of @p state with the
/// same settings: manifest present, same store state and settings hash, every file there
/// with its recorded size.
bool export_is_current(const std::filesystem::path &dir, const std::string &state,
                       const std::string &settings_hash) {
    std::ifstream in(dir / "manifest.json", std::ios::binary);
    if (!in) {
        return false;
    }
    try {
        const auto m = nlohmann::json::parse(in);
        if (m.at("store").at("state").get<std::string>() != state ||
            m.value("extra", nlohmann::json::object()).value("settings_hash", "") !=
                settings_hash) {
            return false;
        }
        for (const auto &f : m.at("files")) {
            const auto p = dir / f.at("path").get<std::string>();
            std::error_code ec;
            if (std::filesystem::file_size(p, ec) != f.at("bytes").get<std::uint64_t>() || ec) {
                return false;
            }
        }
        return true;
    } catch (const nlohmann::json::exception &) {
        return false;
    }
}

} // namespace

std::vector<std::filesystem::path> list_input_files(const UpdateConfig &config) {
    std::vector<std::filesystem::path> out;
    for (const auto &input : config.inputs) {
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
                if (it->is_regular_file() && wanted_extension(it->path(), config.extensions)) {
                    out.push_back(std::filesystem::absolute(it->path()));
                }
            }
        } else {
            throw IoError(config.config_file.string() + ": input '" + input.string() +
                          "' does not exist");
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

UpdateResult run_update(const UpdateConfig &config, const ImportStep &import, const UpdateLog &log,
                        const ExportProgress &progress) {
    const auto started = std::chrono::steady_clock::now();
    const auto emit = [&log](UpdateEvent e) {
        if (log) {
            log(e);
        }
    };
    UpdateResult result;
    std::filesystem::create_directories(config.export_dir);
    if (config.lock_file.has_parent_path()) {
        std::filesystem::create_directories(config.lock_file.parent_path());
    }
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

    // --- which inputs are new or changed ---------------------------------------------
    auto state = read_state(config.state_file);
    const auto files = list_input_files(config);
    result.files_seen = files.size();
    std::vector<std::string> to_import;
    StateMap next = state;
    bool state_dirty = false;
    for (const auto &file : files) {
        const auto key = file.string();
        FileFingerprint fp{key, std::filesystem::file_size(file), mtime_ns(file), {}};
        const auto it = state.find(key);
        if (it != state.end() && it->second.size == fp.size && it->second.mtime_ns == fp.mtime_ns) {
            continue; // unchanged (cheap check)
        }
        fp.sha256 = sha256_file(file);
        if (it != state.end() && it->second.sha256 == fp.sha256) {
            next[key] = fp; // touched but identical: remember the new mtime, do not import
            state_dirty = true;
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
                          std::to_string(result.import.rejected) + " rejected",
                      {},
                      {{"files", static_cast<double>(to_import.size())},
                       {"read", static_cast<double>(result.import.read)},
                       {"inserted", static_cast<double>(result.import.inserted)},
                       {"updated", static_cast<double>(result.import.updated)},
                       {"unchanged", static_cast<double>(result.import.unchanged)},
                       {"rejected", static_cast<double>(result.import.rejected)}}};
        emit(e);
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
        options.store_description = store->describe();
        options.store_state = result.store_state;
        options.filter_description = config.filter.describe();
        nlohmann::json extra{{"settings_hash", settings_hash},
                             {"config", config.config_file.filename().string()}};
        options.manifest_extra_json = extra.dump();
        const auto filter = resolve_filter_spec(config.filter);
        options.expected_incidents = filter.empty() ? store->count() : 0;
        const auto border = resolve_border_geometry(config.border);
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
