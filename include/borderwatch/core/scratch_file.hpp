#pragma once
/// @file
/// A private temporary file holding given content, removed with its owner: for handing
/// in-memory data to readers that open files by name (the import reads files).

#include <filesystem>
#include <string>
#include <string_view>

namespace borderwatch {

class ScratchFile {
  public:
    /// Create `<tmp>/<prefix>-<pid>-<n><extension>` with @p content. @throws IoError
    ScratchFile(std::string_view prefix, std::string_view extension, std::string_view content);
    ~ScratchFile();
    ScratchFile(const ScratchFile &) = delete;
    ScratchFile &operator=(const ScratchFile &) = delete;

    [[nodiscard]] const std::filesystem::path &path() const noexcept { return m_path; }

  private:
    std::filesystem::path m_path;
};

} // namespace borderwatch
