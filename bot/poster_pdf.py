"""The poster and plaque PDFs (see `bot/posters.py` for what they say and why).

Drawn with reportlab from QR images made by `qrcode`. Kept apart from `bot/posters.py` because
these two libraries cost a worker about 10 MB of memory: the web server loads this module only
when somebody asks for a PDF, not at start.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import qrcode
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.posters import ChannelLink
from handlers.i18n import Translator

INK = (0.55, 0.07, 0.07)  # the movement's red, for titles


def unit_poster(t: Translator, *, unit_label: str, links: list[ChannelLink],
                font_path: Path) -> bytes:
    """An A4 page: who listens, three lines on what to send, a QR code per channel."""
    font = _registered(font_path)
    width, height = A4
    pdf, buffer = _canvas(A4, title=t("poster.title", unit=unit_label))
    y = height - 30 * mm
    pdf.setFillColorRGB(*INK)
    y = _centred(pdf, t("poster.heading"), font, 30, width, y)
    pdf.setFillColorRGB(0, 0, 0)
    y = _centred(pdf, unit_label, font, 22, width, y - 4 * mm)
    y -= 10 * mm
    for line in (t("poster.step.feedback"), t("poster.step.track"), t("poster.step.practice")):
        y = _paragraph(pdf, line, font, 17, 25 * mm, width - 50 * mm, y) - 4 * mm
    size = 55 * mm if len(links) <= 2 else 50 * mm
    gap = (width - len(links) * size) / (len(links) + 1)
    top = y - 8 * mm
    for index, link in enumerate(links):
        x = gap + index * (size + gap)
        pdf.drawImage(_qr_image(link.url), x, top - size, size, size)
        pdf.setFont(font, 14)
        pdf.drawCentredString(x + size / 2, top - size - 8 * mm, link.label)
        pdf.setFont(font, 8)
        pdf.drawCentredString(x + size / 2, top - size - 13 * mm, link.url)
    _footer(pdf, t("poster.footer"), font, width)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def practice_plaque(t: Translator, *, title: str, place: str, url: str,
                    font_path: Path) -> bytes:
    """An A6 card for the practice's site: its name, where it is, a QR code to its page."""
    font = _registered(font_path)
    width, height = A6
    pdf, buffer = _canvas(A6, title=title)
    y = height - 12 * mm
    pdf.setFillColorRGB(*INK)
    y = _centred(pdf, t("poster.plaque.heading"), font, 13, width, y)
    pdf.setFillColorRGB(0, 0, 0)
    y = _paragraph(pdf, title, font, 12, 8 * mm, width - 16 * mm, y - 2 * mm, centred=True)
    y = _paragraph(pdf, place, font, 9, 8 * mm, width - 16 * mm, y, centred=True)
    size = min(60 * mm, y - 22 * mm)
    pdf.drawImage(_qr_image(url), (width - size) / 2, y - size - 2 * mm, size, size)
    pdf.setFont(font, 9)
    pdf.drawCentredString(width / 2, y - size - 8 * mm, t("poster.plaque.scan"))
    pdf.setFont(font, 6)
    pdf.drawCentredString(width / 2, y - size - 12 * mm, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@cache
def _registered(path: Path) -> str:
    """reportlab keeps fonts in a registry of its own: register each file once, by name."""
    name = f"Poster-{path.stem}"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def _canvas(size: tuple[float, float], *, title: str) -> tuple[Canvas, io.BytesIO]:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=size, invariant=True)  # the same input gives the same bytes
    pdf.setTitle(title)
    pdf.setAuthor("Dân vận khéo")
    return pdf, buffer


def _qr_image(url: str) -> ImageReader:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         box_size=10)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    return ImageReader(image.convert("RGB"))


def _centred(pdf: Canvas, text: str, font: str, size: float, width: float, y: float) -> float:
    return _paragraph(pdf, text, font, size, 15 * mm, width - 30 * mm, y, centred=True)


def _paragraph(pdf: Canvas, text: str, font: str, size: float, x: float, width: float,
               y: float, *, centred: bool = False) -> float:
    """Draw `text` wrapped to `width` from baseline `y` down; returns the next free baseline."""
    pdf.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        if centred:
            pdf.drawCentredString(x + width / 2, y, line)
        else:
            pdf.drawString(x, y, line)
        y -= size * 1.3
    return y


def _footer(pdf: Canvas, text: str, font: str, width: float) -> None:
    pdf.setFont(font, 10)
    pdf.setFillColorRGB(0.3, 0.3, 0.3)
    pdf.drawCentredString(width / 2, 15 * mm, text)
