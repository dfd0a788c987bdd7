"""A fake Zalo Bot Platform API server for end-to-end tests (ZALO-NOTES §1.7).

A real HTTP server on 127.0.0.1, so our aiohttp client is exercised unchanged. What it models:

* routing ``/bot{token}/{method}`` (GET or POST; query, JSON, form or multipart parameters);
  case-sensitive method names; the ``{ok, result}`` / ``{ok: false, error_code, description}``
  envelope with the HTTP status equal to ``error_code`` (an assumption, ZALO-NOTES §1.2);
* errors: 401 for a bad token, 400 for an unknown method ("Bad request - invalid API name") or a
  missing parameter ("`chat_id` is required"), 400 for texts outside 1–2,000 characters, 408 for
  an empty long poll, 409 for a poll ended by a newer one, 400 for polling while a webhook is
  set, and injected faults (``fail("sendMessage", 429)`` answers "Quota exceeded");
* ``getUpdates`` returns one update per call (no offset), ``sendPhoto`` fetches the photo URL as
  Zalo does (an unreachable or non-image URL is a 400 here, so broken links fail tests);
* webhooks: ``setWebhook`` accepts only public https URLs (as Zalo), and updates are then POSTed
  with ``X-Bot-Api-Secret-Token`` to ``webhook_target`` (the test's local server), wrapped in
  ``{ok, result}`` or flat (``flat_webhooks=True``);
* a user side: ``fake.user(...)`` sends texts, links, images (``photo_url`` or ``photo``),
  stickers, voice and unsupported messages, and reads what the bot sent back.
"""

from __future__ import annotations

import asyncio
import copy
import io
import ipaddress
import itertools
import json
import mimetypes
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web
from PIL import Image

JSON = dict[str, Any]
MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"

REQUIRED = {
    "getMe": (), "getUpdates": (), "deleteWebhook": (), "getWebhookInfo": (),
    "setWebhook": ("url", "secret_token"),
    "sendMessage": ("chat_id", "text"),
    "sendPhoto": ("chat_id", "photo"),
    "sendSticker": ("chat_id", "sticker"),
    "sendVoice": ("chat_id", "voice_url"),
    "sendChatAction": ("chat_id", "action"),
}


class _ApiError(Exception):
    def __init__(self, status: int, description: str, *, simulated: bool = False) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.simulated = simulated


@dataclass(eq=False)
class RecordedCall:
    method: str
    params: JSON
    status: int | None = None
    response: JSON | None = None

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    def __repr__(self) -> str:
        description = (self.response or {}).get("description")
        return f"<{self.method} chat={self.chat_id} -> {self.status}" + (
            f" {description}>" if description else ">")


@dataclass(eq=False)
class ZaloMessage:
    """What the bot sent into a chat."""

    chat_id: str
    message_id: str
    method: str  # sendMessage | sendPhoto | sendSticker | sendVoice
    text: str | None = None
    photo_url: str | None = None
    photo_bytes: bytes | None = None
    voice_url: str | None = None
    voice_bytes: bytes | None = None

    def __repr__(self) -> str:
        body = (self.text or self.photo_url or "").replace("\n", "⏎")
        return f"<ZaloMessage {self.method} {body[:70]!r}>"


@dataclass(eq=False)
class _Fault:
    method: str
    status: int
    times: int
    description: str | None


@dataclass(eq=False)
class WebhookDelivery:
    message_id: str
    status: int


