"""The evaluation calendar: default deadlines of 2026–2030, and the local-time arithmetic of
reminders (when they fire, when they stop being useful, quiet hours).

Cycles from the seed (sections V.1 and VI): the grassroots level (cơ sở) evaluates and honours
every year, the province twice in the period, the centre once, with the national honouring on
15/10/2030 (100 years of the Party's mass mobilisation work); honouring is usually on 15/10 (Ngày
truyền thống công tác dân vận); reports every 6 months and every year. The seed fixes 15/10; the
other dates below (evaluation by 30/09, or earlier when a level must nominate to the next;
6-month reports by 15/06, annual reports by 15/12; the province's cycles in 2028 and 2030) are our
defaults, which admins and officials change in the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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


def local_instant(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 local time on `day`, as an aware UTC instant."""
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def reminder_at(due: date, offset_days: int, hour: int, tz: ZoneInfo) -> datetime:
    """When the reminder `offset_days` before a deadline fires."""
    return local_instant(due - timedelta(days=offset_days), hour, tz)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant after `day` in local time: a deadline on `day` has passed by then."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def days_left(due: date, instant: datetime, tz: ZoneInfo) -> int:
    return (due - instant.astimezone(tz).date()).days


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which the bot says nothing on its own; what falls inside waits for `end`."""

    tz: ZoneInfo
    start: time | None = None
    end: time | None = None

    def holds(self, instant: datetime) -> bool:
        if self.start is None or self.end is None:
            return False
        clock = instant.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def release(self, instant: datetime) -> datetime:
        """`instant` itself outside quiet hours, else the end of the quiet hours it falls in."""
        if not self.holds(instant):
            return instant
        assert self.end is not None
        local = instant.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.tz)
        return end.astimezone(UTC)
