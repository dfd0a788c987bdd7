"""Which database the tests run on: SQLite, or the PostgreSQL server TEST_DATABASE_URL names."""

from __future__ import annotations

import os

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
if POSTGRES_URL and not ON_POSTGRES:
    raise RuntimeError(f"TEST_DATABASE_URL is not a postgresql+asyncpg:// URL: {POSTGRES_URL}")
