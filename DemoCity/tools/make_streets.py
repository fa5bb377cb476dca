#!/usr/bin/env python3
"""Generates the demo city's made-up street network and address data.

Usage (from the repository root; Python 3 standard library only):
    python3 DemoCity/tools/make_streets.py

Writes DemoCity/streets.geojson, DemoCity/addresses.csv and DemoCity/places.yaml. Deterministic: the random
generator has a fixed seed and every output is sorted, so running it again gives byte-identical files.
Springfield and Greene County are fictional; so is every street and address here.

Layout (a typical US grid; see DemoCity/tools/README.md for a map in words)
--------------------------------------------------------------------------
* The grid's origin is its south-west corner (LON0, LAT0). Columns are 150 m apart, rows 160 m apart.
* North-south streets are the columns: column 0 is Veterans Pkwy (the western edge, just inside the city
  limits), column N is "Nth St" (1st St ... 74th St), except column 30, which is Grand Ave instead of 30th St.
* East-west streets are the rows (row 0 in the south to row 79 in the north), each with a name (Oak St, Elm St,
  Walnut St ...). Some rows change name at Grand Ave or farther east.
* House numbers, 100 per block:
    - east-west streets: from the western edge, growing east; the block between Nth St and N+1th St has
      N*100 ... N*100+99 (1423 Oak St is between 14th St and 15th St; Grand Ave counts as 30th);
    - north-south streets: from the southern edge (row 0), growing north; row R to row R+1 is R*100 ... R*100+99;
    - directional streets restart at the baselines, Grand Ave (east-west) and Washington St (north-south):
      "W Washington St" / "E Washington St", "W Adams St" / "E Adams St", "W Jefferson St" / "E Jefferson St",
      "W Monroe St" / "E Monroe St", the post-directional "Lincoln Ave W" / "Lincoln Ave E", and
      "N Grand Ave" / "S Grand Ave": numbers grow away from the baseline on each side;
    - diagonal and curved roads (River Rd, Sunset Dr, Kingston Blvd ...), courts, lanes and ways are numbered
      from their start, 100 per 150 m; Main St is the exception below.
* Main St is the town's old diagonal road: it leaves Veterans Pkwy between Cook St and Hill St and runs
  east-north-east, one row north for every three columns, to Grand Ave. It keeps the east-west numbering (the
  block between Nth St and N+1th St is N*100), so it crosses every numbered street from 1st St to 29th St once
  (3rd St and 5th St included) and every row from Cook St to Capitol Ave once (Elm St between 4th and 5th St).
  Oak St, Elm St, Walnut St, Pine St and Hill St run east-west from Veterans Pkwy to Grand Ave, downtown.
* Left and right are as seen walking from a segment's first point to its last, which is always the direction
  of growing numbers; odd numbers are on the left, even numbers on the right, on every street.
* One LineString feature per block segment between consecutive intersections, as TIGER/Line edges are;
  intersections are shared vertices (identical coordinates), including T-junctions of courts and lanes.
* The grid reaches about 750 m past the city limits (into Greene County) on the north, east and south, and
  River Rd, Sunset Dr, Kingston Blvd, Lakeshore Dr, Airport Rd, Old Mill Rd, Prairie Pkwy, Chatham Rd and
  Bluff Rd run out into the county.
* addresses.csv is a sample of the buildings: about one block in twelve downtown, one in fifty elsewhere, and
  every court and lane have points, most lots of such a block. Each point is where linear interpolation along
  its block puts the number, 10-14 m to its side of the centerline, with up to 3 m of jitter along the street.
  Some buildings downtown have unit rows ("Apt 2") sharing their point. Every other number in a range is found
  by interpolation.
"""
import bisect
import json
import math
import os
import random

SEED = 311
HERE = os.path.dirname(os.path.abspath(__file__))
CITY = os.path.dirname(HERE)

LON0, LAT0 = -89.7030, 39.7205          # the grid's south-west corner (column 0, row 0)
DX, DY = 150.0, 160.0                   # metres between columns, between rows
M_PER_DEG = 111320.0
KX = M_PER_DEG * math.cos(math.radians(39.78))
NCOLS, NROWS = 75, 80                   # columns 0..74, rows 0..79
BUFFER = 750.0                          # how far past the city limits the grid goes (metres)
GRAND = 30                              # the column of Grand Ave (east-west baseline)
WASHINGTON = 40                         # the row of Washington St (north-south baseline)
NUMBERS_PER_METRE = 100.0 / 150.0       # for roads numbered by distance
SETBACK = 12.0                          # metres from the centerline to an address point

# ---------------------------------------------------------------------------------------------------------
# Names

