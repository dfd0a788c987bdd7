"""Numbers and sums of money as people type them in Vietnamese.

A leader asked how many workdays were given types "15/03/2026" (a date), "21h" (a time) or a
phone number as often as a count; taking the first digits of those stores nonsense, so they are
recognised and refused by name. Money is written "200 triệu", "1,5 tỷ", "2.500.000" or in words,
"hai trăm triệu đồng"; words are read by `vietnam-number`, the digits-and-scale forms here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from vietnam_number import n2w, w2n


class NotANumber(StrEnum):
    """Why a text is not the number asked for; each has its own message key."""

    DATE = "error.number_is_date"
    TIME = "error.number_is_time"
    PHONE = "error.number_is_phone"
    OTHER = "error.expect_number"


_DATE = re.compile(
    r"\b(?:\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?|\d{1,2}\s*/\s*\d{4}"
    r"|\d{1,2}-\d{1,2}-\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4})\b"
    r"|\bngày\s+\d{1,2}\b|\btháng\s+\d{1,2}\b|\bnăm\s+(?:19|20)\d{2}\b",
    re.IGNORECASE)
_TIME = re.compile(r"\b\d{1,2}\s*(?::\s*\d{2}|h\d{0,2}\b|\s*giờ\b|\s*g\s*\d{2}\b)",
                   re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+?84|0)\d{9}$")
_LEADING_NUMBER = re.compile(r"^\s*(\d[\d.,\s]*)")
_SEPARATORS = re.compile(r"[.,\s]")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")

_SCALES = {"tỷ": 10**9, "tỉ": 10**9, "ty": 10**9, "ti": 10**9,
           "triệu": 10**6, "trieu": 10**6, "tr": 10**6,
           "nghìn": 10**3, "ngàn": 10**3, "nghin": 10**3, "ngan": 10**3, "k": 10**3}
_MONEY_TERM = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")?(?!\w)",
    re.IGNORECASE)
_MONEY_WORDS = re.compile(r"\b(?:đồng|dong|vnđ|vnd|đ|chẵn|chan|khoảng|khoang|tổng|tong|cộng|"
                          r"cong|là|la|được|duoc|gần|gan|hơn|hon)\b|[~≈:]", re.IGNORECASE)


def _problem(text: str) -> NotANumber | None:
    if _DATE.search(text):
        return NotANumber.DATE
    if _TIME.search(text):
        return NotANumber.TIME
    if _PHONE.match(re.sub(r"[\s.\-()]", "", text)):
        return NotANumber.PHONE
    return None


def _whole(digits: str) -> int | None:
    """ "2.500.000", "2,500,000", "2 500 000" and "2500000" alike; "1,5" is no whole number."""
    digits = digits.strip()
    if re.fullmatch(r"\d+", digits) or _GROUPED.match(digits):
        return int(_SEPARATORS.sub("", digits))
    return None


def _words(text: str) -> int | None:
    try:
        return int(w2n(text.lower()))
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def parse_count(text: str) -> int | NotANumber:
    """A whole number, as digits possibly followed by words ("250 người") or in words."""
    if problem := _problem(text):
        return problem
    if match := _LEADING_NUMBER.match(text):
        value = _whole(match.group(1))
        return NotANumber.OTHER if value is None else value
    value = _words(text)
    return NotANumber.OTHER if value is None else value


def parse_money(text: str) -> int | NotANumber:
    """A sum in đồng: "200 triệu", "1,5 tỷ", "1 tỷ 200 triệu", "2.500.000 đ", "15k", or words
    ("hai trăm triệu đồng"). Anything left over that is not a currency word refuses it."""
    if problem := _problem(text):
        return problem
    rest = _MONEY_WORDS.sub(" ", text)
    terms = list(_MONEY_TERM.finditer(rest))
    if not terms:
        value = _words(rest) if rest.strip() else None
        return NotANumber.OTHER if value is None else value
    if _MONEY_TERM.sub(" ", rest).strip():
        return NotANumber.OTHER  # "200 triệu và 5 con bò": ask again rather than guess
    total = Decimal(0)
    for term in terms:
        digits, scale = term.group(1), term.group(2)
        if scale is None:
            value = _whole(digits)
            if value is None:
                return NotANumber.OTHER
            total += value
            continue
        amount = _scaled_amount(digits)
        if amount is None:
            return NotANumber.OTHER
        total += amount * _SCALES[scale.lower()]
    if total != total.to_integral_value():
        return NotANumber.OTHER
    return int(total)


def _scaled_amount(digits: str) -> Decimal | None:
    """Before a scale word one separator followed by one or two digits is a decimal mark
    ("1,5 tỷ", "2.5 triệu"); otherwise separators group thousands ("1.500 tỷ")."""
    if whole := _whole(digits):
        return Decimal(whole)
    if re.fullmatch(r"\d+[.,]\d{1,2}", digits):
        try:
            return Decimal(digits.replace(",", "."))
        except InvalidOperation:
            return None
    return None


def grouped(value: int) -> str:
    """200000000 -> "200.000.000", as amounts are written in Viet Nam."""
    return f"{value:,}".replace(",", ".")


def in_words(value: int) -> str:
    """200000000 -> "hai trăm triệu", to confirm a sum back in words."""
    return str(n2w(str(value)))
