#include <borderwatch/incidents/incident_fields.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>

#include "incidents/field_visit.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace borderwatch {

namespace {

using T = FieldType;

// Canonical order. Changing it changes the native CSV layout and the store columns:
// append new fields before "updated_at" only.
const std::vector<IncidentField> k_fields = {
    {"id", T::text, false, "stable identifier (ACLED event_id_cnty, UCDP id, or your own)"},
    {"event_date", T::date, false, "start date YYYY-MM-DD"},
    {"event_date_end", T::date, false, "end date YYYY-MM-DD (= event_date for an exact day)"},
    {"date_precision", T::text, false, "day | week | month | range | year"},
    {"event_type", T::text, false, "ACLED event type, e.g. Explosions/Remote violence"},
    {"sub_event_type", T::text, false, "ACLED sub-event type, e.g. Drone strike"},
    {"actor1", T::text, false, "first actor"},
    {"actor2", T::text, false, "second actor"},
    {"target", T::text, false, "target, e.g. Chinese workers"},
    {"fatalities_best", T::integer, false, "fatalities, best estimate"},
    {"fatalities_low", T::integer, false, "fatalities, low estimate"},
    {"fatalities_high", T::integer, false, "fatalities, high estimate"},
    {"location_text", T::text, false, "location as reported"},
    {"country_text", T::text, false, "country as reported"},
    {"admin1_text", T::text, false, "admin-1 (region/province) as reported"},
    {"admin2_text", T::text, false, "admin-2 (district) as reported"},
    {"lon", T::real, false, "reported longitude, degrees WGS84"},
    {"lat", T::real, false, "reported latitude, degrees WGS84"},
    {"geo_precision", T::integer, false, "reported location precision (UCDP where_prec 1..7)"},
    {"source_name", T::text, false, "source name(s)"},
    {"source_url", T::text, false, "source URL(s)"},
    {"notes", T::text, false, "free text"},
    {"place_id", T::text, true, "gazetteer id of the resolved place"},
    {"place_name", T::text, true, "official name of the resolved place"},
    {"place_matched", T::text, true, "name variant that matched"},
    {"place_score", T::real, true, "gazetteer confidence 0..1"},
    {"place_lon", T::real, true, "longitude used for placement, degrees"},
    {"place_lat", T::real, true, "latitude used for placement, degrees"},
    {"coord_origin", T::text, true, "where place_lon/lat came from: given | gazetteer"},
    {"precision", T::integer, true,
     "location precision used (1 exact .. 3 district, 4 province, 6 country)"},
    {"side", T::text, true, "ISO3 of the country the point lies in"},
    {"border_distance_m", T::real, true, "geodesic distance to the border, metres"},
    {"chainage_km", T::real, true, "km along the border from its western end to the nearest point"},
    {"nearest_lon", T::real, true, "nearest border point longitude"},
    {"nearest_lat", T::real, true, "nearest border point latitude"},
    {"admin1", T::text, true, "official admin-1 name containing the point"},
    {"admin2", T::text, true, "official admin-2 name containing the point"},
    {"band", T::text, true, "distance band (0-1, 1-5, ..., >50, imprecise)"},
    {"flags", T::text, true, "|-separated quality flags (location_mismatch_25km, ...)"},
    {"year", T::integer, false, "year of the event (ACLED year, UCDP year)"},
    {"disorder_type", T::text, false, "ACLED disorder_type, e.g. Political violence"},
    {"assoc_actor_1", T::text, false, "ACLED actors associated with actor1"},
    {"assoc_actor_2", T::text, false, "ACLED actors associated with actor2"},
    {"inter1", T::text, false, "ACLED inter1 (text label; integer code in the pre-2023 layout)"},
    {"inter2", T::text, false, "ACLED inter2 (as inter1)"},
    {"interaction", T::text, false, "ACLED interaction (as inter1)"},
    {"civilian_targeting", T::text, false,
     "ACLED civilian_targeting (\"Civilian targeting\" or empty)"},
    {"iso", T::integer, false, "ACLED iso: ISO 3166 numeric country code"},
    {"iso3", T::text, false, "ACLED iso3 (pre-2023 layout)"},
    {"region", T::text, false, "world region (ACLED region, UCDP region)"},
    {"admin3", T::text, false, "ACLED admin3 as reported"},
    {"source_scale", T::text, false, "ACLED source_scale"},
    {"tags", T::text, false, "ACLED tags"},
    {"timestamp", T::integer, false, "ACLED timestamp: the row's version, Unix seconds"},
    {"data_id", T::integer, false, "ACLED data_id (pre-2023 layout)"},
    {"event_id_no_cnty", T::integer, false, "ACLED event_id_no_cnty (pre-2023 layout)"},
    {"relid", T::text, false, "UCDP relid"},
    {"active_year", T::integer, false, "UCDP active_year: 1 (TRUE) or 0 (FALSE)"},
    {"code_status", T::text, false, "UCDP code_status"},
    {"type_of_violence", T::integer, false,
     "UCDP type_of_violence: 1 state-based, 2 non-state, 3 one-sided"},
    {"conflict_dset_id", T::integer, false, "UCDP conflict_dset_id"},
    {"conflict_new_id", T::integer, false, "UCDP conflict_new_id"},
    {"conflict_name", T::text, false, "UCDP conflict_name"},
    {"dyad_dset_id", T::integer, false, "UCDP dyad_dset_id"},
    {"dyad_new_id", T::integer, false, "UCDP dyad_new_id"},
    {"dyad_name", T::text, false, "UCDP dyad_name"},
    {"side_a_dset_id", T::integer, false, "UCDP side_a_dset_id"},
    {"side_a_new_id", T::integer, false, "UCDP side_a_new_id"},
    {"side_b_dset_id", T::integer, false, "UCDP side_b_dset_id"},
    {"side_b_new_id", T::integer, false, "UCDP side_b_new_id"},
    {"number_of_sources", T::integer, false, "UCDP number_of_sources"},
    {"source_article", T::text, false, "UCDP source_article"},
    {"source_date", T::text, false, "UCDP source_date"},
    {"source_headline", T::text, false, "UCDP source_headline"},
    {"source_original", T::text, false, "UCDP source_original"},
    {"where_description", T::text, false, "UCDP where_description"},
    {"priogrid_gid", T::integer, false, "UCDP priogrid_gid"},
    {"country_id", T::integer, false, "UCDP country_id (Gleditsch-Ward code)"},
    {"event_clarity", T::integer, false, "UCDP event_clarity: 1 clear, 2 lower clarity"},
    {"deaths_a", T::integer, false, "UCDP deaths_a: deaths on side a"},
    {"deaths_b", T::integer, false, "UCDP deaths_b: deaths on side b"},
    {"deaths_civilians", T::integer, false, "UCDP deaths_civilians"},
    {"deaths_unknown", T::integer, false, "UCDP deaths_unknown"},
    {"gwnoa", T::text, false, "UCDP gwnoa (Gleditsch-Ward number(s) of side a)"},
    {"gwnob", T::text, false, "UCDP gwnob (Gleditsch-Ward number(s) of side b)"},
    {"source_dataset", T::text, false, "where the row came from: acled | ucdp (empty: native)"},
    {"source_version", T::text, false, "the dataset's release, e.g. UCDP 25.1"},
    {"source_revision", T::integer, true,
     "which version of a row wins: ACLED timestamp, UCDP release"},
    {"same_as", T::text, false,
     "|-separated ids of rows reporting the same event, or none (event clusters)"},
    {"border_id", T::text, true,
     "the border border_distance_m and chainage_km refer to (TJK-AFG; with --border nearest, "
     "the nearest border)"},
    {"border_part", T::integer, true,
     "the line (1-based part) of border_id holding the nearest point; chainage_km runs along it "
     "(1 for a border of one line)"},
    {"updated_at", T::datetime, true,
     "UTC time of the last change in the store (YYYY-MM-DDTHH:MM:SS.000Z)"},
};

[[noreturn]] void bad(std::size_t index, const std::string &why) {
    throw InputError(SourceLocation{{}, 0, 0, std::string(k_fields[index].name)}, why);
}

std::optional<double> as_real(std::size_t index, const FieldValue &v) {
    if (std::holds_alternative<std::monostate>(v)) {
        return std::nullopt;
    }
    if (const auto *i = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*i);
    }
    if (const auto *d = std::get_if<double>(&v)) {
        return *d;
    }
    const auto &s = std::get<std::string>(v);
    if (trim(s).empty()) {
        return std::nullopt;
    }
    const auto d = parse_double(s);
    if (!d || !std::isfinite(*d)) {
        bad(index, "'" + s + "' is not a number");
    }
    return d;
}

