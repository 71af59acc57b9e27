// Placement of incidents (engine + gazetteer), distance bands with the precision rule,
// and the transactional import driver.
#include <borderwatch/import/import.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/sources.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/lonlat_swap.hpp>
#include <borderwatch/store/store.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace borderwatch {

namespace {

// Great-circle distance on the mean-radius sphere: within 0.5 % of the geodesic one.
double sphere_km(double lon1, double lat1, double lon2, double lat2) {
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * rad;
    const double dlon = (lon2 - lon1) * rad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(a)));
}

double geodesic_km(double lon1, double lat1, double lon2, double lat2) {
    return geodesic_inverse(lon1, lat1, lon2, lat2).distance_m / 1000.0;
}

} // namespace

bool location_mismatch(const PlaceMatch &named, double lon, double lat, const Placement &where,
                       double mismatch_km) {
    // An admin unit or country is an area: the coordinates must lie inside it (the same
    // polygons that give the row its admin1/admin2/side). Outside the polygons' coverage
    // nothing is known, so nothing is flagged.
    if (named.kind == "country") {
        return !where.side.empty() && where.side != named.country;
    }
    if (named.kind == "admin1") {
        return !where.admin1.empty() && where.admin1 != named.name;
    }
    if (named.kind == "admin2") {
        return !where.admin2.empty() &&
               (where.admin2 != named.name || where.admin1 != named.admin1);
    }
    // A place is a point: within mismatch_km of it. The exact geodesic only when the sphere
    // cannot decide (it is within 0.5 %).
    const double approx = sphere_km(lon, lat, named.lon, named.lat);
    return approx > mismatch_km * 1.01 ||
           (approx >= mismatch_km * 0.99 &&
            geodesic_km(lon, lat, named.lon, named.lat) > mismatch_km);
}

namespace {

// --- the real placer ----------------------------------------------------------------------

class EnginePlacer final : public IncidentPlacer {
  public:
    EnginePlacer(const BorderEngine &engine, const Gazetteer &gazetteer, PlacementOptions options)
        : m_engine(engine), m_gazetteer(gazetteer), m_options(std::move(options)),
          m_labels(band_labels(m_options.band_edges_km)) {}

