#include "geodata/geodata_cache.hpp"

#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/sha256.hpp>

#include <xxhash.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace borderwatch::detail {

namespace {

constexpr std::string_view magic{"BWGEOC\0\n", 8};
constexpr std::uint32_t byte_order_mark = 0x01020304U;

std::string env(const char *name) {
    const char *value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

std::string source_key(const std::filesystem::path &source) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(source, ec);
    return (ec ? source : abs).lexically_normal().string();
}

struct SourceStamp {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
};

bool stamp_of(const std::filesystem::path &source, SourceStamp &stamp) {
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0) {
        return false;
    }
    stamp.size = static_cast<std::uint64_t>(st.st_size);
    stamp.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL +
                     static_cast<std::int64_t>(st.st_mtim.tv_nsec);
    return true;
}

struct Header {
    std::uint32_t format = 0;
    std::uint32_t bom = 0;
    std::string version;
    std::string kind;
    std::string source;
    SourceStamp stamp;
    std::string source_sha256;
    std::uint64_t payload_size = 0;
    std::string payload_checksum;
};

std::string encode_header(const Header &h) {
    ByteWriter w;
    w.put_string(magic);
    w.put(h.format);
    w.put(h.bom);
    w.put_string(h.version);
    w.put_string(h.kind);
    w.put_string(h.source);
    w.put(h.stamp.size);
    w.put(h.stamp.mtime_ns);
    w.put_string(h.source_sha256);
    w.put(h.payload_size);
    w.put_string(h.payload_checksum);
    // The payload starts 64-byte aligned in the file (and so in the page-aligned mapping):
    // its arrays can be used in place.
    std::string bytes = w.take();
    bytes.append((64 - bytes.size() % 64) % 64, '\0');
    return bytes;
}

/// Parse the header at the start of @p file; returns the payload offset. @throws CacheFormatError
std::size_t decode_header(std::string_view file, Header &h) {
    ByteReader r(file);
    if (r.get_string() != magic) {
        throw CacheFormatError("not a borderwatch geodata cache file");
    }
    h.format = r.get<std::uint32_t>();
    h.bom = r.get<std::uint32_t>();
    if (h.format != geodata_cache_format || h.bom != byte_order_mark) {
        throw CacheFormatError("other cache format");
    }
    h.version = r.get_string();
    h.kind = r.get_string();
    h.source = r.get_string();
    h.stamp.size = r.get<std::uint64_t>();
    h.stamp.mtime_ns = r.get<std::int64_t>();
    h.source_sha256 = r.get_string();
    h.payload_size = r.get<std::uint64_t>();
    h.payload_checksum = r.get_string();
    const std::size_t header_size = encode_header(h).size();
    if (header_size > file.size() || file.size() - header_size != h.payload_size) {
        throw CacheFormatError("cache file truncated or too long");
    }
    return header_size;
}

/// Write @p header + @p payload to @p path through a temporary sibling and a rename.
bool store(const std::filesystem::path &path, const std::string &header,
           const std::string &payload) noexcept {
    static std::atomic<unsigned> counter{0};
    try {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            return false;
        }
        auto temp = path;
        temp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            if (!out) {
                return false;
            }
            out.write(header.data(), static_cast<std::streamsize>(header.size()));
            out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
            out.close();
            if (!out) {
                std::filesystem::remove(temp, ec);
                return false;
            }
        }
        std::filesystem::rename(temp, path, ec);
        if (ec) {
            std::filesystem::remove(temp, ec);
            return false;
        }
        return true;
    } catch (...) {
        return false;
    }
}

/// The payload's 64-bit checksum, hex: XXH3 (libxxhash). The multiply-rotate hash it replaced
/// took ~40 ms of every run that checks the world's 66 MB country layer (`locate` of a point
/// in Paris: 91 ms before, 46 ms with XXH3). Catches damage, not malice; the sources get
/// SHA-256.
std::string payload_checksum(std::string_view bytes) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
    return hex;
}

} // namespace

CacheSettings CacheSettings::from_environment() {
    CacheSettings s;
    const auto off = env("BORDERWATCH_NO_CACHE");
    if (!off.empty() && off != "0") {
        return s;
    }
    if (auto dir = env("BORDERWATCH_CACHE_DIR"); !dir.empty()) {
        s.dir = dir;
    } else if (auto xdg = env("XDG_CACHE_HOME"); !xdg.empty() && xdg.front() == '/') {
        s.dir = std::filesystem::path(xdg) / "borderwatch";
    } else if (auto home = env("HOME"); !home.empty()) {
        s.dir = std::filesystem::path(home) / ".cache" / "borderwatch";
    } else {
        return s;
    }
    s.enabled = true;
    return s;
}

CachedBlob::~CachedBlob() {
    unmap();
}

CachedBlob::CachedBlob(CachedBlob &&other) noexcept
    : m_map(other.m_map), m_map_size(other.m_map_size), m_offset(other.m_offset),
      m_size(other.m_size), m_owned(std::move(other.m_owned)), m_outcome(other.m_outcome) {
    other.m_map = nullptr;
}

