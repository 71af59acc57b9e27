#include "cli/commands/commands.hpp"

#include <borderwatch/core/paths.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

class InfoCommand final : public Command {
  public:
    void setup(CLI::App &app) override { app.footer(exit_status_footer()); }

    int run() override {
        std::cout << "borderwatch " << version_string() << '\n'
                  << "geodata: "
                  << (globals().geodata.empty() ? geodata_dir().string() : globals().geodata)
                  << '\n';
        return exit_ok;
    }
};

} // namespace

std::unique_ptr<Command> make_info_command() {
    return std::make_unique<InfoCommand>();
}

} // namespace borderwatch::cli
