"""The help is where people learn the commands: every command it names must answer, in both
languages, and the features people most often ask about must be named in it."""

from __future__ import annotations

import re

import pytest

from handlers.i18n import catalogue
from handlers.registry import build_features
from handlers.router import CORE_ALIASES

CORE = {"start", "help", "cancel", "back", "language", *CORE_ALIASES}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_command_the_help_names_exists(language: str) -> None:
    known = set(build_features().commands) | CORE
    named = set(re.findall(r"/([a-z]+)", catalogue(language)["help.text"]))
    assert named, "the help names no command"
    assert named - known == set()


@pytest.mark.parametrize(("language", "follow", "guide"),
                         [("vi", "/theodoi", "/huongdan"), ("en", "/follow", "/guide")])
def test_the_help_names_following_and_the_guide(language: str, follow: str, guide: str) -> None:
    text = catalogue(language)["help.text"]
    assert follow in text and guide in text
