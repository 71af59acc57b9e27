// The extractor's sentence-level rules (issue 16): dates against a reference day, number
// phrases, casualties, event triggers, place mentions, and texts that must give no incident.
#include "cli/command_line.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace borderwatch;

namespace {

const Gazetteer &gazetteer() {
    static const auto g = Gazetteer::load();
    return *g;
}

struct DateCase {
    const char *sentence;
    const char *published;
    const char *anchor;
    const char *start; // "" = no date expected
    const char *end;
    DatePrecision precision;
};

constexpr auto day = DatePrecision::day;
constexpr auto week = DatePrecision::week;
constexpr auto month = DatePrecision::month;
constexpr auto range = DatePrecision::range;
constexpr auto year = DatePrecision::year;

// 2025-12-26 is a Friday, 2025-03-05 a Wednesday.
const DateCase date_cases[] = {
    {"They entered Tajik territory on Tuesday.", "2025-12-26", "", "2025-12-23", "2025-12-23", day},
    {"It happened on Friday.", "2025-12-26", "", "2025-12-26", "2025-12-26", day},
    {"It happened on Saturday.", "2025-12-26", "", "2025-12-20", "2025-12-20", day},
    {"It happened on Monday.", "2025-12-26", "", "2025-12-22", "2025-12-22", day},
    {"It happened on Sunday.", "2025-12-26", "", "2025-12-21", "2025-12-21", day},
    {"It happened on Wednesday.", "2025-12-26", "", "2025-12-24", "2025-12-24", day},
    {"Officials said Thursday that ...", "2025-12-26", "", "2025-12-25", "2025-12-25", day},
    {"They crossed late on December 23.", "2025-12-26", "", "2025-12-23", "2025-12-23", day},
    {"On November 26, a drone hit the site.", "2025-12-26", "", "2025-11-26", "2025-11-26", day},
    {"On Nov. 26 a drone hit the site.", "2025-12-26", "", "2025-11-26", "2025-11-26", day},
    {"On 26 November a drone hit the site.", "2025-12-26", "", "2025-11-26", "2025-11-26", day},
    {"On 26 November 2025 a drone hit.", "2025-12-26", "", "2025-11-26", "2025-11-26", day},
    {"On November 26, 2024, a drone hit.", "2025-12-26", "", "2024-11-26", "2024-11-26", day},
    {"In December, the committee reported another incident.", "2025-12-26", "", "2025-12-01",
     "2025-12-31", month},
    {"Pakistan launched airstrikes in November.", "2025-12-26", "", "2025-11-01", "2025-11-30",
     month},
    {"Two attacks in the last week of November.", "2025-12-26", "", "2025-11-24", "2025-11-30",
     week},
    {"Clashes in the first week of December.", "2025-12-26", "", "2025-12-01", "2025-12-07", week},
    {"Fighting this week left five dead.", "2025-12-26", "", "2025-12-22", "2025-12-26", week},
    {"After this week's clashes, he spoke.", "2025-12-26", "", "2025-12-22", "2025-12-26", week},
    {"Incursions this month strained ties.", "2025-12-26", "", "2025-12-01", "2025-12-26", month},
    {"He called earlier this month.", "2025-12-26", "", "2025-12-01", "2025-12-26", month},
    {"A clash last week killed two.", "2025-12-26", "", "2025-12-15", "2025-12-21", week},
    {"A clash last month killed two.", "2025-12-26", "", "2025-11-01", "2025-11-30", month},
    {"A clash yesterday killed two.", "2025-12-26", "", "2025-12-25", "2025-12-25", day},
    {"A clash today killed two.", "2025-12-26", "", "2025-12-26", "2025-12-26", day},
    {"Shots were heard last night.", "2025-12-26", "", "2025-12-25", "2025-12-25", day},
    {"The men were found the next morning.", "2025-12-26", "2025-12-23", "2025-12-24", "2025-12-24",
     day},
    {"They were caught the following day.", "2025-12-26", "2025-12-23", "2025-12-24", "2025-12-24",
     day},
    {"Two more died the same day.", "2025-12-26", "2025-12-23", "2025-12-23", "2025-12-23", day},
    {"Attacks in late November.", "2025-12-26", "", "2025-11-21", "2025-11-30", range},
    {"Attacks in early December.", "2025-12-26", "", "2025-12-01", "2025-12-10", range},
    {"Attacks in mid-November.", "2025-12-26", "", "2025-11-11", "2025-11-20", range},
    {"Attacks in January.", "2025-12-26", "", "2025-01-01", "2025-01-31", month},
    {"A clash on December 30.", "2025-03-05", "", "2024-12-30", "2024-12-30", day},
    {"A clash on Tuesday.", "2025-03-05", "", "2025-03-04", "2025-03-04", day},
    {"A clash on Wednesday.", "2025-03-05", "", "2025-03-05", "2025-03-05", day},
    {"Fighting this week.", "2025-03-05", "", "2025-03-03", "2025-03-05", week},
    {"A clash last month.", "2025-01-15", "", "2024-12-01", "2024-12-31", month},
    {"Attacks in February.", "2024-03-01", "", "2024-02-01", "2024-02-29", month},
    {"A clash on February 29.", "2024-03-01", "", "2024-02-29", "2024-02-29", day},
    {"A clash on February 30.", "2024-03-01", "", "", "", day},
    {"The Taliban returned to power in 2021.", "2025-12-26", "", "2021-01-01", "2021-12-31", year},
    {"The Taliban returned in August 2021.", "2025-12-26", "", "2021-08-01", "2021-08-31", month},
    {"A rally on August 14, 2024 in Kabul.", "2025-12-26", "", "2024-08-14", "2024-08-14", day},
    {"A strike on Dec 23 in the district.", "2025-12-26", "", "2025-12-23", "2025-12-23", day},
    {"Committed to the 2020 Doha Accord.", "2025-12-26", "", "", "", day},
    {"May God protect the guards.", "2025-12-26", "", "", "", day},
    {"Clashes since November.", "2025-12-26", "", "2025-11-01", "2025-11-30", month},
    {"They share a 477-kilometre border.", "2025-12-26", "", "", "", day},
    {"Officials seized 10 hand grenades.", "2025-12-26", "", "", "", day},
    {"A frontier of 1,340 km.", "2025-12-26", "", "", "", day},
    {"The men were found the next morning.", "2025-12-26", "", "", "", day},
    {"They entered on Tuesday.", "", "", "", "", day},
    {"They entered late on December 23.", "", "", "", "", day},
    {"They entered on 23 December 2025.", "", "", "2025-12-23", "2025-12-23", day},
    {"Raids throughout October.", "2025-12-26", "", "2025-10-01", "2025-10-31", month},
    {"Attacks in the final week of November.", "2025-12-26", "", "2025-11-24", "2025-11-30", week},
    {"Attacks in mid-December.", "2025-12-26", "", "2025-12-11", "2025-12-20", range},
    {"DUSHANBE, Dec. 26, 2025 - Tajikistan says", "", "", "2025-12-26", "2025-12-26", day},
    {"Raids during March.", "2025-12-26", "", "2025-03-01", "2025-03-31", month},
    {"the big march of the guards", "2025-12-26", "", "", "", day},
};

struct NumberCase {
    const char *phrase;
    std::optional<int> best, low, high;
};

const std::optional<int> none;

const NumberCase number_cases[] = {
    {"five", 5, 5, 5},
    {"at least five", 5, 5, none},
    {"more than a dozen", 13, 13, none},
    {"a dozen", 12, 12, 12},
    {"more than 20", 21, 21, none},
    {"up to ten", 10, none, 10},
    {"as many as 30", 30, none, 30},
    {"about 40", 40, none, none},
    {"nearly fifty", 50, none, none},
    {"twenty-one", 21, 21, 21},
    {"between three and five", 3, 3, 5},
    {"10", 10, 10, 10},
    {"no fewer than seven", 7, 7, none},
    {"at most four", 4, none, 4},
    {"over 100", 101, 101, none},
    {"a hundred", 100, 100, 100},
    {"three", 3, 3, 3},
    {"eleven", 11, 11, 11},
    {"some 15", 15, none, none},
    {"both", 2, 2, 2},
    {"thirty-five", 35, 35, 35},
    {"around two", 2, none, none},
    {"ninety-nine", 99, 99, 99},
    {"at least 3", 3, 3, none},
    {"approximately 60", 60, none, none},
};

const char *const vague_numbers[] = {"dozens", "several",  "many",   "hundreds",
                                     "scores", "numerous", "nobody", "the guards"};

struct CasualtyCase {
    const char *sentence;
    std::optional<int> killed_best, killed_low, killed_high;
    std::optional<int> injured_best;
    bool partial;
};

const CasualtyCase casualty_cases[] = {
    {"Five people, including three intruders, were killed.", 5, 5, 5, none, false},
    {"At least five people were killed, including three intruders.", 5, 5, none, none, false},
    {"Three Chinese nationals were killed and two others seriously injured in a drone strike.", 3,
     3, 3, 2, false},
    {"Gunmen opened fire on workers, killing at least two people.", 2, 2, none, none, false},
    {"More than a dozen people were killed in the attacks.", 13, 13, none, none, false},
    {"Fighting this week left at least five people dead, including three terrorists, in the "
     "district.",
     5, 5, none, none, false},
    {"Two Tajik border guards also died in the clash.", 2, 2, none, none, true},
    {"All three were killed in the operation.", 3, 3, 3, none, false},
    {"Three killed in Afghanistan-Tajikistan border clash", 3, 3, 3, none, false},
    {"Kabul voiced sadness over the November 28 killing of a Chinese worker.", 1, 1, 1, none,
     false},
    {"Several Chinese nationals were reportedly killed.", none, none, none, none, false},
    {"Dozens of people were killed before the ceasefire.", none, none, none, none, false},
    {"Officials seized 10 hand grenades and three rifles.", none, none, none, none, false},
    {"The intruders were killed in a firefight.", none, none, none, none, false},
    {"A drone hit the compound, killing three Chinese citizens.", 3, 3, 3, none, false},
    {"Four soldiers were wounded.", none, none, none, 4, false},
    {"One person was killed and six were injured.", 1, 1, 1, 6, false},
    {"Between three and five people were killed.", 3, 3, 5, none, false},
    {"Up to 12 civilians were killed.", 12, none, 12, none, false},
    {"The attack killed 7 people.", 7, 7, 7, none, false},
    {"A border guard was killed.", 1, 1, 1, none, false},
    {"The clash left two soldiers dead and five wounded.", 2, 2, 2, 5, false},
    {"No one was killed.", 0, 0, 0, none, false},
    {"At least 3 people died.", 3, 3, none, none, false},
    {"It resulted in the death of its personnel.", none, none, none, none, false},
    {"More than 20 militants were killed.", 21, 21, none, none, false},
    {"Nearly 40 people were injured.", none, none, none, 40, false},
    {"The November 26 strike killed three workers.", 3, 3, 3, none, false},
    {"Two Chinese workers were killed on November 30.", 2, 2, 2, none, false},
    {"The drone, carrying grenades, targeted the site.", none, none, none, none, false},
    {"5 individuals, together with the three intruders, have been killed.", 5, 5, 5, none, false},
    {"A minimum of 5 individuals have been killed.", 5, 5, none, none, false},
};

struct TriggerCase {
    const char *sentence;
    const char *event_type; // "" = weak or none (see weak)
    const char *sub_event_type;
    bool any; // a trigger is expected at all
};

const TriggerCase trigger_cases[] = {
    {"A drone strike hit the site.", "Explosions/Remote violence", "Air/drone strike", true},
    {"An explosive-equipped drone attacked the premises.", "Explosions/Remote violence",
     "Air/drone strike", true},
    {"Pakistan launched airstrikes in Kabul.", "Explosions/Remote violence", "Air/drone strike",
     true},
    {"Gunmen opened fire on workers.", "Violence against civilians", "Attack", true},
    {"They engaged in a gunfight with border guards.", "Battles", "Armed clash", true},
    {"They were killed in a firefight.", "Battles", "Armed clash", true},
    {"An armed clash along the border.", "Battles", "Armed clash", true},
    {"Recent fighting this week left five dead.", "Battles", "Armed clash", true},
    {"A roadside bomb exploded.", "Explosions/Remote violence", "Remote explosive/landmine/IED",
     true},
    {"The shelling of the village continued.", "Explosions/Remote violence",
     "Shelling/artillery/missile attack", true},
    {"The incident occurred on Tuesday.", "", "", true},
    {"The engineer was kidnapped.", "Violence against civilians", "Abduction/forced disappearance",
     true},
    {"A suicide bomber struck the checkpoint.", "Explosions/Remote violence", "Suicide bomb", true},
    {"Gunfire targeted workers of a company.", "Violence against civilians", "Attack", true},
    {"A drone-borne explosive hit a compound.", "Explosions/Remote violence", "Air/drone strike",
     true},
    {"An exchange of fire followed.", "Battles", "Armed clash", true},
    {"The delegation visited Kabul.", "", "", false},
    {"The two countries share a 477-km border.", "", "", false},
    {"A Taliban flag was raised on a bridge.", "", "", false},
    {"He spoke at the police academy ceremony.", "", "", false},
    {"Beijing is Tajikistan's largest creditor.", "", "", false},
};

struct PlaceCase {
    const char *sentence;
    const char *text; // the mention as written
    PlaceRole role;
    const char *kind; // "" = any
    const char *country;
};

const PlaceCase place_cases[] = {
    {"Fighting in Tajikistan's Shamsiddin Shokhin district left five dead.",
     "Shamsiddin Shokhin district", PlaceRole::location, "admin2", "TJK"},
    {"A drone hit a mine in the remote Khatron region on the border.", "Khatron region",
     PlaceRole::location, "admin1", "TJK"},
    {"Gunmen opened fire in Tajikistan's Darboz region.", "Darboz region", PlaceRole::location,
     "admin2", "TJK"},
    {"Gunmen attacked workers in Darvoz district.", "Darvoz district", PlaceRole::location,
     "admin2", "TJK"},
    {"The drone hit Tajikistan's southwestern Khatlon province.", "Khatlon province",
     PlaceRole::location, "admin1", "TJK"},
    {"It took place in Kavo village of Shamsiddin Shohin district.", "Kavo village",
     PlaceRole::location, "populated_place", "TJK"},
    {"The attacks originated from villages in Afghanistan's Badakhshan province.",
     "Badakhshan province", PlaceRole::origin, "admin1", "AFG"},
    {"Pakistan launched airstrikes in Kabul, Khost and other provinces.", "Kabul",
     PlaceRole::location, "", "AFG"},
    {"Pakistan launched airstrikes in Kabul, Khost and other provinces.", "Khost",
     PlaceRole::location, "", "AFG"},
    {"Kabul expressed deep sadness over the killing.", "Kabul", PlaceRole::other, "", "AFG"},
    {"The Chinese embassy in Dushanbe advised citizens to leave.", "Dushanbe", PlaceRole::location,
     "populated_place", "TJK"},
    {"A drone that originated from Afghanistan hit the site.", "Afghanistan", PlaceRole::origin,
     "country", "AFG"},
    {"Three men crossed the border from Afghanistan.", "Afghanistan", PlaceRole::origin, "country",
     "AFG"},
    {"A clash near Khorog killed two.", "Khorog", PlaceRole::location, "populated_place", "TJK"},
    {"A clash in Vanj district killed two.", "Vanj district", PlaceRole::location, "admin2", "TJK"},
    {"Dushanbe said this was the third attack.", "Dushanbe", PlaceRole::other, "", "TJK"},
    {"Officials in Dushanbe said more were killed.", "Dushanbe", PlaceRole::location, "", "TJK"},
    {"Most attacks came from Afghanistan's Badakhshan province.", "Badakhshan province",
     PlaceRole::origin, "admin1", "AFG"},
    {"A strike in Darvoz district, Tajikistan, killed two.", "Darvoz district", PlaceRole::location,
     "admin2", "TJK"},
    {"Shots were fired at a post in Ishkoshim district.", "Ishkoshim district", PlaceRole::location,
     "admin2", "TJK"},
    {"At least five were killed in Tajikistan\xe2\x80\x98s Shamsiddin Shokhin district.",
     "Shamsiddin Shokhin district", PlaceRole::location, "admin2", "TJK"},
    {"A drone attacked a compound within the distant Khatlon area.", "Khatlon", PlaceRole::location,
     "", "TJK"},
};

const PlaceMention *find_mention(const std::vector<PlaceMention> &mentions, const char *text) {
    for (const auto &m : mentions) {
        if (m.text == text) {
            return &m;
        }
    }
    return nullptr;
}

// Whole texts that describe no incident (background, summaries, statements, history).
const char *const negative_texts[] = {
    "China and Tajikistan share a 477-km border in the Pamir Mountains.",
    "In the 1990s, Tajikistan backed the Northern Alliance against the Taliban.",
    "After the Taliban returned to power in August 2021, Tajikistan refused to recognise them.",
    "Two attacks targeted Chinese companies and citizens in the last week of November.",
    "Speaking at the police academy in Kabul on Thursday, he said Afghanistan was no threat.",
    "Kabul voiced deep sadness over the November 28 killing of a Chinese worker.",
    "Chinese citizens have also been attacked in Pakistan's Balochistan province.",
    "More than a dozen people were killed in the attacks, officials said.",
    "A senior Tajik delegation visited Kabul in November.",
    "Tajikistan has reported multiple armed incursions along its border this month.",
    "On November 26, 2023, a drone strike hit Khatlon province, killing three workers.",
    "On January 5, a clash in Vanj district killed two soldiers.",
    "The Chinese embassy in Dushanbe confirmed the incident on November 28.",
    "Taliban members held a rally in Kabul on August 14, 2024 to mark the anniversary.",
    "Dushanbe said it was the third attack in the past month originating from Afghanistan's "
    "Badakhshan province.",
};

std::vector<Candidate> extract_text(const std::string &text,
                                    const std::string &published = "2025-12-26") {
    ExtractOptions options;
    options.published = published;
    options.min_confidence = 0.0;
    return extract_incidents({parse_article("case.txt", text)}, gazetteer(), options).candidates;
}

} // namespace

