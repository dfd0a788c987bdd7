"""/stats (/thongke): the figures of an official's jurisdiction, in one message."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import Command
from handlers.context import Context
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import OFFICIAL_COMMAND_ROLES, official_scope, refuse
from handlers.replies import Reply, TextReply
from storage.repositories import follows as follows_repo
from storage.repositories import stats as stats_repo

TOP_COMMUNES = 10


async def show_stats(ctx: Context, args: str) -> list[Reply]:
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="stats", reason="not_official").replies
    figures = await stats_repo.for_scope(ctx.session, scope=scope)
    t = ctx.t
    lines = [t("stats.title", scope=scope_label(ctx, scope)), "",
             t("stats.feedback", count=figures.feedback_total)]
    if figures.feedback_total:
        lines += [
            _row(ctx, "stats.by_status", figures.feedback_by_status, "status.feedback"),
            _row(ctx, "stats.by_category", figures.feedback_by_category, "option.category"),
            _row(ctx, "stats.by_commune", figures.feedback_by_commune, None),
            t("stats.first_answer", duration=_duration(ctx, figures.median_first_answer)),
            t("stats.resolution", duration=_duration(ctx, figures.median_resolution)),
            t("stats.satisfaction", mean=f"{figures.mean_satisfaction:.1f}",
              count=figures.ratings) if figures.ratings else t("stats.no_ratings"),
        ]
    lines += ["", t("stats.practices", count=figures.practice_total)]
    if figures.practice_total:
        lines += [
            _row(ctx, "stats.by_status", figures.practice_by_status, "status.practice"),
            _row(ctx, "stats.by_field", figures.practice_by_field, "option.field"),
            _row(ctx, "stats.by_commune", figures.practice_by_commune, None),
        ]
    followers, per_unit = await follows_repo.count_in_scope(ctx.session, scope=scope)
    lines += ["", t("stats.followers", count=followers)]
    if per_unit:
        lines.append(_row(ctx, "stats.by_unit", per_unit, None))
    return [TextReply("\n".join(lines))]


def _row(ctx: Context, key: str, counts: dict[str, int], label_prefix: str | None) -> str:
    parts = []
    for value, count in list(counts.items())[:TOP_COMMUNES]:
        if label_prefix is None:
            unit = ctx.units.get(value)
            label = unit.name if unit else value
        else:
            label = ctx.t(f"{label_prefix}.{value}")
        parts.append(f"{label} {count}")
    return ctx.t(key, counts=" · ".join(parts))


def _duration(ctx: Context, value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return ctx.t("duration.days_hours", days=days, hours=hours)
    if hours:
        return ctx.t("duration.hours_minutes", hours=hours, minutes=minutes)
    return ctx.t("duration.minutes", minutes=minutes)


COMMANDS = [Command("stats", aliases=("thongke",), run=show_stats, menu=True,
                    roles=OFFICIAL_COMMAND_ROLES)]
