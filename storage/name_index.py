"""A compact, diacritic-insensitive word-prefix search over place names.

Every worker holds two of these for its whole life: today's 3,355 units and the ~10,800 units
named before the 2025 reorganisation, each with context words (a commune's province, a former
commune's district and province) that a query may add. Sets and per-name key sets for ~14,000
names cost over 40 MB of a worker's memory, so this index keeps one folded string per name, the
context names once each, and its postings as one flat array of integers: the entries with a
word starting with a query word are then one contiguous slice of that array (the vocabulary is
sorted, so all words sharing a prefix are neighbours).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence

from storage.unit_names import core_name, fold, lower

__all__ = ["NameIndex"]


class NameIndex:
    """Diacritic-insensitive word-prefix search over names, each with context words (a
    commune's province, a former commune's district) that a query may add."""

    def __init__(self, names: Sequence[tuple[str, Sequence[str]]]) -> None:
        self._names = [name for name, _ in names]  # as given, for the accent check
        self._folded: list[str] = []
        self._type_length = array("B")  # characters of the leading type word ("xa ") to skip
        self._context: list[tuple[int, ...]] = []  # ids into self._context_names
        self._context_names: list[str] = []  # each distinct folded context name, once
        context_ids: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for i, (name, context) in enumerate(names):
            full = fold(name)
            self._folded.append(full)
            self._type_length.append(len(full) - len(core_name(full)))
            ids = []
            for other in context:
                other_full = fold(other)
                if other_full not in context_ids:
                    context_ids[other_full] = len(self._context_names)
                    self._context_names.append(other_full)
                ids.append(context_ids[other_full])
            self._context.append(tuple(ids))
            tokens = set(full.split()).union(*(self._context_names[c].split() for c in ids))
            for token in tokens:
                postings.setdefault(token, []).append(i)
        self._vocab = sorted(postings)
        # Entries of vocabulary word j: self._ids[self._starts[j]:self._starts[j + 1]].
        self._starts = array("I", [0])
        self._ids = array("I")
        for token in self._vocab:
            self._ids.extend(postings[token])
            self._starts.append(len(self._ids))

    def ranked(self, query: str, wanted: Callable[[int], bool]) -> Iterator[tuple[int, int, int]]:
        """(tier, accent miss, index) of every wanted entry matching each query word: tier 0 an
        exact name, 1 a name starting with the query, 2 every query word prefixing a name word,
        3 a match that needed the context words."""
        q = fold(query)
        ids: set[int] | None = None
        for token in sorted(set(q.split()), key=len, reverse=True):  # longest: fewest hits
            hits = self._prefix_hits(token)
            ids = hits if ids is None else ids & hits
            if not ids:
                return
        q_tokens, q_accented = q.split(), lower(query)
        for i in sorted(ids or ()):
            if not wanted(i):
                continue
            full = self._folded[i]
            core = full[self._type_length[i]:]
            if self._is_exact(q, i):
                tier, accent_miss = 0, int(not self._same_accents(q_accented, i))
            elif core.startswith(q) or (full.startswith(q) and len(q) > len(full) - len(core)):
                tier, accent_miss = 1, 0
            elif all(any(n.startswith(t) for n in full.split()) for t in q_tokens):
                tier, accent_miss = 2, 0
            else:
                tier, accent_miss = 3, 0
            yield tier, accent_miss, i

    def core_length(self, i: int) -> int:
        return len(self._folded[i]) - self._type_length[i]

    def _prefix_hits(self, token: str) -> set[int]:
        """Entries with a word starting with `token`: the vocabulary words sharing that prefix
        are neighbours, so their entries are one slice of the postings."""
        start = bisect_left(self._vocab, token)
        end = bisect_left(self._vocab, token + "\U0010ffff", start)
        return set(self._ids[self._starts[start]:self._starts[end]])

    def _forms(self, folded: str) -> tuple[str, ...]:
        """A folded name, and its core when it has a type word ("xa tan linh", "tan linh")."""
        core = core_name(folded)
        return (folded,) if core == folded else (folded, core)

    def _is_exact(self, q: str, i: int) -> bool:
        """Whether the query is the whole name, with or without its type word, followed by any
        of its context names in order, each with or without its type word ("tan linh ba vi")."""
        full = self._folded[i]
        contexts = [self._forms(self._context_names[c]) for c in self._context[i]]
        return any(_spells(q, form, contexts) for form in (full, full[self._type_length[i]:]))

    def _same_accents(self, q_accented: str, i: int) -> bool:
        """Whether the query, with its diacritics, is the name with its own (with or without
        the type word): "Thạnh Xuân" typed is not "Thành Xuân"."""
        accented = lower(self._names[i]).split()
        full = self._folded[i]
        type_words = len(full.split()) - len(full[self._type_length[i]:].split())
        return q_accented in (" ".join(accented), " ".join(accented[type_words:]))


def _spells(q: str, head: str, contexts: Sequence[tuple[str, ...]]) -> bool:
    """Whether q is `head`, or `head` then a space and what the later contexts spell."""
    if q == head:
        return True
    if not q.startswith(head + " "):
        return False
    rest = q[len(head) + 1:]
    return any(_spells(rest, form, contexts[j + 1:])
               for j, forms in enumerate(contexts) for form in forms)
