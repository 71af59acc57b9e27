#pragma once
// The one progress renderer of the commands (export, update): what the global options
// --progress, --no-progress, --json-progress and -q decide, drawn on stderr.

#include "cli/command.hpp"

#include <borderwatch/core/progress.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace borderwatch::cli {

using borderwatch::ProgressCallback; // the library's one progress type (core/progress.hpp)

/// Progress on stderr:
/// - with --json-progress, one {"stage":"...","done":N,"total":M,"fraction":F} per line;
/// - else, unless -q or --no-progress, and only when stderr is a terminal or --progress is
///   given, one line redrawn in place: "<label> <stage> <done>/<total>", cleared at the end.
class ProgressRenderer {
  public:
    /// @param label what leads the line ("export:", "update: export")
    /// @param bar_allowed false when the command already writes structured lines on stderr
    ///        (update --json-log): no redrawn line then, JSON progress still as asked
    ProgressRenderer(const GlobalOptions &globals, std::string label, bool bar_allowed = true);
    /// Clears the redrawn line.
    ~ProgressRenderer();
    ProgressRenderer(const ProgressRenderer &) = delete;
    ProgressRenderer &operator=(const ProgressRenderer &) = delete;

    /// The callback for the library; empty when nothing is to be shown (so the library
    /// skips the calls).
    [[nodiscard]] ProgressCallback callback() const;
    /// Erase the redrawn line now (before printing results or messages).
    void clear();

  private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace borderwatch::cli
