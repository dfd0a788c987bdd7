"""The fake Bot API server: its HTTP routes, getUpdates and webhooks, faults and rate limits,
and the assertion helpers tests use. Sending, files and checks are mixed in from their modules."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

from tests.fakes.telegram_api.checks import Checks
from tests.fakes.telegram_api.common import (
    _RAW_STRING_FIELDS,
    JSON,
    MAX_FILE_UPLOAD,
    ChatKey,
    _ApiError,
    _bad,
    _error_body,
    _now,
)
from tests.fakes.telegram_api.files import (
    FileStore,
    _StoredFile,
)
from tests.fakes.telegram_api.messages import Messaging
from tests.fakes.telegram_api.records import (
    BotMessage,
    RecordedCall,
    UploadedFile,
    _FaultRule,
    _Queued,
)
from tests.fakes.telegram_api.users import FakeUser, _chat_key


# --------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------
def _decode_field(name: str, value: str) -> Any:
    """PTB sends non-string values JSON-encoded inside form fields."""
    if name in _RAW_STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    params: JSON = {k: _decode_field(k, v) for k, v in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _bad("request body must be a JSON object")
            params.update(body)
        else:  # application/x-www-form-urlencoded or multipart/form-data
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = _decode_field(key, str(value))
    for key, uploaded in files.items():
        params.setdefault(key, uploaded)
    if params.get("chat_id") not in (None, ""):
        params["chat_id"] = _chat_key(params["chat_id"])
    return params, files


_DEFAULT_FAULT_TEXT = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
}

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------
class FakeTelegram(Messaging, FileStore, Checks):
    """The fake Bot API server plus the user-side and assertion helpers.

    Args:
        token: the only token accepted (others get 401).
        global_rate / per_chat_rate: if set, sends beyond this many per sliding
            second (all chats / one chat) get 429 with ``retry_after``.
        strict_chats: if True, sending to a chat no ``user()`` created is
            "400 chat not found"; otherwise such chats are created on the fly.
        strict_html_ampersand: see ``telegram_html_to_text``.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "dvk_test_bot",
        bot_first_name: str = "Dân Vận Khéo (test)",
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        strict_chats: bool = False,
        strict_html_ampersand: bool = True,
    ) -> None:
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.strict_chats = strict_chats
        self.strict_html_ampersand = strict_html_ampersand

        # bot side: what the bot did
        self.calls: list[RecordedCall] = []
        self.errors: list[RecordedCall] = []
        self.n429 = 0
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[ChatKey | None, JSON] = {}
        self.profile: JSON = {"name": bot_first_name, "description": "", "short_description": ""}
        self.webhook: JSON | None = None

        # chats & messages
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[ChatKey, JSON] = {}
        self._blocked: set[ChatKey] = set()
        self._next_mid: dict[ChatKey, int] = {}
        self._bot_messages: dict[ChatKey, list[BotMessage]] = {}
        self._chat_waiters: dict[ChatKey, list[asyncio.Future[None]]] = {}
        self._message_index: dict[tuple[ChatKey, int], BotMessage] = {}
        self._user_messages: dict[tuple[ChatKey, int], JSON] = {}
        self._callbacks: dict[str, tuple[int, ChatKey]] = {}  # query id -> (update_id, chat)

        # updates
        self._update_seq = 0
        self._all_updates: dict[int, JSON] = {}
        self._queue: list[_Queued] = []
        self._delivery_count: dict[int, int] = {}
        self.waiting_pollers = 0

        # files
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._media_group_seq = itertools.count(13_000_000_000_000_001)
        self._callback_seq = itertools.count(4_200_000_000_000_000_001)

        # faults and rates
        self._faults: list[_FaultRule] = []
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[ChatKey, deque[float]] = {}

        # async plumbing (asyncio primitives bind to the running loop on first use)
        self._changed = asyncio.Condition()
        self._new_updates = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._methods: dict[str, Callable[[RecordedCall], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyName": self._set_profile("name"),
            "setMyDescription": self._set_profile("description"),
            "setMyShortDescription": self._set_profile("short_description"),
            "getMyName": self._get_profile("name"),
            "getMyDescription": self._get_profile("description"),
            "getMyShortDescription": self._get_profile("short_description"),
            "logOut": self._true,
            "close": self._true,
            "getChat": self._get_chat,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendMediaGroup": self._send_media_group,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }
        # Telegram method names are case-insensitive.
        self._method_names = {name.lower(): name for name in self._methods}

    # ==================================================================================
    # lifecycle
    # ==================================================================================
    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=MAX_FILE_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a client that gives up (timeout, PTB stopping its
        # poller) cancels the handler, so a long poll never "delivers" to nobody.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Release long polls and hung requests, then close the server."""
        self._closing.set()
        self._new_updates.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def bot_kwargs(self) -> JSON:
        return {
            "token": self.token,
            "base_url": self.base_url,
            "base_file_url": self.file_base_url,
        }

    def bot(self, **kwargs: Any) -> Bot:
        """A real ``telegram.Bot`` pointed at this fake (use ``async with bot:``)."""
        from telegram import Bot

        return Bot(**self.bot_kwargs(), **kwargs)

    def application_builder(self) -> ApplicationBuilder:
        """A real ``ApplicationBuilder`` with token, base_url and base_file_url set."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.file_base_url)
        )

    # ==================================================================================
    # user side
    # ==================================================================================
    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """The user with this id (created on first call) and its private chat."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = user
        self._chats[user_id] = user.chat()
        return user

    def enqueue(self, update: JSON) -> int:
        """Queue a raw update; a missing ``update_id`` gets the next one.  Returns it."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            update_id = int(update["update_id"])
            self._update_seq = max(self._update_seq, update_id)
        else:
            self._update_seq += 1
            update_id = self._update_seq
            update = {"update_id": update_id, **update}
        self._all_updates[update_id] = copy.deepcopy(update)
        self._queue.append(_Queued(update))
        self._new_updates.set()
        return update_id

    def raw_update(self, update_id: int) -> JSON:
        """A copy of the update as it was queued."""
        return copy.deepcopy(self._all_updates[update_id])

    def redeliver(self, update_id: int) -> int:
        """Queue an identical copy of an earlier update (Telegram/webhook retry).

        The copy is served even though the bot's offset is already past it.
        """
        self._queue.append(_Queued(self.raw_update(update_id), forced=True))
        self._new_updates.set()
        return update_id

    @property
    def pending_updates(self) -> list[int]:
        """update_ids queued and not yet confirmed by an offset."""
        return [q.update_id for q in self._queue]

    def file_bytes(self, file_id: str) -> bytes | None:
        stored = self._files.get(file_id)
        return None if stored is None else stored.data

    # ==================================================================================
    # bot side: assertions
    # ==================================================================================
    def messages(self, chat_id: Any, *, include_deleted: bool = True) -> list[BotMessage]:
        """Everything the bot showed in this chat, in order (album items one by one)."""
        msgs = self._bot_messages.get(_chat_key(chat_id), [])
        return [m for m in msgs if include_deleted or not m.deleted]

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def answer_for(self, update_id: int) -> JSON | None:
        """The answerCallbackQuery params for the callback query in that update."""
        query = self._all_updates.get(update_id, {}).get("callback_query")
        return None if query is None else self.callback_answers.get(query["id"])

    async def wait_for_message(
        self,
        chat_id: Any,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[BotMessage]:
        """Wait until ``count`` new messages arrived in the chat; return all new ones.

        "New" means after index ``since`` in ``messages(chat_id)``, by default the
        number of messages when this call started.  On timeout raises
        ``AssertionError`` describing what did arrive and any errors.
        """
        key = _chat_key(chat_id)
        start = len(self.messages(key)) if since is None else since

        def ready() -> bool:
            return len(self._bot_messages.get(key, [])) - start >= count

        # Waiters are kept per chat, so a message wakes only those waiting on its chat
        # (with hundreds of simulated users, one shared condition would wake them all).
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    woken = asyncio.get_running_loop().create_future()
                    self._chat_waiters.setdefault(key, []).append(woken)
                    await woken
        except TimeoutError:
            raise AssertionError(
                f"expected {count} new message(s) in chat {key} within {timeout}s, got "
                f"{len(self.messages(key)) - start}\n" + self.dump(key, since=start)
            ) from None
        return self.messages(key)[start:]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> RecordedCall:
        """Wait for a completed call to ``method`` (matching ``predicate``) after index
        ``since`` in ``calls`` (default: calls completed after this call started)."""
        start = len(self.calls) if since is None else since
        found: list[RecordedCall] = []

        def ready() -> bool:
            for call in self.calls[start:]:
                if call.method == method and (predicate is None or predicate(call)):
                    found.append(call)
                    return True
            return False

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(ready)
        except TimeoutError:
            seen = "\n".join(f"  {c!r}" for c in self.calls[start:][-20:]) or "  (none)"
            raise AssertionError(
                f"no matching {method} call within {timeout}s; calls seen:\n{seen}"
            ) from None
        return found[0]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0, *,
                         what: str = "the condition") -> None:
        """Wait until ``condition()`` holds, checked again after every call the fake answers
        (a count across chats, a keyboard that may come in a new message or by an edit)."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            raise AssertionError(f"not within {timeout}s: {what}") from None

    async def delivered(self, update_id: int, timeout: float = 5.0, *, times: int = 1) -> None:
        """Wait until a getUpdates response has carried this update ``times`` times."""

        def ready() -> bool:
            return self._delivery_count.get(update_id, 0) >= times

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(ready)
        except TimeoutError:
            raise AssertionError(
                f"update {update_id} not fetched by getUpdates within {timeout}s "
                f"(pending: {self.pending_updates}, pollers waiting: {self.waiting_pollers})"
            ) from None

    async def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Wait until some getUpdates long poll is parked waiting for updates."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self.waiting_pollers > 0)
        except TimeoutError:
            raise AssertionError(f"nobody long-polled getUpdates within {timeout}s") from None

    def dump(self, chat_id: Any = None, *, since: int = 0) -> str:
        """Readable state for failure messages: chat messages, errors, recent calls."""
        lines: list[str] = []
        if chat_id is not None:
            key = _chat_key(chat_id)
            msgs = self.messages(key)
            lines.append(f"messages in chat {key} (from index {since}):")
            lines += [f"  [{i}] {m!r}" for i, m in enumerate(msgs) if i >= since] or ["  (none)"]
            calls = [c for c in self.calls if c.chat_id == key][-10:]
        else:
            calls = self.calls[-10:]
        lines.append("errors (4xx the fake returned):")
        lines += [f"  {c!r}" for c in self.errors[-10:]] or ["  (none)"]
        lines.append("recent calls:")
        lines += [f"  {c!r}" for c in calls] or ["  (none)"]
        return "\n".join(lines)

    # ==================================================================================
    # fault injection
    # ==================================================================================
    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: Any = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` ("*" = any) fail with ``status``.

        429 carries ``parameters.retry_after`` (default 1); 403 says the bot was
        blocked; 502/504 answer an nginx HTML page (PTB: NetworkError); status 0
        never answers until the client gives up or the fake stops.  Rules are
        used in the order they were added; ``chat_id`` limits a rule to one chat.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            _FaultRule(
                method,
                status,
                times,
                retry_after,
                None if chat_id is None else _chat_key(chat_id),
                description,
            )
        )

    def _take_fault(self, call: RecordedCall) -> _FaultRule | None:
        for rule in self._faults:
            if rule.matches(call):
                rule.times -= 1
                if rule.times <= 0:
                    self._faults.remove(rule)
                return rule
        return None

    def _admit_send(self, chat: ChatKey, n: int = 1) -> None:
        """Sliding one-second windows; an idle window always admits (bursts of albums)."""
        now = time.monotonic()
        waits: list[float] = []
        windows: list[tuple[deque[float], float]] = []
        if self.global_rate is not None:
            windows.append((self._global_window, self.global_rate))
        if self.per_chat_rate is not None:
            windows.append((self._chat_windows.setdefault(chat, deque()), self.per_chat_rate))
        for window, rate in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if window and len(window) + n > rate:
                # when enough of the window expires for this send to fit
                idx = min(len(window) - 1, max(0, len(window) + n - int(rate) - 1))
                waits.append(window[idx] + 1.0 - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
                simulated=True,
            )
        for window, _ in windows:
            window.extend([now] * n)

    # ==================================================================================
    # HTTP layer
    # ==================================================================================
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        raw_method = request.match_info["method"]
        method = self._method_names.get(raw_method.lower(), raw_method)
        try:
            params, files = await _read_params(request)
        except _ApiError as exc:
            call = RecordedCall(method, {}, None, arrived)
            return await self._finish(call, exc.status, _error_body(exc.status, exc.description))
        except ValueError:
            call = RecordedCall(method, {}, None, arrived)
            return await self._finish(
                call, 400, _error_body(400, "Bad Request: invalid request body")
            )
        call = RecordedCall(method, params, params.get("chat_id"), arrived, files=files)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call.client_port = peer[1] if peer else None
        if (
            method == "answerCallbackQuery"
            and str(params.get("callback_query_id")) in self._callbacks
        ):
            call.chat_id = self._callbacks[str(params["callback_query_id"])][1]

        if request.match_info["token"] != self.token:
            return await self._finish(call, 401, _error_body(401, "Unauthorized"))
        impl = self._methods.get(method)
        if impl is None:
            return await self._finish(call, 404, _error_body(404, "Not Found"))

        rule = self._take_fault(call)
        if rule is not None:
            return await self._injected(call, rule)
        try:
            result = await impl(call)
        except _ApiError as exc:
            body = _error_body(exc.status, exc.description, exc.retry_after)
            return await self._finish(call, exc.status, body, simulated=exc.simulated)
        return await self._finish(call, 200, {"ok": True, "result": result})

    async def _injected(self, call: RecordedCall, rule: _FaultRule) -> web.StreamResponse:
        if rule.status == 0:
            call.status = 0
            self.calls.append(call)
            await self._notify()
            await self._closing.wait()
            return web.Response(status=503)
        if rule.status in (502, 504):
            phrase = "Bad Gateway" if rule.status == 502 else "Gateway Time-out"
            await self._finish(call, rule.status, None, simulated=True)
            return web.Response(
                status=rule.status,
                content_type="text/html",
                text=_GATEWAY_PAGE.format(code=rule.status, phrase=phrase),
            )
        description = rule.description or (
            f"Too Many Requests: retry after {rule.retry_after}"
            if rule.status == 429
            else _DEFAULT_FAULT_TEXT.get(rule.status, f"Error {rule.status}")
        )
        body = _error_body(rule.status, description, rule.retry_after)
        return await self._finish(call, rule.status, body, simulated=True)

    async def _finish(
        self,
        call: RecordedCall,
        status: int,
        body: JSON | None,
        *,
        simulated: bool = False,
    ) -> web.StreamResponse:
        call.status = status
        call.response = body
        self.calls.append(call)
        if status >= 400 and not simulated:
            self.errors.append(call)
        if status == 429:
            self.n429 += 1
        await self._notify()
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ==================================================================================
    # chats, messages, files (internal)
    # ==================================================================================
    def _target_chat(self, params: JSON) -> JSON:
        """The chat a send/edit addresses; raises like Telegram for bad/blocked chats."""
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        key = _chat_key(params["chat_id"])
        chat = self._chats.get(key)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat = self._auto_chat(key)
        if key in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user", simulated=True)
        return chat

    def _auto_chat(self, key: ChatKey) -> JSON:
        if isinstance(key, str):
            chat: JSON = {
                "id": -1001000000000 - len(self._chats),
                "type": "channel",
                "title": key.lstrip("@"),
                "username": key.lstrip("@"),
            }
        elif key < 0:
            chat = {
                "id": key,
                "type": "supergroup" if str(key).startswith("-100") else "group",
                "title": f"Group {key}",
            }
        else:
            chat = {"id": key, "type": "private", "first_name": f"User {key}"}
        self._chats[key] = chat
        return chat

    def _next_message_id(self, key: ChatKey) -> int:
        mid = self._next_mid.get(key, 1)
        self._next_mid[key] = mid + 1
        return mid

    def _enqueue_user_message(self, user: FakeUser, content: JSON) -> int:
        msg: JSON = {
            "message_id": self._next_message_id(user.id),
            "from": user.as_dict(),
            "chat": user.chat(),
            "date": _now(),
            **content,
        }
        self._user_messages[(user.id, msg["message_id"])] = msg
        return self.enqueue({"message": msg})

    def _any_message_payload(self, key: ChatKey, message_id: int) -> JSON | None:
        bot_msg = self._message_index.get((key, message_id))
        if bot_msg is not None and not bot_msg.deleted:
            return copy.deepcopy(bot_msg.payload)
        user_msg = self._user_messages.get((key, message_id))
        return None if user_msg is None else copy.deepcopy(user_msg)

    def _keyboard_message(self, key: ChatKey, message_id: int | None) -> BotMessage:
        if message_id is not None:
            msg = self._message_index.get((key, message_id))
            if msg is None or msg.deleted:
                raise LookupError(f"no bot message #{message_id} in chat {key}")
            return msg
        for msg in reversed(self._bot_messages.get(key, [])):
            if msg.inline_keyboard and not msg.deleted:
                return msg
        raise LookupError(
            f"no bot message with an inline keyboard in chat {key}\n{self.dump(key)}"
        )

    def _enqueue_callback(self, user: FakeUser, message: JSON, data: str) -> int:
        query_id = str(next(self._callback_seq))
        update_id = self.enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.as_dict(),
                    "message": copy.deepcopy(message),
                    "chat_instance": str(7_000_000_000_000_000_000 + user.id),
                    "data": data,
                }
            }
        )
        self._callbacks[query_id] = (update_id, user.id)
        return update_id

    # ==================================================================================
    # Bot API methods
    # ==================================================================================
    async def _true(self, call: RecordedCall) -> bool:
        return True

    async def _get_me(self, call: RecordedCall) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: RecordedCall) -> list[JSON]:
        """Long polling: park on an Event until an update arrives or ``timeout`` passes."""
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        p = call.params
        offset = int(p.get("offset") or 0)
        limit = min(100, max(1, int(p.get("limit") or 100)))
        timeout = max(0.0, float(p.get("timeout") or 0))
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._next_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                break
            self._new_updates.clear()
            self.waiting_pollers += 1
            await self._notify()
            try:
                async with asyncio.timeout(remaining):
                    await self._new_updates.wait()
            except TimeoutError:
                pass
            finally:
                self.waiting_pollers -= 1
        for queued in batch:
            queued.forced = False
            self._delivery_count[queued.update_id] = (
                self._delivery_count.get(queued.update_id, 0) + 1
            )
        return [copy.deepcopy(q.update) for q in batch]

    def _confirm(self, offset: int) -> None:
        """Telegram forgets updates below the offset (negative: keep only the last -offset)."""
        if offset > 0:
            self._queue = [q for q in self._queue if q.forced or q.update_id >= offset]
        elif offset < 0:
            normal = [q for q in self._queue if not q.forced][offset:]
            self._queue = [q for q in self._queue if q.forced or q in normal]

    def _next_batch(self, limit: int) -> list[_Queued]:
        # Redelivered copies first: PTB sets its offset from the *last* update of a batch.
        forced = [q for q in self._queue if q.forced]
        normal = sorted((q for q in self._queue if not q.forced), key=lambda q: q.update_id)
        return (forced + normal)[:limit]

    async def _set_webhook(self, call: RecordedCall) -> bool:
        url = str(call.params.get("url") or "")
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {k: v for k, v in call.params.items() if not isinstance(v, UploadedFile)}
        if call.params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _delete_webhook(self, call: RecordedCall) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _get_webhook_info(self, call: RecordedCall) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["url"] = self.webhook["url"]
            for key in ("max_connections", "allowed_updates", "ip_address"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands the bot registered for a scope (default scope) and language."""
        return self.commands.get(
            self._commands_key({"scope": scope, "language_code": language_code}), []
        )

    async def _set_my_commands(self, call: RecordedCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands must be an array of at most 100 BotCommand")
        for cmd in commands:
            name = cmd.get("command") if isinstance(cmd, dict) else None
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            description = cmd.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(call.params)] = commands
        return True

    async def _delete_my_commands(self, call: RecordedCall) -> bool:
        self.commands.pop(self._commands_key(call.params), None)
        return True

    async def _get_my_commands(self, call: RecordedCall) -> list[JSON]:
        return self.commands.get(self._commands_key(call.params), [])

    async def _set_chat_menu_button(self, call: RecordedCall) -> bool:
        button = call.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad("can't parse menu button")
        self.menu_buttons[call.params.get("chat_id")] = button
        return True

    async def _get_chat_menu_button(self, call: RecordedCall) -> JSON:
        return self.menu_buttons.get(
            call.params.get("chat_id"), self.menu_buttons.get(None, {"type": "commands"})
        )

    def _set_profile(self, key: str) -> Callable[[RecordedCall], Any]:
        async def setter(call: RecordedCall) -> bool:
            self.profile[key] = str(call.params.get(key) or "")
            return True

        return setter

    def _get_profile(self, key: str) -> Callable[[RecordedCall], Any]:
        async def getter(call: RecordedCall) -> JSON:
            return {key: self.profile.get(key, "")}

        return getter

    async def _get_chat(self, call: RecordedCall) -> JSON:
        chat = self._target_chat(call.params)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}
