"""Search by the names communes, districts and provinces had before the July 2025
reorganisation, against the real `vietnamadminunits` data (one merged commune per region)."""

import pytest

from storage.units import UnitDirectory


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return UnitDirectory.load()


def first(units: UnitDirectory, query: str, **kwargs: object) -> tuple[str, str, str | None]:
    match = units.search_matches(query, **kwargs)[0]  # type: ignore[arg-type]
    return match.unit.code, match.unit.name, match.formerly.label if match.formerly else None


def test_every_unit_of_today_is_matched_in_the_former_names_data(units: UnitDirectory) -> None:
    # The two packages number some communes differently; names must still tie every one.
    without = [c.label for c in units.all_communes() if not units.former_names(c.code)]
    assert without == []


@pytest.mark.parametrize(("query", "code", "name", "formerly"), [
    # North: Hà Nội's Ba Đình district, ward Phúc Xá.
    ("phuong phuc xa", "00097", "Phường Hồng Hà", "Phường Phúc Xá, Quận Ba Đình"),
    ("Xã Mỹ Hưng, Thanh Oai", "10144", "Xã Tam Hưng", "Xã Mỹ Hưng, Huyện Thanh Oai"),
    # Centre: Đà Nẵng's Sơn Trà, and Quảng Nam's Điện Bàn (Quảng Nam is now part of Đà Nẵng).
    ("phuong phuoc my son tra", "20275", "Phường An Hải", "Phường Phước Mỹ, Quận Sơn Trà"),
    ("xa dien phuoc", "20569", "Xã Điện Bàn Tây", "Xã Điện Phước, Thị xã Điện Bàn"),
    # South: Hồ Chí Minh City's District 1 and District 3, Cần Thơ's Phong Điền town.
    ("Phường Bến Nghé", "26740", "Phường Sài Gòn", "Phường Bến Nghé, Quận 1"),
    ("Phường 5 Quận 3", None, "Phường Bàn Cờ", "Phường 5, Quận 3"),
    ("Thị trấn Phong Điền", "31299", "Xã Phong Điền", "Thị trấn Phong Điền, Huyện Phong Điền"),
])
def test_a_former_commune_finds_what_it_became(units, query, code, name, formerly) -> None:
    found_code, found_name, found_formerly = first(units, query)
    assert (found_name, found_formerly) == (name, formerly)
    if code:
        assert found_code == code


def test_a_former_district_finds_the_communes_it_became(units: UnitDirectory) -> None:
    matches = units.search_matches("huyện Ba Vì", limit=8)
    assert len(matches) == 8
    assert {m.unit.province_code for m in matches} == {"01"}
    assert all(m.formerly and m.formerly.name == "Huyện Ba Vì" for m in matches)


def test_a_former_province_finds_the_province_it_joined(units: UnitDirectory) -> None:
    assert first(units, "Tỉnh Quảng Nam", kind="province") == ("48", "Thành phố Đà Nẵng",
                                                                 "Tỉnh Quảng Nam")
    assert first(units, "ha giang", kind="province")[1:] == ("Tuyên Quang", "Tỉnh Hà Giang")


def test_todays_exact_name_is_not_buried_under_a_former_districts_wards(units):
    # "Ba Đình" is a ward today and was a district: the ward is what people mean now.
    matches = units.search_matches("Ba Đình")
    assert (matches[0].unit.name, matches[0].formerly) == ("Phường Ba Đình", None)
    assert not any(m.formerly and m.formerly.district is None for m in matches)
    # Said as the district it was, it finds the wards it became.
    matches = units.search_matches("quận Ba Đình")
    assert matches and all(m.formerly and m.formerly.name == "Quận Ba Đình" for m in matches)


def test_search_keeps_each_unit_once_and_respects_kind_and_province(units: UnitDirectory):
    matches = units.search_matches("Ba Vì", limit=40)
    codes = [m.unit.code for m in matches]
    assert len(codes) == len(set(codes))
    assert all(m.unit.kind == "commune" for m in matches)
    assert units.search_matches("Phường Bến Nghé", province_code="01") == []
