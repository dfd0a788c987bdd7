"""Every feature the bot offers: flows, commands, action buttons, deep links.

Adding a feature means adding its module to `FEATURE_MODULES`; each module may declare
``build_flow()``, ``COMMANDS``, ``ACTIONS`` and ``DEEP_LINKS``.
"""

from __future__ import annotations

from types import ModuleType

from handlers import my_practices, submit_practice
from handlers.commands import Features
from handlers.flow import Flow

FEATURE_MODULES: tuple[ModuleType, ...] = (submit_practice, my_practices)


def build_features(modules: tuple[ModuleType, ...] = FEATURE_MODULES) -> Features:
    features = Features()
    for module in modules:
        if hasattr(module, "build_flow"):
            flow = module.build_flow()
            features.flows[flow.name] = flow
        for command in getattr(module, "COMMANDS", ()):
            features.add_command(command)
        for action in getattr(module, "ACTIONS", ()):
            features.actions[action.name] = action
        features.deep_links.extend(getattr(module, "DEEP_LINKS", ()))
    return features


def all_flows() -> dict[str, Flow]:
    return build_features().flows
