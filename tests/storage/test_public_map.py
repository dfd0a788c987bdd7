"""The map's grid clusters: the same cells on every database."""

from __future__ import annotations

from storage.public_shapes import MapFilters
from storage.repositories import public_map
from tests.web.factories import add_practice


async def test_a_grid_cell_holds_what_lies_between_its_edges(db):
    # With 1° cells the edges are whole degrees (from -180 and -90): 105.1 and 105.9 share one
    # cell, 106.1 is the next. Rounding to the nearest cell instead would split the first two.
    for lon in (105.1, 105.9, 106.1):
        await add_practice(db, lat=21.2, lon=lon)
    async with db.reading() as session:
        cells = await public_map.grid_clusters(session, filters=MapFilters(), cell_degrees=1.0)
    counts = sorted((cell.count, round(cell.longitude, 1)) for cell in cells)
    assert counts == [(1, 106.1), (2, 105.5)]
