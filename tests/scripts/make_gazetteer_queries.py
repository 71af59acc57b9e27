#!/usr/bin/env python3
"""Generate the second part of tests/data/gazetteer/queries.tsv from the gazetteer's own
sources (geodata/gazetteer/places.tsv and names.tsv: GeoNames cities500 and geoBoundaries),
so every query is a real name of a real place and every expected id is the place the name
belongs to. Nothing is looked up with borderwatch itself (the table must be able to fail).

Categories written here:
  bare_town    a town whose name is also its district's or province's name -> the town
  admin_word   the same name with an admin word ("Vanj district", "Kabul province") -> the unit
  cyrillic     a Cyrillic GeoNames alternate name of a Tajik town -> the town
  arabic       an Arabic-script GeoNames alternate name of an Afghan town -> the town
  translit     a Tajik town's Cyrillic name romanised by ISO 9 or by the Tajik Latin alphabet
               (1928-40) instead of BGN/PCGN -> the town
  typo         a real name with one mechanical slip (s/z, a dropped vowel, two letters swapped,
               a doubled letter) -> the place
  phrase       a real name inside a report phrase ("near X", "outskirts of X", "border post in
               X", "X area", "X village") -> the place

Only names that belong to one populated place (compared after ASCII folding) are used, so
the expected answer is not a guess between namesakes; the ambiguity column is "any" (the
flag is checked on the hand-written rows). Usage (from the repository root):

    python3 tests/scripts/make_gazetteer_queries.py > /tmp/generated.tsv
"""
import collections
import csv
import sys
import unicodedata

PLACES = "geodata/gazetteer/places.tsv"
NAMES = "geodata/gazetteer/names.tsv"

ADMIN_SUFFIXES = (" District", " Region", " Autonomous Region")


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


