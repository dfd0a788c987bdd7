"""Approximate centres of the 34 provinces (after the 2025 merger), in degrees.

`vietnam-provinces` has names and codes but no coordinates. The map needs a place for a practice
submitted without a pin (the location question is optional), and the demo loader needs to spread
practices realistically. Each entry is (latitude, longitude, spread): the spread is roughly half
the province's extent, so centre ± spread covers most of its land. Hand-made from the provinces'
main towns; good to a few tens of kilometres, which is all these uses need.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProvinceCentre:
    latitude: float
    longitude: float
    spread: float

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) around the centre."""
        return (self.longitude - self.spread, self.latitude - self.spread,
                self.longitude + self.spread, self.latitude + self.spread)


PROVINCE_CENTRES: dict[str, ProvinceCentre] = {
    "01": ProvinceCentre(21.03, 105.80, 0.35),  # Hà Nội
    "04": ProvinceCentre(22.67, 106.25, 0.40),  # Cao Bằng
    "08": ProvinceCentre(22.30, 105.10, 0.55),  # Tuyên Quang (with Hà Giang)
    "11": ProvinceCentre(21.60, 103.10, 0.45),  # Điện Biên
    "12": ProvinceCentre(22.30, 103.30, 0.40),  # Lai Châu
    "14": ProvinceCentre(21.20, 104.00, 0.55),  # Sơn La
    "15": ProvinceCentre(22.00, 104.30, 0.50),  # Lào Cai (with Yên Bái)
    "19": ProvinceCentre(21.90, 105.85, 0.40),  # Thái Nguyên (with Bắc Kạn)
    "20": ProvinceCentre(21.85, 106.60, 0.40),  # Lạng Sơn
    "22": ProvinceCentre(21.10, 107.20, 0.35),  # Quảng Ninh
    "24": ProvinceCentre(21.25, 106.20, 0.30),  # Bắc Ninh (with Bắc Giang)
    "25": ProvinceCentre(21.00, 105.30, 0.45),  # Phú Thọ (with Vĩnh Phúc, Hoà Bình)
    "31": ProvinceCentre(20.90, 106.50, 0.30),  # Hải Phòng (with Hải Dương)
    "33": ProvinceCentre(20.60, 106.20, 0.30),  # Hưng Yên (with Thái Bình)
    "37": ProvinceCentre(20.35, 106.00, 0.30),  # Ninh Bình (with Hà Nam, Nam Định)
    "38": ProvinceCentre(19.90, 105.50, 0.45),  # Thanh Hoá
    "40": ProvinceCentre(19.10, 104.90, 0.55),  # Nghệ An
    "42": ProvinceCentre(18.30, 105.70, 0.35),  # Hà Tĩnh
    "44": ProvinceCentre(17.20, 106.60, 0.45),  # Quảng Trị (with Quảng Bình)
    "46": ProvinceCentre(16.45, 107.55, 0.30),  # Huế
    "48": ProvinceCentre(15.70, 108.00, 0.45),  # Đà Nẵng (with Quảng Nam)
    "51": ProvinceCentre(14.80, 108.30, 0.50),  # Quảng Ngãi (with Kon Tum)
    "52": ProvinceCentre(13.90, 108.40, 0.55),  # Gia Lai (with Bình Định)
    "56": ProvinceCentre(12.00, 109.00, 0.40),  # Khánh Hoà (with Ninh Thuận)
    "66": ProvinceCentre(12.90, 108.50, 0.50),  # Đắk Lắk (with Phú Yên)
    "68": ProvinceCentre(11.60, 108.00, 0.55),  # Lâm Đồng (with Đắk Nông, Bình Thuận)
    "75": ProvinceCentre(11.30, 107.00, 0.40),  # Đồng Nai (with Bình Phước)
    "79": ProvinceCentre(10.85, 106.70, 0.35),  # Hồ Chí Minh (with Bình Dương, Bà Rịa–Vũng Tàu)
    "80": ProvinceCentre(10.90, 106.20, 0.35),  # Tây Ninh (with Long An)
    "82": ProvinceCentre(10.45, 105.90, 0.35),  # Đồng Tháp (with Tiền Giang)
    "86": ProvinceCentre(10.05, 106.20, 0.35),  # Vĩnh Long (with Bến Tre, Trà Vinh)
    "91": ProvinceCentre(10.30, 105.10, 0.40),  # An Giang (with Kiên Giang)
    "92": ProvinceCentre(9.75, 105.80, 0.30),  # Cần Thơ (with Sóc Trăng, Hậu Giang)
    "96": ProvinceCentre(9.20, 105.20, 0.30),  # Cà Mau (with Bạc Liêu)
}

VIETNAM_BBOX = (102.1, 8.3, 109.6, 23.5)
"""(west, south, east, north) of the mainland and near islands: the map's first view."""
