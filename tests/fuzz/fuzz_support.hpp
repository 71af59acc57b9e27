#pragma once
// Shared by the fuzz targets: a file the readers can open by path without touching the disk,
// and the expected-failure filter. Every target defines LLVMFuzzerTestOneInput; built with
// -fsanitize=fuzzer (scripts/fuzz) it is a libFuzzer binary, built normally it is linked with
// replay_main.cpp and replays its seed corpus as a CTest test.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

namespace borderwatch::fuzz {

/// An anonymous in-memory file (memfd), rewritten for every input; path() opens it.
class MemoryFile {
  public:
    MemoryFile() : m_fd(memfd_create("borderwatch-fuzz", 0)) {}
    ~MemoryFile() {
        if (m_fd >= 0) {
            close(m_fd);
        }
    }
    MemoryFile(const MemoryFile &) = delete;
    MemoryFile &operator=(const MemoryFile &) = delete;

    /// Replace the content; @return the path that opens it ("/proc/self/fd/N").
    std::string write(std::string_view data) {
        if (ftruncate(m_fd, 0) != 0 ||
            pwrite(m_fd, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
            __builtin_trap(); // the harness itself failed: never a finding of the code under test
        }
        return "/proc/self/fd/" + std::to_string(m_fd);
    }

  private:
    int m_fd;
};

inline std::string_view as_text(const std::uint8_t *data, std::size_t size) {
    return {reinterpret_cast<const char *>(data), size};
}

} // namespace borderwatch::fuzz
