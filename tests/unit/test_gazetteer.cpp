// Gazetteer: ICU normalisation, the query -> place accuracy table, non-places, user files.
#include <borderwatch/core/error.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include "gazetteer/detail/fuzzy_index.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace borderwatch;

namespace {

const std::filesystem::path data_dir = std::filesystem::path(BORDERWATCH_TEST_DATA) / "gazetteer";

const Gazetteer &default_gazetteer() {
    static const auto gazetteer = Gazetteer::load();
    return *gazetteer;
}

const Gazetteer &user_gazetteer() {
    static const auto gazetteer = [] {
        Gazetteer::Sources sources;
        sources.geonames_files = {data_dir / "sample_geonames.tsv",
                                  data_dir / "synthetic_geonames.tsv"};
        sources.alias_files = {data_dir / "user_aliases.tsv"};
        return Gazetteer::load(sources);
    }();
    return *gazetteer;
}

std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(text);
    while (std::getline(in, field, separator)) {
        out.push_back(field);
    }
    if (!text.empty() && text.back() == separator) {
        out.emplace_back();
    }
    return out;
}

std::string key(const std::string &s) {
    return name_key(s).phonetic;
}

struct TempText {
    explicit TempText(const std::string &content) {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("borderwatch-gazetteer-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++) + ".tsv");
        std::ofstream(path, std::ios::binary) << content;
    }
    ~TempText() { std::filesystem::remove(path); }
    TempText(const TempText &) = delete;
    TempText &operator=(const TempText &) = delete;
    std::filesystem::path path;
};

} // namespace

TEST_CASE("ICU folding to ASCII Latin", "[gazetteer]") {
    CHECK(fold_to_ascii("Шамсиддин Шоҳин") == "shamsiddin shohin");
    CHECK(fold_to_ascii("Шамсиддин Шохин") == "shamsiddin shokhin");
    CHECK(fold_to_ascii("Қалъаи Хумб") == "qalai khumb");
    CHECK(fold_to_ascii("Ҷиликӯл") == "jilikul");
    CHECK(fold_to_ascii("Zaybāk") == "zaybak");
    CHECK(fold_to_ascii("ＤＡＲＶＯＺ") == "darvoz"); // NFKC: full-width letters
    CHECK(fold_to_ascii("بدخشان") == "bdkhshan");
    CHECK(fold_to_ascii("Already ASCII") == "already ascii");
    CHECK(is_valid_utf8("Дарвоз"));
    CHECK_FALSE(is_valid_utf8("Dar\xffvoz"));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));     // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80")); // surrogate
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));     // truncated
}

TEST_CASE("phonetic keys merge the regional romanisation variants", "[gazetteer]") {
    SECTION("Shamsiddin Shohin in Tajik/Russian Cyrillic and Latin") {
        const auto k = key("Shamsiddin Shohin");
        CHECK(k == key("Шамсиддин Шоҳин"));
        CHECK(k == key("Шамсиддин Шохин"));
        CHECK(k == key("Shamsiddin Shokhin"));
        CHECK(k == key("Shamsiddin-Shohin district"));
        CHECK(k == key("Nohiyai Shamsiddin Shohin"));
    }
    SECTION("Darvoz = Darvaz = Darboz = Darwaz = Дарвоз") {
        const auto k = key("Darvoz");
        CHECK(k == key("Дарвоз"));
        CHECK(k == key("Darvaz"));
        CHECK(k == key("Darboz"));
        CHECK(k == key("Darwaz"));
        CHECK(k == key("Darvoz District"));
    }
    SECTION("Хатлон = Khatlon, Khatron only fuzzy") {
        CHECK(key("Хатлон") == key("Khatlon"));
        CHECK(key("Khatron") != key("Khatlon"));
        const double sim = key_similarity(key("Khatron"), key("Khatlon"));
        CHECK(sim > 0.8);
        CHECK(sim < 1.0);
    }
    SECTION("izafe, apostrophes, hyphens, doubled letters, dzh/j/zh, y/i, ou/u, q/k") {
        CHECK(key("Qal'ai Khumb") == key("Qala-i-Khumb"));
        CHECK(key("Qal'ai Khumb") == key("Kalai Khumb"));
        CHECK(key("Qal'ah-ye Kuf") == key("Qala-i-Kuf"));
        CHECK(key("Dzhilikul") == key("Jilikul"));
        CHECK(key("Jaihun") == key("Jayhun"));
        CHECK(key("Shuroobod") == key("Shurobod"));
        CHECK(key("Dushanbe") == key("Doushanbe"));
        CHECK(key("Kabodiyon") == key("Qabodiyon"));
    }
    SECTION("admin words in several languages become kind hints") {
        CHECK(name_key("Darvoz district").kind_hint == "admin2");
        CHECK(name_key("Darvoz rayon").kind_hint == "admin2");
        CHECK(name_key("Дарвоз район").kind_hint == "admin2");
        CHECK(name_key("ولسوالی شغنان").kind_hint == "admin2");
        CHECK(name_key("Khatlon viloyat").kind_hint == "admin1");
        CHECK(name_key("Хатлонская область").kind_hint == "admin1");
        CHECK(name_key("ولایت بدخشان").kind_hint == "admin1");
        CHECK(name_key("Badakhshan province").plain == "badakhshan");
        CHECK(name_key("Shuroobod town").kind_hint == "populated_place");
        CHECK(name_key("District").plain == "district"); // nothing else left: kept
    }
}

