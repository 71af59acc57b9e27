#include <borderwatch/core/scratch_file.hpp>

#include <borderwatch/core/error.hpp>

#include <atomic>
#include <fstream>

#include <unistd.h>

namespace borderwatch {

namespace {
std::atomic<unsigned long> g_next{0};
} // namespace

ScratchFile::ScratchFile(std::string_view prefix, std::string_view extension,
                         std::string_view content)
    : m_path(std::filesystem::temp_directory_path() /
             (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(g_next++) + std::string(extension))) {
    std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
        std::error_code ec;
        std::filesystem::remove(m_path, ec);
        throw IoError("cannot write '" + m_path.string() + "'");
    }
}

ScratchFile::~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
}

} // namespace borderwatch