def key(text):
    return " ".join(fold(text))


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader((line for line in f if not line.startswith("#")),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


def unit_base(name):
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# ISO 9:1995 (with the Tajik letters) and the Tajik Latin alphabet of 1928-40.
ISO9 = {"а": "a", "б": "b", "в": "v", "г": "g", "ғ": "ǧ", "д": "d", "е": "e", "ё": "ë",
        "ж": "ž", "з": "z", "и": "i", "ӣ": "ī", "й": "j", "к": "k", "қ": "ķ", "л": "l",
        "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
        "ӯ": "ū", "ф": "f", "х": "h", "ҳ": "ḩ", "ц": "c", "ч": "č", "ҷ": "ç", "ш": "š",
        "щ": "ŝ", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "û", "я": "â", "і": "ì"}
TAJIK_LATIN = {"а": "a", "б": "b", "в": "v", "г": "g", "ғ": "ƣ", "д": "d", "е": "e",
               "ё": "jo", "ж": "ƶ", "з": "z", "и": "i", "ӣ": "ī", "й": "j", "к": "k",
               "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
               "с": "s", "т": "t", "у": "u", "ӯ": "ū", "ф": "f", "х": "x", "ҳ": "h",
               "ч": "c", "ҷ": "ç", "ш": "ş", "ъ": "'", "э": "e", "ю": "ju", "я": "ja",
               "і": "i"}


def romanise(text, table):
    out = []
    for c in text:
        low = c.lower()
        if low in table:
            r = table[low]
            out.append(r[:1].upper() + r[1:] if c != low else r)
        else:
            out.append(c)
    return "".join(out)


def is_cyrillic(text):
    return any("\u0400" <= c <= "\u04ff" for c in text)


def is_arabic(text):
    """Arabic script only (GeoNames has a few alternates that mix scripts)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("\u0600" <= c <= "\u06ff" for c in letters)


VOWELS = "aeiou"


def slips(name):
    """Deterministic one-slip variants of a Latin name (first applicable of each kind)."""
    out = []
    low = name
    # s <-> z at the end or inside
    for i in range(len(low) - 1, 0, -1):
        if low[i] in "sz":
            out.append(("voicing", low[:i] + ("z" if low[i] == "s" else "s") + low[i + 1:]))
            break
    # drop an inner vowel
    for i in range(2, len(low) - 1):
        if low[i] in VOWELS and low[i - 1] not in VOWELS and low[i + 1] not in VOWELS:
            out.append(("dropped vowel", low[:i] + low[i + 1:]))
            break
    # swap two inner neighbours
    for i in range(2, len(low) - 2):
        if low[i] != low[i + 1] and low[i].isalpha() and low[i + 1].isalpha():
            out.append(("swapped letters", low[:i] + low[i + 1] + low[i] + low[i + 2:]))
            break
    # double a consonant
    for i in range(1, len(low) - 1):
        if low[i] not in VOWELS and low[i].isalpha() and low[i] != low[i - 1]:
            out.append(("doubled letter", low[: i + 1] + low[i] + low[i + 1:]))
            break
    return out


def main():
    places = read_tsv(PLACES)
    names = read_tsv(NAMES)
    by_id = {p["id"]: p for p in places}
    towns = [p for p in places if p["kind"] == "populated_place" and p["id"].startswith("geonames:")]

    # Which places each folded name belongs to (official, ascii and alternate names).
    owners = collections.defaultdict(set)
    for p in places:
        owners[key(p["name"])].add(p["id"])
        owners[key(p["asciiname"])].add(p["id"])
        if p["kind"] in ("admin1", "admin2"):
            owners[key(unit_base(p["name"]))].add(p["id"])
    for n in names:
        owners[key(n["name"])].add(n["id"])
        if by_id[n["id"]]["kind"] in ("admin1", "admin2"):
            owners[key(unit_base(n["name"]))].add(n["id"])

    def own_units(p):
        return {p["admin1_id"], p["admin2_id"]} - {""}

    def unique_town_name(p, text):
        """text names p and no other place except p's own admin units."""
        ids = owners.get(key(text), set())
        return p["id"] in ids and ids <= {p["id"]} | own_units(p)

    rows = []

    def add(query, expected, category, note):
        rows.append((query, expected, "any", "", category, note))

    # bare_town and admin_word
    units = {p["id"]: p for p in places if p["kind"] in ("admin1", "admin2")}
    seen = set()
    border = {"Badakhshan", "Takhar", "Kunduz", "Balkh"}

    def near_border_first(p):
        return (p["country"] != "TJK", p["admin1"] not in border, p["id"])

    arabic_names = collections.defaultdict(list)
    for n in names:
        if is_arabic(n["name"]) and len(fold(n["name"])) == 1:
            arabic_names[n["id"]].append(n["name"])
    for p in sorted(towns, key=near_border_first):
        if len(seen) >= 70:
            break
        for unit_id in (p["admin2_id"], p["admin1_id"]):
            unit = units.get(unit_id)
            if unit is None or key(unit_base(unit["name"])) != key(p["asciiname"]):
                continue
            if not unique_town_name(p, p["asciiname"]) or p["asciiname"] in seen:
                continue
            # The unit's own name must not be shared with another unit (two Tagab districts).
            if not owners[key(unit_base(unit["name"]))] <= {p["id"]} | own_units(p):
                continue
            seen.add(p["asciiname"])
            add(p["asciiname"], p["id"], "bare_town",
                f"town shares its name with its {unit['kind']} ({unit['name']})")
            words = (["district", "rayon", "nohiya"] if unit["country"] == "TJK"
                     else ["district", "woleswali", "uluswali"]) if unit["kind"] == "admin2" else (
                ["region", "viloyat", "oblast"] if unit["country"] == "TJK"
                else ["province", "wilayat", "velayat"])
            word = words[len(seen) % len(words)]
            add(f"{unit_base(unit['name'])} {word}", unit["id"], "admin_word",
                f"admin word '{word}' asks for the unit")
            # The Dari admin word with the place's own Arabic-script name.
            arabic = sorted(arabic_names.get(unit["id"], []) + arabic_names.get(p["id"], []))
            if arabic and unit["country"] == "AFG":
                word = "ولسوالی" if unit["kind"] == "admin2" else "ولایت"
                if unique_town_name(p, arabic[0]):
                    add(f"{word} {arabic[0]}", unit["id"], "admin_word",
                        f"Dari admin word with the Arabic-script name of {p['asciiname']}")

    # cyrillic, translit, arabic
    alt_by_place = collections.defaultdict(list)
    for n in names:
        alt_by_place[n["id"]].append(n["name"])
    cyr = arab = tr = 0
    for p in sorted(towns, key=lambda p: p["id"]):
        for text in sorted(alt_by_place.get(p["id"], [])):
            if is_cyrillic(text) and p["country"] == "TJK" and cyr < 45 and len(text) >= 4:
                if unique_town_name(p, text):
                    add(text, p["id"], "cyrillic", f"GeoNames alternate name of {p['asciiname']}")
                    cyr += 1
                    if tr < 50 and any(c in text.lower() for c in "шчҷжхҳғқӣӯ"):
                        iso = romanise(text, ISO9)
                        taj = romanise(text, TAJIK_LATIN)
                        add(iso, p["id"], "translit", f"ISO 9 of {text}")
                        if taj != iso:
                            add(taj, p["id"], "translit", f"Tajik Latin (1928-40) of {text}")
                        tr += 1
                    break
        for text in sorted(alt_by_place.get(p["id"], [])):
            if is_arabic(text) and p["country"] == "AFG" and arab < 40 and len(text) >= 3:
                if unique_town_name(p, text):
                    add(text, p["id"], "arabic", f"GeoNames alternate name of {p['asciiname']}")
                    arab += 1
                    break

    # typo and phrase: towns whose ASCII name is theirs alone, >= 6 letters
    phrases = ["near {}", "outskirts of {}", "border post in {}", "{} area", "{} village",
               "in the vicinity of {}"]
    ty = ph = 0
    for i, p in enumerate(sorted(towns, key=lambda p: (p["country"] != "TJK", p["id"]))):
        name = p["asciiname"]
        if len(name) < 6 or not name.isalpha() or not unique_town_name(p, name):
            continue
        if ty < 60 and i % 2 == 0:
            for kind, variant in slips(name)[:2]:
                if key(variant) not in owners:
                    add(variant, p["id"], "typo", f"{kind}: {name}")
                    ty += 1
        if ph < 36 and i % 3 == 1:
            add(phrases[ph % len(phrases)].format(name), p["id"], "phrase", f"report phrase around {name}")
            ph += 1

    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                     escapechar="\\")
    for r in rows:
        out.writerow(r)
    counts = collections.Counter(r[4] for r in rows)
    print(f"# generated: {len(rows)} rows {dict(sorted(counts.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
