#!/usr/bin/env python3
"""Write the text-input cases of the bad-input corpus (encodings, line ends, delimiters, empty
files) from tests/data/incidents/native.csv and acled_current.csv, each with its .expect
sidecar. Deterministic: rerun after changing it and commit the result.
Usage: tests/data/incidents/bad/make_encoding_cases.py"""
import csv
import io
import pathlib

HERE = pathlib.Path(__file__).resolve().parent.parent / "data" / "incidents" / "bad"
DATA = HERE.parent
NAME = "Шамсиддин Шохин"


def native_rows():
    """native.csv with Cyrillic text in every row (location stays resolvable)."""
    lines = (DATA / "native.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        out.append(line + " (" + NAME + ")")
    return out


def acled_rows():
    lines = (DATA / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    return [lines[0]] + [l.replace("Shamsiddin Shohin", NAME) for l in lines[1:]]


def delimited(lines, delimiter, eol="\n"):
    """The rows of CSV @p lines written with another delimiter (quoting as a spreadsheet would)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol)
    for row in csv.reader(lines):
        writer.writerow(row)
    return out.getvalue()


def case(name, data, exit_code, stored, args=None, lines=None, messages=()):
    (HERE / name).write_bytes(data)
    expect = []
    if args:
        expect.append("args = " + args)
    expect.append("exit = %d" % exit_code)
    expect.append("stored = %d" % stored)
    if lines:
        expect.append("lines = " + lines)
    for m in messages:
        expect.append("message = " + m)
    (HERE / (name + ".expect")).write_text("\n".join(expect) + "\n", encoding="utf-8")


def main():
    native = native_rows()
    acled = acled_rows()
    crlf = "\r\n".join(native) + "\r\n"
    case("enc_utf16le_bom_no_option.csv", b"\xff\xfe" + crlf.encode("utf-16-le"), 1, 0,
         messages=["looks like UTF-16 (byte-order mark FF FE)", "--encoding UTF-16"])
    case("enc_utf16le_no_bom_no_option.csv", crlf.encode("utf-16-le"), 1, 0,
         messages=["looks like UTF-16", "bytes are NUL"])
    case("enc_utf16be_bom_no_option.csv", b"\xfe\xff" + crlf.encode("utf-16-be"), 1, 0,
         messages=["byte-order mark FE FF"])
    case("enc_utf32_no_option.csv", "\n".join(native).encode("utf-32"), 1, 0,
         messages=["looks like UTF-32"])
    # Excel's "Unicode text": UTF-16LE with a BOM, TAB-delimited, CRLF.
    excel = delimited(acled, "\t", "\r\n")
    case("enc_excel_utf16_tab.txt", b"\xff\xfe" + excel.encode("utf-16-le"), 0, 4,
         args="--encoding UTF-16")
    case("enc_utf16le_no_bom.csv", crlf.encode("utf-16-le"), 0, 3, args="--encoding UTF-16")
    cp = "\n".join(native) + "\n"
    case("enc_cp1251_no_option.csv", cp.encode("cp1251"), 1, 0, lines="2,3,4",
         messages=["field 'notes': invalid UTF-8 at byte", "--encoding cp1251"])
    case("enc_cp1251.csv", cp.encode("cp1251"), 0, 3, args="--encoding cp1251")
    # A byte the named encoding does not define (0xE9 in US-ASCII) rejects its row only.
    plain = (DATA / "native.csv").read_bytes()
    case("enc_ascii_unmappable.csv", plain.replace(b"Drone strike", b"Drone\xe9strike"), 1, 2,
         args="--encoding US-ASCII", lines="4",
         messages=["field 'sub_event_type': invalid UTF-8 at byte 5"])
    case("enc_latin1.csv", ("\n".join(native).replace(" (" + NAME + ")", " (café)") + "\n")
         .encode("latin1"), 0, 3, args="--encoding latin1")
    case("enc_unknown_encoding.csv", cp.encode("utf-8"), 2, 0, args="--encoding klingon-8",
         messages=["unknown encoding 'klingon-8'", "uconv -l"])
    case("eol_cr_only.csv", ("\r".join(native) + "\r").encode(), 0, 3)
    case("eol_mixed.csv", (native[0] + "\r" + native[1] + "\r\n" + native[2] + "\n" + native[3])
         .encode(), 0, 3)
    case("eol_cr_only_header_only.csv", (native[0] + "\r").encode(), 1, 0, lines="1",
         messages=["no data rows"])
    case("empty_header_only.csv", (native[0] + "\n\n\n").encode(), 1, 0, lines="1",
         messages=["no data rows: the file has a header line but no records"])
    case("empty_features.geojson", b'{"type":"FeatureCollection","features":[]}\n', 1, 0,
         messages=["no features"])
    semi = delimited(native, ";")
    case("delim_semicolon.csv", semi.encode(), 0, 3)
    case("delim_semicolon_cp1251_cr.csv", semi.replace("\n", "\r").encode("cp1251"), 0, 3,
         args="--encoding cp1251")
    case("delim_tab.tsv", delimited(acled, "\t").encode(), 0, 4)
    pipe = delimited(native, "|").encode()
    case("delim_pipe_no_option.csv", pipe, 1, 0, lines="1", messages=["use --delimiter"])
    case("delim_pipe.csv", pipe, 0, 3, args="--delimiter pipe")
    case("delim_bad_option.csv", semi.encode(), 2, 0, args="--delimiter :",
         messages=["delimiter ':'"])


if __name__ == "__main__":
    main()
