#pragma once
/// @file
/// Locating the reference data (geodata/) and styles (styles/) at run time, and opening the
/// user's files with plain errors (path and OS reason) instead of std::filesystem exceptions.

#include <filesystem>
#include <fstream>
#include <string>

namespace borderwatch {

/// The geodata directory: $BORDERWATCH_GEODATA if set, else <exe>/../share/borderwatch/geodata
/// when installed, else the source tree's geodata/ the program was built from.
/// @throws DataError if none exists
[[nodiscard]] std::filesystem::path geodata_dir();

/// The styles directory, found the same way ($BORDERWATCH_STYLES, install, source tree).
/// @throws DataError if none exists
[[nodiscard]] std::filesystem::path styles_dir();

/// Open the user's input file @p path for reading (binary).
/// @throws IoError "cannot open 'PATH': No such file or directory" (the OS reason: missing,
///         permission denied ...) and "cannot read 'PATH': Is a directory"
[[nodiscard]] std::ifstream open_input_file(const std::filesystem::path &path);

/// Create directory @p path and its missing parents (nothing to do if it exists).
/// @throws IoError "cannot create directory 'PATH': <OS reason>", also when PATH or one of
///         its parents is a file ("Not a directory") or the file system refuses (/proc, /sys)
void create_directories_checked(const std::filesystem::path &path);

/// A std::filesystem::filesystem_error as a plain message: "cannot create directories
/// '/proc/x': No such file or directory" (operation, path(s), OS reason; no "filesystem
/// error:" prefix). For the command-line front end's last-resort handler.
[[nodiscard]] std::string describe_filesystem_error(const std::filesystem::filesystem_error &e);

/// borderwatch's version, e.g. "0.1.0".
[[nodiscard]] const char *version_string() noexcept;

} // namespace borderwatch
