"""Short videos as phones make them, for tests: real MP4 (H.264 + AAC) with the tags a phone
writes (a title, the place it was filmed, the device), so a test can check that none of it is
kept or leaves, and that a poster frame and a length are kept."""

from __future__ import annotations

import io
import math

import av
import numpy as np

SECRET_TAGS = {"title": "Quay bởi Nguyễn Thị Lan", "location": "+21.0285+105.8542/",
               "comment": "LanPhoneCam Zalo-Secret"}
"""Words that must never be found in a stored or served video."""
SECRET_WORDS = [b"Nguy", b"LanPhoneCam", b"21.0285", b"Zalo-Secret"]


def phone_video(seconds: float = 2.0, *, width: int = 320, height: int = 240, fps: int = 10,
                tagged: bool = True, container: str = "mp4", sound: bool = True) -> bytes:
    """`seconds` of a moving colour gradient (and a tone), with `SECRET_TAGS`."""
    buffer = io.BytesIO()
    codec = "libx264" if container == "mp4" else "libvpx"
    with av.open(buffer, "w", format=container) as out:
        if tagged:
            out.metadata.update(SECRET_TAGS)
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        audio = None
        if sound:
            audio = out.add_stream("aac" if container == "mp4" else "libopus", rate=48_000)
            audio.layout = "mono"
        frames = int(seconds * fps)
        for index in range(frames):
            image = np.zeros((height, width, 3), dtype=np.uint8)
            image[:, :, 0] = (np.arange(width) * 255 // width)[None, :]
            image[:, :, 1] = (index * 20) % 255
            image[:, :, 2] = (np.arange(height) * 255 // height)[:, None]
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if audio is not None:
            rate, total, done = 48_000, int(seconds * 48_000), 0
            while done < total:
                size = min(1024, total - done)
                wave = np.array([int(9000 * math.sin(2 * math.pi * 440 * n / rate))
                                 for n in range(done, done + size)], dtype=np.int16)
                part = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16",
                                                  layout="mono")
                part.sample_rate = rate
                part.pts = done
                for packet in audio.encode(part):
                    out.mux(packet)
                done += size
            for packet in audio.encode(None):
                out.mux(packet)
    return buffer.getvalue()
