"""Places a person can check: a location is said back with the nearest commune and a map link,
and a pin far from the commune the person chose is questioned before it is kept.

A Hà Nội pin was once accepted for a commune of Hải Phòng and published on the map; a typed
coordinate pair or a pasted link is easy to get wrong and impossible to check by eye. The
nearest commune comes from the communes' centres (`storage.units`), which are known to a few
kilometres, so the far-pin check is generous: another province and more than `FAR_KM` away.
"""

from __future__ import annotations

import math
from typing import Any

from handlers.context import Context
from handlers.replies import Option, TextReply

FAR_KM = 25.0
KEEP = "__keep_place__"
AGAIN = "__place_again__"
DROP = "__drop_place__"


def map_link(latitude: float, longitude: float) -> str:
    return (f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
            f"#map=17/{latitude:.5f}/{longitude:.5f}")


def describe(ctx: Context, location: dict[str, Any]) -> str:
    """ "21.02850, 105.85420 — gần Phường Hoàn Kiếm, Thành phố Hà Nội" and its map link."""
    lat, lon = location["lat"], location["lon"]
    near = ctx.units.nearest_commune(lat, lon)
    where = f"{lat:.5f}, {lon:.5f}" + (f" ({location['title']})" if location.get("title") else "")
    if near is not None:
        where = ctx.t("location.near", where=where, place=near.label)
    return f"{where}\n🗺 {map_link(lat, lon)}"


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def far_from_commune(ctx: Context, location: dict[str, Any], commune_code: str) -> str | None:
    """The chosen commune's province name when the pin seems to lie outside it, else None."""
    commune, centre = ctx.units.get(commune_code), ctx.units.centre(commune_code)
    near = ctx.units.nearest_commune(location["lat"], location["lon"])
    if commune is None or centre is None or near is None:
        return None
    if near.province_code == commune.province_code:
        return None
    if distance_km(centre, (location["lat"], location["lon"])) <= FAR_KM:
        return None
    return commune.province_name


def confirm_far(ctx: Context, province: str, *, keep: str, other: tuple[str, str]) -> TextReply:
    """Ask whether a pin outside `province` is right: keep it, or the `other` way out."""
    options = (Option(ctx.t(keep), KEEP), Option(ctx.t(other[0]), other[1]))
    token = ctx.issue_token(options, free_input=True)
    return TextReply(ctx.t("location.far", province=province), options, token=token,
                     free_input=True)