std::optional<int> as_int(std::size_t index, const FieldValue &v) {
    const auto d = as_real(index, v);
    if (!d) {
        return std::nullopt;
    }
    if (*d != std::floor(*d) || std::fabs(*d) > 2e9) {
        bad(index, "'" + field_text(v) + "' is not an integer");
    }
    return static_cast<int>(*d);
}

std::optional<std::int64_t> as_int64(std::size_t index, const FieldValue &v) {
    if (const auto *i = std::get_if<std::int64_t>(&v)) {
        return *i;
    }
    if (const auto *s = std::get_if<std::string>(&v)) {
        if (const auto p = parse_int(trim(*s))) {
            return *p;
        }
    }
    const auto d = as_real(index, v);
    if (!d) {
        return std::nullopt;
    }
    if (*d != std::floor(*d) || std::fabs(*d) > 9e15) {
        bad(index, "'" + field_text(v) + "' is not an integer");
    }
    return static_cast<std::int64_t>(*d);
}

std::string as_text(const FieldValue &v) {
    return field_text(v);
}

} // namespace

const std::vector<IncidentField> &incident_fields() {
    return k_fields;
}

void reset_incident(Incident &x) noexcept {
    // Every member (a unit test checks each field against a default Incident).
    for (std::string *s :
         {&x.id,          &x.event_date,  &x.event_date_end, &x.event_type,    &x.sub_event_type,
          &x.actor1,      &x.actor2,      &x.target,         &x.location_text, &x.country_text,
          &x.admin1_text, &x.admin2_text, &x.source_name,    &x.source_url,    &x.notes,
          &x.place_id,    &x.place_name,  &x.place_matched,  &x.side,          &x.admin1,
          &x.admin2,      &x.band,        &x.flags,          &x.updated_at}) {
        s->clear();
    }
    // The member defaults of Incident, set directly: a default Incident to copy them from
    // cost ~110 instructions per row in string constructors and destructors.
    x.date_precision = DatePrecision::day;
    x.coord_origin = CoordinateOrigin::none;
    for (std::optional<int> *o : {&x.fatalities_best, &x.fatalities_low, &x.fatalities_high,
                                  &x.geo_precision, &x.precision}) {
        o->reset();
    }
    for (const auto &m : detail::k_extra_members) {
        if (m.text != nullptr) {
            (x.*m.text).clear();
        } else {
            (x.*m.integer).reset();
        }
    }
    for (std::optional<double> *o :
         {&x.lon, &x.lat, &x.place_score, &x.place_lon, &x.place_lat, &x.border_distance_m,
          &x.chainage_km, &x.nearest_lon, &x.nearest_lat}) {
        o->reset();
    }
}

