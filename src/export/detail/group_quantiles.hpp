#pragma once
// Exact per-group quantiles (median, p90) of float values with memory independent of the
// number of values: an external sort. Values are collected as (group, value) keys in a
// fixed buffer; a full buffer is sorted and spilled as a run to an anonymous temporary file
// (unlinked at creation, so it disappears on close, on error and on kill -9); finish()
// merges the runs (k-way, in several passes if there are more than fan_in of them) so each
// group's values come out in ascending order, and picks the quantiles by rank from the
// per-group counts kept here. Below the buffer size nothing touches the disk.

#include "core/detail/quantile_ranks.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

namespace borderwatch::detail {

class GroupQuantiles {
  public:
    struct Options {
        /// Keys held in memory before a run is spilled (8 bytes each; 256 Ki = 2 MiB).
        std::size_t buffer_entries = std::size_t{1} << 18;
        /// Runs merged at once (more take several merge passes); >= 2.
        std::size_t fan_in = 64;
        /// Where the anonymous spill file lives (empty: the system temp directory).
        std::filesystem::path temp_dir;
    };

    GroupQuantiles();
    explicit GroupQuantiles(Options options);
    GroupQuantiles(const GroupQuantiles &) = delete;
    GroupQuantiles &operator=(const GroupQuantiles &) = delete;
    ~GroupQuantiles();

    /// Record @p value for @p group (groups are small dense ids; values must not be NaN).
    /// @throws IoError if a run cannot be spilled
    void add(std::uint32_t group, float value);

    /// Sort/merge everything and call @p visit once per group that has values, in group
    /// order, with its count and the quantiles for @p probabilities (each in [0, 1]).
    /// The collector is empty afterwards. @throws IoError on a read/write failure
    void finish(const std::vector<double> &probabilities,
                const std::function<void(std::uint32_t group, std::uint64_t count,
                                         const std::vector<double> &quantiles)> &visit);

    /// Runs spilled so far (for tests and diagnostics).
    [[nodiscard]] std::size_t runs_spilled() const noexcept { return m_runs_spilled; }

  private:
    struct Run {
        std::uint64_t offset = 0; ///< in entries
        std::uint64_t count = 0;
    };
    void spill();

    Options m_options;
    std::vector<std::uint64_t> m_buffer;
    std::vector<std::uint64_t> m_counts; ///< values per group
    std::vector<Run> m_runs;
    int m_fd = -1;
    std::uint64_t m_file_entries = 0;
    std::size_t m_runs_spilled = 0;
};

} // namespace borderwatch::detail