CachedBlob &CachedBlob::operator=(CachedBlob &&other) noexcept {
    if (this != &other) {
        unmap();
        m_map = other.m_map;
        m_map_size = other.m_map_size;
        m_offset = other.m_offset;
        m_size = other.m_size;
        m_owned = std::move(other.m_owned);
        m_outcome = other.m_outcome;
        other.m_map = nullptr;
    }
    return *this;
}

void CachedBlob::unmap() noexcept {
    if (m_map != nullptr) {
        ::munmap(m_map, m_map_size);
        m_map = nullptr;
    }
}

std::string_view CachedBlob::bytes() const noexcept {
    if (m_map != nullptr) {
        return {static_cast<const char *>(m_map) + m_offset, m_size};
    }
    return m_owned;
}

std::string file_stamp(const std::filesystem::path &path) {
    SourceStamp stamp;
    if (!stamp_of(path, stamp)) {
        return "missing";
    }
    return std::to_string(stamp.size) + ":" + std::to_string(stamp.mtime_ns);
}

std::string cache_key_hash(std::string_view text) {
    return payload_checksum(text);
}

std::filesystem::path cache_file_path(const CacheSettings &settings,
                                      const std::filesystem::path &source, std::string_view kind) {
    const auto key = source_key(source);
    std::string name = source.stem().string();
    name += '-';
    name += cache_key_hash(key + '\n' + std::string(kind));
    name += ".bwc";
    return settings.dir / name;
}

void discard_cache_file(const CacheSettings &settings, const std::filesystem::path &source,
                        std::string_view kind) noexcept {
    try {
        std::error_code ec;
        std::filesystem::remove(cache_file_path(settings, source, kind), ec);
    } catch (...) {
        // the cache only saves time; a file that cannot be removed is rebuilt over
    }
}

CachedBlob cached_blob(const CacheSettings &settings, const std::filesystem::path &source,
                       std::string_view kind, const std::function<std::string()> &build) {
    CachedBlob blob;
    SourceStamp stamp;
    if (!settings.enabled || !stamp_of(source, stamp)) {
        // No cache, or no source (build() reports that as the data error it is).
        blob.m_owned = build();
        blob.m_outcome = CacheOutcome::disabled;
        return blob;
    }
    const auto path = cache_file_path(settings, source, kind);
    const auto key = source_key(source);
    bool existed = false;
    std::string source_sha; // computed at most once

    // 1. A valid cache file: map it.
    if (const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        existed = true;
        struct stat st {};
        void *map = MAP_FAILED;
        std::size_t map_size = 0;
        if (::fstat(fd, &st) == 0 && st.st_size > 0) {
            map_size = static_cast<std::size_t>(st.st_size);
            // Populated at once: the checksum reads every page anyway.
            map = ::mmap(nullptr, map_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        }
        ::close(fd);
        if (map != MAP_FAILED) {
            blob.m_map = map;
            blob.m_map_size = map_size;
            try {
                const std::string_view file(static_cast<const char *>(map), map_size);
                Header h;
                const std::size_t offset = decode_header(file, h);
                bool valid = h.version == version_string() && h.kind == kind && h.source == key;
                bool refresh = false;
                if (valid && (h.stamp.size != stamp.size || h.stamp.mtime_ns != stamp.mtime_ns)) {
                    // Touched or replaced: keep the cache only if the content is the same.
                    source_sha = sha256_file(source);
                    valid = source_sha == h.source_sha256;
                    refresh = valid;
                }
                const std::string_view payload = file.substr(offset);
                valid = valid && payload_checksum(payload) == h.payload_checksum;
                if (valid) {
                    blob.m_offset = offset;
                    blob.m_size = payload.size();
                    blob.m_outcome = CacheOutcome::hit;
                    if (refresh) {
                        // Record the new size and mtime so the next run skips the hash.
                        h.stamp = stamp;
                        store(path, encode_header(h), std::string(payload));
                    }
                    return blob;
                }
            } catch (const CacheFormatError &) {
                // damaged or foreign: rebuilt below
            }
            blob.unmap();
        }
    }

    // 2. Build from the source (hashed first, so a source changing meanwhile is caught by
    //    the next run's check) and store.
    if (source_sha.empty()) {
        source_sha = sha256_file(source);
    }
    Header h;
    h.format = geodata_cache_format;
    h.bom = byte_order_mark;
    h.version = version_string();
    h.kind = std::string(kind);
    h.source = key;
    h.stamp = stamp;
    h.source_sha256 = source_sha;
    blob.m_owned = build();
    h.payload_size = blob.m_owned.size();
    h.payload_checksum = payload_checksum(blob.m_owned);
    if (store(path, encode_header(h), blob.m_owned)) {
        blob.m_outcome = existed ? CacheOutcome::rebuilt : CacheOutcome::built;
    } else {
        blob.m_outcome = CacheOutcome::not_stored;
    }
    return blob;
}

} // namespace borderwatch::detail
