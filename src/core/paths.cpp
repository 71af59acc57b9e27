#include <borderwatch/core/paths.hpp>

#include <borderwatch/core/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace borderwatch {

namespace {

std::filesystem::path find_data_dir(const char *env_var, const char *installed_name,
                                    const char *source_dir) {
    if (const char *env = std::getenv(env_var); env != nullptr && *env != '\0') {
        if (std::filesystem::is_directory(env)) {
            return env;
        }
        throw DataError(std::string(env_var) + " points to '" + env +
                        "', which is not a directory");
    }
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed =
            exe.parent_path().parent_path() / "share" / "borderwatch" / installed_name;
        if (std::filesystem::is_directory(installed)) {
            return installed;
        }
    }
    if (std::filesystem::is_directory(source_dir)) {
        return source_dir;
    }
    throw DataError(std::string("cannot find borderwatch's ") + installed_name +
                    " directory; set " + env_var);
}

} // namespace

std::filesystem::path geodata_dir() {
    return find_data_dir("BORDERWATCH_GEODATA", "geodata", BORDERWATCH_SOURCE_GEODATA);
}

std::filesystem::path styles_dir() {
    return find_data_dir("BORDERWATCH_STYLES", "styles", BORDERWATCH_SOURCE_STYLES);
}

const char *version_string() noexcept {
    return BORDERWATCH_VERSION_STRING;
}

std::ifstream open_input_file(const std::filesystem::path &path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw IoError("cannot read '" + path.string() + "': " + std::strerror(EISDIR));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int reason = errno;
        throw IoError("cannot open '" + path.string() +
                      "': " + (reason != 0 ? std::strerror(reason) : "unreadable"));
    }
    return in;
}

void create_directories_checked(const std::filesystem::path &path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        throw IoError("cannot create directory '" + path.string() + "': " + ec.message());
    }
    if (!std::filesystem::is_directory(path, ec)) {
        throw IoError("cannot create directory '" + path.string() + "': " + std::strerror(EEXIST) +
                      " (a file of that name is in the way)");
    }
}

std::string describe_filesystem_error(const std::filesystem::filesystem_error &e) {
    // what() is "filesystem error: OPERATION: REASON [PATH1] [PATH2]" (libstdc++);
    // keep OPERATION, then the paths, then the OS reason.
    std::string operation = e.what();
    constexpr std::string_view prefix = "filesystem error: ";
    if (operation.rfind(prefix, 0) == 0) {
        operation.erase(0, prefix.size());
    }
    const auto reason = e.code().message();
    if (const auto at = operation.find(": " + reason); at != std::string::npos) {
        operation.erase(at);
    } else if (const auto bracket = operation.find(" ["); bracket != std::string::npos) {
        operation.erase(bracket);
    }
    std::string out = operation;
    if (!e.path1().empty()) {
        out += " '" + e.path1().string() + "'";
    }
    if (!e.path2().empty()) {
        out += " and '" + e.path2().string() + "'";
    }
    return out + ": " + reason;
}

} // namespace borderwatch
