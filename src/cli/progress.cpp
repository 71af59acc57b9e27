#include "cli/progress.hpp"

#include <borderwatch/core/numbers.hpp>

#include <unistd.h>

#include <iostream>

namespace borderwatch::cli {

struct ProgressRenderer::State {
    std::string label;
    bool bar = false;
    bool json = false;
    bool drawn = false; ///< a redrawn line is on the terminal
};

ProgressRenderer::ProgressRenderer(const GlobalOptions &globals, std::string label,
                                   bool bar_allowed)
    : m_state(std::make_shared<State>()) {
    m_state->label = std::move(label);
    m_state->json = globals.json_progress;
    m_state->bar = !m_state->json && bar_allowed && !globals.quiet && !globals.no_progress &&
                   (globals.progress || ::isatty(STDERR_FILENO) == 1);
}

ProgressRenderer::~ProgressRenderer() {
    clear();
}

ProgressCallback ProgressRenderer::callback() const {
    if (!m_state->bar && !m_state->json) {
        return {};
    }
    return [state = m_state](const std::string &stage, std::uint64_t done, std::uint64_t total) {
        if (state->json) {
            std::cerr << R"({"stage":")" << stage << R"(","done":)" << done;
            if (total > 0) {
                std::cerr << R"(,"total":)" << total << R"(,"fraction":)"
                          << format_fixed(static_cast<double>(done) / static_cast<double>(total),
                                          4);
            }
            std::cerr << "}\n";
            return;
        }
        std::cerr << '\r' << state->label << ' ' << stage << ' ' << done;
        if (total > 0) {
            std::cerr << '/' << total;
        }
        std::cerr << "          " << std::flush;
        state->drawn = true;
    };
}

void ProgressRenderer::clear() {
    if (m_state->drawn) {
        std::cerr << '\r' << std::string(60, ' ') << '\r' << std::flush;
        m_state->drawn = false;
    }
}

} // namespace borderwatch::cli
