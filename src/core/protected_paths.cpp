#include <borderwatch/core/protected_paths.hpp>

#include <borderwatch/core/error.hpp>

#include <sys/stat.h>

namespace borderwatch {

bool same_file(const std::filesystem::path &a, const std::filesystem::path &b) noexcept {
    struct stat sa {};
    struct stat sb {};
    const bool a_exists = ::stat(a.c_str(), &sa) == 0;
    const bool b_exists = ::stat(b.c_str(), &sb) == 0;
    if (a_exists && b_exists) {
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    }
    if (a_exists || b_exists) {
        return false; // one exists, the other does not: two different names
    }
    std::error_code ec_a;
    std::error_code ec_b;
    const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a, ec_a), ec_a);
    const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b, ec_b), ec_b);
    return !ec_a && !ec_b && ca == cb;
}

void check_not_protected(const std::filesystem::path &output, std::string_view output_name,
                         const std::vector<ProtectedPath> &protect, std::string_view hint) {
    for (const auto &p : protect) {
        if (p.path.empty() || !same_file(output, p.path)) {
            continue;
        }
        std::string message = std::string(output_name) + " '" + output.string() + "' is " + p.what +
                              " '" + p.path.string() +
                              "'; refusing to write over it (even with --overwrite)";
        if (!hint.empty()) {
            message += ": ";
            message += hint;
        }
        throw UsageError(message);
    }
}

} // namespace borderwatch
