"""The nearest of a few thousand fixed points, without scanning them all.

Every location a person sends is named by its nearest commune centre (handlers/places.py),
at least twice in a submission. A scan of all 3,321 centres took about half a millisecond of
the bot's only core each time; a grid of cells looks at the few dozen around the point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

CELL_DEGREES = 0.15
"""About 17 km: a few commune centres per cell in the plains; a point at sea looks further."""


def distance2(lat: float, lon: float, point: tuple[float, float], scale: float) -> float:
    """Squared distance in degrees of latitude, a degree of longitude counting `scale`
    (cos² of the latitude): the order of true distances at the scale of a commune."""
    return (point[0] - lat) ** 2 + scale * (point[1] - lon) ** 2


class PointGrid:
    """Points bucketed by cell; `nearest` searches rings of cells outwards from the query's
    cell, and stops once no point in a further ring could be nearer than the best found."""

    def __init__(self, points: Mapping[str, tuple[float, float]]) -> None:
        self._points = dict(points)
        self._cells: dict[tuple[int, int], list[str]] = {}
        for key, (lat, lon) in self._points.items():
            self._cells.setdefault(_cell(lat, lon), []).append(key)
        rows = [i for i, _ in self._cells] or [0]
        columns = [j for _, j in self._cells] or [0]
        self._bounds = (min(rows), max(rows), min(columns), max(columns))

    def nearest(self, lat: float, lon: float) -> str | None:
        if not self._points:
            return None
        scale = math.cos(math.radians(lat)) ** 2
        i0, j0 = _cell(lat, lon)
        low_i, high_i, low_j, high_j = self._bounds
        # Beyond this ring every cell of the grid has been looked at.
        last_ring = max(abs(i0 - low_i), abs(i0 - high_i), abs(j0 - low_j), abs(j0 - high_j))
        best: tuple[float, str] | None = None  # (distance, key): a tie goes to the lower key
        for ring in range(last_ring + 1):
            for cell in _ring(i0, j0, ring):
                for key in self._cells.get(cell, ()):
                    found = (distance2(lat, lon, self._points[key], scale), key)
                    if best is None or found < best:
                        best = found
            # A point in a further ring is at least `ring` whole cells away along one axis.
            if best is not None and best[0] <= (ring * CELL_DEGREES) ** 2 * min(1, scale):
                break
        return best[1] if best else None


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def _ring(i0: int, j0: int, ring: int) -> list[tuple[int, int]]:
    """The cells exactly `ring` steps from (i0, j0) (the square's border)."""
    if ring == 0:
        return [(i0, j0)]
    cells = [(i0 - ring, j) for j in range(j0 - ring, j0 + ring + 1)]
    cells += [(i0 + ring, j) for j in range(j0 - ring, j0 + ring + 1)]
    cells += [(i, j0 - ring) for i in range(i0 - ring + 1, i0 + ring)]
    cells += [(i, j0 + ring) for i in range(i0 - ring + 1, i0 + ring)]
    return cells