TEST_CASE("extract: date expressions against the publication day", "[extract]") {
    std::size_t n = 0;
    for (const auto &c : date_cases) {
        INFO(c.sentence << " (published " << c.published << ", anchor " << c.anchor << ")");
        const auto dates = find_dates(c.sentence, c.published, c.anchor);
        if (std::string(c.start).empty()) {
            CHECK(dates.empty());
        } else {
            REQUIRE_FALSE(dates.empty());
            CHECK(dates.front().span.start == c.start);
            CHECK(dates.front().span.end == c.end);
            CHECK(dates.front().span.precision == c.precision);
        }
        ++n;
    }
    CHECK(n >= 60);
}

TEST_CASE("extract: number phrases", "[extract]") {
    for (const auto &c : number_cases) {
        INFO(c.phrase);
        const auto count = parse_number_phrase(c.phrase);
        REQUIRE(count);
        CHECK(count->best == c.best);
        CHECK(count->low == c.low);
        CHECK(count->high == c.high);
    }
    for (const auto *phrase : vague_numbers) {
        INFO(phrase);
        CHECK_FALSE(parse_number_phrase(phrase));
    }
}

TEST_CASE("extract: fatalities and injured in a sentence", "[extract]") {
    for (const auto &c : casualty_cases) {
        INFO(c.sentence);
        const auto found = find_casualties(c.sentence);
        if (!c.killed_best) {
            CHECK_FALSE((found.killed && found.killed->best));
        } else {
            REQUIRE(found.killed);
            CHECK(found.killed->best == c.killed_best);
            CHECK(found.killed->low == c.killed_low);
            CHECK(found.killed->high == c.killed_high);
            CHECK(found.killed->partial == c.partial);
        }
        if (!c.injured_best) {
            CHECK_FALSE((found.injured && found.injured->best));
        } else {
            REQUIRE(found.injured);
            CHECK(found.injured->best == c.injured_best);
        }
    }
}

