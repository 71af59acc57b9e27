// Independent reference generator for the border engine tests (issue 3).
//
// Standalone on purpose: it links only GeographicLib and nlohmann-json and shares no code
// with borderwatch (the engine uses PROJ geod_*), so a bug in the engine cannot hide in
// the reference. Built and run by scripts/make-border-reference; its output is committed
// under tests/data/border_reference/.
//
// Usage: border_reference_gen GEOJSON FEATURE_ID OUT_CSV N_RANDOM SEED
//        border_reference_gen --world BORDERS_GEOJSON NE_LINES_GEOJSON OUT_CSV N_RANDOM SEED
//        (world mode, issue 17: the nearest of every international land boundary)
//
// Model: the border is the polyline whose edges are WGS84 geodesics between consecutive
// vertices. For a point P the distance is min over edges of the exact geodesic distance.
//  1. Pruning (rigorous, triangle inequality on the geodesic metric):
//     chunk of edges with centre c and radius R (every point of every edge is within R
//     of c): lower bound d(P,c) - R; edge with midpoint m and length L: d(P,m) - L/2.
//  2. On each surviving edge the distance f(s) to P along the edge's arc length s is
//     unimodal; its derivative is f'(s) = -cos(azimuth x(s)->P - edge azimuth at x(s))
//     (first variation of geodesic length). The minimum is bracketed by the sign of f'
//     at the ends and located by bisection on the sign of f' to 1e-9 m in s. (Bisection
//     on f' rather than golden section on f: f is flat near its minimum — at 100 km a
//     1e-11 m change in f spans ~1.4 mm of s — so f alone cannot fix the foot point,
//     and hence the chainage, to better than millimetres. f' crosses zero linearly.)
//     A golden-section search on f itself runs on every candidate edge as a cross-check
//     (both must agree on the distance); both edge end points are always evaluated.
//  3. Ambiguity: all local minima of the distance along the whole polyline (interior
//     edge minima, and vertices where the distance grows in both directions) within
//     1 mm of the best are collected; if one lies more than 1 mm of chainage away from
//     the best, the point is marked ambiguous (nearest point not well defined at 1 mm).

#include <GeographicLib/Accumulator.hpp>
#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/GeodesicLine.hpp>
#include <GeographicLib/Math.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using GeographicLib::Geodesic;
using GeographicLib::GeodesicLine;
using GeographicLib::Math;

const Geodesic &geod() {
    return Geodesic::WGS84();
}

constexpr double kAmbiguityM = 1e-3;    // distance and chainage tolerance for ambiguity
constexpr double kPruneMarginM = 2e-3;  // keep every edge that could be within 1 mm
constexpr double kArcToleranceM = 1e-9; // bisection / golden stop in arc length
constexpr std::size_t kChunkEdges = 64;

// ---------------------------------------------------------------- deterministic PRNG
// splitmix64: fully specified, so the data set is identical on every platform/libstdc++.
struct SplitMix64 {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    std::size_t index(std::size_t n) { return static_cast<std::size_t>(uniform() * n); }
};

// ---------------------------------------------------------------- border model
struct Vertex {
    double lon;
    double lat;
};

struct Edge {
    GeodesicLine line;
    double length_m;
    double start_chainage_m;
    double mid_lat;
    double mid_lon;
    double end_azi; // forward azimuth at the end vertex
};

struct Chunk {
    std::size_t first;
    std::size_t last; // one past
    double c_lat;
    double c_lon;
    double radius_m;
};

struct Border {
    std::vector<Vertex> v;
    std::vector<Edge> e;
    std::vector<Chunk> chunks;
    double length_m = 0;
};

std::vector<Vertex> read_line(const std::string &path, const std::string &id) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    const auto doc = nlohmann::json::parse(in);
    for (const auto &f : doc.at("features")) {
        std::string fid;
        if (f.contains("id") && f["id"].is_string())
            fid = f["id"].get<std::string>();
        if (fid != id && f.contains("properties") && f["properties"].is_object() &&
            f["properties"].contains("id") && f["properties"]["id"].is_string())
            fid = f["properties"]["id"].get<std::string>();
        if (fid != id)
            continue;
        const auto &g = f.at("geometry");
        if (g.at("type") != "LineString")
            throw std::runtime_error("feature " + id + " is not a LineString");
        std::vector<Vertex> out;
        for (const auto &c : g.at("coordinates"))
            out.push_back({c.at(0).get<double>(), c.at(1).get<double>()});
        return out;
    }
    throw std::runtime_error("feature " + id + " not found in " + path);
}

