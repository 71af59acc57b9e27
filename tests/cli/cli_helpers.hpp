#pragma once
// Running the real borderwatch binary from CLI end-to-end tests.
//
//   auto r = run_cli({"locate", "70.78902", "38.45373", "--format", "csv"});
//   REQUIRE(r.exit_code == 0);
//   CHECK(r.stderr_text.empty());
//
// Arguments are shell-quoted; stdin, stdout and stderr go through unique temporary files
// (removed afterwards), so large outputs and binary data are fine.

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace borderwatch::test {

/// What a run of the binary produced.
struct CliResult {
    int exit_code = -1;      ///< the process's exit status (-1 if it did not exit normally)
    std::string stdout_text; ///< everything written to stdout
    std::string stderr_text; ///< everything written to stderr
};

/// Single-quote an argument for /bin/sh.
inline std::string shell_quote(const std::string &arg) {
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

/// A unique path in the system temp directory (not created).
inline std::filesystem::path unique_temp_path(const std::string &stem,
                                              const std::string &ext = "") {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const auto name = "borderwatch-test-" + stem + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(counter++) + "-" + std::to_string(rd()) + ext;
    return std::filesystem::temp_directory_path() / name;
}

/// A temporary file that is deleted when it goes out of scope.
class TempFile {
  public:
    explicit TempFile(const std::string &stem = "file", const std::string &ext = "",
                      const std::optional<std::string> &content = std::nullopt)
        : m_path(unique_temp_path(stem, ext)) {
        if (content) {
            std::ofstream out(m_path, std::ios::binary);
            out << *content;
        }
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(m_path, ec);
    }
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    [[nodiscard]] const std::filesystem::path &path() const { return m_path; }
    [[nodiscard]] std::string str() const { return m_path.string(); }

  private:
    std::filesystem::path m_path;
};

/// A fresh temporary directory, removed with everything in it at the end of the scope.
class TempDir {
  public:
    explicit TempDir(const std::string &stem = "dir") : m_path(unique_temp_path(stem)) {
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    [[nodiscard]] const std::filesystem::path &path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

/// Read a whole file ("" if it does not exist).
inline std::string read_text_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Run @p program with @p args, feeding @p stdin_text on stdin (empty: /dev/null).
/// @p env_prefix is prepended to the command line (e.g. "TZ=UTC ").
inline CliResult run_program(const std::string &program, const std::vector<std::string> &args,
                             const std::string &stdin_text = {},
                             const std::string &env_prefix = {}) {
    TempFile in("stdin", ".txt", stdin_text);
    TempFile out("stdout", ".txt");
    TempFile err("stderr", ".txt");
    std::string command = env_prefix + shell_quote(program);
    for (const auto &a : args) {
        command += ' ';
        command += shell_quote(a);
    }
    command += " <" + shell_quote(in.str()) + " >" + shell_quote(out.str()) + " 2>" +
               shell_quote(err.str());
    const int status = std::system(command.c_str());
    CliResult result;
    if (status != -1 && WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    }
    result.stdout_text = read_text_file(out.path());
    result.stderr_text = read_text_file(err.path());
    return result;
}

/// Run BORDERWATCH_EXE (the program users run) with @p args; see run_program().
inline CliResult run_cli(const std::vector<std::string> &args, const std::string &stdin_text = {},
                         const std::string &env_prefix = {}) {
    return run_program(BORDERWATCH_EXE, args, stdin_text, env_prefix);
}

/// Convenience overload: run_cli({"locate", "70", "38"}).
inline CliResult run_cli(std::initializer_list<std::string> args,
                         const std::string &stdin_text = {}) {
    return run_cli(std::vector<std::string>(args), stdin_text);
}

/// Run a shell command line (another tool: ogrinfo, xmllint ...); its stdout and stderr.
inline std::string run_cli_command(const std::string &command) {
    TempFile out("command", ".txt");
    const std::string line = command + " >" + shell_quote(out.str()) + " 2>&1";
    [[maybe_unused]] const int status = std::system(line.c_str());
    return read_text_file(out.path());
}

/// Split text into lines (without the '\n'; a trailing newline adds no empty line).
inline std::vector<std::string> split_lines(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

} // namespace borderwatch::test