TEST_CASE("extract: event triggers in the ACLED taxonomy", "[extract]") {
    for (const auto &c : trigger_cases) {
        INFO(c.sentence);
        const auto triggers = find_triggers(c.sentence);
        if (!c.any) {
            CHECK(triggers.empty());
            continue;
        }
        REQUIRE_FALSE(triggers.empty());
        CHECK(triggers.front().event_type == c.event_type);
        CHECK(triggers.front().sub_event_type == c.sub_event_type);
    }
}

TEST_CASE("extract: place mentions, their role and resolution", "[extract]") {
    for (const auto &c : place_cases) {
        INFO(c.sentence << " -> " << c.text);
        const auto mentions = find_places(c.sentence, gazetteer());
        const auto *m = find_mention(mentions, c.text);
        REQUIRE(m != nullptr);
        CHECK(m->role == c.role);
        if (!std::string(c.kind).empty()) {
            CHECK(m->kind == c.kind);
        }
        CHECK(m->country == c.country);
    }
    SECTION("the district is the context of an unknown village") {
        const auto mentions = find_places(
            "It took place in Kavo village of Shamsiddin Shohin district.", gazetteer());
        const auto *m = find_mention(mentions, "Kavo village");
        REQUIRE(m != nullptr);
        CHECK(m->admin2.find("Shamsiddin") != std::string::npos);
        CHECK_FALSE(m->admin1.empty());
    }
}

