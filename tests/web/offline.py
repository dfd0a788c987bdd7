"""Chromium kept off the internet: every asset must come from our own server."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.async_api import BrowserContext, Route

LOCAL_HOSTS = ("127.0.0.1", "localhost")


async def refuse_other_hosts(context: BrowserContext) -> list[str]:
    """Let the context's requests to this machine through; refuse any other as if offline.
    Returns the list the refused URLs are recorded in (a test asserts it stays empty)."""
    refused: list[str] = []

    async def only_local(route: Route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", only_local)
    return refused
