#pragma once
/// @file
/// Crash-safe file replacement: write to a temporary sibling, flush, fsync, rename.
/// A reader of the target path sees either the old complete file or the new one.

#include <filesystem>
#include <fstream>
#include <string>

namespace borderwatch {

/// What to do when the target already exists.
enum class OverwritePolicy { refuse, replace };

/// A temporary sibling of @p target that becomes @p target on commit().
/// If destroyed without commit() (exception, early return) the temporary is removed
/// and the target is untouched.
class AtomicFile {
  public:
    /// @throws IoError if the target exists and policy is refuse (message says to use
    ///         --overwrite), or the temporary cannot be created
    explicit AtomicFile(std::filesystem::path target,
                        OverwritePolicy policy = OverwritePolicy::replace);
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;
    ~AtomicFile();

    /// Path of the temporary file, for writers (GDAL drivers) that need a name.
    [[nodiscard]] const std::filesystem::path &temp_path() const noexcept { return m_temp; }
    [[nodiscard]] const std::filesystem::path &target() const noexcept { return m_target; }

    /// A stream on the temporary file (opened on first use, binary mode).
    std::ofstream &stream();

    /// Flush, fsync the file, rename over the target, fsync the directory.
    /// @throws IoError on any failure (the temporary is removed)
    void commit();

  private:
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    std::ofstream m_stream;
    bool m_committed = false;
};

/// Write @p content to @p path atomically (see AtomicFile).
void write_file_atomically(const std::filesystem::path &path, const std::string &content,
                           OverwritePolicy policy = OverwritePolicy::replace);

/// fsync a file or directory by path. @throws IoError
void fsync_path(const std::filesystem::path &path);

} // namespace borderwatch
