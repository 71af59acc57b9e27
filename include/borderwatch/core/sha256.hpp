#pragma once
/// @file
/// SHA-256 (FIPS 180-4) of byte strings and files, for manifests and input fingerprints.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace borderwatch {

/// Incremental SHA-256 (OpenSSL's implementation: SHA-NI / SIMD where the CPU has them,
/// so hashing never dominates an export).
class Sha256 {
  public:
    /// @throws std::bad_alloc if the digest context cannot be created
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;
    void update(const void *data, std::size_t size) noexcept;
    void update(std::string_view text) noexcept { update(text.data(), text.size()); }
    /// Finish and return the lowercase hex digest (64 chars). The object is then reset.
    [[nodiscard]] std::string hex_digest();

  private:
    void *m_ctx; ///< EVP_MD_CTX (kept opaque so the header needs no OpenSSL include)
};

/// Lowercase hex SHA-256 of @p text.
[[nodiscard]] std::string sha256_hex(std::string_view text);

/// Lowercase hex SHA-256 of a file's content. @throws IoError
[[nodiscard]] std::string sha256_file(const std::filesystem::path &path);

} // namespace borderwatch