TEST_CASE("extract: background and summaries give no incident", "[extract]") {
    for (const auto *text : negative_texts) {
        INFO(text);
        CHECK(extract_text(text).empty());
    }
}

TEST_CASE("extract: one dated, located event gives one candidate", "[extract]") {
    SECTION("explicit date") {
        const auto c =
            extract_text("On November 26, a drone strike hit Khatlon province, killing three "
                         "workers.");
        REQUIRE(c.size() == 1);
        CHECK(c[0].incident.event_date == "2025-11-26");
        CHECK(c[0].incident.event_type == "Explosions/Remote violence");
        CHECK(c[0].incident.fatalities_best == 3);
        CHECK(c[0].incident.admin1_text == "Khatlon province");
        CHECK(c[0].confidence >= 0.5);
        CHECK_FALSE(c[0].evidence.empty());
    }
    SECTION("weekday and the next morning make a range") {
        const auto c = extract_text(
            "Three armed men entered Vanj district on Tuesday. They were found the next morning "
            "and killed in a firefight with border guards.");
        REQUIRE(c.size() == 1);
        CHECK(c[0].incident.event_date == "2025-12-23");
        CHECK(c[0].incident.event_date_end == "2025-12-24");
        CHECK(c[0].incident.date_precision == DatePrecision::range);
        CHECK(c[0].incident.event_type == "Battles");
    }
    SECTION("the origin never becomes the location") {
        const auto c = extract_text(
            "On November 30, gunmen opened fire on workers in Darvoz district, killing two "
            "people. The attack originated from villages in Afghanistan's Badakhshan province.");
        REQUIRE(c.size() == 1);
        CHECK(c[0].incident.country_text == "Tajikistan");
        CHECK(c[0].origin_text.find("Badakhshan") != std::string::npos);
        CHECK(c[0].incident.event_type == "Violence against civilians");
    }
    SECTION("no publication date: relative dates are not resolved, with a warning") {
        ExtractOptions options;
        options.min_confidence = 0.0;
        const auto r = extract_incidents(
            {parse_article("a.txt", "On Tuesday a drone strike hit Khatlon province.")},
            gazetteer(), options);
        CHECK(r.candidates.empty());
        REQUIRE(r.warnings.size() == 1);
        CHECK(r.warnings[0].find("a.txt") != std::string::npos);
    }
    SECTION("a bad --published is a usage error") {
        ExtractOptions options;
        options.published = "26/12/2025";
        CHECK_THROWS_AS(extract_incidents({}, gazetteer(), options), UsageError);
    }
}

