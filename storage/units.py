"""Administrative units from `vietnam-provinces`: 34 provinces, 3,321 communes/wards/special zones.

The data is immutable and small, so it is loaded once into memory and searched there: people type
names without diacritics, in any case, often without the "Xã"/"Phường" prefix, and expect the
right unit first. The same rows can seed the `Unit` table (see `UnitDirectory.rows`).
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from vietnam_provinces import Province, Ward

Kind = Literal["province", "commune"]

_NON_WORD = re.compile(r"[\W_]+")
# Type words that may start a name; stripped to compare whole names ("xa an binh" ~ "an binh").
_TYPE_PREFIXES = ("thanh pho", "tinh", "phuong", "xa", "dac khu")


def fold(text: str) -> str:
    """Lower-case, drop Vietnamese diacritics and punctuation, so typed queries match names."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def _lower(text: str) -> str:
    """Like `fold` but keeping diacritics, to prefer "Thạnh Xuân" when that is what was typed."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def _core(folded: str) -> str:
    """The folded name without its leading type word ("phuong thanh xuan" -> "thanh xuan")."""
    for prefix in _TYPE_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


@dataclass(frozen=True)
class UnitInfo:
    """One province or commune, with its province's name at hand for display."""

    code: str
    name: str
    kind: Kind
    division_type: str
    province_code: str
    province_name: str

    @property
    def label(self) -> str:
        """What users see: "Phường Thanh Xuân, Thành phố Hà Nội" (a province is just its name)."""
        return self.name if self.kind == "province" else f"{self.name}, {self.province_name}"


class UnitDirectory:
    """In-memory lookup and diacritic-insensitive search over all units."""

    def __init__(self, units: Iterable[UnitInfo]) -> None:
        self._units = list(units)
        self._by_code = {u.code: u for u in self._units}
        self._provinces = [u for u in self._units if u.kind == "province"]
        self._communes = [u for u in self._units if u.kind == "commune"]
        self._by_province: dict[str, list[UnitInfo]] = {p.code: [] for p in self._provinces}
        for u in self._communes:
            self._by_province[u.province_code].append(u)

        self._folded: list[tuple[str, str]] = []  # (full, core) folded names
        self._name_tokens: list[tuple[str, ...]] = []
        self._exact: list[frozenset[str]] = []
        self._accented: list[frozenset[str]] = []  # whole names with diacritics, lower-case
        postings: dict[str, set[int]] = {}
        for i, u in enumerate(self._units):
            full = fold(u.name)
            prov_full = fold(u.province_name)
            keys = {full, _core(full)}
            if u.kind == "commune":
                keys |= {f"{k} {p}" for k in tuple(keys) for p in (prov_full, _core(prov_full))}
            self._exact.append(frozenset(keys))
            self._folded.append((full, _core(full)))
            accented = _lower(u.name).split()
            type_words = len(full.split()) - len(_core(full).split())
            self._accented.append(frozenset({" ".join(accented), " ".join(accented[type_words:])}))
            self._name_tokens.append(tuple(full.split()))
            tokens = set(full.split()) | (set(prov_full.split()) if u.kind == "commune" else set())
            for token in tokens:
                postings.setdefault(token, set()).add(i)
        self._vocab = sorted(postings)
        self._postings = {t: frozenset(ids) for t, ids in postings.items()}

    @classmethod
    def load(cls) -> UnitDirectory:
        """The shared directory built from the package (built once, then cached)."""
        return _load()

    @classmethod
    def from_package(cls) -> UnitDirectory:
        """Build a fresh directory from `vietnam-provinces` (prefer `load()`)."""
        units: list[UnitInfo] = []
        names: dict[str, str] = {}
        for p in Province.iter_all():
            code = f"{int(p.code):02d}"
            names[code] = p.name
            units.append(UnitInfo(code, p.name, "province", p.division_type.value, code, p.name))
        for w in Ward.iter_all():
            prov = f"{int(w.province_code):02d}"
            dtype = w.division_type.value
            code = f"{int(w.code):05d}"
            units.append(UnitInfo(code, w.name, "commune", dtype, prov, names[prov]))
        return cls(units)

    def get(self, code: str) -> UnitInfo | None:
        return self._by_code.get(code.strip())

    def province_of(self, code: str) -> UnitInfo:
        """The province of a unit (a province is its own); KeyError if the code is unknown."""
        unit = self._by_code.get(code.strip())
        if unit is None:
            raise KeyError(code)
        return self._by_code[unit.province_code]

    def provinces(self) -> list[UnitInfo]:
        return list(self._provinces)

    def communes(self, province_code: str) -> list[UnitInfo]:
        return list(self._by_province.get(province_code.strip().zfill(2), ()))

    def all_communes(self) -> list[UnitInfo]:
        return list(self._communes)

    def search(
        self,
        query: str,
        *,
        kind: Kind | None = "commune",
        province_code: str | None = None,
        limit: int = 8,
    ) -> list[UnitInfo]:
        """Best matches first: exact name, then name starting with the query, then every query
        word prefixing a name word, then matches that needed the province name; shorter first."""
        prov = province_code.strip().zfill(2) if province_code else None

        def wanted(u: UnitInfo) -> bool:
            return (kind is None or u.kind == kind) and (prov is None or u.province_code == prov)

        q = fold(query)
        if not q or limit <= 0:
            return []
        if q.isdigit():
            for code in (q, q.zfill(5), q.zfill(2)):
                unit = self._by_code.get(code)
                if unit and wanted(unit):
                    return [unit]
            return []

        ids: frozenset[int] | None = None
        for token in sorted(set(q.split()), key=len, reverse=True):  # longest: fewest hits
            hits = self._prefix_hits(token)
            ids = hits if ids is None else ids & hits
            if not ids:
                return []
        assert ids is not None
        q_tokens, q_accented = q.split(), _lower(query)

        def rank(i: int) -> tuple[int, int, int, str]:
            # Ties go to the official code order (north to south, Hà Nội first), not to luck.
            (full, core), names, accent_miss = self._folded[i], self._name_tokens[i], 0
            if q in self._exact[i]:
                tier, accent_miss = 0, int(q_accented not in self._accented[i])
            elif core.startswith(q) or (full.startswith(q) and len(q) > len(full) - len(core)):
                tier = 1
            elif all(any(n.startswith(t) for n in names) for t in q_tokens):
                tier = 2
            else:
                tier = 3
            return (tier, accent_miss, len(core), self._units[i].code)

        found = heapq.nsmallest(limit, (i for i in ids if wanted(self._units[i])), key=rank)
        return [self._units[i] for i in found]

    def _prefix_hits(self, token: str) -> frozenset[int]:
        """Units with a word starting with `token`: a range scan of the sorted vocabulary."""
        start = bisect_left(self._vocab, token)
        sets = []
        for j in range(start, len(self._vocab)):
            if not self._vocab[j].startswith(token):
                break
            sets.append(self._postings[self._vocab[j]])
        return frozenset().union(*sets)

    def rows(self) -> Iterator[dict[str, str]]:
        """Dicts shaped like `storage.models.Unit`, to seed that table in a migration."""
        for u in self._units:
            yield {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "division_type": u.division_type,
                "province_code": u.province_code,
                "search_key": fold(u.name),
            }


@functools.cache
def _load() -> UnitDirectory:
    return UnitDirectory.from_package()