Border build_border(std::vector<Vertex> verts) {
    if (verts.size() < 2)
        throw std::runtime_error("line needs at least 2 vertices");
    Border b;
    b.v = std::move(verts);
    GeographicLib::Accumulator<> chain; // compensated sum: chainage exact to ~1e-9 m
    for (std::size_t i = 0; i + 1 < b.v.size(); ++i) {
        const auto &a = b.v[i];
        const auto &c = b.v[i + 1];
        GeodesicLine line = geod().InverseLine(a.lat, a.lon, c.lat, c.lon);
        const double len = line.Distance();
        double mlat, mlon, mazi, elat, elon, eazi;
        line.Position(0.5 * len, mlat, mlon, mazi);
        line.Position(len, elat, elon, eazi);
        b.e.push_back({line, len, chain(), mlat, mlon, eazi});
        chain += len;
    }
    b.length_m = chain();
    for (std::size_t first = 0; first < b.e.size(); first += kChunkEdges) {
        Chunk ch{first, std::min(first + kChunkEdges, b.e.size()), 0, 0, 0};
        const auto &cv = b.v[(ch.first + ch.last) / 2];
        ch.c_lat = cv.lat;
        ch.c_lon = cv.lon;
        for (std::size_t i = ch.first; i < ch.last; ++i) {
            double da, dc;
            geod().Inverse(ch.c_lat, ch.c_lon, b.v[i].lat, b.v[i].lon, da);
            geod().Inverse(ch.c_lat, ch.c_lon, b.v[i + 1].lat, b.v[i + 1].lon, dc);
            // any x on the edge: d(c,x) <= min(da + s, dc + L - s) <= (da + dc + L) / 2
            ch.radius_m = std::max(ch.radius_m, 0.5 * (da + dc + b.e[i].length_m));
        }
        ch.radius_m += 1e-6; // rounding slack
        b.chunks.push_back(ch);
    }
    return b;
}

// ---------------------------------------------------------------- one edge vs one point
struct Eval {
    double dist;
    double deriv; // d dist / d s
    double lat;
    double lon;
};

Eval eval_at(const Edge &e, const Vertex *exact, double s, double plat, double plon) {
    Eval r{};
    double azi_line;
    if (exact != nullptr) { // end points: use the vertex itself, not a recomputed one
        r.lat = exact->lat;
        r.lon = exact->lon;
        azi_line = (s == 0) ? e.line.Azimuth() : e.end_azi;
    } else {
        e.line.Position(s, r.lat, r.lon, azi_line);
    }
    double azi1, azi2;
    geod().Inverse(r.lat, r.lon, plat, plon, r.dist, azi1, azi2);
    r.deriv = (r.dist == 0) ? 0.0 : -Math::cosd(Math::AngDiff(azi_line, azi1));
    return r;
}

struct EdgeResult {
    Eval start;
    Eval end;
    bool has_interior = false;
    double s_interior = 0;
    Eval interior{};
    double golden_dist = 0; // cross-check
};

EdgeResult minimise_edge(const Border &b, std::size_t i, double plat, double plon) {
    const Edge &e = b.e[i];
    EdgeResult r;
    r.start = eval_at(e, &b.v[i], 0, plat, plon);
    r.end = eval_at(e, &b.v[i + 1], e.length_m, plat, plon);
    if (r.start.deriv < 0 && r.end.deriv > 0) {
        // Bisection on the sign of f' only: comparing f values would be meaningless in
        // the flat bottom, where rounding noise in f spans millimetres of s.
        double lo = 0, hi = e.length_m;
        for (int it = 0; it < 200 && hi - lo > kArcToleranceM; ++it) {
            const double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
                break;
            const Eval m = eval_at(e, nullptr, mid, plat, plon);
            if (m.deriv == 0) {
                lo = hi = mid;
                break;
            }
            (m.deriv < 0 ? lo : hi) = mid;
        }
        r.s_interior = 0.5 * (lo + hi);
        r.interior = eval_at(e, nullptr, r.s_interior, plat, plon);
        r.has_interior = true;
    }
    // Golden-section search on the distance itself (independent of the derivative).
    {
        const double g = 0.5 * (std::sqrt(5.0) - 1.0);
        double a = 0, d = e.length_m;
        double x1 = d - g * (d - a), x2 = a + g * (d - a);
        double f1 = eval_at(e, nullptr, x1, plat, plon).dist;
        double f2 = eval_at(e, nullptr, x2, plat, plon).dist;
        for (int it = 0; it < 200 && d - a > kArcToleranceM; ++it) {
            if (f1 <= f2) {
                d = x2;
                x2 = x1;
                f2 = f1;
                x1 = d - g * (d - a);
                f1 = eval_at(e, nullptr, x1, plat, plon).dist;
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + g * (d - a);
                f2 = eval_at(e, nullptr, x2, plat, plon).dist;
            }
        }
        r.golden_dist = std::min({f1, f2, r.start.dist, r.end.dist});
    }
    return r;
}

