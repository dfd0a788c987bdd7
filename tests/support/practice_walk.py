"""A complete practice submission as a list of steps, reusable by any channel's test driver.

Each step names the field it answers and the action that answers it; `kind` tells a driver
what the action is: press a button by label, type text, send a location, send photos.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    field: str
    kind: str  # "press" | "text" | "location" | "photos"
    value: object = None


SELF_ASSESSMENT = [
    Step("criterion:mobilised", "press", "4 – Tốt"),
    Step("criterion:people_roles", "press", "5 – Rất tốt"),
    Step("criterion:six_clear", "press", "Có"),
    Step("criterion:lasting", "press", "4 – Tốt"),
    Step("criterion:months_running", "text", "8"),
]
"""The self-assessment against the commune level's built-in criteria
(handlers/criteria_data/), asked after the practice's last question, before the summary."""

COMPLETE_PRACTICE = [
    Step("submitter_kind", "press", "Tập thể"),
    Step("collective_type", "press", "Thôn"),
    Step("submitter_name", "text", "Thôn Đông Hà"),
    Step("field", "press", "Văn hoá, xã hội, con người"),
    Step("title", "text", "Tiếng kẻng an ninh thôn"),
    Step("description", "text", "Mỗi tối các hộ thay nhau đánh kẻng nhắc đóng cửa, tắt bếp."),
    Step("clear_who", "text", "Chi hội phụ nữ và 120 hộ dân"),
    Step("clear_what", "text", "Đánh kẻng, tuần tra, nhắc nhở"),
    Step("clear_when", "text", "Từ tháng 3/2026, mỗi tối 21 giờ"),
    Step("clear_responsibility", "text", "Trưởng thôn phân công theo tổ"),
    Step("clear_product", "text", "Không còn vụ trộm cắp trong 6 tháng"),
    Step("clear_authority", "text", "Đảng uỷ xã kiểm tra hằng quý"),
    Step("people_mobilised", "text", "250"),
    Step("organisations_taking_part", "text", "4"),
    Step("people_groups", "press", "Bỏ qua"),
    Step("contribution_workdays", "text", "120"),
    Step("contribution_money_vnd", "text", "15.000.000"),
    Step("contribution_other", "press", "Bỏ qua"),
    Step("results", "text", "Thôn được công nhận an toàn về an ninh trật tự"),
    Step("priority_task", "press", "Mô hình mới"),
    Step("difficult_area", "press", "Bỏ qua"),
    Step("commune", "text", "thanh xuan"),
    Step("commune", "press", "Phường Thanh Xuân, Thành phố Hà Nội"),
    Step("village", "text", "Tổ dân phố số 5"),
    Step("location", "location", (21.0008, 105.8123)),
    Step("photos", "photos", 3),
    Step("photos", "press", "Xong"),
    *SELF_ASSESSMENT,
]

PHOTOS_DONE = next(index for index, step in enumerate(COMPLETE_PRACTICE)
                   if step.field == "photos" and step.kind == "press")
"""Where the photos' "Xong" is in the walk: a video is sent just before it."""

QUESTIONS = {
    "submitter_kind": "Ai gửi mô hình này?",
    "collective_type": "Tập thể thuộc loại nào?",
    "submitter_name": "Tên tập thể hoặc họ tên cá nhân?",
    "field": "Mô hình thuộc lĩnh vực nào?",
    "title": "Tên mô hình, cách làm?",
    "description": "Mô tả ngắn gọn mô hình",
    "clear_who": "Rõ người",
    "clear_what": "Rõ việc",
    "clear_when": "Rõ thời gian",
    "clear_responsibility": "Rõ trách nhiệm",
    "clear_product": "Rõ sản phẩm",
    "clear_authority": "Rõ thẩm quyền",
    "people_mobilised": "bao nhiêu người",
    "organisations_taking_part": "bao nhiêu tổ chức",
    "people_groups": "Chia theo nhóm",
    "contribution_workdays": "ngày công",
    "contribution_money_vnd": "Số tiền",
    "contribution_other": "Đóng góp khác",
    "results": "Kết quả đạt được",
    "priority_task": "Ưu tiên",
    "difficult_area": "địa bàn khó khăn",
    "commune": "xã, phường, đặc khu",
    "village": "Thôn, tổ dân phố",
    "location": "Gửi vị trí",
    "photos": "ảnh",
    "criterion:mobilised": "Vận động được nhiều người",
    "criterion:people_roles": "Dân biết, dân bàn",
    "criterion:six_clear": "mục tiêu “6 rõ”",
    "criterion:lasting": "Được cộng đồng thừa nhận",
    "criterion:months_running": "duy trì được bao nhiêu tháng",
}
