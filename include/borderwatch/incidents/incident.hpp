#pragma once
/// @file
/// The incident record: what analysts report (ACLED / UCDP GED compatible) plus what
/// borderwatch derives when it places the incident against the border.
/// Field names here are the native CSV/GeoJSON column names and the store's columns.

#include <cstdint>
#include <optional>
#include <string>

namespace borderwatch {

/// How precisely the event date is known (ACLED time_precision 1..3; UCDP date_prec 1..5).
enum class DatePrecision : std::uint8_t {
    day = 1,   ///< exact day
    week = 2,  ///< within a week (date_start..date_end spans <= 7 days)
    month = 3, ///< within a month
    range = 4, ///< an arbitrary start..end range
    year = 5,  ///< only the year is known
};

/// Where the coordinates used for placement came from.
enum class CoordinateOrigin : std::uint8_t {
    none = 0,      ///< not placed (no coordinates, place not resolved)
    given = 1,     ///< lon/lat from the input record
    gazetteer = 2, ///< from resolving location text through the gazetteer
};

/// One security incident. Dates are ISO 8601 "YYYY-MM-DD" strings (start == end for exact days).
struct Incident {
    // --- as reported ----------------------------------------------------------
    std::string id;             ///< stable identifier (ACLED event_id_cnty, UCDP id, or native)
    std::string event_date;     ///< start date, YYYY-MM-DD
    std::string event_date_end; ///< end date, YYYY-MM-DD (== event_date for exact days)
    DatePrecision date_precision = DatePrecision::day;
    std::string event_type;     ///< ACLED event_type, e.g. "Explosions/Remote violence"
    std::string sub_event_type; ///< ACLED sub_event_type, e.g. "Drone strike"
    std::string actor1;
    std::string actor2;
    std::string target; ///< e.g. "Chinese workers"
    std::optional<int> fatalities_best;
    std::optional<int> fatalities_low;
    std::optional<int> fatalities_high;
    std::string location_text;        ///< location as reported ("Shamsiddin Shokhin district")
    std::string country_text;         ///< country as reported (context for the gazetteer)
    std::string admin1_text;          ///< admin-1 as reported (context)
    std::string admin2_text;          ///< admin-2 as reported (context)
    std::optional<double> lon;        ///< reported longitude, degrees WGS84
    std::optional<double> lat;        ///< reported latitude, degrees WGS84
    std::optional<int> geo_precision; ///< reported precision (UCDP where_prec scale 1..7)
    std::string source_name;
    std::string source_url;
    std::string notes;

    // --- derived on placement --------------------------------------------------
    std::string place_id;              ///< gazetteer id of the resolved place ("geonames:1221559")
    std::string place_name;            ///< official name of the resolved place
    std::string place_matched;         ///< the name variant that matched
    std::optional<double> place_score; ///< gazetteer confidence in [0, 1]
    std::optional<double> place_lon;   ///< coordinates used for placement, degrees
    std::optional<double> place_lat;
    CoordinateOrigin coord_origin = CoordinateOrigin::none;
    std::optional<int> precision; ///< precision code used (where_prec scale: 1 exact .. 6 country)
    std::string side;             ///< ISO3 of the country the point lies in
    std::optional<double> border_distance_m; ///< geodesic distance to the border, metres
    std::optional<double> chainage_km;       ///< km along the border from its western end
    std::optional<double> nearest_lon;       ///< nearest border point, degrees
    std::optional<double> nearest_lat;
    std::string admin1; ///< current official admin-1 name containing the point
    std::string admin2; ///< current official admin-2 name containing the point
    std::string band;   ///< distance band label ("0-1", "1-5", ..., ">50", "imprecise")
    std::string flags;  ///< "|"-separated quality flags, e.g. "location_mismatch_25km"
    /// The border border_distance_m and chainage_km refer to ("TJK-AFG"; placed with
    /// `--border nearest`, the nearest border's id, e.g. "FRA-BEL"). In incident_fields() it
    /// comes after same_as (a later column).
    std::string border_id;
    /// The line (1-based part) of border_id holding the nearest point: chainage_km runs along
    /// that part (1 for a border of one line). After border_id in incident_fields().
    std::optional<std::int64_t> border_part;

    // --- the source's own columns, kept losslessly (docs/incident-schema.md) --------------
    // ACLED (current and pre-2023 layouts); `year` and `region` are shared with UCDP.
    std::optional<std::int64_t> year;
    std::string disorder_type;
    std::string assoc_actor_1;
    std::string assoc_actor_2;
    std::string inter1;      ///< text labels (current layout) or integer codes (pre-2023)
    std::string inter2;      ///< as inter1
    std::string interaction; ///< as inter1
    std::string civilian_targeting;
    std::optional<std::int64_t> iso; ///< ISO 3166 numeric country code
    std::string iso3;                ///< pre-2023 layout
    std::string region;
    std::string admin3;
    std::string source_scale;
    std::string tags;
    std::optional<std::int64_t> timestamp;        ///< ACLED's row version, Unix seconds
    std::optional<std::int64_t> data_id;          ///< pre-2023 layout
    std::optional<std::int64_t> event_id_no_cnty; ///< pre-2023 layout
    // UCDP GED.
    std::string relid;
    std::optional<std::int64_t> active_year; ///< 1 (TRUE) / 0 (FALSE)
    std::string code_status;
    std::optional<std::int64_t> type_of_violence; ///< 1 state-based, 2 non-state, 3 one-sided
    std::optional<std::int64_t> conflict_dset_id;
    std::optional<std::int64_t> conflict_new_id;
    std::string conflict_name;
    std::optional<std::int64_t> dyad_dset_id;
    std::optional<std::int64_t> dyad_new_id;
    std::string dyad_name;
    std::optional<std::int64_t> side_a_dset_id;
    std::optional<std::int64_t> side_a_new_id;
    std::optional<std::int64_t> side_b_dset_id;
    std::optional<std::int64_t> side_b_new_id;
    std::optional<std::int64_t> number_of_sources;
    std::string source_article;
    std::string source_date;
    std::string source_headline;
    std::string source_original;
    std::string where_description;
    std::optional<std::int64_t> priogrid_gid;
    std::optional<std::int64_t> country_id;
    std::optional<std::int64_t> event_clarity;
    std::optional<std::int64_t> deaths_a;
    std::optional<std::int64_t> deaths_b;
    std::optional<std::int64_t> deaths_civilians;
    std::optional<std::int64_t> deaths_unknown;
    std::string gwnoa;
    std::string gwnob;
    // Provenance.
    std::string source_dataset; ///< "acled" | "ucdp"; "" for native rows
    std::string source_version; ///< the dataset's release, e.g. UCDP "25.1"
    /// Derived: which version of a row wins (source_revision(), incidents/revision.hpp).
    std::optional<std::int64_t> source_revision;
    /// Reported: "|"-separated ids of rows reporting the same event (linked whatever the
    /// automatic rule says), or "none" to keep this row out of automatic links
    /// (linking/event_clusters.hpp).
    std::string same_as;

    std::string updated_at; ///< ISO 8601 UTC timestamp of the last change in the store
};

} // namespace borderwatch
