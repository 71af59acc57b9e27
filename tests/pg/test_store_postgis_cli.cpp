// The real binary on a PostGIS store: store init, two concurrent `import` processes with
// overlapping ids, query/stats/store info, hostile text from a CSV, masked passwords.
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "pg_test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using borderwatch::test::CliResult;
using borderwatch::test::run_cli;
using borderwatch::test::TempFile;

namespace {

const char *const k_header =
    "id,event_date,event_date_end,date_precision,event_type,sub_event_type,actor1,actor2,"
    "target,fatalities_best,fatalities_low,fatalities_high,location_text,country_text,"
    "admin1_text,admin2_text,lon,lat,geo_precision,source_name,source_url,notes\n";

// Native CSV rows [first, last) with coordinates along the border area.
std::string incidents_csv(int first, int last, const std::string &notes) {
    std::ostringstream out;
    out << k_header;
    for (int i = first; i < last; ++i) {
        const double lon = 68.0 + 6.5 * (i % 997) / 997.0;
        const double lat = 37.0 + 1.5 * (i % 101) / 101.0;
        out << "CLI-" << 100000 + i << ",2025-0" << 1 + i % 9 << "-1" << i % 10 << ",,day,"
            << (i % 2 ? "Battles" : "Explosions/Remote violence") << ",,Actor,,," << i % 4
            << ",,,Place " << i << ",Tajikistan,,," << lon << ',' << lat << ",1,test,," << notes
            << '\n';
    }
    return out.str();
}

std::string line_value(const std::string &text, const std::string &key) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ": ", 0) == 0) {
            return line.substr(key.size() + 2);
        }
    }
    return {};
}

} // namespace

TEST_CASE("CLI on PostGIS: concurrent imports, queries, hostile text, masked passwords",
          "[store_postgis_server][cli]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "cli");
    const std::string secret = "Pw-In-Spec-7731";

    auto r = run_cli({"store", "init", "--store", spec + " password=" + secret});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.find("password=***") != std::string::npos);
    CHECK(r.stdout_text.find(secret) == std::string::npos);
    CHECK(r.stderr_text.empty());

    // Two import processes at once, 300 ids in common (with different notes).
    TempFile a("pg-import-a", ".csv", incidents_csv(0, 600, "from A"));
    TempFile b("pg-import-b", ".csv", incidents_csv(300, 900, "from B"));
    CliResult ra;
    CliResult rb;
    std::thread ta([&] { ra = run_cli({"import", a.str(), "--store", spec, "--threads", "1"}); });
    std::thread tb([&] { rb = run_cli({"import", b.str(), "--store", spec, "--threads", "1"}); });
    ta.join();
    tb.join();
    INFO("import A: " << ra.stderr_text << "\nimport B: " << rb.stderr_text);
    CHECK(ra.exit_code == 0);
    CHECK(rb.exit_code == 0);
    CHECK(ra.stderr_text.empty());
    CHECK(rb.stderr_text.empty());

    r = run_cli({"store", "info", "--store", spec});
    REQUIRE(r.exit_code == 0);
    CHECK(line_value(r.stdout_text, "incidents") == "900");

    r = run_cli({"query", "--store", spec, "--format", "csv"});
    REQUIRE(r.exit_code == 0);
    const auto lines = borderwatch::test::split_lines(r.stdout_text);
    REQUIRE(lines.size() == 901);
    std::set<std::string> ids;
    std::size_t from_a = 0;
    std::size_t from_b = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        CHECK(ids.insert(lines[i].substr(0, lines[i].find(','))).second);
        from_a += lines[i].find("from A") != std::string::npos ? 1 : 0;
        from_b += lines[i].find("from B") != std::string::npos ? 1 : 0;
    }
    CHECK(ids.size() == 900);
    // The overlap holds whichever import committed last, entirely.
    CHECK(((from_a == 600 && from_b == 300) || (from_a == 300 && from_b == 600)));

    // A hostile location text arrives from a file and is stored verbatim.
    TempFile evil("pg-import-evil", ".csv",
                  std::string(k_header) +
                      "EVIL-1,2025-12-24,,day,Battles,,A,,,1,,,\"x'); DROP TABLE incidents; "
                      "--\",Tajikistan,,,69.5,37.3,1,test,,\n");
    r = run_cli({"import", evil.str(), "--store", spec, "--threads", "1"});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    // Importing it again changes nothing, not even the state token.
    r = run_cli({"store", "info", "--store", spec});
    const auto state = line_value(r.stdout_text, "state");
    CHECK_FALSE(state.empty());
    r = run_cli({"import", evil.str(), "--store", spec, "--threads", "1"});
    CHECK(r.exit_code == 0);
    r = run_cli({"store", "info", "--store", spec});
    CHECK(line_value(r.stdout_text, "state") == state);
    CHECK(line_value(r.stdout_text, "incidents") == "901");
    r = run_cli({"query", "--store", spec, "--format", "json"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.find("x'); DROP TABLE incidents; --") != std::string::npos);
    r = run_cli({"stats", "--store", spec, "--by", "side", "--format", "csv"});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    std::size_t counted = 0;
    const auto stats_lines = borderwatch::test::split_lines(r.stdout_text);
    for (std::size_t i = 1; i < stats_lines.size(); ++i) { // side,count,...
        const auto &l = stats_lines[i];
        const auto c = l.find(',') + 1;
        counted += std::stoul(l.substr(c, l.find(',', c) - c));
    }
    CHECK(counted == 901);

    // A failing connection names the store but never its password.
    r = run_cli({"query", "--store", spec + " dbname=no_such_db password=" + secret});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("no_such_db") != std::string::npos);
    CHECK(r.stderr_text.find(secret) == std::string::npos);
    r = run_cli(
        {"query", "--store", "postgresql://u:" + secret + "@/no_such_db?host=/nonexistent"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(secret) == std::string::npos);
}

