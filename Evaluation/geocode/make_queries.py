#!/usr/bin/env python3
"""Writes the held-out geocoder evaluation set, Evaluation/geocode/queries.tsv, from the demo city's data.

Usage (from the repository root; Python 3 standard library only):
    python3 Evaluation/geocode/make_queries.py

Reads DemoCity/streets.geojson, addresses.csv and places.yaml (written by DemoCity/tools/make_streets.py). It
uses its own random seed, not the generator's, and leaves out the addresses and corners the generator singles
out for the tests, so nothing here was tuned against. Deterministic: running it again gives the same file.

Columns: id, category, language, text, expected_latitude, expected_longitude, expected_matched. Categories:
  address       an address point, as written: "1423 Oak St", "calle Oak 1423", "Oak街1423号", "1423 đường Oak"
  abbrev        the suffix or directional spelled out or abbreviated differently: "Street", "Ave.", "North", "N."
  no_suffix     the suffix left out where the name alone is one street: "1423 Oak", "812 N Grand"
  typo          one or two letter edits in the street's name: "Wlanut", "Mapel"
  unit          an apartment, suite or "#2B" after (or before) the address: the building's point
  interpolated  a number in a block's range with no address point: where linear interpolation along the block
                puts it, 12 m to its side (Sources/Geocoding/Geometry.swift does the same)
  intersection  two streets that meet exactly once: the shared vertex
  near          "in front of", "across from", "near" an address (its point); "the 1400 block of Oak St" (the middle
                of that block on the centerline)
  place         a named place or one of its other names, in every language: the place's point
  coordinates   "39.7990, -89.6440", map links (Google, Apple, OpenStreetMap, geo:), a copied DMS pair
  none          must not match: streets the city does not have, numbers outside every range, streets that never
                meet, words that are no place at all; the expected columns are empty
Every category but `none` is written in all five launch languages (en, es, zh-Hans, vi, ar), about evenly.
"""
import csv
import json
import math
import os
import random
import re

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "DemoCity", "tools"))
from geometry import metres, point_along  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CITY = os.path.join(ROOT, "DemoCity")
# `make_queries.py` writes the development set (queries.tsv, seed 20250611) the geocoder was tuned on;
# `make_queries.py heldout` writes heldout.tsv with another seed, never looked at while tuning.
HELD_OUT = len(sys.argv) > 1 and sys.argv[1] == "heldout"
SEED = 7_123_457 if HELD_OUT else 20250611
OUT = os.path.join(HERE, "heldout.tsv" if HELD_OUT else "queries.tsv")
LANGS = ["en", "es", "zh-Hans", "vi", "ar"]
M = 111320.0
SETBACK = 12.0

# What the generator singles out (DemoCity/tools/make_streets.py REQUIRED and REQUIRED_CORNERS): left out here.
SINGLED_ADDRESSES = {"1423 Oak St", "123 Oak St", "40 Oak St", "10 Oak St", "1500 Oak St", "220 Walnut St",
                     "512 Walnut St", "77 Elm St", "9 Elm St", "200 Main St", "500 Main St", "12 Pine St", "45 Pine St",
                     "9 Ash Ct", "31 Cedar Ct", "88 Birch Ln", "405 Maple Ave", "1010 River Rd", "19 Hill St",
                     "1 Main St", "405 Maple St"}
SINGLED_CORNERS = {frozenset(p) for p in [("Oak St", "5th St"), ("Elm St", "5th St"), ("Main St", "3rd St"),
                                          ("Main St", "5th St"), ("Main St", "Elm St")]}

DIRECTIONS = {"N": "North", "S": "South", "E": "East", "W": "West"}
SUFFIXES = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Dr": "Drive", "Blvd": "Boulevard", "Ln": "Lane",
            "Ct": "Court", "Way": "Way", "Pl": "Place", "Ter": "Terrace", "Cir": "Circle", "Pkwy": "Parkway"}
OTHER_ABBREVIATIONS = {"St": ["St."], "Ave": ["Ave.", "Av", "Av."], "Rd": ["Rd."], "Dr": ["Dr."],
                       "Blvd": ["Blvd.", "Boul"], "Ln": ["Ln."], "Ct": ["Ct.", "Crt"], "Pl": ["Pl."], "Ter": ["Terr"],
                       "Cir": ["Cir."], "Pkwy": ["Pky", "Pkwy."]}
ORDINAL_WORDS = ["", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
                 "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
                 "Eighteenth", "Nineteenth", "Twentieth"]
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# ---------------------------------------------------------------------------------------------------------
# The city's data


class Name:
    def __init__(self, full):
        self.full = full
        words = full.split()
        self.pre = words.pop(0) if len(words) > 2 and words[0] in DIRECTIONS else None
        self.post = words.pop() if len(words) > 2 and words[-1] in DIRECTIONS else None
        self.suffix = words.pop() if len(words) > 1 and words[-1] in SUFFIXES else None
        self.core = " ".join(words)
        self.numbered = bool(re.fullmatch(r"\d+(st|nd|rd|th)", self.core))

    def render(self, pre=None, suffix=None, post=None, core=None):
        parts = [pre if pre is not None else (self.pre or ""), core or self.core,
                 suffix if suffix is not None else (self.suffix or ""), post if post is not None else (self.post or "")]
        return " ".join(p for p in parts if p)


