"""How replies are laid out for the OA: buttons (at most 5, short ASCII payloads that come back
as the same choice), numbered lines beyond that or when titles had to be shortened, text in
pieces of at most 2,000 characters, and Zalo's card for a phone number."""

from __future__ import annotations

from pathlib import Path

from bot.zalo_oa.payloads import PayloadCodec
from bot.zalo_oa.render import OARenderer, fit_image
from handlers.replies import Ask, Option, TextReply
from tests.support.images import jpeg_bytes

USER = "1234567890"


def renderer(**kwargs: object) -> OARenderer:
    return OARenderer(None, Path("."), PayloadCodec("oa-secret"), **kwargs)  # type: ignore[arg-type]


def reply(*labels: str, free_input: bool = False, **kwargs: object) -> TextReply:
    options = tuple(Option(label, f"v{n}") for n, label in enumerate(labels))
    return TextReply("Chọn một:", options, token="q1a", free_input=free_input,
                     language="vi", **kwargs)


def test_up_to_five_options_are_buttons_whose_payload_comes_back_as_the_choice() -> None:
    codec = PayloadCodec("oa-secret")
    [message] = renderer().text_messages(USER, reply("Tập thể", "Cá nhân"))
    assert message["text"] == "Chọn một:"
    buttons = message["attachment"]["payload"]["buttons"]
    assert [(b["title"], b["type"]) for b in buttons] == [
        ("Tập thể", "oa.query.hide"), ("Cá nhân", "oa.query.hide")]
    payload = buttons[1]["payload"]
    assert payload.isascii() and len(payload) < 40
    assert codec.decode(USER, payload) == ("q1a", "v1")
    assert codec.decode("someone-else", payload) is None  # bound to the user it went to
    assert codec.decode(USER, payload.replace("v1", "v0")) is None  # not forgeable
    assert codec.decode(USER, "Cá nhân") is None  # typed text stays text


def test_values_of_any_kind_survive_the_payload() -> None:
    codec = PayloadCodec("k")
    for value in ("review:12:approve", "00367", "__skip__", "Hà Nội 1.5"):
        assert codec.decode("u", codec.encode("u", "a", value)) == ("a", value)


def test_more_than_five_options_are_numbered_lines_without_buttons() -> None:
    labels = [f"Lựa chọn {n}" for n in range(1, 8)]
    [message] = renderer().text_messages(USER, reply(*labels))
    assert "attachment" not in message
    assert "1. Lựa chọn 1" in message["text"] and "7. Lựa chọn 7" in message["text"]


def test_shortened_titles_keep_the_full_labels_in_the_text() -> None:
    labels = ["Kinh tế, KH-CN, đổi mới sáng tạo", "Văn hoá, xã hội, con người"]
    [message] = renderer(title_max=20).text_messages(USER, reply(*labels))
    titles = [b["title"] for b in message["attachment"]["payload"]["buttons"]]
    assert titles == ["1. Kinh tế, KH-CN,…", "2. Văn hoá, xã hội,…"]
    assert all(len(t) <= 20 for t in titles)
    assert "1. Kinh tế, KH-CN, đổi mới sáng tạo" in message["text"]
    # Beside a typed answer the words to type are listed instead of numbers.
    [message] = renderer(title_max=20).text_messages(
        USER, reply("➡️ Không có ảnh, tiếp tục", free_input=True))
    assert message["attachment"]["payload"]["buttons"][0]["title"] == "Không có ảnh, tiếp…"
    assert "Không có ảnh, tiếp tục" in message["text"] and "1." not in message["text"]


def test_long_text_is_split_and_the_buttons_go_with_the_last_piece() -> None:
    long = TextReply(("Một câu khá dài. " * 40 + "\n\n") * 6, (Option("Xong", "d"),),
                     token="q2", language="vi")
    messages = renderer().text_messages(USER, long)
    assert len(messages) >= 2 and all(len(m["text"]) <= 2000 for m in messages)
    assert [("attachment" in m) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_a_phone_request_adds_zalos_card_and_a_location_request_says_how() -> None:
    phone = TextReply("Số điện thoại?", (Option("Bỏ qua", "__skip__"),), token="q3",
                      ask=Ask.CONTACT, ask_label="📞 Chia sẻ số điện thoại", free_input=True,
                      language="en")
    question, card = renderer(info_image_url="https://x.example/p.png").text_messages(
        USER, phone)
    assert "share on the card below" in question["text"]
    payload = card["attachment"]["payload"]
    assert payload["template_type"] == "request_user_info"
    assert payload["elements"][0]["title"] == "📞 Chia sẻ số điện thoại"
    assert payload["elements"][0]["image_url"] == "https://x.example/p.png"
    [where] = renderer().text_messages(USER, TextReply(
        "Vị trí?", ask=Ask.LOCATION, ask_label="📍", language="vi"))
    assert "Vị trí → gửi vị trí hiện tại" in where["text"]


def test_a_big_photo_is_re_encoded_under_the_upload_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg_bytes((1600, 1200)))
    small, mime, _ = fit_image(path, 1_000_000)
    assert small == path.read_bytes() and mime == "image/jpeg"
    smaller, mime, name = fit_image(path, len(small) // 3)
    assert len(smaller) <= len(small) // 3 and mime == "image/jpeg" and name == "big.jpg"
