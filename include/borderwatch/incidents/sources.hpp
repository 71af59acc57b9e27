#pragma once
/// @file
/// Rules about the source datasets (ACLED, UCDP GED) that more than one module needs: which
/// version of a row wins (the revision rule) and how UCDP's type_of_violence maps onto the
/// ACLED event taxonomy. docs/incident-schema.md documents both.

#include <borderwatch/incidents/incident.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace borderwatch {

/// Incident::source_dataset of rows read from an ACLED export.
inline constexpr std::string_view k_dataset_acled = "acled";
/// Incident::source_dataset of rows read from UCDP GED.
inline constexpr std::string_view k_dataset_ucdp = "ucdp";

/// An ACLED event type and sub-event type.
struct AcledEventType {
    std::string_view event_type;
    std::string_view sub_event_type;
};

/// The ACLED event type that UCDP GED's type_of_violence corresponds to, so that
/// `stats --by event_type` groups comparable events: 1 state-based and 2 non-state conflict
/// → "Battles" / "Armed clash" (organised armed groups fighting each other), 3 one-sided
/// violence → "Violence against civilians" / "Attack". The UCDP value itself stays in
/// Incident::type_of_violence. @return nullopt for any other value
[[nodiscard]] std::optional<AcledEventType>
acled_event_type_for_ucdp(std::int64_t type_of_violence) noexcept;

/// A dataset release ("25.1", "24.0.10", "v25_1", "25") as an integer that sorts like the
/// release: major * 1,000,000 + minor * 1,000 + patch ("25.0.10" → 25000010 < "25.1" →
/// 25001000). Each part 0..999. @return nullopt when @p version is not of that form
[[nodiscard]] std::optional<std::int64_t> release_version_number(std::string_view version) noexcept;

/// The UCDP release a file name states: "GEDEvent_v25_1.csv" → "25.1", "ged251.csv" → "25.1",
/// "ged2501.csv" → "25.0.1" is NOT guessed (only the 3-digit short form "gedMMm"), and
/// "GEDEvent_v24_0_10.csv" → "24.0.10". Directories in @p path are ignored. "" when the
/// name states none.
[[nodiscard]] std::string release_version_from_file_name(std::string_view path);

/// The revision rule: a comparable number saying which version of a row is newer. ACLED
/// rows: their `timestamp` (Unix seconds of ACLED's last change). Otherwise (UCDP): the
/// release `source_version` as release_version_number(). nullopt when the row states
/// neither. Stored as Incident::source_revision (derived on every import).
[[nodiscard]] std::optional<std::int64_t> source_revision(const Incident &incident) noexcept;

/// True when a row of revision @p incoming must not replace a stored row of revision
/// @p stored: both are known and @p incoming is older. With an unknown revision on either
/// side the later import wins. (The PostGIS store states the same rule in its merge SQL.)
[[nodiscard]] constexpr bool is_older_revision(std::optional<std::int64_t> incoming,
                                               std::optional<std::int64_t> stored) noexcept {
    return incoming && stored && *incoming < *stored;
}

/// True when a row of revision @p incoming is a version its source deleted at revision
/// @p deleted: known and not newer (a deletion comes after the last change it deletes).
/// A row without revision is kept (as above: the later import wins).
[[nodiscard]] constexpr bool is_deleted_revision(std::optional<std::int64_t> incoming,
                                                 std::int64_t deleted) noexcept {
    return incoming && *incoming <= deleted;
}

} // namespace borderwatch
