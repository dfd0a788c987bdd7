"""Following a commune or a province: /theodoi (/follow) <name>, /boqua (/unfollow), and
/dangtheodoi (/following) to see the list.

A name is searched as the flows search units (`UnitDirectory.search_matches`, names before the
2025 merger included), among communes and provinces alike; several matches are offered as
buttons (typed numbers on channels without buttons). Those who follow a unit get its weekly
digest (scheduler/digest.py) and its officials' announcements.
"""

from __future__ import annotations

from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.replies import Option, Reply, TextReply
from storage.repositories import follows as follows_repo
from storage.units import UnitInfo

MAX_FOLLOWS = 20
"""Enough for home, work and family's places; more would make the digest a newspaper."""
SHOWN_MATCHES = 8


def _label(ctx: Context, unit: UnitInfo, formerly: str | None = None) -> str:
    return ctx.t("unit.formerly", label=unit.label, former=formerly) if formerly else unit.label


async def follow_command(ctx: Context, args: str) -> list[Reply]:
    query = args.strip()
    if not query:
        return [TextReply(ctx.t("follow.usage"))]
    if (len(query) < 2 and not query.isdigit()) or len(query) > 120:
        return [TextReply("⚠️ " + ctx.t("error.unit_query") + "\n" + ctx.t("follow.usage"))]
    found = ctx.units.search_matches(query, kind=None, limit=SHOWN_MATCHES)
    if not found:
        return [TextReply("⚠️ " + ctx.t("error.unit_not_found", query=query[:60]) + "\n"
                          + ctx.t("follow.usage"))]
    if len(found) == 1:
        return await _follow(ctx, found[0].unit)
    options = [Option(_label(ctx, m.unit, m.formerly.label if m.formerly else None),
                      f"follow:{m.unit.code}") for m in found]
    return [TextReply(ctx.t("follow.pick", count=len(options)), tuple(options),
                      token=ctx.offer_actions(options))]


async def follow_action(ctx: Context, args: list[str]) -> list[Reply]:
    """``follow:<unit code>``: any real unit may be followed; anything else is refused."""
    unit = ctx.units.get(args[0]) if args and len(args[0]) <= 16 else None
    if unit is None:
        return [TextReply("⚠️ " + ctx.t("error.stale_button"))]
    return await _follow(ctx, unit)


async def _follow(ctx: Context, unit: UnitInfo) -> list[Reply]:
    assert ctx.person.id is not None
    mine = await follows_repo.of_person(ctx.session, person_id=ctx.person.id)
    if any(row.unit_code == unit.code for row in mine):
        return [TextReply(ctx.t("follow.already", label=unit.label))]
    if len(mine) >= MAX_FOLLOWS:
        return [TextReply("⚠️ " + ctx.t("follow.too_many", max=MAX_FOLLOWS))]
    await follows_repo.follow(ctx.session, person_id=ctx.person.id, unit_code=unit.code,
                              province_code=unit.province_code, now=to_db(ctx.now))
    return [TextReply("✅ " + ctx.t("follow.done", label=unit.label))]


async def unfollow_command(ctx: Context, args: str) -> list[Reply]:
    assert ctx.person.id is not None
    mine = await follows_repo.of_person(ctx.session, person_id=ctx.person.id)
    if not mine:
        return [TextReply(ctx.t("follow.none"))]
    units = [u for row in mine if (u := ctx.units.get(row.unit_code)) is not None]
    query = args.strip()
    if query:
        codes = {u.code for u in units}
        found = [m.unit for m in ctx.units.search_matches(query, kind=None, limit=50)
                 if m.unit.code in codes]
        if len(found) == 1:
            return await _unfollow(ctx, found[0].code)
        if found:
            units = found
    options = [Option(f"✖️ {u.label}", f"unfollow:{u.code}") for u in units]
    return [TextReply(ctx.t("unfollow.pick"), tuple(options), token=ctx.offer_actions(options))]


async def unfollow_action(ctx: Context, args: list[str]) -> list[Reply]:
    """``unfollow:<unit code>``: only one's own follows exist to remove."""
    if not args or len(args[0]) > 16:
        return [TextReply("⚠️ " + ctx.t("error.stale_button"))]
    return await _unfollow(ctx, args[0])


async def _unfollow(ctx: Context, code: str) -> list[Reply]:
    assert ctx.person.id is not None
    unit = ctx.units.get(code)
    label = unit.label if unit else code
    if not await follows_repo.unfollow(ctx.session, person_id=ctx.person.id, unit_code=code):
        return [TextReply(ctx.t("unfollow.not_following", label=label))]
    return [TextReply("✅ " + ctx.t("unfollow.done", label=label))]


async def following_command(ctx: Context, args: str) -> list[Reply]:
    assert ctx.person.id is not None
    mine = await follows_repo.of_person(ctx.session, person_id=ctx.person.id)
    if not mine:
        return [TextReply(ctx.t("follow.none"))]
    lines = [ctx.t("follow.list", count=len(mine))]
    for row in mine:
        unit = ctx.units.get(row.unit_code)
        lines.append(f"• {unit.label if unit else row.unit_code}")
    lines.append(ctx.t("follow.list_hint"))
    return [TextReply("\n".join(lines))]


COMMANDS = [
    Command("follow", aliases=("theodoi",), run=follow_command),
    Command("unfollow", aliases=("boqua",), run=unfollow_command),
    Command("following", aliases=("dangtheodoi",), run=following_command),
]

ACTIONS = [
    Action("follow", follow_action),
    Action("unfollow", unfollow_action),
]
