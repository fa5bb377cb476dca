#!/usr/bin/env python3
"""Checks the demo city's street and address data (what make_streets.py writes) on its own terms.

Usage (from the repository root):
    python3 DemoCity/tools/check_streets.py

Reads DemoCity/streets.geojson, addresses.csv, places.yaml and the two boundaries; prints every problem and
exits 1 if there is one. Checks:
- every feature is a LineString of two or more points inside the county;
- the ranges have one parity per side (left odd, right even), run from the first point to the last and do not
  overlap on a street;
- blocks meet only at shared vertices (no crossing without one, no two vertices less than a metre apart), and
  none is shorter than 20 m;
- the addresses the tests use exist, each exactly once without a unit, and the corners they use exist exactly
  once;
- every address point lies on its number's side of its block, within 15 m of where interpolation puts it;
- Oak St, Elm St, Main St and Walnut St have no namesake with another suffix, and Maple St and Maple Ave both
  have 405;
- there are 200 or more street names, and some addresses are outside the city but inside the county;
- each place's address and point are a row of addresses.csv.
"""
import csv
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from geometry import metres, point_along  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CITY = os.path.dirname(HERE)
M = 111320.0

REQUIRED = ["1423 Oak St", "123 Oak St", "40 Oak St", "10 Oak St", "1500 Oak St", "220 Walnut St", "512 Walnut St",
            "77 Elm St", "9 Elm St", "200 Main St", "500 Main St", "12 Pine St", "45 Pine St", "9 Ash Ct", "31 Cedar Ct",
            "88 Birch Ln", "405 Maple Ave", "405 Maple St", "1010 River Rd", "19 Hill St", "100 Main St"]
CORNERS = [("Oak St", "5th St"), ("Elm St", "5th St"), ("Main St", "3rd St"), ("Main St", "5th St"), ("Main St", "Elm St")]
DOWNTOWN = ["Oak St", "Elm St", "Main St", "Walnut St", "Pine St"]
UNIQUE = ["Oak", "Elm", "Main", "Walnut"]
DIRECTIONS = {"N", "S", "E", "W", "NE", "NW", "SE", "SW"}

problems = []


def problem(text):
    problems.append(text)


def ring(name):
    with open(os.path.join(CITY, "boundaries", name), encoding="utf-8") as f:
        feature = json.load(f)
    return feature["geometry"]["coordinates"][0]


def inside(lon, lat, poly):
    result = False
    j = len(poly) - 1
    for i in range(len(poly)):
        xi, yi = poly[i][:2]
        xj, yj = poly[j][:2]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result




def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def core(name):
    words = name.split()
    if len(words) > 1 and words[0] in DIRECTIONS:
        words = words[1:]
    if len(words) > 1 and words[-1] in DIRECTIONS:
        words = words[:-1]
    return " ".join(words[:-1]) if len(words) > 1 else words[0]


