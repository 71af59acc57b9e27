#pragma once
/// @file
/// Locating the reference data (geodata/) and styles (styles/) at run time.

#include <filesystem>

namespace borderwatch {

/// The geodata directory: $BORDERWATCH_GEODATA if set, else <exe>/../share/borderwatch/geodata
/// when installed, else the source tree's geodata/ the program was built from.
/// @throws DataError if none exists
[[nodiscard]] std::filesystem::path geodata_dir();

/// The styles directory, found the same way ($BORDERWATCH_STYLES, install, source tree).
/// @throws DataError if none exists
[[nodiscard]] std::filesystem::path styles_dir();

/// borderwatch's version, e.g. "0.1.0".
[[nodiscard]] const char *version_string() noexcept;

} // namespace borderwatch