// ---------------------------------------------------------------- point vs border
struct Candidate {
    double dist;
    double chainage_m;
    double lat;
    double lon;
    std::size_t edge;
    int where; // -1 start vertex of edge, 0 interior, +1 end vertex of edge
};

struct Placement {
    double dist;
    double chainage_m;
    double lat;
    double lon;
    bool ambiguous;
    std::size_t edges_minimised;
    double bearing_deg; // azimuth P -> nearest point, [0, 360); 0 when P is on the line
};

struct Stats {
    double max_golden_gap_m = 0; // golden - bisection (should be >= -tiny)
    double min_golden_gap_m = 0;
    std::size_t edges_minimised = 0;
    std::size_t points = 0;
    std::size_t no_local_min = 0;
};

Placement place(const Border &b, double plat, double plon, Stats &stats) {
    // chunk lower bounds, ascending
    std::vector<std::pair<double, std::size_t>> order;
    order.reserve(b.chunks.size());
    for (std::size_t k = 0; k < b.chunks.size(); ++k) {
        double d;
        geod().Inverse(plat, plon, b.chunks[k].c_lat, b.chunks[k].c_lon, d);
        order.emplace_back(d - b.chunks[k].radius_m, k);
    }
    std::sort(order.begin(), order.end());

    double best = std::numeric_limits<double>::infinity();
    std::vector<Candidate> cands;
    std::map<std::size_t, EdgeResult> done;
    for (const auto &[lb, k] : order) {
        if (lb > best + kPruneMarginM)
            break;
        const Chunk &ch = b.chunks[k];
        std::vector<std::pair<double, std::size_t>> edges;
        for (std::size_t i = ch.first; i < ch.last; ++i) {
            double d;
            geod().Inverse(plat, plon, b.e[i].mid_lat, b.e[i].mid_lon, d);
            edges.emplace_back(d - 0.5 * b.e[i].length_m, i);
        }
        std::sort(edges.begin(), edges.end());
        for (const auto &[elb, i] : edges) {
            if (elb > best + kPruneMarginM)
                break;
            const EdgeResult r = minimise_edge(b, i, plat, plon);
            ++stats.edges_minimised;
            const double cs = b.e[i].start_chainage_m;
            const double ce = (i + 1 < b.e.size()) ? b.e[i + 1].start_chainage_m : b.length_m;
            cands.push_back({r.start.dist, cs, r.start.lat, r.start.lon, i, -1});
            cands.push_back({r.end.dist, ce, r.end.lat, r.end.lon, i, +1});
            double edge_min = std::min(r.start.dist, r.end.dist);
            if (r.has_interior) {
                cands.push_back(
                    {r.interior.dist, cs + r.s_interior, r.interior.lat, r.interior.lon, i, 0});
                edge_min = std::min(edge_min, r.interior.dist);
            }
            const double gap = r.golden_dist - edge_min;
            stats.max_golden_gap_m = std::max(stats.max_golden_gap_m, gap);
            stats.min_golden_gap_m = std::min(stats.min_golden_gap_m, gap);
            best = std::min(best, edge_min);
            done.emplace(i, r);
        }
    }
    // derivative of the distance at a vertex seen from edge j (start or end)
    auto deriv_at = [&](std::size_t j, bool at_end) {
        auto it = done.find(j);
        if (it != done.end())
            return at_end ? it->second.end.deriv : it->second.start.deriv;
        return at_end ? eval_at(b.e[j], &b.v[j + 1], b.e[j].length_m, plat, plon).deriv
                      : eval_at(b.e[j], &b.v[j], 0, plat, plon).deriv;
    };
    // Is the candidate a local minimum of the distance along the whole line? An edge end
    // point only is if the distance also grows into the neighbouring edge. Decided by the
    // signs of f', never by comparing nearly equal distances: in the flat bottom of f the
    // rounding noise of a vertex's distance could otherwise beat an interior foot point
    // a few millimetres of chainage away.
    auto local_min = [&](const Candidate &c) {
        if (c.where == -1)
            return deriv_at(c.edge, false) >= 0 && (c.edge == 0 || deriv_at(c.edge - 1, true) <= 0);
        if (c.where == +1)
            return deriv_at(c.edge, true) <= 0 &&
                   (c.edge + 1 == b.e.size() || deriv_at(c.edge + 1, false) >= 0);
        return true;
    };
    std::vector<const Candidate *> minima;
    for (const auto &c : cands)
        if (c.dist <= best + kAmbiguityM && local_min(c))
            minima.push_back(&c);
    if (minima.empty()) { // cannot happen (the global minimum is a local one); be safe
        ++stats.no_local_min;
        for (const auto &c : cands)
            if (c.dist == best)
                minima.push_back(&c);
    }
    // best local minimum; ties (a vertex reached from both edges) go to the lower chainage
    const Candidate *top = nullptr;
    for (const Candidate *c : minima)
        if (top == nullptr || c->dist < top->dist ||
            (c->dist == top->dist && c->chainage_m < top->chainage_m))
            top = c;
    bool ambiguous = false;
    for (const Candidate *c : minima)
        if (c->dist <= top->dist + kAmbiguityM &&
            std::abs(c->chainage_m - top->chainage_m) > kAmbiguityM)
            ambiguous = true;
    double bearing = 0;
    if (top->dist > 0) {
        double s12, azi1, azi2;
        geod().Inverse(plat, plon, top->lat, top->lon, s12, azi1, azi2);
        bearing = azi1 < 0 ? azi1 + 360.0 : azi1;
        if (bearing >= 360.0)
            bearing -= 360.0;
    }
    ++stats.points;
    return {top->dist, top->chainage_m, top->lat, top->lon, ambiguous, done.size(), bearing};
}

