// io/vector_features: the GeoJSON reader that keeps GDAL out of the quick commands must give
// exactly what GDAL's reading gives (same parts, same doubles, same fields), and leave to GDAL
// what it cannot read.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>

#include "io/vector_features.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace borderwatch;
using borderwatch::detail::read_gdal_features;
using borderwatch::detail::read_geojson_vector_features;
using borderwatch::detail::read_vector_features;

namespace {

const std::filesystem::path geodata = std::filesystem::path(BORDERWATCH_REPO_ROOT) / "geodata";

std::filesystem::path write_temp(const std::string &name, const std::string &text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("bw-vector-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

} // namespace

TEST_CASE("the GeoJSON reader gives what GDAL gives for every geodata file", "[io][geodata]") {
    const std::vector<std::pair<std::string, std::vector<std::string>>> files{
        {"borders.geojson", {"id", "left", "right", "source", "start_name", "end_name"}},
        {"boundary_lines_ne10m.geojson", {"left", "right"}},
        {"countries.geojson", {"iso3", "name"}},
        {"admin1.geojson", {"id", "iso3", "name"}},
        {"admin2.geojson", {"id", "iso3", "admin1", "admin1_id", "name", "no_such_field"}},
    };
    for (const auto &[name, fields] : files) {
        INFO(name);
        const auto ours = read_geojson_vector_features(geodata / name, fields);
        REQUIRE(ours.has_value());
        const auto gdal = read_gdal_features(geodata / name, fields);
        REQUIRE(ours->size() == gdal.size());
        std::size_t coordinates = 0;
        for (std::size_t i = 0; i < gdal.size(); ++i) {
            REQUIRE((*ours)[i].fields == gdal[i].fields);
            REQUIRE((*ours)[i].parts == gdal[i].parts); // bit-identical doubles
            for (const auto &part : gdal[i].parts) {
                for (const auto &ring : part) {
                    coordinates += ring.size();
                }
            }
        }
        CHECK(coordinates > 100);
    }
}

TEST_CASE("the GeoJSON reader: features, bare geometries, collections, field types",
          "[io][geodata]") {
    const auto path = write_temp("kinds.geojson",
                                 R"({"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"n":3,"x":0.1,"b":true,"s":"a","z":null},
  "geometry":{"type":"GeometryCollection","geometries":[
    {"type":"Point","coordinates":[1,2]},
    {"type":"LineString","coordinates":[[0,0],[1,1]]},
    {"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.3,0.2],[0.3,0.3],[0.2,0.2]]]}]}},
 {"type":"Feature","properties":{},"geometry":null}]})");
    const std::vector<std::string> fields{"n", "x", "b", "s", "z", "missing"};
    const auto ours = read_vector_features(path, fields);
    const auto gdal = read_gdal_features(path, fields);
    REQUIRE(ours.size() == 2);
    CHECK(ours[0].fields == std::vector<std::string>{"3", "0.1", "1", "a", "", ""});
    CHECK(ours[0].parts.size() == 2); // the point carries nothing; a line, a polygon
    CHECK(ours[0].parts[1].size() == 2);
    CHECK(ours[1].parts.empty());
    CHECK(ours[0].parts == gdal[0].parts);
    CHECK(ours[0].fields == gdal[0].fields);

    const auto bare = write_temp("bare.geojson", R"({"type":"MultiLineString",
        "coordinates":[[[70,37],[71,37.5]],[[72,38],[73,38.5]]]})");
    const auto lines = read_vector_features(bare, {"id"});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].parts.size() == 2);
    CHECK(lines[0].fields == std::vector<std::string>{""});
    std::filesystem::remove(path);
    std::filesystem::remove(bare);
}

TEST_CASE("what the GeoJSON reader leaves to GDAL, and what it refuses", "[io][geodata]") {
    // A legacy crs member naming Web Mercator: GDAL reads and transforms it.
    const auto mercator = write_temp("mercator.geojson", R"({"type":"FeatureCollection",
        "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString",
        "coordinates":[[7792364.355529149,4439106.787250583],[7903683.846322423,4509031.393076654]]}}]})");
    CHECK_FALSE(read_geojson_vector_features(mercator, {}).has_value());
    const auto transformed = read_vector_features(mercator, {});
    REQUIRE(transformed.size() == 1);
    CHECK(transformed[0].parts[0][0][0][0] == Approx(70.0).margin(1e-7));
    CHECK(transformed[0].parts[0][0][0][1] == Approx(37.0).margin(1e-7));
    // ... but a crs member naming CRS84 is read directly.
    const auto crs84 = write_temp("crs84.geojson", R"({"type":"FeatureCollection",
        "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString",
        "coordinates":[[70,37],[71,37.5]]}}]})");
    CHECK(read_geojson_vector_features(crs84, {}).has_value());
    // TopoJSON is JSON but not GeoJSON: GDAL's.
    const auto topo = write_temp("topo.json", R"({"type":"Topology","objects":{},"arcs":[]})");
    CHECK_FALSE(read_geojson_vector_features(topo, {}).has_value());
    // Broken JSON: an error naming the file, not a silent empty border.
    const auto broken = write_temp("broken.geojson", R"({"type":"FeatureCollection","features":[)");
    CHECK_THROWS_WITH(read_vector_features(broken, {}), Catch::Contains("broken.geojson"));
    const auto wrong = write_temp("wrong.geojson", R"({"type":"Feature","properties":{},
        "geometry":{"type":"LineString","coordinates":[["a","b"]]}})");
    CHECK_THROWS_AS(read_vector_features(wrong, {}), Error);
    for (const auto &p : {mercator, crs84, topo, broken, wrong}) {
        std::filesystem::remove(p);
    }
}