# Rows, south to north. A plain name, or a dict: {"dir": "pre"|"post"} for streets split at Grand Ave, or
# {"east": (column, name)} for a row that changes its name at that column.
ROWS = [
    "Woodlawn Ave", "Ridgeview Dr", "Stevenson Ave", "Wabash Ave", "Laurel St", "Cherry St", "Hickory St",
    "Poplar St", "Sycamore St", "Dogwood St", "Linden Ave", "Magnolia St", "Mulberry St", "Chestnut St",
    "Locust St", "Willow St", "Spruce St", "Aspen St", "Hawthorne Ave", "Juniper St", "Catalpa St",
    "Redbud St", "Pecan St", "Beech St", "Holly St", "Hazel St", "Cypress St", "Sherman St", "Grant St",
    "Harrison St",
    {"west": "Pine St", "east": (GRAND, "Clay St")},            # 30
    {"west": "Walnut St", "east": (GRAND, "Scarritt St")},      # 31
    {"west": "Oak St", "east": (GRAND, "Lawrence Ave")},        # 32
    {"west": "Hill St", "east": (GRAND, "Edwards St")},         # 33
    "Cook St",                                                  # 34
    {"west": "Elm St", "east": (GRAND, "Cass St")},             # 35
    {"west": "Maple St", "east": (GRAND, "Allen St")},          # 36
    "Vine St",                                                  # 37
    {"dir": "pre", "name": "Adams St"},                         # 38
    "Market St",                                                # 39
    {"dir": "pre", "name": "Washington St"},                    # 40, the north-south baseline
    "Court St",                                                 # 41
    {"dir": "pre", "name": "Jefferson St"},                     # 42
    "Capitol Ave",                                              # 43
    {"dir": "pre", "name": "Monroe St"},                        # 44
    "Madison St", "Mason St", "Carpenter St",
    {"dir": "post", "name": "Lincoln Ave"},                     # 48
    "Union St", "Miller St", "Enos Ave", "Reservoir St", "Black Ave", "Ridgely Ave", "Converse Ave",
    "Taylor Ave", "Cornell Ave", "Bond St", "Keys Ave", "Maple Ave", "Greenview Ave", "Hay St", "Ruth St",
    "Dodge St", "Fairview Ave", "Highland Ave", "Summit St", "Meadow St", "Valley Rd", "Garfield St",
    "Cleveland Ave", "Wilson Ave", "Kennedy St", "Douglas Ave", "Logan St", "Franklin St", "Liberty St",
    "Stanford Ave", "Sherwood Ave",
]
assert len(ROWS) == NROWS
# The east side (past 56th St) was a village of its own; some of its streets kept their names.
VILLAGE = 56
VILLAGE_NAMES = {8: "Glenwood Ave", 9: "Rosewood Dr", 10: "Brentwood Dr", 11: "Kenwood Ave", 12: "Devon Ave",
                 13: "Bates Ave", 14: "Pleasant St", 15: "Lindbergh Ave"}


def ordinal(n):
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def column_name(c):
    return "Veterans Pkwy" if c == 0 else f"{ordinal(c)} St"


# Parks and grounds the grid does not go through: (first column, last column, first row, last row).
HOLES = [
    (44, 48, 50, 54),   # Lincoln Park
    (20, 24, 12, 16),   # Greene County Fairgrounds
    (10, 13, 66, 69),   # Springfield College
]

# ---------------------------------------------------------------------------------------------------------
# Geometry helpers (metres east/north of the grid's origin)


def xy(c, r):
    return (c * DX, r * DY)


def lonlat(p):
    return (LON0 + p[0] / KX, LAT0 + p[1] / M_PER_DEG)


def metric(lon, lat):
    return ((lon - LON0) * KX, (lat - LAT0) * M_PER_DEG)


def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def point_in_polygon(pt, ring):
    x, y = pt
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_segment_distance(p, a, b):
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    return math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy), t


def load_ring(name):
    with open(os.path.join(CITY, "boundaries", name), encoding="utf-8") as f:
        feature = json.load(f)
    geometry = feature["geometry"] if feature.get("type") == "Feature" else feature["features"][0]["geometry"]
    return [tuple(p) for p in geometry["coordinates"][0]]


CITY_RING = load_ring("springfield.geojson")
COUNTY_RING = load_ring("greene-county.geojson")
CITY_RING_M = [metric(*p) for p in CITY_RING]


def in_city(p):
    return point_in_polygon(lonlat(p), CITY_RING)


def in_county(p):
    return point_in_polygon(lonlat(p), COUNTY_RING)


def distance_outside_city(p):
    if in_city(p):
        return 0.0
    return min(point_segment_distance(p, CITY_RING_M[i], CITY_RING_M[i + 1])[0] for i in range(len(CITY_RING_M) - 1))


def catmull_rom(controls, step=12.0):
    """A smooth curve through the control points (metres), sampled about every `step` metres."""
    pts = [controls[0]] + controls + [controls[-1]]
    out = [controls[0]]
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        n = max(2, int(dist(p1, p2) / step))
        for k in range(1, n + 1):
            t = k / n
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * ((2 * p1[j]) + (-p0[j] + p2[j]) * t + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                                    + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3) for j in range(2)))
    return out


# ---------------------------------------------------------------------------------------------------------
# Street pieces: a polyline digitized in the direction of growing numbers, with the house number at each vertex.


class Piece:
    def __init__(self, name, points, measures, kind):
        self.name = name
        self.points = [tuple(p) for p in points]
        self.measures = list(measures)
        self.kind = kind  # "row", "column", "road", "court"
        self.s = [0.0]
        for a, b in zip(self.points, self.points[1:]):
            self.s.append(self.s[-1] + dist(a, b))
        self.length = self.s[-1]

    def measure_at(self, s):
        i = max(0, min(bisect.bisect_right(self.s, s) - 1, len(self.s) - 2))
        span = self.s[i + 1] - self.s[i]
        t = 0.0 if span == 0 else (s - self.s[i]) / span
        return round(self.measures[i] + t * (self.measures[i + 1] - self.measures[i]), 4)


def by_distance(points, start=0.0):
    total = [start]
    for a, b in zip(points, points[1:]):
        total.append(total[-1] + dist(a, b) * NUMBERS_PER_METRE)
    return total


def spans():
    """Which blocks of each row and column exist: near the city, outside the parks."""
    def near(p):
        return distance_outside_city(p) <= BUFFER

    rows, cols = {}, {}
    for r in range(NROWS):
        blocks = [c for c in range(NCOLS - 1) if near(xy(c + 0.5, r))]
        rows[r] = [(min(blocks), max(blocks) + 1)] if blocks else []
    for c in range(NCOLS):
        blocks = [r for r in range(NROWS - 1) if near(xy(c, r + 0.5))]
        cols[c] = [(min(blocks), max(blocks) + 1)] if blocks else []
    for (c0, c1, r0, r1) in HOLES:
        for r in range(r0 + 1, r1):
            rows[r] = cut(rows[r], c0, c1)
        for c in range(c0 + 1, c1):
            cols[c] = cut(cols[c], r0, r1)
    return rows, cols


def cut(ranges, a, b):
    out = []
    for (lo, hi) in ranges:
        if hi <= a or lo >= b:
            out.append((lo, hi))
            continue
        if lo < a:
            out.append((lo, a))
        if hi > b:
            out.append((b, hi))
    return out


