"""Curated alias table for geodata/gazetteer/aliases.tsv (used by build_geodata.py).

Each entry: (alias, target, note). target is a place id ("geonames:1221559", "iso3:TJK") or a
key resolved at build time: ("admin1"|"admin2", ISO3, current official name). The build fails
if a target does not resolve. Aliases only point at ids; they never carry coordinates.
"news article N" = ../shared/news/article-N.txt (reference copies of late-2025 news reports).
"""

SHOHIN = ("admin2", "TJK", "Shamsiddin Shohin District")
DARVOZ = ("admin2", "TJK", "Darvoz District")
KHATLON = ("admin1", "TJK", "Khatlon Region")
GBAO = ("admin1", "TJK", "Gorno-Badakhshan Autonomous Region")
SUGHD = ("admin1", "TJK", "Sughd Region")
RRS = ("admin1", "TJK", "Districts of Republican Subordination")
AF_BADAKHSHAN = ("admin1", "AFG", "Badakhshan")

ALIASES = [
    # --- Shamsiddin Shohin district (formerly Shuro-obod), Khatlon
    ("Shamsiddin Shohin", SHOHIN, "current name without suffix (SOURCES.md 2a; news articles 4, 5)"),
    ("Shamsiddin Shohin district", SHOHIN, "spelling in news articles 4 and 5"),
    ("Shamsiddin Shokhin", SHOHIN, "Russian-style transliteration used in news articles 1-4"),
    ("Shamsiddin Shokhin district", SHOHIN, "spelling in news articles 1-4"),
    ("Shuroobod", SHOHIN, "former name of the district (SOURCES.md 4: 'formerly Shuroobod')"),
    ("Shuro-obod", SHOHIN, "former name, geoBoundaries TJK ADM2 spelling without suffix"),
    ("Shurobod District", SHOHIN, "former name (GeoNames TJ.02.7670506 / SOURCES.md 2a)"),
    ("Шамсиддин Шоҳин", SHOHIN, "Tajik Cyrillic form of the current name"),
    ("Шамсиддин Шохин", SHOHIN, "Russian Cyrillic form of the current name"),
    ("Шӯрообод", SHOHIN, "Tajik Cyrillic form of the former name"),
    ("Шуроабад", SHOHIN, "Russian Cyrillic form of the former name"),
    # --- Darvoz district, GBAO
    ("Darvoz", DARVOZ, "district name without suffix (geoBoundaries TJK ADM2)"),
    ("Darvoz district", DARVOZ, "spelling in news article 2 and the photo captions of article 1"),
    ("Darboz", DARVOZ, "misspelling in news articles 1 and 3 ('Darboz region/district'); SOURCES.md 4"),
    ("Darvaz", DARVOZ, "Russian-style spelling (SOURCES.md 4: Darvaz/Darboz)"),
    ("Nohiyai Darvoz", DARVOZ, "GeoNames admin2 TJ.01.8220895"),
    ("Darvozskiy Rayon", DARVOZ, "GeoNames admin2 TJ.01.1221558 (older duplicate)"),
    ("Дарвоз", DARVOZ, "Tajik/Russian Cyrillic"),
    # --- Khatlon region
    ("Khatlon", KHATLON, "region name without suffix (geoBoundaries TJK ADM1; news articles 2, 4)"),
    ("Khatlon province", KHATLON, "spelling in news article 4; GeoNames admin1 TJ.02 'Khatlon Province'"),
    ("Khatron", KHATLON, "misspelling in news article 1 ('the remote Khatron region')"),
    ("Хатлон", KHATLON, "Tajik/Russian Cyrillic"),
    ("Khatlonskaya Oblast", KHATLON, "Russian administrative name, transliterated"),
    # --- Gorno-Badakhshan (GBAO)
    ("GBAO", GBAO, "standard abbreviation of Gorno-Badakhshan Autonomous Oblast"),
    ("Gorno-Badakhshan", GBAO, "GeoNames admin1 TJ.01"),
    ("Gorno-Badakhshan Autonomous Oblast", GBAO, "common English form of the Russian name"),
    ("Kuhistoni Badakhshon", GBAO, "Tajik name, transliterated"),
    ("Кӯҳистони Бадахшон", GBAO, "Tajik Cyrillic name"),
    ("Горно-Бадахшанская автономная область", GBAO, "Russian official name"),
    ("ГБАО", GBAO, "Russian abbreviation"),
    # --- other TJK regions
    ("Sughd", SUGHD, "GeoNames admin1 TJ.03"),
    ("Sogd", SUGHD, "Russian-style spelling"),
    ("Leninabad Oblast", SUGHD, "former name of Sughd region (until 2000)"),
    ("Согд", SUGHD, "Russian Cyrillic"),
    ("Republican Subordination", RRS, "GeoNames admin1 TJ.RR"),
    ("RRS", RRS, "abbreviation of Raiony Respublikanskogo Podchineniya"),
    ("Districts Under Republic Administration", RRS, "common English variant"),
    # --- renamed TJK districts along the border (SOURCES.md 2a)
    ("Jaihun", ("admin2", "TJK", "Jayhun District"), "spelling variant of Jayhun (formerly Qumsangir)"),
    ("Kumsangir", ("admin2", "TJK", "Jayhun District"), "Russian-style spelling of the former name"),
    ("Dusti District", ("admin2", "TJK", "Dusti District"), "current name (formerly Jilikul), SOURCES.md 2a"),
    ("Jilikul", ("admin2", "TJK", "Dusti District"), "former name without suffix"),
    ("Shaartuz", ("admin2", "TJK", "Shahritus District"), "Russian-style spelling of the former name Shahrtuz"),
    ("Kabodiyon", ("admin2", "TJK", "Qubodiyon District"), "Russian-style spelling"),
    ("Jomi", ("admin2", "TJK", "Abdurahmoni Jomi District"), "short form of the current name"),
    ("Kushoniyon", ("admin2", "TJK", "Kushoniyon District"), "current name without suffix (formerly Bokhtar)"),
    ("Ishkashim District", ("admin2", "TJK", "Ishkoshim District"),
     "Russian-style spelling of the TJK district (the AFG district is 'Ishkashiem' in geoBoundaries)"),
    ("Hamadoni", ("admin2", "TJK", "Hamadoni District"), "district name without suffix"),
    # --- places
    ("Kalaikhum", "geonames:1221559", "spelling of Qal'ai Khumb (GeoNames alternate name; SOURCES.md 4)"),
    ("Qal'ai Khumb", "geonames:1221559", "Tajik transliteration (SOURCES.md 4)"),
    ("Qalai Khumb", "geonames:1221559", "Tajik transliteration without apostrophe"),
    ("Kalai-Khumb", "geonames:1221559", "Russian-style spelling"),
    ("Қалъаи Хумб", "geonames:1221559", "Tajik Cyrillic"),
    ("Khorog", "geonames:1221328", "Russian-style spelling of Khorugh"),
    ("Хорог", "geonames:1221328", "Russian Cyrillic"),
    ("Shurabad", "geonames:1220479", "GeoNames alternate name of Shurobod (SOURCES.md 4)"),
    ("Shuroobod town", "geonames:1220479", "district centre of Shamsiddin Shohin"),
    ("Nusai", "geonames:1131591", "spelling variant of Nusay (Darwaz, Badakhshan)"),
    ("Nesay Darwaz", "geonames:1131591", "GeoNames alternate name (SOURCES.md 4)"),
    ("Ishkashim (Afghanistan)", "geonames:1148268", "GeoNames 1148268 Ashkāsham (AF side, Badakhshan)"),
    ("Eshkashem", "geonames:1148268", "Dari transliteration of Ishkashim (AF)"),
    ("Ishkashim (Tajikistan)", "geonames:1221614", "GeoNames 'Ishqoshim'"),
    ("Faizabad (Badakhshan)", "geonames:1142170", "capital of Badakhshan province (SOURCES.md 4)"),
    ("Fayzabad Badakhshan", "geonames:1142170", "capital of Badakhshan province (SOURCES.md 4)"),
    ("Imam Sahib", "geonames:1142545", "ASCII name of Imām Şāḩib"),
    # --- Badakhshan province (Afghanistan)
    ("Badakhshan province", AF_BADAKHSHAN, "news articles 1-5 ('Afghanistan's Badakhshan province')"),
    ("Badakshan", AF_BADAKHSHAN, "misspelling listed in shared/news/README.md"),
    ("Badakhshan Province", AF_BADAKHSHAN, "GeoNames-style English name"),
    ("بدخشان", AF_BADAKHSHAN, "Dari/Pashto (Arabic script)"),
    ("Бадахшан", AF_BADAKHSHAN, "Russian Cyrillic; also used for GBAO, low confidence"),
    # --- countries
    ("Tajik", "iso3:TJK", "adjective used for the country in news reports"),
    ("Republic of Tajikistan", "iso3:TJK", "official name"),
    ("Тоҷикистон", "iso3:TJK", "Tajik Cyrillic"),
    ("Таджикистан", "iso3:TJK", "Russian Cyrillic"),
    ("Afghan", "iso3:AFG", "adjective used for the country in news reports"),
    ("Islamic Emirate of Afghanistan", "iso3:AFG", "self-designation of the Taliban government since 2021"),
    ("افغانستان", "iso3:AFG", "Dari/Pashto (Arabic script)"),
    ("Афғонистон", "iso3:AFG", "Tajik Cyrillic"),
    ("Афганистан", "iso3:AFG", "Russian Cyrillic"),
    # --- Soviet-era district names still seen in older reports and datasets
    ("Moskovskiy rayon", ("admin2", "TJK", "Hamadoni District"),
     "Soviet-era name of Hamadoni district (Moskva/Moskovsky raion until 2004); general knowledge"),
    ("Leninskiy rayon", ("admin2", "TJK", "Rudaki District"),
     "Soviet-era name of Rudaki district (Lenin raion until 2003); general knowledge"),
    ("Sovetskiy rayon", ("admin2", "TJK", "Temurmalik District"),
     "GeoNames admin2 TJ.02.1220445 'Sovetskiy Rayon' = Temurmalik (renamed 2004)"),
    ("Pyandzh rayon", ("admin2", "TJK", "Panj District"),
     "Russian-style spelling of Panj district (Pyandzh)"),
    ("Pyanj District", ("admin2", "TJK", "Panj District"),
     "English rendering of the Russian spelling of Panj district"),
    ("Parkhar District", ("admin2", "TJK", "Farkhor District"),
     "Russian-style spelling of Farkhor district (Parkhar)"),
    ("Dzhilikul District", ("admin2", "TJK", "Dusti District"),
     "Russian-style spelling of the former name Jilikul (SOURCES.md 2a: Jilikul is Dusti)"),
    ("Tajik Badakhshan", GBAO, "common English name for Gorno-Badakhshan in reporting"),
    ("Badakhshan (Tajikistan)", GBAO, "disambiguated form used in reporting"),
]