    void place(Incident &x) const override {
        // Reset derived fields: placement is a pure function of the reported ones.
        x.place_id.clear();
        x.place_name.clear();
        x.place_matched.clear();
        x.place_score.reset();
        x.place_lon.reset();
        x.place_lat.reset();
        x.coord_origin = CoordinateOrigin::none;
        x.precision.reset();
        x.flags.clear();

        const auto resolved = resolve(x);
        if (x.lon && x.lat) {
            x.place_lon = x.lon;
            x.place_lat = x.lat;
            x.coord_origin = CoordinateOrigin::given;
            x.precision = x.geo_precision ? *x.geo_precision : 1;
            if (resolved) {
                fill_place(x, *resolved);
            }
        } else {
            if (!resolved) {
                const std::string text = !x.location_text.empty() ? x.location_text
                                         : !x.admin2_text.empty() ? x.admin2_text
                                         : !x.admin1_text.empty() ? x.admin1_text
                                                                  : x.country_text;
                std::string hint;
                try {
                    const auto r = m_gazetteer.resolve(text, ResolveOptions{});
                    for (std::size_t i = 0; i < r.suggestions.size() && i < 3; ++i) {
                        hint += (i == 0 ? " (did you mean: " : ", ") + r.suggestions[i];
                    }
                    hint += hint.empty() ? "" : "?)";
                } catch (const Error &) {
                    // no suggestions for unusable text
                }
                throw InputError(SourceLocation{{}, 0, 0, "location_text"},
                                 text.empty() ? std::string("no coordinates and no location text")
                                              : "no coordinates, and '" + text +
                                                    "' does not resolve to a known place" + hint);
            }
            fill_place(x, *resolved);
            x.place_lon = resolved->match.lon;
            x.place_lat = resolved->match.lat;
            x.coord_origin = CoordinateOrigin::gazetteer;
            // Never finer than reported: a row "near a town" (ACLED geo_precision 2) placed
            // at the town's point is still only near it.
            x.precision = std::max(resolved->match.precision > 0 ? resolved->match.precision : 6,
                                   x.geo_precision.value_or(1));
        }
        const auto p = m_engine.place(*x.place_lon, *x.place_lat);
        x.side = p.side;
        x.border_id = p.border_id;
        x.border_part = static_cast<std::int64_t>(p.part);
        x.border_distance_m = p.border_distance_m;
        x.chainage_km = p.chainage_km;
        x.nearest_lon = p.nearest_lon;
        x.nearest_lat = p.nearest_lat;
        if (x.coord_origin == CoordinateOrigin::given && resolved &&
            location_mismatch(resolved->match, *x.lon, *x.lat, p, m_options.mismatch_km)) {
            add_flag(x.flags, k_flag_location_mismatch);
        }
        // Admin units finer than what the location is known to are unknown: a province-level
        // incident sits at a point inside the province, whose district means nothing.
        x.admin1 = x.precision.value_or(1) >= 6 ? std::string() : p.admin1;
        x.admin2 = x.precision.value_or(1) >= 4 ? std::string() : p.admin2;
        const int band = band_index(p.border_distance_m / 1000.0,
                                    location_uncertainty_km(x.precision), m_options.band_edges_km);
        x.band = band < 0 ? std::string("imprecise") : m_labels[static_cast<std::size_t>(band)];
        // The warning's rule decides the flag (in world mode a point on land is a real place,
        // however near a border its swapped coordinates fall).
        if (x.coord_origin == CoordinateOrigin::given &&
            !lonlat_swap_warning(m_engine, *x.lon, *x.lat, p).empty()) {
            add_flag(x.flags, k_flag_lonlat_swapped);
        }
    }

    [[nodiscard]] std::vector<ImportWarning> warnings(const Incident &x) const override {
        std::vector<ImportWarning> out;
        if (has_flag(x.flags, k_flag_lonlat_swapped) && x.lon && x.lat && x.border_distance_m) {
            auto w = lonlat_swap_warning(m_engine, *x.lon, *x.lat, *x.border_distance_m);
            if (!w.empty()) {
                out.push_back({{}, 0, std::string(k_flag_lonlat_swapped), std::move(w)});
            }
        }
        return out;
    }

  private:
    struct Resolved;
    static void fill_place(Incident &x, const Resolved &r);
    static void fill_match(Incident &x, const PlaceMatch &m) {
        x.place_id = m.id;
        x.place_name = m.name;
        x.place_matched = m.matched;
        x.place_score = m.score;
        if (m.ambiguous) {
            add_flag(x.flags, k_flag_ambiguous);
        }
    }

    struct Resolved {
        PlaceMatch match;
        bool from_admin = false; ///< location text given but unresolved; an admin column used
    };

