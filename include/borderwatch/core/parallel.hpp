#pragma once
/// @file
/// Fork-join over a few threads, with exceptions carried back to the caller.

#include <cstddef>
#include <functional>

namespace borderwatch {

/// Run job(0) ... job(n - 1), each on its own thread, and wait for all of them (even after
/// a failure, so nothing outlives the call). Then rethrow the exception of the
/// lowest-numbered job that threw, if any.
void run_in_parallel(std::size_t n, const std::function<void(std::size_t)> &job);

} // namespace borderwatch
