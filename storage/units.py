"""Administrative units from `vietnam-provinces`: 34 provinces, 3,321 communes/wards/special zones.

The data is immutable and small, so it is loaded once into memory and searched there: people type
names without diacritics, in any case, often without the "Xã"/"Phường" prefix, and expect the
right unit first. The same rows can seed the `Unit` table (see `UnitDirectory.rows`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from vietnam_provinces import Province, Ward

from storage.former_units import FormerNames, FormerUnit, load_commune_centres
from storage.name_index import NameIndex
from storage.point_grid import PointGrid
from storage.unit_names import fold

__all__ = ["FormerUnit", "Kind", "UnitDirectory", "UnitInfo", "UnitMatch", "fold"]

Kind = Literal["province", "commune"]
Rank = tuple[int, int, int, int, str]


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


@dataclass(frozen=True)
class UnitMatch:
    """A unit found by a search, and the former unit whose name matched, if that was how."""

    unit: UnitInfo
    formerly: FormerUnit | None = None


class UnitDirectory:
    """In-memory lookup and diacritic-insensitive search over all units, by today's names and
    by the names they had before the 2025 reorganisation."""

    def __init__(self, units: Iterable[UnitInfo], former: FormerNames | None = None,
                 centres: dict[str, tuple[float, float]] | None = None) -> None:
        self._units = list(units)
        self._by_code = {u.code: u for u in self._units}
        self._provinces = [u for u in self._units if u.kind == "province"]
        self._communes = [u for u in self._units if u.kind == "commune"]
        self._by_province: dict[str, list[UnitInfo]] = {p.code: [] for p in self._provinces}
        for u in self._communes:
            self._by_province[u.province_code].append(u)
        self._index = NameIndex([
            (u.name, (u.province_name,) if u.kind == "commune" else ()) for u in self._units])

        self._centres = dict(centres or {})
        self._centre_grid = PointGrid(self._centres)
        self._former_of: dict[str, tuple[FormerUnit, ...]] = dict(former.by_code) if former else {}
        self._formers: list[tuple[FormerUnit, tuple[UnitInfo, ...]]] = [
            (unit, tuple(self._by_code[code] for code in codes if code in self._by_code))
            for unit, codes in (former.former_units() if former else ())]
        self._former_index = NameIndex([
            (f.name, tuple(n for n in (f.district, f.province) if n and n != f.name))
            for f, _ in self._formers])

    @classmethod
    def load(cls) -> UnitDirectory:
        """The shared directory built from the packages (built once, then cached)."""
        return _load()

    @classmethod
    def from_package(cls) -> UnitDirectory:
        """Build a fresh directory from `vietnam-provinces` and the former names of
        `vietnamadminunits` (prefer `load()`)."""
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
        return cls(units, FormerNames.load(units), load_commune_centres(units))

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

    def centre(self, code: str) -> tuple[float, float] | None:
        """Where a commune is (its centre, to a few kilometres), if the data know it."""
        return self._centres.get(code.strip())

    def nearest_commune(self, latitude: float, longitude: float) -> UnitInfo | None:
        """The commune whose centre is nearest a point: a place name a person can check a pin
        against (storage/point_grid.py finds it without scanning all 3,321)."""
        best = self._centre_grid.nearest(latitude, longitude)
        return self._by_code.get(best) if best else None

    def former_names(self, code: str) -> tuple[FormerUnit, ...]:
        """The communes, districts (and provinces) this unit absorbed, all or in part."""
        return self._former_of.get(code.strip(), ())

    def search(
        self,
        query: str,
        *,
        kind: Kind | None = "commune",
        province_code: str | None = None,
        limit: int = 8,
    ) -> list[UnitInfo]:
        """Best matches first (see `search_matches`), as units."""
        return [match.unit for match in self.search_matches(
            query, kind=kind, province_code=province_code, limit=limit)]

    def search_matches(
        self,
        query: str,
        *,
        kind: Kind | None = "commune",
        province_code: str | None = None,
        limit: int = 8,
    ) -> list[UnitMatch]:
        """Best matches first: exact name, then name starting with the query, then every query
        word prefixing a name word, then matches that needed the province name; a former name
        counts like today's, after it on a tie, but never buries an exact match of today's
        name under a former district's wards; shorter first. Each unit once."""
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
                    return [UnitMatch(unit)]
            return []

        candidates: list[tuple[Rank, UnitMatch]] = []
        for tier, miss, i in self._index.ranked(query, lambda i: wanted(self._units[i])):
            unit = self._units[i]
            candidates.append(((tier, miss, 0, self._index.core_length(i), unit.code),
                               UnitMatch(unit)))
        exact_today = any(rank[0] == 0 for rank, _ in candidates)
        for tier, miss, i in self._former_index.ranked(
                query, lambda i: any(wanted(u) for u in self._formers[i][1])):
            if tier == 3:  # a former name matched only through its district: too loose
                continue
            former, successors = self._formers[i]
            if exact_today and (tier or miss or former.district is None):
                # "Hoàn Kiếm" is today's ward first; the former district of that name would
                # bury it under every ward it became. An exact former commune still shows.
                continue
            for unit in successors:
                if wanted(unit):
                    rank = (tier, miss, 1, self._former_index.core_length(i), unit.code)
                    candidates.append((rank, UnitMatch(unit, former)))
        # Ties go to the official code order (north to south, Hà Nội first), not to luck.
        found: dict[str, UnitMatch] = {}
        for _, match in sorted(candidates, key=lambda pair: pair[0]):
            found.setdefault(match.unit.code, match)
            if len(found) == limit:
                break
        return list(found.values())

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