TEST_CASE("extract: articles in HTML", "[extract]") {
    const auto a = parse_article(
        "page.html",
        "<!DOCTYPE html><html><head><title>T &amp; U</title>"
        "<meta property=\"article:published_time\" content=\"2025-12-26T08:00:00Z\">"
        "<meta property=\"og:site_name\" content=\"Desk\">"
        "<link rel=\"canonical\" href=\"https://example.org/a\"></head><body>"
        "<p>On Tuesday, a clash in Vanj district killed two soldiers&rsquo; comrades.</p>"
        "<script>var x = 'On Monday a drone strike hit Khorog';</script></body></html>");
    CHECK(a.published == "2025-12-26");
    CHECK(a.source_name == "Desk");
    CHECK(a.source_url == "https://example.org/a");
    CHECK(a.title == "T & U");
    CHECK(a.text.find("script") == std::string::npos);
    CHECK(a.text.find("Khorog") == std::string::npos);
    CHECK(a.text.find("soldiers\xe2\x80\x99") != std::string::npos);
    const auto plain = parse_article("a.txt", "KHOROG, 26 December 2025 - Guards said");
    CHECK(plain.published == "2025-12-26");
    CHECK_THROWS_AS(parse_article("bad.txt", "\xff\xfe"), InputError);
}

