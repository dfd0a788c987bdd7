"""Photo uploads to the web chat cannot exhaust memory: a PNG claiming 30000 × 30000 pixels
(about 100 KB on the wire, gigabytes decoded) gets the same friendly answer as any file that is
not a photo, the question again, and the process's peak memory stays low."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.images import png_bomb
from tests.web.chat_client import WebChatClient

MB = 1024 * 1024
PEAK_RSS_LIMIT = 300 * MB


def _reset_peak_rss() -> bool:
    """Linux lets a process reset its peak RSS (VmHWM) by writing 5 to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024  # kB
    raise AssertionError(f"no {field} in /proc/self/status")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
@pytest.mark.parametrize("size", [(30000, 30000), (8000, 6000)])
async def test_a_decompression_bomb_gets_a_friendly_answer_and_memory_stays_low(client, size):
    bomb = png_bomb(*size)  # made before measuring
    chat = WebChatClient(client)
    await chat.text("/phananh")
    await chat.press("Hạ tầng: đường, điện, nước, chiếu sáng")
    await chat.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
    peak_was_reset = _reset_peak_rss()

    replies = await chat.photos(files=[("bomb.png", bomb, "image/png")])

    assert chat.status == 200
    assert "Tệp này không phải ảnh hợp lệ" in replies[0].text
    assert "Gửi tối đa 5 ảnh" in chat.last.text  # the same question, asked again
    peak = _status_bytes("VmHWM" if peak_was_reset else "VmRSS")
    assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak // MB} MB"
    again = await chat.press("Không có ảnh, tiếp tục")  # and the flow goes on
    assert chat.status == 200 and again