// ---------------------------------------------------------------- test point set
struct TestPoint {
    std::string kind;
    double lon;
    double lat;
};

struct Pos {
    double lat;
    double lon;
    double azi;
};

Pos at_chainage(const Border &b, double s) {
    auto it = std::upper_bound(b.e.begin(), b.e.end(), s,
                               [](double v, const Edge &e) { return v < e.start_chainage_m; });
    std::size_t i = (it == b.e.begin()) ? 0 : static_cast<std::size_t>(it - b.e.begin()) - 1;
    Pos p{};
    b.e[i].line.Position(std::clamp(s - b.e[i].start_chainage_m, 0.0, b.e[i].length_m), p.lat,
                         p.lon, p.azi);
    return p;
}

TestPoint direct(std::string kind, double lat, double lon, double azi, double dist) {
    double lat2, lon2;
    geod().Direct(lat, lon, azi, dist, lat2, lon2);
    return {std::move(kind), lon2, lat2};
}

std::vector<TestPoint> make_points(const Border &b, std::size_t n_random, std::uint64_t seed) {
    SplitMix64 rng{seed};
    std::vector<TestPoint> pts;
    const std::size_t nv = b.v.size();
    const std::size_t ne = b.e.size();
    const double scale = static_cast<double>(n_random) / 10000.0; // edge-case volume

    // random points around the border, balanced over distance buckets
    static const std::array<std::pair<const char *, double>, 5> buckets{{
        {"random_100m", 100.0},
        {"random_1km", 1e3},
        {"random_10km", 1e4},
        {"random_100km", 1e5},
        {"random_500km", 5e5},
    }};
    for (std::size_t k = 0; k < n_random; ++k) {
        const auto &[kind, max_d] = buckets[k % buckets.size()];
        const Pos base = at_chainage(b, rng.uniform() * b.length_m);
        // half the points leave perpendicular to the line (jittered), half in any direction
        double azi;
        if (rng.uniform() < 0.5)
            azi = base.azi + (rng.uniform() < 0.5 ? 90.0 : -90.0) + rng.uniform(-10.0, 10.0);
        else
            azi = rng.uniform(-180.0, 180.0);
        pts.push_back(direct(kind, base.lat, base.lon, azi, rng.uniform() * max_d));
    }

    // exactly on vertices: every 100th and the last one (both tripoints included)
    for (std::size_t i = 0; i < nv; ++i)
        if (i % 100 == 0 || i + 1 == nv)
            pts.push_back({"vertex", b.v[i].lon, b.v[i].lat});

    // edge midpoints on the geodesic
    for (std::size_t i = 0; i < ne; i += 50)
        pts.push_back({"edge_mid", b.e[i].mid_lon, b.e[i].mid_lat});

    // exactly on the line at random positions
    for (std::size_t k = 0; k < static_cast<std::size_t>(200 * scale) + 20; ++k) {
        const Pos p = at_chainage(b, rng.uniform() * b.length_m);
        pts.push_back({"on_line", p.lon, p.lat});
    }

    // beyond each end, along the extension of the end edge and obliquely
    {
        const double start_azi = b.e.front().line.Azimuth() + 180.0; // away from the line
        const double end_azi = b.e.back().end_azi;
        const Vertex &w = b.v.front(); // start
        const Vertex &e = b.v.back();
        for (double d : {1.0, 10.0, 1e3, 1e4, 1e5, 5e5}) {
            pts.push_back(direct("beyond_start", w.lat, w.lon, start_azi, d));
            pts.push_back(direct("beyond_end", e.lat, e.lon, end_azi, d));
        }
        for (double off : {-60.0, -30.0, 30.0, 60.0})
            for (double d : {1.0, 1e3, 1e5}) {
                pts.push_back(direct("beyond_start", w.lat, w.lon, start_azi + off, d));
                pts.push_back(direct("beyond_end", e.lat, e.lon, end_azi + off, d));
            }
    }

    // very close to vertices (1 mm .. 10 m, any direction)
    for (std::size_t k = 0; k < static_cast<std::size_t>(300 * scale) + 30; ++k) {
        const Vertex &v = b.v[rng.index(nv)];
        const double d = std::pow(10.0, rng.uniform(-3.0, 1.0));
        pts.push_back(direct("near_vertex", v.lat, v.lon, rng.uniform(-180.0, 180.0), d));
    }

    // sharp vertices: inside the angle (near the bisector) and outside it
    {
        std::vector<std::pair<double, std::size_t>> sharp; // (opening angle, vertex)
        for (std::size_t i = 1; i + 1 < nv; ++i) {
            const double back = b.e[i - 1].end_azi + 180.0;
            const double fwd = b.e[i].line.Azimuth();
            sharp.emplace_back(std::abs(Math::AngDiff(back, fwd)), i);
        }
        std::sort(sharp.begin(), sharp.end());
        const std::size_t n_sharp = static_cast<std::size_t>(40 * scale) + 10;
        for (std::size_t k = 0; k < std::min(n_sharp, sharp.size()); ++k) {
            const std::size_t i = sharp[k].second;
            const double back = b.e[i - 1].end_azi + 180.0;
            const double opening = Math::AngDiff(back, b.e[i].line.Azimuth());
            const double bis = back + 0.5 * opening;
            const Vertex &v = b.v[i];
            for (double d : {0.1, 1.0, 10.0, 100.0, 1000.0}) {
                pts.push_back(direct("sharp_inside", v.lat, v.lon, bis, d));
                pts.push_back(direct("sharp_inside", v.lat, v.lon,
                                     bis + rng.uniform(-0.4, 0.4) * opening, d));
                pts.push_back(direct("sharp_outside", v.lat, v.lon, bis + 180.0, d));
            }
        }
    }

    // far points (500 .. 1,000 km from a random vertex, any direction)
    for (std::size_t k = 0; k < static_cast<std::size_t>(300 * scale) + 30; ++k) {
        const Vertex &v = b.v[rng.index(nv)];
        pts.push_back(
            direct("far", v.lat, v.lon, rng.uniform(-180.0, 180.0), rng.uniform(5e5, 1e6)));
    }
    // cities of the region, approximate coordinates (Dushanbe, Kabul, Kashgar, ...)
    static const std::array<Vertex, 12> cities{{
        {68.7738, 38.5598},
        {69.2075, 34.5553},
        {75.9897, 39.4704},
        {69.2401, 41.2995},
        {73.0479, 33.6844},
        {71.5531, 37.4897},
        {68.8600, 36.7280},
        {70.5800, 37.1164},
        {67.1100, 36.7090},
        {67.2783, 37.2242},
        {69.7847, 37.9167},
        {70.8800, 38.2200},
    }};
    for (const auto &c : cities)
        pts.push_back({"city", c.lon, c.lat});
    return pts;
}

