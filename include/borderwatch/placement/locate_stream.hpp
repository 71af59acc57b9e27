#pragma once
/// @file
/// The pipeline of `borderwatch locate`: rows of a CSV (or GeoJSONSeq) stream are checked,
/// placed against the border by worker threads and written in input order, so the output
/// bytes depend neither on the thread count nor on how the input was split: a headerless
/// CSV or GeoJSONSeq stream cut into parts and run part by part gives the concatenation of
/// one run (the stateless stage of docs/scaling.md).

#include <borderwatch/core/progress.hpp>
#include <borderwatch/core/text_input.hpp>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace borderwatch {

class BorderEngine;

/// Output formats of locate. csv: the input columns and the placement columns;
/// json: an array of objects; geojson: a FeatureCollection; geojsonseq: one Feature per line
/// (RFC 8142 without the record separator, as GDAL's GeoJSONSeq driver writes by default);
/// table: aligned columns for a terminal.
inline const std::vector<std::string> locate_formats{"csv", "json", "geojson", "geojsonseq",
                                                     "table"};

struct LocateStreamOptions {
    std::string input = "-";    ///< file to read, "-" = standard input
    std::string input_format;   ///< "csv" or "geojsonseq"; "" = from the file name / first byte
    std::string format = "csv"; ///< one of locate_formats
    std::size_t threads = 1;    ///< worker threads (1: everything on the calling thread)
    std::string rejects;        ///< rejected rows as read, plus an 'error' column ("" = none)
    bool overwrite = false;     ///< replace an existing rejects file
    bool csv_raw_formulas = false;
    std::string lon_column; ///< "" = lon, longitude or x
    std::string lat_column; ///< "" = lat, latitude or y
    TextInputOptions text;  ///< encoding and delimiter of CSV input
    /// CSV input starts with a header line. Without one, `columns` names the fields and the
    /// CSV output has no header line either (so partial outputs concatenate).
    bool header = true;
    std::vector<std::string> columns; ///< names of headerless CSV fields (default lon,lat)
    std::size_t max_messages = 20;    ///< per kind (rejected rows, warnings), then a count
};

struct LocateStreamResult {
    std::size_t rows = 0;     ///< rows placed and written
    std::size_t rejected = 0; ///< rows rejected (reported, written to the rejects file)
    std::size_t warnings = 0; ///< far-away points that look swapped
    /// The input had a header and no data rows (never a silent empty result: the caller
    /// fails with `header_only_message`).
    bool header_only = false;
    std::string header_only_message;
};

/// Messages for stderr, in input order: rejected rows (FILE:LINE:COLUMN: field 'lat': ...),
/// swapped-coordinates warnings, the summaries and the encoding hint.
using LocateMessages = std::function<void(const std::string &message)>;

/// Run the pipeline from options.input to @p out.
/// @throws InputError for a missing/bad header or an unreadable input, UsageError for bad
///         options, IoError when the rejects file cannot be written
LocateStreamResult locate_stream(const BorderEngine &engine, const LocateStreamOptions &options,
                                 std::ostream &out, const LocateMessages &messages = {},
                                 const ProgressCallback &progress = {});

/// One point given as text (the command line): checked like a row, placed and written in
/// @p format with the columns lon, lat and the placement columns.
/// @throws UsageError naming LON or LAT when a value is not a coordinate (with the
///         swapped-coordinates hint)
/// @return the swapped-coordinates warning, or ""
std::string locate_point(const BorderEngine &engine, const std::string &lon_text,
                         const std::string &lat_text, const std::string &format,
                         bool csv_raw_formulas, std::ostream &out);

} // namespace borderwatch
