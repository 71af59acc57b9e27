#pragma once
/// @file
/// The pipeline of `borderwatch resolve`: queries (arguments or the lines of a file) are
/// resolved by worker threads and written in input order as CSV, JSON or a table. CSV and
/// JSON stream (memory does not grow with the input); the output bytes do not depend on the
/// thread count.

#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/progress.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace borderwatch {

/// Output columns of resolve's CSV and table formats, in order.
[[nodiscard]] const std::vector<std::string> &resolve_columns();

struct ResolveStreamOptions {
    std::vector<std::string> queries; ///< resolved when `input` is empty ("argument N")
    std::string input;                ///< file of queries, one per line; "-" = stdin
    TextInputOptions text;            ///< encoding of `input`
    std::string format = "csv";       ///< csv, json or table (the table is buffered)
    CsvFormulas csv_formulas = CsvFormulas::neutralise;
    ResolveOptions resolve;
    std::size_t threads = 1; ///< worker threads (1: everything on the calling thread)
    bool hints = true;       ///< the --encoding hint when most lines are not UTF-8
};

struct ResolveStreamResult {
    std::size_t queries = 0;  ///< queries read
    std::size_t rejected = 0; ///< empty, not valid text, or too long (reported in messages)
};

/// Messages for stderr in input order: rejected queries (FILE:LINE: ...) and the hint.
using ResolveMessages = std::function<void(const std::string &message)>;

/// Resolve every query of @p options with @p gazetteer into @p out. Progress: stage
/// "queries", queries done, total when known (arguments) else 0.
/// @throws IoError / InputError / UsageError when the input cannot be read
ResolveStreamResult resolve_stream(const Gazetteer &gazetteer, const ResolveStreamOptions &options,
                                   std::ostream &out, const ResolveMessages &messages = {},
                                   const ProgressCallback &progress = {});

} // namespace borderwatch