// ---------------------------------------------------------------- output
std::string fixed(double v, int decimals) {
    if (v == 0)
        v = 0; // no "-0.000"
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    if (r.ec != std::errc{})
        throw std::runtime_error("to_chars failed");
    return {buf, r.ptr};
}

std::string shortest(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    if (r.ec != std::errc{})
        throw std::runtime_error("to_chars failed");
    return {buf, r.ptr};
}

double reparse(const std::string &s) {
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
        throw std::runtime_error("from_chars failed on " + s);
    return v;
}

// ---------------------------------------------------------------- world mode (issue 17)
// Every international land boundary at once: the lines of borders.geojson plus every line of
// boundary_lines_ne10m.geojson whose pair has no line in borders.geojson. The distance to the
// set is the minimum over its lines; each line is placed as above (rigorous chunk and edge
// bounds, then every surviving edge minimised), and lines whose chunk bound exceeds the best
// distance so far are skipped.
struct WorldLine {
    std::string border_id; // "LEFT-RIGHT" as in the data
    Border b;
    std::string pair; // unordered pair key
};

std::string pair_key(const std::string &a, const std::string &b) {
    return a < b ? a + "-" + b : b + "-" + a;
}

void add_world_parts(std::vector<WorldLine> &out, const nlohmann::json &geometry,
                     const std::string &id, const std::string &key) {
    std::vector<nlohmann::json> parts;
    if (geometry.at("type") == "LineString")
        parts.push_back(geometry.at("coordinates"));
    else if (geometry.at("type") == "MultiLineString")
        for (const auto &p : geometry.at("coordinates"))
            parts.push_back(p);
    for (const auto &p : parts) {
        std::vector<Vertex> v;
        for (const auto &c : p) {
            const Vertex x{c.at(0).get<double>(), c.at(1).get<double>()};
            if (v.empty() || v.back().lon != x.lon || v.back().lat != x.lat)
                v.push_back(x);
        }
        if (v.size() >= 2)
            out.push_back({id, build_border(std::move(v)), key});
    }
}

