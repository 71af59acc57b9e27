#pragma once
/// @file
/// Outputs never destroy inputs: the one check that an output path is not a file the same
/// command reads or owns (the active store, an input file, the update state), compared by
/// file-system identity (device + inode), so symlinks, hard links, `./x` and `../d/x`
/// spellings are all recognised. Applies whatever the options: `--overwrite` only allows
/// replacing a previous *output*.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// A file an output must never replace, and what it is ("the active store",
/// "the input file", "the update state file", ...), for the message.
struct ProtectedPath {
    std::filesystem::path path;
    std::string what;
};

/// True when @p a and @p b name the same file: the same device and inode when both exist
/// (through symlinks and any spelling); when neither exists, the same absolute path once
/// the existing part is resolved (std::filesystem::weakly_canonical). Never throws.
[[nodiscard]] bool same_file(const std::filesystem::path &a,
                             const std::filesystem::path &b) noexcept;

/// Refuse to write @p output when it is one of @p protect.
/// @param output_name how the user knows the output, e.g. "--rejects" or "export file"
/// @param hint        appended to the message: how to fix it ("choose another --rejects path")
/// @throws UsageError (exit status 2) naming both paths, e.g.
///   `--rejects 'x.csv' is the input file './x.csv'; refusing to write over it (even with
///   --overwrite): choose another --rejects path`
void check_not_protected(const std::filesystem::path &output, std::string_view output_name,
                         const std::vector<ProtectedPath> &protect, std::string_view hint = {});

} // namespace borderwatch
