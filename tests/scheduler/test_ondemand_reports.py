"""`/report` in the background: the request is recorded once, a citizen is refused, and a build
that fails closes the request and tells the official. These build in a thread of the test's
process (a `ThreadPoolExecutor`), to stay fast; tests/scheduler/test_reports.py builds one in a
child process, as the bot does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import update
from sqlmodel import select

from handlers.i18n import Translator
from scheduler.ondemand_reports import OnDemandReports
from scheduler.report_process import ReportBuilder
from storage.models import Person, ReportRequest
from tests.scheduler.factories import HA_NOI
from tests.scheduler.test_reports import VN, at, documents, seed
from tests.support.factories import add_person
from tests.support.s3 import both_media_stores

T = Translator("vi")
H1 = "01/01/2027 - 30/06/2027"


def in_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1)


async def official_chat(db, make_chat):  # noqa: ANN001, ANN201
    """A province official of Hà Nội who talks to the engine (chat id 9800201)."""
    chat = make_chat(user_id=9_800_201, name="Cán bộ Hà Nội")
    await chat.command("start")
    async with db.session() as session:
        await session.exec(update(Person).where(Person.display_name == "Cán bộ Hà Nội")
                           .values(role="official", level="province", unit_code=HA_NOI))
        await session.commit()
    return chat


async def requests(db) -> list[ReportRequest]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(ReportRequest))).all())


def worker(db, clock, services, service) -> OnDemandReports:  # noqa: ANN001
    return OnDemandReports(db, clock, services.units, services.media, VN,
                           on_queued=service.outbox.wake,
                           builder=ReportBuilder(db.url, VN, executor=in_thread))


async def test_a_second_identical_request_is_not_queued_twice(
    db, clock, services, make_chat, make_service, fake
) -> None:
    await seed(db, clock)
    clock.set(at(7, 2))
    chat = await official_chat(db, make_chat)

    [first] = await chat.command("report", "2027-h1")
    [second] = await chat.command("baocao", "2027-H1")
    [other] = await chat.command("report", "2027")

    assert first.text.startswith("⏳") and second.text.startswith("⏳")
    assert second.text == T("report.already_queued", jurisdiction="Thành phố Hà Nội", period=H1)
    assert other.text == T("report.queued", jurisdiction="Thành phố Hà Nội",
                           period="01/01/2027 - 31/12/2027")
    assert sorted(r.period for r in await requests(db)) == [H1, "01/01/2027 - 31/12/2027"]

    service = make_service()
    reports = worker(db, clock, services, service)
    try:
        assert await reports.run() == 2
        assert await reports.run() == 0  # nothing left pending
    finally:
        await reports.stop()
    await service.outbox.drain()
    assert {r.status for r in await requests(db)} == {"done"}
    assert len(documents(fake, 9_800_201)) == 2
    [again] = await chat.command("report", "2027-h1")  # once done, a new request is welcome
    assert again.text == T("report.queued", jurisdiction="Thành phố Hà Nội", period=H1)


async def test_a_citizen_is_refused_and_nothing_is_recorded(db, clock, make_chat) -> None:
    """Officials' commands do not exist for citizens."""
    chat = make_chat(user_id=9_800_202, name="Lan")
    await chat.command("start")

    [answer] = await chat.command("report", "2027-h1")

    assert answer.text.startswith(T("error.unknown_command", command="report"))
    assert await requests(db) == []


async def test_a_bad_period_gets_the_usage(db, clock, make_chat) -> None:
    chat = await official_chat(db, make_chat)

    [answer] = await chat.command("report", "hôm qua")

    assert answer.text == "⚠️ " + T("report.usage")
    assert await requests(db) == []


async def test_a_failed_build_closes_the_request_and_the_official_is_told(
    db, clock, services, make_chat, make_service, fake
) -> None:
    """The reports folder cannot be created (a file stands where it should be): the workbook
    cannot be saved, a real failure of the build."""
    clock.set(at(7, 2))
    chat = await official_chat(db, make_chat)
    await chat.command("report", "2027-h1")
    services.media.root.mkdir(parents=True, exist_ok=True)
    (services.media.root / "reports").write_text("not a folder")

    service = make_service()
    reports = worker(db, clock, services, service)
    try:
        assert await reports.run() == 1
    finally:
        await reports.stop()
    await service.outbox.drain()

    [request] = await requests(db)
    assert request.status == "failed" and request.finished_at is not None
    assert documents(fake, 9_800_201) == []
    apology = T("report.failed", jurisdiction="Thành phố Hà Nội", period=H1)
    assert fake.messages(9_800_201)[-1].plain_text == apology


@both_media_stores
async def test_a_request_left_pending_is_built_by_the_next_worker(
    db, clock, services, make_chat, make_service, fake, media_bucket
) -> None:
    """A stopped bot leaves its requests pending; the next start simply builds them. The
    workbook is kept in the media store (a bucket, when workers share one) and sent from it."""
    clock.set(at(7, 2))
    chat = await official_chat(db, make_chat)
    await chat.command("report", "2027-h1")
    service = make_service()
    stopped = worker(db, clock, services, service)
    stopped.start()
    await stopped.stop()  # (maybe before its first pass got anywhere)

    restarted = worker(db, clock, services, service)
    try:
        await restarted.run()
    finally:
        await restarted.stop()
    await service.outbox.drain()

    [request] = await requests(db)
    assert request.status == "done"
    [document] = documents(fake, 9_800_201)
    assert document.plain_text == T("report.ready", jurisdiction="Thành phố Hà Nội", period=H1,
                                    practices=0, feedback=0)
    sent = fake.file_bytes(document.document["file_id"])
    key = f"reports/ondemand-{request.id}.xlsx"
    assert sent.startswith(b"PK") and sent == services.media.objects.get(key)
    if media_bucket is not None:
        assert media_bucket.keys() == [f"media/{key}"]


async def test_the_answer_is_in_the_officials_language(
    db, clock, services, make_service, fake
) -> None:
    clock.set(at(7, 2))
    official = await add_person(db, now=clock.now(), role="official", level="central",
                                language="en", telegram=9_800_203)
    async with db.session() as session:
        session.add(ReportRequest(person_id=official.id, level="central", unit_code=None,
                                  period=H1, requested_at=clock.now()))
        await session.commit()
    service = make_service()
    reports = worker(db, clock, services, service)
    try:
        await reports.run()
    finally:
        await reports.stop()
    await service.outbox.drain()

    [document] = documents(fake, 9_800_203)
    assert document.plain_text == Translator("en")(
        "report.ready", jurisdiction="Nationwide", period=H1, practices=0, feedback=0)


async def test_an_official_removed_before_the_build_gets_no_report(
    db, clock, services, make_chat, make_service, fake
) -> None:
    await seed(db, clock)
    clock.set(at(7, 2))
    chat = await official_chat(db, make_chat)
    await chat.command("report", "2027-h1")
    async with db.session() as session:  # removed from office (dvk officials remove)
        await session.exec(update(Person).where(Person.display_name == "Cán bộ Hà Nội")
                           .values(role="citizen"))
        await session.commit()

    service = make_service()
    reports = worker(db, clock, services, service)
    try:
        assert await reports.run() == 1
    finally:
        await reports.stop()
    await service.outbox.drain()

    assert [r.status for r in await requests(db)] == ["failed"]
    assert documents(fake, 9_800_201) == []
    assert not (services.media.root / "reports").exists()
