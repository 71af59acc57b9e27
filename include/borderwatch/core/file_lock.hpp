#pragma once
/// @file
/// An advisory exclusive lock on a file (flock), so two scheduled runs never overlap.
/// The kernel drops the lock when the process exits, however it exits (kill -9 included),
/// so a crashed run never leaves a stale lock behind.

#include <borderwatch/core/error.hpp>

#include <chrono>
#include <filesystem>

namespace borderwatch {

/// Another process holds the lock (and we were told not to wait, or waited too long).
class LockBusyError : public IoError {
  public:
    using IoError::IoError;
};

/// Holds an exclusive flock on a lock file until destroyed. Move-only.
class FileLock {
  public:
    /// Take the lock, waiting at most @p timeout (zero: do not wait).
    /// The file is created if missing (its parent directory must exist); it is never removed,
    /// because removing a lock file races with a process that just opened it.
    /// @throws LockBusyError when the lock is still held by another process after @p timeout,
    ///         IoError when the file cannot be opened
    [[nodiscard]] static FileLock acquire(const std::filesystem::path &path,
                                          std::chrono::milliseconds timeout);

    FileLock(FileLock &&other) noexcept;
    FileLock &operator=(FileLock &&other) noexcept;
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;
    ~FileLock();

    [[nodiscard]] const std::filesystem::path &path() const noexcept { return m_path; }

  private:
    FileLock(std::filesystem::path path, int fd) noexcept : m_path(std::move(path)), m_fd(fd) {}
    std::filesystem::path m_path;
    int m_fd = -1;
};

} // namespace borderwatch
