#pragma once
// Little helpers to write and read the geodata cache's payloads: fixed-width integers,
// doubles, length-prefixed strings and arrays of trivially copyable records, in the
// machine's byte order (the cache is local to one machine; its header records the order).
// The reader checks every length against the bytes left and throws CacheFormatError, so a
// truncated or damaged payload is reported, never read past its end.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace borderwatch::detail {

/// A cache payload that does not parse (truncated, damaged, other layout).
class CacheFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ByteWriter {
  public:
    template <class T> void put(const T &value) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto *p = reinterpret_cast<const char *>(&value);
        m_bytes.append(p, sizeof(T));
    }
    void put_string(std::string_view s) {
        put(static_cast<std::uint64_t>(s.size()));
        m_bytes.append(s.data(), s.size());
    }
    /// An array of records, starting at a multiple of alignof(T) from the payload's start (so
    /// a reader can use it in place); @p T must have no padding (or its padding zeroed by the
    /// caller), so equal data gives equal bytes.
    template <class T> void put_array(const T *values, std::size_t count) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(static_cast<std::uint64_t>(count));
        m_bytes.append((alignof(T) - m_bytes.size() % alignof(T)) % alignof(T), '\0');
        if (count > 0) {
            m_bytes.append(reinterpret_cast<const char *>(values), count * sizeof(T));
        }
    }
    template <class T> void put_array(const std::vector<T> &values) {
        put_array(values.data(), values.size());
    }
    [[nodiscard]] const std::string &bytes() const noexcept { return m_bytes; }
    [[nodiscard]] std::string take() noexcept { return std::move(m_bytes); }

  private:
    std::string m_bytes;
};

class ByteReader {
  public:
    /// @p owner keeps @p bytes alive (get_view() hands it on to whoever keeps a view).
    explicit ByteReader(std::string_view bytes, std::shared_ptr<const void> owner = {})
        : m_bytes(bytes), m_owner(std::move(owner)) {}

    template <class T> T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        T value;
        std::memcpy(&value, take(sizeof(T)), sizeof(T));
        return value;
    }
    std::string get_string() {
        const auto n = length(1);
        const char *p = take(n);
        return {p, n};
    }
    template <class T> std::vector<T> get_array() {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto n = length(sizeof(T));
        const char *bytes = take_aligned<T>(n);
        // Copied element by element from unaligned bytes straight into the new storage
        // (vector<T>(n) would first value-initialise every element: a second pass).
        return std::vector<T>(Elements<T>{bytes}, Elements<T>{bytes + n * sizeof(T)});
    }
    /// An array written by put_array(), used in place when the bytes are suitably aligned
    /// (they stay valid while owner() lives), else copied into @p fallback.
    template <class T> const T *get_view(std::vector<T> &fallback, std::size_t &count) {
        static_assert(std::is_trivially_copyable_v<T>);
        count = length(sizeof(T));
        const char *bytes = take_aligned<T>(count);
        if (m_owner && reinterpret_cast<std::uintptr_t>(bytes) % alignof(T) == 0) {
            return reinterpret_cast<const T *>(bytes);
        }
        fallback.assign(Elements<T>{bytes}, Elements<T>{bytes + count * sizeof(T)});
        return fallback.data();
    }
    [[nodiscard]] const std::shared_ptr<const void> &owner() const noexcept { return m_owner; }
    [[nodiscard]] bool at_end() const noexcept { return m_pos == m_bytes.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_bytes.size() - m_pos; }

  private:
    /// Reads T records from unaligned bytes (a forward iterator over a byte range).
    template <class T> struct Elements {
        using iterator_category = std::forward_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T *;
        using reference = T;
        const char *p;
        T operator*() const noexcept {
            T value;
            std::memcpy(&value, p, sizeof(T));
            return value;
        }
        Elements &operator++() noexcept {
            p += sizeof(T);
            return *this;
        }
        Elements operator++(int) noexcept {
            Elements old = *this;
            p += sizeof(T);
            return old;
        }
        bool operator==(const Elements &o) const noexcept { return p == o.p; }
        bool operator!=(const Elements &o) const noexcept { return p != o.p; }
    };

    std::size_t length(std::size_t element_size) {
        const auto n = get<std::uint64_t>();
        if (n > (m_bytes.size() - m_pos) / element_size) {
            throw CacheFormatError("cache payload truncated (length " + std::to_string(n) +
                                   " at byte " + std::to_string(m_pos) + ")");
        }
        return static_cast<std::size_t>(n);
    }
    template <class T> const char *take_aligned(std::size_t count) {
        const std::size_t pad = (alignof(T) - m_pos % alignof(T)) % alignof(T);
        if (pad > m_bytes.size() - m_pos) {
            throw CacheFormatError("cache payload truncated at byte " + std::to_string(m_pos));
        }
        m_pos += pad;
        return take(count * sizeof(T));
    }
    const char *take(std::size_t n) {
        if (n > m_bytes.size() - m_pos) {
            throw CacheFormatError("cache payload truncated at byte " + std::to_string(m_pos));
        }
        const char *p = m_bytes.data() + m_pos;
        m_pos += n;
        return p;
    }
    std::string_view m_bytes;
    std::shared_ptr<const void> m_owner;
    std::size_t m_pos = 0;
};

} // namespace borderwatch::detail
