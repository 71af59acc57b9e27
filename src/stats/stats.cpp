// Distance-to-border statistics (see include/borderwatch/stats/stats.hpp).
#include <borderwatch/stats/stats.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/text_table.hpp>

#include "core/quantile_ranks.hpp"
#include "core/spool_sort.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <tuple>

namespace borderwatch {

namespace {

std::string fixed3(const std::optional<double> &v) {
    return v ? format_fixed(*v, 3) : "";
}

// One border distance of a group, on its way through the external sort.
struct GroupDistance {
    std::uint32_t group;
    double km;
};
struct ByGroupThenDistance {
    bool operator()(const GroupDistance &a, const GroupDistance &b) const noexcept {
        return a.group != b.group ? a.group < b.group : a.km < b.km;
    }
};

} // namespace

/// The distances of every group, sorted by (group, distance) with bounded memory: the median
/// and p90 are exact however large a group is.
struct StatsAccumulator::Distances {
    detail::SpoolSorter<GroupDistance, ByGroupThenDistance> sorted;
};

/// Per-group accumulator of counts and the distance distribution.
class StatsAccumulator::Group {
  public:
    explicit Group(std::uint32_t id) : m_id(id) {}

    void add(const Incident &x, bool imprecise, Distances &distances) {
        ++m_stats.count;
        m_stats.fatalities += x.fatalities_best.value_or(0);
        if (!x.border_distance_m) {
            ++m_stats.unplaced;
            return;
        }
        if (imprecise) {
            ++m_stats.imprecise;
            return;
        }
        const double km = *x.border_distance_m / 1000.0;
        ++m_n;
        m_sum += km;
        m_min = std::min(m_min, km);
        m_max = std::max(m_max, km);
        distances.sorted.add(GroupDistance{m_id, km});
    }

    /// Before the sorted distances are streamed: the ranks to keep.
    void prepare_quantiles() {
        m_seen = 0;
        if (m_n > 0) {
            m_median.at = detail::QuantileRanks(m_n, 0.5);
            m_p90.at = detail::QuantileRanks(m_n, 0.9);
        }
    }
    /// The group's next distance in ascending order: keeps the ones at the quantile ranks.
    void next_sorted(double km) noexcept {
        for (auto *q : {&m_median, &m_p90}) {
            if (m_seen == q->at.lo) {
                q->v_lo = km;
            }
            if (m_seen == q->at.hi) {
                q->v_hi = km;
            }
        }
        ++m_seen;
    }
    [[nodiscard]] std::uint32_t id() const noexcept { return m_id; }

    GroupStats finish(std::vector<std::string> key) const {
        GroupStats s = m_stats;
        s.key = std::move(key);
        if (m_n > 0) {
            s.min_km = m_min;
            s.max_km = m_max;
            s.mean_km = m_sum / static_cast<double>(m_n);
            s.median_km = m_median.value();
            s.p90_km = m_p90.value();
        }
        return s;
    }

  private:
    struct Quantile {
        detail::QuantileRanks at;
        double v_lo = 0;
        double v_hi = 0;
        [[nodiscard]] double value() const { return at.value(v_lo, v_hi); }
    };