def grid_pieces(rows, cols):
    pieces = []
    for r, ranges in rows.items():
        spec = ROWS[r]
        for (lo, hi) in ranges:
            if isinstance(spec, str):
                parts = [(spec, lo, hi)]
                if r in VILLAGE_NAMES and hi > VILLAGE:
                    parts = [(spec, lo, min(hi, VILLAGE)), (VILLAGE_NAMES[r], max(lo, VILLAGE), hi)]
                for name, a, b in parts:
                    if b > a:
                        pieces.append(Piece(name, [xy(a, r), xy(b, r)], [a * 100, b * 100], "row"))
            elif "west" in spec:
                split, east = spec["east"]
                for name, a, b in [(spec["west"], lo, min(hi, split)), (east, max(lo, split), hi)]:
                    if b > a:
                        pieces.append(Piece(name, [xy(a, r), xy(b, r)], [a * 100, b * 100], "row"))
            else:
                base = spec["name"]
                west = f"W {base}" if spec["dir"] == "pre" else f"{base} W"
                east = f"E {base}" if spec["dir"] == "pre" else f"{base} E"
                a, b = lo, min(hi, GRAND)
                if b > a:   # digitized westward from Grand Ave
                    pieces.append(Piece(west, [xy(b, r), xy(a, r)], [(GRAND - b) * 100, (GRAND - a) * 100], "row"))
                a, b = max(lo, GRAND), hi
                if b > a:
                    pieces.append(Piece(east, [xy(a, r), xy(b, r)], [(a - GRAND) * 100, (b - GRAND) * 100], "row"))
    for c, ranges in cols.items():
        for (lo, hi) in ranges:
            if c == GRAND:
                a, b = lo, min(hi, WASHINGTON)
                if b > a:   # digitized southward from Washington St
                    pieces.append(Piece("S Grand Ave", [xy(c, b), xy(c, a)], [(WASHINGTON - b) * 100, (WASHINGTON - a) * 100], "column"))
                a, b = max(lo, WASHINGTON), hi
                if b > a:
                    pieces.append(Piece("N Grand Ave", [xy(c, a), xy(c, b)], [(a - WASHINGTON) * 100, (b - WASHINGTON) * 100], "column"))
            else:
                pieces.append(Piece(column_name(c), [xy(c, lo), xy(c, hi)], [lo * 100, hi * 100], "column"))
    return pieces


def road_pieces(rows, cols):
    """Main St and the diagonal and curved roads."""
    def top_row(c):
        return max(r for r, ranges in rows.items() if any(lo <= c <= hi for lo, hi in ranges))

    pieces = []
    # Main St: straight, one row north for every three columns, numbered like the east-west streets.
    pieces.append(Piece("Main St", [xy(0, 33.5), xy(GRAND, 43.5)], [0, GRAND * 100], "road"))
    # Kingston Blvd: straight, one row per column, from the county in the south-west to the east edge.
    kingston = [xy(21.5, -9), xy(80.5, 50)]
    pieces.append(Piece("Kingston Blvd", kingston, by_distance(kingston), "road"))

    # Control points are (column, row). Those of the curved roads were nudged so that no road crosses a grid
    # street within 20 m of a corner (no sliver blocks; check_streets.py checks it).
    def curve(name, controls, step=12.0):
        pts = catmull_rom([xy(c, r) for c, r in controls], step)
        pieces.append(Piece(name, pts, by_distance(pts), "road"))

    # River Rd: from Veterans Pkwy downtown, west along the river and out into the county to the north-west.
    curve("River Rd", [(0, 45.5), (-3, 45.2), (-6, 46.0), (-9, 47.6), (-12, 49.9), (-15, 53.0), (-17.5, 57.0),
                       (-19.5, 62.0), (-21, 68.0), (-22, 76.0), (-22.5, 84.0)])
    # Sunset Dr: from 12th St south-west across the grid and out into the county.
    curve("Sunset Dr", [(12, 22.4), (9.97, 20.57), (7.69, 17.27), (5.38, 13.95), (2.9, 11.32), (-0.24, 8.62),
                        (-3.72, 5.79), (-7.94, 2.01), (-12.17, -3.1), (-15.11, -8.79), (-17.8, -14.81)])
    # Lakeshore Dr: a loop south of the city around the lake, leaving and rejoining the grid.
    curve("Lakeshore Dr", [(49.5, 12), (49.5, 8), (50.0, 2.0), (52.0, -3.0), (56.0, -5.2), (60.0, -3.0),
                           (62.5, 2.0), (63.5, 8.0), (63.5, 14.0)])
    # Airport Rd: from the northern edge of the grid to the county airport.
    curve("Airport Rd", [(50.5, top_row(50.5)), (51.0, 84.0), (53.0, 90.0), (56.0, 96.0), (58.0, 103.0)])
    # Chatham Rd: from Douglas Ave north-west into the county.
    curve("Chatham Rd", [(6.5, 74), (6.36, 77.72), (5.04, 81.95), (2.24, 87.77), (-1.82, 93.89)])
    # Old Mill Rd: from 66th St east into the county (the recycling center is on it).
    curve("Old Mill Rd", [(66, 30.5), (71.78, 29.9), (80.07, 28.25), (90.16, 24.89), (99.94, 23.58), (107.76, 22.98)])
    # Prairie Pkwy: across the north-east like Main St (one row per three columns), bending east in the county.
    curve("Prairie Pkwy", [(33.5, 52), (45.5, 56), (57.5, 60), (69.5, 64), (75.5, 66), (86, 67.5)])
    # Bluff Rd: a county road west of the river, crossing River Rd and Sunset Dr.
    curve("Bluff Rd", [(-14.6, -12), (-13.5, 0), (-14.5, 15), (-14, 30), (-13, 45), (-14, 60), (-15.5, 75)])
    return pieces


