#pragma once
// The GeoPackage geometry blob (GeoPackage 1.3 §2.1.3): the "GP" header (version, flags,
// srs_id, optional envelope) followed by ISO WKB. Written little endian; read in either byte
// order. Plus the SQL functions the R-tree triggers call (ST_IsEmpty, ST_MinX, ...), which
// every GeoPackage writer must provide on its connection.

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>

namespace borderwatch::detail {

/// WKB geometry type codes (2D).
enum class WkbType : std::uint32_t {
    point = 1,
    line_string = 2,
    polygon = 3,
    multi_line_string = 5,
    multi_polygon = 6
};

/// An envelope in the blob header's order: [minx, maxx, miny, maxy].
struct BlobEnvelope {
    double minx;
    double maxx;
    double miny;
    double maxy;
};

/// Size of a point blob: 8-byte header (no envelope) + 21-byte WKB Point.
inline constexpr std::size_t k_point_blob_size = 29;
using PointBlob = std::array<unsigned char, k_point_blob_size>;

/// The blob of a point (no envelope, as GDAL writes points).
[[nodiscard]] PointBlob point_blob(double lon, double lat, std::int32_t srs_id = 4326) noexcept;

/// Builds one blob at a time into a reused buffer: header() once, then the WKB through
/// wkb_header() / count() / xy() in WKB order.
class GeometryBlobWriter {
  public:
    /// Start a blob: @p envelope nullptr writes none (points), else [x, x, y, y].
    void header(std::int32_t srs_id, const BlobEnvelope *envelope);
    /// A WKB (sub)geometry header: byte order, type.
    void wkb_header(WkbType type) {
        m_buf.push_back(1); // little endian
        put_u32(static_cast<std::uint32_t>(type));
    }
    /// A count of points, rings or parts.
    void count(std::size_t n) { put_u32(static_cast<std::uint32_t>(n)); }
    void xy(double x, double y) {
        put_f64(x);
        put_f64(y);
    }
    [[nodiscard]] const std::string &bytes() const noexcept { return m_buf; }

  private:
    void put_u32(std::uint32_t v);
    void put_f64(double d);
    std::string m_buf;
};

/// The envelope of a blob: from its header envelope if present, else from a WKB Point.
/// @return false for empty, malformed or unsupported (non-point without envelope) blobs;
/// @p empty tells whether the blob says it is empty.
bool blob_envelope(const unsigned char *blob, int size, BlobEnvelope &envelope, bool &empty);

/// Register ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY and ST_MaxY (as the R-tree triggers use
/// them) on @p db. @throws IoError naming @p file
void register_gpkg_functions(sqlite3 *db, const std::string &file);

} // namespace borderwatch::detail
