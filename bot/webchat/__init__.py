"""The web chat: a channel on the bot's own web server, beside Telegram and Zalo."""
