"""A worker's memory: libraries only some requests need are loaded when such a request comes
(bench/bench_memory.py measures the whole; these say which library stays out, and that it still
works when its moment comes). Each check runs in a fresh interpreter, since this test process
has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.images import assert_clean_photo, heic_photo

ROOT = Path(__file__).resolve().parent.parent

# Imported only when needed: a report workbook (openpyxl, which loads numpy when installed),
# a HEIC photo (pillow-heif), a bucket as the media store (boto3), a migration (Alembic, which
# a worker runs in a child process: storage/upgrade_process.py).
LOADED_WHEN_NEEDED = ("openpyxl", "numpy", "pillow_heif", "boto3", "botocore", "alembic",
                      "mako")


def run_python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_worker_starts_without_the_libraries_only_some_requests_need() -> None:
    loaded = json.loads(run_python(
        "import json, sys; import bot.cli, bot.app; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"))
    assert "bot" in loaded and "sqlalchemy" in loaded  # the check sees real imports
    assert [name for name in LOADED_WHEN_NEEDED if name in loaded] == []


def test_a_heic_photo_loads_its_codec_when_it_arrives(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(heic_photo())
    out = json.loads(run_python(
        "import json, sys; from pathlib import Path; from storage.media import MediaStore\n"
        "media = MediaStore(Path(sys.argv[2]), max_image_bytes=10_000_000)\n"
        "before = 'pillow_heif' in sys.modules\n"
        "stored = media.save_image(Path(sys.argv[1]).read_bytes())\n"
        "copy = media.outgoing(stored.path)\n"
        "print(json.dumps({'before': before, 'after': 'pillow_heif' in sys.modules,\n"
        "                  'mime': stored.mime_type, 'copy': str(copy)}))",
        str(photo), str(tmp_path / "media")))
    assert out["before"] is False and out["after"] is True
    assert out["mime"] == "image/heic"
    assert_clean_photo(Path(out["copy"]).read_bytes())