    GroupStats m_stats;
    std::size_t m_n = 0;
    double m_sum = 0.0;
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    std::uint32_t m_id;
    std::size_t m_seen = 0; // distances streamed so far (finish)
    Quantile m_median;
    Quantile m_p90;
};

std::string_view to_string(StatsKey key) noexcept {
    switch (key) {
    case StatsKey::side:
        return "side";
    case StatsKey::admin1:
        return "admin1";
    case StatsKey::admin2:
        return "admin2";
    case StatsKey::event_type:
        return "event_type";
    case StatsKey::month:
        return "month";
    case StatsKey::band:
        return "band";
    case StatsKey::sector:
        return "sector";
    case StatsKey::border:
        return "border";
    }
    return "side";
}

std::vector<StatsKey> parse_stats_keys(std::string_view text) {
    static constexpr StatsKey all[] = {StatsKey::side,       StatsKey::admin1, StatsKey::admin2,
                                       StatsKey::event_type, StatsKey::month,  StatsKey::band,
                                       StatsKey::sector,     StatsKey::border};
    std::vector<StatsKey> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const auto name = trim(text.substr(start, end - start));
        start = end + 1;
        if (name.empty()) {
            continue;
        }
        const auto *hit = std::find_if(std::begin(all), std::end(all),
                                       [&](StatsKey k) { return to_string(k) == name; });
        if (hit == std::end(all)) {
            throw UsageError(
                "--by: unknown grouping '" + std::string(name) +
                "' (use side, admin1, admin2, event_type, month, band, sector, border)");
        }
        if (std::find(out.begin(), out.end(), *hit) != out.end()) {
            throw UsageError("--by: '" + std::string(name) + "' given twice");
        }
        out.push_back(*hit);
    }
    return out;
}

StatsAccumulator::StatsAccumulator(StatsOptions options)
    : StatsAccumulator(options, {options.by}) {}

StatsAccumulator::StatsAccumulator(StatsOptions options,
                                   std::vector<std::vector<StatsKey>> groupings)
    : m_options(std::move(options)), m_groupings(std::move(groupings)),
      m_distances(std::make_unique<Distances>()), m_total(std::make_unique<Group>(0)) {
    if (m_options.band_edges_km.empty()) {
        m_options.band_edges_km = default_band_edges_km();
    }
    if (!(m_options.sector_km > 0) || !std::isfinite(m_options.sector_km)) {
        throw UsageError("--sector-km must be a positive number of km");
    }
    if (m_groupings.empty()) {
        m_groupings.emplace_back();
    }
    m_options.by = m_groupings.front();
    m_sectors = m_options.sector_grid();
    m_line_sectors = {m_options.sector_km, m_options.sector_lines};
    m_line_sectors.sort_lines();
    m_labels = band_labels(m_options.band_edges_km);
    m_groups.resize(m_groupings.size());
}

StatsAccumulator::~StatsAccumulator() = default;

StatsAssignment StatsAccumulator::assign(const Incident &x) {
    const double u = location_uncertainty_km(x.precision);
    m_band.clear();
    bool imprecise = false;
    if (x.border_distance_m) {
        const int b = band_index(*x.border_distance_m / 1000.0, u, m_options.band_edges_km);
        imprecise = b < 0;
        m_band = imprecise ? std::string("imprecise") : m_labels[static_cast<std::size_t>(b)];
    }
    m_sector.clear();
    if (x.chainage_km) {
        m_sector = m_line_sectors.lines.empty()
                       ? m_sectors.sector_for(*x.chainage_km, u)
                       : m_line_sectors.sector_for(x.border_id, x.border_part, *x.chainage_km, u);
    }
    return {m_band, m_sector, imprecise};
}

StatsAssignment StatsAccumulator::add(const Incident &x) {
    const bool imprecise = assign(x).imprecise;
    for (std::size_t s = 0; s < m_groupings.size(); ++s) {
        m_key.clear();
        for (const auto k : m_groupings[s]) {
            switch (k) {
            case StatsKey::side:
                m_key.push_back(x.side);
                break;
            case StatsKey::admin1:
                m_key.push_back(x.admin1);
                break;
            case StatsKey::admin2:
                m_key.push_back(x.admin2);
                break;
            case StatsKey::event_type:
                m_key.push_back(x.event_type);
                break;
            case StatsKey::month:
                m_key.push_back(x.event_date.size() >= 7 ? x.event_date.substr(0, 7) : "");
                break;
            case StatsKey::band:
                m_key.push_back(m_band);
                break;
            case StatsKey::sector:
                m_key.push_back(m_sector);
                break;
            case StatsKey::border:
                m_key.push_back(x.border_id);
                break;
            }
        }
        auto &groups = m_groups[s];
        auto it = groups.find(m_key);
        if (it == groups.end()) {
            it = groups.emplace(m_key, std::make_unique<Group>(m_next_id++)).first;
        }
        it->second->add(x, imprecise, *m_distances);
    }
    m_total->add(x, imprecise, *m_distances);
    return {m_band, m_sector, imprecise};
}

