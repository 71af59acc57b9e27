#pragma once
// Byte-level helpers shared by the streaming writers: number formatting without
// allocation, JSON/XML escaping, WKT, ring orientation, value-to-text.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/feature.hpp>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace borderwatch::detail {

/// Decimals of the coordinates in every output that prints them as text (GeoJSON, KML, CSV
/// WKT): 7, about 1 cm. Polygons are snap-rounded to the same grid before any writer sees
/// them (snap_to_output_grid() in export/detail/geos.hpp), so rounding keeps them valid.
inline constexpr int k_coordinate_decimals = 7;
/// The grid of those decimals, degrees (10^-k_coordinate_decimals).
inline constexpr double k_coordinate_grid_deg = 1e-7;

/// Append @p value in fixed notation with at most @p decimals digits, trailing zeros
/// removed, "-0" printed as "0" (same output as format_fixed, without allocating).
void append_fixed(std::string &out, double value, int decimals);
/// Append the shortest round-trip representation (std::to_chars).
void append_shortest(std::string &out, double value);
void append_int(std::string &out, std::int64_t value);

using borderwatch::append_json_escaped; // core/escape.hpp
using borderwatch::append_xml_escaped;

/// Signed area (shoelace, degrees²) of a ring; > 0 means counter-clockwise.
[[nodiscard]] double ring_signed_area(const std::vector<LonLat> &ring) noexcept;

/// Append the geometry as WKT ("POINT (70.1 37.2)"), coordinates rounded to @p decimals.
/// Empty geometry appends nothing.
void append_wkt(std::string &out, const Geometry &geometry, int decimals);

/// Attribute value as text ("" for null); reals in shortest round-trip form.
void append_value_text(std::string &out, const Value &value);

/// How JSON strings are escaped: RFC 8259, or also safe inside an HTML <script> element.
enum class JsonStrings { plain, script_safe };

/// Attribute value as a JSON value: string, number (shortest round-trip), or null for a null
/// and for a non-finite real. The one rule of the GeoJSON file and the HTML map's data.
void append_json_value(std::string &out, const Value &value,
                       JsonStrings strings = JsonStrings::plain);

/// Flush @p file's stream and fsync its temporary, so the writers' finish() (run in
/// parallel) pays the sync and commit() only renames. @throws IoError (disk full)
void flush_and_sync(AtomicFile &file);

/// Starts the kernel's writeback of a file every few tens of MB while it is written, so the
/// disk works during the export instead of all at the final fsync (which then has little
/// left to do), and dirty pages do not pile up. Best effort: without the file, a no-op.
class Writeback {
  public:
    Writeback() = default;
    explicit Writeback(const std::filesystem::path &file);
    Writeback(const Writeback &) = delete;
    Writeback &operator=(const Writeback &) = delete;
    ~Writeback();
    /// Count @p bytes handed to the kernel; start writeback past the threshold.
    void wrote(std::uint64_t bytes) {
        m_pending += bytes;
        if (m_pending >= k_threshold) {
            start();
        }
    }
    /// Start writeback of every dirty page of the file now (does not wait for it).
    void start() noexcept;

  private:
    static constexpr std::uint64_t k_threshold = 32u << 20;
    int m_fd = -1;
    std::uint64_t m_pending = 0;
};

/// A string that is written to @p stream whenever it grows beyond a threshold; hashes
/// (SHA-256) and counts everything it writes, so manifests need not re-read big files.
class OutBuffer {
  public:
    explicit OutBuffer(std::ostream &stream, std::size_t threshold = 1 << 20)
        : m_stream(stream), m_threshold(threshold) {
        m_buf.reserve(threshold + 4096);
    }
    OutBuffer(const OutBuffer &) = delete;
    OutBuffer &operator=(const OutBuffer &) = delete;
    ~OutBuffer() = default;
    std::string &str() noexcept { return m_buf; }
    /// Flush if above the threshold.
    void maybe_flush() {
        if (m_buf.size() >= m_threshold) {
            flush();
        }
    }
    void flush() {
        m_stream.write(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
        m_hash.update(m_buf);
        m_bytes += m_buf.size();
        if (m_writeback) {
            m_unsynced += m_buf.size();
            if (m_unsynced >= (32u << 20)) {
                m_stream.flush(); // into the kernel, then start writing it out
                m_writeback->wrote(m_unsynced);
                m_unsynced = 0;
            }
        }
        m_buf.clear();
    }
    /// Start writeback of @p file (the file m_stream writes) as it grows.
    void enable_writeback(const std::filesystem::path &file) {
        m_writeback = std::make_unique<Writeback>(file);
    }
    /// Flush, then the SHA-256 (hex) and size of everything written. Call once, at the end.
    std::pair<std::string, std::uint64_t> finish() {
        flush();
        return {m_hash.hex_digest(), m_bytes};
    }

  private:
    std::ostream &m_stream;
    std::size_t m_threshold;
    std::string m_buf;
    Sha256 m_hash;
    std::uint64_t m_bytes = 0;
    std::unique_ptr<Writeback> m_writeback;
    std::uint64_t m_unsynced = 0;
};

} // namespace borderwatch::detail
