#pragma once
/// @file
/// The one progress callback of the library's long-running functions (export, update,
/// import, locate, resolve, query): the CLI draws it (cli/progress), a caller may log it.

#include <cstdint>
#include <functional>
#include <string>

namespace borderwatch {

/// Progress of a stage: its name ("incidents", "rows", "commit" ...), items done and the
/// expected total (0 when unknown). An empty callback means nobody listens: callers skip
/// the calls. Called at most every few thousand items, one call at a time (not necessarily from
/// the calling thread: import reports from its store-writing thread).
using ProgressCallback =
    std::function<void(const std::string &stage, std::uint64_t done, std::uint64_t total)>;

} // namespace borderwatch
