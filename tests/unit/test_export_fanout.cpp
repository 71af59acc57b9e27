// The export's one-producer / many-consumer ring (every format thread sees every row).
#include "export/detail/fanout.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using borderwatch::detail::FanOut;

namespace {
struct Row {
    std::string text;
    long value = 0;
};
} // namespace

TEST_CASE("FanOut: every consumer sees every row in order", "[export]") {
    const std::size_t consumers = 3;
    std::vector<std::vector<long>> seen(consumers);
    std::vector<FanOut<Row>::Consumer> cs;
    for (std::size_t w = 0; w < consumers; ++w) {
        cs.emplace_back([&seen, w](const Row &r) {
            CHECK(r.text == std::to_string(r.value));
            seen[w].push_back(r.value);
        });
    }
    FanOut<Row> fan(std::move(cs), 7, 3); // small batches and ring: many hand-overs
    const long n = 5003;
    for (long i = 0; i < n; ++i) {
        auto &r = fan.row();
        r.value = i;
        r.text = std::to_string(i);
        fan.push();
    }
    fan.close();
    for (const auto &s : seen) {
        REQUIRE(s.size() == static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i) {
            CHECK(s[static_cast<std::size_t>(i)] == i);
        }
    }
}

TEST_CASE("FanOut: a consumer's exception reaches the producer, abandoning joins", "[export]") {
    {
        std::vector<FanOut<Row>::Consumer> cs;
        cs.emplace_back([](const Row &r) {
            if (r.value == 500) {
                throw std::runtime_error("disk full");
            }
        });
        cs.emplace_back([](const Row &) {});
        FanOut<Row> fan(std::move(cs), 8, 2);
        const auto produce = [&] {
            for (long i = 0; i < 100000; ++i) {
                fan.row().value = i;
                fan.push();
            }
            fan.close();
        };
        CHECK_THROWS_WITH(produce(), "disk full");
    }
    {
        std::vector<FanOut<Row>::Consumer> cs;
        cs.emplace_back([](const Row &) {});
        FanOut<Row> fan(std::move(cs), 8, 2);
        for (long i = 0; i < 1000; ++i) {
            fan.row().value = i;
            fan.push();
        }
        // destroyed without close(), as when the incident source throws
    }
    SUCCEED();
}