def load_segments():
    with open(os.path.join(CITY, "streets.geojson"), encoding="utf-8") as f:
        features = json.load(f)["features"]
    segments = []
    for feature in features:
        p = feature["properties"]
        seg = {"name": p["FULLNAME"], "coords": [tuple(c) for c in feature["geometry"]["coordinates"]]}
        if p["LFROMHN"]:
            seg["left"] = (int(p["LFROMHN"]), int(p["LTOHN"]))
        if p["RFROMHN"]:
            seg["right"] = (int(p["RFROMHN"]), int(p["RTOHN"]))
        segments.append(seg)
    return segments


def load_addresses():
    buildings, units = {}, {}
    with open(os.path.join(CITY, "addresses.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["number"]), row["street"])
            if row["unit"]:
                units.setdefault(key, []).append(row["unit"])
            else:
                buildings[key] = (float(row["latitude"]), float(row["longitude"]))
    return buildings, units


def flow(text):
    """A YAML flow value as places.yaml writes it: {k: v, k: [a, b]} or [a, b] or a scalar."""
    text = text.strip()
    if text[:1] in "{[":
        inner, items, depth, current, quoted = text[1:-1], [], 0, "", False
        for ch in inner:
            if ch == '"':
                quoted = not quoted
            if not quoted and ch in "{[":
                depth += 1
            if not quoted and ch in "}]":
                depth -= 1
            if ch == "," and depth == 0 and not quoted:
                items.append(current)
                current = ""
            else:
                current += ch
        if current.strip():
            items.append(current)
        if text[0] == "[":
            return [flow(i) for i in items]
        result = {}
        for item in items:
            key, _, value = item.partition(":")
            result[key.strip()] = flow(value)
        return result
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('\\"', '"')
    return text


def load_places():
    places, current = [], None
    with open(os.path.join(CITY, "places.yaml"), encoding="utf-8") as f:
        section = None
        for line in f:
            if line.startswith("places:"):
                section = "places"
            elif line.startswith("streets:"):
                section = "streets"
            elif section == "places" and line.startswith("  - id:"):
                current = {"id": line.split(":", 1)[1].strip()}
                places.append(current)
            elif section == "places" and current is not None and line.startswith("    "):
                key, _, value = line.strip().partition(":")
                current[key] = flow(value) if key in ("name", "aliases") else value.strip()
    for place in places:
        place["latitude"], place["longitude"] = float(place["latitude"]), float(place["longitude"])
    return places


# ---------------------------------------------------------------------------------------------------------
# Geometry (as Sources/Geocoding/Geometry.swift)




def sub_line(points, f0, f1):
    """The part of a line between two fractions of its length."""
    scale = math.cos(math.radians(points[0][1]))
    lengths = [math.hypot(*metres(a, b, scale)) for a, b in zip(points, points[1:])]
    total = sum(lengths)
    out = [point_along(points, f0, 0)]
    run = 0.0
    for i, length in enumerate(lengths[:-1]):
        run += length
        if f0 * total < run < f1 * total:
            out.append(points[i + 1])
    out.append(point_along(points, f1, 0))
    return out, (f1 - f0) * total


SPANISH_FEMININE = {"biblioteca", "escuela", "terminal", "estación", "jefatura", "oficina", "piscina", "preparatoria",
                    "primaria", "alcaldía", "municipalidad", "comisaría", "central", "alberca", "perrera"}
SPANISH_MASCULINE = {"ayuntamiento", "parque", "hospital", "centro", "refugio", "aeropuerto", "palacio", "cuartel"}


def spanish_article(name):
    """'la Biblioteca Central', 'el Ayuntamiento'; names in English ('City Hall') and 'correos' go without."""
    first = name.split()[0].lower()
    if first in ("el", "la", "los", "las"):
        return name
    if first in SPANISH_FEMININE:
        return f"la {name}"
    if first in SPANISH_MASCULINE:
        return f"el {name}"
    return name


# ---------------------------------------------------------------------------------------------------------
# Typos


def osa(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


KEYBOARD = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm",
                                 ["wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "ol", "qsz", "awdx",
                                  "sefc", "drgv", "fthb", "gyjn", "hukm", "jilm", "kop", "zas", "xsdc", "xdfv", "cfgb",
                                  "vghn", "bhjm", "njk"])}


def typo(rng, word):
    w = list(word)
    kind = rng.randrange(5)
    i = rng.randrange(1, len(w)) if len(w) > 1 else 0
    if kind == 0 and len(w) > 2:                       # transposition (not of the capital)
        i = rng.randrange(1, len(w) - 1)
        w[i], w[i + 1] = w[i + 1], w[i]
    elif kind == 1 and len(w) > 3:                     # a letter left out
        del w[i]
    elif kind == 2:                                    # a letter typed twice
        w.insert(i, w[i])
    elif kind == 3 and w[i].lower() in KEYBOARD:       # a neighbouring key
        repl = rng.choice(KEYBOARD[w[i].lower()])
        w[i] = repl.upper() if w[i].isupper() else repl
    else:                                              # a vowel swapped
        vowels = [k for k, c in enumerate(w) if c in "aeiou"]
        if not vowels:
            return None
        k = rng.choice(vowels)
        w[k] = rng.choice([v for v in "aeiou" if v != w[k]])
    return "".join(w)


# ---------------------------------------------------------------------------------------------------------


class Maker:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.segments = load_segments()
        self.buildings, self.units = load_addresses()
        self.places = load_places()
        self.names = {s["name"]: Name(s["name"]) for s in self.segments}
        self.by_street = {}
        for s in self.segments:
            self.by_street.setdefault(s["name"], []).append(s)
        self.cores = {}
        for name in self.names.values():
            self.cores.setdefault(name.core.lower(), []).append(name.full)
        self.singled = set(SINGLED_ADDRESSES) | {p["address"] for p in self.places}
        self.vertices = {}
        for s in self.segments:
            for end in (s["coords"][0], s["coords"][-1]):
                self.vertices.setdefault(end, set()).add(s["name"])
        self.meet = {}
        for v, names in self.vertices.items():
            names = sorted(names)
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    self.meet.setdefault((names[i], names[j]), []).append(v)
        self.rows = []
        self.used = set()

    # The pieces of a row ---------------------------------------------------------------------------------

    def add(self, category, lang, text, lat=None, lon=None, matched=""):
        text = " ".join(text.split())
        assert "\t" not in text and text, text
        key = (category, text)
        if key in self.used:
            return False
        self.used.add(key)
        self.rows.append((category, lang, text, "" if lat is None else f"{lat:.6f}", "" if lon is None else f"{lon:.6f}",
                          matched))
        return True

    def pick(self, items):
        return items[self.rng.randrange(len(items))]

    def unique_core(self, name):
        """The name's core alone (no suffix, no directional) is one street."""
        n = self.names[name]
        return len(self.cores[n.core.lower()]) == 1 and not n.pre and not n.post

    def matching(self, core, suffix=None, pre=None, post=None):
        return [n.full for n in self.names.values() if n.core.lower() == core.lower()
                and (suffix is None or n.suffix == suffix) and (pre is None or n.pre == pre)
                and (post is None or n.post == post)]

    def addresses(self, count, exclude=()):
        """Random building addresses the generator did not single out."""
        keys = sorted(k for k in self.buildings if f"{k[0]} {k[1]}" not in self.singled and k not in exclude)
        self.rng.shuffle(keys)
        return keys[:count]

    # Renderings of an address in each language ---------------------------------------------------------

    def address_text(self, lang, number, street, name_text=None, allow_generic=True):
        """`number` on `street` as a resident writing in `lang` would put it. `name_text` replaces the name."""
        rng = self.rng
        n = self.names[street]
        text = name_text or street
        generic = allow_generic and name_text is None and self.unique_core(street)
        num = str(number)
        if lang == "ar" and rng.random() < 0.15:
            num = num.translate(ARABIC_DIGITS)   # the house number in Arabic-Indic digits
        # Chinese runs a name in Chinese into the number; a Latin name gets a space before it.
        gap = "" if not re.search(r"[A-Za-z.]$", text) or rng.random() < 0.2 else " "
        ordinal = int(n.core[:-2]) if n.numbered else None
        if lang == "en":
            return self.pick([f"{num} {text}", f"{num} {text}", f"{num} {text}, Springfield", f"at {num} {text}",
                              f"{num} {text.lower()}", f"{num} {text.upper()}", f"{num} {text}."])
        if lang == "es":
            forms = [f"{num} {text}", f"{text} #{num}", f"{text} número {num}", f"en el {num} de {text}",
                     f"{text} {num}", f"en {text} {num}"]
            if generic and n.suffix == "St" and not n.numbered:
                forms += [f"calle {n.core} {num}", f"{num} de la calle {n.core}", f"calle {n.core} número {num}"]
            if generic and n.numbered and n.suffix == "St":
                forms += [f"{num} de la calle {ordinal}", f"calle {ordinal} número {num}"]
            if generic and n.suffix == "Ave":
                forms += [f"avenida {n.core} {num}", f"{num} de la avenida {n.core}"]
            return self.pick(forms)
        if lang == "zh-Hans":
            forms = [f"{text}{gap}{num}号", f"{text} {num}号", f"{num} {text}", f"在{text}{gap}{num}号", f"地址：{num} {text}"]
            if generic and n.suffix in ("St", "Ave", "Rd") and not n.numbered:
                word = {"St": "街", "Ave": "大道", "Rd": "路"}[n.suffix]
                forms += [f"{n.core}{word}{num}号", f"{n.core}{word}{num}号", f"在{n.core}{word}{num}号"]
            if generic and n.numbered and n.suffix == "St":
                forms += [f"第{ordinal}街{num}号", f"{n.core}街{num}号"]
            return self.pick(forms)
        if lang == "vi":
            forms = [f"{num} {text}", f"số {num} {text}", f"nhà số {num} {text}", f"ở {num} {text}",
                     f"địa chỉ {num} {text}"]
            if generic and not n.numbered:
                forms += [f"{num} đường {n.core}", f"số {num} đường {n.core}", f"nhà {num} đường {n.core}"]
            if generic and n.numbered:
                forms += [f"{num} đường {text}", f"{num} đường số {ordinal}"]
            return self.pick(forms)
        if lang == "ar":
            forms = [f"{num} {text}", f"العنوان {num} {text}", f"في {num} {text}", f"رقم {num} {text}"]
            if generic and not n.numbered:
                forms += [f"{num} شارع {n.core}", f"شارع {n.core} رقم {num}", f"في شارع {n.core} رقم {num}"]
            if generic and n.numbered:
                forms += [f"{num} شارع {text}"]
            return self.pick(forms)
        raise ValueError(lang)

    # Categories -----------------------------------------------------------------------------------------

    def make_address(self, count):
        aliases = self.street_aliases()
        for i, (number, street) in enumerate(self.addresses(count * 2)):
            if sum(1 for r in self.rows if r[0] == "address") >= count:
                break
            lang = LANGS[i % 5]
            lat, lon = self.buildings[(number, street)]
            n = self.names[street]
            text = None
            if lang in ("zh-Hans", "ar") and n.core in aliases and self.unique_core(street) and self.rng.random() < 0.35:
                alias = self.pick(aliases[n.core][lang])
                text = f"{alias}{number}号" if lang == "zh-Hans" else self.pick([f"{number} شارع {alias}", f"شارع {alias} رقم {number}"])
            self.add("address", lang, text or self.address_text(lang, number, street), lat, lon, f"{number} {street}")

    def street_aliases(self):
        out = {}
        with open(os.path.join(CITY, "places.yaml"), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"- name: (.+)\n\s+aliases: (\{.*\})", text.split("\nstreets:")[1]):
            out[m.group(1).strip()] = flow(m.group(2))
        return out

    def make_abbrev(self, count):
        # Directional streets and numbered streets more often than their share.
        keys = self.addresses(4000)
        special = [k for k in keys if self.names[k[1]].pre or self.names[k[1]].post or self.names[k[1]].numbered]
        plain = [k for k in keys if k not in special]
        chosen = special[:count // 2] + plain[:count]
        made = 0
        for i, (number, street) in enumerate(chosen):
            if made >= count:
                break
            n = self.names[street]
            variants = []
            if n.suffix:
                variants.append(n.render(suffix=SUFFIXES[n.suffix]))
                variants += [n.render(suffix=s) for s in OTHER_ABBREVIATIONS.get(n.suffix, [])]
            if n.pre:
                variants += [n.render(pre=DIRECTIONS[n.pre]), n.render(pre=n.pre + "."),
                             n.render(pre=DIRECTIONS[n.pre], suffix=SUFFIXES.get(n.suffix, ""))]
            if n.post:
                variants += [n.render(post=DIRECTIONS[n.post]), n.render(suffix=SUFFIXES[n.suffix], post=DIRECTIONS[n.post])]
            if n.numbered and int(n.core[:-2]) < len(ORDINAL_WORDS):
                variants += [n.render(core=ORDINAL_WORDS[int(n.core[:-2])]),
                             n.render(core=ORDINAL_WORDS[int(n.core[:-2])], suffix=SUFFIXES[n.suffix])]
            variants = [v for v in variants if v != street]
            if not variants:
                continue
            if n.suffix in ("Way",) and not n.pre:
                continue
            lang = LANGS[made % 5]
            lat, lon = self.buildings[(number, street)]
            if self.add("abbrev", lang, self.address_text(lang, number, street, self.pick(variants)), lat, lon,
                        f"{number} {street}"):
                made += 1

    def make_no_suffix(self, count):
        made = 0
        for number, street in self.addresses(3000):
            if made >= count:
                break
            n = self.names[street]
            if n.post or not n.suffix:
                continue
            if len(self.matching(n.core, pre=n.pre)) != 1 or (not n.pre and len(self.cores[n.core.lower()]) != 1):
                continue
            if n.numbered and self.rng.random() < 0.7:
                continue   # "3210 25th" is rarer than "3210 Oak"
            text_name = n.render(suffix="")
            lang = LANGS[made % 5]
            lat, lon = self.buildings[(number, street)]
            num = str(number)
            text = {
                "en": self.pick([f"{num} {text_name}", f"{num} {text_name}, Springfield", f"at {num} {text_name}"]),
                "es": self.pick([f"{text_name} {num}", f"en el {num} de {text_name}", f"{num} {text_name}"]),
                "zh-Hans": self.pick([f"{text_name} {num}号", f"{num} {text_name}", f"在{text_name} {num}号"]),
                "vi": self.pick([f"{num} {text_name}", f"số {num} {text_name}", f"nhà {num} {text_name}"]),
                "ar": self.pick([f"{num} {text_name}", f"{text_name} رقم {num}", f"في {num} {text_name}"]),
            }[lang]
            if self.add("no_suffix", lang, text, lat, lon, f"{number} {street}"):
                made += 1

    def make_typo(self, count):
        made = 0
        cores = sorted(self.cores)
        for number, street in self.addresses(3000):
            if made >= count:
                break
            n = self.names[street]
            if n.numbered or " " in n.core or len(n.core) < 3:
                continue
            if len(n.core) == 3 and self.rng.random() < 0.7:
                continue
            word = typo(self.rng, n.core)
            if word and len(n.core) >= 7 and self.rng.random() < 0.4:
                word = typo(self.rng, word)
            if not word or word.lower() in self.cores or word.lower() == n.core.lower():
                continue
            mine = osa(word.lower(), n.core.lower())
            if mine > 2 or any(osa(word.lower(), c) <= mine for c in cores if c != n.core.lower()):
                continue
            lang = LANGS[made % 5]
            lat, lon = self.buildings[(number, street)]
            text = self.address_text(lang, number, street, n.render(core=word))
            if self.add("typo", lang, text, lat, lon, f"{number} {street}"):
                made += 1

    def make_unit(self, count):
        with_units = sorted(k for k in self.units if f"{k[0]} {k[1]}" not in self.singled)
        self.rng.shuffle(with_units)
        plain = self.addresses(count)
        made = 0
        while made < count and (with_units or plain):
            if with_units and (self.rng.random() < 0.7 or not plain):
                number, street = with_units.pop()
                unit = self.pick(self.units[(number, street)])
            else:
                number, street = plain.pop()
                unit = self.pick(["Apt 2", "Apt 3B", "Unit 4", "Apt 1", "Unit C", "Ste 200"])
            token = unit.split(" ", 1)[1]
            lang = LANGS[made % 5]
            addr = self.address_text(lang, number, street) if self.rng.random() < 0.3 else f"{number} {street}"
            a = f"{number} {street}"
            text = {
                "en": self.pick([f"{a} Apt {token}", f"{a} #{token}", f"{a}, Unit {token}", f"Apt {token}, {a}",
                                 f"{a} {unit}", f"{a} apt. {token}", f"{addr} #{token}"]),
                "es": self.pick([f"{a} apto {token}", f"{a}, depto {token}", f"{a} apartamento {token}",
                                 f"{a} interior {token}", f"{addr}, apto. {token}", f"{a} #{token}"]),
                "zh-Hans": self.pick([f"{street} {number}号{token}室", f"{a} {token}室", f"{a} {unit}",
                                      f"{street} {number}号 {token}单元", f"{a} #{token}"]),
                "vi": self.pick([f"{a} căn hộ {token}", f"phòng {token}, {a}", f"{a} phòng {token}",
                                 f"{addr} căn hộ {token}", f"{a} #{token}"]),
                "ar": self.pick([f"{a} شقة {token}", f"شقة {token}، {a}", f"{a} {unit}", f"{a} #{token}"]),
            }[lang]
            lat, lon = self.buildings[(number, street)]
            if self.add("unit", lang, text, lat, lon, f"{number} {street}"):
                made += 1

    def make_interpolated(self, count):
        segs = [s for s in self.segments if "left" in s or "right" in s]
        self.rng.shuffle(segs)
        made = 0
        for seg in segs:
            if made >= count:
                break
            sides = [side for side in ("left", "right") if side in seg]
            side = self.pick(sides)
            lo, hi = seg[side]
            choices = [n for n in range(lo, hi + 1, 2) if (n, seg["name"]) not in self.buildings]
            if not choices:
                continue
            number = self.pick(choices)
            if f"{number} {seg['name']}" in self.singled:
                continue
            fraction = 0.5 if lo == hi else (number - lo) / (hi - lo)
            lon, lat = point_along(seg["coords"], fraction, SETBACK if side == "left" else -SETBACK)
            lang = LANGS[made % 5]
            if self.add("interpolated", lang, self.address_text(lang, number, seg["name"]), lat, lon,
                        f"{number} {seg['name']}"):
                made += 1

    def corner_forms(self, street, other):
        """Ways to write `street` in a corner with `other` that still name one corner."""
        n = self.names[street]
        forms = [(street, dict(core=n.core, suffix=n.suffix, pre=n.pre, post=n.post))]
        if not n.post:
            forms.append((n.render(suffix=""), dict(core=n.core, pre=n.pre)))
        if n.suffix and n.suffix in SUFFIXES and n.suffix != "Way":
            forms.append((n.render(suffix=SUFFIXES[n.suffix]), dict(core=n.core, suffix=n.suffix, pre=n.pre, post=n.post)))
        return forms

    def corners_of(self, a_spec, b_spec):
        points = set()
        for a in self.matching(**a_spec):
            for b in self.matching(**b_spec):
                key = tuple(sorted((a, b)))
                points.update(self.meet.get(key, []))
        return points

    def continues(self, a, b, vertex):
        """`b` carries on where `a` ends, in the same direction (a street that changes its name): no corner."""
        def directions(name):
            out = []
            for seg in self.by_street[name]:
                c = seg["coords"]
                if c[0] == vertex:
                    out.append((c[1][0] - c[0][0], c[1][1] - c[0][1]))
                elif c[-1] == vertex:
                    out.append((c[-2][0] - c[-1][0], c[-2][1] - c[-1][1]))
            return out
        for u in directions(a):
            for v in directions(b):
                if abs(u[0] * v[1] - u[1] * v[0]) < 1e-12 and u[0] * v[0] + u[1] * v[1] < 0:
                    return True
        return False

    def make_intersection(self, count):
        pairs = sorted(k for k, v in self.meet.items() if len(v) == 1 and frozenset(k) not in SINGLED_CORNERS
                       and self.names[k[0]].core != self.names[k[1]].core and not self.continues(k[0], k[1], v[0]))
        self.rng.shuffle(pairs)
        made = 0
        for a, b in pairs:
            if made >= count:
                break
            if self.rng.random() < 0.5:
                a, b = b, a
            fa, fb = self.pick(self.corner_forms(a, b)), self.pick(self.corner_forms(b, a))
            points = self.corners_of(fa[1], fb[1])
            if len(points) != 1:
                fa, fb = self.corner_forms(a, b)[0], self.corner_forms(b, a)[0]
                points = self.corners_of(fa[1], fb[1])
                if len(points) != 1:
                    continue
            lon, lat = next(iter(points))
            ta, tb = fa[0], fb[0]
            lang = LANGS[made % 5]
            text = {
                "en": self.pick([f"{ta} and {tb}", f"{ta} & {tb}", f"corner of {ta} and {tb}", f"{ta} / {tb}",
                                 f"{ta} at {tb}", f"intersection of {ta} and {tb}", f"at the corner of {ta} & {tb}",
                                 f"{ta.lower()} and {tb.lower()}"]),
                "es": self.pick([f"esquina de {ta} y {tb}", f"{ta} y {tb}", f"en la esquina de {ta} y {tb}",
                                 f"cruce de {ta} con {tb}", f"{ta} esquina con {tb}", f"{ta} con {tb}"]),
                "zh-Hans": self.pick([f"{ta}和{tb}路口", f"{ta}与{tb}交叉口", f"{ta}和{tb}的拐角", f"{ta}/{tb}",
                                      f"{ta}跟{tb}十字路口", f"{ta} 和 {tb} 交叉口"]),
                "vi": self.pick([f"góc {ta} và {tb}", f"ngã tư {ta} và {tb}", f"góc đường {ta} và {tb}",
                                 f"ngã tư {ta} với {tb}", f"{ta} và {tb}"]),
                "ar": self.pick([f"تقاطع {ta} و {tb}", f"تقاطع {ta} مع {tb}", f"زاوية {ta} و {tb}",
                                 f"عند تقاطع {ta} و{tb}", f"تقاطع شارع {ta} وشارع {tb}"]),
            }[lang]
            if self.add("intersection", lang, text, lat, lon, f"{a} & {b}"):
                made += 1

    def block_middle(self, street, hundred):
        """The middle of the hundred-block on the centerline: the parts of the street's segments whose numbers
        fall in hundred ... hundred+99, put end to end, and the point halfway along them."""
        pieces = []
        for seg in self.by_street[street]:
            spans = [seg[side] for side in ("left", "right") if side in seg]
            if not spans:
                continue
            lo, hi = max(spans, key=lambda r: r[1] - r[0])
            if hi < hundred or lo > hundred + 99:
                continue
            if hi == lo:
                f0, f1 = 0.0, 1.0
            else:
                f0 = min(max((hundred - lo) / (hi - lo), 0.0), 1.0)
                f1 = min(max((hundred + 100 - lo) / (hi - lo), 0.0), 1.0)
            if f1 > f0:
                pieces.append(sub_line(seg["coords"], f0, f1))
        total = sum(length for _, length in pieces)
        if total < 60:
            return None
        half = total / 2
        for line, length in pieces:
            if half <= length:
                return point_along(line, half / length if length else 0, 0)
            half -= length
        return None

    def make_near(self, count):
        made = 0
        grid_streets = sorted(s for s in self.by_street if self.names[s].suffix in ("St", "Ave") and len(self.by_street[s]) > 10)
        keys = self.addresses(2000)
        for i in range(count * 3):
            if made >= count:
                break
            lang = LANGS[made % 5]
            block = lang in ("en", "es") and self.rng.random() < 0.35
            if block:
                street = self.pick(grid_streets)
                segs = self.by_street[street]
                seg = self.pick(segs)
                rng_ = seg.get("left") or seg.get("right")
                hundred = rng_[0] // 100 * 100
                if hundred == 0:
                    continue
                middle = self.block_middle(street, hundred)
                if not middle:
                    continue
                n = self.names[street]
                core = n.render(suffix="") if len(self.matching(n.core, pre=n.pre, post=n.post)) == 1 and not n.post else street
                text = {
                    "en": self.pick([f"the {hundred} block of {street}", f"{hundred} block of {core}",
                                     f"on the {hundred} block of {street}", f"in the {hundred} block of {street}"]),
                    "es": self.pick([f"la cuadra {hundred} de {street}", f"en la cuadra del {hundred} de {street}",
                                     f"cuadra {hundred} de {core}"]),
                }[lang]
                if self.add("near", lang, text, middle[1], middle[0], f"{hundred} block of {street}"):
                    made += 1
                continue
            number, street = keys[i % len(keys)]
            a = self.address_text(lang, number, street) if lang != "en" and self.rng.random() < 0.3 else f"{number} {street}"
            a = f"{number} {street}" if lang in ("es",) and a.startswith("en ") else a
            text = {
                "en": self.pick([f"in front of {a}", f"across from {a}", f"near {a}", f"next to {a}", f"by {a}",
                                 f"outside {a}", f"behind {a}", f"right in front of {a}"]),
                "es": self.pick([f"frente al {a}", f"enfrente de {a}", f"cerca del {a}", f"al lado del {a}",
                                 f"detrás del {a}", f"afuera del {a}"]),
                "zh-Hans": self.pick([f"{a}门前", f"{a}对面", f"{a}附近", f"在{a}旁边", f"{street} {number}号前面",
                                      f"{street} {number}号附近"]),
                "vi": self.pick([f"trước nhà {a}", f"gần {a}", f"đối diện {a}", f"cạnh {a}", f"phía sau {a}",
                                 f"ngay trước {a}"]),
                "ar": self.pick([f"أمام {a}", f"بالقرب من {a}", f"مقابل {a}", f"بجانب {a}", f"خلف {a}", f"قرب {a}"]),
            }[lang]
            lat, lon = self.buildings[(number, street)]
            if self.add("near", lang, text, lat, lon, f"{number} {street}"):
                made += 1

    def make_place(self, count):
        per_place = max(1, count // len(self.places))
        for place in self.places:
            made = 0
            for attempt in range(60):
                if made >= per_place:
                    break
                lang = LANGS[(made + self.places.index(place)) % 5]
                names = [place["name"][lang]] + list(place["aliases"].get(lang, []))
                name = self.pick(names)
                if lang == "en":
                    forms = [name, f"in front of {name}", f"near {name}", f"at {name}", f"across from {name}", name.lower()]
                    if not name.lower().startswith("the "):
                        forms += [f"by {name}", f"the parking lot of {name}", f"outside {name}"]
                    text = self.pick(forms)
                elif lang == "es":
                    if self.rng.random() < 0.2:
                        name = place["name"]["en"]
                    the = spanish_article(name)
                    text = self.pick([name, f"frente a {the}", f"cerca de {the}", f"en {the}", f"enfrente de {the}",
                                      f"al lado de {the}"])
                    text = text.replace(" a el ", " al ").replace(" de el ", " del ")
                elif lang == "zh-Hans":
                    text = self.pick([name, f"{name}门口", f"{name}附近", f"在{name}", f"{name}对面", f"{name}旁边"])
                elif lang == "vi":
                    text = self.pick([name, f"trước {name}", f"gần {name}", f"ở {name}", f"đối diện {name}",
                                      f"cạnh {name}"])
                    if self.rng.random() < 0.2:
                        text = f"gần {place['name']['en']}"
                else:
                    text = self.pick([name, f"أمام {name}", f"بالقرب من {name}", f"عند {name}", f"مقابل {name}",
                                      f"بجانب {name}"])
                if self.add("place", lang, text, place["latitude"], place["longitude"], place["name"]["en"]):
                    made += 1

    def make_coordinates(self, count):
        keys = sorted(self.buildings)
        for i in range(count * 2):
            if sum(1 for r in self.rows if r[0] == "coordinates") >= count:
                break
            lat, lon = self.buildings[self.pick(keys)]
            lat += self.rng.uniform(-0.0004, 0.0004)
            lon += self.rng.uniform(-0.0004, 0.0004)
            digits = self.pick([4, 5, 6])
            la, lo = f"{lat:.{digits}f}", f"{lon:.{digits}f}"
            lat, lon = float(la), float(lo)

            def dms(value, pos, neg):
                h = pos if value >= 0 else neg
                value = abs(value)
                d = int(value)
                m = int((value - d) * 60)
                s = ((value - d) * 60 - m) * 60
                return f"{d}°{m}'{s:.1f}\"{h}"

            link = self.pick([
                f"{la}, {lo}", f"{la},{lo}", f"{la} {lo}", f"({la}, {lo})", f"{la}, {lo}",
                f"https://maps.google.com/?q={la},{lo}", f"https://www.google.com/maps?q={la},{lo}",
                f"https://www.google.com/maps/@{la},{lo},18z", f"https://www.google.com/maps/search/?api=1&query={la}%2C{lo}",
                f"https://maps.apple.com/?ll={la},{lo}&q=Dropped%20Pin", f"https://maps.apple.com/?q={la},{lo}",
                f"https://www.openstreetmap.org/?mlat={la}&mlon={lo}#map=18/{la}/{lo}",
                f"https://www.openstreetmap.org/#map=19/{la}/{lo}", f"geo:{la},{lo}",
                f"{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}",
            ])
            lang = LANGS[i % 5]
            wrap = self.rng.random() < 0.5
            if wrap:
                link = {
                    "en": self.pick([f"I'm at {link}", f"my location: {link}", f"here {link}"]),
                    "es": self.pick([f"estoy en {link}", f"mi ubicación: {link}", f"aquí {link}"]),
                    "zh-Hans": self.pick([f"我的位置：{link}", f"位置 {link}", f"我在这里 {link}"]),
                    "vi": self.pick([f"vị trí của tôi: {link}", f"tôi đang ở {link}", f"ở đây {link}"]),
                    "ar": self.pick([f"موقعي: {link}", f"أنا هنا {link}", f"الموقع {link}"]),
                }[lang]
            self.add("coordinates", lang, link, lat, lon, "")

    def make_none(self, count):
        fake = ["Zebra St", "Quixote Ave", "Marmalade Ln", "Flamingo Blvd", "Tangerine Ct", "Galaxy Way", "Yellowstone Rd",
                "Nimbus Dr", "Octopus Pl", "Bramblewick Ter", "Kangaroo Cir", "Velvet Pkwy", "Xylophone St",
                "Pumpkinseed Ave", "Thunderbird Rd"]
        for f in fake:
            core = Name(f).core.lower()
            assert all(osa(core, c) >= 3 for c in self.cores), f
        texts = []
        for k, f in enumerate(fake):
            texts.append(("en", f"{100 + 37 * k} {f}"))
        texts += [("es", "calle Inventada 45"), ("es", "avenida Mariposa 1200"), ("es", "esquina de Zebra y Quixote"),
                  ("zh-Hans", "Zebra街12号"), ("zh-Hans", "长江路88号"), ("zh-Hans", "Galaxy Way和Nimbus Dr路口"),
                  ("vi", "123 đường Hoa Sen"), ("vi", "số 45 đường Lê Lợi"), ("vi", "góc Zebra và Octopus"),
                  ("ar", "12 شارع الزهور"), ("ar", "شارع النخيل رقم 7"), ("ar", "تقاطع Zebra و Flamingo")]
        # Numbers outside every range of real streets.
        for street in ["Oak St", "Walnut St", "Elm St", "Main St", "Pine St", "5th St", "Cherry St", "Taylor Ave",
                       "River Rd", "Ash Ct"]:
            top = max(max(s.get("left", (0, 0))[1], s.get("right", (0, 0))[1]) for s in self.by_street[street])
            number = (top // 1000 + 5) * 1000 + 321 + 10 * len(texts) % 500
            texts.append((LANGS[len(texts) % 5], f"{number} {street}"))
        # Streets that never meet.
        for a, b in [("Oak St", "Elm St"), ("Pine St", "Walnut St"), ("5th St", "9th St"), ("Hill St", "Vine St"),
                     ("Cherry St", "Locust St"), ("12th St", "40th St")]:
            assert not self.corners_of(dict(core=Name(a).core), dict(core=Name(b).core)), (a, b)
            texts.append((LANGS[len(texts) % 5], {"en": f"{a} and {b}", "es": f"esquina de {a} y {b}",
                                                   "zh-Hans": f"{a}和{b}路口", "vi": f"góc {a} và {b}",
                                                   "ar": f"تقاطع {a} و {b}"}[LANGS[len(texts) % 5]]))
        texts += [("en", "asdfgh"), ("en", "lol ok thanks"), ("en", "the usual place"), ("en", "over there"),
                  ("en", "my house"), ("en", "idk"), ("en", "pothole"), ("es", "no sé"), ("es", "gracias"),
                  ("es", "por allá"), ("zh-Hans", "不知道"), ("zh-Hans", "谢谢"), ("zh-Hans", "就在那边"),
                  ("vi", "không biết"), ("vi", "cảm ơn"), ("vi", "ở đằng kia"), ("ar", "لا أعرف"), ("ar", "شكرا"),
                  ("ar", "هناك"), ("en", "qwerty 42")]
        for lang, text in texts[:count]:
            self.add("none", lang, text)

    def write(self):
        with open(OUT, "w", encoding="utf-8", newline="\n") as f:
            f.write("id\tcategory\tlanguage\ttext\texpected_latitude\texpected_longitude\texpected_matched\n")
            for i, row in enumerate(self.rows, start=1):
                f.write(f"g{i:04d}\t" + "\t".join(row) + "\n")


def main():
    maker = Maker()
    maker.make_address(200)
    maker.make_abbrev(160)
    maker.make_no_suffix(130)
    maker.make_typo(150)
    maker.make_unit(120)
    maker.make_interpolated(150)
    maker.make_intersection(200)
    maker.make_near(150)
    maker.make_place(153)
    maker.make_coordinates(100)
    maker.make_none(60)
    maker.write()
    counts = {}
    for row in maker.rows:
        counts.setdefault(row[0], {}).setdefault(row[1], 0)
        counts[row[0]][row[1]] += 1
    print(f"{len(maker.rows)} queries in {os.path.relpath(OUT, ROOT)}")
    for category, by_lang in counts.items():
        print(f"  {category:13} {sum(by_lang.values()):4}  " + "  ".join(f"{l} {by_lang.get(l, 0)}" for l in LANGS))


if __name__ == "__main__":
    main()
