#pragma once
// External merge sort of fixed-size records with bounded memory: records are collected in a
// chunk; a full chunk is sorted and appended to an anonymous temporary file as one sorted
// run; merge() streams every record in order (k-way merge of the runs). Memory is one chunk
// plus small read buffers, whatever the number of records. Used for the GeoPackage R-tree
// bulk load (Hilbert order of the leaves, then fid order of the rowid map) and the exact
// distance quantiles of `stats`.

#include <borderwatch/core/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <queue>
#include <type_traits>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace borderwatch::detail {

template <typename T, typename Less> class SpoolSorter {
    static_assert(std::is_trivially_copyable_v<T>, "records are written to disk as bytes");

  public:
    explicit SpoolSorter(std::size_t chunk_records = 131072, Less less = Less{})
        : m_chunk(std::max<std::size_t>(chunk_records, 1024)), m_less(less) {}

    void add(const T &v) {
        if (m_buf.capacity() == 0) {
            m_buf.reserve(m_chunk);
        }
        m_buf.push_back(v);
        ++m_size;
        if (m_buf.size() == m_chunk) {
            spill();
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    /// Drop everything (the temporary file is released).
    void clear() {
        m_buf.clear();
        m_buf.shrink_to_fit();
        m_runs.clear();
        m_file.reset();
        m_size = 0;
    }

    /// Call f(const T&) for every record in sorted order. The sorter is empty afterwards.
    /// @throws IoError when the temporary file cannot be written or read
    template <typename F> void merge(F &&f) {
        if (m_runs.empty()) {
            std::sort(m_buf.begin(), m_buf.end(), m_less);
            for (const auto &v : m_buf) {
                f(v);
            }
            clear();
            return;
        }
        if (!m_buf.empty()) {
            spill();
        }
        m_buf.clear();
        m_buf.shrink_to_fit();
        std::fflush(m_file.get());
        const int fd = fileno(m_file.get());
        // Read buffers share one chunk's worth of memory.
        const std::size_t per_run = std::max<std::size_t>(256, m_chunk / m_runs.size());
        struct Cursor {
            std::vector<T> buf;
            std::size_t pos = 0;
            std::size_t next = 0; ///< next record of the run to read
            std::size_t end = 0;  ///< one past the run's last record
        };
        std::vector<Cursor> cursors(m_runs.size());
        auto refill = [&](Cursor &c) {
            const std::size_t n = std::min(per_run, c.end - c.next);
            c.buf.resize(n);
            c.pos = 0;
            if (n == 0) {
                return false;
            }
            const auto bytes = static_cast<ssize_t>(n * sizeof(T));
            if (::pread(fd, c.buf.data(), static_cast<std::size_t>(bytes),
                        static_cast<off_t>(c.next * sizeof(T))) != bytes) {
                throw IoError("cannot read the temporary sort file");
            }
            c.next += n;
            return true;
        };
        auto greater = [&](std::size_t a, std::size_t b) {
            return m_less(cursors[b].buf[cursors[b].pos], cursors[a].buf[cursors[a].pos]);
        };
        std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(greater)> heap(greater);
        for (std::size_t i = 0; i < m_runs.size(); ++i) {
            cursors[i].next = m_runs[i].first;
            cursors[i].end = m_runs[i].first + m_runs[i].second;
            if (refill(cursors[i])) {
                heap.push(i);
            }
        }
        while (!heap.empty()) {
            const std::size_t i = heap.top();
            heap.pop();
            auto &c = cursors[i];
            f(c.buf[c.pos]);
            if (++c.pos < c.buf.size() || refill(c)) {
                heap.push(i);
            }
        }
        clear();
    }

  private:
    struct FileCloser {
        void operator()(std::FILE *f) const noexcept { std::fclose(f); }
    };

    void spill() {
        std::sort(m_buf.begin(), m_buf.end(), m_less);
        if (!m_file) {
            m_file.reset(std::tmpfile());
            if (!m_file) {
                throw IoError("cannot create a temporary file for sorting");
            }
        }
        if (std::fwrite(m_buf.data(), sizeof(T), m_buf.size(), m_file.get()) != m_buf.size()) {
            throw IoError("cannot write the temporary sort file (disk full?)");
        }
        m_runs.emplace_back(m_spilled, m_buf.size());
        m_spilled += m_buf.size();
        m_buf.clear();
    }

    std::size_t m_chunk;
    Less m_less;
    std::vector<T> m_buf;
    std::vector<std::pair<std::size_t, std::size_t>> m_runs; ///< (first record, count)
    std::size_t m_spilled = 0;
    std::size_t m_size = 0;
    std::unique_ptr<std::FILE, FileCloser> m_file;
};

} // namespace borderwatch::detail