    // Try the location text, then the admin-2 and admin-1 columns (coarser each time), with
    // the country / admin-1 columns as context; the country column alone only when no
    // finer location is reported at all (an unresolvable place name is an error, not a
    // country-level incident). Cached per distinct input, bounded.
    // Shared, immutable results: a cache hit (nearly every row of a big import) copies a
    // pointer, not the match's strings; the key is built in a per-thread buffer.
    using ResolvedPtr = std::shared_ptr<const Resolved>;
    ResolvedPtr resolve(const Incident &x) const {
        thread_local std::string key;
        key.clear();
        key.append(x.location_text).append(1, '\x1f').append(x.admin2_text).append(1, '\x1f');
        key.append(x.admin1_text).append(1, '\x1f').append(x.country_text);
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_cache.find(key); it != m_cache.end()) {
                return it->second;
            }
        }
        std::optional<Resolved> result;
        const std::string *texts[] = {&x.location_text, &x.admin2_text, &x.admin1_text,
                                      &x.country_text};
        const bool finer_given =
            !x.location_text.empty() || !x.admin2_text.empty() || !x.admin1_text.empty();
        for (std::size_t level = 0; level < 4 && !result; ++level) {
            const auto &text = *texts[level];
            if (text.empty() || text.size() > Gazetteer::max_query_bytes ||
                (level == 3 && finer_given)) {
                continue;
            }
            // Context as hard filters, loosened if they exclude everything (a wrongly
            // spelled country column must not hide a good place).
            for (int attempt = 0; attempt < 3 && !result; ++attempt) {
                ResolveOptions o;
                o.min_score = m_options.min_score;
                if (attempt == 0 && level < 3) {
                    o.country = x.country_text;
                    o.admin1 = level < 2 ? x.admin1_text : std::string();
                } else if (attempt == 1 && level < 3) {
                    o.country = x.country_text;
                }
                // A column that holds a unit means the unit (the bare-name rule picks the
                // town for location text only); a name the kind rejects is retried freely.
                if (level == 3) {
                    o.kind = "country";
                } else if (level > 0 && attempt < 2) {
                    o.kind = level == 1 ? "admin2" : "admin1";
                }
                try {
                    const auto r = m_gazetteer.resolve(text, o);
                    if (r.matched && !r.candidates.empty()) {
                        result =
                            Resolved{r.candidates.front(), level > 0 && !x.location_text.empty()};
                    }
                } catch (const UsageError &) {
                    // unknown country/admin1 context: retry without it
                } catch (const InputError &) {
                    break; // invalid text (UTF-8): try the next column
                }
            }
        }
        ResolvedPtr shared =
            result ? std::make_shared<const Resolved>(std::move(*result)) : nullptr;
        std::lock_guard lock(m_mutex);
        if (m_cache.size() > 100000) {
            m_cache.clear(); // bounded memory
        }
        m_cache.emplace(key, shared);
        return shared;
    }

    const BorderEngine &m_engine;
    const Gazetteer &m_gazetteer;
    PlacementOptions m_options;
    std::vector<std::string> m_labels;
    mutable std::mutex m_mutex;
    mutable std::unordered_map<std::string, ResolvedPtr> m_cache;
};

void EnginePlacer::fill_place(Incident &x, const Resolved &r) {
    fill_match(x, r.match);
    if (r.from_admin) {
        add_flag(x.flags, k_flag_location_from_admin);
    }
}

} // namespace

std::unique_ptr<IncidentPlacer> make_incident_placer(const BorderEngine &engine,
                                                     const Gazetteer &gazetteer,
                                                     const PlacementOptions &options) {
    return std::make_unique<EnginePlacer>(engine, gazetteer, options);
}

// --- import driver ------------------------------------------------------------------------
//
// Three stages connected by bounded queues of batches, so reading, placing and storing run at
// the same time: the calling thread reads (CSV/GeoJSON parsing), `threads - 1` workers place
// and hash (none when threads == 1: then the reader places), one writer thread stores the
// batches strictly in input order and reports rejects (also in input order). At most
// `placers + 3` batches are in flight, so memory is bounded by the batch size, not the file.
// SQLite allows one writer, so the store thread is the critical path: everything that can
// be done elsewhere (placement, content hash) is. Stored batches go back to the reader, which
// reads the next rows into the same Incident objects: their strings keep their capacity, so
// a big import allocates almost nothing per row (malloc/free across threads was a tenth of
// the CPU). Any failure stops every stage; the uncommitted writer then rolls the whole
// import back.

namespace {

// Where a record came from, and why it is rejected (if it is).
struct ImportSource {
    std::size_t file = 0; ///< index in the import's list of files
    std::size_t line = 0;
    std::vector<std::string> raw;
    std::optional<RejectedRow> reject;   ///< set: the record is not stored
    std::vector<ImportWarning> warnings; ///< the placer's, without file and line
};

// Parallel arrays, so the writer can hand `incidents` to the store without copying.
struct ImportBatch {
    std::size_t seq = 0;
    std::vector<Incident> incidents; ///< a default Incident where the record did not parse
    std::vector<ImportSource> sources;
    std::vector<std::string> hashes; ///< content_hash() of each placed incident
    std::size_t rejects = 0;

