"""Coordinates from what people paste: a Google Maps or OpenStreetMap link, or "lat, lon"."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlparse

_PAIR = re.compile(r"(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)")
_AT = re.compile(r"@(-?\d{1,2}\.\d+),(-?\d{1,3}\.\d+)")
_OSM_HASH = re.compile(r"map=\d+(?:\.\d+)?/(-?\d{1,2}\.\d+)/(-?\d{1,3}\.\d+)")
_BANG = re.compile(r"!3d(-?\d{1,2}\.\d+)!4d(-?\d{1,3}\.\d+)")


def parse_coordinates(text: str) -> tuple[float, float] | None:
    text = unquote(text.strip())[:2000]
    for pattern in (_BANG, _AT, _OSM_HASH):
        if found := pattern.search(text):
            return _valid(found.group(1), found.group(2))
    if "://" in text:
        url = urlparse(text.split()[0] if text.split() else text)
        query = parse_qs(url.query)
        if "mlat" in query and "mlon" in query:
            return _valid(query["mlat"][0], query["mlon"][0])
        for key in ("q", "query", "ll", "destination", "center"):
            if key in query and (found := _PAIR.search(query[key][0])):
                return _valid(found.group(1), found.group(2))
        return None
    if found := _PAIR.fullmatch(text):
        return _valid(found.group(1), found.group(2))
    return None


def _valid(lat: str, lon: str) -> tuple[float, float] | None:
    latitude, longitude = float(lat), float(lon)
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None
