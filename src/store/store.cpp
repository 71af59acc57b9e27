// open_store() dispatch and the store-independent pieces every backend shares.
#include <borderwatch/store/store.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include "incidents/field_visit.hpp"
#include "store/detail/backends.hpp"
#include "store/detail/pg_connection.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <type_traits>
#include <variant>

namespace borderwatch {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

bool any_iequals(const std::vector<std::string> &list, std::string_view value) noexcept {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string &s) { return iequals(s, value); });
}

bool starts_with_icase(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// "YYYY" / "YYYY-MM" widen to the first / last day of the period, so --to 2025-12 means
// "through 31 December". Day 31 is safe for string comparison of ISO dates in any month.
std::string lower_bound_date(const std::string &d) {
    if (d.size() == 4) {
        return d + "-01-01";
    }
    if (d.size() == 7) {
        return d + "-01";
    }
    return d;
}
std::string upper_bound_date(const std::string &d) {
    if (d.size() == 4) {
        return d + "-12-31";
    }
    if (d.size() == 7) {
        return d + "-31";
    }
    return d;
}

} // namespace

bool QueryFilter::empty() const noexcept {
    return !within_km && !beyond_km && side.empty() && admin1.empty() && admin2.empty() && !bbox &&
           !near_km && from_date.empty() && to_date.empty() && event_types.empty() &&
           !min_fatalities && !precision_max && ids.empty();
}

UpsertResult IncidentStore::upsert(const std::vector<Incident> &batch) {
    auto w = writer();
    auto result = w->upsert(batch);
    w->commit();
    return result;
}

std::size_t IncidentStore::remove(const std::vector<std::string> &ids) {
    auto w = writer();
    const auto n = w->remove(ids);
    w->commit();
    return n;
}

std::string TextRepairs::warning() const {
    if (count == 0) {
        return {};
    }
    std::string out = std::to_string(count) +
                      (count == 1 ? " text value in the store was not valid UTF-8/XML text and was"
                                  : " text values in the store were not valid UTF-8/XML text "
                                    "and were") +
                      " replaced (first: ";
    for (std::size_t i = 0; i < first.size(); ++i) {
        out += (i == 0 ? "" : ", ") + std::string("id ") + first[i].id + " field '" +
               first[i].field + "'";
    }
    return out + ")";
}

void IncidentStore::query(const QueryFilter &filter,
                          const std::function<void(const Incident &)> &sink,
                          StoredText text) const {
    if (text == StoredText::raw) {
        query_stored(filter, sink);
        return;
    }
    // Valid rows (nearly all) go through untouched; a row with a bad value is copied once.
    std::vector<std::size_t> bad;
    Incident clean;
    query_stored(filter, [&](const Incident &x) {
        bad.clear();
        detail::visit_field_values(x, [&](std::size_t i, const auto &v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string_view>) {
                if (find_text_issue(v)) {
                    bad.push_back(i);
                }
            }
        });
        if (bad.empty()) {
            sink(x);
            return;
        }
        clean = x;
        for (const auto i : bad) {
            set_field(clean, i, FieldValue{sanitize_text(std::get<std::string>(get_field(x, i)))});
        }
        for (const auto i : bad) {
            ++m_text_repairs.count;
            if (m_text_repairs.first.size() < TextRepairs::k_places_kept) {
                m_text_repairs.first.push_back({clean.id, std::string(incident_fields()[i].name)});
            }
        }
        sink(clean);
    });
}

bool is_postgis_spec(const std::string &spec) noexcept {
    return starts_with_icase(spec, "PG:") || starts_with_icase(spec, "postgresql://") ||
           starts_with_icase(spec, "postgres://");
}

std::string default_store_spec() {
    if (const char *env = std::getenv("BORDERWATCH_STORE"); env != nullptr && *env != '\0') {
        return env;
    }
    return "borderwatch.gpkg";
}

std::string mask_store_spec(const std::string &spec) {
    if (!is_postgis_spec(spec)) {
        return spec;
    }
    // The one masking rule: libpq's parse of the spec (detail::parse_pg_spec), secrets as ***.
    try {
        const auto description = detail::parse_pg_spec(spec).description;
        return "PG:" + description.substr(description.find(' ') + 1);
    } catch (const UsageError &) {
        return "PG:(spec not shown: it does not parse)";
    }
}

std::unique_ptr<IncidentStore> open_store(const std::string &spec,
                                          const StoreOpenOptions &options) {
    if (is_postgis_spec(spec)) {
        return detail::open_postgis_store(spec, options);
    }
    return detail::open_gpkg_store(spec.empty() ? default_store_spec() : spec, options);
}

