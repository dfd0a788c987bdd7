"""Every flow the bot offers, by name. Adapters and the router look flows up here."""

from __future__ import annotations

from handlers import submit_practice
from handlers.flow import Flow


def all_flows() -> dict[str, Flow]:
    flows: list[Flow] = [submit_practice.build_flow()]
    return {flow.name: flow for flow in flows}