class FakeZaloUser:
    """A Zalo user in a private chat with the bot. `send_*` queue an update (or POST it to the
    webhook) and return its message id."""

    def __init__(self, fake: FakeZaloBot, user_id: str, display_name: str) -> None:
        self._fake = fake
        self.id = user_id
        self.display_name = display_name

    @property
    def chat_id(self) -> str:
        return self.id  # in private chats chat.id == from.id (ZALO-NOTES §1.4)

    @property
    def inbox(self) -> list[ZaloMessage]:
        return self._fake.messages(self.id)

    @property
    def last(self) -> ZaloMessage:
        if not self.inbox:
            raise AssertionError(f"the bot has not sent anything to Zalo user {self.id}")
        return self.inbox[-1]

    def message(self, **content: Any) -> JSON:
        return {"message_id": uuid.uuid4().hex, "date": int(time.time() * 1000),
                "from": {"id": self.id, "display_name": self.display_name, "is_bot": False},
                "chat": {"id": self.id, "chat_type": "PRIVATE"}, **content}

    def send(self, event_name: str, **content: Any) -> str:
        return self._fake.enqueue({"event_name": event_name, "message": self.message(**content)})

    def send_text(self, text: str) -> str:
        return self.send("message.text.received", text=text)

    def send_link(self, url: str) -> str:
        return self.send("message.link.received", text=url)

    def send_image(self, data: bytes | None = None, *, key: str = "photo_url",
                   caption: str | None = None) -> str:
        """An image message; `key` "photo" is the documented field, "photo_url" the live one."""
        url = self._fake.host_image(data if data is not None else make_jpeg())
        content: JSON = {key: url}
        if caption:
            content["caption"] = caption
        return self.send("message.image.received", **content)

    def send_sticker(self) -> str:
        return self.send("message.sticker.received", sticker="bfe8a1a2c8e3",
                         url=f"{self._fake.base_url.removesuffix('/bot')}/sticker.webp")

    def send_voice(self, data: bytes | None = None) -> str:
        """A voice message: Zalo hands over `voice_url` (an .aac file on its CDN) and nothing
        of its length (ZALO-NOTES §1.4); without `data`, a URL that answers 404."""
        url = (self._fake.host_file(data, "aac") if data is not None
               else f"{self._fake.base_url.removesuffix('/bot')}/voice.aac")
        return self.send("message.voice.received", voice_url=url)

    def send_unsupported(self) -> str:
        """What a protected user's content, or a shared contact card, arrives as."""
        return self.send("message.unsupported.received")


