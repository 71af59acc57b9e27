#include <borderwatch/core/file_lock.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace borderwatch {

FileLock FileLock::acquire(const std::filesystem::path &path, std::chrono::milliseconds timeout) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw IoError("cannot open lock file '" + path.string() + "': " + std::strerror(errno));
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            // The holder's pid, for humans looking at the file; not used for locking.
            const auto pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd, 0) == 0) {
                [[maybe_unused]] const auto n = ::pwrite(fd, pid.data(), pid.size(), 0);
            }
            return FileLock(path, fd);
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int saved = errno;
            ::close(fd);
            throw IoError("cannot lock '" + path.string() + "': " + std::strerror(saved));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::close(fd);
            throw LockBusyError(
                "another borderwatch update holds the lock '" + path.string() + "'" +
                (timeout.count() > 0 ? " (waited " + std::to_string(timeout.count() / 1000) + " s)"
                                     : std::string()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

FileLock::FileLock(FileLock &&other) noexcept
    : m_path(std::move(other.m_path)), m_fd(std::exchange(other.m_fd, -1)) {}

FileLock &FileLock::operator=(FileLock &&other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_path = std::move(other.m_path);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

FileLock::~FileLock() {
    if (m_fd >= 0) {
        ::close(m_fd); // closing the last descriptor releases the flock
    }
}

} // namespace borderwatch
