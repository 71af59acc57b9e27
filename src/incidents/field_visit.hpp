#pragma once
// Allocation-free access to Incident fields in incident_fields() order, for the hot paths
// (content hash, store binding). get_field()/set_field() are the public, copying versions.

#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
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

/// One of the fields added after the first schema (the Incident members from `year` to
/// `border_part`: the source columns kept losslessly, `same_as`, `border_id` and `border_part`):
/// exactly one of the two member pointers is set.
struct ExtraMember {
    std::string Incident::*text;
    std::optional<std::int64_t> Incident::*integer;
};

/// Those members in incident_fields() order, from k_first_extra_index on: the fields added
/// for issue 14 are data here, so get_field/set_field/reset_incident and the visitors
/// iterate them instead of listing each.
inline constexpr ExtraMember k_extra_members[] = {
    {nullptr, &Incident::year},
    {&Incident::disorder_type, nullptr},
    {&Incident::assoc_actor_1, nullptr},
    {&Incident::assoc_actor_2, nullptr},
    {&Incident::inter1, nullptr},
    {&Incident::inter2, nullptr},
    {&Incident::interaction, nullptr},
    {&Incident::civilian_targeting, nullptr},
    {nullptr, &Incident::iso},
    {&Incident::iso3, nullptr},
    {&Incident::region, nullptr},
    {&Incident::admin3, nullptr},
    {&Incident::source_scale, nullptr},
    {&Incident::tags, nullptr},
    {nullptr, &Incident::timestamp},
    {nullptr, &Incident::data_id},
    {nullptr, &Incident::event_id_no_cnty},
    {&Incident::relid, nullptr},
    {nullptr, &Incident::active_year},
    {&Incident::code_status, nullptr},
    {nullptr, &Incident::type_of_violence},
    {nullptr, &Incident::conflict_dset_id},
    {nullptr, &Incident::conflict_new_id},
    {&Incident::conflict_name, nullptr},
    {nullptr, &Incident::dyad_dset_id},
    {nullptr, &Incident::dyad_new_id},
    {&Incident::dyad_name, nullptr},
    {nullptr, &Incident::side_a_dset_id},
    {nullptr, &Incident::side_a_new_id},
    {nullptr, &Incident::side_b_dset_id},
    {nullptr, &Incident::side_b_new_id},
    {nullptr, &Incident::number_of_sources},
    {&Incident::source_article, nullptr},
    {&Incident::source_date, nullptr},
    {&Incident::source_headline, nullptr},
    {&Incident::source_original, nullptr},
    {&Incident::where_description, nullptr},
    {nullptr, &Incident::priogrid_gid},
    {nullptr, &Incident::country_id},
    {nullptr, &Incident::event_clarity},
    {nullptr, &Incident::deaths_a},
    {nullptr, &Incident::deaths_b},
    {nullptr, &Incident::deaths_civilians},
    {nullptr, &Incident::deaths_unknown},
    {&Incident::gwnoa, nullptr},
    {&Incident::gwnob, nullptr},
    {&Incident::source_dataset, nullptr},
    {&Incident::source_version, nullptr},
    {nullptr, &Incident::source_revision},
    {&Incident::same_as, nullptr},
    {&Incident::border_id, nullptr}, // derived, but a late addition: stored the same way
    {nullptr, &Incident::border_part},
};

/// Index of the first of k_extra_members in incident_fields() (after "flags").
inline constexpr std::size_t k_first_extra_index = 39;

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
    for (const auto &m : k_extra_members) {
        if (m.text != nullptr) {
            text(x.*m.text);
        } else {
            const auto &v = x.*m.integer;
            if (v) {
                f(i++, *v);
            } else {
                f(i++, std::monostate{});
            }
        }
    }
    text(x.updated_at);
}

/// Call f(index, FieldRef) for every field of @p x in canonical order (see incident_fields()).
template <typename F> void visit_fields(const Incident &x, F &&f) {
    visit_field_values(x, [&](std::size_t i, const auto &v) { f(i, FieldRef{v}); });
}

/// Index of "updated_at" (the last field; excluded from the content hash).
inline constexpr std::size_t k_updated_at_index = k_first_extra_index + std::size(k_extra_members);

} // namespace borderwatch::detail
