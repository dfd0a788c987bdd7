"""Bad input at every new step (officials' forms, the sender's forms, the consensus question):
a friendly warning, the same question again, nothing lost; then the form still completes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlmodel import select

from handlers.replies import TextReply
from storage.models import Conversation, Person
from tests.handlers.test_feedback import send_feedback
from tests.support.engine_chat import EngineChat
from tests.support.factories import make_invite, store_practice
from tests.support.officials import HOAN_KIEM, feedback_walk


@dataclass
class World:
    citizen: EngineChat
    official: EngineChat
    leader: EngineChat
    practice_id: int


Chat = Callable[[World], Awaitable[EngineChat]]


async def _resolved(w: World) -> None:
    await w.official.press_raw("a", "fb_resolve:1")
    await w.official.text("Đã sửa xong.")
    await w.official.press("Không có ảnh (nêu lý do)")
    await w.official.text("Xử lý qua điện thoại.")
    await w.official.press("Gửi")


def official_at(payload: str, *answers: tuple[str, str]) -> Chat:
    """The official pressed `payload`, then gave `answers` (("text"|"press"|"photo", value))."""

    async def go(w: World) -> EngineChat:
        await w.official.press_raw("a", payload.format(p=w.practice_id))
        for kind, value in answers:
            await (w.official.photo() if kind == "photo" else getattr(w.official, kind)(value))
        return w.official

    return go


def citizen_at(payload: str, *, resolved: bool = False, answers: tuple = ()) -> Chat:
    async def go(w: World) -> EngineChat:
        if resolved:
            await _resolved(w)
        await w.citizen.press_raw("a", payload)
        for kind, value in answers:
            await getattr(w.citizen, kind)(value)
        return w.citizen

    return go


async def leader_fixing(w: World) -> EngineChat:
    await w.official.press_raw("a", f"pr_changes:{w.practice_id}")
    await w.official.press("Tên mô hình")
    await w.official.press("Xong, viết ghi chú")
    await w.official.text("Đặt tên cụ thể hơn.")
    await w.official.press("Gửi")
    await w.leader.press_raw("a", f"pr_edit:{w.practice_id}")
    return w.leader


async def consensus_question(w: World) -> EngineChat:
    await w.citizen.command("dongthuan")
    return w.citizen


async def residence_question(w: World) -> EngineChat:
    await w.citizen.command("dongthuan")
    await w.citizen.text("hoan kiem")
    return w.citizen


@dataclass(frozen=True)
class Case:
    name: str
    reach: Chat
    question: str
    finish: tuple[tuple[str, str], ...]
    done: str


CASES = [
    Case("reply", official_at("fb_reply:1"), "Nội dung trả lời người phản ánh",
         (("text", "Đã kiểm tra."), ("press", "Gửi")), "Đã gửi câu trả lời"),
    Case("reply summary", official_at("fb_reply:1", ("text", "Đã kiểm tra.")),
         "Kiểm tra lại câu trả lời", (("press", "Gửi"),), "Đã gửi câu trả lời"),
    Case("resolve answer", official_at("fb_resolve:1"), "Đã giải quyết thế nào",
         (("text", "Đã sửa."), ("press", "Có, gửi ảnh"), ("photo", ""), ("press", "Xong"),
          ("press", "Gửi")), "Đã ghi nhận giải quyết"),
    Case("resolve proof kind", official_at("fb_resolve:1", ("text", "Đã sửa.")),
         "Có ảnh minh chứng", (("press", "Có, gửi ảnh"), ("photo", ""), ("press", "Xong"),
                               ("press", "Gửi")), "Đã ghi nhận giải quyết"),
    Case("resolve proof", official_at("fb_resolve:1", ("text", "Đã sửa."),
                                      ("press", "Có, gửi ảnh")),
         "Gửi 1–5 ảnh minh chứng", (("photo", ""), ("press", "Xong"), ("press", "Gửi")),
         "Đã ghi nhận giải quyết"),
    Case("resolve no proof", official_at("fb_resolve:1", ("text", "Đã sửa."),
                                         ("press", "Không có ảnh (nêu lý do)")),
         "Vì sao không có ảnh", (("text", "Không có hiện trường."), ("press", "Gửi")),
         "Đã ghi nhận giải quyết"),
    Case("reject", official_at("fb_reject:1"), "Lý do từ chối",
         (("text", "Không thuộc thẩm quyền."), ("press", "Gửi")), "Đã từ chối"),
    Case("forward target", official_at("fb_fwd:1"), "Chuyển đến đâu",
         (("press", "Một xã, phường, đặc khu khác"), ("text", "thanh xuan"),
          ("press", "Phường Thanh Xuân, Thành phố Hà Nội"), ("press", "Bỏ qua"),
          ("press", "Gửi")), "Đã chuyển phản ánh"),
    Case("forward unit", official_at("fb_fwd:1", ("press", "Một xã, phường, đặc khu khác")),
         "Xã, phường, đặc khu nào", (("text", "ben thanh"),
                                     ("press", "Phường Bến Thành, Thành phố Hồ Chí Minh"),
                                     ("text", "Sai địa bàn."), ("press", "Gửi")),
         "Đã chuyển phản ánh"),
    Case("forward note", official_at("fb_fwd:1", ("press", "Cấp tỉnh, thành phố")),
         "Ghi chú cho đơn vị nhận", (("press", "Bỏ qua"), ("press", "Gửi")),
         "Đã chuyển phản ánh"),
    Case("changes fields", official_at("pr_changes:{p}"), "Chọn các mục cần sửa",
         (("press", "Tên mô hình"), ("press", "Xong, viết ghi chú"), ("text", "Sửa tên."),
          ("press", "Gửi")), "Đã gửi yêu cầu sửa"),
    Case("changes note", official_at("pr_changes:{p}", ("text", "1 3"),
                                     ("press", "Xong, viết ghi chú")),
         "Ghi chú cho người gửi", (("text", "Sửa tên."), ("press", "Gửi")),
         "Đã gửi yêu cầu sửa"),
    Case("changes summary", official_at("pr_changes:{p}", ("press", "Tên mô hình"),
                                        ("press", "Xong, viết ghi chú"), ("text", "Sửa.")),
         "Kiểm tra lại yêu cầu sửa", (("press", "Gửi"),), "Đã gửi yêu cầu sửa"),
    Case("practice reject", official_at("pr_reject:{p}"), "Lý do không duyệt",
         (("text", "Chưa có kết quả cụ thể."), ("press", "Gửi")), "Đã gửi lý do không duyệt"),
    Case("leader fixes", leader_fixing, "Tên mô hình, cách làm?",
         (("text", "Tổ tự quản an ninh đường Láng"), ("press", "Gửi")), "Đã gửi lại mô hình"),
    Case("addition text", citizen_at("fb_add:1"), "Bạn muốn bổ sung điều gì",
         (("text", "Thêm chi tiết."), ("press", "Không có ảnh, tiếp tục"), ("press", "Gửi")),
         "Đã gửi phần bổ sung"),
    Case("addition photos", citizen_at("fb_add:1", answers=(("text", "Thêm."),)),
         "Gửi thêm tối đa 5 ảnh", (("press", "Không có ảnh, tiếp tục"), ("press", "Gửi")),
         "Đã gửi phần bổ sung"),
    Case("rating comment", citizen_at("fb_rate:1:3", resolved=True), "Gõ nhận xét",
         (("press", "Bỏ qua"),), "Cảm ơn bạn đã góp ý"),
    Case("reopen reason", citizen_at("fb_reopen:1", resolved=True), "Vì sao bạn thấy",
         (("text", "Vẫn hỏng."), ("press", "Gửi")), "Đã mở lại phản ánh"),
    Case("consensus commune", consensus_question, "mô hình ở xã, phường",
         (("text", "hoan kiem"), ("press", "Có, tôi sống ở đây")), "chưa có mô hình nào"),
    Case("consensus residence", residence_question, "Bạn có đang sống ở",
         (("press", "Có, tôi sống ở đây"),), "chưa có mô hình nào"),
]

BAD_INPUTS = [
    ("sticker", lambda c: c.unsupported("sticker"), "nhãn dán"),
    ("voice", lambda c: c.unsupported("voice"), "thoại"),
    ("blank", lambda c: c.text("   "), None),
    ("stale button", lambda c: c.press_raw("q1", "infrastructure"), "câu hỏi cũ"),
    ("forged button", lambda c: c.press_raw("zz", "__done__"), "câu hỏi cũ"),
    ("huge text", lambda c: c.text("x" * 4096), None),
]


@pytest.fixture
async def world(make_chat, db, clock) -> World:
    citizen, official = make_chat(2001, "Hoa"), make_chat(3001, "Minh")
    leader = make_chat(1001, "Lan")
    await official.command("start", await make_invite(db, clock, unit=HOAN_KIEM))
    await send_feedback(citizen, feedback_walk(photos=0))
    await leader.command("start")
    async with db.session() as session:
        leader_id = (await session.exec(select(Person).where(Person.display_name == "Lan"))
                     ).one().id
    practice_id = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=leader_id)
    return World(citizen, official, leader, practice_id)


async def _state(db, chat: EngineChat) -> dict:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(select(Conversation))).all()
    from storage.models import ChannelAccount

    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.external_id == chat.sender.external_id))).one()
    data = next(r.data for r in rows if r.account_id == account.id)
    return {"answers": data.get("answers"), "picked": data.get("picked"),
            "photos": (data["draft"].get("scratch") or {}).get("photos") or []}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_bad_input_repeats_the_question_and_keeps_answers(world, db, case):
    chat = await case.reach(world)
    question = chat.last
    assert case.question in question.text, question.text
    before = await _state(db, chat)
    for name, send, expected in BAD_INPUTS:
        replies = await send(chat)
        reply = chat.last
        assert replies, name
        assert reply.text.startswith("⚠️"), (case.name, name, reply.text)
        if expected and "summary" not in case.name:  # a summary says: press Send or Edit
            assert expected in reply.text, (case.name, name, reply.text)
        assert case.question in reply.text, (case.name, name, reply.text)
        assert {o.value for o in reply.options} == {o.value for o in question.options}, name
        assert all(isinstance(r, TextReply) and len(r.text) <= 4096 for r in replies)
    assert await _state(db, chat) == before
    for kind, value in case.finish:
        await (chat.photo() if kind == "photo" else getattr(chat, kind)(value))
    assert case.done in chat.last.text, chat.last.text


HUGE = "999999999999"  # the most digits an id may have: beyond a 32-bit INTEGER
OFFICIAL_PAYLOADS = ["fb_open", "fb_reply", "fb_resolve", "fb_reject", "fb_fwd", "fb_ack",
                     "fb_set", "fb_status", "pr_open", "pr_view", "pr_ok", "pr_changes",
                     "pr_reject", "pr_rec", "inbox"]
CITIZEN_PAYLOADS = ["fb_view", "fb_add", "fb_reopen", "fb_rate", "pr_edit", "cs_pick",
                    "cs_vote", "cs_sat"]


async def test_ids_beyond_any_stored_one_are_refused_like_any_other(world):
    """Not an internal error: PostgreSQL refuses such a number for an INTEGER column."""
    sent = []
    for chat, names in ((world.official, OFFICIAL_PAYLOADS), (world.citizen, CITIZEN_PAYLOADS)):
        for name in names:
            for payload in (f"{name}:{HUGE}", f"{name}:{HUGE}:3", f"{name}:1:{HUGE}"):
                sent.append((payload, await chat.press_raw("a", payload)))
    for args in (f"xoa {HUGE}", f"sua {HUGE} 01/12/2026"):
        sent.append((args, await world.official.command("hanchot", args)))
    for what, replies in sent:
        assert replies and not any("có lỗi khi xử lý" in r.text for r in replies), what
