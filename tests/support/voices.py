"""Voice notes as phones make them, for tests: real OGG/Opus (Telegram), AAC in M4A (iPhone,
Zalo), WebM/Opus (a browser's recorder), each carrying the tags a phone or an app may write
(a name, a place), so a test can check that none of it is kept or leaves."""

from __future__ import annotations

import io
import math
import struct

import av
import mutagen

SECRET_TAGS = {"title": "Ghi âm Nguyễn Thị Lan", "artist": "LanPhoneRecorder",
               "comment": "GPS 21.0285,105.8542 Zalo-Secret"}
"""Words that must never be found in a stored or sent voice note."""
SECRET_WORDS = [b"Nguy", b"LanPhoneRecorder", b"21.0285", b"Zalo-Secret"]

_FORMATS = {"ogg": ("ogg", "libopus", 48_000), "m4a": ("ipod", "aac", 44_100),
            "webm": ("webm", "libopus", 48_000), "aac": ("adts", "aac", 44_100)}


def voice_note(seconds: float = 4.0, *, kind: str = "ogg", tagged: bool = True,
               tone: float = 440.0) -> bytes:
    """A recording of `seconds` of a tone, in the container `kind`, with `SECRET_TAGS`."""
    container, codec, rate = _FORMATS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        if tagged:
            out.metadata.update(SECRET_TAGS)
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if tagged:
            stream.metadata.update(SECRET_TAGS)
        total, done, chunk = int(seconds * rate), 0, 1024
        while done < total:
            size = min(chunk, total - done)
            wave = [int(9000 * math.sin(2 * math.pi * tone * n / rate))
                    for n in range(done, done + size)]
            frame = av.AudioFrame(format="s16", layout="mono", samples=size)
            frame.planes[0].update(struct.pack(f"<{size}h", *wave))
            frame.sample_rate, frame.pts = rate, done
            out.mux(stream.encode(frame))
            done += size
        out.mux(stream.encode(None))
    return buffer.getvalue()


def assert_clean_voice(data: bytes, *, seconds: float | None = None,
                       container: str = "ogg") -> None:
    """Playable sound in `container` with no tags: none of the secret words, no metadata that
    mutagen (another library than the one that wrote it) or FFmpeg can read."""
    for word in SECRET_WORDS:
        assert word not in data, word
    with av.open(io.BytesIO(data)) as reader:
        assert container in reader.format.name.split(","), reader.format.name
        assert not set(reader.metadata) - _STRUCTURE, reader.metadata
        stream = reader.streams.audio[0]
        assert not set(stream.metadata) - _STRUCTURE, stream.metadata
        decoded = sum(frame.samples for frame in reader.decode(stream)) / stream.rate
    if seconds is not None:
        assert abs(decoded - seconds) < 0.5, decoded
    if container in ("ogg", "mp4"):
        parsed = mutagen.File(io.BytesIO(data))
        assert parsed is not None and not list(parsed.tags or []), parsed.tags


_STRUCTURE = {"major_brand", "minor_version", "compatible_brands", "handler_name",
              "vendor_id", "language"}
"""What FFmpeg reports of an MP4's structure (its brand, the track's handler): not tags."""
