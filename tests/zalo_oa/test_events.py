"""The webhook's signature over raw bytes, and OA events read as channel-neutral events."""

from __future__ import annotations

import hashlib
import json

from bot.zalo_oa.convert import to_events, update_key
from bot.zalo_oa.payloads import PayloadCodec
from bot.zalo_oa.signature import Rejection, Verified, verify
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    ContactEvent,
    LocationEvent,
    TextEvent,
    UnsupportedEvent,
)

APP, KEY = "4180943527716350641", "oa-secret-key"
NOW_MS = 1_780_000_000_000
CODEC = PayloadCodec(KEY)


def signed(event: dict) -> tuple[bytes, str]:
    raw = json.dumps(event).encode()
    mac = hashlib.sha256(APP.encode() + raw + event["timestamp"].encode() + KEY.encode())
    return raw, "mac=" + mac.hexdigest()


def check(raw: bytes, header: str | None, now_ms: int = NOW_MS) -> Verified | Rejection:
    return verify(raw, header, app_id=APP, secret_key=KEY, now_ms=now_ms, max_age_ms=60_000)


def event(name: str, **extra: object) -> dict:
    return {"app_id": APP, "event_name": name, "timestamp": str(NOW_MS),
            "sender": {"id": "u1"}, "recipient": {"id": "oa"}, **extra}


def test_signature_is_checked_over_the_exact_bytes_and_the_timestamp() -> None:
    raw, header = signed(event("user_send_text", message={"msg_id": "m1", "text": "hi"}))
    assert isinstance(check(raw, header), Verified)
    assert isinstance(check(raw, header.removeprefix("mac=").upper()), Verified)
    assert check(raw, None) is Rejection.MISSING
    assert check(raw + b" ", header) is Rejection.WRONG
    assert check(json.dumps(json.loads(raw), separators=(",", ":")).encode(),
                 header) is Rejection.WRONG
    assert check(raw, header, now_ms=NOW_MS + 61_000) is Rejection.STALE
    assert check(raw, header, now_ms=NOW_MS - 3_600_000) is Rejection.STALE  # from the future
    assert check(b"[1, 2]", header) is Rejection.MALFORMED
    no_time = json.dumps({"event_name": "x"}).encode()
    assert check(no_time, header) is Rejection.MALFORMED


async def convert(raw_event: dict) -> list:
    return await to_events(raw_event, codec=CODEC, client=None, media=None)  # type: ignore[arg-type]


async def test_texts_taps_commands_locations_phones_and_the_rest() -> None:
    tap = CODEC.encode("u1", "q7", "__skip__")
    [choice] = await convert(event("user_send_text", message={"msg_id": "m2", "text": tap}))
    assert isinstance(choice, ChoiceEvent) and (choice.token, choice.value) == ("q7", "__skip__")
    assert choice.update_id == "m2" and choice.sender.channel == "zalo_oa"
    [typed] = await convert(event("user_send_text", message={"msg_id": "m3", "text": "#q7:x"}))
    assert isinstance(typed, TextEvent)
    [command] = await convert(event("user_send_text",
                                    message={"msg_id": "m4", "text": "/lienket ABCD-EFGH"}))
    assert isinstance(command, CommandEvent) and command.args == "ABCD-EFGH"

    where = {"type": "location", "payload": {"coordinates": {"latitude": "10.7923119",
                                                             "longitude": "106.7820651"}}}
    [place] = await convert(event("user_send_location", message={
        "msg_id": "m5", "text": "Chợ Bến Thành", "attachments": [where]}))
    assert isinstance(place, LocationEvent)
    assert (place.latitude, place.longitude, place.title) == (10.7923119, 106.7820651,
                                                              "Chợ Bến Thành")
    where["payload"]["coordinates"] = {"lat": "21.03", "long": "105.85"}
    [place] = await convert(event("user_send_location",
                                  message={"msg_id": "m6", "attachments": [where]}))
    assert (place.latitude, place.longitude) == (21.03, 105.85)
    where["payload"]["coordinates"] = {"latitude": "x", "longitude": "1"}
    [bad] = await convert(event("user_send_location",
                                message={"msg_id": "m7", "attachments": [where]}))
    assert isinstance(bad, UnsupportedEvent)

    info = {"name": "Hoa", "phone": "84912345678", "address": "", "city": ""}
    [phone] = await convert(event("user_submit_info", info=info))
    assert isinstance(phone, ContactEvent) and phone.phone == "84912345678" and phone.is_own
    assert phone.update_id == f"user_submit_info:u1:{NOW_MS}"
    assert phone.sender.display_name == "Hoa"

    follow = event("follow", follower={"id": "u2"})
    del follow["sender"]
    [hello] = await convert(follow)
    assert isinstance(hello, CommandEvent) and hello.name == "start"
    assert hello.sender.external_id == "u2" and update_key(follow) == f"follow:u2:{NOW_MS}"

    [sticker] = await convert(event("user_send_sticker", message={"msg_id": "m8"}))
    assert isinstance(sticker, UnsupportedEvent) and sticker.what == "sticker"
    [card] = await convert(event("user_send_business_card", message={"msg_id": "m9"}))
    assert card.what == "contact"
    assert await convert(event("oa_send_text", message={"msg_id": "m10", "text": "x"})) == []
    assert await convert(event("user_seen_message", message={"msg_id": "m11"})) == []
    assert await convert(event("user_send_group_text", message={"msg_id": "m12"})) == []
    assert await convert(event("unfollow", follower={"id": "u1"})) == []
