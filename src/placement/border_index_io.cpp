// BorderIndex to and from the geodata cache: every array build() computes, so a cached border
// answers exactly as a freshly built one without the geodesic work.
#include "placement/detail/border_index.hpp"

#include "geodata/byte_io.hpp"

#include <algorithm>
#include <chrono>

namespace borderwatch::detail {

namespace {

void fail() {
    throw CacheFormatError("border index inconsistent with its line");
}

} // namespace

void BorderIndex::save(ByteWriter &out) const {
    // The line set's description first: restore(in, true) takes the whole line from here.
    for (const std::string *text : {&info.id, &info.left, &info.right, &info.source}) {
        out.put_string(*text);
    }
    out.put(static_cast<std::uint64_t>(info.world ? 1 : 0));
    out.put(static_cast<std::uint64_t>(part_borders.size()));
    for (const auto &b : part_borders) {
        out.put_string(b.id);
        out.put_string(b.left);
        out.put_string(b.right);
    }
    out.put_array(vertices);
    out.put_array(parts);
    out.put(max_segment_m); // an index cut otherwise is rebuilt, not reused
    out.put(static_cast<std::uint64_t>(info.vertices));
    for (const double v :
         {info.length_km, info.start_lon, info.start_lat, info.end_lon, info.end_lat, origin[0],
          origin[1], origin[2], hint_lon0, hint_lat0, hint_step_deg}) {
        out.put(v);
    }
    out.put(static_cast<std::uint64_t>(hint_nx));
    out.put(static_cast<std::uint64_t>(hint_ny));
    out.put_array(vertex_chainage_km);
    out.put_array(vertex_chainage_m);
    out.put_array(edge_length_m);
    out.put_array(edge_azimuth1_deg);
    out.put_array(edge_azimuth2_deg);
    out.put_array(edge_first_segment);
    out.put_array(segments);
    out.put_array(nodes);
    out.put_array(leaves);
    out.put_array(hint_chord_m);
}

void BorderIndex::restore(ByteReader &in, bool take_line) {
    const auto start = std::chrono::steady_clock::now();
    BorderInfo cached_info;
    for (std::string *text :
         {&cached_info.id, &cached_info.left, &cached_info.right, &cached_info.source}) {
        *text = in.get_string();
    }
    cached_info.world = in.get<std::uint64_t>() != 0;
    std::vector<PartBorder> cached_borders(static_cast<std::size_t>(in.get<std::uint64_t>()));
    if (cached_borders.size() > in.remaining()) {
        fail();
    }
    for (auto &b : cached_borders) {
        b.id = in.get_string();
        b.left = in.get_string();
        b.right = in.get_string();
    }
    auto cached_vertices = in.get_array<std::array<double, 2>>();
    auto cached_parts = in.get_array<BorderPart>();
    std::vector<BorderPart> own_parts; // the parts the index will have
    if (take_line) {
        info.id = std::move(cached_info.id);
        info.left = std::move(cached_info.left);
        info.right = std::move(cached_info.right);
        info.source = std::move(cached_info.source);
        info.world = cached_info.world;
        part_borders = std::move(cached_borders);
        vertices = std::move(cached_vertices);
        own_parts = std::move(cached_parts);
        if (own_parts.empty()) {
            fail(); // build() always leaves at least one part
        }
    } else {
        own_parts = parts.empty() ? std::vector<BorderPart>{{0, 0, 1}} : parts;
        const auto same_part = [](const BorderPart &x, const BorderPart &y) {
            return x.first_vertex == y.first_vertex && x.border == y.border && x.number == y.number;
        };
        if (cached_vertices != vertices || cached_parts.size() != own_parts.size() ||
            !std::equal(cached_parts.begin(), cached_parts.end(), own_parts.begin(), same_part)) {
            fail(); // cached for another line
        }
    }
    if (in.get<double>() != max_segment_m) {
        fail(); // cut into sub-segments of another length
    }
    BorderIndex r;
    r.info.vertices = static_cast<std::size_t>(in.get<std::uint64_t>());
    for (double *v :
         {&r.info.length_km, &r.info.start_lon, &r.info.start_lat, &r.info.end_lon, &r.info.end_lat,
          &r.origin[0], &r.origin[1], &r.origin[2], &r.hint_lon0, &r.hint_lat0, &r.hint_step_deg}) {
        *v = in.get<double>();
    }
    r.hint_nx = static_cast<std::size_t>(in.get<std::uint64_t>());
    r.hint_ny = static_cast<std::size_t>(in.get<std::uint64_t>());
    r.vertex_chainage_km = in.get_array<double>();
    r.vertex_chainage_m = in.get_array<double>();
    r.edge_length_m = in.get_array<double>();
    r.edge_azimuth1_deg = in.get_array<double>();
    r.edge_azimuth2_deg = in.get_array<double>();
    r.edge_first_segment = in.get_array<std::uint32_t>();
    r.segments = in.get_array<Segment>();
    r.nodes = in.get_array<BvhNode>();
    r.leaves = in.get_array<LeafChords>();
    r.hint_chord_m = in.get_array<float>();
    if (!in.at_end()) {
        fail();
    }
    // Sizes and references, so a payload of another layout cannot send a query out of bounds.
    const std::size_t n = vertices.size();
    if (n < 2 || r.info.vertices != n || r.vertex_chainage_km.size() != n ||
        r.vertex_chainage_m.size() != n || r.edge_length_m.size() != n - 1 ||
        r.edge_azimuth1_deg.size() != n - 1 || r.edge_azimuth2_deg.size() != n - 1 ||
        r.edge_first_segment.size() != n || r.edge_first_segment.back() != r.segments.size() ||
        r.hint_chord_m.size() != r.hint_nx * r.hint_ny || r.nodes.empty()) {
        fail();
    }
    for (const auto &s : r.segments) {
        if (s.edge >= n - 1) {
            fail();
        }
    }
    for (const auto &node : r.nodes) {
        for (const auto ref : node.child) {
            if ((ref & bvh_leaf_bit) == 0U
                    ? ref >= r.nodes.size()
                    : (((ref >> 24) & 0x7FU) > 0 && (ref & 0xFFFFFFU) >= r.leaves.size())) {
                fail();
            }
        }
    }
    for (const auto &leaf : r.leaves) {
        if (leaf.first > r.segments.size()) {
            fail();
        }
    }
    parts = std::move(own_parts);
    if (part_borders.empty()) {
        part_borders.push_back({info.id, info.left, info.right});
    }
    for (const auto &part : parts) {
        if (part.first_vertex >= n || part.border >= part_borders.size()) {
            fail();
        }
    }
    info.parts = parts.size();
    info.vertices = r.info.vertices;
    info.length_km = r.info.length_km;
    info.start_lon = r.info.start_lon;
    info.start_lat = r.info.start_lat;
    info.end_lon = r.info.end_lon;
    info.end_lat = r.info.end_lat;
    origin = r.origin;
    hint_lon0 = r.hint_lon0;
    hint_lat0 = r.hint_lat0;
    hint_step_deg = r.hint_step_deg;
    hint_nx = r.hint_nx;
    hint_ny = r.hint_ny;
    vertex_chainage_km = std::move(r.vertex_chainage_km);
    vertex_chainage_m = std::move(r.vertex_chainage_m);
    edge_length_m = std::move(r.edge_length_m);
    edge_azimuth1_deg = std::move(r.edge_azimuth1_deg);
    edge_azimuth2_deg = std::move(r.edge_azimuth2_deg);
    edge_first_segment = std::move(r.edge_first_segment);
    segments = std::move(r.segments);
    nodes = std::move(r.nodes);
    leaves = std::move(r.leaves);
    hint_chord_m = std::move(r.hint_chord_m);
    build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace borderwatch::detail
