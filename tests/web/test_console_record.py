"""A record on one screen and the chat's actions on it, from the console: what the official
sees (never an anonymous sender's identity), what is stored, what the sender is told, and what
the audit log keeps."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from sqlmodel import select

from storage.models import (
    AuditEntry,
    ConsoleNote,
    Feedback,
    FeedbackEvent,
    FeedbackPhoto,
    Nomination,
    OutboxMessage,
    Practice,
    PracticeReplication,
    Recognition,
)
from tests.support.factories import store_adoption
from tests.support.images import jpeg_bytes
from tests.support.officials import (
    HANOI,
    HOAN_KIEM,
    THANH_XUAN,
    store_practice,
    store_recognised_practice,
)
from tests.web.console_support import signed_in, store_feedback, unaudited

SECRET_NAME = "Trần Bí Mật"
SECRET_PHONE = "0912345678"


@pytest.fixture(autouse=True)
async def _every_action_is_audited(database_url):
    """After each test: every action it made from the console has its audit row."""
    yield
    assert await unaudited(database_url) == []


@pytest.fixture
async def official(client, make_chat, db, clock):
    browser = await signed_in(client, make_chat, db, clock, user_id=701, name="Lan",
                              unit=HOAN_KIEM)
    yield browser
    await browser.close()


async def _all(db, model, *where):  # noqa: ANN001, ANN202
    async with db.session() as session:
        return (await session.exec(select(model).where(*where))).all()


async def _outbox_texts(db, person_id: int) -> list[str]:  # noqa: ANN001
    return [part.get("text", "") for message in await _all(
        db, OutboxMessage, OutboxMessage.person_id == person_id) for part in message.payload]


async def test_an_anonymous_feedback_shows_no_identity_anywhere(official, db, clock):
    anonymous = await store_feedback(db, clock, commune=HOAN_KIEM, reporter_name=SECRET_NAME,
                                     text="Cống thoát nước phố Hàng Bạc tắc.")
    named = await store_feedback(db, clock, commune=HOAN_KIEM, anonymous=False,
                                 reporter_name="Phạm Văn Công", phone="0987654321",
                                 text="Vỉa hè phố Hàng Bè bị lấn chiếm.")
    for path in ("/console/", f"/console/feedback/{anonymous.id}"):
        status, html = await official.get(path)
        assert status == 200 and SECRET_NAME not in html and SECRET_PHONE not in html
    _, html = await official.get(f"/console/feedback/{anonymous.id}")
    assert "Cống thoát nước" in html and "ẩn danh" in html
    _, html = await official.get(f"/console/feedback/{named.id}")
    assert "Phạm Văn Công" in html and "0987654321" in html  # as the chat's card shows it
    views = await _all(db, AuditEntry, AuditEntry.action == "feedback.view")
    assert {(v.record_id, v.channel) for v in views} == {(anonymous.id, "console"),
                                                         (named.id, "console")}


async def test_acknowledge_reply_and_resolve_with_proof_reach_the_sender(official, db, clock):
    feedback = await store_feedback(db, clock, commune=HOAN_KIEM,
                                    text="Đèn đường ngõ 12 phố Hàng Bạc hỏng.")
    status, html = await official.post(f"/console/feedback/{feedback.id}/ack")
    assert status == 200 and "✅" in html and "Đã tiếp nhận" in html
    status, html = await official.post(f"/console/feedback/{feedback.id}/reply",
                                       {"answer": ""})
    assert status == 400 and "⚠️" in html  # the chat's own check: an empty answer
    status, html = await official.post(f"/console/feedback/{feedback.id}/reply",
                                       {"answer": "Phường đã báo điện lực."})
    assert status == 200 and "Phường đã báo điện lực." in html  # in the history

    form = {"csrf": await official.csrf(), "answer": "Đã thay bóng đèn mới."}
    data = aiohttp.FormData()
    for key, value in form.items():
        data.add_field(key, value)
    data.add_field("proof", jpeg_bytes(), filename="anh.jpg", content_type="image/jpeg")
    async with official.http.post(f"/console/feedback/{feedback.id}/resolve",
                                  data=data) as response:
        html = await response.text()
        assert response.status == 200, html[:400]
    [stored] = await _all(db, Feedback, Feedback.id == feedback.id)
    assert stored.status == "resolved" and stored.first_answered_at is not None
    [proof] = await _all(db, FeedbackPhoto, FeedbackPhoto.feedback_id == feedback.id)
    assert proof.channel == "console"
    told = " ".join(await _outbox_texts(db, feedback.reporter_id))
    assert "Phường đã báo điện lực." in told and "Đã thay bóng đèn mới." in told
    assert "Lan" not in told  # relayed in the unit's name, as from the chat
    actions = [(e.action, e.channel) for e in await _all(db, AuditEntry)
               if e.record_id == feedback.id]
    for action in ("feedback.status", "feedback.reply"):
        assert (action, "console") in actions


async def test_reject_and_forward_use_the_chats_forms(official, db, clock):
    rejected = await store_feedback(db, clock, commune=HOAN_KIEM, text="Việc riêng.")
    forwarded = await store_feedback(db, clock, commune=HOAN_KIEM, text="Đường tỉnh lộ hỏng.")
    status, html = await official.post(f"/console/feedback/{rejected.id}/reject",
                                       {"reason": "Không thuộc thẩm quyền giải quyết."})
    assert status == 200 and "✅" in html
    status, html = await official.post(f"/console/feedback/{forwarded.id}/forward",
                                       {"target": "commune", "unit": ""})
    assert status == 400 and "Hãy chọn xã, phường" in html
    status, html = await official.post(f"/console/feedback/{forwarded.id}/forward",
                                       {"target": "province", "note": "Đường của tỉnh."})
    assert status == 200 and "✅" in html and 'id="done"' in html
    [one, other] = await _all(db, Feedback, Feedback.id.in_([rejected.id, forwarded.id]))
    assert (one.status, other.status) == ("rejected", "forwarded")
    assert other.assigned_unit_code == HANOI
    # Forwarded to the province, it has left the commune's jurisdiction.
    status, _ = await official.get(f"/console/feedback/{forwarded.id}")
    assert status == 403


async def test_a_practice_is_approved_recognised_nominated_or_sent_back(official, db, clock):
    approved = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=951)
    changed = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=951,
                                   title="Câu lạc bộ dưỡng sinh")
    rejected = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=951,
                                    title="Mô hình trùng")
    status, html = await official.post(f"/console/practices/{approved}/approve")
    assert status == 200 and "✅" in html and 'id="do-recognise"' in html
    status, html = await official.post(f"/console/practices/{approved}/recognise",
                                       {"decision_number": "125/QĐ-UBND"})
    assert status == 400 and "Vẫn công nhận?" in html  # no residents' consultation closed
    status, html = await official.post(f"/console/practices/{approved}/recognise", {
        "decision_number": "125/QĐ-UBND", "decision_date": "31/02/2026",
        "without_consultation": "confirm"})
    assert status == 400 and "⚠️" in html  # the chat's own date check
    status, html = await official.post(f"/console/practices/{approved}/recognise", {
        "decision_number": "125/QĐ-UBND", "decision_date": "28/11/2026",
        "without_consultation": "confirm"})
    assert status == 200 and "🏅" in html and 'id="do-nominate"' in html
    status, html = await official.post(f"/console/practices/{approved}/nominate",
                                       {"justification": "Cả phường học tập."})
    assert status == 200 and "📤" in html
    status, html = await official.post(f"/console/practices/{changed}/changes",
                                       {"note": "Bổ sung số người tham gia."})
    assert status == 400  # no field picked: the chat asks for one too
    status, html = await official.post(f"/console/practices/{changed}/changes",
                                       {"note": "Bổ sung số người tham gia.",
                                        "field": "people_mobilised"})
    assert status == 200 and "✅" in html
    status, html = await official.post(f"/console/practices/{rejected}/reject",
                                       {"reason": "Trùng với mô hình đã gửi."})
    assert status == 200 and "✅" in html
    found = {p.id: p.status for p in await _all(db, Practice)}
    assert found == {approved: "recognised", changed: "changes_requested",
                     rejected: "rejected"}
    told = " ".join(await _outbox_texts(db, 951))
    assert "Bổ sung số người tham gia." in told and "Trùng với mô hình đã gửi." in told
    [recognition] = await _all(db, Recognition)
    assert (recognition.level, recognition.decision_number) == ("commune", "125/QĐ-UBND")
    [nomination] = await _all(db, Nomination)
    assert nomination.to_level == "province" and nomination.justification == "Cả phường học tập."


async def test_notes_and_assignment_stay_among_the_units_officials(
        official, client, make_chat, db, clock):
    colleague = await signed_in(client, make_chat, db, clock, user_id=702, name="Hùng",
                                unit=HOAN_KIEM)
    stranger = await signed_in(client, make_chat, db, clock, user_id=703, name="Mai",
                               unit=THANH_XUAN)
    try:
        feedback = await store_feedback(db, clock, commune=HOAN_KIEM, text="Cây đổ.")
        status, html = await official.post(f"/console/feedback/{feedback.id}/note",
                                           {"note": "Đã gọi đội cây xanh, chờ xe."})
        assert status == 200 and "Đã gọi đội cây xanh" in html
        _, html = await colleague.get(f"/console/feedback/{feedback.id}")
        assert "Đã gọi đội cây xanh" in html
        team = await _team(db)
        status, html = await official.post(f"/console/feedback/{feedback.id}/assign",
                                           {"assignee": str(team["Hùng"])})
        assert status == 200 and "Đã giao cho Hùng" in html
        assert any("Bạn được giao xử lý" in text
                   for text in await _outbox_texts(db, team["Hùng"]))
        status, html = await official.post(f"/console/feedback/{feedback.id}/assign",
                                           {"assignee": str(team["Mai"])})
        assert status == 400 and "Hãy chọn một cán bộ của đơn vị bạn" in html
        status, html = await stranger.post(f"/console/feedback/{feedback.id}/note",
                                           {"note": "Xem trộm."})
        assert status == 403
        assert [n.text for n in await _all(db, ConsoleNote)] == ["Đã gọi đội cây xanh, chờ xe."]
        assert "Đã gọi đội cây xanh" not in " ".join(
            await _outbox_texts(db, feedback.reporter_id))
    finally:
        await colleague.close()
        await stranger.close()


async def _team(db) -> dict[str, int]:  # noqa: ANN001
    from storage.models import Person

    return {p.display_name: p.id for p in await _all(db, Person, Person.role == "official")}


async def test_another_communes_record_is_refused_and_logged(official, db, clock, caplog):
    caplog.set_level(logging.WARNING)
    elsewhere = await store_feedback(db, clock, commune=THANH_XUAN, text="Ngập nước.")
    status, html = await official.get(f"/console/feedback/{elsewhere.id}")
    assert status == 403 and "Ngập nước" not in html and "không thuộc phạm vi" in html
    status, html = await official.post(f"/console/feedback/{elsewhere.id}/ack")
    assert status == 403
    status, _ = await official.get(f"/console/feedback/{elsewhere.id}/photos/1.jpg")
    assert status == 403
    refused = [e for e in await _all(db, AuditEntry) if e.action == "console.refused"]
    assert [(e.record_id, e.channel) for e in refused] == [(elsewhere.id, "console")] * 3
    logged = [r for r in caplog.records if r.getMessage() == "official action refused"]
    assert logged and all(r.reason == "outside" and r.item_id == elsewhere.id for r in logged)
    [stored] = await _all(db, Feedback, Feedback.id == elsewhere.id)
    assert stored.status == "new"
    assert await _all(db, FeedbackEvent, FeedbackEvent.feedback_id == elsewhere.id,
                      FeedbackEvent.kind != "created") == []


async def test_a_post_without_the_csrf_token_is_refused(official, db, clock):
    feedback = await store_feedback(db, clock, commune=HOAN_KIEM, text="Ổ gà.")
    status, html = await official.post(f"/console/feedback/{feedback.id}/ack", csrf=False)
    assert status == 403 and "mã bảo vệ" in html
    async with official.http.post(f"/console/feedback/{feedback.id}/ack",
                                  headers={"X-CSRF-Token": "0" * 40}) as response:
        assert response.status == 403
    upload = aiohttp.FormData()  # a multipart form: its CSRF field must come first
    upload.add_field("answer", "Đã xử lý.")
    upload.add_field("csrf", await official.csrf())
    upload.add_field("proof", jpeg_bytes(), filename="anh.jpg", content_type="image/jpeg")
    async with official.http.post(f"/console/feedback/{feedback.id}/resolve",
                                  data=upload) as response:
        assert response.status == 403
    [stored] = await _all(db, Feedback, Feedback.id == feedback.id)
    assert stored.status == "new"


async def test_bulk_acknowledge_and_reply_templates(official, client, make_chat, db, clock):
    mine = [await store_feedback(db, clock, commune=HOAN_KIEM, text=f"Việc {n}.")
            for n in range(3)]
    elsewhere = await store_feedback(db, clock, commune=THANH_XUAN, text="Việc khác.")
    form = [("csrf", await official.csrf()), ("action", "ack")]
    form += [("item", str(f.id)) for f in [*mine, elsewhere]]
    async with official.http.post("/console/bulk", data=form) as response:
        html = await response.text()
    assert response.status == 200 and "Đã xử lý 3 phản ánh" in html
    statuses = {f.id: f.status for f in await _all(db, Feedback)}
    assert [statuses[f.id] for f in mine] == ["received"] * 3
    assert statuses[elsewhere.id] == "new"

    status, html = await official.post("/console/templates", {
        "title": "Đã chuyển điện lực", "text": "Phường đã chuyển điện lực xử lý."})
    assert status == 200 and "Đã chuyển điện lực" in html
    _, html = await official.get(f"/console/feedback/{mine[0].id}")
    assert 'data-text="Phường đã chuyển điện lực xử lý."' in html
    other = await signed_in(client, make_chat, db, clock, user_id=704, name="Mai",
                            unit=THANH_XUAN)
    try:
        _, html = await other.get("/console/templates")
        assert "Đã chuyển điện lực" not in html
        status, _ = await other.post("/console/templates/1/remove")
        assert status == 403
        status, html = await official.post("/console/templates/1/remove")
        assert status == 200 and "Đã xoá mẫu" in html
    finally:
        await other.close()


async def test_an_adoption_declaration_is_hidden_and_shown_again_from_the_console(
        official, client, make_chat, db, clock):
    """The practice's page lists its "nhân rộng" declarations with a button each; hiding one
    takes it off the public page and API, tells its declarer (naming no official), and is
    audited; another commune's official gets a 403 and nothing changes."""
    practice_id = await store_recognised_practice(db, clock, commune=HOAN_KIEM,
                                                  submitter_id=951)
    [practice] = await _all(db, Practice, Practice.id == practice_id)
    wrong = await store_adoption(db, clock, practice_id=practice_id, person_id=961,
                                 name="Hội Bịa Tên", commune="00175")
    await store_adoption(db, clock, practice_id=practice_id, person_id=962,
                         name="Thôn Thật", commune="00175")
    status, html = await official.get(f"/console/practices/{practice_id}")
    assert status == 200 and "Hội Bịa Tên — Phường Yên Hòa" in html
    assert f'id="adoption-{wrong}-hide"' in html

    stranger = await signed_in(client, make_chat, db, clock, user_id=703, name="Mai",
                               unit=THANH_XUAN)
    try:
        status, _ = await stranger.post(
            f"/console/practices/{practice_id}/adoptions/{wrong}/hide")
        assert status == 403
    finally:
        await stranger.close()
    status, _ = await official.post(f"/console/practices/{practice_id + 1}/adoptions/{wrong}"
                                    "/hide")  # not this practice's declaration
    assert status == 403
    [row] = await _all(db, PracticeReplication, PracticeReplication.id == wrong)
    assert row.hidden_at is None

    status, html = await official.post(f"/console/practices/{practice_id}/adoptions/{wrong}/hide")
    assert status == 200 and "✅ Đã ẩn thông tin nhân rộng" in html
    assert f'id="adoption-{wrong}-show"' in html and "🙈 đã ẩn" in html
    [row] = await _all(db, PracticeReplication, PracticeReplication.id == wrong)
    assert row.hidden_at is not None and row.hidden_by is not None
    told = " ".join(await _outbox_texts(db, 961))
    assert "chưa được đăng công khai" in told and "Lan" not in told
    page = await (await client.get(f"/practices/{practice.code}")).text()
    body = await (await client.get(f"/api/practices/{practice.code}")).json()
    assert "Hội Bịa Tên" not in page and "Thôn Thật" in page
    assert body["replication_count"] == 1
    assert [r["collective_name"] for r in body["replications"]] == ["Thôn Thật"]

    status, html = await official.post(f"/console/practices/{practice_id}/adoptions/{wrong}/show")
    assert status == 200 and "✅ Đã hiện lại" in html
    body = await (await client.get(f"/api/practices/{practice.code}")).json()
    assert body["replication_count"] == 2
    audited = [(e.action, e.detail) for e in await _all(db, AuditEntry)
               if e.action.startswith("practice.adoption")]
    assert audited == [("practice.adoption_hide", f"adoption:{wrong}"),
                       ("practice.adoption_show", f"adoption:{wrong}")]


