"""The web side, one aiohttp server: the digital map and its JSON API, the web chat (a channel
adapter beside Telegram), the Telegram webhook, /healthz and /metrics."""
