"""Officials for tests: invites made the way `dvk invite` makes them, feedback walks, and the
communes the jurisdiction tests use."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.clock import Clock
from storage.db import Database
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.factories import store_practice as store_practice  # moved; old imports work
from tests.support.factories import store_recognised_practice as store_recognised_practice
from tests.support.telegram_harness import TelegramChat

THANH_XUAN = "00367"  # Phường Thanh Xuân, Hà Nội (province 01)
HOAN_KIEM = "00070"  # Phường Hoàn Kiếm, Hà Nội (province 01)
BEN_THANH = "26743"  # Phường Bến Thành, Thành phố Hồ Chí Minh (province 79)
HANOI, HCMC = "01", "79"


@dataclass(frozen=True)
class Step:
    field: str
    kind: str  # "press" | "text" | "location" | "photos" | "contact"
    value: object = None


HOAN_KIEM_PIN = (21.0341, 105.8521)
DUPLICATE_OFFER = "Có phải vấn đề này?"
BEN_THANH_PIN = (10.7725, 106.6980)


def feedback_walk(*, commune_query: str = "hoan kiem", commune_pick: str | None = None,
                  anonymous: bool = True, photos: int = 1, phone: str | None = None,
                  pin: tuple[float, float] = HOAN_KIEM_PIN, name: str | None = None,
                  publish: bool = False) -> list[Step]:
    """A complete feedback, answer by answer (the pin must lie in the commune's province, or
    the bot rightly asks whether it is right). `name`: typed where the channel gives none (the
    web chat, Zalo OA before the person shares their info), so the bot asks for it."""
    steps = [
        Step("category", "press", "Hạ tầng: đường, điện, nước, chiếu sáng"),
        Step("text", "text",
             "Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay, tối rất nguy hiểm."),
    ]
    steps += [Step("photos", "photos", photos), Step("photos", "press", "Xong")] if photos else [
        Step("photos", "press", "Không có ảnh, tiếp tục")]
    steps += [Step("location", "location", pin),
              Step("commune", "text", commune_query)]
    if commune_pick:
        steps.append(Step("commune", "press", commune_pick))
    steps.append(Step("identity", "press", "Gửi ẩn danh" if anonymous else "Ghi tên tôi"))
    if not anonymous and name:
        steps.append(Step("name", "text", name))
    if not anonymous:
        steps.append(Step("phone", "contact", phone) if phone
                     else Step("phone", "press", "Bỏ qua"))
    steps.append(Step("publish", "press", PUBLISH if publish else KEEP_PRIVATE))
    return steps


PUBLISH, KEEP_PRIVATE = "Có, công khai (không kèm tên, số điện thoại)", "Không, chỉ gửi cán bộ"


FEEDBACK_QUESTIONS = {
    "category": "Phản ánh của bạn về vấn đề gì?",
    "text": "Hãy mô tả sự việc",
    "photos": "Gửi tối đa 5 ảnh",
    "location": "Gửi vị trí nơi xảy ra sự việc",
    "commune": "xã, phường, đặc khu",
    "identity": "ghi tên hay gửi ẩn danh",
    "name": "Bạn tên là gì?",
    "phone": "Để lại số điện thoại",
    "publish": "Công khai phản ánh này",
}


class RecordingChannel:
    """A channel that keeps what the outbox delivers, per chat, for engine-level tests."""

    channel = "telegram"

    def __init__(self) -> None:
        self.delivered: dict[str, list] = {}

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def deliver(self, chat_id: str, replies: list) -> None:
        self.delivered.setdefault(chat_id, []).extend(replies)

    def texts(self, chat_id: str | int) -> list[str]:
        from handlers.replies import TextReply

        return [r.text for r in self.delivered.get(str(chat_id), []) if isinstance(r, TextReply)]


# -- over Telegram ----------------------------------------------------------------------------


async def tg_send_feedback(driver, steps: list[Step]) -> str:  # noqa: ANN001
    """Send a whole feedback over Telegram; returns its receipt code. Offered similar open
    feedback (handlers/duplicates.py, tested on its own), it sends a new one anyway."""
    import re

    await driver.command("phananh")
    await walk(TelegramChat(driver, albums=False), steps)
    await driver.press("✅ Gửi")
    if DUPLICATE_OFFER in driver.last.text:
        await driver.press("Không, gửi phản ánh mới")
    found = re.search(r"PA-\d{4}-\d{6}", driver.last.text)
    assert found, driver.last.text
    return found.group(0)


async def tg_become_official(driver, db: Database, clock: Clock, *, unit: str | None,  # noqa: ANN001
                             level: str = "commune") -> None:
    token = await make_invite(db, clock, unit=unit, level=level)
    await driver.command("start", token)
    assert "Chào mừng" in driver.last.text, driver.last.text


async def tg_open(driver, code: str) -> None:  # noqa: ANN001
    """An official opens an item from the first page of their inbox."""
    await driver.command("hopthu")
    await driver.press(code)


async def tg_resolve(driver, answer: str, *, proof_photos: int = 1) -> None:  # noqa: ANN001
    """On an open feedback card: change status → resolved, with an answer and proof."""
    await driver.press("🔄 Đổi trạng thái")
    await driver.press("✅ Đã giải quyết (kèm trả lời)")
    await driver.text(answer)
    if proof_photos:
        await driver.press("📷 Có, gửi ảnh")
        for _ in range(proof_photos):
            await driver.photo()
        await driver.press("✅ Xong")
    else:
        await driver.press("Không có ảnh (nêu lý do)")
        await driver.text("Sự việc xử lý qua điện thoại, không có hiện trường để chụp.")
    await driver.press("✅ Gửi")
