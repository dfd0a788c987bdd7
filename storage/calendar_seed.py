"""The evaluation calendar seeded into a new database: the default deadlines of 2026–2030.

Cycles from the seed (sections V.1 and VI): the grassroots level (cơ sở) evaluates and honours
every year, the province twice in the period, the centre once, with the national honouring on
15/10/2030 (100 years of the Party's mass mobilisation work); honouring is usually on 15/10 (Ngày
truyền thống công tác dân vận); reports every 6 months and every year. The seed fixes 15/10; the
other dates below (evaluation by 30/09, or earlier when a level must nominate to the next;
6-month reports by 15/06, annual reports by 15/12; the province's cycles in 2028 and 2030) are our
defaults, which admins and officials change in the database, not here. Seed data for a table,
like the administrative units, so it lives in storage/ where migrations can read it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from storage.models import DeadlineKind, Level

FIRST_YEAR, LAST_YEAR = 2026, 2030
HONOURING_DAY = (10, 15)  # 15/10, Ngày truyền thống công tác dân vận của Đảng
PROVINCE_YEARS = (2028, 2030)  # "định kỳ 05 năm/02 lần"
CENTRAL_YEAR = 2030  # "định kỳ 05 năm/01 lần", 100th anniversary on 15/10/2030

_LEVEL_NAMES = {Level.COMMUNE: "cấp cơ sở", Level.PROVINCE: "cấp tỉnh",
                Level.CENTRAL: "cấp Trung ương"}


def default_deadlines(first_year: int = FIRST_YEAR,
                      last_year: int = LAST_YEAR) -> list[dict[str, Any]]:
    """The calendar seeded into a new database: one dict per `Deadline` row (scope: all units)."""
    rows: list[dict[str, Any]] = []

    def add(level: Level, kind: DeadlineKind, title: str, due: date) -> None:
        rows.append({"level": str(level), "scope_code": None, "kind": str(kind),
                     "title": title, "due_date": due})

    for year in range(first_year, last_year + 1):
        for level in (Level.COMMUNE, Level.PROVINCE, Level.CENTRAL):
            name = _LEVEL_NAMES[level]
            add(level, DeadlineKind.REPORT_6M,
                f"Báo cáo 6 tháng đầu năm {year} phong trào \"Dân vận khéo\" ({name})",
                date(year, 6, 15))
            add(level, DeadlineKind.REPORT_ANNUAL,
                f"Báo cáo năm {year} phong trào \"Dân vận khéo\" ({name})", date(year, 12, 15))
        add(Level.COMMUNE, DeadlineKind.EVALUATION,
            f"Đánh giá, công nhận điển hình \"Dân vận khéo\" cấp cơ sở năm {year}",
            date(year, 9, 30))
        add(Level.COMMUNE, DeadlineKind.HONOURING,
            f"Biểu dương, tôn vinh điển hình \"Dân vận khéo\" cấp cơ sở năm {year}",
            date(year, *HONOURING_DAY))
    for year in PROVINCE_YEARS:
        if not first_year <= year <= last_year:
            continue
        # In the last year the province also picks its nominees for the national honouring.
        evaluation = date(year, 7, 31) if year == CENTRAL_YEAR else date(year, 9, 30)
        add(Level.PROVINCE, DeadlineKind.EVALUATION,
            f"Đánh giá, công nhận điển hình \"Dân vận khéo\" cấp tỉnh năm {year}", evaluation)
        add(Level.PROVINCE, DeadlineKind.HONOURING,
            f"Biểu dương, tôn vinh điển hình \"Dân vận khéo\" cấp tỉnh năm {year}",
            date(year, *HONOURING_DAY))
    if first_year <= CENTRAL_YEAR <= last_year:
        add(Level.CENTRAL, DeadlineKind.EVALUATION,
            "Đánh giá, công nhận điển hình \"Dân vận khéo\" cấp Trung ương giai đoạn 2026 - 2030",
            date(CENTRAL_YEAR, 8, 31))
        add(Level.CENTRAL, DeadlineKind.HONOURING,
            "Tuyên dương điển hình \"Dân vận khéo\" tiêu biểu toàn quốc, kỷ niệm 100 năm Ngày "
            "truyền thống công tác dân vận của Đảng (15/10/1930 - 15/10/2030)",
            date(CENTRAL_YEAR, *HONOURING_DAY))
    return sorted(rows, key=lambda r: (r["due_date"], r["level"], r["kind"]))
