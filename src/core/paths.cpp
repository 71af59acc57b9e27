#include <borderwatch/core/paths.hpp>

#include <borderwatch/core/error.hpp>

#include <cstdlib>
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

} // namespace borderwatch
