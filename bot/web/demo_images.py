"""Pictures for demo practices, drawn with Pillow so a fresh machine needs no downloads.

Each field gets its own motif (rice fields and solar panels, a cultural house with lanterns, a
village gate with its alarm gong, a meeting hall with a red banner) under a varied sky, so the
map's popups look like a real collection rather than one repeated placeholder.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

SIZE = (480, 360)
_GROUND = [(96, 156, 72), (120, 170, 80), (150, 160, 90), (110, 140, 100)]


def scene(field: str, seed: int) -> bytes:
    """A JPEG illustrating a practice of `field`; the same seed always gives the same picture."""
    rng = random.Random(f"{field}:{seed}")
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    horizon = rng.randint(150, 200)
    _sky(draw, rng, horizon)
    draw.rectangle((0, horizon, width, height), fill=rng.choice(_GROUND))
    {"economy": _economy, "culture_society": _culture, "defence_security": _defence,
     "party_building": _party}.get(field, _culture)(draw, rng, horizon)
    _people(draw, rng, horizon)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _sky(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    top = (rng.randint(60, 120), rng.randint(130, 180), rng.randint(200, 245))
    bottom = (rng.randint(200, 240), rng.randint(215, 240), rng.randint(230, 255))
    for y in range(horizon):
        mix = y / max(horizon - 1, 1)
        draw.line([(0, y), (SIZE[0], y)],
                  fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)))
    x, y = rng.randint(40, SIZE[0] - 40), rng.randint(25, 70)
    draw.ellipse((x - 22, y - 22, x + 22, y + 22), fill=(255, 224, 130))
    for _ in range(rng.randint(1, 3)):
        cx, cy = rng.randint(0, SIZE[0]), rng.randint(20, horizon - 60)
        for dx in (-26, 0, 26):
            draw.ellipse((cx + dx - 24, cy - 14, cx + dx + 24, cy + 14), fill=(250, 250, 252))


def _house(draw: ImageDraw.ImageDraw, x: int, base: int, w: int, h: int,
           wall: tuple[int, int, int], roof: tuple[int, int, int]) -> None:
    draw.rectangle((x, base - h, x + w, base), fill=wall, outline=(90, 70, 60))
    draw.polygon([(x - 8, base - h), (x + w // 2, base - h - w // 2), (x + w + 8, base - h)],
                 fill=roof)
    draw.rectangle((x + w // 2 - 7, base - 22, x + w // 2 + 7, base), fill=(110, 70, 40))


def _tree(draw: ImageDraw.ImageDraw, x: int, base: int, size: int) -> None:
    draw.rectangle((x - 3, base - size, x + 3, base), fill=(100, 70, 40))
    draw.ellipse((x - size // 2, base - size * 2, x + size // 2, base - size),
                 fill=(40, 120 + size % 40, 50))


def _economy(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    for row in range(6):  # rows of rice
        y = horizon + 20 + row * 28
        draw.line([(0, y), (SIZE[0], y + rng.randint(-6, 6))], fill=(70, 130, 50), width=5)
    for index in range(rng.randint(2, 4)):  # solar panels
        x = 40 + index * 100 + rng.randint(-10, 10)
        draw.polygon([(x, horizon + 10), (x + 70, horizon + 10), (x + 80, horizon - 25),
                      (x + 10, horizon - 25)], fill=(40, 70, 140), outline=(200, 210, 230))
    _tree(draw, rng.randint(380, 460), horizon + 5, 30)


def _culture(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    _house(draw, 150, horizon + 40, 180, 80, (236, 214, 170), (170, 60, 40))
    for x in range(170, 330, 40):  # lanterns
        draw.line([(x, horizon - 58), (x, horizon - 48)], fill=(80, 50, 30))
        draw.ellipse((x - 9, horizon - 48, x + 9, horizon - 28), fill=(220, 40, 40))
    _tree(draw, 60, horizon + 30, 36)
    _tree(draw, 420, horizon + 25, 32)


def _defence(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    gate = rng.randint(140, 220)
    draw.rectangle((gate, horizon - 70, gate + 18, horizon + 30), fill=(150, 150, 150))
    draw.rectangle((gate + 130, horizon - 70, gate + 148, horizon + 30), fill=(150, 150, 150))
    draw.rectangle((gate - 10, horizon - 90, gate + 158, horizon - 65), fill=(160, 40, 40))
    draw.line([(60, horizon - 40), (60, horizon + 30)], fill=(90, 60, 30), width=6)  # gong post
    draw.line([(40, horizon - 40), (80, horizon - 40)], fill=(90, 60, 30), width=6)
    draw.rectangle((52, horizon - 36, 68, horizon - 8), fill=(120, 120, 130))
    _house(draw, 380, horizon + 30, 70, 50, (220, 220, 200), (120, 70, 50))


def _party(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    _house(draw, 110, horizon + 40, 260, 90, (245, 235, 210), (150, 50, 40))
    draw.rectangle((140, horizon - 40, 340, horizon - 10), fill=(200, 20, 30))
    cx, cy = 240, horizon - 25
    star = [(cx, cy - 11), (cx + 3, cy - 3), (cx + 11, cy - 3), (cx + 5, cy + 2),
            (cx + 7, cy + 11), (cx, cy + 6), (cx - 7, cy + 11), (cx - 5, cy + 2),
            (cx - 11, cy - 3), (cx - 3, cy - 3)]
    draw.polygon(star, fill=(255, 215, 0))
    draw.line([(400, horizon + 40), (400, horizon - 100)], fill=(120, 120, 120), width=3)
    draw.rectangle((400, horizon - 100, 450, horizon - 70), fill=(210, 20, 30))


def _people(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    for _ in range(rng.randint(3, 9)):
        x, y = rng.randint(20, SIZE[0] - 20), rng.randint(horizon + 50, SIZE[1] - 20)
        shirt = rng.choice([(30, 80, 160), (200, 40, 40), (240, 240, 240), (60, 130, 60)])
        draw.ellipse((x - 6, y - 38, x + 6, y - 26), fill=(230, 190, 150))
        draw.rectangle((x - 7, y - 26, x + 7, y - 8), fill=shirt)
        draw.line([(x - 4, y - 8), (x - 5, y)], fill=(50, 50, 60), width=3)
        draw.line([(x + 4, y - 8), (x + 5, y)], fill=(50, 50, 60), width=3)
        if rng.random() < 0.4:  # a conical hat (nón lá)
            draw.polygon([(x - 11, y - 34), (x, y - 46), (x + 11, y - 34)], fill=(235, 220, 170))