// Thresholds (issue 13): the table has >= 300 queries. The hand-written rows (latin,
// cyrillic, arabic, old, typo, context: spellings from the news reports) were at 100 % before
// the generated rows existed, so they keep 98 % overall. The generated rows
// (tests/scripts/make_gazetteer_queries.py: real GeoNames/geoBoundaries names of every
// town, with admin words, scripts, transliteration systems, slips and report phrases) are
// held per category at the accuracy measured when they were added, rounded down to the
// next 5 % below: a drop of more than one or two queries in any category fails.
TEST_CASE("accuracy table: the gazetteer picks the place the report means, by category",
          "[gazetteer]") {
    const auto &g = default_gazetteer();
    std::ifstream in(data_dir / "queries.tsv");
    REQUIRE(in);
    std::string line;
    struct Tally {
        std::size_t total = 0;
        std::size_t correct = 0;
    };
    std::map<std::string, Tally> by_category;
    std::size_t total = 0, correct = 0;
    std::vector<std::string> failures;
    ResolveOptions options;
    options.top = 3;
    bool header = true;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        const auto f = split(line, '\t');
        REQUIRE(f.size() >= 5);
        const auto &query = f[0];
        const auto expected = split(f[1], '|');
        const auto &ambiguous = f[2];
        const auto must_include = f[3].empty() ? std::vector<std::string>{} : split(f[3], '|');
        const auto &category = f[4];
        ++total;
        const auto result = g.resolve(query, options);
        const std::string top = result.matched ? result.candidates.front().id : "(no match)";
        const bool top_ok = std::find(expected.begin(), expected.end(), top) != expected.end();
        correct += top_ok ? 1 : 0;
        auto &tally = by_category[category];
        ++tally.total;
        tally.correct += top_ok ? 1 : 0;
        if (!top_ok) {
            failures.push_back("[" + category + "] " + query + " -> " + top + " (expected " + f[1] +
                               ")");
        }
        if (!result.matched) {
            continue;
        }
        const bool flagged = result.candidates.front().ambiguous;
        INFO("query: " << query);
        if (ambiguous == "yes") {
            CHECK(flagged);
            for (const auto &id : must_include) {
                INFO("must include " << id);
                CHECK(std::any_of(result.candidates.begin(), result.candidates.end(),
                                  [&](const PlaceMatch &m) { return m.id == id; }));
            }
        } else if (ambiguous == "no") {
            CHECK_FALSE(flagged);
        }
        for (const auto &m : result.candidates) {
            CHECK(m.score >= 0.0);
            CHECK(m.score <= 1.0);
            CHECK(m.query == query);
            CHECK_FALSE(m.matched.empty());
        }
    }
    const auto percent = [](std::size_t a, std::size_t b) {
        return b == 0 ? 0.0 : 100.0 * static_cast<double>(a) / static_cast<double>(b);
    };
    std::ostringstream report;
    report << "gazetteer accuracy (top-1) by category:\n";
    for (const auto &[category, t] : by_category) {
        report << "  " << category << ": " << t.correct << "/" << t.total << " (" << std::fixed
               << std::setprecision(1) << percent(t.correct, t.total) << " %)\n";
    }
    report << "  all: " << correct << "/" << total << " (" << std::fixed << std::setprecision(1)
           << percent(correct, total) << " %)\n";
    for (const auto &f : failures) {
        report << "  miss: " << f << "\n";
    }
    // Printed on every run (not only on failure): the closing note of issue 13 asks for it.
    std::cout << report.str();
    INFO(report.str());
    CHECK(total >= 300);
    // Measured when the table grew (issue 13): 100 % in every category but admin_word 97.1 %
    // (3 Dari "ولسوالی X" whose name is also a Tajik district) and typo 86.8 % (10 slips that
    // break the silent-h / short-key rules); floors a few queries below.
    const std::map<std::string, double> floor_percent{
        {"latin", 98},   {"cyrillic", 98},  {"arabic", 95},     {"old", 98},      {"typo", 85},
        {"context", 98}, {"bare_town", 98}, {"admin_word", 95}, {"translit", 95}, {"phrase", 95}};
    for (const auto &[category, t] : by_category) {
        INFO("category " << category);
        const auto it = floor_percent.find(category);
        REQUIRE(it != floor_percent.end()); // every category has a justified floor
        CHECK(percent(t.correct, t.total) >= it->second);
    }
    CHECK(percent(correct, total) >= 95.0);
}

