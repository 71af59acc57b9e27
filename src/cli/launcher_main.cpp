// `borderwatch`, the start-up program. Loading GDAL's ~110 shared libraries costs ~60 ms
// before main() runs, more than the whole of `locate LON LAT` with a warm geodata cache. This
// program runs the quick commands (cli/quick_commands.cpp: info, border, locate, resolve) and
// links no GDAL; every other command, and a quick one that meets a file only GDAL reads (a
// border file in another format or CRS), is handed to borderwatch-full with the same
// arguments (execv: same process id, streams, exit status).
//
// How GDAL stays out: the libraries are static archives, so only the objects a quick command
// references are linked (and --as-needed drops the shared libraries nobody references). The
// one GDAL call on a quick command's way, read_gdal_features(), is defined here instead, to ask
// for the full program; were its own object (io/gdal_features.cpp) ever pulled in too, the
// link would fail on the duplicate definition rather than load GDAL unnoticed.
#include "cli/command_line.hpp"

#include "io/vector_features.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include <unistd.h>

namespace {

/// Thrown where only the full program can go on; deliberately no std::exception, so no error
/// handler on the way mistakes it for a failure.
struct NeedsFullProgram {};

bool is_quick_command(std::string_view name) {
    for (const auto &info : borderwatch::cli::quick_commands()) {
        if (name == info.name) {
            return true;
        }
    }
    return false;
}

/// borderwatch-full beside this program (build tree) or in ../libexec (installed).
std::filesystem::path full_program() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto dir = ec ? std::filesystem::path(".") : self.parent_path();
    for (const auto &candidate :
         {dir / "borderwatch-full", dir.parent_path() / "libexec" / "borderwatch-full"}) {
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return dir / "borderwatch-full";
}

int run_full_program(char **argv) {
    std::cout.flush();
    const auto path = full_program();
    ::execv(path.c_str(), argv);
    std::cerr << "borderwatch: error: cannot run '" << path.string()
              << "': " << std::strerror(errno) << '\n';
    return borderwatch::cli::exit_failure;
}

} // namespace

namespace borderwatch::detail {

std::vector<VectorFeature> read_gdal_features(const std::filesystem::path & /*path*/,
                                              const std::vector<std::string> & /*field_names*/) {
    throw NeedsFullProgram{};
}

} // namespace borderwatch::detail

int main(int argc, char **argv) {
    using namespace borderwatch::cli;
    if (argc > 1 && is_quick_command(argv[1])) {
        try {
            CommandLine command_line(quick_commands());
            return run_command_line(command_line, argc, argv);
        } catch (const NeedsFullProgram &) {
            // Thrown while loading the border, before any output: the full program starts over.
        }
    }
    return run_full_program(argv);
}