namespace {

std::string toml_string(const std::string &text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

} // namespace

// Issue 12: a password given in any libpq form (or through PGPASSWORD / a service file)
// connects as a role that must authenticate, and appears nowhere borderwatch writes.
TEST_CASE("CLI on PostGIS: a password in every form connects and is never printed",
          "[store_postgis_server][cli]") {
    namespace fs = std::filesystem;
    BW_REQUIRE_PG_SERVER(server);
    const auto base = bw_test::fresh_database(server, "clipw");
    const std::string secret = "Zq9Kx se'cr\\et@:/?&=%#";
    const std::string marker = "Zq9Kx"; // in every spelling of the secret
    const auto role = bw_test::password_role(server, "cli", secret);
    const auto host = bw_test::spec_value(server, "host");
    const auto port = bw_test::spec_value(server, "port");
    const auto dbname = bw_test::spec_value(base, "dbname");
    const std::string quoted = "'Zq9Kx se\\'cr\\\\et@:/?&=%#'";
    const std::string keywords =
        "PG:host=" + host + " port=" + port + " dbname=" + dbname + " user=" + role;
    const std::string uri_tail =
        "/" + dbname + "?host=" + bw_test::percent_encode(host) + "&port=" + port;
    const auto dir = borderwatch::test::unique_temp_path("pg-password");
    fs::create_directories(dir / "drops");
    std::ofstream(dir / "drops" / "incidents.csv") << incidents_csv(0, 25, "password test");
    std::ofstream(dir / "pg_service.conf")
        << "[bwsvc]\nhost=" << host << "\nport=" << port << "\ndbname=" << dbname
        << "\nuser=" << role << "\npassword=" << secret << "\n";

    struct Form {
        std::string spec;
        std::string env; // shell prefix
    };
    const std::vector<Form> forms = {
        {keywords + " password=" + quoted, ""},
        {keywords + " password = " + quoted, ""},
        {"PG:postgresql://" + role + ":" + bw_test::percent_encode(secret) + "@" + uri_tail, ""},
        {"postgresql://" + role + ":" + bw_test::percent_encode(secret) + "@" + uri_tail, ""},
        {"postgres://" + role + "@" + uri_tail + "&password=" + bw_test::percent_encode(secret),
         ""},
        {keywords, "PGPASSWORD=" + borderwatch::test::shell_quote(secret) + " "},
        {"PG:service=bwsvc",
         "PGSERVICEFILE=" + borderwatch::test::shell_quote((dir / "pg_service.conf").string()) +
             " "},
    };
    auto clean = [&](const CliResult &r, const std::string &what) {
        INFO(what << "\nstdout: " << r.stdout_text << "\nstderr: " << r.stderr_text);
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_text.find(marker) == std::string::npos);
        CHECK(r.stderr_text.find(marker) == std::string::npos);
    };
    auto r = run_cli({"store", "init", "--store", forms.front().spec}, {}, forms.front().env);
    clean(r, "store init");
    // Without any password the role is refused: the forms below really authenticate.
    r = run_cli({"store", "info", "--store", keywords}, {}, "PGPASSWORD= PGPASSFILE=/dev/null ");
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("password") != std::string::npos);

    for (std::size_t i = 0; i < forms.size(); ++i) {
        const auto &form = forms[i];
        INFO("form " << i << ": " << bw_test::percent_encode(form.spec));
        r = run_cli({"store", "info", "--store", form.spec}, {}, form.env);
        clean(r, "store info");
        CHECK(line_value(r.stdout_text, "store").rfind("PostGIS", 0) == 0);
        if (form.env.empty()) {
            CHECK(r.stdout_text.find("password=***") != std::string::npos);
        } else {
            CHECK(r.stdout_text.find("password") == std::string::npos);
        }

        r = run_cli({"import", (dir / "drops" / "incidents.csv").string(), "--store", form.spec,
                     "--threads", "1"},
                    {}, form.env);
        clean(r, "import");

        const auto out = dir / ("export-" + std::to_string(i));
        r = run_cli({"export", "--store", form.spec, "--out", out.string()}, {}, form.env);
        clean(r, "export");
        std::size_t files = 0;
        for (const auto &entry : fs::recursive_directory_iterator(out)) {
            if (entry.is_regular_file()) {
                ++files;
                INFO(entry.path().string());
                CHECK(borderwatch::test::read_text_file(entry.path()).find(marker) ==
                      std::string::npos);
            }
        }
        CHECK(files > 3);
        const auto manifest = borderwatch::test::read_text_file(out / "manifest.json");
        CHECK(manifest.find("PostGIS") != std::string::npos);

        const auto config = dir / ("update-" + std::to_string(i) + ".toml");
        std::ofstream(config) << "store = " << toml_string(form.spec)
                              << "\n[inputs]\npaths = [\"drops\"]\n[export]\ndir = \"layers-" << i
                              << "\"\nformats = [\"geojson\", \"gpkg\"]\n";
        r = run_cli({"update", "--config", config.string()}, {}, form.env);
        clean(r, "update");
        for (const auto &entry :
             fs::recursive_directory_iterator(dir / ("layers-" + std::to_string(i)))) {
            if (entry.is_regular_file()) {
                INFO(entry.path().string());
                CHECK(borderwatch::test::read_text_file(entry.path()).find(marker) ==
                      std::string::npos);
            }
        }
    }
    r = run_cli({"store", "info", "--store", forms.front().spec});
    CHECK(line_value(r.stdout_text, "incidents") == "25");
    std::error_code ec;
    fs::remove_all(dir, ec);
}

