"""`dvk criteria import` and `list`: a commune adds its own criteria without code, each import a
new version; a bad file is refused in one line and nothing is stored. A bad built-in criteria
file (CRITERIA_DIR) stops start-up with one line."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from sqlmodel import select

from bot.cli import build_parser
from handlers.criteria import BUILTIN_DIR
from storage.models import CriteriaSet, PracticeAssessment
from tests.support.chat_driver import walk
from tests.support.officials import THANH_XUAN
from tests.support.practice_walk import COMPLETE_PRACTICE, SELF_ASSESSMENT
from tests.test_settings import clean_environment

DVK = Path(sys.executable).with_name("dvk")
OWN_CRITERIA = """\
version: "2026.2"
level: commune
name: {vi: Tiêu chí riêng của phường Thanh Xuân, en: Thanh Xuan ward's own criteria}
criteria:
  - code: digital
    kind: yes_no
    text: {vi: Có ứng dụng chuyển đổi số, en: Uses digital tools}
    practice_fields: [description]
  - code: residents_voice
    kind: text
    required: false
    text: {vi: "Người dân nói gì về mô hình?", en: "What do residents say about it?"}
"""


def run(settings, *argv: str) -> int:  # noqa: ANN001
    args = build_parser().parse_args(list(argv))
    return int(args.run(settings, args))


async def dvk(settings, capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    status = await asyncio.to_thread(run, settings, *argv)
    printed = capsys.readouterr()
    return status, printed.out, printed.err


async def stored_sets(db) -> list[CriteriaSet]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(CriteriaSet))).all())


async def test_a_commune_imports_its_own_criteria_and_its_leaders_answer_them(
        settings, db, make_chat, tmp_path, capsys):  # noqa: ANN001
    own = tmp_path / "thanh-xuan.yaml"
    own.write_text(OWN_CRITERIA, encoding="utf-8")
    status, out, err = await dvk(settings, capsys, "criteria", "import", str(own),
                                 "--unit", THANH_XUAN)
    assert (status, err) == (0, "")
    assert out == ("Criteria of Phường Thanh Xuân, Thành phố Hà Nội (commune level): version 1 "
                   "(file 2026.2), 2 criteria: digital, residents_voice.\n")
    status, out, _ = await dvk(settings, capsys, "criteria", "list", "--unit", THANH_XUAN)
    assert status == 0
    assert "version common@2026.1+commune@2026.1+00367#1:" in out
    assert "  digital\tyes_no\trequired\tCó ứng dụng chuyển đổi số" in out
    assert "  months_running\tnumber (tháng)\toptional\t" in out
    assert "Imported version 1 (file 2026.2) from thanh-xuan.yaml" in out

    chat = make_chat()  # a leader of Thanh Xuân is asked the commune's own criteria too
    await chat.command("mohinh")
    await walk(chat, COMPLETE_PRACTICE[:len(COMPLETE_PRACTICE) - len(SELF_ASSESSMENT)])
    assert "theo 7 tiêu chí" in chat.last.text, chat.last.text
    await walk(chat, SELF_ASSESSMENT)
    assert "📋 Tự đánh giá 6/7" in chat.last.text and "Có ứng dụng chuyển đổi số" in \
        chat.last.text
    await chat.press("Có")
    assert "📋 Tự đánh giá 7/7" in chat.last.text
    await chat.text("Bà con rất đồng tình, tự nguyện góp tiền mua kẻng.")
    assert "Người dân nói gì về mô hình?: Bà con rất đồng tình" in chat.last.text
    await chat.press("Gửi")
    async with db.session() as session:
        own_assessment = (await session.exec(select(PracticeAssessment))).one()
    assert own_assessment.criteria_version == "common@2026.1+commune@2026.1+00367#1"
    assert own_assessment.scores["digital"] is True
    assert own_assessment.scores["residents_voice"].startswith("Bà con rất đồng tình")

    status, out, _ = await dvk(settings, capsys, "criteria", "import", str(own),
                               "--unit", THANH_XUAN)
    assert status == 0 and "version 2 (file 2026.2)" in out
    assert [row.version for row in await stored_sets(db)] == [1, 2]


async def test_a_bad_criteria_file_is_refused_in_one_line_and_nothing_is_stored(
        settings, db, tmp_path, capsys):  # noqa: ANN001
    cases = {
        "kind.yaml": (OWN_CRITERIA.replace("kind: text", "kind: essay"),
                      "criteria.1.kind: Input should be 'yes_no', 'scale', 'number' or 'text'"),
        "clash.yaml": (OWN_CRITERIA.replace("code: digital", "code: six_clear"),
                       "criteria: code already used by the built-in criteria: six_clear"),
        "level.yaml": (OWN_CRITERIA.replace("level: commune", "level: province"),
                       "level: must be commune for Phường Thanh Xuân, Thành phố Hà Nội, "
                       "not province"),
        "field.yaml": (OWN_CRITERIA.replace("[description]", "[budget]"),
                       "criteria.0: criterion digital: no practice field named budget"),
        "broken.yaml": ("version: [2026\n", "not valid YAML at line 2"),
    }
    for name, (content, fault) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        status, out, err = await dvk(settings, capsys, "criteria", "import", str(path),
                                     "--unit", THANH_XUAN)
        assert (status, out) == (2, ""), name
        assert err == f"dvk criteria: {path}: {fault}\n", err
    status, _, err = await dvk(settings, capsys, "criteria", "import", str(path),
                               "--unit", "99999")
    assert status == 2 and "--unit must be a commune or province code" in err
    assert await stored_sets(db) == []


async def test_a_bad_criteria_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "criteria"
    shutil.copytree(BUILTIN_DIR, folder)
    common = folder / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8").replace("kind: yes_no", "kind: maybe"),
                      encoding="utf-8")
    (tmp_path / ".env").write_text(f"CRITERIA_DIR={folder}\n", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(DVK), "serve", cwd=tmp_path, env=clean_environment(),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert err.decode() == (f"Invalid criteria file {common}: criteria.2.kind: Input should be "
                            "'yes_no', 'scale', 'number' or 'text'\n")
    assert not (tmp_path / "data").exists()  # stopped before opening any database