TEST_CASE("cli extract: setup and validate without running", "[extract][cli][setup]") {
    const auto usage_error = [](const std::vector<std::string> &args) {
        cli::CommandLine cl(cli::all_commands());
        try {
            cl.parse(args);
            (void)cl.chosen();
        } catch (const CLI::ParseError &) {
            return true;
        } catch (const UsageError &) {
            return true;
        }
        return false;
    };
    CHECK_FALSE(usage_error({"extract", "a.txt"}));
    CHECK_FALSE(usage_error({"extract", "--published", "2025-12-26", "a.txt", "b.html"}));
    CHECK_FALSE(usage_error({"extract", "--format", "json", "-"}));
    CHECK_FALSE(usage_error({"extract", "--import", "--store", "x.gpkg", "a.txt"}));
    CHECK(usage_error({"extract"}));
    CHECK(usage_error({"extract", "--published", "26.12.2025", "a.txt"}));
    CHECK(usage_error({"extract", "--published", "2025-12", "a.txt"}));
    CHECK(usage_error({"extract", "--format", "xml", "a.txt"}));
    CHECK(usage_error({"extract", "--min-confidence", "2", "a.txt"}));
    CHECK(usage_error({"extract", "--store", "x.gpkg", "a.txt"}));
    CHECK(usage_error({"extract", "-", "-"}));
    CHECK(usage_error({"extract", "--import", "--format", "json", "a.txt"}));
}

