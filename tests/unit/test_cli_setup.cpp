// The command line as a tested shell: every command's setup() and validate() parse and
// check arguments without running anything (cli/command_line.hpp). Bad options are usage
// errors (CLI::ParseError from CLI11, UsageError from validate()); good ones fill the
// options the library takes.

#include "cli/command_line.hpp"
#include "cli/commands/export.hpp"
#include "cli/commands/stats.hpp"

#include "test_helpers.hpp"

#include <borderwatch/core/error.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using namespace borderwatch;
using namespace borderwatch::cli;

namespace {

/// Parse @p args as main() does and return the chosen command, validated, not run.
Command &parse(CommandLine &cl, const std::vector<std::string> &args) {
    cl.parse(args);
    return cl.chosen();
}

/// True if parsing and validating @p args fails as a usage error (exit status 2).
bool usage_error(const std::vector<std::string> &args) {
    CommandLine cl(all_commands());
    try {
        (void)parse(cl, args);
    } catch (const CLI::ParseError &) {
        return true;
    } catch (const UsageError &) {
        return true;
    }
    return false;
}

std::optional<std::string> env(const char *name) {
    const char *v = std::getenv(name);
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
}

std::vector<std::string> labels(const std::vector<DistanceBand> &bands) {
    std::vector<std::string> out;
    for (const auto &b : bands) {
        out.push_back(b.label());
    }
    return out;
}

} // namespace

TEST_CASE("cli export: good arguments give the export options, nothing is written",
          "[cli][setup]") {
    const auto tmp = test::unique_temp_dir("bw-cli-setup");
    const auto out = tmp / "layers";
    const auto store = tmp / "incidents.gpkg";
    CommandLine cl(all_commands());
    auto &command =
        parse(cl, {"export",  "--out",        out.string(),  "--formats",   "gpkg, kml",
                   "--store", store.string(), "--border",    "TJK-CHN",     "--sector-km",
                   "25",      "--bands",      "2,10",        "--overwrite", "--csv-raw-formulas",
                   "--side",  "TJK",          "--within-km", "30",          "--near",
                   "Khorog",  "--km",         "12.5",        "--bbox",      "67,36,75,39",
                   "--from",  "2024-01",      "--to",        "2024-06",     "--type",
                   "Battles", "--type",       "Riots"});
    auto *export_command = dynamic_cast<ExportCommand *>(&command);
    REQUIRE(export_command != nullptr);
    const auto &o = export_command->options();
    CHECK(o.out_dir == out);
    CHECK(o.formats == std::vector<ExportFormat>{ExportFormat::gpkg, ExportFormat::kml});
    CHECK(o.sector_km == 25);
    CHECK(labels(o.bands) == std::vector<std::string>{"0-2", "2-10", ">10"});
    CHECK(o.overwrite);
    CHECK(o.csv_formulas == CsvFormulas::raw);
    CHECK(o.geodata_dir.empty()); // no --geodata: the library's default
    CHECK(export_command->store_spec() == store.string());
    CHECK(export_command->border() == "TJK-CHN");
    const auto &f = export_command->filter();
    CHECK(f.side == "TJK");
    CHECK(f.within_km == 30);
    CHECK(f.near == "Khorog");
    CHECK(f.near_km == 12.5);
    CHECK(f.bbox == "67,36,75,39");
    CHECK(f.from_date == "2024-01");
    CHECK(f.to_date == "2024-06");
    CHECK(f.event_types == std::vector<std::string>{"Battles", "Riots"});
    // Parse and validate only: no output directory, no store.
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(store));
    std::filesystem::remove_all(tmp);
}

TEST_CASE("cli export: defaults", "[cli][setup]") {
    CommandLine cl(all_commands());
    auto *command = dynamic_cast<ExportCommand *>(&parse(cl, {"export", "-o", "somewhere"}));
    REQUIRE(command != nullptr);
    const auto &o = command->options();
    CHECK(o.formats == std::vector<ExportFormat>{ExportFormat::geojson, ExportFormat::kml,
                                                 ExportFormat::gpkg, ExportFormat::csv});
    CHECK(o.sector_km == 50);
    CHECK(labels(o.bands) == labels(default_distance_bands()));
    CHECK_FALSE(o.overwrite);
    CHECK(o.csv_formulas == CsvFormulas::neutralise);
    CHECK(command->border() == "TJK-AFG");
    CHECK(command->filter().empty());
}

