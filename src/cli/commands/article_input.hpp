#pragma once
// Shared by `extract --import` and `update` (articles): reading an article file and handing
// candidate incidents to the import, which reads files, through a private temporary CSV.

#include <borderwatch/core/error.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <unistd.h>

namespace borderwatch::cli {

/// The whole content of @p file ("-" = stdin). @throws IoError
inline std::string read_article_file(const std::string &file) {
    if (file == "-") {
        return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw IoError("cannot open '" + file + "'");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A private temporary CSV holding @p csv (the candidates), removed with this object.
class TempCandidates {
  public:
    explicit TempCandidates(const std::string &csv)
        : m_path(std::filesystem::temp_directory_path() /
                 ("borderwatch-candidates-" + std::to_string(::getpid()) + "-" +
                  std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".csv")) {
        std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
        out << csv;
        if (!out.flush()) {
            throw IoError("cannot write '" + m_path.string() + "'");
        }
    }
    ~TempCandidates() {
        std::error_code ec;
        std::filesystem::remove(m_path, ec);
    }
    TempCandidates(const TempCandidates &) = delete;
    TempCandidates &operator=(const TempCandidates &) = delete;
    [[nodiscard]] std::string path() const { return m_path.string(); }

  private:
    std::filesystem::path m_path;
};

} // namespace borderwatch::cli
