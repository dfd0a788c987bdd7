"""Commands, action buttons and deep links that features add, declared as data.

A feature module declares what it offers (``COMMANDS``, ``ACTIONS``, ``DEEP_LINKS``) and
`handlers/registry.py` collects them; the router never needs editing to add a command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from handlers.replies import Reply

if TYPE_CHECKING:
    from handlers.context import Context
    from handlers.flow import Flow

Run = Callable[["Context", str], Awaitable[list[Reply]]]
ActionRun = Callable[["Context", list[str]], Awaitable[list[Reply]]]
DeepLink = Callable[["Context", str], Awaitable[list[Reply] | None]]


@dataclass(frozen=True)
class Command:
    """A slash command. Either starts a flow or runs and answers.

    When a flow is in progress, a command that runs shows its answer and then the flow's
    question again; a command that starts another flow is refused until the first is done.
    """

    name: str
    aliases: tuple[str, ...] = ()
    flow: str | None = None
    run: Run | None = None
    menu: bool = False
    roles: tuple[str, ...] = ()
    """Who may use it (and sees it in the menu); empty means everyone."""


@dataclass(frozen=True)
class Action:
    """A button on an item (a feedback in an inbox, a practice under review).

    Its payload is ``name:arg:arg``; the handler must check, on the server, that the person
    pressing it may do this to that item: payloads can be forged.
    """

    name: str
    run: ActionRun


@dataclass
class Features:
    flows: dict[str, Flow] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    deep_links: list[DeepLink] = field(default_factory=list)
    menu: list[Command] = field(default_factory=list)

    def menu_of(self, role: str) -> tuple[str, ...]:
        """The menu commands someone of `role` may use, in the order they were declared."""
        return tuple(c.name for c in self.menu if not c.roles or role in c.roles)

    def add_command(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self.commands:
                raise ValueError(f"command /{name} declared twice")
            self.commands[name] = command
        if command.menu:
            self.menu.append(command)
