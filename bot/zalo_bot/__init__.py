"""Zalo Bot (bot.zalo.me): client, convert, render, webhook and the channel adapter."""
