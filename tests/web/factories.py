"""Practices, photos, recognitions and votes for web tests, stored through the repositories."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import Database
from storage.media import MediaStore, StoredMedia
from storage.models import Practice, PracticeVote, Recognition, Role
from storage.repositories import demo
from tests.support.images import jpeg_bytes

_serial = itertools.count(1)
SECRET_SUBMITTER = "Bí Mật Submitter Person"
SECRET_ANSWER = "private-answer-blob-7731"


async def add_practice(
    db: Database,
    *,
    media: MediaStore | None = None,
    status: str = "approved",
    field: str = "economy",
    title: str | None = None,
    commune: str = "00070",  # Phường Hoàn Kiếm, Hà Nội
    province: str = "01",
    lat: float | None = 21.03,
    lon: float | None = 105.85,
    created_at: datetime | None = None,
    kind: str = "collective",
    submitter_name: str = "Thôn Đông Hà",
    village: str = "Thôn Đông Hà",
    description: str = "Các hộ cùng bàn, cùng làm.",
    photos: int = 0,
    photo_files: tuple[StoredMedia, ...] = (),
    levels: tuple[str, ...] = (),
    votes: tuple[bool, ...] = (),
    non_resident_votes: tuple[bool, ...] = (),
) -> Practice:
    """`votes` of people who declared they live in the commune; `non_resident_votes` of people
    who said they do not (kept, not counted)."""
    created = created_at or datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    n = next(_serial)
    stored_photos: list[dict[str, Any]] = []
    for _ in range(photos):
        assert media is not None, "photos need the media store"
        photo_files += (media.save_image(jpeg_bytes((120, 90))),)
    for saved in photo_files:
        stored_photos.append({"sha256": saved.sha256, "path": saved.path,
                              "mime_type": saved.mime_type, "size_bytes": saved.size_bytes,
                              "platform_file_id": None, "channel": "telegram"})
    async with db.session() as session:
        submitter = await demo.add_person(session, display_name=SECRET_SUBMITTER,
                                          role=Role.CITIZEN, now=created)
        official = await demo.add_person(session, display_name="Official", role=Role.OFFICIAL,
                                         now=created)
        voters = [await demo.add_person(session, display_name=f"Voter {i}", role=Role.CITIZEN,
                                        now=created)
                  for i in range(len(votes) + len(non_resident_votes))]
        practice = Practice(
            submitter_id=submitter.id, status=status, submitter_kind=kind,
            submitter_type="village" if kind == "collective" else "citizen",
            submitter_name=submitter_name, field=field, title=title or f"Mô hình số {n}",
            description=description, clear_who="Người dân", clear_what="Việc",
            clear_when="Hằng tuần", clear_responsibility="Trưởng thôn",
            clear_product="Đường sạch", clear_authority="UBND xã", people_mobilised=100,
            results="Tốt", commune_code=commune, province_code=province, village=village,
            latitude=lat, longitude=lon, answers={"secret": SECRET_ANSWER},
            created_at=created, updated_at=created,
        )
        recognitions = [Recognition(level=level, recognised_by=official.id, unit_code=commune,
                                    recognised_at=created + timedelta(days=30),
                                    valid_until=created + timedelta(days=5 * 365))
                        for level in levels]
        residents = [commune] * len(votes) + [None] * len(non_resident_votes)
        vote_rows = [PracticeVote(person_id=voter.id, agrees=agrees, satisfaction=4,
                                  resident_of=resident_of, updated_at=created)
                     for voter, agrees, resident_of in zip(
                         voters, votes + non_resident_votes, residents, strict=True)]
        stored = await demo.add_practice_with_history(
            session, practice=practice, photos=stored_photos, year=created.year,
            recognitions=recognitions, votes=vote_rows)
        await session.commit()
    return stored
