"""Vietnamese phone numbers, typed or shared, in one canonical form (+84…)."""

from __future__ import annotations

import re

# Mobile prefixes after the 2018 renumbering (03x, 05x, 07x, 08x, 09x) and 02x landlines.
_NATIONAL = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")


def normalise_vn_phone(raw: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _NATIONAL.match(digits):
        return None
    return "+84" + digits[1:]
