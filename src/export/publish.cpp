// Publishing an export as a set: see include/borderwatch/export/publish.hpp and
// docs/export-directory.md. Only rename(2) of a symlink makes a run visible, so a reader that
// resolves OUT/current sees every file of one run and none of another, whenever the writer
// is killed.

#include <borderwatch/export/publish.hpp>

#include "export/detail/publish.hpp"

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/file_lock.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/utc_time.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace borderwatch {

namespace fs = std::filesystem;

namespace {

constexpr const char *k_manifest = "manifest.json";

std::string next_suffix() {
    static std::atomic<unsigned> counter{0};
    return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

/// Test hook: BORDERWATCH_TEST_PUBLISH_DELAY_MS=N sleeps N ms between the publication steps,
/// so a test can aim kill -9 at each of them.
void test_pause() {
    static const long delay_ms = [] {
        const char *env = std::getenv("BORDERWATCH_TEST_PUBLISH_DELAY_MS");
        const auto v = env != nullptr ? parse_int(env) : std::nullopt;
        return v && *v > 0 ? static_cast<long>(*v) : 0L;
    }();
    if (delay_ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    }
}

bool exists_no_follow(const fs::path &p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

/// The target of a symlink as written, "" if @p p is not a symlink.
std::string link_target(const fs::path &p) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) {
        return {};
    }
    const auto target = fs::read_symlink(p, ec);
    return ec ? std::string() : target.string();
}

std::string current_prefix() {
    return std::string(k_export_current_link) + "/";
}

/// A top-level link of ours: "current/NAME".
bool is_current_link(const fs::path &p) {
    const auto target = link_target(p);
    return target.rfind(current_prefix(), 0) == 0;
}

/// Files listed by a plain (pre-runs layout) OUT/manifest.json that are plain files in OUT.
std::vector<std::string> legacy_export_files(const fs::path &out) {
    std::vector<std::string> names;
    const auto manifest = out / k_manifest;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(manifest, ec))) {
        return names;
    }
    std::ifstream in(manifest, std::ios::binary);
    try {
        const auto j = parse_json(in, manifest.string());
        for (const auto &f : j.at("files")) {
            const auto name = f.at("path").get<std::string>();
            if (!name.empty() && name.find('/') == std::string::npos && name != ".." &&
                fs::is_regular_file(fs::symlink_status(out / name, ec))) {
                names.push_back(name);
            }
        }
    } catch (const std::exception &) {
        // Not a manifest of ours: leave its neighbours alone.
        names.clear();
    }
    names.emplace_back(k_manifest);
    return names;
}

bool process_gone(std::string_view name) {
    const auto pos = name.find(".tmp-");
    if (pos == std::string_view::npos) {
        return false;
    }
    const auto rest = name.substr(pos + 5);
    const auto pid = parse_int(rest.substr(0, rest.find('-')));
    return pid && *pid > 0 && ::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH;
}

/// Atomically make @p link a symlink to @p target (temporary symlink renamed over it).
void replace_symlink(const fs::path &link, const fs::path &target) {
    const auto temp =
        link.parent_path() / ("." + link.filename().string() + ".tmp-" + next_suffix());
    std::error_code ec;
    fs::create_symlink(target, temp, ec);
    if (ec) {
        throw IoError("cannot create symlink '" + temp.string() + "': " + ec.message());
    }
    fs::rename(temp, link, ec);
    if (ec) {
        fs::remove(temp);
        throw IoError("cannot rename '" + temp.string() + "' to '" + link.string() +
                      "': " + ec.message());
    }
}

} // namespace

fs::path current_export_run(const fs::path &out_dir) {
    const auto target = link_target(out_dir / k_export_current_link);
    if (target.empty()) {
        return {};
    }
    std::error_code ec;
    const auto run = out_dir / target;
    return fs::is_directory(run, ec) ? run : fs::path();
}

bool is_export_output(const fs::path &out_dir, const fs::path &file) {
    std::error_code ec;
    if (!fs::is_directory(out_dir, ec)) {
        return false;
    }
    // Anything under OUT/.runs or OUT/current.
    for (auto dir = file.parent_path(); !dir.empty() && dir != dir.parent_path();
         dir = dir.parent_path()) {
        const auto name = dir.filename().string();
        if ((name == k_export_runs_dir || name == k_export_current_link) &&
            fs::equivalent(dir.parent_path(), out_dir, ec)) {
            return true;
        }
    }
    if (!fs::equivalent(file.parent_path(), out_dir, ec)) {
        return false;
    }
    const auto name = file.filename().string();
    if (name == k_export_current_link || is_current_link(file) ||
        (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos)) {
        return true;
    }
    const auto legacy = legacy_export_files(out_dir);
    return std::find(legacy.begin(), legacy.end(), name) != legacy.end();
}