# Courts, lanes and ways: (name, column of the entrance, row, rows it goes (+north/-south); 1 or -1 is a lane
# through to the next row). None for the column/row: placed by the random generator.
SMALL_STREETS = [
    ("Ash Ct", 22.5, 50, 0.45), ("Cedar Ct", 8.5, 56, -0.45), ("Birch Ln", 25.5, 60, 1), ("Birch Way", 40.5, 24, 1),
    ("Quail Ct", None, None, 0.45), ("Robin Ct", None, None, -0.45), ("Pheasant Ct", None, None, 0.45),
    ("Clover Ct", None, None, -0.45), ("Tulip Ct", None, None, 0.45), ("Iris Ct", None, None, -0.45),
    ("Fox Ct", None, None, 0.45), ("Primrose Ln", None, None, 1), ("Lilac Ln", None, None, 1),
    ("Sparrow Ln", None, None, 1), ("Heron Ln", None, None, 1), ("Orchard Way", None, None, 1),
    ("Wren Way", None, None, 1), ("Brook Way", None, None, 1), ("Heritage Pl", None, None, 0.45),
    ("Cottage Pl", None, None, -0.45), ("Garden Pl", None, None, 0.45), ("Ivy Ter", None, None, -0.45),
    ("Sunrise Ter", None, None, 0.45), ("Bluebell Ter", None, None, -0.45), ("Cardinal Cir", None, None, 0.45),
    ("Oriole Cir", None, None, -0.45), ("Meadowlark Cir", None, None, 0.45),
]


def small_pieces(rng, rows, roads):
    def row_has(r, c0, c1):
        return 0 <= r < NROWS and any(lo <= c0 and c1 <= hi for lo, hi in rows[r])

    def clear(points, margin=40.0):
        for road in roads:
            for p in points:
                for a, b in zip(road.points, road.points[1:]):
                    if point_segment_distance(p, a, b)[0] < margin:
                        return False
        return True

    used = set()
    pieces = []
    for name, c, r, depth in SMALL_STREETS:
        if c is None:
            while True:
                c = rng.randrange(2, 70) + 0.5
                r = rng.randrange(4, 76)
                key = (int(c), r)
                probe = [xy(c, r), xy(c - 0.5, r), xy(c + 0.5, r), xy(c, r + depth), xy(c, r + depth / 2)]
                if key in used or (int(c), r + (1 if depth > 0 else -1)) in used:
                    continue
                if not row_has(r, c - 0.5, c + 0.5) or (abs(depth) == 1 and not row_has(r + int(depth), c - 0.5, c + 0.5)):
                    continue
                if not all(in_city(p) for p in probe) or not clear(probe):
                    continue
                if abs(c - GRAND) < 1 or abs(r - WASHINGTON) < 1:
                    continue
                break
        used.add((int(c), r))
        used.add((int(c), r + (1 if depth > 0 else -1)))
        start = xy(c, r)
        if abs(depth) == 1:
            end = xy(c, r + depth)
            pts = [start, end]
            if depth < 0:
                pts.reverse()
        else:  # a court with a gentle bend
            bend = rng.choice([-1, 1]) * 8.0
            mid = (start[0] + bend, start[1] + depth * DY * 0.55)
            end = (start[0] + bend * 2.5, start[1] + depth * DY)
            pts = [start, mid, end]
        pieces.append(Piece(name, pts, by_distance(pts), "court"))
    return pieces


# ---------------------------------------------------------------------------------------------------------
# Noding: every place two pieces meet becomes a shared vertex, and pieces are cut there.


class Registry:
    """Canonical vertices: points closer than half a metre are one vertex."""
    def __init__(self):
        self.points = []
        self.cells = {}

    def add(self, p):
        cx, cy = int(math.floor(p[0])), int(math.floor(p[1]))
        for i in range(cx - 1, cx + 2):
            for j in range(cy - 1, cy + 2):
                for vid in self.cells.get((i, j), []):
                    if dist(self.points[vid], p) < 0.5:
                        return vid
        self.points.append(p)
        self.cells.setdefault((cx, cy), []).append(len(self.points) - 1)
        return len(self.points) - 1


def node(pieces):
    registry = Registry()
    cuts = [[] for _ in pieces]
    cell = 200.0
    grid = {}
    for pi, piece in enumerate(pieces):
        for si, (a, b) in enumerate(zip(piece.points, piece.points[1:])):
            for i in range(int(math.floor(min(a[0], b[0]) / cell)), int(math.floor(max(a[0], b[0]) / cell)) + 1):
                for j in range(int(math.floor(min(a[1], b[1]) / cell)), int(math.floor(max(a[1], b[1]) / cell)) + 1):
                    grid.setdefault((i, j), []).append((pi, si))
    for pi, piece in enumerate(pieces):
        for s, p in [(0.0, piece.points[0]), (piece.length, piece.points[-1])]:
            cuts[pi].append((s, registry.add(p)))
    seen = set()
    for members in grid.values():
        for x in range(len(members)):
            pa, sa = members[x]
            A = pieces[pa]
            a0, a1 = A.points[sa], A.points[sa + 1]
            for y in range(x + 1, len(members)):
                pb, sb = members[y]
                if pa == pb or (pa, sa, pb, sb) in seen:
                    continue
                seen.add((pa, sa, pb, sb))
                B = pieces[pb]
                b0, b1 = B.points[sb], B.points[sb + 1]
                rx, ry = a1[0] - a0[0], a1[1] - a0[1]
                qx, qy = b1[0] - b0[0], b1[1] - b0[1]
                denom = rx * qy - ry * qx
                if abs(denom) > 1e-9 * math.hypot(rx, ry) * math.hypot(qx, qy):
                    t = ((b0[0] - a0[0]) * qy - (b0[1] - a0[1]) * qx) / denom
                    u = ((b0[0] - a0[0]) * ry - (b0[1] - a0[1]) * rx) / denom
                    eps = 1e-7
                    if -eps <= t <= 1 + eps and -eps <= u <= 1 + eps:
                        t, u = min(max(t, 0.0), 1.0), min(max(u, 0.0), 1.0)
                        vid = registry.add((a0[0] + t * rx, a0[1] + t * ry))
                        cuts[pa].append((A.s[sa] + t * math.hypot(rx, ry), vid))
                        cuts[pb].append((B.s[sb] + u * math.hypot(qx, qy), vid))
                        continue
                # Parallel: an end of one lying on the other (a street that changes its name).
                for (P, pp, Q, qp, q0, q1, sq) in [(A, pa, B, pb, b0, b1, sb), (B, pb, A, pa, a0, a1, sa)]:
                    for end in (P.points[0], P.points[-1]):
                        d, t = point_segment_distance(end, q0, q1)
                        if d < 0.01:
                            cuts[qp].append((Q.s[sq] + t * dist(q0, q1), registry.add(end)))
    segments = []
    for pi, piece in enumerate(pieces):
        ordered = sorted(set(cuts[pi]))
        merged = []
        for s, vid in ordered:
            if merged and (merged[-1][1] == vid or abs(merged[-1][0] - s) < 0.01):
                continue
            merged.append((s, vid))
        for (s0, v0), (s1, v1) in zip(merged, merged[1:]):
            inner = [piece.points[k] for k in range(1, len(piece.points) - 1) if s0 + 0.01 < piece.s[k] < s1 - 0.01]
            segments.append({"name": piece.name, "kind": piece.kind, "vids": (v0, v1),
                             "points": [registry.points[v0]] + inner + [registry.points[v1]],
                             "m0": piece.measure_at(s0), "m1": piece.measure_at(s1)})
    return segments, registry


