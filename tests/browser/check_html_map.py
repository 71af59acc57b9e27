#!/usr/bin/env python3
"""The HTML map in a real browser (Debian's chromium, headless, network disabled).

Imports tests/data/export/html/incidents.csv into a fresh store, exports `--formats
html,geojson` (and a `--side TJK` export), opens map.html#selftest from file:// and reads the
page's self-check from the dumped DOM: no console error, no resource requested, one marker
drawn per located incident, the date slider moved to the middle changes the count to what
this script computes from the data itself, and the popup of the incident with Cyrillic and
<script> in its fields shows them as text.

Usage: check_html_map.py BORDERWATCH REPO WORKDIR [--screenshot PNG]
Exit: 0 pass, 1 fail, 77 chromium not installed (CTest SKIP_RETURN_CODE).
"""
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail("%s exited %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r


def browser_args(browser, profile):
    # Network off twice: every proxy connection refused, every host unresolvable; the page's
    # own CSP forbids loads anyway, and the self-check lists every resource the page asked for.
    return [browser, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--user-data-dir=" + profile, "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND"]


def data_island(page):
    m = re.search(r'<script type="application/json" id="bw-data">(.*?)</script>', page, re.S)
    if not m:
        fail("map.html has no bw-data element")
    return json.loads(m.group(1))


def day(text):
    if not text or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    return datetime.date.fromisoformat(text[:10]).toordinal()


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    bw, repo, work = sys.argv[1:4]
    screenshot = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
    browser = chromium()
    if browser is None:
        print("SKIP: chromium not installed (scripts/setup installs it)")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    store = os.path.join(work, "store.gpkg")
    run([bw, "import", "--store", store, os.path.join(repo, "tests/data/export/html/incidents.csv")])
    out = os.path.join(work, "out")
    run([bw, "export", "--store", store, "--out", out, "--formats", "html,geojson"])
    page_path = os.path.realpath(os.path.join(out, "map.html"))
    page = open(page_path, encoding="utf-8").read()
    data = data_island(page)
    layers = {l["name"]: l for l in data["layers"]}
    inc = layers["incidents"]
    field = {f["name"]: i for i, f in enumerate(inc["fields"])}
    features = inc["features"]
    geojson = json.load(open(os.path.join(out, "incidents.geojson"), encoding="utf-8"))
    if len(features) != len(geojson["features"]) or len(features) != 12:
        fail("map.html has %d incidents, incidents.geojson %d, the input 12"
             % (len(features), len(geojson["features"])))
    with_point = sum(1 for f in features if f[0] is not None)

    # The same filters as every format: --side TJK leaves only TJK incidents, as in GeoJSON.
    out_tjk = os.path.join(work, "out-tjk")
    run([bw, "export", "--store", store, "--out", out_tjk, "--formats", "html,geojson", "--side", "TJK"])
    tjk = data_island(open(os.path.join(out_tjk, "map.html"), encoding="utf-8").read())
    tjk_inc = [l for l in tjk["layers"] if l["name"] == "incidents"][0]["features"]
    tjk_geojson = json.load(open(os.path.join(out_tjk, "incidents.geojson"), encoding="utf-8"))
    if not 0 < len(tjk_inc) < len(features) or len(tjk_inc) != len(tjk_geojson["features"]):
        fail("--side TJK: map.html %d incidents, geojson %d, unfiltered %d"
             % (len(tjk_inc), len(tjk_geojson["features"]), len(features)))
    if any(f[1][field["side"]] != "TJK" for f in tjk_inc):
        fail("--side TJK: map.html holds incidents of another side")

    # Expected count after the slider's "from" moves to the middle of the dates.
    spans = []
    for f in features:
        s = day(f[1][field["event_date"]])
        e = day(f[1][field["event_date_end"]])
        spans.append((s, e if e is not None and s is not None and e >= s else s, f[0] is not None))
    dated = [x for x in spans if x[0] is not None]
    lo = min(x[0] for x in dated)
    hi = max(x[1] for x in dated)
    mid = (lo + hi) // 2
    expect_shown = sum(1 for s, e, _ in spans if s is None or (s <= hi and e >= mid))
    expect_drawn = sum(1 for s, e, p in spans if p and (s is None or (s <= hi and e >= mid)))

    profile = os.path.join(work, "profile")
    url = "file://" + page_path + "#selftest"
    r = subprocess.run(browser_args(browser, profile) + ["--virtual-time-budget=15000", "--dump-dom", url],
                       capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="bw-selftest">(.*?)</pre>', r.stdout, re.S)
    if not m:
        fail("no self-check in the dumped DOM (exit %d)\n%s\n%s" % (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    res = json.loads(html.unescape(m.group(1)))
    print(json.dumps({k: v for k, v in res.items() if k not in ("stats_text", "legend_text", "layer_control")},
                     ensure_ascii=False, indent=1))

    checks = [
        (res["errors"] == [], "console/page errors: %r" % res["errors"]),
        (res["resources"] == [], "resources requested: %r" % res["resources"]),
        (res["incidents"] == len(features), "page read %d incidents, file has %d" % (res["incidents"], len(features))),
        (res["rendered_initial"] == with_point, "markers drawn %d, located incidents %d" % (res["rendered_initial"], with_point)),
        (res["slider_from"] == datetime.date.fromordinal(mid).isoformat(), "slider from %s" % res["slider_from"]),
        (res["shown_after"] == expect_shown, "after the slider: %d shown, expected %d" % (res["shown_after"], expect_shown)),
        (res["rendered_after"] == expect_drawn, "after the slider: %d drawn, expected %d" % (res["rendered_after"], expect_drawn)),
        (res["shown_after"] < len(features) and res["count_after"] != res["count_initial"],
         "the count did not change: %r / %r" % (res["count_initial"], res["count_after"])),
        (res["month_bars"] >= 1, "no month bars in the statistics chart"),
        ("Хорог <script>alert('xss')</script> «Бадахшан»" in (res.get("popup_text") or ""),
         "popup does not show the location as text: %r" % res.get("popup_text")),
        ('Пяндж: <b>not bold</b> & "quoted" </script><!--' in (res.get("popup_text") or ""),
         "popup does not show the notes as text"),
        (res.get("popup_script_elements") == 0, "script elements inside the popup"),
        (res.get("popup_rows") == len(inc["fields"]), "popup rows %r, fields %d" % (res.get("popup_rows"), len(inc["fields"]))),
        (res["document_scripts"] == 4, "%d script elements in the page (injected?)" % res["document_scripts"]),
        ("Battles" in res["legend_text"] and "Protests" in res["legend_text"], "legend without the event types"),
        (all(n in res["layer_control"] for n in ("incidents", "border", "distance bands", "border sectors",
                                                "admin statistics", "connectors", "uncertainty")),
         "layer switcher lacks a layer: %r" % res["layer_control"]),
    ]
    bad = [msg for ok, msg in checks if not ok]
    if bad:
        fail("\n  ".join(bad))

    if screenshot:
        os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
        subprocess.run(browser_args(browser, profile) + ["--virtual-time-budget=5000", "--hide-scrollbars",
                       "--window-size=1200,800", "--screenshot=" + os.path.abspath(screenshot),
                       "file://" + page_path], capture_output=True, text=True, timeout=180)
        if not os.path.exists(screenshot):
            fail("no screenshot written")
    print("PASS: %d incidents, %d drawn, %d after the slider; %d bytes" % (len(features), with_point, res["shown_after"], len(page.encode())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
