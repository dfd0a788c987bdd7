"""A fake Zalo Official Account API and OAuth server for end-to-end tests (ZALO-NOTES §2).

A real HTTP server on 127.0.0.1, so our aiohttp clients are exercised unchanged. It reads time
from the test's injected clock, so moving the clock expires access tokens and closes windows.
What it models:

* OAuth (`/v4/oa/permission`, `/v4/oa/access_token`): the consent page redirects with a code
  bound to a PKCE challenge; codes last 10 minutes and work once; refresh tokens work once
  (a reused one answers `-14020`, an unknown one `-14014`); each grant returns a new pair with
  `expires_in` as a string; the app's `secret_key` header is required;
* the API (`/v3.0/oa/message/cs`, `/v2.0/oa/upload/image`, `/v2.0/oa/upload/file`): the
  `access_token` header (unknown or expired → `-216`), success as HTTP 200 with `error: 0`,
  message shapes (text 1-2,000 characters, at most 5 buttons with short titles and string
  payloads of at most 1,000 characters, media by a known attachment id, `request_user_info`
  cards, files by a known token), the 7-day window (`-230`, or `-232` on a flag), followers
  (`-213`), an optional quota (`-211`), and injected faults (`fail(path, code)`: an error
  code, or an HTTP 5xx from the gateway);
* a user side: `fake.user(id)` sends correctly signed webhook events to our server (text,
  button taps, images, locations, files, stickers, submitted phone numbers, follow/unfollow)
  and reads what the OA sent back. The signature is computed here independently of our code.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from handlers.clock import Clock

JSON = dict[str, Any]
MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_PAYLOAD = 1000
BUTTON_TYPES = {"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone", "oa.open.sms"}
INVALID_TOKEN = -216
NOT_FOLLOWER = -213
OUT_OF_QUOTA = -211
OUTSIDE_WINDOW, INTERACTION_EXPIRED = -230, -232
REFRESH_REUSED, REFRESH_UNKNOWN = -14020, -14014


@dataclass
class OAMessage:
    """What the OA sent a user, as the user sees it."""

    text: str | None = None
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    image: bytes | None = None
    card: str | None = None  # "request_user_info"
    file_name: str | None = None
    file: bytes | None = None
    raw: JSON = field(default_factory=dict, repr=False)

    @property
    def titles(self) -> list[str]:
        return [title for title, _ in self.buttons]


@dataclass
class _Fault:
    path: str
    code: int
    message: str
    times: int


class FakeOAUser:
    def __init__(self, fake: FakeZaloOA, user_id: str, name: str) -> None:
        self.fake = fake
        self.id = user_id
        self.name = name
        self.inbox: list[OAMessage] = []
        self.following = True
        self.last_interaction: datetime | None = None
        self.statuses: list[int] = []
        """HTTP status of each webhook POST made for this user."""

    @property
    def last(self) -> OAMessage:
        return self.inbox[-1]

    def texts(self, since: int = 0) -> str:
        return "\n---\n".join(
            m.text or f"[{m.card or ('image' if m.image else m.file_name)}]"
            for m in self.inbox[since:])

    # -- what a person does ------------------------------------------------------------------

    async def send_text(self, text: str) -> str:
        return await self._message("user_send_text", {"text": text})

    async def tap(self, title: str) -> str:
        """Tap a button of the latest message that has buttons, by its exact title."""
        with_buttons = next((m for m in reversed(self.inbox) if m.buttons), None)
        assert with_buttons is not None, "no message with buttons"
        found = [payload for shown, payload in with_buttons.buttons if shown == title]
        assert len(found) == 1, f"no single button {title!r} in {with_buttons.titles}"
        return await self.send_text(found[0])

    async def send_image(self, data: bytes, *, count: int = 1, caption: str = "") -> str:
        attachments = []
        for _ in range(count):
            url = self.fake.host_file(data)
            attachments.append({"type": "image", "payload": {"url": url, "thumbnail": url}})
        return await self._message("user_send_image", {"text": caption,
                                                       "attachments": attachments})

    async def send_location(self, latitude: float, longitude: float, name: str = "") -> str:
        coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
        return await self._message("user_send_location", {"text": name, "attachments": [
            {"type": "location", "payload": {"coordinates": coordinates}}]})

    async def send_file(self, name: str, data: bytes) -> str:
        url = self.fake.host_file(data)
        return await self._message("user_send_file", {"attachments": [
            {"type": "file", "payload": {"url": url, "name": name, "size": str(len(data))}}]})

    async def send_audio(self, data: bytes) -> str:
        """A voice message: `user_send_audio` with the recording's URL on Zalo's CDN (the
        attachment read like an image's or a file's `payload.url`; ZALO-NOTES §2.2)."""
        url = self.fake.host_file(data)
        return await self._message("user_send_audio", {"attachments": [
            {"type": "audio", "payload": {"url": url}}]})

    async def send_video(self, data: bytes) -> str:
        """A video: `user_send_video` with the file's URL on Zalo's CDN and a thumbnail, the
        attachment read like an image's `payload.url` (ZALO-NOTES §2.2; the payload's other
        fields are UNVERIFIED)."""
        url = self.fake.host_file(data)
        return await self._message("user_send_video", {"attachments": [
            {"type": "video", "payload": {"url": url, "thumbnail": url + "?thumb"}}]})

    async def send_sticker(self) -> str:
        return await self._message("user_send_sticker", {"attachments": [
            {"type": "sticker", "payload": {"id": "abc", "url": "https://example.invalid/s"}}]})

    async def submit_info(self, phone: str, name: str | None = None) -> str:
        """Answer the latest `request_user_info` card (the user must have received one)."""
        assert any(m.card == "request_user_info" for m in self.inbox), "no card to answer"
        info = {"name": name or self.name, "phone": phone, "address": "", "city": "",
                "district": "", "ward": ""}
        return await self.fake.post_event(self, "user_submit_info", {"info": info})

    async def follow(self) -> str:
        self.following = True
        return await self.fake.post_event(self, "follow", {"follower": {"id": self.id},
                                                           "source": "oa_profile"})

    async def unfollow(self) -> str:
        self.following = False
        return await self.fake.post_event(self, "unfollow", {"follower": {"id": self.id}})

    async def _message(self, event_name: str, message: JSON) -> str:
        message = {"msg_id": self.fake.next_msg_id(), **message}
        return await self.fake.post_event(self, event_name, {"message": message})


class FakeZaloOA:
    def __init__(self, clock: Clock, *, app_id: str = "4180943527716350641",
                 app_secret: str = "fake-app-secret", secret_key: str = "fake-oa-secret-key",
                 oa_id: str = "579745863508352884", access_ttl: int = 90_000,
                 window: timedelta = timedelta(days=7), title_max: int = 20,
                 upload_max_bytes: int = 1_000_000) -> None:
        self.clock = clock
        self.app_id, self.app_secret, self.secret_key, self.oa_id = (
            app_id, app_secret, secret_key, oa_id)
        self.access_ttl = access_ttl
        self.window = window
        self.title_max = title_max
        self.upload_max_bytes = upload_max_bytes
        self.webhook_url: str | None = None
        self.window_code = OUTSIDE_WINDOW
        self.quota: int | None = None
        """Messages the OA may still send (None: no limit); at 0 sends answer -211."""
        self.users: dict[str, FakeOAUser] = {}
        self.access_tokens: dict[str, datetime] = {}
        self.refresh_tokens: dict[str, bool] = {}  # token → still usable
        self.refresh_calls: list[str] = []
        self.refresh_gate: asyncio.Event | None = None
        """When set, refresh answers wait for it (to make two refreshes overlap)."""
        self.refresh_started = asyncio.Event()
        self.download_gate: asyncio.Event | None = None
        """When set, downloads of files users sent wait for it (a slow Zalo CDN)."""
        self.errors: list[str] = []
        """Malformed requests from our client (a test should see none)."""
        self.sent: list[tuple[str, JSON]] = []
        self.rejected: list[tuple[str, int]] = []  # (user id, error code) of refused sends
        self._codes: dict[str, tuple[str, datetime, bool]] = {}  # code → challenge, issued, used
        self._uploads: dict[str, bytes] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # token → (file name, bytes)
        self._hosted: dict[str, bytes] = {}
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    # -- life cycle --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeZaloOA:
        app = web.Application()
        app.router.add_get("/v4/oa/permission", self._permission)
        app.router.add_post("/v4/oa/access_token", self._access_token)
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/image", self._upload_image)
        app.router.add_post("/v2.0/oa/upload/file", self._upload_file)
        app.router.add_get("/hosted/{name}", self._hosted_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, refresh_token: str | None = None) -> JSON:
        """Settings that point the bot at this fake."""
        values: JSON = {"zalo_oa_app_id": self.app_id, "zalo_oa_app_secret": self.app_secret,
                        "zalo_oa_secret_key": self.secret_key,
                        "zalo_oa_api_base_url": self.base_url,
                        "zalo_oa_oauth_base_url": self.base_url}
        if refresh_token:
            values["zalo_oa_refresh_token"] = refresh_token
        return values

    # -- the test's controls -----------------------------------------------------------------

    def user(self, user_id: str = "8431756230985132475", name: str = "Lan") -> FakeOAUser:
        self.users[user_id] = FakeOAUser(self, user_id, name)
        return self.users[user_id]

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens[token] = True
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working now (as if 25 hours went by)."""
        for token in self.access_tokens:
            self.access_tokens[token] = self.clock.now() - timedelta(seconds=1)

    def fail(self, path: str, code: int, message: str = "injected", *, times: int = 1) -> None:
        self._faults.append(_Fault(path, code, message, times))

    def host_file(self, data: bytes) -> str:
        name = secrets.token_hex(8)
        self._hosted[name] = data
        return f"{self.base_url}/hosted/{name}"

    def next_msg_id(self) -> str:
        return secrets.token_hex(16)

    def uploaded(self, attachment_id: str) -> bytes:
        return self._uploads[attachment_id]

    # -- the user side: signed webhook events ------------------------------------------------

    def event(self, user: FakeOAUser, event_name: str, extra: JSON) -> JSON:
        timestamp = str(int(self.clock.now().timestamp() * 1000))
        return {"app_id": self.app_id, "user_id_by_app": f"app-{user.id}",
                "event_name": event_name, "timestamp": timestamp,
                "sender": {"id": user.id}, "recipient": {"id": self.oa_id}, **extra}

    def sign(self, raw: bytes, timestamp: str) -> str:
        digest = hashlib.sha256(self.app_id.encode() + raw + timestamp.encode()
                                + self.secret_key.encode()).hexdigest()
        return f"mac={digest}"

    async def post_event(self, user: FakeOAUser, event_name: str, extra: JSON) -> str:
        """POST one signed event to our webhook; returns the event's key (its msg_id, or the
        key our side derives for events without one)."""
        event = self.event(user, event_name, extra)
        raw = json.dumps(event, ensure_ascii=False).encode()
        status = await self.post_raw(raw, self.sign(raw, event["timestamp"]))
        user.statuses.append(status)
        if status == 200 and event_name.startswith(("user_", "follow")):
            user.last_interaction = self.clock.now()
        message = event.get("message") or {}
        return message.get("msg_id") or f"{event_name}:{user.id}:{event['timestamp']}"

    async def post_raw(self, raw: bytes, signature: str | None) -> int:
        assert self.webhook_url and self._session is not None, "set fake.webhook_url first"
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-ZEvent-Signature"] = signature
        async with self._session.post(self.webhook_url, data=raw, headers=headers) as response:
            return response.status

    # -- OAuth -------------------------------------------------------------------------------

    async def _permission(self, request: web.Request) -> web.Response:
        """The consent page, already consented: redirect back with a code."""
        query = request.query
        if query.get("app_id") != self.app_id or not query.get("code_challenge"):
            return web.Response(status=400, text="bad app_id or code_challenge")
        code = "code-" + secrets.token_urlsafe(16)
        self._codes[code] = (query["code_challenge"], self.clock.now(), False)
        location = query["redirect_uri"] + "?" + urlencode(
            {"oa_id": self.oa_id, "code": code, "state": query.get("state", "")})
        raise web.HTTPFound(location)

    async def _access_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.headers.get("secret_key") != self.app_secret or (
                form.get("app_id") != self.app_id):
            return _oauth_error(-14002, "Invalid app_id or secret_key")
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            token = str(form.get("refresh_token") or "")
            self.refresh_calls.append(token)
            self.refresh_started.set()
            if self.refresh_gate is not None:
                await self.refresh_gate.wait()
            usable = self.refresh_tokens.get(token)
            if usable is None:
                return _oauth_error(REFRESH_UNKNOWN, "Invalid refresh token")
            if not usable:
                return _oauth_error(REFRESH_REUSED, "Refresh token has been used")
            self.refresh_tokens[token] = False
            return self._new_pair()
        if grant_type == "authorization_code":
            found = self._codes.get(str(form.get("code") or ""))
            if found is None:
                return _oauth_error(-14019, "Invalid authorization code")
            challenge, issued, used = found
            verifier = str(form.get("code_verifier") or "")
            expected = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if used or self.clock.now() - issued > timedelta(minutes=10):
                return _oauth_error(-14019, "Authorization code expired or used")
            if expected != challenge:
                return _oauth_error(-14022, "Invalid code verifier")
            self._codes[str(form["code"])] = (challenge, issued, True)
            return self._new_pair()
        return _oauth_error(-14003, "Invalid grant_type")

    def _new_pair(self) -> web.Response:
        access = "at-" + secrets.token_urlsafe(32)
        self.access_tokens[access] = self.clock.now() + timedelta(seconds=self.access_ttl)
        refresh = self.issue_refresh_token()
        return web.json_response({"access_token": access, "refresh_token": refresh,
                                  "expires_in": str(self.access_ttl)})

    # -- the API -----------------------------------------------------------------------------

    def _check_token(self, request: web.Request) -> web.Response | None:
        expires = self.access_tokens.get(request.headers.get("access_token", ""))
        if expires is None or expires <= self.clock.now():
            return _api_error(INVALID_TOKEN, "Access token is invalid")
        return None

    def _fault(self, path: str) -> web.Response | None:
        for fault in self._faults:
            if fault.path == path and fault.times > 0:
                fault.times -= 1
                return _api_error(fault.code, fault.message)
        return None

    async def _send(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await request.json()
        user_id = str((body.get("recipient") or {}).get("user_id") or "")
        user = self.users.get(user_id)
        if user is None:
            return self._malformed(f"unknown user {user_id!r}")
        if (fault := self._fault("/v3.0/oa/message/cs")) is not None:
            self.rejected.append((user_id, json.loads(fault.text)["error"]))
            return fault
        if not user.following:
            self.rejected.append((user_id, NOT_FOLLOWER))
            return _api_error(NOT_FOLLOWER, "User has not followed the OA")
        if user.last_interaction is None or (
                self.clock.now() - user.last_interaction > self.window):
            self.rejected.append((user_id, self.window_code))
            return _api_error(self.window_code, "User has not interacted with the OA in the "
                                                "past 7 days")
        if self.quota is not None:
            if self.quota <= 0:
                self.rejected.append((user_id, OUT_OF_QUOTA))
                return _api_error(OUT_OF_QUOTA, "Out of quota")
            self.quota -= 1
        try:
            message = self._read_message(body.get("message"))
        except ValueError as problem:
            return self._malformed(str(problem))
        user.inbox.append(message)
        self.sent.append((user_id, body["message"]))
        message_id = f"m{next(self._ids)}"
        return web.json_response({"error": 0, "message": "Success", "data": {
            "message_id": message_id, "user_id": user_id,
            "sent_time": str(int(self.clock.now().timestamp() * 1000))}})

    def _read_message(self, message: Any) -> OAMessage:
        if not isinstance(message, dict):
            raise ValueError("message must be an object")
        text = message.get("text")
        if text is not None and not (isinstance(text, str) and 1 <= len(text) <= MAX_TEXT):
            raise ValueError(f"text must be 1-{MAX_TEXT} characters")
        attachment = message.get("attachment")
        if attachment is None:
            if text is None:
                raise ValueError("message needs text or an attachment")
            return OAMessage(text=text, raw=message)
        kind, payload = attachment.get("type"), attachment.get("payload") or {}
        if kind == "file":
            found = self._files.get(payload.get("token", ""))
            if found is None:
                raise ValueError("unknown file token")
            name, data = found
            return OAMessage(text=text, file_name=name, file=data, raw=message)
        if kind != "template":
            raise ValueError(f"unknown attachment type {kind!r}")
        template = payload.get("template_type")
        if template == "media":
            [element] = payload.get("elements") or [None]
            if not isinstance(element, dict) or element.get("media_type") != "image":
                raise ValueError("media template needs one image element")
            data = self._uploads.get(element.get("attachment_id", ""))
            if data is None:
                raise ValueError("unknown attachment_id")
            return OAMessage(text=text, image=data, raw=message)
        if template == "request_user_info":
            [element] = payload.get("elements") or [None]
            if not isinstance(element, dict) or not element.get("title"):
                raise ValueError("request_user_info needs an element with a title")
            return OAMessage(text=text, card="request_user_info", raw=message)
        buttons = payload.get("buttons")
        if template is not None or not isinstance(buttons, list) or not buttons:
            raise ValueError("template needs a template_type or buttons")
        if len(buttons) > MAX_BUTTONS:
            raise ValueError(f"at most {MAX_BUTTONS} buttons")
        read = []
        for button in buttons:
            title, kind, value = button.get("title"), button.get("type"), button.get("payload")
            if kind not in BUTTON_TYPES:
                raise ValueError(f"unknown button type {kind!r}")
            if not isinstance(title, str) or not 1 <= len(title) <= self.title_max:
                raise ValueError(f"button title must be 1-{self.title_max} characters")
            if not isinstance(value, str) or not 1 <= len(value) <= MAX_PAYLOAD:
                raise ValueError(f"button payload must be 1-{MAX_PAYLOAD} characters")
            read.append((title, value))
        return OAMessage(text=text, buttons=read, raw=message)

    async def _upload_image(self, request: web.Request) -> web.Response:
        return await self._upload(request, images=True)

    async def _upload_file(self, request: web.Request) -> web.Response:
        return await self._upload(request, images=False)

    async def _upload(self, request: web.Request, *, images: bool) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        if (fault := self._fault(request.path)) is not None:
            return fault
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return self._malformed("multipart field `file` is required")
        data = upload.file.read()
        if images and len(data) > self.upload_max_bytes:
            return _api_error(-210, "Image size exceeds the limit")
        ident = secrets.token_hex(12)
        if images:
            self._uploads[ident] = data
        else:
            self._files[ident] = (upload.filename, data)
        key = "attachment_id" if images else "token"
        return web.json_response({"error": 0, "message": "Success", "data": {key: ident}})

    async def _hosted_file(self, request: web.Request) -> web.Response:
        if self.download_gate is not None:
            await self.download_gate.wait()
        data = self._hosted.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/jpeg")

    def _malformed(self, problem: str) -> web.Response:
        self.errors.append(problem)
        return _api_error(-201, f"Parameters are invalid: {problem}")


def _api_error(code: int, message: str) -> web.Response:
    if code >= 500:  # the gateway in front of the API is in trouble: an HTTP error, no JSON
        return web.Response(status=code, text="<html><body>Service Unavailable</body></html>",
                            content_type="text/html")
    return web.json_response({"error": code, "message": message})


def _oauth_error(code: int, description: str) -> web.Response:
    return web.json_response({"error": code, "error_name": "Invalid parameter",
                              "error_reason": description, "error_description": description})
