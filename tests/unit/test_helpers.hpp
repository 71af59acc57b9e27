#pragma once
// Helpers shared by the unit tests.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace borderwatch::test {

/// A new empty directory under the system temp dir, unique across tests and runs:
/// <tmp>/<prefix>-<steady clock stamp>-<counter>.
inline std::filesystem::path unique_temp_dir(const std::string &prefix) {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    auto dir = std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(stamp) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace borderwatch::test
