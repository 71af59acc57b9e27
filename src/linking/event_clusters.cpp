// Event clusters: a date sweep over the rows with a coarse lon/lat grid of the rows whose
// date range is still open, then an exact geodesic test for the pairs that pass the cheap ones;
// union-find gives the components.

#include <borderwatch/linking/event_clusters.hpp>

#include <borderwatch/core/civil_date.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/incidents/uncertainty.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace borderwatch {

namespace {

/// Day number of "YYYY-MM-DD", or nullopt.
std::optional<long> day_of(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') {
        return std::nullopt;
    }
    int v[3] = {0, 0, 0};
    const std::size_t starts[3] = {0, 5, 8};
    const std::size_t lens[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k) {
        for (std::size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
            if (d[i] < '0' || d[i] > '9') {
                return std::nullopt;
            }
            v[k] = v[k] * 10 + (d[i] - '0');
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) {
        return std::nullopt;
    }
    return days_from_civil(v[0], v[1], v[2]);
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

/// ACLED's political-violence types, and UCDP's own labels of its three types.
bool political_violence(std::string_view type) noexcept {
    for (const std::string_view t :
         {"Battles", "Explosions/Remote violence", "Violence against civilians",
          "State-based violence", "Non-state violence", "One-sided violence"}) {
        if (iequal(type, t)) {
            return true;
        }
    }
    return false;
}

/// Radius within which a row may be linked by place, km; nullopt when it never is (not
/// placed, or known only to country level or worse: an unbounded region).
std::optional<double> link_radius_km(const LinkRecord &r) {
    if (!r.lon || !r.lat) {
        return std::nullopt;
    }
    const double u = location_uncertainty_km(r.precision);
    if (!std::isfinite(u)) {
        return std::nullopt;
    }
    return u;
}

struct UnionFind {
    std::vector<std::size_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) {
        std::iota(parent.begin(), parent.end(), std::size_t{0});
    }
    std::size_t find(std::size_t i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
    void unite(std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a != b) {
            parent[std::max(a, b)] = std::min(a, b);
        }
    }
};

constexpr double k_cell_deg = 2.0;         // grid cell edge, degrees
constexpr double k_km_per_deg_lat = 110.5; // a lower bound of the meridian degree (110.57 km)

std::int64_t cell_key(long row, long col) {
    return (static_cast<std::int64_t>(row) << 32) ^ static_cast<std::uint32_t>(col);
}

long cell_row(double lat) {
    return static_cast<long>(std::floor((lat + 90.0) / k_cell_deg));
}
long cell_col(double lon) {
    return static_cast<long>(std::floor((lon + 180.0) / k_cell_deg));
}

/// Automatic links: every pair of dated, placed rows with overlapping dates, compatible types
/// and points within reach.
void link_automatically(const std::vector<LinkRecord> &records, const LinkOptions &options,
                        UnionFind &uf) {
    std::vector<std::size_t> order;
    std::vector<double> radius(records.size(), 0.0);
    double max_radius = 0.0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto &r = records[i];
        const auto u = link_radius_km(r);
        if (r.dated && !r.opt_out && u) {
            radius[i] = *u;
            max_radius = std::max(max_radius, *u);
            order.push_back(i);
        }
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return records[a].start_day < records[b].start_day;
    });
    // Rows whose date range is still open, by grid cell; closed ones are dropped lazily.
    std::unordered_map<std::int64_t, std::vector<std::size_t>> open;
    const long cols = static_cast<long>(std::lround(360.0 / k_cell_deg));
    for (const std::size_t i : order) {
        const auto &a = records[i];
        const double reach_km = radius[i] + max_radius + options.tolerance_km;
        const long row = cell_row(*a.lat);
        const long drow = static_cast<long>(std::ceil(reach_km / (k_km_per_deg_lat * k_cell_deg)));
        // Columns: a degree of longitude is shortest at the highest latitude the reach gets to.
        const double far_lat =
            std::min(89.9, std::fabs(*a.lat) + reach_km / k_km_per_deg_lat + k_cell_deg);
        const double km_per_col = k_km_per_deg_lat * k_cell_deg * std::cos(far_lat * M_PI / 180.0);
        // Near the poles the ring may be visited whole (a column twice: harmless).
        const long dcol = std::min(cols / 2, static_cast<long>(std::ceil(reach_km / km_per_col)));
        const long col = cell_col(*a.lon);
        for (long r = row - drow; r <= row + drow; ++r) {
            for (long dc = -dcol; dc <= dcol; ++dc) {
                const long c = ((col + dc) % cols + cols) % cols;
                const auto it = open.find(cell_key(r, c));
                if (it == open.end()) {
                    continue;
                }
                auto &cell = it->second;
                std::size_t kept = 0;
                for (const std::size_t j : cell) {
                    const auto &b = records[j];
                    if (b.end_day < a.start_day) {
                        continue; // closed for every later row too (rows come by start day)
                    }
                    cell[kept++] = j;
                    if (uf.find(i) == uf.find(j) ||
                        !compatible_event_types(a.event_type, a.ucdp, b.event_type, b.ucdp)) {
                        continue;
                    }
                    const double limit_m = (radius[i] + radius[j] + options.tolerance_km) * 1000.0;
                    if (std::fabs(*a.lat - *b.lat) * k_km_per_deg_lat * 1000.0 > limit_m) {
                        continue;
                    }
                    if (geodesic_inverse(*a.lon, *a.lat, *b.lon, *b.lat).distance_m <= limit_m) {
                        uf.unite(i, j);
                    }
                }
                cell.resize(kept);
            }
        }
        open[cell_key(row, col)].push_back(i);
    }
}

} // namespace

