#include <borderwatch/core/parallel.hpp>

#include <exception>
#include <thread>
#include <vector>

namespace borderwatch {

void run_in_parallel(std::size_t n, const std::function<void(std::size_t)> &job) {
    std::vector<std::exception_ptr> errors(n);
    std::vector<std::thread> threads;
    threads.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            try {
                job(i);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        });
    }
    for (auto &t : threads) {
        t.join();
    }
    for (const auto &e : errors) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
}

} // namespace borderwatch
