#pragma once
/// @file
/// Proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms): the one conversion
/// between civil dates and day numbers, for the importers' ISO weeks and `extract`'s
/// relative dates.

namespace borderwatch {

/// Days since 1970-01-01 of the civil date @p y-@p m-@p d (m 1..12, d 1..31).
[[nodiscard]] long days_from_civil(int y, int m, int d) noexcept;

/// The civil date of day number @p z (days since 1970-01-01).
void civil_from_days(long z, int &y, int &m, int &d) noexcept;

} // namespace borderwatch
