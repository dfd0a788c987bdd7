"""Communes, districts and provinces as they were named before the July 2025 reorganisation.

Citizens still say "xã Tản Lĩnh, huyện Ba Vì" for the place that is now "Xã Ba Vì". The mapping
comes from the `vietnamadminunits` package (its 2025 converter data and its 63-province table),
read as data only: the package's own modules import geocoding libraries we do not need. Its new
units are matched to ours (`vietnam-provinces`) by province and name, since the two packages
number a few communes differently. To update: upgrade the package and run
`tests/storage/test_former_units.py`, which checks that every new unit still matches.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from storage.unit_names import core_name, fold


class UnitInfo(Protocol):
    """What this module reads of today's units (storage.units.UnitInfo has it), declared here
    so that storage.units may import this module without the two importing each other."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def province_name(self) -> str: ...

_PACKAGE = "vietnamadminunits"


@dataclass(frozen=True, slots=True)
class FormerUnit:
    """One commune (or district, or province) under its pre-2025 name (10,000 of them live in
    every worker: slots, and each district's and province's name held once)."""

    name: str  # "Xã Tản Lĩnh"; for a district or province, its own name
    district: str | None  # "Huyện Ba Vì"; None for a district or a province
    province: str  # "Thành phố Hà Nội"

    @property
    def label(self) -> str:
        """"Xã Tản Lĩnh, Huyện Ba Vì" — enough to recognise it; the province is usually implied."""
        return f"{self.name}, {self.district}" if self.district else self.name


@dataclass(frozen=True)
class FormerNames:
    """Which former units each current unit (by our code) absorbed, all or in part."""

    by_code: Mapping[str, tuple[FormerUnit, ...]]

    @classmethod
    def load(cls, units: Iterable[UnitInfo]) -> FormerNames:
        """Built from the installed package; empty when it is absent (search then knows only
        today's names, and says nothing wrong)."""
        data_dir = _package_data_dir()
        if data_dir is None:
            return cls({})
        return cls(_build(data_dir, list(units)))

    def former_units(self) -> Iterable[tuple[FormerUnit, tuple[str, ...]]]:
        """Each former unit with the codes of the units it became, for building a search index."""
        successors: dict[FormerUnit, list[str]] = {}
        for code, formers in self.by_code.items():
            for former in formers:
                successors.setdefault(former, []).append(code)
        return ((former, tuple(codes)) for former, codes in successors.items())


def load_commune_centres(units: Iterable[UnitInfo]) -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of each commune's centre, by our code, from the same package's
    table of today's units; empty when the package is absent."""
    data_dir = _package_data_dir()
    if data_dir is None:
        return {}
    with _open(data_dir) as db:
        rows = db.execute("SELECT provinceKey, provinceShortKey, wardKey, ward, wardLat, wardLon "
                          "FROM admin_units WHERE wardLat IS NOT NULL").fetchall()
    ours = _match_new_units([row[:4] for row in rows], list(units))
    return {ours[(row[0], row[2])]: (float(row[4]), float(row[5]))
            for row in rows if (row[0], row[2]) in ours}


def _package_data_dir() -> Path | None:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    data_dir = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data_dir if (data_dir / "converter_2025.json").is_file() else None


def _open(data_dir: Path) -> closing[sqlite3.Connection]:
    """The package's table, read-only, closed after use (its page cache with it)."""
    return closing(sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True))


def _key(text: str) -> str:
    """The package's keys: folded names with no spaces ("Xã Tản Lĩnh" -> "xatanlinh")."""
    return fold(text).replace(" ", "")


def _build(data_dir: Path, units: list[UnitInfo]) -> dict[str, tuple[FormerUnit, ...]]:
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    legacy: dict[str, FormerUnit] = {}
    districts: dict[str, FormerUnit] = {}
    provinces: dict[str, FormerUnit] = {}
    with _open(data_dir) as db:
        new_rows = db.execute(
            "SELECT provinceKey, provinceShortKey, wardKey, ward FROM admin_units").fetchall()
        # 10,040 rows, read one at a time: a list of them all would leave a worker over 10 MB
        # larger for good (freed, but too scattered for the allocator to give back).
        for province_key, district_key, ward_key, province, district, ward in db.execute(
                "SELECT provinceKey, districtKey, wardKey, province, district, ward "
                "FROM admin_units_legacy"):
            province, district = sys.intern(province), sys.intern(district)
            legacy[f"{province_key}_{district_key}_{ward_key}"] = FormerUnit(
                ward, district, province)
            districts[f"{province_key}_{district_key}_"] = FormerUnit(district, None, province)
            provinces[province_key] = FormerUnit(province, None, province)

    ours = _match_new_units(new_rows, units)  # (new province key, new ward key) -> our code
    formers: dict[str, dict[FormerUnit, None]] = {}

    def became(code: str | None, old_key: str) -> None:
        if code is None:
            return
        district_key = old_key.rsplit("_", 1)[0] + "_"
        bucket = formers.setdefault(code, {})
        for former in (legacy.get(old_key), districts.get(district_key)):
            if former is not None:
                bucket[former] = None

    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                became(ours.get((new_province, new_ward)), old_key)
    for new_province, old_wards in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, new_wards in old_wards.items():
            for new_ward in new_wards:
                became(ours.get((new_province, new_ward["newWardKey"])), old_key)

    by_province_key = {_key(core_name(fold(u.name))): u.code
                       for u in units if u.kind == "province"}
    for new_province, old_keys in converter["DICT_PROVINCE"].items():
        short = next((short for key, short, *_ in new_rows if key == new_province), None)
        code = by_province_key.get(short or "")
        for old_key in old_keys:
            if code and old_key != new_province and old_key in provinces:
                formers.setdefault(code, {})[provinces[old_key]] = None
    return {code: tuple(found) for code, found in formers.items() if found}


def _match_new_units(rows: list[tuple[str, str, str, str]],
                     units: list[UnitInfo]) -> dict[tuple[str, str], str]:
    """The package's new communes matched to ours by province and name: exactly when the name is
    spelt the same, else by folded name (a few folded names are ambiguous in the package, which
    then keys them with diacritics)."""
    exact: dict[tuple[str, str], str] = {}
    folded: dict[tuple[str, str], str] = {}
    for unit in units:
        if unit.kind != "commune":
            continue
        province = _key(core_name(fold(unit.province_name)))
        exact[(province, unicodedata.normalize("NFC", unit.name))] = unit.code
        folded[(province, _key(unit.name))] = unit.code
    matched: dict[tuple[str, str], str] = {}
    for province_key, province_short, ward_key, ward in rows:
        code = (exact.get((province_short, unicodedata.normalize("NFC", ward)))
                or folded.get((province_short, _key(ward))))
        if code is not None:
            matched[(province_key, ward_key)] = code
    return matched
