"""The map's GeoJSON answers, kept in each worker until what the map shows changes.

A newspaper's readers ask for the whole country and for the same few provinces over and over;
computing the country's clusters costs an aggregate over every public practice (~70 ms of CPU
at 100,000). Each answer is kept under the version of the public map it was computed at
(`public_map.map_version`, a row the database's own triggers move in the very transaction that
approves, recognises, edits, withdraws or erases a public practice). Every request reads that
version first (one indexed row), so a change made through any worker is seen by every worker
at its next request: nothing is served stale, and no worker has to be told.

Reading the version before the data keeps a race harmless: a change committed in between makes
the answer newer than its version, never older, and the next request recomputes it.
"""

from __future__ import annotations

from collections import OrderedDict

MAX_BYTES = 32 * 1024 * 1024
"""What one worker keeps at most: the country's answer is ~100 KB and a province's less, so
hundreds of distinct views fit; the least recently asked go first."""


class MapAnswers:
    """Answers by query for one public-map version at a time, least recently used dropped."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.version = -1
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    def get(self, query: str, version: int) -> str | None:
        if version != self.version:
            self.misses += 1
            return None
        answer = self._answers.get(query)
        if answer is None:
            self.misses += 1
            return None
        self._answers.move_to_end(query)
        self.hits += 1
        return answer

    def put(self, query: str, version: int, answer: str) -> None:
        """Keep `answer`, computed after reading `version`. A newer version drops every answer
        of the older one; an answer of an older version than the kept ones is not kept."""
        if version < self.version or len(answer) > self.max_bytes:
            return
        if version > self.version:
            self._answers.clear()
            self._bytes = 0
            self.version = version
        previous = self._answers.pop(query, None)
        if previous is not None:
            self._bytes -= len(previous)
        self._answers[query] = answer
        self._bytes += len(answer)
        while self._bytes > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped)
