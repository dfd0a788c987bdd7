"""Realistic demo practices: Vietnamese titles and "6 rõ" per field, collectives and villages,
spread over all 34 provinces around their communes. Pure data, no database: `bot/web/demo.py`
stores them (with photos) for `dvk demo`, and `bench/bench_map.py` bulk-loads 100,000.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.province_centres import PROVINCE_CENTRES
from storage.units import UnitDirectory, UnitInfo

TITLES = {
    "economy": [
        "Tổ công nghệ số cộng đồng hướng dẫn người dân dùng dịch vụ công trực tuyến",
        "Chợ 4.0: thanh toán không dùng tiền mặt", "Hợp tác xã lúa hữu cơ liên kết tiêu thụ",
        "Phân loại rác thải tại nguồn", "Hiến đất mở rộng đường giao thông nông thôn",
        "Thắp sáng đường quê bằng đèn năng lượng mặt trời", "Nhà sạch, vườn đẹp, ngõ xanh",
        "Tuyến đường hoa tự quản", "Vườn mẫu kết hợp du lịch sinh thái cộng đồng",
    ],
    "culture_society": [
        "Tủ sách cộng đồng ở nhà văn hoá", "Bữa cơm nghĩa tình cho bệnh nhân nghèo",
        "Câu lạc bộ hát Then, đàn Tính", "Quỹ khuyến học dòng họ", "Mái ấm tình thương",
        "Lớp học tình thương cho trẻ em khó khăn", "Nồi cháo yêu thương",
        "Câu lạc bộ dưỡng sinh người cao tuổi", "Dòng họ không có người vi phạm pháp luật",
    ],
    "defence_security": [
        "Tiếng kẻng an ninh", "Camera an ninh kết nối cộng đồng",
        "Tổ tự quản đường biên, cột mốc", "Nhóm Zalo “Khu phố bình yên”",
        "Tổ liên gia an toàn phòng cháy, chữa cháy", "Mỗi ngư dân là một cột mốc sống trên biển",
        "Đội xung kích phòng chống thiên tai", "Giúp người nước ngoài hoà nhập cộng đồng",
    ],
    "party_building": [
        "Chi bộ sinh hoạt chuyên đề lấy ý kiến nhân dân", "Đảng viên phụ trách hộ gia đình",
        "Bí thư đối thoại trực tiếp với nhân dân", "“Dân hỏi – cán bộ trả lời” hằng tháng",
        "Tổ dân vận tiếp nhận ý kiến cử tri", "Ngày thứ Bảy cùng dân",
        "Tiếp nhận phản ánh, kiến nghị qua Zalo",
    ],
}
COLLECTIVES = [
    ("village", "Thôn {v}"), ("residential_group", "Tổ dân phố số {n}"),
    ("association_branch", "Chi hội Phụ nữ thôn {v}"), ("youth_union_branch", "Chi đoàn thôn {v}"),
    ("community_club", "Câu lạc bộ văn nghệ {v}"), ("digital_tech_team", "Tổ công nghệ số {v}"),
    ("self_managed_group", "Tổ liên gia tự quản số {n}"), ("production_team", "Tổ sản xuất {v}"),
]
INDIVIDUALS = ["cadre", "party_member", "citizen", "union_member", "civil_servant"]
VILLAGE_WORDS = ["Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "An", "Phú", "Lộc",
                 "Hoà", "Bình", "Tân", "Thịnh", "Mỹ", "Hưng", "Yên", "Phong", "Thuận", "Hải"]
RESULTS = [
    "Hơn {p} lượt người dân tham gia; được Đảng uỷ xã biểu dương.",
    "Mô hình được nhân rộng ra {k} thôn lân cận.",
    "Người dân đồng thuận cao, không còn khiếu nại kéo dài.",
    "Tiết kiệm cho ngân sách khoảng {m} triệu đồng mỗi năm.",
]


@dataclass(frozen=True)
class DemoPractice:
    """The columns of one demo practice, ready for `storage.models.Practice`."""

    values: dict[str, Any]
    status: str
    recognition_levels: tuple[str, ...]
    voters: int


def commune_spot(commune: UnitInfo) -> tuple[float, float]:
    """A stable point for a commune inside its province (no commune coordinates exist)."""
    centre = PROVINCE_CENTRES[commune.province_code]
    digest = hashlib.sha256(commune.code.encode()).digest()
    dx, dy = (digest[0] / 255 - 0.5) * 1.6, (digest[1] / 255 - 0.5) * 1.6
    return centre.latitude + dy * centre.spread, centre.longitude + dx * centre.spread


def demo_practices(units: UnitDirectory, count: int, *, seed: int,
                   now: datetime) -> list[DemoPractice]:
    rng = random.Random(seed)
    communes = [u for u in units.all_communes() if u.province_code in PROVINCE_CENTRES]
    return [_one(rng, rng.choice(communes), now) for _ in range(count)]


def _one(rng: random.Random, commune: UnitInfo, now: datetime) -> DemoPractice:
    field = rng.choice(list(TITLES))
    title = rng.choice(TITLES[field])
    village = f"Thôn {rng.choice(VILLAGE_WORDS)} {rng.choice(VILLAGE_WORDS)}"
    households = rng.randint(40, 600)
    if rng.random() < 0.85:
        kind = "collective"
        submitter_type, pattern = rng.choice(COLLECTIVES)
        name = pattern.format(v=village.removeprefix("Thôn "), n=rng.randint(1, 30))
    else:
        kind, submitter_type, name = "individual", rng.choice(INDIVIDUALS), "Nguyễn Văn A"
    lat, lon = commune_spot(commune)
    located = rng.random() < 0.85
    created = now - timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 1440))
    people = rng.randint(30, 2500)
    values: dict[str, Any] = {
        "submitter_kind": kind, "submitter_type": submitter_type, "submitter_name": name,
        "field": field, "title": title,
        "description": f"{title} do {name if kind == 'collective' else 'người dân'} khởi xướng "
                       f"tại {village[0].lower()}{village[1:]}, vận động {households} hộ cùng "
                       "bàn, cùng làm "
                       "và cùng giám sát kết quả.",
        "clear_who": f"{name if kind == 'collective' else 'Đảng viên, người dân'} và "
                     f"{households} hộ dân",
        "clear_what": title,
        "clear_when": f"Từ tháng {rng.randint(1, 12)}/{created.year - rng.randint(0, 2)}, "
                      "duy trì hằng tuần",
        "clear_responsibility": "Trưởng thôn phân công; các chi hội phụ trách từng cụm dân cư",
        "clear_product": rng.choice(["Đường làng sáng, xanh, sạch", "Không còn vụ trộm cắp",
                                     "100% hộ dùng dịch vụ công trực tuyến",
                                     "Quỹ hỗ trợ hộ nghèo được duy trì"]),
        "clear_authority": "Đảng uỷ, Uỷ ban nhân dân xã kiểm tra, đánh giá hằng quý",
        "people_mobilised": people,
        "contribution_workdays": rng.randint(0, 3000),
        "results": rng.choice(RESULTS).format(p=people, k=rng.randint(2, 9),
                                              m=rng.randint(20, 900)),
        "commune_code": commune.code, "province_code": commune.province_code,
        "village": village,
        "latitude": round(lat + rng.uniform(-0.04, 0.04), 6) if located else None,
        "longitude": round(lon + rng.uniform(-0.04, 0.04), 6) if located else None,
        "created_at": created, "updated_at": created,
    }
    roll = rng.random()
    status = "submitted" if roll < 0.08 else "approved" if roll < 0.7 else "recognised"
    levels: tuple[str, ...] = ()
    if status == "recognised":
        levels = ("commune",)
        if rng.random() < 0.35:
            levels += ("province",)
            if rng.random() < 0.25:
                levels += ("central",)
    return DemoPractice(values, status, levels, rng.randint(0, 25) if levels else 0)