std::optional<std::size_t> incident_field_index(std::string_view name) {
    for (std::size_t i = 0; i < k_fields.size(); ++i) {
        if (k_fields[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

FieldValue get_field(const Incident &x, std::size_t index) {
    auto opt_i = [](const std::optional<int> &v) {
        return v ? FieldValue{static_cast<std::int64_t>(*v)} : FieldValue{};
    };
    auto opt_d = [](const std::optional<double> &v) { return v ? FieldValue{*v} : FieldValue{}; };
    auto opt_i64 = [](const std::optional<std::int64_t> &v) {
        return v ? FieldValue{*v} : FieldValue{};
    };
    switch (index) {
    case 0:
        return x.id;
    case 1:
        return x.event_date;
    case 2:
        return x.event_date_end;
    case 3:
        return std::string(to_string(x.date_precision));
    case 4:
        return x.event_type;
    case 5:
        return x.sub_event_type;
    case 6:
        return x.actor1;
    case 7:
        return x.actor2;
    case 8:
        return x.target;
    case 9:
        return opt_i(x.fatalities_best);
    case 10:
        return opt_i(x.fatalities_low);
    case 11:
        return opt_i(x.fatalities_high);
    case 12:
        return x.location_text;
    case 13:
        return x.country_text;
    case 14:
        return x.admin1_text;
    case 15:
        return x.admin2_text;
    case 16:
        return opt_d(x.lon);
    case 17:
        return opt_d(x.lat);
    case 18:
        return opt_i(x.geo_precision);
    case 19:
        return x.source_name;
    case 20:
        return x.source_url;
    case 21:
        return x.notes;
    case 22:
        return x.place_id;
    case 23:
        return x.place_name;
    case 24:
        return x.place_matched;
    case 25:
        return opt_d(x.place_score);
    case 26:
        return opt_d(x.place_lon);
    case 27:
        return opt_d(x.place_lat);
    case 28:
        return x.coord_origin == CoordinateOrigin::none
                   ? FieldValue{}
                   : FieldValue{std::string(to_string(x.coord_origin))};
    case 29:
        return opt_i(x.precision);
    case 30:
        return x.side;
    case 31:
        return opt_d(x.border_distance_m);
    case 32:
        return opt_d(x.chainage_km);
    case 33:
        return opt_d(x.nearest_lon);
    case 34:
        return opt_d(x.nearest_lat);
    case 35:
        return x.admin1;
    case 36:
        return x.admin2;
    case 37:
        return x.band;
    case 38:
        return x.flags;
    default:
        break;
    }
    if (index == detail::k_updated_at_index) {
        return x.updated_at;
    }
    if (index >= detail::k_first_extra_index && index < detail::k_updated_at_index) {
        const auto &m = detail::k_extra_members[index - detail::k_first_extra_index];
        if (m.text != nullptr) {
            return x.*m.text;
        }
        return opt_i64(x.*m.integer);
    }
    return {};
}

void set_field(Incident &x, std::size_t i, const FieldValue &v) {
    switch (i) {
    case 0:
        x.id = as_text(v);
        break;
    case 1:
        x.event_date = as_text(v);
        break;
    case 2:
        x.event_date_end = as_text(v);
        break;
    case 3: {
        const auto t = as_text(v);
        if (t.empty()) {
            x.date_precision = DatePrecision::day;
            break;
        }
        const auto p = parse_date_precision(t);
        if (!p) {
            bad(i, "'" + t + "' is not one of day, week, month, range, year");
        }
        x.date_precision = *p;
        break;
    }
    case 4:
        x.event_type = as_text(v);
        break;
    case 5:
        x.sub_event_type = as_text(v);
        break;
    case 6:
        x.actor1 = as_text(v);
        break;
    case 7:
        x.actor2 = as_text(v);
        break;
    case 8:
        x.target = as_text(v);
        break;
    case 9:
        x.fatalities_best = as_int(i, v);
        break;
    case 10:
        x.fatalities_low = as_int(i, v);
        break;
    case 11:
        x.fatalities_high = as_int(i, v);
        break;
    case 12:
        x.location_text = as_text(v);
        break;
    case 13:
        x.country_text = as_text(v);
        break;
    case 14:
        x.admin1_text = as_text(v);
        break;
    case 15:
        x.admin2_text = as_text(v);
        break;
    case 16:
        x.lon = as_real(i, v);
        break;
    case 17:
        x.lat = as_real(i, v);
        break;
    case 18:
        x.geo_precision = as_int(i, v);
        break;
    case 19:
        x.source_name = as_text(v);
        break;
    case 20:
        x.source_url = as_text(v);
        break;
    case 21:
        x.notes = as_text(v);
        break;
    case 22:
        x.place_id = as_text(v);
        break;
    case 23:
        x.place_name = as_text(v);
        break;
    case 24:
        x.place_matched = as_text(v);
        break;
    case 25:
        x.place_score = as_real(i, v);
        break;
    case 26:
        x.place_lon = as_real(i, v);
        break;
    case 27:
        x.place_lat = as_real(i, v);
        break;
    case 28: {
        const auto t = as_text(v);
        const auto o = parse_coordinate_origin(t);
        if (!o) {
            bad(i, "'" + t + "' is not one of given, gazetteer");
        }
        x.coord_origin = *o;
        break;
    }
    case 29:
        x.precision = as_int(i, v);
        break;
    case 30:
        x.side = as_text(v);
        break;
    case 31:
        x.border_distance_m = as_real(i, v);
        break;
    case 32:
        x.chainage_km = as_real(i, v);
        break;
    case 33:
        x.nearest_lon = as_real(i, v);
        break;
    case 34:
        x.nearest_lat = as_real(i, v);
        break;
    case 35:
        x.admin1 = as_text(v);
        break;
    case 36:
        x.admin2 = as_text(v);
        break;
    case 37:
        x.band = as_text(v);
        break;
    case 38:
        x.flags = as_text(v);
        break;
    default:
        if (i == detail::k_updated_at_index) {
            x.updated_at = as_text(v);
        } else if (i >= detail::k_first_extra_index && i < detail::k_updated_at_index) {
            const auto &m = detail::k_extra_members[i - detail::k_first_extra_index];
            if (m.text != nullptr) {
                x.*m.text = as_text(v);
            } else {
                x.*m.integer = as_int64(i, v);
            }
        }
        break;
    }
}

std::string field_text(const FieldValue &value) {
    return std::visit(
        [](const auto &v) -> std::string {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>) {
                return {};
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
                return std::to_string(v);
            } else if constexpr (std::is_same_v<V, double>) {
                return format_double(v);
            } else {
                return v;
            }
        },
        value);
}

std::string_view to_string(DatePrecision p) noexcept {
    switch (p) {
    case DatePrecision::day:
        return "day";
    case DatePrecision::week:
        return "week";
    case DatePrecision::month:
        return "month";
    case DatePrecision::range:
        return "range";
    case DatePrecision::year:
        return "year";
    }
    return "day";
}

std::optional<DatePrecision> parse_date_precision(std::string_view text) noexcept {
    text = trim(text);
    static constexpr std::pair<std::string_view, DatePrecision> names[] = {
        {"day", DatePrecision::day},     {"1", DatePrecision::day},
        {"week", DatePrecision::week},   {"2", DatePrecision::week},
        {"month", DatePrecision::month}, {"3", DatePrecision::month},
        {"range", DatePrecision::range}, {"4", DatePrecision::range},
        {"year", DatePrecision::year},   {"5", DatePrecision::year},
    };
    for (const auto &[name, value] : names) {
        if (text.size() == name.size() &&
            std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b;
            })) {
            return value;
        }
    }
    return std::nullopt;
}

std::string_view to_string(CoordinateOrigin origin) noexcept {
    switch (origin) {
    case CoordinateOrigin::none:
        return "";
    case CoordinateOrigin::given:
        return "given";
    case CoordinateOrigin::gazetteer:
        return "gazetteer";
    }
    return "";
}

std::optional<CoordinateOrigin> parse_coordinate_origin(std::string_view text) noexcept {
    text = trim(text);
    if (text.empty() || text == "none") {
        return CoordinateOrigin::none;
    }
    if (text == "given") {
        return CoordinateOrigin::given;
    }
    if (text == "gazetteer") {
        return CoordinateOrigin::gazetteer;
    }
    return std::nullopt;
}

bool has_flag(std::string_view flags, std::string_view flag) noexcept {
    std::size_t start = 0;
    while (start <= flags.size()) {
        auto end = flags.find('|', start);
        if (end == std::string_view::npos) {
            end = flags.size();
        }
        if (flags.substr(start, end - start) == flag) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

void add_flag(std::string &flags, std::string_view flag) {
    if (flag.empty() || has_flag(flags, flag)) {
        return;
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < flags.size()) {
        auto end = flags.find('|', start);
        if (end == std::string::npos) {
            end = flags.size();
        }
        if (end > start) {
            parts.emplace_back(flags.substr(start, end - start));
        }
        start = end + 1;
    }
    parts.emplace_back(flag);
    std::sort(parts.begin(), parts.end());
    flags.clear();
    for (const auto &p : parts) {
        if (!flags.empty()) {
            flags += '|';
        }
        flags += p;
    }
}

} // namespace borderwatch