TEST_CASE("names that are not places here do not match confidently", "[gazetteer]") {
    const auto &g = default_gazetteer();
    for (const char *q : {"Shohin SM", "Shahin SM", "LLC Shahin SM", "Beijing", "Tarco Gold",
                          "China Road and Bridge Corporation", "Taliban", "ISKP", "Islamabad",
                          "Xinjiang", "Moscow", "Panj River", "Al Jazeera", "Haqqani"}) {
        INFO("query: " << q);
        const auto r = g.resolve(q);
        CHECK_FALSE(r.matched);
        CHECK(r.candidates.empty());
    }
    const auto r = g.resolve("Kavo village of Shamsiddin Shohin district");
    CHECK_FALSE(r.matched);
    // The district the query names is offered as a fallback.
    CHECK(std::find(r.suggestions.begin(), r.suggestions.end(),
                    "Shamsiddin Shohin District (admin2, TJK)") != r.suggestions.end());
}

TEST_CASE("result fields, precision and find_by_id", "[gazetteer]") {
    const auto &g = default_gazetteer();
    const auto r = g.resolve("Shamsiddin Shokhin");
    REQUIRE(r.matched);
    const auto &m = r.candidates.front();
    CHECK(m.query == "Shamsiddin Shokhin");
    CHECK(m.name == "Shamsiddin Shohin District");
    CHECK(m.matched == "Shamsiddin Shokhin");
    CHECK(m.kind == "admin2");
    CHECK(m.country == "TJK");
    CHECK(m.admin1 == "Khatlon Region");
    CHECK(m.precision == 3);
    CHECK(m.score == Approx(0.95));
    CHECK(m.lon == Approx(70.03276).margin(1e-5));
    CHECK(m.lat == Approx(37.842524).margin(1e-5));
    CHECK_FALSE(m.ambiguous);

    CHECK(g.resolve("Khatlon").candidates.front().precision == 4);
    CHECK(g.resolve("Khorugh").candidates.front().precision == 1);
    CHECK(g.resolve("Tajikistan").candidates.front().precision == 6);
    CHECK(g.resolve("Khorugh").candidates.front().score == Approx(1.0));

    const auto *p = g.find_by_id("geonames:1221559");
    REQUIRE(p != nullptr);
    CHECK(p->name == "Qalaikhumb");
    CHECK(p->admin2 == "Darvoz District");
    CHECK(g.find_by_id("geonames:0") == nullptr);
    CHECK(g.place_count() > 900);
    CHECK(g.name_count() > 5000);
}

