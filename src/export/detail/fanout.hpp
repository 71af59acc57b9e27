#pragma once
// One producer, N consumer threads that each see every row, in order: the export reads the
// store once and every output format writes the same rows on its own thread. Rows live in a
// fixed ring of batches (reused, never reallocated), so memory does not depend on the row
// count; the producer waits when the slowest consumer is a full ring behind.

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace borderwatch::detail {

template <class Row> class FanOut {
  public:
    using Consumer = std::function<void(const Row &)>;

    /// Starts one thread per consumer. A consumer that throws stops the fan-out: the
    /// producer's next push()/close() rethrows its exception.
    explicit FanOut(std::vector<Consumer> consumers, std::size_t batch_rows = 512,
                    std::size_t slots = 4)
        : m_consumers(std::move(consumers)), m_batch_rows(batch_rows),
          m_batches(slots, std::vector<Row>(batch_rows)), m_sizes(slots, 0),
          m_consumed(m_consumers.size(), 0) {
        m_threads.reserve(m_consumers.size());
        for (std::size_t w = 0; w < m_consumers.size(); ++w) {
            m_threads.emplace_back([this, w] { run(w); });
        }
    }
    FanOut(const FanOut &) = delete;
    FanOut &operator=(const FanOut &) = delete;
    /// Without close() (the producer failed): stop the consumers, drop their work.
    ~FanOut() {
        {
            std::lock_guard lock(m_mutex);
            m_abort = true;
        }
        m_changed.notify_all();
        join();
    }

    /// The row to fill next; it is handed over by push(). Its previous contents are still
    /// there (reuse the allocated memory).
    Row &row() noexcept { return m_batches[m_published % m_batches.size()][m_fill]; }

    /// Hand the filled row to the consumers. @throws what a consumer threw
    void push() {
        if (++m_fill == m_batch_rows) {
            publish();
        }
    }

    /// Hand over the last rows and wait until every consumer has written everything.
    /// @throws what a consumer threw
    void close() {
        if (m_fill > 0) {
            publish();
        }
        {
            std::lock_guard lock(m_mutex);
            m_closed = true;
        }
        m_changed.notify_all();
        join();
        if (m_error) {
            std::rethrow_exception(m_error);
        }
    }

  private:
    void publish() {
        std::unique_lock lock(m_mutex);
        m_sizes[m_published % m_batches.size()] = m_fill;
        ++m_published;
        m_fill = 0;
        m_changed.notify_all();
        // The slot of the next batch must have been written by every consumer.
        const std::size_t slots = m_batches.size();
        m_changed.wait(lock, [&] {
            if (m_abort) {
                return true;
            }
            for (const auto done : m_consumed) {
                if (done + slots <= m_published) {
                    return false;
                }
            }
            return true;
        });
        if (m_error) {
            std::rethrow_exception(m_error);
        }
    }

    void run(std::size_t w) {
        try {
            for (std::size_t seq = 0;; ++seq) {
                std::size_t size = 0;
                {
                    std::unique_lock lock(m_mutex);
                    m_changed.wait(lock, [&] { return m_abort || m_closed || m_published > seq; });
                    if (m_abort || m_published <= seq) {
                        return;
                    }
                    size = m_sizes[seq % m_batches.size()];
                }
                const auto &batch = m_batches[seq % m_batches.size()];
                for (std::size_t i = 0; i < size; ++i) {
                    m_consumers[w](batch[i]);
                }
                {
                    std::lock_guard lock(m_mutex);
                    m_consumed[w] = seq + 1;
                }
                m_changed.notify_all();
            }
        } catch (...) {
            {
                std::lock_guard lock(m_mutex);
                if (!m_error) {
                    m_error = std::current_exception();
                }
                m_abort = true;
            }
            m_changed.notify_all();
        }
    }

    void join() {
        for (auto &t : m_threads) {
            if (t.joinable()) {
                t.join();
            }
        }
    }

    std::vector<Consumer> m_consumers;
    std::size_t m_batch_rows;
    std::vector<std::vector<Row>> m_batches;
    std::vector<std::size_t> m_sizes;    // rows in each published batch
    std::vector<std::size_t> m_consumed; // batches finished, per consumer
    std::size_t m_published = 0;         // batches handed over
    std::size_t m_fill = 0;              // rows filled in the current batch
    bool m_closed = false;
    bool m_abort = false;
    std::exception_ptr m_error;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<std::thread> m_threads; // last: started after everything above exists
};

} // namespace borderwatch::detail
