"""People and invites in the console: a province official invites a commune official of their
province (a code that works in the chat, shown with a QR code), revokes an invite, lists the
officials of the province and removes a role, which ends that person's console sessions; a
commune official or another province cannot. Every action is audited."""

from __future__ import annotations

import re

from sqlmodel import col, select

from storage.models import AuditEntry, Invite, Person
from tests.support.officials import BEN_THANH, HANOI, HCMC, HOAN_KIEM
from tests.web.console_support import ask_link, new_browser, signed_in

CODE = re.compile(r'<code id="invite-code">(inv_[A-Za-z0-9_-]+)</code>')


async def _audited(db) -> list[str]:  # noqa: ANN001
    async with db.session() as session:
        return [e.action for e in (await session.exec(select(AuditEntry))).all()
                if e.channel == "console"]


async def test_a_province_invites_a_commune_official_and_removes_the_role(
        client, make_chat, db, clock):
    province = await signed_in(client, make_chat, db, clock, user_id=631, name="Tỉnh",
                               unit=HANOI, level="province")
    newcomer_browser = new_browser(client)
    try:
        status, html = await province.post("/console/people/invite", {"unit": HOAN_KIEM})
        assert status == 200 and "<svg" in html
        code = CODE.search(html).group(1)
        async with db.session() as session:
            invite = (await session.exec(select(Invite).order_by(col(Invite.id).desc()))).first()
        assert (invite.level, invite.unit_code, invite.used_at) == ("commune", HOAN_KIEM, None)
        # The code works in the chat, as `dvk invite`'s does.
        newcomer = make_chat(632, "Lan")
        await newcomer.command("start", code)
        assert "Chào mừng" in newcomer.last_text
        await newcomer_browser.sign_in(await ask_link(newcomer))
        _, html = await province.get("/console/people")
        person_id = int(re.search(r'<tr data-person="(\d+)"><td>Lan</td>', html).group(1))
        assert f'data-invite="{invite.id}" data-state="used"' in html
        status, html = await province.post(f"/console/people/{person_id}/remove")
        assert status == 200 and f'data-person="{person_id}"' not in html
        async with db.session() as session:
            assert (await session.get(Person, person_id)).role == "citizen"
        status, _ = await newcomer_browser.get("/console/")
        assert status == 401  # their console session ended
        actions = await _audited(db)
        assert actions.count("invite.create") == 1 and actions.count("role.remove") == 1
    finally:
        await province.close()
        await newcomer_browser.close()


async def test_invites_are_revoked_only_within_the_jurisdiction(client, make_chat, db, clock):
    hanoi = await signed_in(client, make_chat, db, clock, user_id=633, name="Hà Nội",
                            unit=HANOI, level="province")
    saigon = await signed_in(client, make_chat, db, clock, user_id=634, name="HCM",
                             unit=HCMC, level="province")
    commune = await signed_in(client, make_chat, db, clock, user_id=635, name="Xã",
                              unit=HOAN_KIEM)
    try:
        _, html = await hanoi.post("/console/people/invite", {"unit": HOAN_KIEM})
        async with db.session() as session:
            invite = (await session.exec(select(Invite).order_by(col(Invite.id).desc()))).first()
        status, _ = await hanoi.post("/console/people/invite", {"unit": BEN_THANH})
        assert status == 400  # another province's commune
        status, _ = await commune.post("/console/people/invite", {"unit": HOAN_KIEM})
        assert status == 403
        status, _ = await saigon.post(f"/console/people/invites/{invite.id}/revoke")
        assert status == 403
        _, html = await saigon.get("/console/people")
        assert f'data-invite="{invite.id}"' not in html
        status, _ = await commune.post(f"/console/people/invites/{invite.id}/revoke")
        assert status == 403
        status, html = await hanoi.post(f"/console/people/invites/{invite.id}/revoke")
        assert status == 200 and f'data-invite="{invite.id}" data-state="revoked"' in html
        async with db.session() as session:
            assert (await session.get(Invite, invite.id)).revoked_at is not None
        actions = await _audited(db)
        assert actions.count("invite.create") == 1 and actions.count("invite.revoke") == 1
        # A commune official sees their unit's officials, and no invites.
        _, html = await commune.get("/console/people")
        assert 'id="invites"' not in html and "<td>Xã</td>" in html
        assert "<td>Hà Nội</td>" not in html
    finally:
        for browser in (hanoi, saigon, commune):
            await browser.close()
