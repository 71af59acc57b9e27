#!/usr/bin/env python3
"""Write the seed corpora tests/fuzz/corpus/<target>/ from the repository's own test data and
a few hostile hand-made inputs. Deterministic: rerun after changing it and commit the result.
Usage: tests/fuzz/make_seeds.py"""
import hashlib
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = REPO / "tests" / "data"
CORPUS = HERE / "corpus"
MAX = 4096  # seeds stay small: libFuzzer mutates short inputs much faster


def head(path, lines=40):
    text = path.read_bytes().split(b"\n")[:lines]
    return b"\n".join(text)[:MAX]


def put(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


HOSTILE_CSV = [
    b'id,event_date,notes\n1,2025-11-26,"unterminated\n',
    b"id,event_date,lon,lat\r1,2025-11-26,69.5,37.2\r2,2025-11-27,70,37\r",
    b"id,event_date,lon,lat\r\n1,2025-11-26,69.5,37.2\r\n",
    b"\xef\xbb\xbfid,event_date,lon,lat\n1,2025-11-26,69.5,37.2\n",
    b'id,notes\n1,a"b"c\n2,"x""y"\n3,""\n4,"a\r\nb"\n',
    b"id;event_date;lon;lat\n1;2025-11-26;69,5;37,2\n",
    b"id\tevent_date\tlon\tlat\n1\t2025-11-26\t69.5\t37.2\n",
    b"id,event_date,notes\n1,2025-11-26,bad \xff byte\n2,2025-11-26,nul \x00 byte\n",
    b"\xff\xfei\x00d\x00,\x00e\x00\n\x00",
    b",,,\n,,,\n",
]
CSV_FILES = ["incidents/native.csv", "incidents/native_v2.csv", "incidents/acled_current.csv",
             "incidents/acled_pre2023.csv", "incidents/ucdp_ged.csv", "incidents/bad_rows.csv",
             "locate/sample_places.csv"]


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    files = [head(DATA / f) for f in CSV_FILES] + HOSTILE_CSV
    for i, data in enumerate(files):
        put("fuzz_csv_reader", bytes([i % 3]) + data)
        for fmt in range(4):
            put("fuzz_incident_rows", bytes([fmt]) + data)
    put("fuzz_geojson_input", (DATA / "incidents" / "native.geojson").read_bytes()[:MAX])
    for data in [b'{"type":"FeatureCollection","features":[]}',
                 b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                 b'{"id":"a","event_date":"2025-11-26","notes":"[{\\"x"},"geometry":'
                 b'{"type":"Point","coordinates":[69.5,37.2]}}]}',
                 b'{"type":"FeatureCollection","features":[{"properties":{"id":1,"lat":[1],'
                 b'"lon":{"a":null}},"geometry":{"type":"Point","coordinates":[]}}]}',
                 b"[" * 200 + b"]" * 200, b'{"a":' * 150 + b"1" + b"}" * 150, b"\xff\xfe{"]:
        put("fuzz_geojson_input", data)
    for wkt in [b"POINT (69.5 37.2)", b"POINT(1 2)", b"point ( 1e400 2)", b"POINT EMPTY",
                b"MULTIPOINT((1 2))", b"POINT (1 2 3)", b"POINT (nan nan)", b"POINT (-180 -90)",
                b"POINT (1,2)", b"POINT ((1 2)", b"POINT )1 2(", b""]:
        put("fuzz_ucdp_geom_wkt", wkt)
    for date in [b"2025-11-26", b"2025-11-26 13:45:00.123", b"26 November 2025", b"26 Nov 2025",
                 b"2025-11", b"2025", b"2024-02-29", b"2025-02-29", b"2025-13-45", b"0000-01-01",
                 b"9999-12-31", b"-2025-01-01", b"2025-1-1", b"31 February 2025", b"  2025-11-26 "]:
        put("fuzz_date", date)
    for line in (DATA / "gazetteer" / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and not line.startswith("query\t"):
            put("fuzz_gazetteer", line.split("\t")[0].encode("utf-8"))
    for q in [b"", b" ", b"\xff", b"a" * 600, b"\xd0", b"Vanj district, Tajikistan, Badakhshan",
              b"near the border post in Darvoz", "Дарвоз".encode(), "فیض آباد".encode()]:
        put("fuzz_gazetteer", q)
    places = head(DATA / "locate" / "sample_places.csv")
    # first byte: 0 UTF-8, 1 cp1251, 2 UTF-16, 3 UTF-16LE (see fuzz_locate_rows.cpp)
    for data in [b"\x00" + places,
                 b"\x00" + places.replace(b",", b";"),
                 b"\x00" + places.replace(b",", b"\t").replace(b"\n", b"\r"),
                 b"\x00" + places.replace(b"\n", b"\r\n"),
                 b"\x01" + "name,lon,lat\nШамсиддин Шохин,69.5,37.8\n".encode("cp1251"),
                 b"\x02" + "name,lon,lat\r\nДарвоз,70.8,38.4\r\n".encode("utf-16"),
                 b"\x03" + "\ufeffname\tlon\tlat\nPanj\t69.1\t37.2\n".encode("utf-16-le"),
                 b"\x00name,lon,lat\nbad \xff,69.5,37.2\nnul \x00,69.5,37.2\nok,nan,1\n"
                 b"\"q,uoted\",181,37\nshort,1\n",
                 b"\x00x;y;note\r1;2;a\r\"3\r\";4;b\r",
                 b"\x00\xff\xfen\x00,\x00l\x00o\x00n\x00", b"\x00lon,lat\n"]:
        put("fuzz_locate_rows", data)
    put("fuzz_config", (REPO / "scripts" / "update.example.toml").read_bytes())
    for toml in [b'input = "in"\nstore = "s.gpkg"\nexport_dir = "out"\n',
                 b"[filter]\nside = 1\n", b"a.b.c.d.e.f = 1\n", b"x = [[[[[[1]]]]]]\n",
                 b"x = {a = {b = {c = 1}}}\n", b'bands_km = [1, "x"]\n', b"\xff = 1\n",
                 b'from = 2025-13-45\n', b"[export]\nformats = []\n"]:
        put("fuzz_config", toml)


if __name__ == "__main__":
    main()
