"""Every feature the bot offers: flows, commands, action buttons, deep links.

Adding a feature means adding its module to `FEATURE_MODULES`; each module may declare
``build_flow()`` (or ``build_flows()`` for several), ``COMMANDS``, ``ACTIONS`` and
``DEEP_LINKS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from handlers import (
    consensus,
    consent,
    consultation_vote,
    deadlines,
    feedback,
    follows,
    followup,
    guide,
    linking,
    merge,
    my_data,
    my_practices,
    practice_fix,
    practice_revise,
    practice_updates,
    replication,
    reports,
    submit_practice,
    tracking,
)
from handlers.commands import Features
from handlers.flow import Flow
from handlers.officials import (
    adoptions,
    announce,
    assessment,
    audit,
    changes,
    console_signin,
    consultation_open,
    feedback_actions,
    feedback_link,
    inbox,
    invites,
    levels,
    mute,
    review,
    stats,
)

FEATURE_MODULES: tuple[ModuleType, ...] = (
    submit_practice, feedback, my_practices, tracking, followup, practice_fix, practice_revise,
    practice_updates, replication,
    consensus, consultation_vote,
    inbox, feedback_actions, feedback_link, merge, mute, review, changes, levels,
    consultation_open, assessment, stats, invites, adoptions,
    deadlines, reports, audit, announce, console_signin,
    linking, consent, my_data, follows, guide,
)


def build_features(modules: tuple[ModuleType, ...] = FEATURE_MODULES, *,
                   feedback_categories: Sequence[str] | None = None) -> Features:
    """`feedback_categories` (setting FEEDBACK_CATEGORIES) replaces the default list."""
    features = Features()
    for module in modules:
        if module is feedback and feedback_categories:
            flow = feedback.build_flow(tuple(feedback_categories))
            features.flows[flow.name] = flow
        elif hasattr(module, "build_flow"):
            flow = module.build_flow()
            features.flows[flow.name] = flow
        for flow in getattr(module, "build_flows", lambda: ())():
            features.flows[flow.name] = flow
        for command in getattr(module, "COMMANDS", ()):
            features.add_command(command)
        for action in getattr(module, "ACTIONS", ()):
            features.actions[action.name] = action
        features.deep_links.extend(getattr(module, "DEEP_LINKS", ()))
    return features


def all_flows() -> dict[str, Flow]:
    return build_features().flows
