// External sort for exact per-group quantiles (see export/detail/group_quantiles.hpp).
// A key is (group << 32 | order-preserving bits of the float value), so sorting plain
// 64-bit integers orders by group, then by value, and a run on disk is just those integers.

#include "export/detail/group_quantiles.hpp"

#include <borderwatch/core/error.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <queue>
#include <string>
#include <utility>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

namespace borderwatch::detail {

namespace {

/// Float bits mapped so that unsigned integer order is float order (negatives flipped).
std::uint32_t order_bits(float value) {
    const auto b = std::bit_cast<std::uint32_t>(value);
    return (b & 0x80000000U) != 0 ? ~b : (b | 0x80000000U);
}

float from_order_bits(std::uint32_t o) {
    return std::bit_cast<float>((o & 0x80000000U) != 0 ? (o & 0x7fffffffU) : ~o);
}

std::string errno_text() {
    return std::strerror(errno);
}

class UniqueFd {
  public:
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    [[nodiscard]] int get() const noexcept { return m_fd; }
    int release() noexcept { return std::exchange(m_fd, -1); }

  private:
    int m_fd;
};

/// A temporary file with no name: O_TMPFILE where the file system supports it, else
/// mkstemp + unlink right away. Either way nothing is left behind, whatever happens.
int open_anonymous(const std::filesystem::path &dir_option) {
    const auto dir = dir_option.empty() ? std::filesystem::temp_directory_path() : dir_option;
#ifdef O_TMPFILE
    const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        return fd;
    }
#endif
    std::string name = (dir / ".borderwatch-sort-XXXXXX").string();
    const int named = ::mkostemp(name.data(), O_CLOEXEC);
    if (named < 0) {
        throw IoError("cannot create a temporary file in '" + dir.string() + "': " + errno_text());
    }
    ::unlink(name.c_str());
    return named;
}

void write_entries(int fd, const std::uint64_t *data, std::size_t n, std::uint64_t at_entry) {
    const auto *p = reinterpret_cast<const char *>(data);
    std::size_t left = n * sizeof(std::uint64_t);
    auto offset = static_cast<off_t>(at_entry * sizeof(std::uint64_t));
    while (left > 0) {
        const auto w = ::pwrite(fd, p, left, offset);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError("cannot write the statistics spill file: " + errno_text());
        }
        p += w;
        left -= static_cast<std::size_t>(w);
        offset += w;
    }
}

void read_entries(int fd, std::uint64_t *data, std::size_t n, std::uint64_t at_entry) {
    auto *p = reinterpret_cast<char *>(data);
    std::size_t left = n * sizeof(std::uint64_t);
    auto offset = static_cast<off_t>(at_entry * sizeof(std::uint64_t));
    while (left > 0) {
        const auto r = ::pread(fd, p, left, offset);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            throw IoError("cannot read the statistics spill file: " +
                          (r < 0 ? errno_text() : std::string("unexpected end")));
        }
        p += r;
        left -= static_cast<std::size_t>(r);
        offset += r;
    }
}

/// Reads one sorted run in chunks.
struct Cursor {
    std::uint64_t next = 0;      ///< entry offset of the next chunk in the file
    std::uint64_t remaining = 0; ///< entries of the run not yet read
    std::vector<std::uint64_t> chunk;
    std::size_t pos = 0;

    bool refill(int fd, std::size_t chunk_entries) {
        if (remaining == 0) {
            return false;
        }
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk_entries));
        chunk.resize(n);
        read_entries(fd, chunk.data(), n, next);
        next += n;
        remaining -= n;
        pos = 0;
        return true;
    }
};

} // namespace

GroupQuantiles::GroupQuantiles() : GroupQuantiles(Options{}) {}

GroupQuantiles::GroupQuantiles(Options options) : m_options(std::move(options)) {
    m_options.buffer_entries = std::max<std::size_t>(1, m_options.buffer_entries);
    m_options.fan_in = std::max<std::size_t>(2, m_options.fan_in);
}

GroupQuantiles::~GroupQuantiles() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void GroupQuantiles::add(std::uint32_t group, float value) {
    if (value == 0) {
        value = 0.0F; // -0 and +0 are equal values: one key
    }
    if (group >= m_counts.size()) {
        m_counts.resize(std::size_t{group} + 1, 0);
    }
    ++m_counts[group];
    m_buffer.push_back((std::uint64_t{group} << 32) | order_bits(value));
    if (m_buffer.size() >= m_options.buffer_entries) {
        spill();
    }
}

void GroupQuantiles::spill() {
    std::sort(m_buffer.begin(), m_buffer.end());
    if (m_fd < 0) {
        m_fd = open_anonymous(m_options.temp_dir);
    }
    write_entries(m_fd, m_buffer.data(), m_buffer.size(), m_file_entries);
    m_runs.push_back({m_file_entries, m_buffer.size()});
    m_file_entries += m_buffer.size();
    m_buffer.clear();
    ++m_runs_spilled;
}

