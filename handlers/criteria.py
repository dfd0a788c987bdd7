"""Criteria as data: what a practice is assessed against, level by level.

The guidance (section V.3) sets common criteria for every level and lets each level issue its
own specific ones. The common and per-level criteria ship as YAML files
(`handlers/criteria_data/`, or the folder of CRITERIA_DIR), checked against `CriteriaFile` when
the product starts: a bad file stops it with one line naming the file and the fault. A commune
or province adds its own with `dvk criteria import FILE --unit CODE` (stored with a version,
storage/repositories/criteria.py); the latest import applies at that unit's level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.practice_form import PRACTICE_FORM
from storage.models import Level
from storage.repositories import criteria as criteria_repo

BUILTIN_DIR = Path(__file__).with_name("criteria_data")
COMMON = "common"
LEVEL_FILES = {COMMON: "common.yaml", Level.COMMUNE: "commune.yaml",
               Level.PROVINCE: "province.yaml", Level.CENTRAL: "central.yaml"}
PRACTICE_FIELDS = frozenset(spec.name for spec in PRACTICE_FORM.fields)


class CriterionKind(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"  # 1–5
    NUMBER = "number"  # a whole number with a unit
    TEXT = "text"


SCALE = tuple(str(n) for n in range(1, 6))


class LocalText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vi: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    kind: CriterionKind
    text: LocalText
    unit: LocalText | None = None
    """What a number counts ("tháng"): required for numbers, refused for other kinds."""
    required: bool = True
    max_value: int = Field(default=1_000_000, ge=1, le=10**12)
    practice_fields: tuple[str, ...] = ()
    """The practice's own fields this criterion is judged on (handlers/practice_form.py)."""

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        if (self.kind is CriterionKind.NUMBER) != (self.unit is not None):
            raise ValueError(f"criterion {self.code}: a unit goes with kind number, and only "
                             "with it")
        unknown = sorted(set(self.practice_fields) - PRACTICE_FIELDS)
        if unknown:
            raise ValueError(f"criterion {self.code}: no practice field named "
                             f"{', '.join(unknown)}")
        return self


class CriteriaFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
    level: Literal["all", "commune", "province", "central"]
    name: LocalText
    criteria: tuple[Criterion, ...] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_codes(self) -> CriteriaFile:
        codes = [c.code for c in self.criteria]
        if doubled := sorted({code for code in codes if codes.count(code) > 1}):
            raise ValueError(f"criterion code used twice: {', '.join(doubled)}")
        return self


class CriteriaFileError(Exception):
    """A criteria file that cannot be used; the message is one line naming it and the fault."""


def parse_file(path: Path) -> CriteriaFile:
    """Read and check one criteria file (YAML, or JSON, which YAML reads too)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CriteriaFileError(f"{path}: cannot be read ({error.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise CriteriaFileError(f"{path}: not valid YAML{line}") from None
    return parse_content(raw, str(path))


def parse_content(raw: Any, name: str) -> CriteriaFile:
    try:
        return CriteriaFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        message = first["msg"].removeprefix("Value error, ")
        raise CriteriaFileError(f"{name}: {where}: {message}") from None


@dataclass(frozen=True)
class Catalogue:
    """The criteria that ship with the product (or CRITERIA_DIR's): common, and per level."""

    files: dict[str, CriteriaFile]

    def builtin_for(self, level: str) -> list[tuple[str, CriteriaFile]]:
        return [(key, self.files[key]) for key in (COMMON, level) if key in self.files]


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Every level's file from `directory` (default: the built-in ones); the common file must
    be there, a level's own file may be missing (no specific criteria at that level)."""
    folder = directory or BUILTIN_DIR
    files: dict[str, CriteriaFile] = {}
    for key, filename in LEVEL_FILES.items():
        path = folder / filename
        if not path.exists():
            if key == COMMON:
                raise CriteriaFileError(f"{path}: missing (the common criteria)")
            continue
        parsed = parse_file(path)
        expected = "all" if key == COMMON else key
        if parsed.level != expected:
            raise CriteriaFileError(f"{path}: level: must be {expected}, not {parsed.level}")
        files[key] = parsed
    codes: list[str] = [c.code for c in files[COMMON].criteria]
    for key, parsed in files.items():
        if key != COMMON and (clash := {c.code for c in parsed.criteria} & set(codes)):
            raise CriteriaFileError(f"{folder / LEVEL_FILES[key]}: criterion code also in "
                                    f"the common file: {', '.join(sorted(clash))}")
    return Catalogue(files)


@cache
def builtin_catalogue() -> Catalogue:
    return load_catalogue()


@dataclass(frozen=True)
class Applicable:
    """The criteria a practice answers at one level, and the version they make together
    ("common@2026.1+commune@2026.1+00367#2"), kept with every assessment."""

    level: str
    version: str
    criteria: tuple[Criterion, ...]

    def snapshot(self) -> list[dict[str, Any]]:
        return [c.model_dump(mode="json") for c in self.criteria]


def unit_of_level(level: str, commune_code: str, province_code: str) -> str | None:
    """Which unit's own criteria apply at `level` to a practice of this commune."""
    return {Level.COMMUNE: commune_code, Level.PROVINCE: province_code}.get(Level(level))


async def applicable(session: AsyncSession, catalogue: Catalogue, *, level: str,
                     commune_code: str, province_code: str) -> Applicable:
    parts: list[str] = []
    criteria: list[Criterion] = []
    for key, parsed in catalogue.builtin_for(level):
        parts.append(f"{key}@{parsed.version}")
        criteria += parsed.criteria
    unit = unit_of_level(level, commune_code, province_code)
    row = await criteria_repo.latest_set(session, unit) if unit else None
    if row is not None:
        own = CriteriaFile.model_validate(row.content)  # checked when it was imported
        taken = {c.code for c in criteria}
        criteria += [c for c in own.criteria if c.code not in taken]
        parts.append(f"{unit}#{row.version}")
    return Applicable(level, "+".join(parts), tuple(criteria))


def from_snapshot(snapshot: Sequence[dict[str, Any]]) -> list[Criterion]:
    return [Criterion.model_validate(item) for item in snapshot]