// Issue 12: one row the server refuses is rejected as FILE:LINE with the server's message;
// the other rows are stored and the import exits 1. Bad text never reaches COPY.
TEST_CASE("CLI on PostGIS: one refused row is rejected, not the whole COPY",
          "[store_postgis_server][cli]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "clirefused");
    auto r = run_cli({"store", "init", "--store", spec});
    REQUIRE(r.exit_code == 0);
    // A rule the database administrator added, which borderwatch's validation knows nothing of.
    borderwatch::detail::PgConnection sql(borderwatch::detail::parse_pg_spec(spec));
    sql.exec("ALTER TABLE incidents ADD CONSTRAINT no_test_notes "
             "CHECK (notes IS DISTINCT FROM 'refused by policy')");
    // Lines: 1 header, 2..11 rows CLI-100000..CLI-100009; line 5 breaks the policy, line 8
    // holds a NUL byte (rejected by the import's own text check, before COPY), line 10 has
    // an id of 9,000 incompressible characters: valid text, but too long for the primary
    // key index - the server refuses it with no rule added by anyone.
    auto rows = borderwatch::test::split_lines(incidents_csv(0, 10, "fine"));
    rows[4].replace(rows[4].rfind("fine"), 4, "refused by policy");
    rows[7].replace(rows[7].rfind("fine"), 4, std::string("nul\0here", 8));
    std::string long_id = "LONG-";
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    while (long_id.size() < 9000) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        long_id += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[state % 62];
    }
    rows[9].replace(0, rows[9].find(','), long_id);
    std::string text;
    for (const auto &l : rows) {
        text += l + "\n";
    }
    TempFile csv("pg-refused", ".csv", text);
    r = run_cli({"import", csv.str(), "--store", spec, "--threads", "1"});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(csv.str() + ":5: ") != std::string::npos);
    CHECK(r.stderr_text.find("no_test_notes") != std::string::npos);
    CHECK(r.stderr_text.find("refused by the PostGIS server") != std::string::npos);
    CHECK(r.stderr_text.find(csv.str() + ":8: ") != std::string::npos);
    CHECK(r.stderr_text.find("NUL") != std::string::npos);
    CHECK(r.stderr_text.find(csv.str() + ":10: refused by the PostGIS server: index row") !=
          std::string::npos);
    r = run_cli({"store", "info", "--store", spec});
    CHECK(line_value(r.stdout_text, "incidents") == "7");
    r = run_cli({"query", "--store", spec, "--format", "csv"});
    CHECK(r.stdout_text.find("CLI-100003,") == std::string::npos); // line 5
    CHECK(r.stdout_text.find("CLI-100006,") == std::string::npos); // line 8
    CHECK(r.stdout_text.find("LONG-") == std::string::npos);       // line 10
    CHECK(r.stdout_text.find("CLI-100009,") != std::string::npos);
}

TEST_CASE("CLI store command: init, info, usage", "[cli]") {
    const auto help = run_cli({"store", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.stdout_text.rfind("Usage: borderwatch store", 0) == 0);
    CHECK(help.stdout_text.find("Exit status") != std::string::npos);
    CHECK(run_cli({"store", "init", "--help"}).exit_code == 0);

    const auto none = run_cli({"store"});
    CHECK(none.exit_code == 2);
    CHECK_FALSE(none.stderr_text.empty());

    const auto path = borderwatch::test::unique_temp_path("store-cmd", ".gpkg");
    auto r = run_cli({"store", "info", "--store", path.string()});
    CHECK(r.exit_code == 1); // info never creates a store
    CHECK_FALSE(std::filesystem::exists(path));
    r = run_cli({"store", "init", "--store", path.string()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    r = run_cli({"store", "info", "--store", path.string()});
    CHECK(r.exit_code == 0);
    CHECK(line_value(r.stdout_text, "schema_version") == "5"); // issue 17: border_id, border_part
    CHECK(line_value(r.stdout_text, "incidents") == "0");
    std::error_code ec;
    std::filesystem::remove(path, ec);
}