TEST_CASE("cli export: bad options are usage errors", "[cli][setup]") {
    CHECK_FALSE(usage_error({"export", "--out", "x"})); // the control: these arguments are fine
    CHECK(usage_error({"export"}));                     // --out is required
    CHECK(usage_error({"export", "--out", "x", "--formats", "shp"}));
    CHECK(usage_error({"export", "--out", "x", "--formats", "geojson,,kml"}));
    CHECK(usage_error({"export", "--out", "x", "--sector-km", "0"}));
    CHECK(usage_error({"export", "--out", "x", "--sector-km", "-5"}));
    CHECK(usage_error({"export", "--out", "x", "--bands", "5,1"}));
    CHECK(usage_error({"export", "--out", "x", "--bands", "one,two"}));
    CHECK(usage_error({"export", "--out", "x", "--bbox", "67,36,75"}));
    CHECK(usage_error({"export", "--out", "x", "--bbox", "75,36,67,39"})); // W > E
    CHECK(usage_error({"export", "--out", "x", "--bbox", "67,36,75,95"})); // N > 90
    CHECK(usage_error({"export", "--out", "x", "--near", "Khorog", "--km", "-1"}));
    CHECK(usage_error({"export", "--out", "x", "--km", "10"})); // --km without --near
    CHECK(usage_error({"export", "--out", "x", "--within-km", "-3"}));
    CHECK(usage_error({"export", "--out", "x", "--from", "2024-13"}));
    CHECK(usage_error({"export", "--out", "x", "--from", "2024-06", "--to", "2024-01"}));
    CHECK(usage_error({"export", "--out", "x", "--side", "XYZ"}));
    CHECK(usage_error({"export", "--out", "x", "--precision-max", "9"}));
    CHECK(usage_error({"export", "--out", "x", "--no-such-option"}));
}

TEST_CASE("cli stats: good arguments give the statistics options", "[cli][setup]") {
    CommandLine cl(all_commands());
    auto *command = dynamic_cast<StatsCommand *>(
        &parse(cl, {"stats", "--by", "side,band", "--bands", "1,5,20", "--sector-km", "100",
                    "--format", "json", "--admin1", "Khatlon", "--min-fatalities", "2"}));
    REQUIRE(command != nullptr);
    const auto &o = command->options();
    CHECK(o.by == std::vector<StatsKey>{StatsKey::side, StatsKey::band});
    CHECK(o.band_edges_km == std::vector<double>{0, 1, 5, 20});
    CHECK(o.sector_km == 100);
    CHECK_FALSE(o.border_length_km); // the border is read by run(), not by the parse
    CHECK(command->format() == "json");
    CHECK(command->filter().admin1 == std::vector<std::string>{"Khatlon"});
    CHECK(command->filter().min_fatalities == 2);
}

TEST_CASE("cli stats, query, import, locate: bad options are usage errors", "[cli][setup]") {
    CHECK_FALSE(usage_error({"stats", "--by", "sector"}));
    CHECK(usage_error({"stats", "--by", "colour"}));
    CHECK(usage_error({"stats", "--by", "side,side"}));
    CHECK(usage_error({"stats", "--format", "xml"}));
    CHECK(usage_error({"stats", "--sector-km", "0"}));
    CHECK(usage_error({"stats", "--bands", "0,0"}));
    CHECK(usage_error({"stats", "--bbox", "a,b,c,d"}));

    CHECK_FALSE(usage_error({"query", "--near", "Khorog", "--km", "5"}));
    CHECK(usage_error({"query", "--km", "5"}));
    CHECK(usage_error({"query", "--near", "Khorog", "--km", "-5"}));
    CHECK(usage_error({"query", "--bbox", "1,2,3"}));

    CHECK_FALSE(usage_error({"import", "incidents.csv"}));
    CHECK(usage_error({"import"})); // FILE... is required
    CHECK(usage_error({"import", "incidents.csv", "--format", "xlsx"}));

    CHECK_FALSE(usage_error({"locate", "70.5", "38.1"}));
    CHECK(usage_error({"locate"}));
    CHECK(usage_error({"locate", "70.5"}));
    CHECK(usage_error({"locate", "--rejects", "bad.csv", "70.5", "38.1"}));

    CHECK(usage_error({}));              // no command
    CHECK(usage_error({"no-such-cmd"})); // unknown command
}

TEST_CASE("cli: --geodata is passed to the library, not through the environment", "[cli][setup]") {
    const auto tmp = test::unique_temp_dir("bw-cli-geodata");
    const auto before = env("BORDERWATCH_GEODATA");
    CommandLine cl(all_commands());
    auto *command = dynamic_cast<ExportCommand *>(
        &parse(cl, {"export", "--geodata", tmp.string(), "--out", (tmp / "out").string()}));
    REQUIRE(command != nullptr);
    CHECK(cl.globals().geodata == tmp.string());
    CHECK(command->options().geodata_dir == tmp);
    CHECK(env("BORDERWATCH_GEODATA") == before);
    CHECK(usage_error({"export", "--out", "x", "--geodata", (tmp / "missing").string()}));
    std::filesystem::remove_all(tmp);
}
