#include <borderwatch/core/atomic_file.hpp>

#include <borderwatch/core/error.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace borderwatch {

namespace {

std::filesystem::path make_temp_sibling(const std::filesystem::path &target) {
    static std::atomic<unsigned> counter{0};
    const auto name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                      "-" + std::to_string(counter++);
    return target.parent_path() / name;
}

} // namespace

void fsync_path(const std::filesystem::path &path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw IoError("cannot open '" + path.string() + "' for fsync: " + std::strerror(errno));
    }
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    // Some file systems refuse fsync on directories (EINVAL); the rename is still atomic.
    if (rc != 0 && saved != EINVAL) {
        throw IoError("fsync of '" + path.string() + "' failed: " + std::strerror(saved));
    }
}

AtomicFile::AtomicFile(std::filesystem::path target, OverwritePolicy policy)
    : m_target(std::move(target)) {
    std::error_code ec;
    if (std::filesystem::is_directory(m_target, ec)) {
        throw IoError("cannot write '" + m_target.string() + "': " + std::strerror(EISDIR) +
                      " (give a file name)");
    }
    if (policy == OverwritePolicy::refuse && std::filesystem::exists(m_target)) {
        throw IoError("'" + m_target.string() + "' already exists; use --overwrite to replace it");
    }
    if (m_target.has_parent_path() && !std::filesystem::is_directory(m_target.parent_path())) {
        throw IoError("cannot write '" + m_target.string() + "': directory '" +
                      m_target.parent_path().string() + "' does not exist");
    }
    m_temp = make_temp_sibling(m_target);
}

AtomicFile::~AtomicFile() {
    if (!m_committed) {
        if (m_stream.is_open()) {
            m_stream.close();
        }
        std::error_code ignored;
        std::filesystem::remove(m_temp, ignored);
    }
}

std::ofstream &AtomicFile::stream() {
    if (!m_stream.is_open()) {
        m_stream.open(m_temp, std::ios::binary | std::ios::trunc);
        if (!m_stream) {
            throw IoError("cannot write '" + m_target.string() + "' (temporary '" +
                          m_temp.filename().string() + "'): " + std::strerror(errno));
        }
    }
    return m_stream;
}

void AtomicFile::commit() {
    if (m_stream.is_open()) {
        m_stream.flush();
        const bool ok = static_cast<bool>(m_stream);
        m_stream.close();
        if (!ok) {
            throw IoError("write to '" + m_temp.string() + "' failed (disk full?)");
        }
    }
    if (!std::filesystem::exists(m_temp)) {
        throw IoError("nothing was written to '" + m_temp.string() + "'");
    }
    fsync_path(m_temp);
    std::error_code ec;
    std::filesystem::rename(m_temp, m_target, ec);
    if (ec) {
        throw IoError("cannot rename '" + m_temp.string() + "' to '" + m_target.string() +
                      "': " + ec.message());
    }
    m_committed = true;
    fsync_path(m_target.has_parent_path() ? m_target.parent_path() : ".");
}

void write_file_atomically(const std::filesystem::path &path, const std::string &content,
                           OverwritePolicy policy) {
    AtomicFile file(path, policy);
    file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
    file.commit();
}

} // namespace borderwatch