namespace {

struct SnippetCase {
    const char *text;
    const char *start; // "" = no incident
    const char *end;
    const char *event_type;
    const char *admin1; // official admin-1 name of the candidate's place
    std::optional<int> killed;
};

// Sentences outside the news reports (a first held-out set: see docs/extract.md for what it
// measured before the rules were adjusted to it). Published 2025-12-26, a Friday.
const SnippetCase snippet_cases[] = {
    {"On Monday, Tajik border guards clashed with drug smugglers near Ishkoshim, killing two of "
     "them, the border service said.",
     "2025-12-22", "2025-12-22", "Battles", "Gorno-Badakhshan Autonomous Region", 2},
    {"A roadside bomb exploded in Khost province on December 20, wounding four policemen.",
     "2025-12-20", "2025-12-20", "Explosions/Remote violence", "Khost", none},
    {"Three soldiers were killed when militants attacked a checkpoint in Kunduz province late on "
     "Saturday.",
     "2025-12-20", "2025-12-20", "Battles", "Kunduz", 3},
    {"Unidentified gunmen shot dead a shopkeeper in Vanj district on Wednesday.", "2025-12-24",
     "2025-12-24", "Violence against civilians", "Gorno-Badakhshan Autonomous Region", 1},
    {"An airstrike hit a village in Paktika province on November 12, killing at least eight "
     "civilians, local officials said.",
     "2025-11-12", "2025-11-12", "Explosions/Remote violence", "Paktika", 8},
    {"Fighting between Taliban forces and resistance fighters in Panjshir left five dead on "
     "Thursday.",
     "2025-12-25", "2025-12-25", "Battles", "Panjshir", 5},
    {"Border guards exchanged fire with an armed group near Darvoz on December 3; no casualties "
     "were reported.",
     "2025-12-03", "2025-12-03", "Battles", "Gorno-Badakhshan Autonomous Region", 0},
    {"The Tajik State Committee for National Security said on Tuesday that two smugglers were "
     "killed in a shootout in Shamsiddin Shohin district on Sunday.",
     "2025-12-21", "2025-12-21", "Battles", "Khatlon Region", 2},
    {"Dozens of people were wounded in a suicide bombing at a mosque in Kunduz on Friday.",
     "2025-12-26", "2025-12-26", "Explosions/Remote violence", "Kunduz", none},
    {"Tajikistan and Afghanistan signed a trade agreement in Dushanbe on Wednesday.", "", "", "",
     "", none},
    {"Last month, a drone strike in Nangarhar killed 12 people, according to the UN.", "2025-11-01",
     "2025-11-30", "Explosions/Remote violence", "Nangarhar", 12},
    {"Two border guards were injured in a clash with smugglers in Kulob district yesterday.",
     "2025-12-25", "2025-12-25", "Battles", "Khatlon Region", none},
    {"In 2019, a similar attack in Khatlon killed four people.", "", "", "", "", none},
    {"Gunmen kidnapped three engineers working on a road project in Badakhshan province on "
     "December 10.",
     "2025-12-10", "2025-12-10", "Violence against civilians", "Badakhshan", none},
    {"A landmine killed a child in Takhar province on November 30.", "2025-11-30", "2025-11-30",
     "Explosions/Remote violence", "Takhar", 1},
    {"Police said a man was killed in a shooting in Khorog on Saturday.", "2025-12-20",
     "2025-12-20", "Violence against civilians", "Gorno-Badakhshan Autonomous Region", 1},
    {"The Taliban said their forces killed 15 ISKP militants in Nangarhar this week.", "2025-12-22",
     "2025-12-26", "Battles", "Nangarhar", 15},
    {"Shelling from across the border damaged homes in Ishkoshim district on Tuesday.",
     "2025-12-23", "2025-12-23", "Explosions/Remote violence", "Gorno-Badakhshan Autonomous Region",
     none},
    {"Residents of Khorog held a protest on Monday.", "", "", "", "", none},
    {"Officials in Kabul said Tuesday that 30 people had died in floods.", "", "", "", "", none},
};

} // namespace

