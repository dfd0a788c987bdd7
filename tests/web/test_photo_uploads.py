"""Photo uploads to the web chat cannot exhaust memory: a PNG claiming 30000 × 30000 pixels
(about 100 KB on the wire, gigabytes decoded) gets the same friendly answer as any file that is
not a photo, the question again, and the product's process — `python -m bot`, as an operator
runs it — peaks well under 300 MB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.images import png_bomb
from tests.support.product_process import running_product_process
from tests.web.chat_client import WebChatClient
from tests.web.test_chat_notices import browser

MB = 1024 * 1024
PEAK_RSS_LIMIT = 300 * MB


def peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # kB
    raise AssertionError("no VmHWM in /proc/<pid>/status")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
@pytest.mark.parametrize("size", [(30000, 30000), (8000, 6000)])
async def test_a_decompression_bomb_gets_a_friendly_answer_and_memory_stays_low(
        settings, tmp_path, size):
    """30000² trips Pillow's own bomb check; 8000×6000 (48 MP) only our 40 MP cap."""
    bomb = png_bomb(*size)
    product = {"DATABASE_URL": str(settings.database.url),
               "MEDIA_DIR": str(tmp_path / "media")}
    async with running_product_process(product, tmp_path) as (url, pid), browser(url) as http:
        chat = WebChatClient(http)
        await chat.text("/phananh")
        await chat.press("Hạ tầng: đường, điện, nước, chiếu sáng")
        await chat.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")

        replies = await chat.photos(files=[("bomb.png", bomb, "image/png")])

        assert chat.status == 200
        assert "Tệp này không phải ảnh hợp lệ" in replies[0].text
        assert "Gửi tối đa 5 ảnh" in chat.last.text  # the same question, asked again
        peak = peak_rss(pid)
        assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak // MB} MB"
        await chat.press("Không có ảnh, tiếp tục")  # and the flow goes on
        assert chat.status == 200 and "Gửi vị trí" in chat.last.text, chat.last.text
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*.png"))  # nothing kept