StatsTable StatsAccumulator::finish() {
    return std::move(finish_all().front());
}

std::vector<StatsTable> StatsAccumulator::finish_all() {
    const auto &labels = m_labels;
    // Sort rank of a key value: bands in distance order, sectors by their line (border id,
    // part number) and start, then "imprecise", then empty; everything else lexicographic.
    auto rank = [&](StatsKey k,
                    const std::string &v) -> std::tuple<double, std::string, double, double> {
        if (v.empty()) {
            return {3e300, v, 0, 0};
        }
        if (v == "imprecise") {
            return {2e300, v, 0, 0};
        }
        if (k == StatsKey::band) {
            const auto it = std::find(labels.begin(), labels.end(), v);
            return {static_cast<double>(it - labels.begin()), {}, 0, 0};
        }
        if (k == StatsKey::sector) {
            auto order = sector_order(v);
            return {0, std::move(order.border_id), order.part, order.start_km};
        }
        return {0, v, 0, 0};
    };
    // Stream every distance in (group, distance) order to pick the quantiles by rank.
    std::vector<Group *> by_id(m_next_id);
    by_id[0] = m_total.get();
    for (auto &groups : m_groups) {
        for (auto &[key, g] : groups) {
            by_id[g->id()] = g.get();
        }
    }
    for (auto *g : by_id) {
        g->prepare_quantiles();
    }
    m_distances->sorted.merge([&](const GroupDistance &d) { by_id[d.group]->next_sorted(d.km); });
    const auto total = m_total->finish({});
    std::vector<StatsTable> tables;
    for (std::size_t s = 0; s < m_groupings.size(); ++s) {
        StatsTable t;
        t.by = m_groupings[s];
        t.merged_rows = m_merged_rows;
        for (auto &[key, g] : m_groups[s]) {
            t.groups.push_back(g->finish(key));
        }
        std::sort(t.groups.begin(), t.groups.end(), [&](const GroupStats &a, const GroupStats &b) {
            for (std::size_t i = 0; i < t.by.size(); ++i) {
                const auto ra = rank(t.by[i], a.key[i]);
                const auto rb = rank(t.by[i], b.key[i]);
                if (ra != rb) {
                    return ra < rb;
                }
            }
            return false;
        });
        t.total = total;
        tables.push_back(std::move(t));
    }
    return tables;
}

const GroupStats *StatsTable::find(const std::vector<std::string> &key) const {
    const auto it = std::find_if(groups.begin(), groups.end(),
                                 [&](const GroupStats &g) { return g.key == key; });
    return it == groups.end() ? nullptr : &*it;
}

