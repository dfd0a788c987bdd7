"""The README is what a newcomer reads first; the detail lives in docs/. These checks keep the
two commands first (.ci/run and reviewers run them as written), every section other issues
require reachable from the README by its name, and every link between the pages alive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
REQUIRED_SECTIONS = ["Security", "Production", "Personal data", "Layout",
                     "How a message travels", "Adding a channel", "Administrative units"]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def headings(page: Path) -> dict[str, str]:
    """{anchor: heading} of a Markdown page (headings inside code blocks left out)."""
    found: dict[str, str] = {}
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (match := re.match(r"#{1,6} (.+)", line)):
            found[anchor(match.group(1))] = match.group(1)
    return found


def test_the_two_commands_come_first() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```")[1]
    assert text.index("```") < text.index("\n## "), "the commands come before any section"
    assert "make run" in first_block and "make test" in first_block
    assert first_block.index("make run") < first_block.index("make test")


@pytest.mark.parametrize("section", REQUIRED_SECTIONS)
def test_each_required_section_is_linked_from_the_readme_by_its_name(section: str) -> None:
    links = {text: target for text, target in LINK.findall(README.read_text(encoding="utf-8"))}
    assert section in links, f"the README links no {section!r}"
    path, _, fragment = links[section].partition("#")
    page = README.parent / path
    assert page.exists(), links[section]
    assert section in headings(page).values(), f"{path} has no heading {section!r}"
    if fragment:
        assert headings(page).get(fragment) == section, links[section]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_heading(page: Path) -> None:
    for text, target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("/"):
            continue  # an address on the web, or a path on the running web server
        path, _, fragment = target.partition("#")
        linked = (page.parent / path) if path else page
        assert linked.exists(), f"{page.name}: [{text}]({target}) leads nowhere"
        if fragment:
            assert fragment in headings(linked), f"{page.name}: [{text}]({target}): no heading"
