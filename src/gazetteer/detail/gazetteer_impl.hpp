#pragma once
// The gazetteer's in-memory index (private). Built once by Gazetteer::load(), then read-only,
// so resolve() needs no locks.

#include <borderwatch/gazetteer/gazetteer.hpp>

#include "gazetteer/detail/fuzzy_index.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace borderwatch {

namespace detail {

/// How a name variant is known; decides its base confidence.
enum class NameType : std::uint8_t { official, ascii, former, geonames_admin, alternate, alias };

inline constexpr std::uint32_t no_place = 0xFFFFFFFFu;

struct Place {
    PlaceMatch view;          ///< the public record (query/matched empty, score 1)
    std::string admin1_id;    ///< shapeID of the admin-1 unit ("" if none)
    std::string admin2_id;    ///< shapeID of the admin-2 unit ("" if none)
    std::string feature_code; ///< GeoNames feature code / ADM0 / ADM1 / ADM2
    std::int64_t population = 0;
    int rank = 5;           ///< 0 country, 1 admin1, 2 admin2, 3 seat, 4 town, 5 other
    double border_km = 1e9; ///< distance to the TJK-AFG line (approximate, for ties)
    std::uint32_t admin1_index = no_place; ///< index of the admin-1 place (no_place if none)
    std::uint32_t admin2_index = no_place; ///< index of the admin-2 place (no_place if none)
};

struct NameEntry {
    std::uint32_t place = 0;
    std::string text; ///< the variant as written in the source
    NameType type = NameType::alternate;
};

/// One indexed (place, name) pair with the confidence of matching it this way.
struct Posting {
    std::uint32_t place = 0;
    std::uint32_t name = 0;
    float score = 0.0f;
};

/// Hashing that accepts std::string_view, so lookups do not allocate.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

using KeyIndex = std::unordered_map<std::string, std::vector<Posting>, StringHash, std::equal_to<>>;

} // namespace detail

class Gazetteer::Impl {
  public:
    std::vector<detail::Place> places;
    std::vector<detail::NameEntry> names;
    std::unordered_map<std::string, std::uint32_t> by_id;

    detail::KeyIndex plain;    ///< plain key (folded words) -> postings
    detail::KeyIndex phonetic; ///< phonetic key -> postings (incl. name parts, lower scores)
    detail::KeyIndex skeleton; ///< consonant skeleton -> postings (Arabic-script queries)
    detail::FuzzyIndex fuzzy;  ///< trigram index over the phonetic keys

    std::unordered_map<std::string, std::uint32_t> country_by_iso3;
    std::uint64_t serial = 0; ///< unique per loaded gazetteer (keys the per-thread query cache)
};

} // namespace borderwatch