namespace {

/// k-way merge of runs [first, last) of @p fd into @p sink, in key order.
template <class Sink>
void merge_runs(int fd, const std::vector<std::pair<std::uint64_t, std::uint64_t>> &runs,
                std::size_t first, std::size_t last, std::size_t chunk_entries, Sink &&sink) {
    std::vector<Cursor> cursors(last - first);
    using Item = std::pair<std::uint64_t, std::size_t>; // key, cursor
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    for (std::size_t i = 0; i < cursors.size(); ++i) {
        cursors[i].next = runs[first + i].first;
        cursors[i].remaining = runs[first + i].second;
        if (cursors[i].refill(fd, chunk_entries)) {
            heap.emplace(cursors[i].chunk[0], i);
        }
    }
    while (!heap.empty()) {
        const auto [key, i] = heap.top();
        heap.pop();
        sink(key);
        auto &c = cursors[i];
        if (++c.pos < c.chunk.size() || c.refill(fd, chunk_entries)) {
            heap.emplace(c.chunk[c.pos], i);
        }
    }
}

} // namespace

void GroupQuantiles::finish(
    const std::vector<double> &probabilities,
    const std::function<void(std::uint32_t, std::uint64_t, const std::vector<double> &)> &visit) {
    // The scan over the sorted keys: one group at a time, the values at the quantile ranks
    // are picked as they pass (the group's count is known from add()).
    bool started = false;
    std::uint32_t group = 0;
    std::uint64_t index = 0;
    std::vector<QuantileRanks> ranks;
    std::vector<double> at_lo(probabilities.size());
    std::vector<double> at_hi(probabilities.size());
    std::vector<double> quantiles(probabilities.size());
    const auto emit = [&] {
        for (std::size_t j = 0; j < ranks.size(); ++j) {
            quantiles[j] = ranks[j].value(at_lo[j], at_hi[j]);
        }
        visit(group, index, quantiles);
    };
    const auto take = [&](std::uint64_t key) {
        const auto g = static_cast<std::uint32_t>(key >> 32);
        if (!started || g != group) {
            if (started) {
                emit();
            }
            started = true;
            group = g;
            index = 0;
            ranks.clear();
            for (const double q : probabilities) {
                ranks.emplace_back(m_counts[g], q);
            }
        }
        const double v = from_order_bits(static_cast<std::uint32_t>(key));
        for (std::size_t j = 0; j < ranks.size(); ++j) {
            if (index == ranks[j].lo) {
                at_lo[j] = v;
            }
            if (index == ranks[j].hi) {
                at_hi[j] = v;
            }
        }
        ++index;
    };

    if (m_runs.empty()) { // everything fit in memory
        std::sort(m_buffer.begin(), m_buffer.end());
        for (const auto key : m_buffer) {
            take(key);
        }
    } else {
        if (!m_buffer.empty()) {
            spill();
        }
        std::vector<std::uint64_t>().swap(m_buffer); // the merge's chunks replace it
        std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
        for (const auto &r : m_runs) {
            runs.emplace_back(r.offset, r.count);
        }
        // Chunks of about buffer_entries in all (at least 1024 entries per run when the
        // buffer allows), so the merge needs no more memory than the collection did.
        const auto chunk_for = [this](std::size_t k) {
            return std::max(m_options.buffer_entries / k,
                            std::min<std::size_t>(m_options.buffer_entries, 1024));
        };
        // More runs than fan_in: merge groups of fan_in runs into a new file, until few.
        while (runs.size() > m_options.fan_in) {
            UniqueFd out(open_anonymous(m_options.temp_dir));
            std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
            std::uint64_t out_entries = 0;
            const auto chunk = chunk_for(m_options.fan_in);
            std::vector<std::uint64_t> pending;
            pending.reserve(chunk);
            const auto flush = [&] {
                write_entries(out.get(), pending.data(), pending.size(), out_entries);
                out_entries += pending.size();
                pending.clear();
            };
            for (std::size_t first = 0; first < runs.size(); first += m_options.fan_in) {
                const auto last = std::min(first + m_options.fan_in, runs.size());
                const auto start = out_entries + pending.size();
                merge_runs(m_fd, runs, first, last, chunk, [&](std::uint64_t key) {
                    pending.push_back(key);
                    if (pending.size() >= chunk) {
                        flush();
                    }
                });
                flush();
                merged.emplace_back(start, out_entries - start);
            }
            ::close(m_fd);
            m_fd = out.release();
            runs = std::move(merged);
        }
        merge_runs(m_fd, runs, 0, runs.size(), chunk_for(runs.size()), take);
    }
    if (started) {
        emit();
    }
    m_buffer.clear();
    m_counts.clear();
    m_runs.clear();
    m_file_entries = 0;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

} // namespace borderwatch::detail
