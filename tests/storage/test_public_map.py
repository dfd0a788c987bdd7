"""The map's grid clusters: the same cells on every database."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from storage.public_shapes import BBox, MapFilters
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


async def test_a_practice_without_a_pin_joins_the_cell_of_its_province_centre(db):
    # Hà Nội's centre is 21.03, 105.80: with 1° cells it shares a cell with a pin at 21.2, 105.1.
    await add_practice(db, lat=21.2, lon=105.1)
    await add_practice(db, lat=None, lon=None, province="01")
    await add_practice(db, lat=None, lon=None, province="79", commune="26734")  # TP.HCM, elsewhere
    hanoi = MapFilters(bbox=BBox(west=104.5, south=20.5, east=106.5, north=22.0))
    async with db.reading() as session:
        cells = await public_map.grid_clusters(session, filters=hanoi, cell_degrees=1.0)
        counted = await public_map.count_points(session, filters=hanoi, up_to=10)
        capped = await public_map.count_points(session, filters=MapFilters(), up_to=2)
    assert [(cell.count, round(cell.latitude, 3), round(cell.longitude, 2)) for cell in cells] \
        == [(2, 21.115, 105.45)]
    assert (counted, capped) == (2, 2)


async def test_a_view_of_the_map_is_read_as_index_ranges_not_every_public_row(db):
    """At 100,000 practices a scan of every public row costs a province view 50 ms: each
    statement behind a view must search the map index by latitude (or province), never by
    status alone."""
    if not db.url.startswith("sqlite"):
        pytest.skip("reads SQLite's query plans")
    await add_practice(db, lat=21.2, lon=105.1)
    statements: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    hanoi = MapFilters(bbox=BBox(west=105.45, south=20.68, east=106.15, north=21.38))
    event.listen(Engine, "before_cursor_execute", remember)
    try:
        async with db.reading() as session:
            await public_map.count_points(session, filters=hanoi, up_to=1001)
            await public_map.grid_clusters(session, filters=hanoi, cell_degrees=0.18)
            await public_map.list_points(session, filters=hanoi, limit=1000)
    finally:
        event.remove(Engine, "before_cursor_execute", remember)
    plans = []
    async with db.reading() as session:
        connection = await session.connection()
        for statement, parameters in statements:
            rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                    parameters)  # type: ignore[arg-type]
            plans += [row[3] for row in rows if " practice " in f"{row[3]} "]
    assert plans
    for step in plans:
        assert "latitude" in step or "province_code" in step, step
