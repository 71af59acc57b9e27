#pragma once
/// @file
/// The one exception hierarchy of borderwatch. Library code throws these; only the
/// command-line front end turns them into exit codes.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace borderwatch {

/// Where in an input file something went wrong. Empty members are omitted when printed.
struct SourceLocation {
    std::string file;       ///< file name as given by the user ("-" for stdin)
    std::size_t line = 0;   ///< 1-based line, 0 if unknown
    std::size_t column = 0; ///< 1-based column (field index for CSV), 0 if unknown
    std::string field;      ///< column / field name, empty if not applicable

    /// Compiler-style prefix: `file:line:column: field 'lat'`.
    [[nodiscard]] std::string to_string() const;
};

/// Root of every error borderwatch throws.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Wrong command-line usage or option values (exit status 2).
class UsageError : public Error {
  public:
    using Error::Error;
};

/// A bad value in user input; carries its location and prints compiler-style:
/// `incidents.csv:42:7: field 'lat': value '91.2' is outside [-90, 90]`.
class InputError : public Error {
  public:
    InputError(SourceLocation location, const std::string &message);
    [[nodiscard]] const SourceLocation &location() const noexcept { return m_location; }
    /// The message without the location prefix.
    [[nodiscard]] const std::string &message() const noexcept { return m_message; }

  private:
    SourceLocation m_location;
    std::string m_message;
};

/// Invalid or unusable geometry; the message names the offending coordinate.
class GeometryError : public Error {
  public:
    using Error::Error;
};

/// A failure reported by GDAL/OGR; the message names driver, dataset, layer, field.
class GdalError : public Error {
  public:
    using Error::Error;
};

/// File-system or I/O failure (cannot open, write, rename, lock).
class IoError : public Error {
  public:
    using Error::Error;
};

/// Reference data (geodata/) missing or inconsistent.
class DataError : public Error {
  public:
    using Error::Error;
};

} // namespace borderwatch
