#pragma once
// The geodata cache: a compact binary form of each geodata source file (polygon layers with
// their point-in-polygon index, border lines), built on first use and memory-mapped on
// later runs, so a command starts without parsing GeoJSON or loading GDAL's drivers.
//
// One cache file per (source file, kind of payload). Its header records the cache format
// version, borderwatch's version, the payload kind, the source's size, modification time and
// SHA-256, and the payload's size and 64-bit checksum. A cache file is used only when all of these
// match (size and mtime first; when only they differ the source is hashed, and an unchanged
// content is kept); anything else - missing, stale, truncated, damaged, another version - is
// rebuilt from the source. Files are written to a temporary sibling and renamed, so runs in
// parallel never see half a file. When the cache directory cannot be written, the payload
// built in memory is used and nothing is reported: the cache only ever saves time.
//
// Where: $BORDERWATCH_CACHE_DIR if set, else $XDG_CACHE_HOME/borderwatch, else
// $HOME/.cache/borderwatch. BORDERWATCH_NO_CACHE=1 (any value but "" and "0") disables it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace borderwatch::detail {

/// Bump when any payload layout changes; older files are then rebuilt.
inline constexpr std::uint32_t geodata_cache_format = 7;

struct CacheSettings {
    bool enabled = false;
    std::filesystem::path dir; ///< the directory holding the cache files

    /// From the environment (see the file comment); disabled when no directory is known.
    [[nodiscard]] static CacheSettings from_environment();
};

/// How a cached payload was obtained (for tests and reports).
enum class CacheOutcome {
    hit,        ///< read from a valid cache file
    built,      ///< no cache file: built and stored
    rebuilt,    ///< the cache file was stale, damaged or of another version: rebuilt, stored
    not_stored, ///< built, but the cache directory could not be written
    disabled,   ///< cache disabled: built in memory
};

/// A payload: memory-mapped from a cache file, or held in memory after a build.
class CachedBlob {
  public:
    CachedBlob() = default;
    ~CachedBlob();
    CachedBlob(CachedBlob &&other) noexcept;
    CachedBlob &operator=(CachedBlob &&other) noexcept;
    CachedBlob(const CachedBlob &) = delete;
    CachedBlob &operator=(const CachedBlob &) = delete;

    [[nodiscard]] std::string_view bytes() const noexcept;
    [[nodiscard]] CacheOutcome outcome() const noexcept { return m_outcome; }

  private:
    friend CachedBlob cached_blob(const CacheSettings &, const std::filesystem::path &,
                                  std::string_view, const std::function<std::string()> &);
    void unmap() noexcept;
    void *m_map = nullptr; ///< mmap'ed cache file (nullptr when m_owned holds the payload)
    std::size_t m_map_size = 0;
    std::size_t m_offset = 0; ///< payload offset inside the mapping
    std::size_t m_size = 0;   ///< payload size
    std::string m_owned;
    CacheOutcome m_outcome = CacheOutcome::disabled;
};

/// A 64-bit hash of @p text in hex, for naming cache files and kinds. Not SHA-256: the first
/// use of OpenSSL's digests costs ~2 ms of initialisation, a tenth of a quick command's
/// start-up; a name only needs to be distinct (a stale hit is still caught by the header).
[[nodiscard]] std::string cache_key_hash(std::string_view text);

/// "SIZE:MTIME_NS" of @p path ("missing" when it cannot be stat'ed): for the kind of a payload
/// that depends on files besides its source (a change of any of them names another cache file).
[[nodiscard]] std::string file_stamp(const std::filesystem::path &path);

/// The cache file for @p source and payload @p kind under @p settings.dir.
[[nodiscard]] std::filesystem::path cache_file_path(const CacheSettings &settings,
                                                    const std::filesystem::path &source,
                                                    std::string_view kind);

/// The payload @p kind of @p source: from its valid cache file, else @p build() (which reads
/// the source and serialises the payload; it may throw, e.g. for a missing source), stored
/// for the next run. Never throws for cache problems, only what @p build throws.
[[nodiscard]] CachedBlob cached_blob(const CacheSettings &settings,
                                     const std::filesystem::path &source, std::string_view kind,
                                     const std::function<std::string()> &build);

/// Parse a cached payload with @p parse; when the cached bytes do not parse (CacheFormatError,
/// e.g. a payload written by a build with another layout under the same format number), the
/// cache file is removed and the payload rebuilt once. Returns parse's result.
template <class Parse>
auto load_cached(const CacheSettings &settings, const std::filesystem::path &source,
                 std::string_view kind, const std::function<std::string()> &build, Parse &&parse,
                 CacheOutcome *outcome = nullptr);

/// Remove the cache file of (@p source, @p kind), ignoring errors.
void discard_cache_file(const CacheSettings &settings, const std::filesystem::path &source,
                        std::string_view kind) noexcept;

} // namespace borderwatch::detail

#include "geodata/byte_io.hpp"

namespace borderwatch::detail {

template <class Parse>
auto load_cached(const CacheSettings &settings, const std::filesystem::path &source,
                 std::string_view kind, const std::function<std::string()> &build, Parse &&parse,
                 CacheOutcome *outcome) {
    // The reader owns the blob, so a parser may keep views into it (ByteReader::get_view()).
    {
        auto blob = std::make_shared<CachedBlob>(cached_blob(settings, source, kind, build));
        const CacheOutcome first = blob->outcome();
        try {
            ByteReader reader(blob->bytes(), blob);
            auto result = parse(reader);
            if (outcome != nullptr) {
                *outcome = first;
            }
            return result;
        } catch (const CacheFormatError &) {
            if (first != CacheOutcome::hit) {
                throw; // freshly built and still unreadable: a bug, not a cache problem
            }
        }
    }
    discard_cache_file(settings, source, kind);
    auto blob = std::make_shared<CachedBlob>(cached_blob(settings, source, kind, build));
    ByteReader reader(blob->bytes(), blob);
    auto result = parse(reader);
    if (outcome != nullptr) {
        *outcome = CacheOutcome::rebuilt;
    }
    return result;
}

} // namespace borderwatch::detail
