// Every command listed by `borderwatch --help` documents itself: usage line first, a
// description, and the exit statuses. New commands are covered without editing this file.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using borderwatch::test::run_cli;

namespace {

std::vector<std::string> listed_commands(const std::string &help) {
    std::vector<std::string> names;
    std::istringstream in(help);
    std::string line;
    bool in_list = false;
    while (std::getline(in, line)) {
        if (line == "Subcommands:") {
            in_list = true;
        } else if (in_list && line.rfind("  ", 0) == 0) {
            std::istringstream words(line);
            std::string name;
            words >> name;
            names.push_back(name);
        } else if (in_list) {
            break;
        }
    }
    return names;
}

} // namespace

TEST_CASE("every command has --help with usage, description and exit status", "[cli][help]") {
    const auto top = run_cli({"--help"});
    REQUIRE(top.exit_code == 0);
    const auto commands = listed_commands(top.stdout_text);
    REQUIRE(commands.size() >= 11);
    for (const auto &name : commands) {
        INFO("borderwatch " << name << " --help");
        const auto r = run_cli({name, "--help"});
        CHECK(r.exit_code == 0);
        CHECK(r.stderr_text.empty());
        CHECK(r.stdout_text.rfind("Usage: borderwatch " + name + " [OPTIONS]", 0) == 0);
        CHECK(r.stdout_text.find("Exit status:") != std::string::npos);
        CHECK(r.stdout_text.find("2  usage error") != std::string::npos);
    }
    const auto bad = run_cli({"no-such-command"});
    CHECK(bad.exit_code == 2);
    CHECK_FALSE(bad.stderr_text.empty());
}
