"""Migration 0025 creates pg_trgm where the database user may, and goes on without it where it
may not (a user without CREATE on the database): the duplicate search then compares texts in
Python (tests/storage/test_duplicate_search.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import duplicates
from tests.support.backend import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="pg_trgm is PostgreSQL's")


async def test_a_user_who_may_not_create_extensions_still_gets_the_schema():
    from tests.conftest import _postgres_admin, _postgres_url

    name, role = f"dvk_trgm_{uuid.uuid4().hex[:10]}", f"dvk_user_{uuid.uuid4().hex[:8]}"
    _postgres_admin(f"CREATE ROLE {role} LOGIN", f"CREATE DATABASE {name}")
    try:
        _postgres_admin(f"REVOKE CREATE ON DATABASE {name} FROM PUBLIC")
        owner_url = _postgres_url(name)
        # The schema is the user's own, so it may create tables, but not extensions.
        database = Database(owner_url)
        async with database.session() as session:
            await session.exec(text(f"GRANT ALL ON SCHEMA public TO {role}"))  # type: ignore[call-overload]
            await session.commit()
        await database.dispose()
        limited = make_url(owner_url).set(username=role, password=None)
        url = limited.render_as_string(hide_password=False)
        await asyncio.to_thread(upgrade, url)  # no error: the extension is skipped
        database = Database(url)
        try:
            async with database.session() as session:
                assert not await duplicates.has_pg_trgm(session)
        finally:
            await database.dispose()
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP ROLE {role}")
