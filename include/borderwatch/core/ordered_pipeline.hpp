#pragma once
/// @file
/// Reader -> worker threads -> ordered writer, for streaming commands (locate, resolve):
/// batches are read and written on the calling thread, in input order, while up to N
/// workers process the batches in between. The output does not depend on N.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace borderwatch {

/// Run @p read (fills a batch; false at the end of input), @p work (on a worker thread) and
/// @p write (in read order) over the whole input. With @p workers <= 1 everything runs on
/// the calling thread, one batch at a time. At most 2 * workers batches are in flight, so
/// memory stays flat. The first exception (of read, work or write, in input order) is
/// rethrown after every worker has stopped.
template <class Batch, class Read, class Work, class Write>
void run_ordered_pipeline(std::size_t workers, Read &&read, Work &&work, Write &&write) {
    if (workers <= 1) {
        Batch batch;
        while (read(batch)) {
            work(batch);
            write(batch);
        }
        return;
    }
    struct Slot {
        Batch batch;
        bool done = false;
        std::exception_ptr error;
    };
    std::mutex mutex;
    std::condition_variable work_ready;          // a slot to process, or stop
    std::condition_variable slot_done;           // a slot finished
    std::deque<Slot *> todo;                     // read, not yet taken by a worker
    std::deque<std::unique_ptr<Slot>> in_flight; // read, not yet written, in input order
    std::vector<std::unique_ptr<Slot>> spare;    // written slots, reused (keeps buffers)
    bool stop = false;

    std::vector<std::thread> threads;
    auto worker = [&] {
        for (;;) {
            Slot *slot = nullptr;
            {
                std::unique_lock lock(mutex);
                work_ready.wait(lock, [&] { return stop || !todo.empty(); });
                if (todo.empty()) {
                    return;
                }
                slot = todo.front();
                todo.pop_front();
            }
            try {
                work(slot->batch);
            } catch (...) {
                slot->error = std::current_exception();
            }
            {
                const std::lock_guard lock(mutex);
                slot->done = true;
            }
            slot_done.notify_all();
        }
    };
    auto stop_workers = [&] {
        {
            const std::lock_guard lock(mutex);
            stop = true;
            todo.clear();
        }
        work_ready.notify_all();
        for (auto &t : threads) {
            t.join();
        }
        threads.clear();
    };
    // Write the oldest slot once its work is done; false when it failed (error rethrown).
    auto write_front = [&] {
        Slot *front = in_flight.front().get();
        {
            std::unique_lock lock(mutex);
            slot_done.wait(lock, [&] { return front->done; });
        }
        if (front->error) {
            std::rethrow_exception(front->error);
        }
        write(front->batch);
        spare.push_back(std::move(in_flight.front()));
        in_flight.pop_front();
    };

    try {
        threads.reserve(workers);
        for (std::size_t i = 0; i < workers; ++i) {
            threads.emplace_back(worker);
        }
        for (;;) {
            if (in_flight.size() >= 2 * workers) {
                write_front();
            }
            std::unique_ptr<Slot> slot;
            if (spare.empty()) {
                slot = std::make_unique<Slot>();
            } else {
                slot = std::move(spare.back());
                spare.pop_back();
                slot->done = false;
                slot->error = nullptr;
            }
            if (!read(slot->batch)) {
                break;
            }
            {
                const std::lock_guard lock(mutex);
                todo.push_back(slot.get());
                in_flight.push_back(std::move(slot));
            }
            work_ready.notify_one();
        }
        while (!in_flight.empty()) {
            write_front();
        }
    } catch (...) {
        // Workers finish the batch they hold (its slot lives on in in_flight), take no
        // other, and are joined before the slots go away.
        stop_workers();
        throw;
    }
    stop_workers();
}

} // namespace borderwatch
