"""Readers asking for the same map view at the same moment share one computation, and nobody
gets an answer computed before they asked once it is done."""

from __future__ import annotations

import asyncio

from bot.web.single_flight import SingleFlight


async def test_callers_of_a_running_computation_share_it_and_later_callers_compute_again():
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()
    computed: list[str] = []

    async def compute() -> str:
        computed.append("view")
        await release.wait()
        return f"answer {len(computed)}"

    waiting = [asyncio.create_task(flights.run("bbox=1,2,3,4", compute)) for _ in range(5)]
    other = asyncio.create_task(flights.run("bbox=5,6,7,8", compute))
    await asyncio.sleep(0)  # let every caller reach the flight
    release.set()
    answers = await asyncio.gather(*waiting)
    await other
    assert answers == [answers[0]] * 5
    assert len(computed) == 2  # one per distinct view, not one per reader

    again = await flights.run("bbox=1,2,3,4", compute)
    assert len(computed) == 3 and again == "answer 3"  # nothing kept after it was answered


async def test_a_reader_who_leaves_does_not_cancel_the_answer_for_the_others():
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def compute() -> str:
        await release.wait()
        return "answer"

    leaving = asyncio.create_task(flights.run("q", compute))
    staying = asyncio.create_task(flights.run("q", compute))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await staying == "answer"
    assert leaving.cancelled()


async def test_a_failure_reaches_every_caller_and_is_not_remembered():
    flights: SingleFlight[str] = SingleFlight()
    calls = 0

    async def compute() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database away")
        return "answer"

    results = await asyncio.gather(flights.run("q", compute), flights.run("q", compute),
                                   return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert await flights.run("q", compute) == "answer"