def main():
    city, county = ring("springfield.geojson"), ring("greene-county.geojson")
    with open(os.path.join(CITY, "streets.geojson"), encoding="utf-8") as f:
        collection = json.load(f)
    segments = []
    for index, feature in enumerate(collection["features"]):
        geometry, props = feature["geometry"], feature["properties"]
        name = props.get("FULLNAME", "")
        where = f"feature {index + 1} ({name})"
        if geometry["type"] != "LineString" or len(geometry["coordinates"]) < 2:
            problem(f"{where}: not a LineString of 2+ points")
            continue
        coords = geometry["coordinates"]
        for lon, lat in coords:
            if not inside(lon, lat, county):
                problem(f"{where}: point {lon},{lat} outside the county")
            if round(lon, 6) != lon or round(lat, 6) != lat:
                problem(f"{where}: more than 6 decimals")
        sides = {}
        for side, parity, a, b in (("left", 1, "LFROMHN", "LTOHN"), ("right", 0, "RFROMHN", "RTOHN")):
            x, y = props.get(a, ""), props.get(b, "")
            if (x == "") != (y == ""):
                problem(f"{where}: {a}/{b} only one given")
                continue
            if x == "":
                continue
            x, y = int(x), int(y)
            if x % 2 != parity or y % 2 != parity or x > y:
                problem(f"{where}: {side} range {x}-{y} is not {'odd' if parity else 'even'} and increasing")
            sides[side] = (x, y)
        segments.append({"name": name, "coords": coords, **sides})

    for s in segments:
        scale = math.cos(math.radians(s["coords"][0][1]))
        length = sum(math.hypot(*metres(a, b, scale)) for a, b in zip(s["coords"], s["coords"][1:]))
        if length < 20:
            problem(f"{s['name']}: a segment of {length:.1f} m at {s['coords'][0]} (a sliver between two corners)")

    names = {s["name"] for s in segments}
    streets = {}
    for s in segments:
        streets.setdefault(s["name"], []).append(s)

    # Ranges do not overlap on a street.
    for name, segs in streets.items():
        for side in ("left", "right"):
            spans = sorted(s[side] for s in segs if side in s)
            for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
                if b0 <= a1:
                    problem(f"{name}: {side} ranges {a0}-{a1} and {b0}-{b1} overlap")

    # Topology: shared vertices, no crossing without one, no near-miss vertices.
    vertices = {}
    for i, s in enumerate(segments):
        for end in (s["coords"][0], s["coords"][-1]):
            vertices.setdefault(tuple(end), set()).add(s["name"])
    cell = 0.002
    buckets = {}
    for key in vertices:
        buckets.setdefault((int(key[0] // cell), int(key[1] // cell)), []).append(key)
    for key in vertices:
        i, j = int(key[0] // cell), int(key[1] // cell)
        for a in range(i - 1, i + 2):
            for b in range(j - 1, j + 2):
                for other in buckets.get((a, b), []):
                    if other > key and haversine(key[1], key[0], other[1], other[0]) < 1.0:
                        problem(f"vertices {key} and {other} are less than 1 m apart but not shared")
    edge_buckets = {}
    edges = []
    for si, s in enumerate(segments):
        for a, b in zip(s["coords"], s["coords"][1:]):
            edges.append((si, tuple(a), tuple(b)))
            e = len(edges) - 1
            for x in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
                for y in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                    edge_buckets.setdefault((x, y), []).append(e)
    checked = set()
    for members in edge_buckets.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                e, f = members[x], members[y]
                if (e, f) in checked or edges[e][0] == edges[f][0]:
                    continue
                checked.add((e, f))
                _, p, p2 = edges[e]
                _, q, q2 = edges[f]
                if len({p, p2, q, q2}) < 4:
                    continue   # they share a vertex
                rx, ry, sx, sy = p2[0] - p[0], p2[1] - p[1], q2[0] - q[0], q2[1] - q[1]
                denom = rx * sy - ry * sx
                if denom == 0:
                    continue
                t = ((q[0] - p[0]) * sy - (q[1] - p[1]) * sx) / denom
                u = ((q[0] - p[0]) * ry - (q[1] - p[1]) * rx) / denom
                if 1e-9 < t < 1 - 1e-9 and 1e-9 < u < 1 - 1e-9:
                    problem(f"{segments[edges[e][0]]['name']} and {segments[edges[f][0]]['name']} cross at "
                            f"{p[0] + t * rx:.6f},{p[1] + t * ry:.6f} without a shared vertex")

    for a, b in CORNERS:
        shared = [v for v, meeting in vertices.items() if a in meeting and b in meeting]
        if len(shared) != 1:
            problem(f"{a} & {b}: {len(shared)} shared vertices, expected exactly 1")
    for name in DOWNTOWN:
        for s in streets.get(name, []):
            for lon, lat in s["coords"]:
                if not inside(lon, lat, city):
                    problem(f"{name}: point {lon},{lat} outside the city")
    for word in UNIQUE:
        namesakes = sorted(n for n in names if core(n) == word)
        if len(namesakes) != 1:
            problem(f"{word}: street names {namesakes}, expected exactly one")
    if len(names) < 200:
        problem(f"{len(names)} street names, expected 200 or more")

    # Addresses.
    with open(os.path.join(CITY, "addresses.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if list(rows[0].keys()) != ["number", "street", "unit", "latitude", "longitude"]:
        problem(f"addresses.csv header {list(rows[0].keys())}")
    buildings = {}
    outside_city = 0
    for line, row in enumerate(rows, start=2):
        number, street, unit = int(row["number"]), row["street"], row["unit"]
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if not re.fullmatch(r"-?\d+\.\d{6}", row["latitude"]) or not re.fullmatch(r"-?\d+\.\d{6}", row["longitude"]):
            problem(f"addresses.csv:{line}: coordinates need 6 decimals")
        key = f"{number} {street}"
        if unit:
            if buildings.get(key) != (lat, lon):
                problem(f"addresses.csv:{line}: unit {unit} of {key} is not at the building's point")
            continue
        if key in buildings:
            problem(f"addresses.csv:{line}: {key} twice")
        buildings[key] = (lat, lon)
        if not inside(lon, lat, county):
            problem(f"addresses.csv:{line}: {key} outside the county")
        elif not inside(lon, lat, city):
            outside_city += 1
        side = "left" if number % 2 else "right"
        found = [s for s in streets.get(street, []) if side in s and s[side][0] <= number <= s[side][1]]
        if len(found) != 1:
            problem(f"addresses.csv:{line}: {key} is in {len(found)} ranges of {street}")
            continue
        s = found[0]
        lo, hi = s[side]
        fraction = 0.5 if lo == hi else (number - lo) / (hi - lo)
        offset = 12.0 if side == "left" else -12.0
        expected = point_along(s["coords"], fraction, offset)
        error = haversine(lat, lon, expected[1], expected[0])
        if error > 15:
            problem(f"addresses.csv:{line}: {key} is {error:.1f} m from its interpolated place")
        on_line = point_along(s["coords"], fraction, 0.0)
        ahead = point_along(s["coords"], min(fraction + 0.01, 1.0), 0.0) if fraction < 0.99 else on_line
        behind = point_along(s["coords"], max(fraction - 0.01, 0.0), 0.0)
        tx, ty = ahead[0] - behind[0], ahead[1] - behind[1]
        cross = tx * (lat - on_line[1]) - ty * (lon - on_line[0])
        if (cross > 0) != (side == "left"):
            problem(f"addresses.csv:{line}: {key} is on the wrong side of {street}")
    for key in REQUIRED:
        if key not in buildings:
            problem(f"required address {key} is missing")
    if outside_city == 0:
        problem("no address outside the city (inside the county)")
    for street in ("Maple St", "Maple Ave"):
        if not any(s.get("left", (0, -1))[0] <= 405 <= s.get("left", (0, -1))[1] for s in streets.get(street, [])):
            problem(f"{street} has no block holding 405")

    # Places.
    places = 0
    with open(os.path.join(CITY, "places.yaml"), encoding="utf-8") as f:
        text = f.read()
    for match in re.finditer(r"address: (.+)\n\s+latitude: (\S+)\n\s+longitude: (\S+)", text):
        places += 1
        key, lat, lon = match.group(1).strip(), float(match.group(2)), float(match.group(3))
        if buildings.get(key) != (lat, lon):
            problem(f"places.yaml: {key} at {lat},{lon} is not a row of addresses.csv")

    print(f"{len(segments)} segments, {len(names)} street names, {len(rows)} address rows ({len(buildings)} buildings, "
          f"{outside_city} outside the city), {places} places")
    print(f"1423 Oak St: {buildings.get('1423 Oak St')}")
    for text in problems[:200]:
        print("PROBLEM:", text)
    if len(problems) > 200:
        print(f"... and {len(problems) - 200} more")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