    void reserve(std::size_t n) {
        incidents.reserve(n);
        sources.reserve(n);
    }
    [[nodiscard]] std::size_t size() const noexcept { return incidents.size(); }
};

// Where each id (by its 64-bit hash) was last seen: open addressing with linear probing over
// one flat array. A node-based std::unordered_map took 6.6 % of all samples of a 400,000-row
// import, on the store thread (a node allocation per id, cache-missing rehashes).
class IdLastSeen {
  public:
    /// Record @p where for @p key. @return the previous value, or nullopt for a new key.
    std::optional<std::uint64_t> exchange(std::uint64_t key, std::uint64_t where) {
        if ((m_used + 1) * 2 > m_slots.size()) {
            grow();
        }
        key = key == 0 ? 1 : key; // 0 marks an empty slot
        auto &slot = find(m_slots, key);
        if (slot.key == key) {
            return std::exchange(slot.where, where);
        }
        slot = {key, where};
        ++m_used;
        return std::nullopt;
    }

  private:
    struct Slot {
        std::uint64_t key = 0;
        std::uint64_t where = 0;
    };
    static Slot &find(std::vector<Slot> &slots, std::uint64_t key) {
        const std::size_t mask = slots.size() - 1;
        // The hashes are std::hash of strings (already mixed): the low bits index.
        for (std::size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots[i].key == key || slots[i].key == 0) {
                return slots[i];
            }
        }
    }
    void grow() {
        std::vector<Slot> bigger(std::max<std::size_t>(1024, m_slots.size() * 2));
        for (const auto &s : m_slots) {
            if (s.key != 0) {
                find(bigger, s.key) = s;
            }
        }
        m_slots.swap(bigger);
    }

    std::vector<Slot> m_slots;
    std::size_t m_used = 0;
};

// What the writer notices about each stored row, in input order: repeated ids, flags, and
// the placer's warnings.
class Noticer {
  public:
    Noticer(const std::vector<std::string> &files,
            const std::function<void(const ImportWarning &)> &on_warning)
        : m_files(files), m_on_warning(on_warning) {}

    void stored(const Incident &x, ImportSource &src) {
        const std::string &file = m_files[src.file];
        if (!x.id.empty()) {
            // 64-bit hashes, not the ids: a 1M-row import keeps 32 MB, not ~100 MB; a false
            // "repeats" needs a hash collision (~3e-8 for 1M ids).
            const std::uint64_t where =
                (static_cast<std::uint64_t>(src.file) << k_line_bits) | (src.line & k_line_mask);
            const auto previous = m_ids.exchange(std::hash<std::string>{}(x.id), where);
            if (previous) {
                const std::uint64_t before = *previous;
                warn({file, src.line, std::string(k_duplicate_id),
                      "id '" + x.id + "' repeats " + m_files[before >> k_line_bits] + ":" +
                          std::to_string(before & k_line_mask) +
                          "; the later row wins unless it is an older revision"});
                count(k_duplicate_id, file, src.line);
            }
        }
        std::string_view flags = x.flags;
        while (!flags.empty()) {
            const auto bar = flags.find('|');
            const auto flag = flags.substr(0, bar);
            if (!flag.empty()) {
                count(flag, file, src.line);
            }
            flags = bar == std::string_view::npos ? std::string_view() : flags.substr(bar + 1);
        }
        for (auto &w : src.warnings) {
            w.file = file;
            w.line = src.line;
            warn(w);
        }
    }

    [[nodiscard]] std::size_t warnings() const noexcept { return m_warnings; }
    [[nodiscard]] std::vector<FlagSummary> summary() const {
        std::vector<FlagSummary> out;
        out.reserve(m_flags.size());
        for (const auto &[flag, s] : m_flags) {
            out.push_back(s);
        }
        return out;
    }

  private:
    static constexpr int k_line_bits = 40;
    static constexpr std::uint64_t k_line_mask = (std::uint64_t{1} << k_line_bits) - 1;
    static constexpr std::size_t k_first = 5;

