// GeoPackage geometry blobs: see gpkg/geometry_blob.hpp.

#include "gpkg/geometry_blob.hpp"

#include "gpkg/sqlite.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace borderwatch::detail {

namespace {

constexpr unsigned char k_flags_le_no_envelope = 0x01; // little endian, no envelope
constexpr unsigned char k_flags_le_xy_envelope = 0x03; // little endian, envelope [x,x,y,y]

void write_u32_le(unsigned char *out, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) {
        out[i] = static_cast<unsigned char>((v >> (8 * i)) & 0xFF);
    }
}

void write_f64_le(unsigned char *out, double d) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, &d, 8);
    for (int i = 0; i < 8; ++i) {
        out[i] = static_cast<unsigned char>((v >> (8 * i)) & 0xFF);
    }
}

// "GP", version 1, flags, srs_id: the first 8 bytes of every blob.
void write_header_start(unsigned char *out, unsigned char flags, std::int32_t srs_id) noexcept {
    out[0] = 'G';
    out[1] = 'P';
    out[2] = 0; // version 1
    out[3] = flags;
    write_u32_le(out + 4, static_cast<std::uint32_t>(srs_id));
}

double read_f64(const unsigned char *p, bool little_endian) noexcept {
    unsigned char tmp[8];
    std::memcpy(tmp, p, 8);
    if (!little_endian) {
        std::reverse(tmp, tmp + 8);
    }
    double d = 0;
    std::memcpy(&d, tmp, 8);
    return d;
}

std::uint32_t read_u32(const unsigned char *p, bool little_endian) noexcept {
    unsigned char tmp[4];
    std::memcpy(tmp, p, 4);
    if (!little_endian) {
        std::reverse(tmp, tmp + 4);
    }
    std::uint32_t v = 0;
    std::memcpy(&v, tmp, 4);
    return v;
}

void sql_st_isempty(sqlite3_context *ctx, int, sqlite3_value **argv) {
    BlobEnvelope env{};
    bool empty = false;
    const auto *p = static_cast<const unsigned char *>(sqlite3_value_blob(argv[0]));
    const bool ok = blob_envelope(p, sqlite3_value_bytes(argv[0]), env, empty);
    sqlite3_result_int(ctx, (empty || !ok) ? 1 : 0);
}

template <double BlobEnvelope::*Member>
void sql_st_bound(sqlite3_context *ctx, int, sqlite3_value **argv) {
    BlobEnvelope env{};
    bool empty = false;
    const auto *p = static_cast<const unsigned char *>(sqlite3_value_blob(argv[0]));
    if (blob_envelope(p, sqlite3_value_bytes(argv[0]), env, empty)) {
        sqlite3_result_double(ctx, env.*Member);
    } else {
        sqlite3_result_null(ctx);
    }
}

} // namespace

PointBlob point_blob(double lon, double lat, std::int32_t srs_id) noexcept {
    PointBlob b{};
    write_header_start(b.data(), k_flags_le_no_envelope, srs_id);
    b[8] = 1; // WKB little endian
    write_u32_le(&b[9], static_cast<std::uint32_t>(WkbType::point));
    write_f64_le(&b[13], lon);
    write_f64_le(&b[21], lat);
    return b;
}

void GeometryBlobWriter::header(std::int32_t srs_id, const BlobEnvelope *envelope) {
    m_buf.clear();
    unsigned char start[8];
    write_header_start(start, envelope == nullptr ? k_flags_le_no_envelope : k_flags_le_xy_envelope,
                       srs_id);
    m_buf.append(reinterpret_cast<const char *>(start), 8);
    if (envelope != nullptr) {
        put_f64(envelope->minx);
        put_f64(envelope->maxx);
        put_f64(envelope->miny);
        put_f64(envelope->maxy);
    }
}

void GeometryBlobWriter::put_u32(std::uint32_t v) {
    unsigned char b[4];
    write_u32_le(b, v);
    m_buf.append(reinterpret_cast<const char *>(b), 4);
}

void GeometryBlobWriter::put_f64(double d) {
    unsigned char b[8];
    write_f64_le(b, d);
    m_buf.append(reinterpret_cast<const char *>(b), 8);
}

bool blob_envelope(const unsigned char *p, int n, BlobEnvelope &env, bool &empty) {
    empty = false;
    if (p == nullptr || n < 8 || p[0] != 'G' || p[1] != 'P') {
        return false;
    }
    const unsigned flags = p[3];
    const bool le = (flags & 1U) != 0;
    empty = (flags & 0x10U) != 0;
    const unsigned env_code = (flags >> 1) & 7U;
    static constexpr int env_doubles[8] = {0, 4, 6, 6, 8, 0, 0, 0};
    const int header = 8 + 8 * env_doubles[env_code];
    if (env_doubles[env_code] >= 4 && n >= header) {
        env.minx = read_f64(p + 8, le);
        env.maxx = read_f64(p + 16, le);
        env.miny = read_f64(p + 24, le);
        env.maxy = read_f64(p + 32, le);
        return !empty;
    }
    if (n < header + 21) {
        return false;
    }
    const unsigned char *w = p + header;
    const bool wle = w[0] == 1;
    if (read_u32(w + 1, wle) % 1000 != static_cast<std::uint32_t>(WkbType::point)) {
        return false; // without an envelope only points are supported
    }
    const double x = read_f64(w + 5, wle);
    const double y = read_f64(w + 13, wle);
    if (std::isnan(x) || std::isnan(y)) {
        empty = true;
        return false;
    }
    env.minx = env.maxx = x;
    env.miny = env.maxy = y;
    return true;
}

void register_gpkg_functions(sqlite3 *db, const std::string &file) {
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    struct Function {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    };
    const Function functions[] = {{"ST_IsEmpty", sql_st_isempty},
                                  {"ST_MinX", sql_st_bound<&BlobEnvelope::minx>},
                                  {"ST_MaxX", sql_st_bound<&BlobEnvelope::maxx>},
                                  {"ST_MinY", sql_st_bound<&BlobEnvelope::miny>},
                                  {"ST_MaxY", sql_st_bound<&BlobEnvelope::maxy>}};
    for (const auto &f : functions) {
        sqlite_check(db,
                     sqlite3_create_function(db, f.name, 1, flags, nullptr, f.fn, nullptr, nullptr),
                     file, std::string("register ") + f.name);
    }
}

} // namespace borderwatch::detail