std::vector<WorldLine> read_world(const std::string &borders_path, const std::string &ne_path) {
    std::vector<WorldLine> out;
    std::map<std::string, bool> canonical;
    {
        std::ifstream in(borders_path);
        if (!in)
            throw std::runtime_error("cannot open " + borders_path);
        const auto doc = nlohmann::json::parse(in);
        for (const auto &f : doc.at("features")) {
            const auto &pr = f.at("properties");
            const std::string l = pr.at("left"), r = pr.at("right");
            canonical[pair_key(l, r)] = true;
            add_world_parts(out, f.at("geometry"), l + "-" + r, pair_key(l, r));
        }
    }
    std::ifstream in(ne_path);
    if (!in)
        throw std::runtime_error("cannot open " + ne_path);
    const auto doc = nlohmann::json::parse(in);
    for (const auto &f : doc.at("features")) {
        const auto &pr = f.at("properties");
        const std::string l = pr.at("left"), r = pr.at("right");
        if (l.empty() || r.empty() || l == r || canonical.count(pair_key(l, r)) != 0)
            continue;
        add_world_parts(out, f.at("geometry"), l + "-" + r, pair_key(l, r));
    }
    return out;
}

struct WorldResult {
    double dist;
    double lat;
    double lon;
    std::string pair;
    bool ambiguous;
};

WorldResult place_world(const std::vector<WorldLine> &lines, double plat, double plon,
                        Stats &stats) {
    // lower bound of each line: its smallest chunk bound
    std::vector<std::pair<double, std::size_t>> order;
    order.reserve(lines.size());
    for (std::size_t k = 0; k < lines.size(); ++k) {
        double lb = std::numeric_limits<double>::infinity();
        for (const auto &ch : lines[k].b.chunks) {
            double d;
            geod().Inverse(plat, plon, ch.c_lat, ch.c_lon, d);
            lb = std::min(lb, d - ch.radius_m);
        }
        order.emplace_back(lb, k);
    }
    std::sort(order.begin(), order.end());
    std::vector<std::pair<Placement, std::size_t>> results;
    double best = std::numeric_limits<double>::infinity();
    for (const auto &[lb, k] : order) {
        if (lb > best + kPruneMarginM)
            break;
        const Placement r = place(lines[k].b, plat, plon, stats);
        --stats.points; // counted once per point below
        results.emplace_back(r, k);
        best = std::min(best, r.dist);
    }
    ++stats.points;
    const std::pair<Placement, std::size_t> *top = nullptr;
    for (const auto &r : results)
        if (top == nullptr || r.first.dist < top->first.dist)
            top = &r;
    bool ambiguous = top->first.ambiguous;
    for (const auto &r : results) {
        if (&r == top || r.first.dist > top->first.dist + kAmbiguityM)
            continue;
        double d;
        geod().Inverse(top->first.lat, top->first.lon, r.first.lat, r.first.lon, d);
        ambiguous = ambiguous || d > kAmbiguityM;
    }
    return {top->first.dist, top->first.lat, top->first.lon, lines[top->second].pair, ambiguous};
}