def house_range(m0, m1, parity):
    """The numbers n of one parity with m0 <= n < m1 (n >= 1), as (first, last), or None."""
    lo = math.ceil(m0 - 1e-6)
    if lo % 2 != parity:
        lo += 1
    while lo < 1:
        lo += 2
    hi = math.ceil(m1 - 1e-6) - 1
    if hi % 2 != parity:
        hi -= 1
    return (lo, hi) if lo <= hi else None


# ---------------------------------------------------------------------------------------------------------
# Points along a segment, exactly as the geocoder interpolates (Sources/Geocoding/Geometry.swift).


def polyline_point(points, fraction, offset):
    """`points` as (lon, lat); the point `fraction` of the way along (by length), `offset` metres to the left."""
    scale = math.cos(math.radians(points[0][1]))

    def metres(a, b):
        return ((b[0] - a[0]) * M_PER_DEG * scale, (b[1] - a[1]) * M_PER_DEG)

    lengths = [math.hypot(*metres(a, b)) for a, b in zip(points, points[1:])]
    total = sum(lengths)
    remaining = min(max(fraction, 0.0), 1.0) * total
    for i, length in enumerate(lengths):
        if remaining <= length or i == len(lengths) - 1:
            t = min(remaining / length, 1.0) if length > 0 else 0.0
            dx, dy = metres(points[i], points[i + 1])
            ux, uy = (dx / length, dy / length) if length > 0 else (0.0, 0.0)
            x = dx * t - uy * offset
            y = dy * t + ux * offset
            return (points[i][0] + x / (M_PER_DEG * scale), points[i][1] + y / M_PER_DEG)
        remaining -= length
    return points[-1]


def fraction_of(number, rng_from, rng_to):
    return 0.5 if rng_from == rng_to else (number - rng_from) / (rng_to - rng_from)


def r6(v):
    return float(f"{v:.6f}")


# ---------------------------------------------------------------------------------------------------------
# Required addresses (tests and documentation use them) and named places.

REQUIRED = [
    (1423, "Oak St"), (123, "Oak St"), (40, "Oak St"), (10, "Oak St"), (1500, "Oak St"), (220, "Walnut St"),
    (512, "Walnut St"), (77, "Elm St"), (9, "Elm St"), (200, "Main St"), (500, "Main St"), (12, "Pine St"),
    (45, "Pine St"), (9, "Ash Ct"), (31, "Cedar Ct"), (88, "Birch Ln"), (405, "Maple Ave"), (1010, "River Rd"),
    (19, "Hill St"), (1, "Main St"), (405, "Maple St"),
]
REQUIRED_CORNERS = [("Oak St", "5th St"), ("Elm St", "5th St"), ("Main St", "3rd St"), ("Main St", "5th St"),
                    ("Main St", "Elm St")]