TEST_CASE("options: country, admin1, kind, top, min_score", "[gazetteer]") {
    const auto &g = default_gazetteer();
    ResolveOptions o;
    o.country = "AFG";
    CHECK(g.resolve("Darvaz", o).candidates.front().id == "17698898B757957454065");
    o.country = "Afghanistan";
    CHECK(g.resolve("Darvaz", o).candidates.front().country == "AFG");
    o.country = "Таджикистан";
    CHECK(g.resolve("Badakhshan", o).candidates.front().id == "86453995B82116761581179");
    CHECK_FALSE(g.resolve("Badakhshan", o).candidates.front().ambiguous);
    o = {};
    o.admin1 = "Khatlon";
    CHECK(g.resolve("Kolkhozobod", o).candidates.front().admin1 == "Khatlon Region");
    o = {};
    o.kind = "populated_place";
    CHECK(g.resolve("Shuroobod", o).candidates.front().id == "geonames:1220479");
    o = {};
    o.top = 2;
    CHECK(g.resolve("Kunduz", o).candidates.size() == 2); // the city first, then its province
    CHECK(g.resolve("Kunduz", o).candidates.front().kind == "populated_place");
    CHECK(g.resolve("Kunduz", o).candidates[1].kind == "admin1");
    o = {};
    o.min_score = 0.99;
    CHECK_FALSE(g.resolve("Shamsiddin Shokhin", o).matched);
    o = {};
    o.country = "Narnia";
    CHECK_THROWS_AS(g.resolve("Darvoz", o), UsageError);
    o = {};
    o.admin1 = "Mordor";
    CHECK_THROWS_AS(g.resolve("Darvoz", o), UsageError);
    o = {};
    o.kind = "galaxy";
    CHECK_THROWS_AS(g.resolve("Darvoz", o), UsageError);
}

TEST_CASE("bad queries throw InputError", "[gazetteer]") {
    const auto &g = default_gazetteer();
    CHECK_THROWS_AS(g.resolve(""), InputError);
    CHECK_THROWS_AS(g.resolve("   "), InputError);
    CHECK_THROWS_AS(g.resolve("Dar\xffvoz"), InputError);
    CHECK_THROWS_AS(g.resolve(std::string(501, 'a')), InputError);
    CHECK_NOTHROW(g.resolve(std::string(500, 'a')));
    CHECK_NOTHROW(g.resolve("!!! ??? ..."));
    CHECK_FALSE(g.resolve(std::string(64, 'x') + "y").matched); // would collapse to "hi"
    CHECK_FALSE(g.resolve("!!! ??? ...").matched);
}

TEST_CASE("user GeoNames and alias files", "[gazetteer]") {
    const auto &base = default_gazetteer();
    const auto &g = user_gazetteer();
    // Verbatim GeoNames rows already in geodata merge; the two synthetic rows are new.
    CHECK(g.place_count() == base.place_count() + 2);

    const auto kavo = g.resolve("Kavo village of Shamsiddin Shohin district");
    REQUIRE(kavo.matched);
    CHECK(kavo.candidates.front().id == "geonames:999000001");
    CHECK(kavo.candidates.front().kind == "populated_place");
    CHECK(kavo.candidates.front().admin1 == "Khatlon Region");
    CHECK(kavo.candidates.front().admin2 == "Shamsiddin Shohin District");
    CHECK(g.resolve("Каво").candidates.front().id == "geonames:999000001");

    const auto post = g.resolve("Panj River Post 7");
    REQUIRE(post.matched);
    CHECK(post.candidates.front().kind == "spot");
    CHECK(post.candidates.front().precision == 1);

    CHECK(g.resolve("Shohin district").candidates.front().id == "16282066B44711875302411");
    CHECK(g.resolve("Qalai-Khumb bridge").candidates.front().id == "geonames:1221559");
    CHECK_FALSE(base.resolve("Qalai-Khumb bridge").matched);
}