LinkRecord link_record(const Incident &x) {
    const std::string_view same_as = x.same_as;
    LinkRecord r;
    // Made valid as the rows' output makes them (a linking pass may read the bytes as stored,
    // so that text repairs are counted once, by the pass that outputs the rows).
    r.id = sanitize_text(x.id);
    const auto start = day_of(x.event_date);
    const auto end = x.event_date_end.empty() ? start : day_of(x.event_date_end);
    if (start && end && *start <= *end) {
        r.dated = true;
        r.start_day = *start;
        r.end_day = *end;
    }
    r.lon = x.place_lon;
    r.lat = x.place_lat;
    r.precision = x.precision;
    r.event_type = x.event_type;
    r.ucdp = x.source_dataset == "ucdp" || x.id.rfind("UCDP-", 0) == 0;
    std::size_t start_pos = 0;
    while (start_pos <= same_as.size()) {
        auto end_pos = same_as.find('|', start_pos);
        if (end_pos == std::string_view::npos) {
            end_pos = same_as.size();
        }
        auto part = same_as.substr(start_pos, end_pos - start_pos);
        while (!part.empty() && part.front() == ' ') {
            part.remove_prefix(1);
        }
        while (!part.empty() && part.back() == ' ') {
            part.remove_suffix(1);
        }
        if (iequal(part, k_same_as_none)) {
            r.opt_out = true;
        } else if (!part.empty()) {
            r.same_as.push_back(sanitize_text(part));
        }
        start_pos = end_pos + 1;
    }
    return r;
}

bool compatible_event_types(std::string_view a, bool a_ucdp, std::string_view b,
                            bool b_ucdp) noexcept {
    if (a.empty() || b.empty() || iequal(a, b)) {
        return true;
    }
    return (a_ucdp || b_ucdp) && political_violence(a) && political_violence(b);
}

EventClusters EventClusters::build(std::vector<LinkRecord> records, const LinkOptions &options) {
    // One record per id (the first), indexed by id.
    std::unordered_map<std::string, std::size_t> index;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (index.emplace(records[i].id, kept).second) {
            if (i != kept) {
                records[kept] = std::move(records[i]);
            }
            ++kept;
        }
    }
    records.resize(kept);
    UnionFind uf(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        for (const auto &other : records[i].same_as) {
            if (const auto it = index.find(other); it != index.end()) {
                uf.unite(i, it->second);
            }
        }
    }
    if (options.automatic) {
        link_automatically(records, options, uf);
    }
    EventClusters out;
    out.m_rows = records.size();
    std::unordered_map<std::size_t, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < records.size(); ++i) {
        members[uf.find(i)].push_back(i);
    }
    out.m_clusters = members.size();
    for (auto &[root, list] : members) {
        (void)root;
        if (list.size() < 2) {
            continue;
        }
        std::vector<std::string> ids;
        for (const auto i : list) {
            ids.push_back(records[i].id);
        }
        std::sort(ids.begin(), ids.end());
        for (const auto &id : ids) {
            out.m_cluster_of.emplace(id, ids.front());
        }
        out.m_multi.emplace(ids.front(), std::move(ids));
    }
    return out;
}

EventClusters cluster_events(const IncidentSource &source, const LinkOptions &options) {
    std::vector<LinkRecord> records;
    source([&records](const Incident &x) { records.push_back(link_record(x)); });
    return EventClusters::build(std::move(records), options);
}

EventClusters::Membership EventClusters::of(std::string_view id) const {
    const auto it = m_cluster_of.find(id);
    if (it == m_cluster_of.end()) {
        return {id, 1};
    }
    const auto m = m_multi.find(it->second);
    return {m->first, m->second.size()};
}

Incident merge_cluster(const std::vector<Incident> &members) {
    if (members.empty()) {
        return {};
    }
    const auto rank = [](const Incident &x) { return x.precision.value_or(8); };
    const Incident *best = &members.front();
    for (const auto &m : members) {
        if (rank(m) < rank(*best) || (rank(m) == rank(*best) && m.id < best->id)) {
            best = &m;
        }
    }
    Incident out = *best;
    std::vector<int> bests;
    std::optional<int> low, high;
    for (const auto &m : members) {
        if (m.fatalities_best) {
            bests.push_back(*m.fatalities_best);
        }
        if (const auto l = m.fatalities_low ? m.fatalities_low : m.fatalities_best) {
            low = low ? std::min(*low, *l) : *l;
        }
        if (const auto h = m.fatalities_high ? m.fatalities_high : m.fatalities_best) {
            high = high ? std::max(*high, *h) : *h;
        }
    }
    std::sort(bests.begin(), bests.end());
    out.fatalities_best =
        bests.empty() ? std::nullopt : std::optional<int>(bests[(bests.size() - 1) / 2]);
    out.fatalities_low = low;
    out.fatalities_high = high;
    return out;
}

ClusterFolder::ClusterFolder(const EventClusters &clusters,
                             std::function<void(const Incident &)> sink)
    : m_clusters(clusters), m_sink(std::move(sink)) {}

void ClusterFolder::add(const Incident &incident) {
    const auto m = m_clusters.of(incident.id);
    if (m.size < 2) {
        m_sink(incident);
        return;
    }
    auto it = m_pending.find(m.cluster);
    if (it == m_pending.end()) {
        it = m_pending.emplace(std::string(m.cluster), std::vector<Incident>{}).first;
    }
    it->second.push_back(incident);
    if (it->second.size() == m.size) {
        m_sink(merge_cluster(it->second));
        m_pending.erase(it);
    }
}

void ClusterFolder::finish() {
    for (const auto &[name, members] : m_pending) {
        (void)name;
        m_sink(merge_cluster(members));
    }
    m_pending.clear();
}

} // namespace borderwatch