# id, names per locale, aliases per locale, street, number.
PLACES = [
    ("city-hall", {"en": "City Hall", "es": "Ayuntamiento", "zh-Hans": "市政厅", "vi": "Tòa thị chính", "ar": "مبنى البلدية"},
     {"en": ["town hall", "municipal building"], "es": ["alcaldía", "municipalidad", "palacio municipal"],
      "zh-Hans": ["市政府", "市府大楼"], "vi": ["ủy ban thành phố", "tòa thị sảnh"], "ar": ["البلدية", "دار البلدية"]},
     "Main St", 100),
    ("riverside-park", {"en": "Riverside Park", "es": "Parque Riverside", "zh-Hans": "河滨公园", "vi": "Công viên Riverside",
                        "ar": "حديقة ريفرسايد"},
     {"en": ["the river park"], "es": ["parque del río", "parque ribereño"], "zh-Hans": ["滨河公园", "河边公园"],
      "vi": ["công viên bờ sông"], "ar": ["حديقة النهر", "منتزه ريفرسايد"]},
     "River Rd", 300),
    ("central-library", {"en": "Central Library", "es": "Biblioteca Central", "zh-Hans": "中央图书馆", "vi": "Thư viện Trung tâm",
                         "ar": "المكتبة المركزية"},
     {"en": ["downtown library", "public library"], "es": ["biblioteca pública", "biblioteca municipal"],
      "zh-Hans": ["市图书馆", "公共图书馆"], "vi": ["thư viện thành phố"], "ar": ["المكتبة العامة"]},
     "Walnut St", 326),
    ("springfield-high-school", {"en": "Springfield High School", "es": "Escuela Secundaria Springfield",
                                 "zh-Hans": "斯普林菲尔德高中", "vi": "Trường Trung học Springfield",
                                 "ar": "مدرسة سبرينغفيلد الثانوية"},
     {"en": ["Springfield High", "the high school"], "es": ["preparatoria Springfield", "la prepa"],
      "zh-Hans": ["春田高中"], "vi": ["trường cấp ba Springfield"], "ar": ["ثانوية سبرينغفيلد"]},
     "W Washington St", 1914),
    ("memorial-hospital", {"en": "Memorial Hospital", "es": "Hospital Memorial", "zh-Hans": "纪念医院", "vi": "Bệnh viện Memorial",
                           "ar": "مستشفى ميموريال"},
     {"en": ["the hospital", "Memorial ER"], "es": ["el hospital"], "zh-Hans": ["纪念医院急诊室"],
      "vi": ["bệnh viện tưởng niệm"], "ar": ["المستشفى التذكاري"]},
     "N Grand Ave", 821),
    ("transit-center", {"en": "Springfield Transit Center", "es": "Terminal de Autobuses", "zh-Hans": "公交总站",
                        "vi": "Bến xe buýt Trung tâm", "ar": "محطة الحافلات المركزية"},
     {"en": ["bus station", "bus terminal", "transit center"], "es": ["estación de autobuses", "central de autobuses"],
      "zh-Hans": ["汽车站", "巴士总站", "公交枢纽"], "vi": ["trạm xe buýt", "bến xe buýt"], "ar": ["محطة الباص", "موقف الحافلات"]},
     "Hill St", 710),
    ("lincoln-elementary", {"en": "Lincoln Elementary School", "es": "Escuela Primaria Lincoln", "zh-Hans": "林肯小学",
                            "vi": "Trường Tiểu học Lincoln", "ar": "مدرسة لينكولن الابتدائية"},
     {"en": ["Lincoln Elementary", "Lincoln school"], "es": ["primaria Lincoln", "escuela Lincoln"], "zh-Hans": ["林肯学校"],
      "vi": ["trường Lincoln"], "ar": ["مدرسة لينكولن"]},
     "Lincoln Ave E", 315),
    ("eastside-community-center", {"en": "Eastside Community Center", "es": "Centro Comunitario del Este",
                                   "zh-Hans": "东区社区中心", "vi": "Trung tâm Cộng đồng Khu Đông",
                                   "ar": "مركز الحي الشرقي المجتمعي"},
     {"en": ["community center", "the rec center"], "es": ["centro comunitario"], "zh-Hans": ["社区中心", "社区活动中心"],
      "vi": ["nhà văn hóa khu đông", "trung tâm cộng đồng"], "ar": ["المركز المجتمعي"]},
     "E Monroe St", 2430),
    ("fire-station-1", {"en": "Fire Station 1", "es": "Estación de Bomberos 1", "zh-Hans": "第一消防站", "vi": "Trạm Cứu hỏa số 1",
                        "ar": "محطة الإطفاء رقم 1"},
     {"en": ["the fire station", "firehouse"], "es": ["estación de bomberos", "cuartel de bomberos"],
      "zh-Hans": ["消防站", "消防局"], "vi": ["trạm cứu hỏa", "đội cứu hỏa"], "ar": ["محطة الإطفاء", "مركز الإطفاء"]},
     "Elm St", 411),
    ("police-headquarters", {"en": "Police Headquarters", "es": "Jefatura de Policía", "zh-Hans": "警察局",
                             "vi": "Trụ sở Cảnh sát", "ar": "مقر الشرطة"},
     {"en": ["police station", "police department"], "es": ["estación de policía", "comisaría"],
      "zh-Hans": ["公安局", "派出所"], "vi": ["đồn cảnh sát", "sở cảnh sát"], "ar": ["مركز الشرطة", "قسم الشرطة"]},
     "Walnut St", 620),
    ("post-office", {"en": "Post Office", "es": "Oficina de Correos", "zh-Hans": "邮局", "vi": "Bưu điện", "ar": "مكتب البريد"},
     {"en": ["downtown post office"], "es": ["correos", "el correo"], "zh-Hans": ["邮政局"], "vi": ["bưu điện trung tâm"],
      "ar": ["البريد"]},
     "Vine St", 230),
    ("senior-center", {"en": "Senior Center", "es": "Centro para Personas Mayores", "zh-Hans": "老年活动中心",
                       "vi": "Trung tâm Người cao tuổi", "ar": "مركز كبار السن"},
     {"en": ["seniors center"], "es": ["centro de la tercera edad", "centro de jubilados"], "zh-Hans": ["老人中心", "长者中心"],
      "vi": ["hội người cao tuổi"], "ar": ["مركز المسنين"]},
     "Maple St", 1515),
    ("municipal-pool", {"en": "Municipal Pool", "es": "Piscina Municipal", "zh-Hans": "市立游泳池", "vi": "Hồ bơi Thành phố",
                        "ar": "المسبح البلدي"},
     {"en": ["public pool", "aquatic center", "swimming pool"], "es": ["la alberca", "piscina pública"],
      "zh-Hans": ["游泳馆", "公共游泳池"], "vi": ["hồ bơi công cộng"], "ar": ["حمام السباحة", "المسبح العام"]},
     "Miller St", 4610),
    ("union-station", {"en": "Union Station", "es": "Estación Union", "zh-Hans": "联合车站", "vi": "Ga Union", "ar": "محطة يونيون"},
     {"en": ["train station", "Amtrak station"], "es": ["estación de tren", "estación del tren"], "zh-Hans": ["火车站"],
      "vi": ["ga xe lửa", "nhà ga"], "ar": ["محطة القطار"]},
     "Madison St", 955),
    ("recycling-center", {"en": "Greene County Recycling Center", "es": "Centro de Reciclaje del Condado de Greene",
                          "zh-Hans": "格林县回收中心", "vi": "Trung tâm Tái chế Quận Greene",
                          "ar": "مركز إعادة التدوير في مقاطعة غرين"},
     {"en": ["recycling center", "the dump", "transfer station"], "es": ["centro de reciclaje", "el reciclaje"],
      "zh-Hans": ["回收中心", "回收站", "垃圾转运站"], "vi": ["trung tâm tái chế", "bãi rác"],
      "ar": ["مركز إعادة التدوير", "مكب النفايات"]},
     "Old Mill Rd", 3802),
    ("animal-shelter", {"en": "Greene County Animal Shelter", "es": "Refugio de Animales del Condado de Greene",
                        "zh-Hans": "格林县动物收容所", "vi": "Trại cứu hộ Động vật Quận Greene",
                        "ar": "ملجأ الحيوانات في مقاطعة غرين"},
     {"en": ["animal shelter", "the pound"], "es": ["refugio de animales", "la perrera"], "zh-Hans": ["动物收容所"],
      "vi": ["trại cứu hộ động vật"], "ar": ["ملجأ الحيوانات"]},
     "Bluff Rd", 3101),
    ("airport", {"en": "Greene County Regional Airport", "es": "Aeropuerto Regional del Condado de Greene",
                 "zh-Hans": "格林县地区机场", "vi": "Sân bay Khu vực Quận Greene", "ar": "مطار مقاطعة غرين الإقليمي"},
     {"en": ["the airport"], "es": ["el aeropuerto"], "zh-Hans": ["机场"], "vi": ["sân bay"], "ar": ["المطار"]},
     "Airport Rd", 2602),
]

