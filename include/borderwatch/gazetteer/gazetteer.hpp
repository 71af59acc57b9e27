#pragma once
/// @file
/// The gazetteer: resolves place names in any spelling or script (Latin variants, Tajik and
/// Russian Cyrillic, Dari/Pashto Arabic script, old names, typos, context phrases such as
/// "Darvoz, Tajikistan") to places of geodata/gazetteer with their admin hierarchy and an
/// honest confidence.
///
/// Confidence scale (PlaceMatch::score, [0, 1]):
///   1.00  the official name (or its ASCII form), after removing admin words
///   0.95  a known variant: GeoNames alternate name, former name, curated alias
///   0.92 / 0.90  same phonetic key as the official name / as a variant ("Darvaz" ~ "Darwaz")
///   0.90 / 0.88  the name without a qualifier word ("Badakhshan" in "Gorno-Badakhshan")
///   0.85  Arabic-script query matching a name by its consonant skeleton
///   < 0.88  fuzzy: 0.88 x (1 - edit distance / length) on phonetic keys
/// Below ResolveOptions::min_score the result is "no match" with suggestions.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// What to resolve and how (all filters are hard filters).
struct ResolveOptions {
    std::string country; ///< ISO3 or country name in any spelling ("TJK", "Tajikistan"); "" = any
    std::string admin1;  ///< admin-1 unit name in any spelling ("Khatlon"); "" = any
    std::string kind;    ///< country|admin1|admin2|populated_place|... ; "" = any
    std::size_t top = 1; ///< candidates wanted (>= 1); ambiguous results may add more
    double min_score = 0.70; ///< below this a result is "no match" (range [0, 1])
};

/// One candidate place.
struct PlaceMatch {
    std::string query;      ///< the query as given
    std::string name;       ///< official name of the place
    std::string matched;    ///< the name variant that matched ("Shamsiddin Shokhin")
    std::string id;         ///< stable id (geonames:<id>, geoBoundaries shapeID, iso3:<ISO3>)
    std::string kind;       ///< country|admin1|admin2|populated_place (user GeoNames rows: also
                            ///< hydrographic|terrain|area|spot|road|vegetation|undersea)
    std::string country;    ///< ISO3
    std::string admin1;     ///< admin-1 name ("" for countries)
    std::string admin2;     ///< admin-2 name ("" if none)
    double lon = 0.0;       ///< degrees, WGS84; a point inside the unit for areas
    double lat = 0.0;       ///< degrees, WGS84
    double score = 0.0;     ///< confidence in [0, 1] (see the file comment)
    int precision = 0;      ///< UCDP where_prec: 1 exact place, 2 near a place, 3 district
                            ///< (admin2), 4 province (admin1), 5 linear feature/area, 6 country
    bool ambiguous = false; ///< another, unrelated place matched almost as well
};

/// The answer to one query.
struct ResolveResult {
    std::vector<PlaceMatch> candidates;   ///< best first; at most top (more if ambiguous)
    bool matched = false;                 ///< false = "no match"
    std::vector<std::string> suggestions; ///< when not matched: "Name (kind, ISO3)" near misses
};

/// "Ishqoshim (populated_place, Gorno-Badakhshan Autonomous Region, TJK, 71.61331,36.72484)":
/// a place as a warning names it (name, kind, admin1 if any, country, lon,lat).
[[nodiscard]] std::string describe_place(const PlaceMatch &place);

/// For an ambiguous result: "'Ishkashim' is ambiguous; used Ishqoshim (...); also matched
/// Ashkāsham (...) [...]; add context ('Ishkashim, Afghanistan') or give LON,LAT". "" when
/// the result is not ambiguous (or not matched).
[[nodiscard]] std::string ambiguity_note(const ResolveResult &result);

/// An immutable index over geodata/gazetteer plus optional user files.
class Gazetteer {
  public:
    /// Where to load entries from.
    struct Sources {
        std::filesystem::path geodata; ///< geodata directory; empty = geodata_dir()
        /// Extra GeoNames "geoname" table TSVs (19 columns, no header), e.g. full TJ.txt/AF.txt
        /// dumps; rows whose geonameid is already known add their names to that place.
        std::vector<std::filesystem::path> geonames_files;
        /// Extra alias TSVs: columns alias, id[, note]; optional header line "alias<TAB>id...".
        std::vector<std::filesystem::path> alias_files;
    };

    /// Load and index every entry.
    /// @throws DataError if geodata/gazetteer is missing or malformed
    /// @throws InputError (FILE:LINE: field 'x': ...) for a bad row in a user file
    /// @throws IoError if a user file cannot be read
    static std::unique_ptr<Gazetteer> load(const Sources &sources = {});

    ~Gazetteer();
    Gazetteer(const Gazetteer &) = delete;
    Gazetteer &operator=(const Gazetteer &) = delete;

    /// Resolve one query ("Shamsiddin Shokhin", "Дарвоз", "Badakhshan province, Afghanistan").
    /// Thread-safe.
    /// @throws InputError if the query is empty, not valid UTF-8 or longer than max_query_bytes
    /// @throws UsageError if options.country / options.admin1 / options.kind are unknown
    [[nodiscard]] ResolveResult resolve(std::string_view query,
                                        const ResolveOptions &options = {}) const;

    /// The place with this id (query, matched empty; score 1), or nullptr if unknown.
    [[nodiscard]] const PlaceMatch *find_by_id(std::string_view id) const;

    /// Number of places and of indexed name variants.
    [[nodiscard]] std::size_t place_count() const noexcept;
    [[nodiscard]] std::size_t name_count() const noexcept;

    /// Longest accepted query, in bytes.
    static constexpr std::size_t max_query_bytes = 500;

    class Impl;

  private:
    explicit Gazetteer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
}; // class Gazetteer

} // namespace borderwatch
