"""/guide (/huongdan, the menu's "❓ Hướng dẫn"): the movement's guidance in short pages.

What a practice is, its four fields, the "6 rõ", the criteria, the calendar, how to submit, and
the questions people ask, from the 2026–2030 guidance (section V). Each page fits one phone
screen; buttons move between pages, and every page also names the typed command for the next
one (`/huongdan 3`), for channels without buttons. The calendar page reads the deadlines
calendar, so it says what the database says, not what the code assumed.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import Action, Command
from handlers.context import Context
from handlers.replies import Option, Reply, TextReply
from storage.models import Deadline, DeadlineKind, Level
from storage.repositories import deadlines as deadlines_repo

PAGES = ("about", "fields", "six_clear", "criteria", "calendar", "submit", "faq")
MAX_PAGE_CHARS = 1000
"""A page with its heading and footer stays under this: one screen on a phone, and well under
every channel's limit for one message (2,000 on Zalo)."""
CALENDAR_ROWS = 6
CALENDAR_DAYS = 5 * 366
_CALENDAR_KINDS = (DeadlineKind.EVALUATION, DeadlineKind.HONOURING)


async def show(ctx: Context, args: str) -> list[Reply]:
    """``/huongdan`` opens the first page, ``/huongdan 3`` the third."""
    wanted = args.strip()
    if not wanted:
        return await page(ctx, 1)
    if wanted.isdigit() and 1 <= int(wanted) <= len(PAGES):
        return await page(ctx, int(wanted))
    lead = "⚠️ " + ctx.t("guide.no_such_page", text=wanted[:20], count=len(PAGES))
    return await page(ctx, 1, lead=lead)


async def turn(ctx: Context, args: list[str]) -> list[Reply]:
    """``guide:<n>``: a button to another page (anyone may read any page)."""
    number = int(args[0]) if args and args[0].isdigit() and len(args[0]) <= 2 else 1
    return await page(ctx, number if 1 <= number <= len(PAGES) else 1)


async def page(ctx: Context, number: int, *, lead: str | None = None) -> list[Reply]:
    name = PAGES[number - 1]
    body = await _calendar(ctx) if name == "calendar" else ctx.t(f"guide.{name}.body")
    parts = [ctx.t("guide.heading", number=number, count=len(PAGES),
                   title=ctx.t(f"guide.{name}.title")), body]
    if number < len(PAGES):
        parts.append(ctx.t("guide.next_hint", next=number + 1,
                           title=ctx.t(f"guide.{PAGES[number]}.title")))
    else:
        parts.append(ctx.t("guide.last_hint"))
    if lead:
        parts.insert(0, lead)
    options = []
    if number > 1:
        options.append(Option(ctx.t("guide.previous"), f"guide:{number - 1}"))
    if number < len(PAGES):
        options.append(Option(ctx.t("guide.next"), f"guide:{number + 1}"))
    if number > 2:  # on page 2 "previous" is the contents already: one button per page
        options.append(Option(ctx.t("guide.contents"), "guide:1"))
    return [TextReply("\n\n".join(parts), tuple(options), token=ctx.offer_actions(options))]


async def _calendar(ctx: Context) -> str:
    """The coming evaluation and honouring dates of every level, from the calendar rows."""
    today = ctx.local(ctx.now).date()
    found = await deadlines_repo.upcoming(
        ctx.session, scopes=[(str(level), None) for level in Level], since=today,
        until=today + timedelta(days=CALENDAR_DAYS), limit=200)
    first: dict[tuple[str, str], Deadline] = {}
    for deadline in found:  # the next date of each level's evaluation and honouring
        if deadline.kind in _CALENDAR_KINDS:
            first.setdefault((deadline.level, deadline.kind), deadline)
    rows = sorted(first.values(), key=lambda d: (d.due_date, d.id or 0))[:CALENDAR_ROWS]
    lines = [ctx.t("guide.calendar.body")]
    if rows:
        lines.append("")
        lines += [ctx.t("guide.calendar.row", date=d.due_date.strftime("%d/%m/%Y"),
                        kind=ctx.t(f"deadline.kind.{d.kind}"),
                        level=ctx.t(f"deadline.level.{d.level}")) for d in rows]
    else:
        lines.append(ctx.t("guide.calendar.none"))
    return "\n".join(lines)


COMMANDS = [Command("guide", aliases=("huongdan",), run=show, menu=True)]
ACTIONS = [Action("guide", turn)]