# How residents write some street names in other scripts: the name without suffix → aliases per locale.
STREET_ALIASES = [
    ("Oak", {"ar": ["أوك"], "zh-Hans": ["橡树街", "奥克街"]}),
    ("Main", {"ar": ["مين"], "zh-Hans": ["缅街", "主街"]}),
    ("Elm", {"ar": ["إلم"], "zh-Hans": ["榆树街"]}),
    ("Walnut", {"ar": ["وولنت"], "zh-Hans": ["核桃街"]}),
    ("Pine", {"ar": ["باين"], "zh-Hans": ["松树街", "派恩街"]}),
    ("Maple", {"ar": ["مابل", "ميبل"], "zh-Hans": ["枫树街"]}),
    ("Washington", {"ar": ["واشنطن"], "zh-Hans": ["华盛顿街"]}),
    ("Lincoln", {"ar": ["لينكولن", "لنكن"], "zh-Hans": ["林肯大道", "林肯街"]}),
    ("Grand", {"ar": ["غراند", "جراند"], "zh-Hans": ["格兰德大道", "格兰大道"]}),
    ("River", {"ar": ["ريفر"], "zh-Hans": ["河滨路", "瑞沃路"]}),
    ("Jefferson", {"ar": ["جيفرسون"], "zh-Hans": ["杰斐逊街"]}),
    ("Cherry", {"ar": ["تشيري"], "zh-Hans": ["樱桃街"]}),
    ("Hill", {"ar": ["هيل"], "zh-Hans": ["希尔街"]}),
    ("Sunset", {"ar": ["سانست"], "zh-Hans": ["日落大道"]}),
]


# ---------------------------------------------------------------------------------------------------------


def main():
    rng = random.Random(SEED)
    rows, cols = spans()
    pieces = grid_pieces(rows, cols)
    roads = road_pieces(rows, cols)
    pieces += roads
    pieces += small_pieces(rng, rows, roads)
    segments, registry = node(pieces)

    # Output geometry: each vertex rounded once, so shared vertices are identical.
    vertex_ll = {}

    def ll(p):
        lon, lat = lonlat(p)
        return [r6(lon), r6(lat)]

    features = []
    for seg in segments:
        pts = [ll(p) for p in seg["points"]]
        pts[0] = vertex_ll.setdefault(seg["vids"][0], pts[0])
        pts[-1] = vertex_ll.setdefault(seg["vids"][1], pts[-1])
        left = house_range(seg["m0"], seg["m1"], 1)
        right = house_range(seg["m0"], seg["m1"], 0)
        seg["ll"] = pts
        seg["left"], seg["right"] = left, right
        features.append(seg)
    features.sort(key=lambda s: (s["name"], s["m0"], s["ll"]))

    # Address points.
    by_street = {}
    for seg in features:
        by_street.setdefault(seg["name"], []).append(seg)

    def locate(street, number):
        for seg in by_street.get(street, []):
            side = seg["left"] if number % 2 else seg["right"]
            if side and side[0] <= number <= side[1] and (number - side[0]) % 2 == 0:
                return seg, side
        return None, None

    points = {}   # (street, number) -> (lat, lon)

    def place(street, number, jitter=True):
        seg, side = locate(street, number)
        if seg is None:
            raise SystemExit(f"no block of {street} holds {number}")
        length = sum(dist(a, b) for a, b in zip(seg["points"], seg["points"][1:]))
        f = fraction_of(number, side[0], side[1])
        setback = SETBACK
        if jitter:
            f += rng.uniform(-3.0, 3.0) / max(length, 1.0)
            setback += rng.uniform(-1.5, 1.5)
        inset = min(6.0, length / 4) / max(length, 1.0)
        f = min(max(f, inset), 1 - inset)
        lon, lat = polyline_point(seg["ll"], f, setback if number % 2 else -setback)
        points[(street, number)] = (r6(lat), r6(lon))

    singled = [(s, n) for n, s in REQUIRED] + [(p[3], p[4]) for p in PLACES]
    for street, number in singled:
        place(street, number)

    def zone_weight(seg):
        mid = seg["points"][len(seg["points"]) // 2]
        c, r = mid[0] / DX, mid[1] / DY
        if seg["kind"] == "court":
            return 1.0
        if 0 <= c <= GRAND + 1 and 28 <= r <= 48:
            return 0.08
        if in_city(mid):
            return 0.02
        return 0.025

    for seg in features:
        if rng.random() >= zone_weight(seg):
            continue
        length = sum(dist(a, b) for a, b in zip(seg["points"], seg["points"][1:]))
        spacing = 16.0 if length < 400 else 70.0
        keep = rng.uniform(0.45, 0.9)
        for side in (seg["left"], seg["right"]):
            if not side:
                continue
            lots = max(1, int(round(length / spacing)))
            for k in range(lots):
                f = (k + 0.5) / lots
                n = side[0] + 2 * int(round(f * (side[1] - side[0]) / 2))
                n = min(max(n, side[0]), side[1])
                if (seg["name"], n) in points or rng.random() > keep:
                    continue
                place(seg["name"], n)

    # Units: apartment buildings downtown share their building's point.
    downtown = sorted(k for k, v in points.items() if k not in set(singled)
                      and 0 <= metric(v[1], v[0])[0] / DX <= GRAND and 28 <= metric(v[1], v[0])[1] / DY <= 48)
    rng.shuffle(downtown)
    units = []
    for street, number in downtown[:60]:
        style = rng.randrange(4)
        count = rng.randint(2, 9)
        if style == 0:
            names = [f"Apt {i}" for i in range(1, count + 1)]
        elif style == 1:
            names = [f"Apt {floor}{letter}" for floor in range(1, 4) for letter in "AB"][:count]
        elif style == 2:
            names = [f"Unit {letter}" for letter in "ABCDEFGH"[:count]]
        else:
            names = [f"Ste {100 * floor + i}" for floor in (1, 2) for i in (0, 10)][:max(2, min(count, 4))]
        for unit in names:
            units.append((street, number, unit))

    write_geojson(features)
    write_addresses(points, units)
    write_places(points)
    report(features, points, units, registry)


def write_geojson(features):
    path = os.path.join(CITY, "streets.geojson")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection",\n"name":"springfield-streets",\n'
                '"note":"Made up for the CityLine demo city by DemoCity/tools/make_streets.py: one feature per block '
                'segment, TIGER/Line ADDRFEAT field names, odd numbers on the left (walking from the first point to '
                'the last), WGS84.",\n"features":[\n')
        lines = []
        for seg in features:
            left, right = seg["left"], seg["right"]
            props = {"FULLNAME": seg["name"],
                     "LFROMHN": str(left[0]) if left else "", "LTOHN": str(left[1]) if left else "",
                     "RFROMHN": str(right[0]) if right else "", "RTOHN": str(right[1]) if right else ""}
            coords = ",".join(f"[{lon:.6f},{lat:.6f}]" for lon, lat in seg["ll"])
            lines.append('{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False, separators=(",", ":"))
                         + ',"geometry":{"type":"LineString","coordinates":[' + coords + ']}}')
        f.write(",\n".join(lines))
        f.write("\n]}\n")


