#include <borderwatch/core/sha256.hpp>

#include <borderwatch/core/error.hpp>

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <unistd.h>
#include <vector>

namespace borderwatch {

namespace {

EVP_MD_CTX *ctx_of(void *p) noexcept {
    return static_cast<EVP_MD_CTX *>(p);
}

} // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    if (m_ctx == nullptr || EVP_DigestInit_ex(ctx_of(m_ctx), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_of(m_ctx));
        throw std::bad_alloc();
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(ctx_of(m_ctx));
}

void Sha256::update(const void *data, std::size_t size) noexcept {
    EVP_DigestUpdate(ctx_of(m_ctx), data, size);
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_of(m_ctx), digest.data(), &length);
    EVP_DigestInit_ex(ctx_of(m_ctx), EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(digits[digest[i] >> 4]);
        out.push_back(digits[digest[i] & 0xf]);
    }
    return out;
}

std::string sha256_hex(std::string_view text) {
    Sha256 hash;
    hash.update(text);
    return hash.hex_digest();
}

std::string sha256_file(const std::filesystem::path &path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw IoError("cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    Sha256 hash;
    std::vector<char> buffer(1 << 20);
    for (;;) {
        const auto n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int saved = errno;
            ::close(fd);
            throw IoError("cannot read '" + path.string() + "': " + std::strerror(saved));
        }
        if (n == 0) {
            break;
        }
        hash.update(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return hash.hex_digest();
}

} // namespace borderwatch
