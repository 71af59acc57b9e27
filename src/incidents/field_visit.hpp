#pragma once
// Allocation-free access to Incident fields in incident_fields() order, for the hot paths
// (content hash, store binding). get_field()/set_field() are the public, copying versions.

#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace borderwatch::detail {

/// A non-owning field value: NULL, integer, real or text.
using FieldRef = std::variant<std::monostate, std::int64_t, double, std::string_view>;

inline FieldRef field_ref(const std::optional<int> &v) {
    return v ? FieldRef{static_cast<std::int64_t>(*v)} : FieldRef{};
}
inline FieldRef field_ref(const std::optional<double> &v) {
    return v ? FieldRef{*v} : FieldRef{};
}
inline FieldRef field_ref(const std::string &v) {
    return FieldRef{std::string_view(v)};
}

/// Call f(index, value) for every field of @p x in canonical order (see incident_fields()),
/// with value statically typed: std::monostate (NULL), std::int64_t, double or
/// std::string_view — @p f is a generic callable (no variant dispatch: for the hot paths).
/// The static type's position in FieldRef is the field's type tag.
/// Must list exactly the fields of k_fields in src/incidents/incident_fields.cpp.
template <typename F> void visit_field_values(const Incident &x, F &&f) {
    std::size_t i = 0;
    auto text = [&](const std::string &v) { f(i++, std::string_view(v)); };
    auto integer = [&](const std::optional<int> &v) {
        if (v) {
            f(i++, static_cast<std::int64_t>(*v));
        } else {
            f(i++, std::monostate{});
        }
    };
    auto real = [&](const std::optional<double> &v) {
        if (v) {
            f(i++, *v);
        } else {
            f(i++, std::monostate{});
        }
    };
    text(x.id);
    text(x.event_date);
    text(x.event_date_end);
    f(i++, std::string_view(to_string(x.date_precision)));
    text(x.event_type);
    text(x.sub_event_type);
    text(x.actor1);
    text(x.actor2);
    text(x.target);
    integer(x.fatalities_best);
    integer(x.fatalities_low);
    integer(x.fatalities_high);
    text(x.location_text);
    text(x.country_text);
    text(x.admin1_text);
    text(x.admin2_text);
    real(x.lon);
    real(x.lat);
    integer(x.geo_precision);
    text(x.source_name);
    text(x.source_url);
    text(x.notes);
    text(x.place_id);
    text(x.place_name);
    text(x.place_matched);
    real(x.place_score);
    real(x.place_lon);
    real(x.place_lat);
    if (x.coord_origin == CoordinateOrigin::none) {
        f(i++, std::monostate{});
    } else {
        f(i++, std::string_view(to_string(x.coord_origin)));
    }
    integer(x.precision);
    text(x.side);
    real(x.border_distance_m);
    real(x.chainage_km);
    real(x.nearest_lon);
    real(x.nearest_lat);
    text(x.admin1);
    text(x.admin2);
    text(x.band);
    text(x.flags);
    text(x.same_as);
    text(x.updated_at);
}

/// Call f(index, FieldRef) for every field of @p x in canonical order (see incident_fields()).
template <typename F> void visit_fields(const Incident &x, F &&f) {
    visit_field_values(x, [&](std::size_t i, const auto &v) { f(i, FieldRef{v}); });
}

/// Index of "updated_at" (the last field; excluded from the content hash).
inline constexpr std::size_t k_updated_at_index = 40;

} // namespace borderwatch::detail