std::string format_stats(const StatsTable &t, std::string_view format, CsvFormulas csv_formulas) {
    std::vector<std::string> header;
    for (const auto k : t.by) {
        header.emplace_back(to_string(k));
    }
    for (const char *h : {"count", "fatalities", "imprecise", "min_km", "median_km", "mean_km",
                          "p90_km", "max_km"}) {
        header.emplace_back(h);
    }
    auto row_of = [&](const GroupStats &g, bool total) {
        std::vector<std::string> r;
        for (std::size_t i = 0; i < t.by.size(); ++i) {
            r.push_back(total ? (i == 0 ? "(all)" : "") : (g.key[i].empty() ? "(none)" : g.key[i]));
        }
        r.push_back(std::to_string(g.count));
        r.push_back(std::to_string(g.fatalities));
        r.push_back(std::to_string(g.imprecise));
        for (const auto &v : {g.min_km, g.median_km, g.mean_km, g.p90_km, g.max_km}) {
            r.push_back(fixed3(v));
        }
        return r;
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto &g : t.groups) {
        rows.push_back(row_of(g, false));
    }
    std::string note =
        t.total.imprecise == 0
            ? std::string()
            : std::to_string(t.total.imprecise) +
                  " incident(s) located only to district, province or country level could not be "
                  "put in a distance band finer than their uncertainty: counted as 'imprecise' and "
                  "left out of the distance statistics.";
    if (t.merged_rows > 0) {
        note += std::string(note.empty() ? "" : "\n") + std::to_string(t.merged_rows) +
                " row(s) report an event another row already reports (event clusters: same place "
                "within their uncertainty, overlapping dates, compatible type, or same_as): each "
                "event is counted once, fatalities as the median of its best estimates "
                "(--no-link counts only explicit same_as links).";
    }
    std::ostringstream out;
    if (format == "csv") {
        write_csv_record(out, header, ',', csv_formulas);
        for (const auto &r : rows) {
            write_csv_record(out, r, ',', csv_formulas);
        }
    } else if (format == "json") {
        nlohmann::ordered_json j;
        j["by"] = nlohmann::json::array();
        for (const auto k : t.by) {
            j["by"].push_back(std::string(to_string(k)));
        }
        auto group_json = [&](const GroupStats &g) {
            nlohmann::ordered_json o;
            for (std::size_t i = 0; i < t.by.size() && i < g.key.size(); ++i) {
                o[std::string(to_string(t.by[i]))] = g.key[i];
            }
            o["count"] = g.count;
            o["fatalities"] = g.fatalities;
            o["imprecise"] = g.imprecise;
            o["unplaced"] = g.unplaced;
            const std::pair<const char *, std::optional<double>> d[] = {{"min_km", g.min_km},
                                                                        {"median_km", g.median_km},
                                                                        {"mean_km", g.mean_km},
                                                                        {"p90_km", g.p90_km},
                                                                        {"max_km", g.max_km}};
            for (const auto &[name, v] : d) {
                if (v) {
                    o[name] = std::round(*v * 1000.0) / 1000.0;
                } else {
                    o[name] = nullptr;
                }
            }
            return o;
        };
        j["groups"] = nlohmann::json::array();
        for (const auto &g : t.groups) {
            j["groups"].push_back(group_json(g));
        }
        j["total"] = group_json(t.total);
        j["merged_rows"] = t.merged_rows;
        if (!note.empty()) {
            j["note"] = note;
        }
        out << j.dump(2) << '\n';
    } else if (format == "markdown") {
        auto line = [&](const std::vector<std::string> &r) {
            out << '|';
            for (const auto &c : r) {
                std::string cell = c;
                for (std::size_t p = 0; (p = cell.find('|', p)) != std::string::npos; p += 2) {
                    cell.replace(p, 1, "\\|");
                }
                out << ' ' << cell << " |";
            }
            out << '\n';
        };
        line(header);
        out << '|';
        for (std::size_t i = 0; i < header.size(); ++i) {
            out << (i < t.by.size() ? "---|" : "---:|");
        }
        out << '\n';
        for (const auto &r : rows) {
            line(r);
        }
        line(row_of(t.total, true));
        if (!note.empty()) {
            out << '\n' << note << '\n';
        }
    } else if (format == "table") {
        auto all_rows = rows;
        all_rows.push_back(row_of(t.total, true));
        // Group-by columns left-aligned, the numbers right-aligned.
        std::vector<bool> right_align(header.size(), true);
        std::fill_n(right_align.begin(), std::min(t.by.size(), right_align.size()), false);
        write_text_table(out, header, all_rows, right_align);
        if (!note.empty()) {
            out << '\n' << note << '\n';
        }
    } else {
        throw UsageError("unknown stats format '" + std::string(format) +
                         "' (use table, csv, json, markdown)");
    }
    return out.str();
}

} // namespace borderwatch
