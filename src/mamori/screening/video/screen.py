"""Screen a video for registered characters: adaptive frame sampling, result reuse, segments over time.

Sampling (all on decoded frames, using their real timestamps, so variable frame rate is fine):
  * every keyframe;
  * every shot change: a cheap detector on a strided view of the luma plane (no colour conversion) comparing
    a 16-bin luma histogram and a tiny thumbnail with the previous decoded frame;
  * at least `VideoLimits.min_fps` frames per second (default 2).
A sampled frame whose tiny thumbnail is nearly identical to the last *analysed* one reuses that result instead
of running the detectors again; so does one that is the last analysed frame moved by a camera pan/tilt of at most
`VideoLimits.reuse_max_shift` of the frame side (translation by phase correlation on a 128-px luma thumbnail,
then the same near-identical test on the overlap). A slow pan is thus analysed every ~5 % of frame it moves, and
a character entering at the edge is seen within that much camera motion; anything moving *in* the scene (a
character appearing, walking, a cut) changes the overlap and is analysed. Analysed frames are downscaled by swscale (`frame.reformat(width=...)`) before
conversion to numpy, and rotated upright from the display matrix (or the legacy 'rotate' tag).

Analysed frames of one shot share their unchanged scenery: local features (SIFT + the global vote search) are
extracted anew only where the picture changed after following the camera's translation, and reused elsewhere
(`mamori.screening.video.tracking`; `VideoLimits.reuse_keypoints`). Which frames are whole and which partial is
decided in decoding order from the frames alone, never by thread timing.

Speed: non-reference frames (B-frames nothing else refers to) are not decoded at all (`skip_frame="NONREF"`),
in-loop deblocking is skipped (`VideoLimits.fast_decode`: ~20 % less decode CPU on 1080p H.264),
the decoder runs frame threads, and sampled frames are analysed on a small thread pool (`MAMORI_VIDEO_WORKERS`,
default: usable CPUs, at most 4) while decoding continues; results are collected in frame order. FAISS searches
inside a worker use one OpenMP thread, and OpenCV and the BLAS libraries one thread while videos are analysed
(frames are the unit of parallelism; an idle OpenBLAS worker spins after every descriptor product).

Each analysed frame goes through the gate's cascade (`mamori.screening.fusion`); the drawn faces the signature
detector saw are kept with each observation and linked into face tracks (`mamori.screening.video.tracks`:
identity by a decisive frame, the frames' vote or their pooled colours, spread over the track's time;
`VideoLimits.track_faces`); the observations over time become segments per character in
`mamori.screening.segments`.

Caps (`VideoLimits`): bytes, pixels per frame, media duration and decoded frames; hitting a cap stops decoding
with a clear message in `VideoResult.error`, keeping what was found so far (a file that yields no frame at all
raises MediaError instead).
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mamori.screening.fusion import REVIEW
from mamori.screening.mediabase import MediaError, MediaLimits, MediaResult, VideoLimits
from mamori.screening.segments import FrameObservation, segments_to_matches
from mamori.screening.threads import BLAS_ONE_THREAD, OPENCV_ONE_THREAD
from mamori.screening.video.frames import (
    luma_hist,
    luma_thumb,
    motion_thumb,
    near_identical,
    rotation_ccw,
    shifted_copy,
    to_rgb,
)
from mamori.textsafe import without_bytes
from mamori.types import Match

if TYPE_CHECKING:  # pragma: no cover
    from mamori.screening.fusion import Gate, Screened
    from mamori.screening.image.local import LocalFeatureDetector, QueryFeatures
    from mamori.screening.image.signature import FaceSighting, SignatureDetector
    from mamori.screening.video.tracking import FramePlan

    Analysed = tuple[Screened, list[FaceSighting]]  # a frame's cascade result and the drawn faces seen on it


@dataclass
class VideoResult:
    matches: list[Match] = field(default_factory=list)
    error: str | None = None
    duration: float = 0.0  # media seconds decoded
    frames_decoded: int = 0
    frames_sampled: int = 0
    frames_analysed: int = 0
    frames_reused: int = 0
    keypoint_frames_full: int = 0  # analysed frames whose local features were extracted whole ...
    keypoint_frames_partial: int = 0  # ... and those assembled from reused keypoints (video/tracking.py)
    observations: list[FrameObservation] = field(default_factory=list)


def screen_video(path: str | os.PathLike[str], gate: Gate, limits: VideoLimits | None = None) -> VideoResult:
    """Screen a video file; raise MediaError when nothing can be decoded, else report problems in `.error`."""
    import av

    limits = limits or VideoLimits()
    spath = os.fspath(path)
    try:
        size = os.path.getsize(spath)
    except OSError as exc:
        raise MediaError(f"cannot read {spath}: {exc.strerror or exc}") from exc
    if size == 0:
        raise MediaError(f"{spath} is empty (0 bytes)")
    if size > limits.max_bytes:
        raise MediaError(f"{spath} is {size} bytes, over the {limits.max_bytes}-byte video limit")
    try:
        container = av.open(spath, metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"{spath} is not a readable video: {without_bytes(str(exc))}") from exc
    try:
        return _screen_container(container, spath, gate, limits)
    finally:
        container.close()


def _analyse_tracked(
    gate: Gate,
    local: LocalFeatureDetector,
    rgb: np.ndarray,
    gray: np.ndarray,
    plan: FramePlan,
    prev: Future[QueryFeatures] | None,
    out: Future[QueryFeatures],
    sig: SignatureDetector | None = None,
    prev_faces: Future[list[FaceSighting]] | None = None,
    out_faces: Future[list[FaceSighting]] | None = None,
    prev_done: Future[Analysed] | None = None,
    root: Future[QueryFeatures] | None = None,
) -> Analysed:
    """One analysed frame with keypoint reuse: its local features (whole, or new ones in the changed region
    merged with the previous frame's), published in `out` for the next frame as soon as they exist; then its
    drawn faces (whole, or found in the changed region and carried from the previous frame's: `facereuse.py`),
    published in `out_faces`; then all detectors through the gate's cascade, once the previous frame's analysis
    (`prev_done`) is over: the carried keypoints' ratio tests are copied from the views it verified, so which
    ones were copied never depends on thread timing. The previous frame's task was submitted earlier to the same
    FIFO pool, so waiting on its results cannot deadlock; nor can waiting on `root`'s, the last whole
    extraction's, whose weakest kept response lets the new keypoints be searched before the previous frame's
    features are ready."""
    from mamori.screening.video.tracking import merge, partial_features, search_new

    try:
        if plan.full or prev is None:
            feats = local.query(gray)
        else:
            new = partial_features(local, gray, plan)
            if root is not None:  # the whole extraction this frame's keypoints descend from (done long ago)
                with contextlib.suppress(Exception):  # failed: `merge` searches after waiting, as it would
                    new = search_new(local, new, root.result().min_response)
            feats = merge(local, prev.result(), new, plan, (gray.shape[0], gray.shape[1]))
    except BaseException as exc:
        out.set_exception(exc)
        raise
    out.set_result(feats)
    faces: list[FaceSighting] | None = None
    if sig is not None:
        faces = _plan_faces(sig, rgb, plan, (gray.shape[0], gray.shape[1]), prev_faces, out_faces)
    if prev_done is not None and feats.parent_ratios is not None:
        wait([prev_done])  # finished, failed or not: a failure is that frame's own
    return _analyse(gate, sig, rgb, {local.name: local.detect(rgb, feats)}, faces)


def _plan_faces(
    sig: SignatureDetector,
    rgb: np.ndarray,
    plan: FramePlan,
    gray_shape: tuple[int, int],
    prev: Future[list[FaceSighting]] | None,
    out: Future[list[FaceSighting]] | None,
) -> list[FaceSighting] | None:
    """The frame's drawn faces under its plan, always published in `out` (None there: they failed, and the next
    frame scans whole); None when the detector failed (the cascade then runs it and reports the failure)."""
    from mamori.screening.video.facereuse import plan_sightings, scan_plan

    found: list[FaceSighting] | None = None
    try:
        before = None
        scanned = None
        if prev is not None and not plan.full:
            # the crops first: the previous frame's faces are needed only to carry them (measured on the 20 s
            # clip: workers waited ~0.8 s in all for the previous frame's faces before scanning)
            scanned = scan_plan(sig, rgb, plan, gray_shape)
            with contextlib.suppress(Exception):
                before = prev.result()
        found, _ = plan_sightings(sig, rgb, plan, gray_shape, before, scanned)
    except Exception:  # noqa: BLE001 - reported by the cascade, which runs the detector itself
        found = None
    finally:
        if out is not None:
            if found is None:
                out.set_exception(RuntimeError("no faces for this frame"))
            else:
                out.set_result(found)
    return found


def _analyse(
    gate: Gate,
    sig: SignatureDetector | None,
    rgb: np.ndarray,
    given: dict[str, list[Match]] | None = None,
    found: list[FaceSighting] | None = None,
) -> Analysed:
    """The gate's cascade on one frame; with face tracking on, the signature detector's faces (`found`, or
    computed here) are kept for `video/tracks.py` and handed to the cascade as that detector's matches."""
    faces: list[FaceSighting] = []
    if sig is not None:
        try:
            faces = found if found is not None else sig.sightings(rgb)
            given = {**(given or {}), sig.name: sig.matches(faces)}
        except Exception:  # noqa: BLE001 - the cascade runs the detector itself and reports the failure
            faces = []
    return gate.screen(rgb, REVIEW, given=given), faces


def _one_faiss_thread() -> None:
    """Pool initializer: FAISS searches in a worker run on one OpenMP thread (a per-thread setting). Frames are
    already analysed in parallel; OpenMP teams inside each worker would only fight over the same cores."""
    with contextlib.suppress(ImportError, AttributeError):
        import faiss

        faiss.omp_set_num_threads(1)


@contextlib.contextmanager
def _one_thread_per_worker() -> Iterator[None]:
    """OpenCV and the BLAS libraries on one thread each while frames are analysed in parallel: their own thread
    teams inside each SIFT call or descriptor product (`local_verify`'s ratio test) would only oversubscribe the
    cores, and an idle OpenBLAS worker spins for a while after every call (measured on the 20 s 1080p clip, 2
    cores: OpenCV ~25 % more CPU; numpy's OpenBLAS ~0.6 CPU-s of spinning, a quarter of the analysis). Both
    settings are process-wide, so they are held through `screening.threads`: the first user sets them, the last
    one out (a video, or the speaker encoder) restores them."""
    with OPENCV_ONE_THREAD.held(), BLAS_ONE_THREAD.held():
        yield


def _workers() -> int:
    """Analysis threads: OpenCV (SIFT), FAISS and numpy release the GIL, so frames are analysed in parallel with
    each other and with decoding. MAMORI_VIDEO_WORKERS overrides; default: the usable CPUs, at most 4."""
    env = os.environ.get("MAMORI_VIDEO_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        ncpu = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        ncpu = os.cpu_count() or 1
    return max(1, min(4, ncpu))


def _screen_container(container: Any, spath: str, gate: Gate, limits: VideoLimits) -> VideoResult:
    import av

    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams}) or ["none"]
        raise MediaError(f"{spath} has no video stream (streams: {', '.join(kinds)})")
    stream = container.streams.video[0]
    if stream.codec_context is None:  # a damaged header names a codec this build cannot open
        raise MediaError(f"{spath}: the video stream's codec cannot be opened (damaged or unsupported)")
    # Slice threads, not frame threads: the analysis pool keeps the other cores busy, and frame threading cost
    # 20-45 % more decoding CPU on every clip measured (1080p H.264 also more wall time: 0.31 -> 0.43 s for the
    # bench's 20 s clip; 720p VP8 decodes alone faster with it, 0.25 -> 0.18 s for 30 s, while nothing is analysed).
    stream.thread_type = "SLICE"
    # Frames no other frame refers to (non-reference B-frames) are never decoded: at >= 2 fps sampling they are
    # not needed, and shot changes are still seen at the granularity of the reference frames (every 1-3 frames).
    with contextlib.suppress(AttributeError, ValueError, TypeError):  # older PyAV: decode everything
        stream.codec_context.skip_frame = "NONREF"
    if limits.fast_decode:  # applied when the decoder opens, at the first packet
        with contextlib.suppress(AttributeError, ValueError, TypeError):
            stream.codec_context.options = {**stream.codec_context.options, "skip_loop_filter": "all"}
    cw, ch = stream.codec_context.width or 0, stream.codec_context.height or 0
    if cw * ch > limits.max_pixels_per_frame:
        raise MediaError(
            f"{spath}: frames are {cw}x{ch} = {cw * ch} pixels, over the {limits.max_pixels_per_frame}-pixel limit"
        )

    res = VideoResult()
    period = 1.0 / limits.min_fps if limits.min_fps > 0 else float("inf")
    prev_thumb: np.ndarray | None = None
    prev_hist: np.ndarray | None = None
    last_sample_t = -float("inf")
    analysed_thumb: np.ndarray | None = None
    analysed_motion: np.ndarray | None = None
    fallback_rate = float(stream.average_rate or stream.guessed_rate or 25)
    start: float | None = None
    last_t = 0.0
    # Sampled frames are analysed on a small thread pool while decoding goes on. Which frames are analysed and
    # which reuse a result is decided here, from thumbnails only, so the outcome does not depend on timing.
    # pending: (time, the future holding this frame's result (or the reused one's), reused, reason)
    pending: list[tuple[float, Future[Analysed], bool, str]] = []
    workers = _workers()
    pool = ThreadPoolExecutor(
        max_workers=workers,
        thread_name_prefix="mamori-video",
        initializer=_one_faiss_thread if workers > 1 else None,
    )
    in_flight: deque[Future[Analysed]] = deque()
    last_future: Future[Analysed] | None = None
    from mamori.screening.image.local import LocalFeatureDetector
    from mamori.screening.video.tracking import FramePlanner

    found = gate.detector(LocalFeatureDetector.name) if limits.reuse_keypoints else None
    local = found if isinstance(found, LocalFeatureDetector) else None
    planner = FramePlanner() if local is not None else None
    from mamori.screening.image.signature import SignatureDetector

    found_sig = gate.detector(SignatureDetector.name) if limits.track_faces else None
    sig = found_sig if isinstance(found_sig, SignatureDetector) else None
    prev_feats: Future[QueryFeatures] | None = None
    prev_faces: Future[list[FaceSighting]] | None = None
    root_feats: Future[QueryFeatures] | None = None  # the last whole extraction's
    single = contextlib.ExitStack()
    if workers > 1:  # restored in the `finally` below
        single.enter_context(_one_thread_per_worker())
    try:
        try:
            for frame in container.decode(stream):
                res.frames_decoded += 1
                if frame.width * frame.height > limits.max_pixels_per_frame:
                    res.error = (
                        f"stopped at {last_t:.2f} s: a {frame.width}x{frame.height} frame is over the "
                        f"{limits.max_pixels_per_frame}-pixel limit"
                    )
                    break
                t = frame.time
                if t is None:
                    t = last_t + 1.0 / fallback_rate if res.frames_decoded > 1 else 0.0
                if start is None:
                    start = float(t)
                t = float(t) - start  # media time from the first frame
                if t > limits.max_duration_s:
                    res.error = f"stopped after {limits.max_duration_s:.0f} s: over the video duration limit"
                    break
                if res.frames_decoded > limits.max_decoded_frames:
                    res.error = (
                        f"stopped after {limits.max_decoded_frames} frames: over the decoded-frame limit"
                    )
                    break
                last_t = max(last_t, t)

                thumb = luma_thumb(frame)
                hist = luma_hist(thumb)
                reason = None
                if frame.key_frame:
                    reason = "key"
                elif prev_hist is not None and (
                    0.5 * float(np.abs(hist - prev_hist).sum()) > limits.shot_threshold
                    or (prev_thumb is not None and float(np.abs(thumb - prev_thumb).mean()) > 40.0)
                ):
                    reason = "shot"
                elif t - last_sample_t >= period - 1e-6:
                    reason = "rate"
                prev_thumb, prev_hist = thumb, hist
                if reason is None:
                    continue
                last_sample_t = t
                res.frames_sampled += 1
                motion = motion_thumb(frame) if limits.reuse_max_shift > 0 else None
                if last_future is not None and (
                    (
                        analysed_thumb is not None
                        and near_identical(thumb, analysed_thumb, limits.reuse_threshold)
                    )
                    or (
                        motion is not None
                        and analysed_motion is not None
                        and shifted_copy(
                            analysed_motion, motion, limits.reuse_threshold, limits.reuse_max_shift
                        )
                    )
                ):
                    res.frames_reused += 1
                    pending.append((t, last_future, True, reason))
                    continue
                rgb = to_rgb(frame, limits.analysis_width, rotation_ccw(frame, stream))
                while len(in_flight) >= 2 * workers:  # bound the frames held in memory
                    in_flight.popleft().result()
                if planner is not None and local is not None:
                    gray = local.query_gray(rgb)
                    plan = planner.plan(gray, full=reason == "shot")
                    if plan.full:
                        res.keypoint_frames_full += 1
                    else:
                        res.keypoint_frames_partial += 1
                    feats: Future[QueryFeatures] = Future()
                    face_out: Future[list[FaceSighting]] | None = (
                        Future() if sig is not None and limits.reuse_faces else None
                    )
                    last_future = pool.submit(
                        _analyse_tracked,
                        gate,
                        local,
                        rgb,
                        gray,
                        plan,
                        None if plan.full else prev_feats,
                        feats,
                        sig,
                        None if plan.full else prev_faces,
                        face_out,
                        None if plan.full else last_future,
                        None if plan.full else root_feats,
                    )
                    prev_feats, prev_faces = feats, face_out
                    if plan.full:
                        root_feats = feats
                else:
                    last_future = pool.submit(_analyse, gate, sig, rgb)
                in_flight.append(last_future)
                analysed_thumb, analysed_motion = thumb, motion
                res.frames_analysed += 1
                pending.append((t, last_future, False, reason))
        except (av.error.FFmpegError, EOFError, OSError, ValueError) as exc:
            if res.frames_decoded == 0:
                raise MediaError(
                    f"{spath} is corrupt or truncated: no frame could be decoded ({without_bytes(str(exc))})"
                ) from exc
            res.error = f"{spath} is truncated or corrupt: decoding stopped at {last_t:.2f} s ({without_bytes(str(exc))})"
        res.observations = []
        for t, fut, reused, reason in pending:
            sc, faces = fut.result()
            res.observations.append(
                FrameObservation(t, sc.matches, reused, reason, sc.themes, [] if reused else sc.notes, faces)
            )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        single.close()
    if res.frames_decoded == 0:
        raise MediaError(f"{spath}: the video stream has no decodable frames (empty or truncated file)")
    frame_dur = 1.0 / fallback_rate if fallback_rate > 0 else 0.04
    res.duration = last_t + frame_dur
    if sig is not None:
        from mamori.screening.video.tracks import apply_tracks

        res.observations = apply_tracks(res.observations, sig.name_pooled)
    res.matches = segments_to_matches(res.observations, res.duration, limits)
    return res


def screen_video_file(path: str | os.PathLike[str], gate: Gate, limits: MediaLimits) -> MediaResult:
    """The video handler registered in `mamori.screening.plugins.MEDIA_KINDS`."""
    video = screen_video(path, gate, limits.video)
    themes = list(dict.fromkeys(str(e.extra["theme"]) for o in video.observations for e in o.themes))
    notes = [f"at {o.time:.2f} s: {n}" for o in video.observations for n in o.notes]
    detail = {"duration": round(video.duration, 3), "frames_analysed": video.frames_analysed}
    return MediaResult(
        os.fspath(path),
        "video",
        video.matches,
        error=video.error,
        themes=themes,
        notes=notes,
        signals={"video": detail},
    )
