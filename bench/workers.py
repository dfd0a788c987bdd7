"""What the benchmarks that start real workers share (not a benchmark: `make bench` runs only
bench_*.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp


async def wait_until_healthy(http: aiohttp.ClientSession, url: str,
                             process: asyncio.subprocess.Process, log: Path, *,
                             seconds: float = 120) -> None:
    """Until the worker started at `url` answers /healthz with 200; its log's tail if it dies,
    or a failure if `seconds` pass first."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        assert process.returncode is None, log.read_text()[-2000:]
        try:
            async with http.get(url + "healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert asyncio.get_running_loop().time() < deadline, f"{url} did not start"
        await asyncio.sleep(0.1)