namespace detail {

void remove_stale_export_temporaries(const fs::path &out_dir) {
    std::error_code ec;
    for (const auto &dir : {out_dir, out_dir / k_export_runs_dir}) {
        for (const auto &entry : fs::directory_iterator(dir, ec)) {
            const auto name = entry.path().filename().string();
            if (!name.empty() && name[0] == '.' && process_gone(name)) {
                std::error_code ignored;
                fs::remove_all(entry.path(), ignored);
            }
        }
    }
}

ExportRun::ExportRun(fs::path out_dir, const std::vector<std::string> &names, bool overwrite,
                     const std::vector<ProtectedPath> &protect)
    : m_out(std::move(out_dir)), m_runs(m_out / k_export_runs_dir), m_protect(protect) {
    std::error_code ec;
    fs::create_directories(m_out, ec);
    if (ec || !fs::is_directory(m_out)) {
        throw IoError("cannot create export directory '" + m_out.string() +
                      "': " + (ec ? ec.message() : "not a directory"));
    }
    const auto current = m_out / k_export_current_link;
    if (exists_no_follow(current) && !fs::is_symlink(fs::symlink_status(current))) {
        throw IoError("'" + current.string() +
                      "' is in the way: borderwatch publishes each export through a symlink of "
                      "that name; move it away or export into another directory");
    }
    m_legacy_files = legacy_export_files(m_out);
    std::vector<std::string> touched = names; // every top-level name this run may replace
    touched.insert(touched.end(), m_legacy_files.begin(), m_legacy_files.end());
    touched.emplace_back(k_export_current_link);
    for (const auto &name : touched) {
        const auto path = m_out / name;
        if (name != k_export_current_link && exists_no_follow(path) &&
            fs::is_directory(fs::symlink_status(path))) {
            throw IoError("'" + path.string() +
                          "' is a directory in the way of an export file; move it away or "
                          "export into another directory");
        }
        const bool gpkg = name == "borderwatch.gpkg";
        check_not_protected(
            path, "export file", m_protect,
            gpkg ? "the GeoPackage export is always named borderwatch.gpkg; export into another "
                   "directory (e.g. --out layers/), or keep the store under another name or "
                   "elsewhere (--store incidents.gpkg)"
                 : "export into another directory, or keep the store and the inputs outside "
                   "the export directory");
    }
    if (!overwrite) {
        if (exists_no_follow(current)) {
            throw IoError("'" + m_out.string() + "' already holds an export (" + current.string() +
                          "); use --overwrite to replace it");
        }
        for (const auto &name : names) {
            if (exists_no_follow(m_out / name)) {
                throw IoError("'" + (m_out / name).string() +
                              "' already exists; use --overwrite to replace it");
            }
        }
    }
    remove_stale_export_temporaries(m_out);
    fs::create_directories(m_runs, ec);
    m_id = utc_now_compact() + "-" + next_suffix();
    m_temp_dir = m_runs / (".tmp-" + next_suffix());
    if (!fs::create_directory(m_temp_dir, ec) || ec) {
        throw IoError("cannot create '" + m_temp_dir.string() +
                      "': " + (ec ? ec.message() : "exists"));
    }
}

ExportRun::~ExportRun() {
    if (!m_published) {
        std::error_code ignored;
        fs::remove_all(m_temp_dir, ignored);
        if (!m_id.empty()) {
            fs::remove_all(m_runs / m_id, ignored); // renamed, then failed before the swap
        }
    }
}

fs::path ExportRun::publish(const std::vector<std::string> &files) {
    // 1. The run's files are fsync'ed by their writers; make their names durable too. The
    // directory holds exactly the files the manifest lists: anything else a writer left
    // behind is removed now, while the directory is still private.
    const auto keep = [&files](const std::string &name) {
        return std::find(files.begin(), files.end(), name) != files.end();
    };
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(m_temp_dir, ec)) {
        if (!keep(entry.path().filename().string())) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored);
        }
    }
    fsync_path(m_temp_dir);
    // Publications into one OUT are serialised (the swap, the links and the pruning).
    const auto lock = FileLock::acquire(m_runs / ".lock", std::chrono::minutes(5));
    const auto run_dir = m_runs / m_id;
    fs::rename(m_temp_dir, run_dir, ec);
    if (ec) {
        throw IoError("cannot rename '" + m_temp_dir.string() + "' to '" + run_dir.string() +
                      "': " + ec.message());
    }
    fsync_path(m_runs);
    test_pause();

    // 2. The publication: one rename of a symlink.
    const auto current = m_out / k_export_current_link;
    const auto previous = fs::path(link_target(current)).filename().string();
    replace_symlink(current, fs::path(k_export_runs_dir) / m_id);
    m_published = true;
    fsync_path(m_out);
    test_pause();

    // 3. Stable top-level names: OUT/<file> → current/<file>. These links do not change from
    // run to run, so after the first export nothing here is renamed; files the new run does
    // not have lose their name.
    for (const auto &name : files) {
        const auto link = m_out / name;
        const auto target = fs::path(k_export_current_link) / name;
        if (link_target(link) != target.string()) {
            replace_symlink(link, target);
        }
    }
    for (const auto &name : m_legacy_files) { // plain files of an export before runs existed
        if (!keep(name) && !is_current_link(m_out / name)) {
            fs::remove(m_out / name, ec);
        }
    }
    for (const auto &entry : fs::directory_iterator(m_out, ec)) {
        const auto name = entry.path().filename().string();
        if (!keep(name) && is_current_link(entry.path())) {
            fs::remove(entry.path(), ec);
        }
    }
    fsync_path(m_out);
    test_pause();

    // 4. Prune: keep this run and the one it replaced (a reader may still be in it), and the
    // private directories of exports still running.
    for (const auto &entry : fs::directory_iterator(m_runs, ec)) {
        const auto name = entry.path().filename().string();
        if (name == m_id || name == previous || name == ".lock" ||
            (name.rfind(".tmp-", 0) == 0 && !process_gone(name))) {
            continue;
        }
        const bool holds_protected =
            std::any_of(m_protect.begin(), m_protect.end(), [&entry](const ProtectedPath &p) {
                std::error_code e;
                const auto canonical = fs::weakly_canonical(p.path, e).string();
                const auto dir = fs::weakly_canonical(entry.path(), e).string() + "/";
                return canonical.rfind(dir, 0) == 0;
            });
        if (!holds_protected) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored);
        }
    }
    return run_dir;
}

} // namespace detail

} // namespace borderwatch
