"""OA webhook events → channel-neutral events (photos are downloaded and stored on the way).

An event is `{app_id, event_name, timestamp, sender:{id}, recipient:{id}, message:{msg_id,
text?, attachments?[]}}` (ZALO-NOTES §2.2). The sender's id is the user's id for this OA.
- A button tap is a `user_send_text` whose text is the payload we put on the button: payloads
  we issued (bot/zalo_oa/payloads.py) become `ChoiceEvent`s; anything else stays text.
- A location's coordinates are strings under `attachments[0].payload.coordinates`.
- `user_submit_info` is the answer to a `request_user_info` card: the user's phone number.
- `follow` greets like /start; `unfollow` and the OA's own echoes (`oa_send_*`) are no events.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from bot.channels.media import PHOTO, VIDEO, VOICE_NOTE, fetch_and_keep
from bot.zalo_oa.client import OANetworkError, ZaloOAClient
from bot.zalo_oa.payloads import PayloadCodec
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    ContactEvent,
    Event,
    LocationEvent,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VideoEvent,
    VoiceEvent,
)
from storage.media import MediaStore
from storage.models import Channel

log = logging.getLogger(__name__)

FOLLOW, UNFOLLOW = "follow", "unfollow"
UNSUPPORTED = {
    "user_send_sticker": "sticker",
    "user_send_gif": "animation",
    "user_send_business_card": "contact",
}
IMAGE_NAMES = (".jpg", ".jpeg", ".png", ".webp")
MAX_ID = 96  # ProcessedUpdate.update_id


def user_of(event: dict[str, Any]) -> str | None:
    """The Zalo user an event comes from (`follower` on follow/unfollow, `sender` otherwise)."""
    for key in ("sender", "follower", "user"):
        who = event.get(key)
        if isinstance(who, dict) and who.get("id") not in (None, ""):
            return str(who["id"])[:64]
    return None


def is_from_user(event: dict[str, Any]) -> bool:
    """Events a person caused in a private chat with the OA; the OA's echoes, delivery
    receipts and group chats (`user_send_group_*`) are not for the bot."""
    name = event.get("event_name")
    if not isinstance(name, str) or "_group_" in name:
        return False
    return name.startswith("user_send_") or name in (FOLLOW, UNFOLLOW, "user_submit_info")


def update_key(event: dict[str, Any]) -> str:
    """What makes two deliveries of one event the same: the message id, or for events without
    one (follow, a submitted form), the event, user and timestamp."""
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    msg_id = message.get("msg_id")
    if msg_id not in (None, "") and len(str(msg_id)) <= MAX_ID:
        return str(msg_id)
    return f"{event.get('event_name')}:{user_of(event)}:{event.get('timestamp')}"[:MAX_ID]


async def to_events(event: dict[str, Any], *, codec: PayloadCodec, client: ZaloOAClient,
                    media: MediaStore) -> list[Event]:
    """The neutral events one webhook event stands for (several for a message with several
    images), or none."""
    name = event.get("event_name")
    user_id = user_of(event)
    if not is_from_user(event) or user_id is None or name == UNFOLLOW:
        return []
    info = event.get("info") if isinstance(event.get("info"), dict) else {}
    sender = Sender(channel=Channel.ZALO_OA, external_id=user_id, chat_id=user_id,
                    display_name=str(info.get("name") or "")[:200])
    key = update_key(event)
    meta = {"update_id": key, "raw": event}
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    text = message.get("text") if isinstance(message.get("text"), str) else None
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
    if name == FOLLOW:
        return [CommandEvent(sender, name="start", **meta)]
    if name == "user_submit_info":
        phone = info.get("phone")
        if phone in (None, ""):
            return [UnsupportedEvent(sender, what="contact", **meta)]
        return [ContactEvent(sender, phone=str(phone)[:32], is_own=True, **meta)]
    if name == "user_send_text":
        return [_text_event(sender, text or "", codec, meta)]
    if name == "user_send_link":
        url = _payload(attachments).get("url")
        return [TextEvent(sender, text=(text or url or "")[:4000], **meta)]
    if name == "user_send_location":
        return [_location(sender, attachments, text, meta)]
    if name == "user_send_image":
        urls = [_payload([a]).get("url") for a in attachments if a.get("type") in (None, "image")]
        return await _photos(sender, [u for u in urls if isinstance(u, str)], text, client,
                             media, meta)
    if name == "user_send_audio":
        return [await _voice(sender, _payload(attachments).get("url"), client, media, meta)]
    if name == "user_send_video":
        return [await _video(sender, _payload(attachments).get("url"), client, media, meta)]
    if name == "user_send_file":
        payload = _payload(attachments)
        if str(payload.get("name") or "").lower().endswith(IMAGE_NAMES) and payload.get("url"):
            return await _photos(sender, [str(payload["url"])], None, client, media, meta)
        return [UnsupportedEvent(sender, what="document", **meta)]
    return [UnsupportedEvent(sender, what=UNSUPPORTED.get(str(name), "other"), **meta)]


def _text_event(sender: Sender, text: str, codec: PayloadCodec, meta: dict) -> Event:
    picked = codec.decode(sender.external_id, text)
    if picked is not None:
        token, value = picked
        return ChoiceEvent(sender, token=token, value=value, **meta)
    if text.startswith("/") and len(text) > 1:
        head, _, args = text[1:].partition(" ")
        return CommandEvent(sender, name=head.lower()[:64], args=args.strip(), **meta)
    return TextEvent(sender, text=text, **meta)


def _payload(attachments: list[dict[str, Any]]) -> dict[str, Any]:
    payload = attachments[0].get("payload") if attachments else None
    return payload if isinstance(payload, dict) else {}


def _location(sender: Sender, attachments: list[dict[str, Any]], title: str | None,
              meta: dict) -> Event:
    """Coordinates as strings, `{latitude, longitude}`; `{lat, long}` is read too."""
    coordinates = _payload(attachments).get("coordinates")
    coordinates = coordinates if isinstance(coordinates, dict) else {}
    try:
        latitude = float(coordinates.get("latitude", coordinates.get("lat")))
        longitude = float(coordinates.get("longitude", coordinates.get("long",
                                                                       coordinates.get("lng"))))
    except (TypeError, ValueError):
        return UnsupportedEvent(sender, what="other", **meta)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return UnsupportedEvent(sender, what="other", **meta)
    return LocationEvent(sender, latitude=latitude, longitude=longitude,
                         title=(title or None) and title[:200], **meta)


async def _photos(sender: Sender, urls: list[str], caption: str | None, client: ZaloOAClient,
                  media: MediaStore, meta: dict) -> list[Event]:
    """Download now (Zalo's URLs may not last), with the same checks as any other photo. Several
    images in one message are an album: one answer for all of them."""
    if not urls:
        return [UnsupportedEvent(sender, what=PHOTO.download_failed, **meta)]
    album = meta["update_id"] if len(urls) > 1 else None
    events: list[Event] = []
    for index, url in enumerate(urls):
        item = dict(meta, update_id=meta["update_id"] if index == 0
                    else f"{meta['update_id']}#{index}"[:MAX_ID])
        stored = await fetch_and_keep(PHOTO, media, partial(client.download_to, url),
                                      failures=(OANetworkError,), update_id=item["update_id"])
        if isinstance(stored, str):
            events.append(UnsupportedEvent(sender, what=stored, **item))
        else:
            events.append(PhotoEvent(sender, media=stored, caption=caption or None,
                                     album_id=album, **item))
    return events


async def _video(sender: Sender, url: object, client: ZaloOAClient, media: MediaStore,
                 meta: dict) -> Event:
    """A video (`user_send_video`, `payload.url` as for images): downloaded now within the size
    cap, kept clean (re-encoded, no metadata) with a poster frame."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return UnsupportedEvent(sender, what=VIDEO.download_failed, **meta)
    stored = await fetch_and_keep(VIDEO, media, partial(client.download_to, url),
                                  failures=(OANetworkError,), update_id=meta["update_id"])
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    return VideoEvent(sender, media=stored, **meta)


async def _voice(sender: Sender, url: object, client: ZaloOAClient, media: MediaStore,
                 meta: dict) -> Event:
    """A voice note: downloaded now within the size cap, measured and kept clean (re-encoded,
    no tags). The audio attachment's `payload.url` is read as for images and files."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return UnsupportedEvent(sender, what=VOICE_NOTE.download_failed, **meta)
    stored = await fetch_and_keep(VOICE_NOTE, media, partial(client.download_to, url),
                                  failures=(OANetworkError,), update_id=meta["update_id"])
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    return VoiceEvent(sender, media=stored, **meta)