TEST_CASE("bad user files are rejected with FILE:LINE", "[gazetteer]") {
    const auto load = [](const std::filesystem::path &geonames,
                         const std::filesystem::path &aliases) {
        Gazetteer::Sources s;
        if (!geonames.empty()) {
            s.geonames_files.push_back(geonames);
        }
        if (!aliases.empty()) {
            s.alias_files.push_back(aliases);
        }
        return Gazetteer::load(s);
    };
    SECTION("too few columns") {
        TempText f("1\tA\tA\t\t1\t2\tP\n");
        CHECK_THROWS_WITH(load(f.path, {}), Catch::Contains(":1:") && Catch::Contains("columns"));
    }
    SECTION("latitude out of range") {
        TempText f("999000009\tX\tX\t\t95.0\t70.0\tP\tPPL\tTJ\t\t02\t\t\t\t0\t\t0\tAsia/"
                   "Dushanbe\t2025-01-01\n");
        CHECK_THROWS_AS(load(f.path, {}), InputError);
        CHECK_THROWS_WITH(load(f.path, {}), Catch::Contains("latitude"));
    }
    SECTION("alias to an unknown id") {
        TempText f("alias\tid\tnote\nFoo\tgeonames:123\tx\n");
        CHECK_THROWS_WITH(load({}, f.path),
                          Catch::Contains(":2:") && Catch::Contains("unknown place id"));
    }
    SECTION("missing file") {
        CHECK_THROWS_AS(load("/nonexistent/TJ.txt", {}), IoError);
    }
}

TEST_CASE("resolve is thread-safe", "[gazetteer]") {
    const auto &g = default_gazetteer();
    const std::vector<std::string> queries{"Дарвоз",  "Shamsiddin Shokhin", "بدخشان",
                                           "Khatron", "Shamsiddin Shohn",   "Qal'ai Khumb"};
    std::vector<std::string> expected;
    for (const auto &q : queries) {
        expected.push_back(g.resolve(q).candidates.front().id);
    }
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 1);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const auto k = static_cast<std::size_t>(i) % queries.size();
                if (g.resolve(queries[k]).candidates.front().id != expected[k]) {
                    ok[static_cast<std::size_t>(t)] = 0;
                }
            }
        });
    }
    for (auto &th : threads) {
        th.join();
    }
    CHECK(std::count(ok.begin(), ok.end(), 1) == 4);
}

TEST_CASE("bit-parallel OSA distance equals the dynamic programme", "[gazetteer]") {
    std::mt19937 rng(4);
    std::uniform_int_distribution<int> length(0, 20);
    std::uniform_int_distribution<int> letter(0, 3); // small alphabet: many transpositions
    const auto random_string = [&] {
        std::string s(static_cast<std::size_t>(length(rng)), 'a');
        for (auto &c : s) {
            c = static_cast<char>('a' + letter(rng));
        }
        return s;
    };
    for (int i = 0; i < 5000; ++i) {
        const auto a = random_string();
        const auto b = random_string();
        const auto longest = std::max(a.size(), b.size());
        const auto distance = detail::osa_distance(a, b);
        INFO(a << " / " << b);
        if (longest == 0) {
            CHECK(distance == 0);
            continue;
        }
        const double sim = detail::osa_similarity(a, b);
        CHECK(1.0 - static_cast<double>(distance) / static_cast<double>(longest) == Approx(sim));
    }
    CHECK(detail::osa_distance("ca", "abc") == 3); // OSA, not unrestricted Damerau
    CHECK(detail::osa_distance("hatran", "hatlan") == 1);
    CHECK(detail::osa_distance("ab", "ba") == 1);
}