TEST_CASE("extract: single-sentence reports beyond the news set", "[extract]") {
    for (const auto &c : snippet_cases) {
        INFO(c.text);
        const auto found = extract_text(c.text);
        std::vector<Candidate> above;
        for (const auto &f : found) {
            if (f.confidence >= ExtractOptions{}.min_confidence) {
                above.push_back(f);
            }
        }
        if (std::string(c.start).empty()) {
            CHECK(found.empty());
            continue;
        }
        REQUIRE(above.size() == 1);
        const auto &x = above[0].incident;
        CHECK(x.event_date == c.start);
        CHECK(x.event_date_end == c.end);
        CHECK(x.event_type == c.event_type);
        ResolveOptions admin1;
        admin1.kind = "admin1";
        const auto unit = gazetteer().resolve(x.admin1_text, admin1);
        REQUIRE(unit.matched);
        CHECK(unit.candidates.front().name == c.admin1);
        CHECK(x.fatalities_best == c.killed);
    }
}

TEST_CASE("extract: CSV cells from articles are neutralised unless raw", "[extract]") {
    Candidate c;
    c.incident.id = "EX-1";
    c.incident.event_date = "2025-12-26";
    c.incident.source_name = "=HYPERLINK(\"x\")";
    const auto safe = candidates_to_csv({c});
    CHECK(safe.find("'=HYPERLINK") != std::string::npos);
    const auto raw = candidates_to_csv({c}, false, true);
    CHECK(raw.find("'=HYPERLINK") == std::string::npos);
    CHECK(raw.find("=HYPERLINK") != std::string::npos);
    CHECK(raw.find("extract-1") != std::string::npos);
}