class FakeZaloBot:
    def __init__(self, token: str = "1459232241454765289:fake-zalo-secret", *,
                 account_name: str = "bot.dvk_test", flat_webhooks: bool = False) -> None:
        self.token = token
        self.me: JSON = {"id": token.split(":", 1)[0], "account_name": account_name,
                         "account_type": "BASIC", "can_join_groups": False}
        self.flat_webhooks = flat_webhooks
        self.calls: list[RecordedCall] = []
        self.errors: list[RecordedCall] = []
        self.webhook: JSON | None = None
        self.webhook_target: str | None = None
        """Where webhook updates are really POSTed (the registered URL must be public https)."""
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._users: dict[str, FakeZaloUser] = {}
        self._messages: dict[str, list[ZaloMessage]] = {}
        self._queue: list[JSON] = []
        self._sent_updates: dict[str, JSON] = {}
        self._images: dict[str, bytes] = {}
        self._faults: list[_Fault] = []
        self._poller: asyncio.Future[None] | None = None
        self._changed = asyncio.Condition()
        self._new_update = asyncio.Event()
        self._closing = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._http: aiohttp.ClientSession | None = None
        self._pump: asyncio.Task | None = None
        self._methods = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "sendMessage": self._send_message,
            "sendPhoto": self._send_photo, "sendSticker": self._send_sticker,
            "sendVoice": self._send_voice,
            "sendChatAction": self._send_chat_action,
        }

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> FakeZaloBot:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/cdn/{name}", self._serve_image)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self

    async def stop(self) -> None:
        self._closing.set()
        self._new_update.set()
        if self._pump is not None:
            self._pump.cancel()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeZaloBot:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        assert self._port is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._port}/bot"

    # -- user side -------------------------------------------------------------------------

    def user(self, user_id: str | None = None, display_name: str = "Người dùng") -> FakeZaloUser:
        user_id = user_id or uuid.uuid4().hex[:16]
        if user_id not in self._users:
            self._users[user_id] = FakeZaloUser(self, user_id, display_name)
        return self._users[user_id]

    def host_image(self, data: bytes) -> str:
        return self.host_file(data, "jpg")

    def host_file(self, data: bytes, extension: str) -> str:
        name = f"{next(self._ids)}-{uuid.uuid4().hex[:8]}.{extension}"
        self._images[name] = data
        return f"{self.base_url.removesuffix('/bot')}/cdn/{name}"

    def enqueue(self, update: JSON) -> str:
        """Queue an update for getUpdates, or POST it to the webhook when one is set. Returns
        the message id ("" for an update without a message)."""
        update = copy.deepcopy(update)
        message_id = str((update.get("message") or {}).get("message_id", ""))
        if message_id:
            self._sent_updates[message_id] = copy.deepcopy(update)
        self._queue.append(update)
        self._new_update.set()
        if self.webhook is not None:
            self._start_pump()
        return message_id

    def redeliver(self, message_id: str) -> str:
        """Send an identical copy of an earlier update again (a retry)."""
        return self.enqueue(self._sent_updates[message_id])

    async def post_webhook(self, update: JSON, *, secret: str | None,
                           flat: bool | None = None, target: str | None = None) -> int:
        """POST one update to the webhook target as Zalo would; returns the HTTP status."""
        assert self._http is not None
        flat = self.flat_webhooks if flat is None else flat
        body = update if flat else {"ok": True, "result": update}
        headers = {} if secret is None else {SECRET_HEADER: secret}
        url = target or self.webhook_target or (self.webhook or {}).get("url")
        assert url, "no webhook target"
        async with self._http.post(url, json=body, headers=headers) as response:
            await response.read()
            return response.status

    async def post_webhook_raw(self, raw: bytes, *, secret: str | None) -> int:
        """POST bytes that are not an update (a broken or hostile sender) to the webhook."""
        assert self._http is not None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        url = self.webhook_target or (self.webhook or {}).get("url")
        assert url, "no webhook target"
        async with self._http.post(url, data=raw, headers=headers) as response:
            await response.read()
            return response.status

    def _start_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.ensure_future(self._pump_webhook())

    async def _pump_webhook(self) -> None:
        while self._queue and self.webhook is not None:
            update = self._queue.pop(0)
            message_id = str((update.get("message") or {}).get("message_id", ""))
            status = await self.post_webhook(update, secret=self.webhook["secret_token"])
            self.webhook_deliveries.append(WebhookDelivery(message_id, status))
            await self._notify()

    # -- bot side: what the bot did --------------------------------------------------------

    def messages(self, chat_id: str) -> list[ZaloMessage]:
        return self._messages.get(str(chat_id), [])

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for_message(self, chat_id: str, count: int = 1, timeout: float = 5.0, *,
                               since: int | None = None) -> list[ZaloMessage]:
        start = len(self.messages(chat_id)) if since is None else since
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(
                    lambda: len(self.messages(chat_id)) - start >= count)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} new message(s) in Zalo chat {chat_id}, got "
                f"{len(self.messages(chat_id)) - start}: {self.messages(chat_id)[start:]}\n"
                f"errors: {self.errors[-5:]}") from None
        return self.messages(chat_id)[start:]

    async def wait_for_call(self, method: str, timeout: float = 5.0) -> RecordedCall:
        start = len(self.calls)
        found: list[RecordedCall] = []

        def ready() -> bool:
            found[:] = [c for c in self.calls[start:] if c.method == method]
            return bool(found)

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(ready)
        return found[0]

    async def wait_until_polling(self, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self._poller is not None)

    def fail(self, method: str, status: int, *, times: int = 1,
             description: str | None = None) -> None:
        """The next `times` calls to `method` ("*": any) answer `status` (429: "Quota
        exceeded")."""
        self._faults.append(_Fault(method, status, times, description))

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        call = RecordedCall(method, await _read_params(request))
        if request.match_info["token"] != self.token:
            return await self._finish(call, _ApiError(401, "Unauthorized"))
        if method not in self._methods:
            return await self._finish(call, _ApiError(400, "Bad request - invalid API name"))
        for name in REQUIRED[method]:
            if call.params.get(name) in (None, ""):
                return await self._finish(call, _ApiError(400, f"{name} is required"))
        fault = next((f for f in self._faults if f.method in ("*", method)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            text = fault.description or {429: "Quota exceeded", 403: "Internal server error",
                                         404: "Not found"}.get(fault.status, "Error")
            return await self._finish(call, _ApiError(fault.status, text, simulated=True))
        try:
            result = await self._methods[method](call)
        except _ApiError as error:
            return await self._finish(call, error)
        body: JSON = {"ok": True} if result is _NO_RESULT else {"ok": True, "result": result}
        return await self._finish(call, body)

    async def _finish(self, call: RecordedCall, outcome: JSON | _ApiError) -> web.Response:
        if isinstance(outcome, _ApiError):
            call.status = outcome.status
            call.response = {"ok": False, "error_code": outcome.status,
                             "description": outcome.description}
            if not outcome.simulated and outcome.status not in (408, 409):
                self.errors.append(call)
        else:
            call.status, call.response = 200, outcome
        self.calls.append(call)
        await self._notify()
        return web.json_response(call.response, status=call.status)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _serve_image(self, request: web.Request) -> web.StreamResponse:
        data = self._images.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        kind = mimetypes.guess_type(request.match_info["name"])[0] or "application/octet-stream"
        return web.Response(body=data, content_type=kind)

    # -- methods ---------------------------------------------------------------------------

    async def _get_me(self, call: RecordedCall) -> JSON:
        return dict(self.me)

    async def _get_updates(self, call: RecordedCall) -> JSON:
        if self.webhook is not None:
            raise _ApiError(400, "Bad request - webhook is active, call deleteWebhook first")
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)  # a newer poll ends the earlier one with 409
        ended = asyncio.get_running_loop().create_future()
        self._poller = ended
        await self._notify()
        try:
            timeout = float(call.params.get("timeout") or 30)
        except ValueError:
            raise _ApiError(400, "timeout must be a number") from None
        try:
            async with asyncio.timeout(timeout):
                while not self._queue:
                    self._new_update.clear()
                    waiter = asyncio.ensure_future(self._new_update.wait())
                    await asyncio.wait({waiter, ended}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    if ended.done() or self._closing.is_set():
                        raise _ApiError(409, "Conflict: terminated by another getUpdates")
        except TimeoutError:
            raise _ApiError(408, "Request timeout") from None
        finally:
            if self._poller is ended:
                self._poller = None
        return self._queue.pop(0)

    async def _set_webhook(self, call: RecordedCall) -> JSON:
        url, secret = str(call.params["url"]), str(call.params["secret_token"])
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.hostname or _private(parsed.hostname):
            raise _ApiError(400, "url must be a public https URL")
        if not 8 <= len(secret) <= 256:
            raise _ApiError(400, "secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret,
                        "updated_at": int(time.time() * 1000)}
        if self._queue:
            self._start_pump()
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _delete_webhook(self, call: RecordedCall) -> JSON:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _get_webhook_info(self, call: RecordedCall) -> JSON:
        hook = self.webhook or {"url": "", "updated_at": 0}
        return {"url": hook["url"], "updated_at": hook["updated_at"]}

    async def _send_message(self, call: RecordedCall) -> JSON:
        text = str(call.params["text"])
        if not 1 <= len(text) <= MAX_TEXT:
            raise _ApiError(400, f"text must be 1-{MAX_TEXT} characters")
        return self._store(ZaloMessage(str(call.params["chat_id"]), "", "sendMessage", text))

    async def _send_photo(self, call: RecordedCall) -> JSON:
        caption = call.params.get("caption")
        if caption is not None and not 1 <= len(str(caption)) <= MAX_TEXT:
            raise _ApiError(400, f"caption must be 1-{MAX_TEXT} characters")
        url = str(call.params["photo"])
        data = await self._fetch_image(url)
        return self._store(ZaloMessage(str(call.params["chat_id"]), "", "sendPhoto",
                                       caption, url, data))

    async def _send_voice(self, call: RecordedCall) -> JSON:
        """sendVoice takes `voice_url`, an .aac file Zalo fetches (ZALO-NOTES §1.3): here a URL
        that cannot be fetched or is not AAC (an ADTS stream) is a 400, to fail the test."""
        url = str(call.params["voice_url"])
        data = await self._fetch(url, "voice_url")
        if len(data) < 2 or data[0] != 0xFF or data[1] & 0xF0 != 0xF0:
            raise _ApiError(400, "voice_url is not an .aac file")
        return self._store(ZaloMessage(str(call.params["chat_id"]), "", "sendVoice",
                                       voice_url=url, voice_bytes=data))

    async def _send_sticker(self, call: RecordedCall) -> JSON:
        return self._store(ZaloMessage(str(call.params["chat_id"]), "", "sendSticker",
                                       str(call.params["sticker"])))

    async def _send_chat_action(self, call: RecordedCall) -> object:
        if call.params["action"] not in ("typing", "upload_photo"):
            raise _ApiError(400, "action must be typing")
        return _NO_RESULT

    async def _fetch(self, url: str, what: str) -> bytes:
        assert self._http is not None
        try:
            async with self._http.get(url) as response:
                data = await response.read()
                status = response.status
        except aiohttp.ClientError:
            raise _ApiError(400, f"{what} cannot be fetched") from None
        if status != 200:
            raise _ApiError(400, f"{what} answered {status}")
        return data

    async def _fetch_image(self, url: str) -> bytes:
        """Zalo fetches the photo URL itself; here a broken link is a 400, to fail the test."""
        data = await self._fetch(url, "photo url")
        try:
            Image.open(io.BytesIO(data)).verify()
        except Exception:
            raise _ApiError(400, "photo url is not an image") from None
        return data

    def _store(self, message: ZaloMessage) -> JSON:
        message.message_id = uuid.uuid4().hex
        self._messages.setdefault(message.chat_id, []).append(message)
        return {"message_id": message.message_id, "date": int(time.time() * 1000)}


_NO_RESULT = object()


async def _read_params(request: web.Request) -> JSON:
    params: JSON = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def make_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small, unique JPEG (its first pixel carries a counter)."""
    n = next(_jpeg_counter)
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    image.putpixel((0, 0), (n % 256, (n // 256) % 256, 9))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


_jpeg_counter = itertools.count(1)
