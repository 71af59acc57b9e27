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

inline FieldRef field_ref(const std::optional<int>& v) {
    return v ? FieldRef{static_cast<std::int64_t>(*v)} : FieldRef{};
}
inline FieldRef field_ref(const std::optional<double>& v) {
    return v ? FieldRef{*v} : FieldRef{};
}
inline FieldRef field_ref(const std::string& v) { return FieldRef{std::string_view(v)}; }

/// Call f(index, FieldRef) for every field of @p x in canonical order (see incident_fields()).
/// Must list exactly the fields of k_fields in src/incidents/incident_fields.cpp.
template <typename F>
void visit_fields(const Incident& x, F&& f) {
    std::size_t i = 0;
    auto emit = [&](FieldRef v) { f(i++, v); };
    emit(field_ref(x.id));
    emit(field_ref(x.event_date));
    emit(field_ref(x.event_date_end));
    emit(FieldRef{to_string(x.date_precision)});
    emit(field_ref(x.event_type));
    emit(field_ref(x.sub_event_type));
    emit(field_ref(x.actor1));
    emit(field_ref(x.actor2));
    emit(field_ref(x.target));
    emit(field_ref(x.fatalities_best));
    emit(field_ref(x.fatalities_low));
    emit(field_ref(x.fatalities_high));
    emit(field_ref(x.location_text));
    emit(field_ref(x.country_text));
    emit(field_ref(x.admin1_text));
    emit(field_ref(x.admin2_text));
    emit(field_ref(x.lon));
    emit(field_ref(x.lat));
    emit(field_ref(x.geo_precision));
    emit(field_ref(x.source_name));
    emit(field_ref(x.source_url));
    emit(field_ref(x.notes));
    emit(field_ref(x.place_id));
    emit(field_ref(x.place_name));
    emit(field_ref(x.place_matched));
    emit(field_ref(x.place_score));
    emit(field_ref(x.place_lon));
    emit(field_ref(x.place_lat));
    emit(x.coord_origin == CoordinateOrigin::none ? FieldRef{}
                                                  : FieldRef{to_string(x.coord_origin)});
    emit(field_ref(x.precision));
    emit(field_ref(x.side));
    emit(field_ref(x.border_distance_m));
    emit(field_ref(x.chainage_km));
    emit(field_ref(x.nearest_lon));
    emit(field_ref(x.nearest_lat));
    emit(field_ref(x.admin1));
    emit(field_ref(x.admin2));
    emit(field_ref(x.band));
    emit(field_ref(x.flags));
    emit(field_ref(x.updated_at));
}

/// Index of "updated_at" (the last field; excluded from the content hash).
inline constexpr std::size_t k_updated_at_index = 39;

} // namespace borderwatch::detail
