"""Short videos made clean: whatever a phone recorded (MP4/H.264 or HEVC from Telegram, Zalo or an
iPhone, WebM from a browser, a round Telegram video note) is decoded and encoded again as
MP4 (H.264 + AAC, "fast start" so a browser plays it while it downloads), no larger than
`max_side` pixels on its long edge. What is kept carries pictures and sound and nothing else:
no title, place (phones write GPS coordinates into a video), recording device, date or encoder
tags. A poster frame (JPEG) is taken on the way, for the page to show before it plays.

PyAV (FFmpeg's libraries, shipped in its wheels with libx264) does the work. It is imported
when a video arrives, not with every worker. Decoding stops as soon as the video is longer than
allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

DEFAULT_MAX_SIDE = 720
VIDEO_CRF = "28"
"""x264's constant quality: about 1 Mbit/s at 720p for phone footage, clear enough on a page."""
AUDIO_RATE = 44_100
AUDIO_BIT_RATE = 64_000
LENIENCY_SECONDS = 1.0
POSTER_AT_SECONDS = 1.0
"""The poster is the frame at one second (the first frames are often black or shaky)."""


class BadVideo(Exception):
    """Not a video we keep; `reason` is "not_video" or "too_long"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanVideo:
    seconds: float
    width: int
    height: int
    """As it is displayed (a portrait phone video is taller than wide)."""


def clean_video(source: Path, target: Path, poster: Path, *, max_seconds: float,
                max_side: int = DEFAULT_MAX_SIDE) -> CleanVideo:
    """Write `source`'s first video track (and first audio track) to `target` as a clean MP4,
    and its poster frame to `poster` as a JPEG."""
    import av
    import av.error

    try:
        with av.open(str(source), metadata_errors="ignore") as reader:
            video = next((s for s in reader.streams if s.type == "video"), None)
            if video is None or not video.codec_context.width:  # type: ignore[attr-defined]
                raise BadVideo("not_video")
            if (reader.duration or 0) / av.time_base > max_seconds + 60:
                raise BadVideo("too_long")  # plainly too long: not even decoded
            audio = next((s for s in reader.streams if s.type == "audio"), None)
            with av.open(str(target), "w", format="mp4",
                         options={"movflags": "+faststart", "fflags": "+bitexact"}) as writer:
                return _pipe(reader, video, audio, writer, poster, max_seconds, max_side)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError,
            ZeroDivisionError) as error:
        raise BadVideo("not_video") from error


def _even_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _pipe(reader: Any, video: Any, audio: Any, writer: Any, poster: Path,
          max_seconds: float, max_side: int) -> CleanVideo:
    """`reader`, `video`, `audio`, `writer`: PyAV's container and streams."""
    import av

    rate = video.average_rate or video.guessed_rate or Fraction(25)
    if not 1 <= rate <= 60:
        rate = Fraction(30)
    width, height = _even_size(video.codec_context.width, video.codec_context.height, max_side)
    out = writer.add_stream("libx264", rate=rate)
    out.width, out.height, out.pix_fmt = width, height, "yuv420p"
    out.options = {"crf": VIDEO_CRF, "preset": "veryfast"}
    out.codec_context.flags |= av.codec.context.Flags.bitexact
    sound = resampler = None
    if audio is not None:
        sound = writer.add_stream("aac", rate=AUDIO_RATE)
        sound.layout = "stereo" if (audio.codec_context.channels or 1) > 1 else "mono"
        sound.bit_rate = AUDIO_BIT_RATE
        resampler = av.AudioResampler(format=sound.codec_context.format.name,
                                      layout=sound.layout, rate=AUDIO_RATE)
    frames, rotation, poster_taken = 0, None, False
    streams = [video] + ([audio] if audio is not None else [])
    for packet in reader.demux(*streams):
        for frame in packet.decode():
            if packet.stream is audio:
                for part in resampler.resample(frame):  # type: ignore[union-attr]
                    part.pts = None
                    writer.mux(sound.encode(part))  # type: ignore[union-attr]
                continue
            if rotation is None:  # a phone held upright: shown upright, nothing else kept
                rotation = int(frame.rotation or 0)
                if rotation:
                    out.set_display_rotation(rotation)
            if frames / rate > max_seconds + LENIENCY_SECONDS:
                raise BadVideo("too_long")
            if not poster_taken and (frames / rate >= POSTER_AT_SECONDS or frames == 0):
                _save_poster(frame, poster, rotation)
                poster_taken = frames > 0
            picture = frame.reformat(width=width, height=height, format="yuv420p")
            picture.pts = frames
            picture.time_base = 1 / rate
            frames += 1
            writer.mux(out.encode(picture))
    if frames == 0:
        raise BadVideo("not_video")
    writer.mux(out.encode(None))
    if sound is not None:
        for part in resampler.resample(None):  # type: ignore[union-attr]
            part.pts = None
            writer.mux(sound.encode(part))
        writer.mux(sound.encode(None))
    if rotation in (90, -90, 270, -270):
        width, height = height, width
    return CleanVideo(seconds=float(frames / rate), width=width, height=height)


def _save_poster(frame: Any, poster: Path, rotation: int | None) -> None:
    image = frame.to_image()
    if rotation:
        image = image.rotate(rotation, expand=True)
    image.thumbnail((1280, 1280))
    image.save(poster, format="JPEG", quality=82)
