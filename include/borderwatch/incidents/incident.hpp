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
    std::string admin1;     ///< current official admin-1 name containing the point
    std::string admin2;     ///< current official admin-2 name containing the point
    std::string band;       ///< distance band label ("0-1", "1-5", ..., ">50", "imprecise")
    std::string flags;      ///< "|"-separated quality flags, e.g. "location_mismatch_25km"
    /// Reported: "|"-separated ids of rows reporting the same event (linked whatever the
    /// automatic rule says), or "none" to keep this row out of automatic links
    /// (linking/event_clusters.hpp).
    std::string same_as;
    std::string updated_at; ///< ISO 8601 UTC timestamp of the last change in the store
};

} // namespace borderwatch
