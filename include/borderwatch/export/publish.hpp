#pragma once
/// @file
/// The layout of an export directory, published atomically as a set
/// (docs/export-directory.md):
///
///     OUT/.runs/<run>/   one complete export: its files and its manifest.json, fsync'ed,
///                        never modified once published
///     OUT/current        symlink to .runs/<run>; replaced with rename(2), which is the one
///                        moment a new export becomes visible (all files at once)
///     OUT/<file>         symlink to current/<file> for every file of the current run, so
///                        existing paths (QGIS projects, scripts) keep working
///
/// A reader that resolves `current` once (or opens files under OUT/current/) sees one run
/// only; the previous run is kept until the next publication (k_export_runs_kept), so a
/// reader that resolved it just before a swap is not cut off.

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace borderwatch {

/// Hidden directory of OUT holding the runs.
inline constexpr std::string_view k_export_runs_dir = ".runs";
/// The published run's symlink in OUT.
inline constexpr std::string_view k_export_current_link = "current";
/// Runs kept after a publication: the new current one and the one it replaced.
inline constexpr std::size_t k_export_runs_kept = 2;

/// The run directory OUT/current points at (OUT/.runs/<run>), or an empty path when OUT
/// holds no published run. Never throws.
[[nodiscard]] std::filesystem::path current_export_run(const std::filesystem::path &out_dir);

/// True when @p file, found in @p out_dir, is part of borderwatch's own export machinery
/// rather than user data: anything under .runs, the `current` link, a top-level link into
/// current/, a temporary of an export, or (the layout before runs) a file listed in a plain
/// OUT/manifest.json. `borderwatch update` uses this so that an export directory can also be
/// an input directory. Never throws.
[[nodiscard]] bool is_export_output(const std::filesystem::path &out_dir,
                                    const std::filesystem::path &file);

} // namespace borderwatch
