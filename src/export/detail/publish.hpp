#pragma once
// One export run: written into a private directory under OUT/.runs, then published as a set
// by swapping the OUT/current symlink (see include/borderwatch/export/publish.hpp).

#include <borderwatch/core/protected_paths.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace borderwatch::detail {

class ExportRun {
  public:
    /// Checks OUT before anything is written, then creates the private run directory
    /// OUT/.runs/.tmp-PID-N/.
    /// @param names the files the run will publish (manifest.json included)
    /// @throws IoError when OUT already holds an export and !overwrite, or an entry is in
    ///         the way (a directory named like an output, a `current` that is not a
    ///         symlink); UsageError when an output would replace one of @p protect
    ExportRun(std::filesystem::path out_dir, const std::vector<std::string> &names, bool overwrite,
              const std::vector<ProtectedPath> &protect);
    ExportRun(const ExportRun &) = delete;
    ExportRun &operator=(const ExportRun &) = delete;
    /// Removes the private directory unless the run was published.
    ~ExportRun();

    /// Where the writers write.
    [[nodiscard]] const std::filesystem::path &dir() const noexcept { return m_temp_dir; }
    /// The run's name under .runs ("20261204T150102Z-4711-0").
    [[nodiscard]] const std::string &id() const noexcept { return m_id; }

    /// Make the run current: fsync its directory, rename it to .runs/<id>, swap OUT/current
    /// (the publication), point the top-level names at current/, remove the previous run's
    /// names that this run does not have, and prune runs other than this one and the one
    /// it replaced. Every file in dir() must be complete and fsync'ed.
    /// @return the published run directory
    /// @throws IoError
    std::filesystem::path publish(const std::vector<std::string> &files);

  private:
    std::filesystem::path m_out;
    std::filesystem::path m_runs;
    std::filesystem::path m_temp_dir;
    std::string m_id;
    std::vector<std::string> m_legacy_files; ///< plain files of an export before runs existed
    std::vector<ProtectedPath> m_protect;
    bool m_published = false;
};

/// Remove what killed exports left in OUT: temporaries ".NAME.tmp-PID-N" of processes that
/// are gone, and their unpublished run directories under OUT/.runs.
void remove_stale_export_temporaries(const std::filesystem::path &out_dir);

} // namespace borderwatch::detail
