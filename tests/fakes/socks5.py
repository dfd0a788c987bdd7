"""A SOCKS5 proxy (RFC 1928, with RFC 1929 username/password) on 127.0.0.1, as the proxies
operators in Viet Nam put in front of Telegram (`ssh -D`, a VPN client's local port) behave:
greeting, optional login, CONNECT to an IPv4 address, an IPv6 address or a host name the proxy
resolves itself, then bytes relayed both ways. It records every CONNECT, so a test can prove that
requests really went through it.

    async with FakeSocks5(username="u", password="p") as proxy:
        proxy.url                  # socks5://u:p@127.0.0.1:<port>
        proxy.connects             # [("127.0.0.1", 41234), ...]: where clients asked to go
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct

VERSION = 5
NO_AUTH, USER_PASS, NO_ACCEPTABLE = 0x00, 0x02, 0xFF
CONNECT = 0x01
IPV4, DOMAIN, IPV6 = 0x01, 0x03, 0x04
SUCCEEDED, GENERAL_FAILURE, NOT_ALLOWED, REFUSED, COMMAND_NOT_SUPPORTED = 0, 1, 2, 5, 7


class FakeSocks5:
    def __init__(self, *, username: str | None = None, password: str | None = None) -> None:
        self.username = username
        self.password = password
        self.connects: list[tuple[str, int]] = []
        """(host, port) of every CONNECT accepted, host as the client sent it."""
        self.refused_logins = 0
        self._server: asyncio.Server | None = None
        self._relays: set[asyncio.Task] = set()
        self.port = 0

    @property
    def url(self) -> str:
        login = f"{self.username}:{self.password}@" if self.username else ""
        return f"socks5://{login}127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeSocks5:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._relays):
            task.cancel()
        for task in list(self._relays):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        try:
            target = await self._handshake(reader, writer)
            if target is not None:
                await self._relay(reader, writer, target)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._relays.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                         ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        version, count = await reader.readexactly(2)
        if version != VERSION:
            return None
        methods = await reader.readexactly(count)
        wanted = USER_PASS if self.username is not None else NO_AUTH
        if wanted not in methods:
            writer.write(bytes([VERSION, NO_ACCEPTABLE]))
            return None
        writer.write(bytes([VERSION, wanted]))
        if wanted == USER_PASS and not await self._login(reader, writer):
            return None
        version, command, _reserved, kind = await reader.readexactly(4)
        if kind == IPV4:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == IPV6:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        elif kind == DOMAIN:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        else:
            return None
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != CONNECT:
            await self._reply(writer, COMMAND_NOT_SUPPORTED)
            return None
        try:
            upstream = await asyncio.open_connection(host, port)
        except OSError:
            await self._reply(writer, REFUSED)
            return None
        self.connects.append((host, port))
        await self._reply(writer, SUCCEEDED, upstream[1].get_extra_info("sockname"))
        return upstream

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        _version, length = await reader.readexactly(2)
        username = (await reader.readexactly(length)).decode()
        password = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        accepted = (username, password) == (self.username, self.password)
        self.refused_logins += not accepted
        writer.write(bytes([0x01, 0x00 if accepted else 0x01]))
        await writer.drain()
        return accepted

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, status: int,
                     bound: tuple | None = None) -> None:
        host, port = (bound or ("0.0.0.0", 0))[:2]
        address = ipaddress.ip_address(host)
        kind = IPV4 if address.version == 4 else IPV6
        writer.write(bytes([VERSION, status, 0, kind]) + address.packed
                     + struct.pack("!H", port))
        await writer.drain()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        up_reader, up_writer = upstream

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                with contextlib.suppress(OSError, RuntimeError):
                    sink.write_eof() if sink.can_write_eof() else None

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            up_writer.close()
            with contextlib.suppress(ConnectionError):
                await up_writer.wait_closed()