    void warn(const ImportWarning &w) {
        ++m_warnings;
        if (m_on_warning) {
            m_on_warning(w);
        }
    }
    void count(std::string_view flag, const std::string &file, std::size_t line) {
        auto it = m_flags.find(flag);
        if (it == m_flags.end()) {
            it = m_flags.emplace(std::string(flag), FlagSummary{std::string(flag), 0, {}}).first;
        }
        auto &s = it->second;
        ++s.count;
        if (s.first.size() < k_first) {
            s.first.emplace_back(file, line);
        }
    }

    const std::vector<std::string> &m_files;
    const std::function<void(const ImportWarning &)> &m_on_warning;
    IdLastSeen m_ids;
    std::map<std::string, FlagSummary, std::less<>> m_flags;
    std::size_t m_warnings = 0;
};

} // namespace

std::vector<ImportWarning> IncidentPlacer::warnings(const Incident & /*placed*/) const {
    return {};
}

std::string ImportWarning::to_string() const {
    return file + ":" + std::to_string(line) + ": warning: " + message;
}

std::string FlagSummary::to_string(std::size_t max_lines) const {
    std::string out = flag + ": " + std::to_string(count) + (count == 1 ? " row" : " rows");
    if (!first.empty() && max_lines > 0) {
        out += " (first: ";
        const std::size_t n = std::min(max_lines, first.size());
        for (std::size_t i = 0; i < n; ++i) {
            out += (i == 0 ? "" : ", ") + first[i].first + ":" + std::to_string(first[i].second);
        }
        out += count > n ? ", ...)" : ")";
    }
    return out;
}

bool WarningLimiter::admit(const ImportWarning &w) {
    auto it = std::find_if(m_kinds.begin(), m_kinds.end(),
                           [&](const auto &k) { return k.first == w.kind; });
    if (it == m_kinds.end()) {
        m_kinds.push_back({w.kind, {0, 0}});
        it = std::prev(m_kinds.end());
    }
    auto &[shown, hidden] = it->second;
    if (shown < m_per_kind) {
        ++shown;
        return true;
    }
    ++hidden;
    return false;
}

std::vector<std::string> WarningLimiter::hidden_lines() const {
    std::vector<std::string> out;
    for (const auto &[kind, n] : m_kinds) {
        if (n.second > 0) {
            out.push_back("and " + std::to_string(n.second) + " more like this (" + kind + ")");
        }
    }
    return out;
}