bool matches(const QueryFilter &f, const Incident &x) {
    if (!f.ids.empty() && std::find(f.ids.begin(), f.ids.end(), x.id) == f.ids.end()) {
        return false;
    }
    if (f.within_km || f.beyond_km) {
        if (!x.border_distance_m) {
            return false;
        }
        if (f.within_km && *x.border_distance_m > *f.within_km * 1000.0) {
            return false;
        }
        if (f.beyond_km && *x.border_distance_m < *f.beyond_km * 1000.0) {
            return false;
        }
    }
    if (!f.side.empty() && !iequals(f.side, x.side)) {
        return false;
    }
    if (!f.admin1.empty() && !any_iequals(f.admin1, x.admin1)) {
        return false;
    }
    if (!f.admin2.empty() && !any_iequals(f.admin2, x.admin2)) {
        return false;
    }
    if (f.bbox || f.near_km) {
        if (!x.place_lon || !x.place_lat) {
            return false;
        }
        if (f.bbox) {
            const auto &b = *f.bbox;
            if (*x.place_lon < b[0] || *x.place_lat < b[1] || *x.place_lon > b[2] ||
                *x.place_lat > b[3]) {
                return false;
            }
        }
        if (f.near_km) {
            if (!f.near_lon || !f.near_lat) {
                return false;
            }
            const double s12 =
                geodesic_inverse(*f.near_lon, *f.near_lat, *x.place_lon, *x.place_lat).distance_m;
            if (s12 > *f.near_km * 1000.0) {
                return false;
            }
        }
    }
    if (!f.from_date.empty() || !f.to_date.empty()) {
        if (x.event_date.empty()) {
            return false;
        }
        const std::string &start = x.event_date;
        const std::string &end = x.event_date_end.empty() ? x.event_date : x.event_date_end;
        if (!f.from_date.empty() && end < lower_bound_date(f.from_date)) {
            return false;
        }
        if (!f.to_date.empty() && start > upper_bound_date(f.to_date)) {
            return false;
        }
    }
    if (!f.event_types.empty() && !any_iequals(f.event_types, x.event_type) &&
        !any_iequals(f.event_types, x.sub_event_type)) {
        return false;
    }
    if (f.min_fatalities && (!x.fatalities_best || *x.fatalities_best < *f.min_fatalities)) {
        return false;
    }
    if (f.precision_max && (!x.precision || *x.precision > *f.precision_max)) {
        return false;
    }
    return true;
}

std::string content_hash(const Incident &incident) {
    std::string out;
    content_hash(incident, out);
    return out;
}

void content_hash(const Incident &incident, std::string &out) {
    // 64-bit multiply-xorshift mixing over (field index, type tag, value) for every field but
    // updated_at: numbers as their 8-byte representation, text as length + 8-byte words
    // (assembled little-endian, so the digest is the same on every platform). The type tag
    // keeps NULL distinct from "" and 1 from 1.0.
    std::uint64_t h = 0x243F6A8885A308D3ULL;
    auto mix = [&h](std::uint64_t w) {
        h ^= w;
        h *= 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    };
    detail::visit_field_values(incident, [&](std::size_t i, const auto &v) {
        using V = std::decay_t<decltype(v)>;
        if (i == detail::k_updated_at_index) {
            return;
        }
        // The sources' own columns (issue 14) count only when they hold something: a row
        // without them keeps the hash it had before they existed, so the hashes in existing
        // stores stay valid and re-importing an unchanged native file rewrites nothing.
        if (i >= detail::k_first_extra_index) {
            if constexpr (std::is_same_v<V, std::monostate>) {
                return;
            } else if constexpr (std::is_same_v<V, std::string_view>) {
                if (v.empty()) {
                    return;
                }
            }
        }
        // The type tag is the value's index in detail::FieldRef.
        constexpr std::uint64_t tag = std::is_same_v<V, std::monostate> ? 0
                                      : std::is_same_v<V, std::int64_t> ? 1
                                      : std::is_same_v<V, double>       ? 2
                                                                        : 3;
        static_assert(std::is_same_v<std::variant_alternative_t<tag, detail::FieldRef>, V>);
        mix((static_cast<std::uint64_t>(i) << 8) | tag);
        if constexpr (std::is_same_v<V, std::int64_t>) {
            mix(static_cast<std::uint64_t>(v));
        } else if constexpr (std::is_same_v<V, double>) {
            std::uint64_t bits = 0;
            std::memcpy(&bits, &v, sizeof bits);
            mix(bits);
        } else if constexpr (std::is_same_v<V, std::string_view>) {
            mix(v.size());
            const auto *p = reinterpret_cast<const unsigned char *>(v.data());
            std::size_t left = v.size();
            if constexpr (std::endian::native == std::endian::little) {
                // Whole words straight from memory (same value as the assembly below).
                for (; left >= 8; left -= 8, p += 8) {
                    std::uint64_t w = 0;
                    std::memcpy(&w, p, 8);
                    mix(w);
                }
            }
            while (left > 0) {
                const std::size_t take = std::min<std::size_t>(left, 8);
                std::uint64_t w = 0;
                for (std::size_t k = 0; k < take; ++k) {
                    w |= static_cast<std::uint64_t>(p[k]) << (8 * k);
                }
                mix(w);
                p += take;
                left -= take;
            }
        }
    });
    static constexpr char hex[] = "0123456789abcdef";
    out.assign(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = hex[h & 0xF];
        h >>= 4;
    }
}

} // namespace borderwatch
