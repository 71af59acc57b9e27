#include "export/detail/text.hpp"

#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/numbers.hpp>

#include "export/detail/antimeridian.hpp"
#include "export/detail/html.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/geodesy/geodesic.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace borderwatch {

void Geometry::set_point(double lon, double lat) {
    type = GeometryType::point;
    parts.resize(1);
    parts[0].resize(1);
    parts[0][0].assign(1, LonLat{lon, lat});
}

void Geometry::set_segment(LonLat a, LonLat b) {
    type = GeometryType::line_string;
    parts.resize(1);
    parts[0].resize(1);
    auto &line = parts[0][0];
    line.clear();
    line.push_back(a);
    line.push_back(b);
}

void Geometry::set_geodesic_line(LonLat a, LonLat b, double max_step_m, int max_steps) {
    type = GeometryType::multi_line_string;
    parts.clear();
    std::vector<LonLat> line;
    for (const auto &p : geodesic_path(a.lon, a.lat, b.lon, b.lat, max_step_m, max_steps)) {
        line.push_back({p[0], p[1]});
    }
    for (auto &part : detail::cut_line_at_antimeridian(line)) {
        parts.push_back({std::move(part)});
    }
    if (parts.empty()) { // a and b the same point
        parts.push_back({{a, b}});
    }
}

} // namespace borderwatch

namespace borderwatch::detail {

void append_fixed(std::string &out, double value, int decimals) {
    append_fixed_trimmed(out, value, decimals, "null");
}

Writeback::Writeback(const std::filesystem::path &file)
    : m_fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC)) {}

Writeback::~Writeback() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void Writeback::start() noexcept {
    m_pending = 0;
    if (m_fd >= 0) {
        // Errors are not fatal here: the final fsync reports any real write failure.
        (void)::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    }
}

void flush_and_sync(AtomicFile &file) {
    auto &stream = file.stream();
    stream.flush();
    if (!stream) {
        throw IoError("write to '" + file.temp_path().string() + "' failed (disk full?)");
    }
    fsync_path(file.temp_path());
}

void append_shortest(std::string &out, double value) {
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (ec == std::errc()) {
        out.append(buffer.data(), end);
    }
}

void append_int(std::string &out, std::int64_t value) {
    std::array<char, 24> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (ec == std::errc()) {
        out.append(buffer.data(), end);
    }
}

double ring_signed_area(const std::vector<LonLat> &ring) noexcept {
    if (ring.size() < 3) {
        return 0;
    }
    // Relative to the first vertex, so large absolute coordinates do not cost precision.
    const auto o = ring.front();
    double twice = 0;
    for (std::size_t i = 1; i + 1 < ring.size(); ++i) {
        const double x1 = ring[i].lon - o.lon;
        const double y1 = ring[i].lat - o.lat;
        const double x2 = ring[i + 1].lon - o.lon;
        const double y2 = ring[i + 1].lat - o.lat;
        twice += x1 * y2 - x2 * y1;
    }
    return twice / 2;
}

namespace {

void append_positions(std::string &out, const std::vector<LonLat> &positions, int decimals) {
    out.push_back('(');
    bool first = true;
    for (const auto &p : positions) {
        if (!first) {
            out += ", ";
        }
        first = false;
        append_fixed(out, p.lon, decimals);
        out.push_back(' ');
        append_fixed(out, p.lat, decimals);
    }
    out.push_back(')');
}

void append_rings(std::string &out, const std::vector<std::vector<LonLat>> &rings, int decimals) {
    out.push_back('(');
    for (std::size_t r = 0; r < rings.size(); ++r) {
        if (r > 0) {
            out += ", ";
        }
        append_positions(out, rings[r], decimals);
    }
    out.push_back(')');
}

} // namespace

void append_wkt(std::string &out, const Geometry &g, int decimals) {
    if (g.empty()) {
        return;
    }
    switch (g.type) {
    case GeometryType::point:
        out += "POINT ";
        append_positions(out, g.parts[0][0], decimals);
        break;
    case GeometryType::line_string:
        out += "LINESTRING ";
        append_positions(out, g.parts[0][0], decimals);
        break;
    case GeometryType::multi_line_string:
        out += "MULTILINESTRING (";
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out += ", ";
            }
            append_positions(out, g.parts[i][0], decimals);
        }
        out.push_back(')');
        break;
    case GeometryType::polygon:
        out += "POLYGON ";
        append_rings(out, g.parts[0], decimals);
        break;
    case GeometryType::multi_polygon:
        out += "MULTIPOLYGON (";
        for (std::size_t i = 0; i < g.parts.size(); ++i) {
            if (i > 0) {
                out += ", ";
            }
            append_rings(out, g.parts[i], decimals);
        }
        out.push_back(')');
        break;
    }
}

void append_json_value(std::string &out, const Value &value, JsonStrings strings) {
    if (const auto *s = std::get_if<std::string_view>(&value)) {
        out.push_back('"');
        if (strings == JsonStrings::script_safe) {
            append_script_json_escaped(out, *s);
        } else {
            append_json_escaped(out, *s);
        }
        out.push_back('"');
    } else if (const auto *i = std::get_if<std::int64_t>(&value)) {
        append_int(out, *i);
    } else if (const auto *d = std::get_if<double>(&value); d != nullptr && std::isfinite(*d)) {
        append_shortest(out, *d);
    } else {
        out += "null";
    }
}

void append_value_text(std::string &out, const Value &value) {
    if (const auto *s = std::get_if<std::string_view>(&value)) {
        out.append(*s);
    } else if (const auto *i = std::get_if<std::int64_t>(&value)) {
        append_int(out, *i);
    } else if (const auto *d = std::get_if<double>(&value)) {
        append_shortest(out, *d);
    }
}

} // namespace borderwatch::detail