ImportReport import_incidents(const std::vector<std::string> &files, IncidentStore &store,
                              const IncidentPlacer &placer, const ImportOptions &options,
                              const std::function<void(const RejectedRow &)> &on_reject) {
    ImportReport report;
    auto writer = store.writer();
    const std::size_t batch_size = std::max<std::size_t>(1, options.batch_size);
    // By default one core is the store writer's and the others read and place: on two cores
    // the reader places inline, so three busy threads do not share two cores. Measured on
    // 1 M ACLED rows (2 cores, idle): 5.8-6.1 s against 5.9-6.3 s with a placer thread.
    unsigned threads = options.threads != 0 ? options.threads
                                            : std::max(1U, std::thread::hardware_concurrency()) - 1;
    threads = std::max(1U, std::min(threads, 16U));
    const unsigned placers = threads - 1;
    const std::size_t max_in_flight = placers + 3;

    std::mutex mutex;
    std::condition_variable changed; // every state change below; few per batch
    std::deque<ImportBatch> to_place;
    std::map<std::size_t, ImportBatch> placed; // by seq, waiting for the writer
    std::vector<ImportBatch> spent;            // stored batches, reused by the reader
    std::size_t in_flight = 0;                 // batches read but not yet stored
    std::size_t batches = 0;                   // batches submitted
    bool reading_done = false;
    bool stop = false;
    std::exception_ptr failure;
    UpsertResult stored;
    std::size_t rejected = 0;
    Noticer noticer(files, options.on_warning); // the writer thread's only
    std::uint64_t rows_done = 0;                // the writer thread's only (progress)

    auto fail = [&](std::exception_ptr e) {
        {
            std::lock_guard lock(mutex);
            if (!failure) {
                failure = std::move(e);
            }
            stop = true;
        }
        changed.notify_all();
    };
    auto place_batch = [&](ImportBatch &b) {
        b.hashes.resize(b.size());
        for (std::size_t i = 0; i < b.size(); ++i) {
            auto &src = b.sources[i];
            if (src.reject) {
                continue;
            }
            try {
                placer.place(b.incidents[i]);
                b.incidents[i].source_revision = source_revision(b.incidents[i]);
                content_hash(b.incidents[i], b.hashes[i]);
                src.warnings = placer.warnings(b.incidents[i]);
                continue;
            } catch (const InputError &e) {
                src.reject = RejectedRow{files[src.file], src.line, e.location().field, e.message(),
                                         std::move(src.raw)};
            } catch (const GeometryError &e) {
                src.reject =
                    RejectedRow{files[src.file], src.line, "lon", e.what(), std::move(src.raw)};
            }
            ++b.rejects;
        }
    };
    auto place_loop = [&] {
        pthread_setname_np(pthread_self(), "bw-place"); // for profilers and top -H
        while (true) {
            ImportBatch b;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return stop || !to_place.empty() || reading_done; });
                if (stop || to_place.empty()) {
                    return;
                }
                b = std::move(to_place.front());
                to_place.pop_front();
            }
            try {
                place_batch(b);
            } catch (...) {
                fail(std::current_exception());
                return;
            }
            {
                std::lock_guard lock(mutex);
                const auto seq = b.seq;
                placed.emplace(seq, std::move(b));
            }
            changed.notify_all();
        }
    };
    auto write_loop = [&] {
        pthread_setname_np(pthread_self(), "bw-store");
        std::size_t next = 0;
        std::vector<std::size_t> origin; // batch index of each row kept for the store
        std::vector<RefusedRow> refused;
        while (true) {
            ImportBatch b;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] {
                    return stop || placed.count(next) > 0 || (reading_done && next == batches);
                });
                const auto it = placed.find(next);
                if (stop || it == placed.end()) {
                    return;
                }
                b = std::move(it->second);
                placed.erase(it);
            }
            ++next;
            try {
                origin.clear();
                // Report rejects and warnings in input order, then close the gaps.
                std::size_t kept = 0;
                for (std::size_t i = 0; i < b.size(); ++i) {
                    auto &src = b.sources[i];
                    if (src.reject) {
                        ++rejected;
                        on_reject(*src.reject);
                        continue;
                    }
                    noticer.stored(b.incidents[i], src);
                    if (kept != i) {
                        b.incidents[kept] = std::move(b.incidents[i]);
                        b.hashes[kept] = std::move(b.hashes[i]);
                    }
                    origin.push_back(i);
                    ++kept;
                }
                b.incidents.resize(kept);
                b.hashes.resize(kept);
                if (!b.incidents.empty()) {
                    // Rows the store's server refuses (PostGIS) are rejected like bad input
                    // rows, FILE:LINE and the server's message; the others are stored.
                    refused.clear();
                    stored += writer->upsert(b.incidents, b.hashes, refused);
                    for (const auto &r : refused) {
                        auto &src = b.sources[origin.empty() ? r.index : origin[r.index]];
                        ++rejected;
                        on_reject(RejectedRow{files[src.file], src.line, "", r.message,
                                              std::move(src.raw)});
                    }
                }
            } catch (...) {
                fail(std::current_exception());
                return;
            }
            rows_done += b.size();
            if (options.progress) {
                options.progress("rows", rows_done, 0);
            }
            {
                std::lock_guard lock(mutex);
                spent.push_back(std::move(b));
                --in_flight;
            }
            changed.notify_all();
        }
    };

    std::vector<std::thread> pool;
    // Never leave a stage running past this function (exception paths included).
    struct Join {
        std::vector<std::thread> &pool;
        std::mutex &mutex;
        std::condition_variable &changed;
        bool &stop;
        ~Join() {
            {
                std::lock_guard lock(mutex);
                stop = true;
            }
            changed.notify_all();
            for (auto &t : pool) {
                if (t.joinable()) {
                    t.join();
                }
            }
        }
    } join{pool, mutex, changed, stop};
    pool.emplace_back(write_loop);
    for (unsigned i = 0; i < placers; ++i) {
        pool.emplace_back(place_loop);
    }

    std::vector<ImportBatch> refill; // stored batches, waiting to be filled again
    auto fresh_batch = [&] {
        if (refill.empty()) {
            ImportBatch b;
            b.reserve(batch_size);
            return b;
        }
        ImportBatch b = std::move(refill.back());
        refill.pop_back();
        b.rejects = 0;
        return b;
    };
    ImportBatch batch = fresh_batch();
    std::size_t rows = 0; // rows of `batch` filled; its vectors may hold more (reused slots)
    // The next slot of the batch, its reject cleared.
    auto take_slot = [&]() -> std::size_t {
        if (rows == batch.incidents.size()) {
            batch.incidents.emplace_back();
            batch.sources.emplace_back();
        }
        batch.sources[rows].reject.reset();
        batch.sources[rows].warnings.clear();
        return rows++;
    };
    // false: the pipeline stopped (a stage failed).
    auto submit = [&]() -> bool {
        if (rows == 0) {
            return true;
        }
        batch.incidents.resize(rows);
        batch.sources.resize(rows);
        if (placers == 0) {
            place_batch(batch);
        }
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return stop || in_flight < max_in_flight; });
            if (stop) {
                return false;
            }
            for (auto &b : spent) {
                refill.push_back(std::move(b));
            }
            spent.clear();
            ++in_flight;
            batch.seq = batches++;
            if (placers == 0) {
                const auto seq = batch.seq;
                placed.emplace(seq, std::move(batch));
            } else {
                to_place.push_back(std::move(batch));
            }
        }
        changed.notify_all();
        batch = fresh_batch();
        rows = 0;
        return true;
    };

    bool running = true;
    for (std::size_t f = 0; f < files.size() && running; ++f) {
        auto reader = open_incident_reader(files[f], options.format, options.text);
        // The UCDP release of this file's rows, unless a row names its own.
        const std::string file_version = !options.source_version.empty()
                                             ? options.source_version
                                             : release_version_from_file_name(files[f]);
        while (running) {
            const std::size_t i = take_slot();
            auto &src = batch.sources[i];
            bool more = false;
            try {
                more = reader->read(batch.incidents[i], src.line, src.raw);
            } catch (const InputError &e) {
                // A bad record becomes a rejected entry of the batch (in input order).
                src.reject = RejectedRow{e.location().file, e.location().line, e.location().field,
                                         e.message(), reader->last_raw()};
                ++batch.rejects;
                more = true;
            }
            if (!more) {
                --rows; // the slot stays unused
                if (auto hint = reader->hint(); !hint.empty()) {
                    report.hints.push_back(std::move(hint));
                }
                break;
            }
            src.file = f;
            ++report.read;
            if (auto &x = batch.incidents[i];
                !src.reject && x.source_version.empty() && x.source_dataset == k_dataset_ucdp) {
                x.source_version = file_version;
            }
            if (rows >= batch_size) {
                running = submit();
            }
        }
    }
    if (running) {
        submit();
    }
    {
        std::lock_guard lock(mutex);
        reading_done = true;
    }
    changed.notify_all();
    for (auto &t : pool) {
        t.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    report.inserted = stored.inserted;
    report.updated = stored.updated;
    report.unchanged = stored.unchanged;
    report.older = stored.older;
    report.deleted_earlier = stored.deleted_earlier;
    report.rejected = rejected;
    report.warnings = noticer.warnings();
    report.flags = noticer.summary();
    writer->commit();
    return report;
}

} // namespace borderwatch
