#pragma once
// Test incidents and helpers shared by the store tests over both backends.

#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/store/store.hpp>

#include <array>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace bw_test {

/// A deterministic mix of incidents around the Tajik-Afghan border: every optional field
/// sometimes missing, dates with ranges, several types, sides and admin units.
inline std::vector<borderwatch::Incident> sample_incidents(std::size_t n, unsigned seed = 7) {
    using namespace borderwatch;
    std::mt19937 rng(seed);
    auto uniform = [&rng](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(rng);
    };
    auto pick = [&rng](const auto &list) {
        return list[std::uniform_int_distribution<std::size_t>(0, std::size(list) - 1)(rng)];
    };
    auto chance = [&rng](double p) { return std::bernoulli_distribution(p)(rng); };
    static const std::array<const char *, 4> types = {"Battles", "Explosions/Remote violence",
                                                      "Violence against civilians", "Riots"};
    static const std::array<const char *, 4> subs = {"Armed clash", "Drone strike", "Attack",
                                                     "Shelling/artillery/missile attack"};
    static const std::array<const char *, 4> admin1s = {"Khatlon", "Gorno-Badakhshan", "Badakhshan",
                                                        "Kunduz"};
    static const std::array<const char *, 5> admin2s = {"Shamsiddin Shohin", "Darvoz", "Khamadoni",
                                                        "Imam Sahib", "Shahri Buzurg"};
    std::vector<Incident> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        Incident x;
        x.id = "T" + std::to_string(100000 + i * 7919 % 100003);
        const int month = 1 + static_cast<int>(rng() % 12);
        const int day = 1 + static_cast<int>(rng() % 28);
        char date[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", chance(0.5) ? 2024 : 2025, month, day);
        x.event_date = date;
        x.event_date_end = x.event_date;
        if (chance(0.2)) {
            std::snprintf(date, sizeof date, "%s-%02d-28", x.event_date.substr(0, 4).c_str(),
                          month);
            x.event_date_end = date;
            x.date_precision = DatePrecision::range;
        }
        x.event_type = pick(types);
        x.sub_event_type = pick(subs);
        x.actor1 = "Actor " + std::to_string(rng() % 5);
        x.target = chance(0.3) ? "Chinese workers" : "";
        if (chance(0.8)) {
            x.fatalities_best = static_cast<int>(rng() % 6);
            x.fatalities_low = *x.fatalities_best;
            x.fatalities_high = *x.fatalities_best + 2;
        }
        x.location_text = "Place " + std::to_string(i % 50);
        x.country_text = chance(0.5) ? "Tajikistan" : "Afghanistan";
        if (chance(0.85)) {
            x.place_lon = uniform(67.8, 74.9);
            x.place_lat = uniform(36.6, 38.9);
            x.lon = x.place_lon;
            x.lat = x.place_lat;
            x.coord_origin = CoordinateOrigin::given;
            x.geo_precision = 1 + static_cast<int>(rng() % 3);
        }
        if (chance(0.9)) {
            x.precision = 1 + static_cast<int>(rng() % 6);
        }
        x.side = chance(0.5) ? "TJK" : "AFG";
        if (x.place_lon && chance(0.95)) {
            x.border_distance_m = uniform(0.0, 80000.0);
            x.chainage_km = uniform(0.0, 1365.0);
            x.nearest_lon = *x.place_lon + 0.01;
            x.nearest_lat = *x.place_lat - 0.01;
        }
        x.admin1 = pick(admin1s);
        x.admin2 = pick(admin2s);
        x.band = "1-5";
        x.source_name = "test";
        out.push_back(std::move(x));
    }
    return out;
}

/// Every field but updated_at equal (as the store's field values).
inline bool same_content(const borderwatch::Incident &a, const borderwatch::Incident &b) {
    const auto &fields = borderwatch::incident_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name != "updated_at" &&
            borderwatch::get_field(a, i) != borderwatch::get_field(b, i)) {
            return false;
        }
    }
    return true;
}

/// Everything a query returns, in order.
inline std::vector<borderwatch::Incident> query_all(const borderwatch::IncidentStore &store,
                                                    const borderwatch::QueryFilter &filter = {}) {
    std::vector<borderwatch::Incident> out;
    store.query(filter, [&out](const borderwatch::Incident &x) { out.push_back(x); });
    return out;
}

/// A unique temporary path, removed (with GDAL/SQLite side files) on destruction.
class TempPath {
  public:
    explicit TempPath(const std::string &suffix) {
        static int counter = 0;
        m_path = std::filesystem::temp_directory_path() /
                 ("bw_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                  suffix);
    }
    ~TempPath() {
        std::error_code ec;
        for (const char *side : {"", "-journal", "-wal", "-shm"}) {
            std::filesystem::remove(m_path.string() + side, ec);
        }
    }
    TempPath(const TempPath &) = delete;
    TempPath &operator=(const TempPath &) = delete;
    [[nodiscard]] std::string string() const { return m_path.string(); }

  private:
    std::filesystem::path m_path;
};

} // namespace bw_test
