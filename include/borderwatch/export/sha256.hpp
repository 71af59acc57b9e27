#pragma once
/// @file
/// SHA-256 (FIPS 180-4) of byte strings and files, for manifests and input fingerprints.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace borderwatch {

/// Incremental SHA-256.
class Sha256 {
  public:
    Sha256() noexcept;
    void update(const void* data, std::size_t size) noexcept;
    void update(std::string_view text) noexcept { update(text.data(), text.size()); }
    /// Finish and return the lowercase hex digest (64 chars). The object is then reset.
    [[nodiscard]] std::string hex_digest();

  private:
    void block(const std::uint8_t* p) noexcept;
    std::array<std::uint32_t, 8> m_h{};
    std::array<std::uint8_t, 64> m_buf{};
    std::size_t m_used = 0;
    std::uint64_t m_total = 0;
};

/// Lowercase hex SHA-256 of @p text.
[[nodiscard]] std::string sha256_hex(std::string_view text);

/// Lowercase hex SHA-256 of a file's content. @throws IoError
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

} // namespace borderwatch