TEST_CASE("issue 13 a bare name means the populated place, the unit only when the text says so",
          "[gazetteer]") {
    const auto &g = default_gazetteer();
    const auto top = [&](const char *q, const ResolveOptions &o = {}) {
        const auto r = g.resolve(q, o);
        REQUIRE(r.matched);
        return r.candidates.front();
    };
    // Before: every one of these gave the district or province (its interior point).
    for (const auto &[query, id] :
         std::vector<std::pair<const char *, const char *>>{{"Vanj", "geonames:1220210"},
                                                            {"Ishkashim", "geonames:1221614"},
                                                            {"Panj", "geonames:1220750"},
                                                            {"Shaartuz", "geonames:1220576"},
                                                            {"Kunduz", "geonames:1135689"},
                                                            {"Fayzabad", "geonames:1142170"},
                                                            {"Kabul", "geonames:1138958"}}) {
        INFO(query);
        const auto m = top(query);
        CHECK(m.id == id);
        CHECK(m.kind == "populated_place");
        CHECK(m.precision == 1);
        CHECK_FALSE(m.admin1.empty()); // the admin units are the context
    }
    CHECK(top("Vanj").admin2 == "Vanj District");
    // Same answer in every script.
    CHECK(top("فیض آباد").id == top("Fayzabad").id);
    CHECK(top("Файзабад").id == top("Fayzabad").id);
    CHECK(top("Ванҷ").id == top("Vanj").id);
    CHECK(top("کندز").id == top("Kunduz").id);
    // The unit when the text names it, in Latin, Cyrillic and Arabic script, or with --kind.
    CHECK(top("Vanj district").id == "16282066B67507686696316");
    CHECK(top("Ванҷ район").id == "16282066B67507686696316");
    CHECK(top("Vanj nohiya").id == "16282066B67507686696316");
    CHECK(top("Darvoz raion").kind == "admin2");
    CHECK(top("Kabul province").id == "12653393B60423242182357");
    CHECK(top("Badakhshan wilayat").id == "12653393B46637216309148");
    CHECK(top("Khatlon viloyat").id == "86453995B79808671966952");
    CHECK(top("вилояти Хатлон").id == "86453995B79808671966952");
    CHECK(top("ولایت کندز").id == "12653393B86260556017558");
    CHECK(top("Ishkashim woleswali").kind == "admin2");
    ResolveOptions o;
    o.kind = "admin2";
    CHECK(top("Vanj", o).id == "16282066B67507686696316");
    o.kind = "populated_place";
    CHECK(top("Vanj", o).id == "geonames:1220210");
    // A name that only a unit has stays the unit.
    CHECK(top("Khatlon").kind == "admin1");
    CHECK(top("Darvoz").kind == "admin2");
}

TEST_CASE("issue 13 near-miss spellings score clearly: transliteration systems, slips, "
          "report phrases",
          "[gazetteer]") {
    const auto &g = default_gazetteer();
    // ISO 9 / scientific and the Tajik Latin alphabet meet BGN/PCGN.
    CHECK(fold_to_ascii("Šahritus") == "shahritus");
    CHECK(fold_to_ascii("Şahritus") == "shahritus");
    CHECK(fold_to_ascii("Vanç") == "vanj");
    CHECK(fold_to_ascii("Ƣarm") == "gharm");
    CHECK(fold_to_ascii("Dušanbe") == "dushanbe");
    const auto top = [&](const char *q) {
        const auto r = g.resolve(q);
        INFO(q);
        REQUIRE(r.matched);
        return r.candidates.front();
    };
    // "Shahrituz" for Shahritus: 0.711 before, a hair above no-match (0.70).
    const auto shahrituz = top("Shahrituz");
    CHECK(shahrituz.id == "geonames:1220576");
    CHECK(shahrituz.score >= 0.80);
    CHECK(top("Šaḩritus").id == "geonames:1220576");
    CHECK(top("Şahritus").id == "geonames:1220576");
    CHECK(top("Vanç").id == "geonames:1220210");
    CHECK(top("Shamsiddin Shohn").score >= 0.80); // a dropped vowel
    // Report phrases around the name.
    CHECK(top("near Vanj").id == "geonames:1220210");
    CHECK(top("Vanj village").id == "geonames:1220210");
    CHECK(top("outskirts of Khorog").id == "geonames:1221328");
    CHECK(top("border post in Panj").id == "geonames:1220750");
    CHECK(top("in the vicinity of Khorog").id == "geonames:1221328");
    CHECK(top("Darvoz area").id == "16282066B28036456763405");
    // Half-cost edits are never worse than whole ones, and at most twice as kind.
    for (const auto &[a, b] :
         std::vector<std::pair<const char *, const char *>>{{"shahrituz", "shahritus"},
                                                            {"talivan", "talakan"},
                                                            {"abc", "xyz"},
                                                            {"hatlan", "hatran"},
                                                            {"vanj", "vanch"}}) {
        const double osa = detail::osa_similarity(a, b);
        const double variant = detail::variant_similarity(a, b);
        CHECK(variant >= osa);
        CHECK(1.0 - variant >= (1.0 - osa) / 2.0 - 1e-12);
    }
}
