"""Points along a street, as Sources/Geocoding/Geometry.swift computes them (Polyline.point): shared by
check_streets.py and Evaluation/geocode/make_queries.py, so the data and the evaluation agree with the geocoder."""
import math

M = 111320.0  # metres per degree of latitude


def metres(a, b, scale):
    return ((b[0] - a[0]) * M * scale, (b[1] - a[1]) * M)


def point_along(points, fraction, offset):
    """The point `fraction` of the way along `points` ([lon, lat] pairs), `offset` metres to the left."""
    scale = math.cos(math.radians(points[0][1]))
    lengths = [math.hypot(*metres(a, b, scale)) for a, b in zip(points, points[1:])]
    remaining = min(max(fraction, 0), 1) * sum(lengths)
    for i, length in enumerate(lengths):
        if remaining <= length or i == len(lengths) - 1:
            t = min(remaining / length, 1) if length > 0 else 0
            dx, dy = metres(points[i], points[i + 1], scale)
            ux, uy = (dx / length, dy / length) if length > 0 else (0, 0)
            return (points[i][0] + (dx * t - uy * offset) / (M * scale), points[i][1] + (dy * t + ux * offset) / M)
        remaining -= length
    return points[-1]
