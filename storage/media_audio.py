"""Voice notes made clean: whatever a phone recorded (OGG/Opus from Telegram, AAC from Zalo or an
iPhone, WebM/Opus from a browser, MP3, WAV) is decoded and encoded again, so what is kept and
what leaves carries sound and nothing else: no title, artist, recording device, place or date
tags, no cover picture, no encoder comments of the sender's app.

PyAV (FFmpeg's libraries, shipped in its wheels) does the work. Decoding stops as soon as the
sound is longer than allowed, so a small file that claims hours (a low bit rate) costs little.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PyAV is loaded only when a voice note comes
    from av.audio.stream import AudioStream
    from av.container import InputContainer, OutputContainer

VOICE_RATE = 48_000
VOICE_BIT_RATE = 32_000
"""Opus at 32 kbit/s mono: clear speech, about 240 KB a minute."""
AAC_BIT_RATE = 48_000
LENIENCY_SECONDS = 1.0
"""A recording stopped at "2:00" lasts a few hundredths more; the cap is for people, not frames."""


class BadAudio(Exception):
    """Not audio we keep; `reason` is a short word: "not_audio" or "too_long"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanAudio:
    seconds: float


def clean_voice(source: Path, target: Path, *, max_seconds: float) -> CleanAudio:
    """Write `source`'s first audio track to `target` as OGG/Opus mono with no metadata."""
    return _transcode(source, target, container="ogg", codec="libopus", rate=VOICE_RATE,
                      bit_rate=VOICE_BIT_RATE, max_seconds=max_seconds)


def aac_copy(source: Path, target: Path, *, container: str) -> None:
    """An AAC copy of a clean voice note, for players without Opus: "adts" (a bare .aac file,
    what Zalo's sendVoice takes) or "ipod" (.m4a, what every browser plays)."""
    _transcode(source, target, container=container, codec="aac", rate=44_100,
               bit_rate=AAC_BIT_RATE, max_seconds=None)


def _transcode(source: Path, target: Path, *, container: str, codec: str, rate: int,
               bit_rate: int, max_seconds: float | None) -> CleanAudio:
    # PyAV is imported when a voice note arrives, not with the media store: FFmpeg's libraries
    # cost every worker about 20 MB, and most workers' traffic is text and photos.
    import av
    import av.error

    try:
        with av.open(str(source), metadata_errors="ignore") as reader:
            stream = next(iter(reader.streams.audio), None)
            if stream is None:
                raise BadAudio("not_audio")
            if max_seconds is not None and _claimed_seconds(reader) > max_seconds + 60:
                raise BadAudio("too_long")  # plainly too long: not even decoded
            with av.open(str(target), "w", format=container,
                         options={"fflags": "+bitexact"}) as writer:
                seconds = _pipe(reader, stream, writer, codec, rate, bit_rate, max_seconds)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError) as error:
        raise BadAudio("not_audio") from error
    if seconds <= 0:
        raise BadAudio("not_audio")
    return CleanAudio(seconds)


def _pipe(reader: InputContainer, stream: AudioStream, writer: OutputContainer, codec: str,
          rate: int, bit_rate: int, max_seconds: float | None) -> float:
    import av  # loaded by _transcode already

    out = writer.add_stream(codec, rate=rate)
    if not isinstance(out, av.AudioStream):
        raise ValueError(f"{codec} is not an audio codec")
    out.layout = "mono"
    out.bit_rate = bit_rate
    out.codec_context.flags |= av.codec.context.Flags.bitexact
    resampler = av.AudioResampler(format=out.codec_context.format.name, layout="mono",
                                  rate=rate)
    samples = 0
    for frame in reader.decode(stream):
        for part in resampler.resample(frame):
            samples += part.samples
            if max_seconds is not None and samples / rate > max_seconds + LENIENCY_SECONDS:
                raise BadAudio("too_long")
            part.pts = None
            writer.mux(out.encode(part))
    for part in resampler.resample(None):
        samples += part.samples
        part.pts = None
        writer.mux(out.encode(part))
    writer.mux(out.encode(None))
    return samples / rate


def _claimed_seconds(reader: InputContainer) -> float:
    import av  # loaded by _transcode already

    return (reader.duration or 0) / av.time_base
