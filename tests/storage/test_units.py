"""UnitDirectory against the real `vietnam-provinces` data (no fixtures to drift from it)."""

import dataclasses

import pytest

from storage.models import Unit
from storage.units import UnitDirectory, UnitInfo, fold


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return UnitDirectory.load()


def test_fold() -> None:
    assert fold("Phường Thanh Xuân") == "phuong thanh xuan"
    assert fold("Đặc khu  Côn Đảo") == "dac khu con dao"
    assert fold("  Xã Tân-An, (cũ)! ") == "xa tan an cu"
    assert fold("đ") == fold("Đ") == fold("d") == "d"
    # Decomposed input (some keyboards) folds the same as composed.
    assert fold("Hòa") == fold("Ho\u0300a") == fold("Hoà") == "hoa"


def test_load_is_cached(units: UnitDirectory) -> None:
    assert UnitDirectory.load() is units


def test_counts(units: UnitDirectory) -> None:
    assert len(units.provinces()) == 34
    assert len(units.all_communes()) == 3321
    assert sum(len(units.communes(p.code)) for p in units.provinces()) == 3321


def test_get_and_codes(units: UnitDirectory) -> None:
    ward = units.get("00367")
    assert ward == UnitInfo(
        "00367", "Phường Thanh Xuân", "commune", "phường", "01", "Thành phố Hà Nội"
    )
    assert ward.label == "Phường Thanh Xuân, Thành phố Hà Nội"
    hanoi = units.get("01")
    assert hanoi is not None
    assert (hanoi.kind, hanoi.division_type, hanoi.province_code) == (
        "province",
        "thành phố trung ương",
        "01",
    )
    assert hanoi.label == "Thành phố Hà Nội"
    assert units.get("99999") is None
    assert all(len(p.code) == 2 for p in units.provinces())
    assert all(len(c.code) == 5 for c in units.all_communes())
    assert {c.division_type for c in units.all_communes()} == {"xã", "phường", "đặc khu"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        ward.name = "x"  # type: ignore[misc]


def test_province_of(units: UnitDirectory) -> None:
    assert units.province_of("00367").name == "Thành phố Hà Nội"
    assert units.province_of("01").code == "01"
    with pytest.raises(KeyError):
        units.province_of("nope")


def test_communes_of_province(units: UnitDirectory) -> None:
    hanoi = units.communes("01")
    assert hanoi and all(c.province_code == "01" for c in hanoi)
    assert "Phường Hoàn Kiếm" in {c.name for c in hanoi}
    assert units.communes("1") == hanoi
    assert units.communes("00") == []


@pytest.mark.parametrize("query", ["thanh xuan", "phuong thanh xuan", "Thanh Xuân", "THANH XUAN"])
def test_thanh_xuan_first(units: UnitDirectory, query: str) -> None:
    found = units.search(query)
    assert found[0].code == "00367"
    assert found[0].name == "Phường Thanh Xuân"


def test_type_word_optional_and_province_words(units: UnitDirectory) -> None:
    assert units.search("thanh xuan ha noi")[0].code == "00367"
    assert units.search("hoan kiem")[0].name == "Phường Hoàn Kiếm"
    assert units.search("van don")[0].name == "Đặc khu Vân Đồn"
    # Partial words: every query word is a prefix of a name word.
    assert units.search("thanh xu")[0].code == "00367"


def test_diacritics_typed_are_preferred(units: UnitDirectory) -> None:
    # Both fold to "thanh xuan"; the accents the user typed break the tie.
    assert units.search("Thạnh Xuân")[0].name == "Xã Thạnh Xuân"
    assert units.search("Thanh Xuân")[0].name == "Phường Thanh Xuân"


def test_dac_khu_finds_only_special_zones(units: UnitDirectory) -> None:
    found = units.search("dac khu", limit=50)
    assert len(found) == 13
    assert {u.division_type for u in found} == {"đặc khu"}
    assert len(units.search("Đặc khu")) == 8  # default limit


def test_kind_province(units: UnitDirectory) -> None:
    found = units.search("ha noi", kind="province")
    assert [u.name for u in found] == ["Thành phố Hà Nội"]
    assert units.search("Thành phố Hà Nội", kind="province")[0].code == "01"
    assert units.search("ho chi minh", kind=None)[0].kind == "province"


def test_province_filter_narrows(units: UnitDirectory) -> None:
    everywhere = units.search("xuan", limit=500)
    in_hanoi = units.search("xuan", province_code="01", limit=500)
    assert in_hanoi and len(in_hanoi) < len(everywhere)
    assert all(u.province_code == "01" for u in in_hanoi)
    assert units.search("van don", province_code="01") == []


def test_exact_code(units: UnitDirectory) -> None:
    assert units.search("00367") == [units.get("00367")]
    assert units.search(" 367 ") == [units.get("00367")]
    assert units.search("01", kind="province") == [units.get("01")]
    assert units.search("00367", province_code="79") == []


@pytest.mark.parametrize("query", ["", "   ", "xyzzy qwerty", "!!!", "thanh xuan zzz"])
def test_nothing(units: UnitDirectory, query: str) -> None:
    assert units.search(query) == []


def test_limit_and_determinism(units: UnitDirectory) -> None:
    first = units.search("tan", limit=20)
    assert len(first) == 20
    assert units.search("tan", limit=20) == first
    assert units.search("tan", limit=0) == []


def test_rows_match_unit_table(units: UnitDirectory) -> None:
    rows = list(units.rows())
    assert len(rows) == 34 + 3321
    assert set(rows[0]) == set(Unit.model_fields)
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows)
    assert by_code["00367"] == {
        "code": "00367",
        "name": "Phường Thanh Xuân",
        "kind": "commune",
        "division_type": "phường",
        "province_code": "01",
        "search_key": "phuong thanh xuan",
    }
    Unit(**by_code["00367"])  # the table model accepts the row as-is
