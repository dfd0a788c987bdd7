"""The grid finds the same nearest commune centre as looking at every one of them."""

from __future__ import annotations

import math
import random

from storage.point_grid import PointGrid, distance2
from storage.units import UnitDirectory


def scan(points: dict[str, tuple[float, float]], lat: float, lon: float) -> str:
    scale = math.cos(math.radians(lat)) ** 2
    return min(points, key=lambda key: (distance2(lat, lon, points[key], scale), key))


def test_the_grid_agrees_with_a_full_scan_everywhere_in_and_around_vietnam() -> None:
    units = UnitDirectory.load()
    centres = {c.code: centre for c in units.all_communes()
               if (centre := units.centre(c.code)) is not None}
    assert len(centres) > 3_000
    grid = PointGrid(centres)
    rng = random.Random(7)
    # the mainland, the islands, the sea around them, and far beyond the grid
    queries = [(rng.uniform(6.0, 24.5), rng.uniform(101.0, 118.0)) for _ in range(2_000)]
    queries += [(21.0008, 105.8123), (10.7769, 106.7009), (-33.9, 151.2), (60.0, 10.0)]
    queries += list(centres.values())[:200]  # on a centre itself
    for lat, lon in queries:
        assert grid.nearest(lat, lon) == scan(centres, lat, lon), (lat, lon)


def test_points_on_cell_edges_and_ties_are_found_like_the_scan() -> None:
    points = {"a": (10.0, 100.0), "b": (10.25, 100.25), "c": (10.0, 100.5), "d": (9.75, 100.25)}
    grid = PointGrid(points)
    for lat, lon in [(10.0, 100.25), (10.125, 100.125), (9.999, 100.249), (10.25, 100.0)]:
        assert grid.nearest(lat, lon) == scan(points, lat, lon)


def test_an_empty_grid_finds_nothing() -> None:
    assert PointGrid({}).nearest(21.0, 105.8) is None