std::vector<TestPoint> make_world_points(const std::vector<WorldLine> &lines, std::size_t n,
                                         std::uint64_t seed) {
    SplitMix64 rng{seed};
    std::vector<TestPoint> pts;
    // uniform over the sphere (land and sea)
    for (std::size_t i = 0; i < n; ++i) {
        const double z = rng.uniform(-1.0, 1.0);
        pts.push_back({"globe", rng.uniform(-180.0, 180.0), std::asin(z) * 180.0 / Math::pi()});
    }
    // near the lines: offsets from random points of random lines
    for (std::size_t i = 0; i < n / 4; ++i) {
        const auto &b = lines[rng.index(lines.size())].b;
        const Pos at = at_chainage(b, rng.uniform() * b.length_m);
        static constexpr double offsets[] = {10.0, 100.0, 1000.0, 10000.0, 100000.0};
        const double off = offsets[rng.index(5)] * rng.uniform();
        pts.push_back(
            direct("near_line", at.lat, at.lon, at.azi + (rng.uniform() < 0.5 ? 90 : -90), off));
    }
    // exactly on a vertex, and on line ends shared by three or more lines (tripoints)
    std::map<std::pair<double, double>, std::map<std::string, int>> ends;
    for (const auto &l : lines) {
        ++ends[{l.b.v.front().lon, l.b.v.front().lat}][l.pair];
        ++ends[{l.b.v.back().lon, l.b.v.back().lat}][l.pair];
    }
    for (std::size_t i = 0; i < n / 40; ++i) {
        const auto &b = lines[rng.index(lines.size())].b;
        const auto &v = b.v[rng.index(b.v.size())];
        pts.push_back({"vertex", v.lon, v.lat});
    }
    std::size_t tripoints = 0;
    for (const auto &[p, pairs] : ends) {
        if (pairs.size() >= 2 && tripoints < n / 40) { // the ends of two pairs: three countries
            pts.push_back({"tripoint", p.first, p.second});
            ++tripoints;
        }
    }
    // named places: poles, the antimeridian, enclaves and exclaves
    const std::vector<TestPoint> named = {{"pole", 0.0, 90.0},
                                          {"pole", 0.0, -90.0},
                                          {"pole", 123.4, 89.999},
                                          {"antimeridian", 180.0, 65.0},
                                          {"antimeridian", -180.0, 65.0},
                                          {"antimeridian", 180.0, -16.5},
                                          {"antimeridian", -179.99, 0.0},
                                          {"antimeridian", 179.99, 52.0},
                                          {"enclave", 4.9296, 51.4383}, // Baarle-Hertog
                                          {"enclave", 4.9385, 51.4446},
                                          {"enclave", 45.41, 39.21},  // Nakhchivan
                                          {"enclave", 56.27, 25.69},  // Madha (OMN in ARE)
                                          {"enclave", 71.73, 39.96},  // Sokh (UZB in KGZ)
                                          {"enclave", 12.45, 43.94},  // San Marino
                                          {"enclave", 20.5, 54.7},    // Kaliningrad
                                          {"island", 174.78, -41.29}, // Wellington
                                          {"island", -21.9, 64.15},   // Reykjavik
                                          {"sea", -140.0, -45.0},
                                          {"sea", -30.0, 0.0}};
    pts.insert(pts.end(), named.begin(), named.end());
    return pts;
}