def write_addresses(points, units):
    path = os.path.join(CITY, "addresses.csv")
    rows = [(street, number, "", lat, lon) for (street, number), (lat, lon) in points.items()]
    rows += [(street, number, unit) + points[(street, number)] for street, number, unit in units]
    rows.sort(key=lambda r: (r[0], r[1], r[2] != "", r[2]))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("number,street,unit,latitude,longitude\n")
        for street, number, unit, lat, lon in rows:
            f.write(f"{number},{street},{unit},{lat:.6f},{lon:.6f}\n")


def yaml_scalar(text):
    if any(ch in text for ch in ":#,[]{}'\"&*!|>%@`") or text.lower() in ("yes", "no", "on", "off", "true", "false", "null"):
        return '"' + text.replace('"', '\\"') + '"'
    return text


def yaml_map(d, lists=False):
    parts = []
    for locale in ("en", "es", "zh-Hans", "vi", "ar"):
        if locale not in d:
            continue
        value = d[locale]
        value = "[" + ", ".join(yaml_scalar(v) for v in value) + "]" if lists else yaml_scalar(value)
        parts.append(f"{locale}: {value}")
    return "{" + ", ".join(parts) + "}"


def write_places(points):
    path = os.path.join(CITY, "places.yaml")
    out = ["# Made up for the CityLine demo city by DemoCity/tools/make_streets.py (edit the generator, not this file).",
           "# Named places residents give instead of an address, with their names and the other names residents use,",
           "# per locale; each address is a row of addresses.csv and the point is that address's point.",
           "# The es, zh-Hans, vi and ar names were written for the demo; a city must have them reviewed by its own",
           "# native-speaking staff before going live.",
           "places:"]
    for pid, names, aliases, street, number in PLACES:
        lat, lon = points[(street, number)]
        out += [f"  - id: {pid}",
                f"    name: {yaml_map(names)}",
                f"    aliases: {yaml_map(aliases, lists=True)}",
                f"    address: {number} {street}",
                f"    latitude: {lat:.6f}",
                f"    longitude: {lon:.6f}"]
    out += ["", "# How residents write street names in other scripts: the name without suffix or directional, and its",
            "# names per locale (Arabic transliterations; Chinese translations and transliterations).",
            "streets:"]
    for name, aliases in STREET_ALIASES:
        out += [f"  - name: {name}", f"    aliases: {yaml_map(aliases, lists=True)}"]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


def report(features, points, units, registry):
    names = {s["name"] for s in features}
    short = [s for s in features if sum(dist(a, b) for a, b in zip(s["points"], s["points"][1:])) < 20]
    outside = sum(1 for (lat, lon) in points.values() if not point_in_polygon((lon, lat), CITY_RING))
    print(f"{len(features)} segments, {len(names)} street names, {len(points)} buildings + {len(units)} unit rows "
          f"= {len(points) + len(units)} address rows ({outside} buildings outside the city), {len(PLACES)} places")
    for s in short:
        length = sum(dist(a, b) for a, b in zip(s["points"], s["points"][1:]))
        print(f"  short segment: {s['name']} {s['m0']:.0f}-{s['m1']:.0f} ({length:.1f} m) at {s['ll'][0]}")
    print("  1423 Oak St:", points[("Oak St", 1423)])


if __name__ == "__main__":
    main()
