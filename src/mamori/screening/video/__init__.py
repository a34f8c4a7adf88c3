"""Video screening: `screen_video(path, gate, limits) -> VideoResult` (see `mamori.screening.video.screen`)."""

from mamori.screening.segments import FrameObservation
from mamori.screening.video.screen import VideoResult, screen_video

__all__ = ["FrameObservation", "VideoResult", "screen_video"]