int world_main(int argc, char **argv) {
    if (argc != 7) {
        std::cerr << "usage: border_reference_gen --world BORDERS_GEOJSON NE_LINES_GEOJSON OUT_CSV "
                     "N_RANDOM SEED\n";
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto lines = read_world(argv[2], argv[3]);
    const std::size_t n_random = std::stoul(argv[5]);
    const std::uint64_t seed = std::stoull(argv[6], nullptr, 0);
    const auto pts = make_world_points(lines, n_random, seed);
    std::ofstream out(argv[4], std::ios::binary);
    if (!out)
        throw std::runtime_error(std::string("cannot write ") + argv[4]);
    out << "id,kind,lon,lat,border_distance_m,nearest_lon,nearest_lat,pair,ambiguous\n";
    Stats stats;
    std::size_t id = 0;
    std::size_t vertices = 0;
    for (const auto &l : lines)
        vertices += l.b.v.size();
    for (const auto &p : pts) {
        const std::string lon_s = shortest(p.lon);
        const std::string lat_s = shortest(p.lat);
        const WorldResult r = place_world(lines, reparse(lat_s), reparse(lon_s), stats);
        out << ++id << ',' << p.kind << ',' << lon_s << ',' << lat_s << ',' << fixed(r.dist, 6)
            << ',' << fixed(r.lon, 10) << ',' << fixed(r.lat, 10) << ',' << r.pair << ','
            << (r.ambiguous ? 1 : 0) << '\n';
    }
    out.close();
    if (!out)
        throw std::runtime_error(std::string("write failed: ") + argv[4]);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "world: " << lines.size() << " lines, " << vertices << " vertices, " << pts.size()
              << " points in " << fixed(secs, 1) << " s ("
              << fixed(double(stats.edges_minimised) / double(stats.points), 2)
              << " edges minimised per point)\n";
    if (stats.min_golden_gap_m < -1e-7) {
        std::cerr << "error: golden-section found a smaller distance than bisection\n";
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc > 1 && std::string_view(argv[1]) == "--world") {
        try {
            return world_main(argc, argv);
        } catch (const std::exception &ex) {
            std::cerr << "border_reference_gen: " << ex.what() << '\n';
            return 1;
        }
    }
    if (argc != 6) {
        std::cerr << "usage: border_reference_gen GEOJSON FEATURE_ID OUT_CSV N_RANDOM SEED\n";
        return 2;
    }
    try {
        const auto t0 = std::chrono::steady_clock::now();
        const Border b = build_border(read_line(argv[1], argv[2]));
        const std::size_t n_random = std::stoul(argv[4]);
        const std::uint64_t seed = std::stoull(argv[5], nullptr, 0);
        const std::vector<TestPoint> pts = make_points(b, n_random, seed);

        std::ofstream out(argv[3], std::ios::binary);
        if (!out)
            throw std::runtime_error(std::string("cannot write ") + argv[3]);
        out << "id,kind,lon,lat,border_distance_m,nearest_lon,nearest_lat,chainage_km,"
               "ambiguous,bearing_deg\n";
        Stats stats;
        std::map<std::string, std::pair<std::size_t, std::size_t>> per_kind; // n, ambiguous
        std::size_t id = 0;
        for (const auto &p : pts) {
            // the CSV carries the shortest round-trip text, so the engine reads exactly
            // the doubles the reference was computed for
            const std::string lon_s = shortest(p.lon);
            const std::string lat_s = shortest(p.lat);
            const double lon = reparse(lon_s);
            const double lat = reparse(lat_s);
            const Placement r = place(b, lat, lon, stats);
            auto &k = per_kind[p.kind];
            ++k.first;
            k.second += r.ambiguous ? 1 : 0;
            out << ++id << ',' << p.kind << ',' << lon_s << ',' << lat_s << ',' << fixed(r.dist, 6)
                << ',' << fixed(r.lon, 10) << ',' << fixed(r.lat, 10) << ','
                << fixed(r.chainage_m / 1000.0, 9) << ',' << (r.ambiguous ? 1 : 0) << ','
                << fixed(r.bearing_deg, 9) << '\n';
        }
        out.close();
        if (!out)
            throw std::runtime_error(std::string("write failed: ") + argv[3]);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        std::cerr << argv[2] << ": " << b.v.size() << " vertices, length "
                  << fixed(b.length_m / 1000.0, 6) << " km, " << pts.size() << " points in "
                  << fixed(secs, 1) << " s ("
                  << fixed(double(stats.edges_minimised) / double(stats.points), 2)
                  << " edges minimised per point)\n";
        std::cerr << "  golden-section minus bisection distance on candidate edges: min "
                  << stats.min_golden_gap_m << " m, max " << stats.max_golden_gap_m << " m\n";
        if (stats.no_local_min > 0)
            std::cerr << "  warning: " << stats.no_local_min
                      << " points without a local minimum (fell back to the smallest)\n";
        for (const auto &[kind, n] : per_kind)
            std::cerr << "  " << kind << ": " << n.first << " (ambiguous " << n.second << ")\n";
        // the golden-section search must never beat the bisection (it would mean a missed
        // minimum); allow rounding noise only
        if (stats.min_golden_gap_m < -1e-7) {
            std::cerr << "error: golden-section found a smaller distance than bisection\n";
            return 1;
        }
    } catch (const std::exception &ex) {
        std::cerr << "border_reference_gen: " << ex.what() << '\n';
        return 1;
    }
    return 0;
}
