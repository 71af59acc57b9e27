// borderwatch-full: every command (cli/commands.cpp). Users run `borderwatch`, the start-up
// program (launcher_main.cpp), which runs the quick commands itself and hands everything
// else to this one with the same arguments.
#include "cli/command_line.hpp"

int main(int argc, char **argv) {
    using namespace borderwatch::cli;
    CommandLine command_line(all_commands());
    return run_command_line(command_line, argc, argv);
}