async def test_a_practice_shows_its_latest_self_assessment_beside_officials_scores(
        official, db, clock):
    """A revised practice has two self-assessments; the record shows the one sent last, the
    earlier kept as history only."""
    from handlers.criteria import builtin_catalogue
    from storage.models import PracticeAssessment
    from storage.repositories import criteria as criteria_repo

    practice_id = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=951)
    snapshot = [c.model_dump(mode="json")
                for _, file in builtin_catalogue().builtin_for("commune") for c in file.criteria]
    async with db.session() as session:
        for kind, assessor, mobilised in (("self", 951, 4), ("review", 951, 3),
                                          ("self", 951, 2)):
            await criteria_repo.add_assessment(session, PracticeAssessment(
                practice_id=practice_id, kind=kind, level="commune", assessor_id=assessor,
                practice_status="submitted", criteria_version="common@2026.1+commune@2026.1",
                criteria=snapshot, scores={"mobilised": mobilised}, created_at=clock.now()))
        await session.commit()
    status, html = await official.get(f"/console/practices/{practice_id}")
    assert status == 200
    assert "Đánh giá theo tiêu chí (tự đánh giá │ cán bộ cấp cơ sở)" in html, html
    assert "Vận động được nhiều người, tổ chức, lực lượng tham gia: 2/5 │ 3/5" in html
    assert "4/5" not in html
