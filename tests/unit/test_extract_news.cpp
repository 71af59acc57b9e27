// The five news test reports (tests/data/news) -> the incidents of
// samples/border_incidents_2025.csv: each found once with its admin unit, date range,
// fatalities and type; nothing else above the default confidence (issue 16).
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace borderwatch;

namespace {

const std::filesystem::path news_dir = std::filesystem::path(BORDERWATCH_TEST_DATA) / "news";

std::string slurp(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Official admin-1 / admin-2 names of a text ("" when empty or unresolved).
std::string official(const Gazetteer &g, const std::string &text, const char *kind) {
    if (text.empty()) {
        return {};
    }
    ResolveOptions o;
    o.kind = kind;
    const auto r = g.resolve(text, o);
    return r.matched ? r.candidates.front().name : "?" + text;
}

} // namespace

TEST_CASE("extract: the five news reports give the sample incidents", "[extract][news]") {
    const auto gazetteer = Gazetteer::load();
    std::vector<Article> articles;
    for (const char *name :
         {"report-1.txt", "report-2.html", "report-3.txt", "report-4.txt", "report-5.txt"}) {
        articles.push_back(parse_article(name, slurp(news_dir / name)));
    }
    ExtractOptions options;
    options.min_confidence = 0.0; // everything, so that "nothing else above" can be checked
    // report-1 has a dateline, report-2 a <meta> date; the others need the reference day.
    auto all = articles;
    for (auto &a : all) {
        if (a.published.empty()) {
            a.published = "2025-12-26";
        }
    }
    CHECK(articles[0].published == "2025-12-26");
    CHECK(articles[1].published == "2025-12-26");
    const auto result = extract_incidents(all, *gazetteer, options);

    std::vector<Incident> expected;
    auto reader = open_incident_reader(
        (std::filesystem::path(BORDERWATCH_REPO_ROOT) / "samples" / "border_incidents_2025.csv")
            .string(),
        IncidentFormat::native);
    while (auto rec = reader->next()) {
        expected.push_back(rec->incident);
    }
    REQUIRE(expected.size() == 5);

    // Per field: how many expected incidents got the field right (recall) and how many
    // candidates above the default confidence are right (precision).
    std::size_t found = 0;
    std::size_t right_date = 0;
    std::size_t right_place = 0;
    std::size_t right_fatalities = 0;
    std::size_t right_type = 0;
    std::vector<bool> used(result.candidates.size(), false);
    for (const auto &e : expected) {
        INFO("expected " << e.id);
        const auto e_admin1 = official(*gazetteer, e.admin1_text, "admin1");
        const auto e_admin2 = official(*gazetteer, e.admin2_text, "admin2");
        std::size_t matches = 0;
        for (std::size_t i = 0; i < result.candidates.size(); ++i) {
            const auto &c = result.candidates[i].incident;
            const auto c_admin1 = official(*gazetteer, c.admin1_text, "admin1");
            const auto c_admin2 = official(*gazetteer, c.admin2_text, "admin2");
            const bool same_unit = e_admin2.empty() ? c_admin1 == e_admin1 : c_admin2 == e_admin2;
            const bool overlap =
                c.event_date <= e.event_date_end && e.event_date <= c.event_date_end;
            if (!same_unit || !overlap || c.event_type != e.event_type) {
                continue;
            }
            ++matches;
            used[i] = true;
            right_place += 1;
            right_type += 1;
            right_date += c.event_date == e.event_date && c.event_date_end == e.event_date_end &&
                                  c.date_precision == e.date_precision
                              ? 1
                              : 0;
            right_fatalities += c.fatalities_best == e.fatalities_best &&
                                        c.fatalities_low == e.fatalities_low &&
                                        c.fatalities_high == e.fatalities_high
                                    ? 1
                                    : 0;
            CHECK(c.event_date == e.event_date);
            CHECK(c.event_date_end == e.event_date_end);
            CHECK(c.date_precision == e.date_precision);
            CHECK(c.fatalities_best == e.fatalities_best);
            CHECK(c.fatalities_low == e.fatalities_low);
            CHECK(c.fatalities_high == e.fatalities_high);
            CHECK(result.candidates[i].confidence >= 0.5);
            CHECK(result.candidates[i].files.size() >= 2);
        }
        CHECK(matches == 1);
        found += matches == 1 ? 1 : 0;
    }
    std::size_t extra = 0;
    for (std::size_t i = 0; i < result.candidates.size(); ++i) {
        if (!used[i] && result.candidates[i].confidence >= ExtractOptions{}.min_confidence) {
            ++extra;
            INFO("unexpected candidate " << result.candidates[i].incident.id);
            CHECK(false);
        }
    }
    const double precision =
        static_cast<double>(found) / static_cast<double>(std::max<std::size_t>(1, found + extra));
    const double recall = static_cast<double>(found) / static_cast<double>(expected.size());
    std::cout << "extract on tests/data/news: incidents recall " << recall << ", precision "
              << precision << "; fields right of " << expected.size() << ": date " << right_date
              << ", place " << right_place << ", fatalities " << right_fatalities << ", type "
              << right_type << '\n';
    CHECK(found == expected.size());
    CHECK(extra == 0);
    // The origin of the attacks on Chinese workers is Badakhshan, never their location.
    for (const auto &c : result.candidates) {
        CHECK(c.incident.location_text.find("Badakhshan") == std::string::npos);
    }
    // Deterministic: the same input gives the same bytes.
    CHECK(candidates_to_csv(result.candidates) ==
          candidates_to_csv(extract_incidents(all, *gazetteer, options).candidates));
}
