"""One pass over the media: decode once, feed every analyzer, return the Measurements."""

from __future__ import annotations

from lipgate.media import MediaInfo, VideoDecoder, read_image
from lipgate.measurements import Measurements

ANALYSIS_MAX_SIDE = 640
"""Frames are analysed at most 640 px on their longer side: MediaPipe's face mesh works on a
192 px crop of the face, so larger frames only cost decode time."""

FACE_ANALYSIS_FPS = 5.0
"""The face mesh runs on a regular grid of about 5 frames a second (every 6th frame at 30 fps;
it is most of the time a check costs), and on every frame between two grid frames that differ
(``needs_refining``): the face found in one and not the other, or the head turned across a yaw
threshold. So a steady face costs half of what 10 frames a second did, and the ranges the checks
report still start and end on the exact frame. The light on the face is measured on every frame
(flicker needs the full rate), once the next grid frame has said where the face was."""

LIGHT_LANDMARKS_MAX_AGE_S = 0.3
"""The light on the face is measured where the face was for at most 0.3 s after the face mesh
last found it (a flash or a blink of the detector does not blank the measurement: the light where
the face was is exactly what a flash changes); NaN after that. Between two grid frames that both
have a face, the landmarks are interpolated frame by frame, so the skin patches follow the head."""

FACE_COUNT_FPS = 5.0
"""Faces are counted (face detector) on about 5 frames a second: a second face that matters to
a lip-sync render stays in view for seconds, and ``face_count`` asks for two detections in a row."""

STILL_MAX_SIDE = 1024


def picture_decoder(info: MediaInfo) -> VideoDecoder:
    """The decoder of a video's frames at the analysis size, cropped around the faces when they
    are small in a large frame (``lipgate.framing.face_layout``: the mesh sees them at its own
    input size whatever the framing)."""
    from lipgate.framing import face_layout

    layout = face_layout(info, ANALYSIS_MAX_SIDE)
    return VideoDecoder(info, max_side=layout.max_side, crop=layout.crop)


def needs_refining(earlier, later) -> bool:
    """Whether the frames between two grid observations must be analysed too: the face is found
    in one and not the other, or the yaw lies on different sides of one of ``face_yaw``'s
    thresholds (its declared defaults)."""
    from lipgate.preflight.checks.face_yaw import FaceYaw

    if earlier.found != later.found:
        return True
    if not earlier.found:
        return False
    levels = (FaceYaw.thresholds["warn_above"].value, FaceYaw.thresholds["fail_above"].value)
    return any((abs(earlier.pose.yaw_deg) > level) != (abs(later.pose.yaw_deg) > level) for level in levels)


def interpolated_landmarks(earlier, earlier_index: int, later, later_index: int, indices: list[int]) -> list:
    """Landmarks of the frames at ``indices`` between two grid observations, linear in the frame
    index (None for each when either end has no face)."""
    if earlier is None or not (earlier.found and later.found):
        return [None] * len(indices)
    span = later_index - earlier_index
    return [earlier.landmarks + (later.landmarks - earlier.landmarks) * (index - earlier_index) / span for index in indices]


def measure_visual(info: MediaInfo, progress=None, decoder: VideoDecoder | None = None) -> Measurements:
    """Face and light measurements of a video (streamed, by ``decoder`` when given: a
    ``picture_decoder``) or a still."""
    if info.kind == "image":
        return _measure_still(info)
    decoder = (decoder or picture_decoder(info)).start()  # decodes while OpenCV and MediaPipe load
    from lipgate.face import FaceCounter, FaceTracker
    from lipgate.preflight.analyzers.face import FaceSeriesAnalyzer
    from lipgate.preflight.analyzers.light import FaceLightAnalyzer

    face_every = max(1, round(decoder.fps / FACE_ANALYSIS_FPS))
    count_every = max(1, round(decoder.fps / FACE_COUNT_FPS))
    faces = FaceSeriesAnalyzer()
    light = FaceLightAnalyzer(max_age=max(3, round(LIGHT_LANDMARKS_MAX_AGE_S * decoder.fps)))
    between: list = []  # the frames since the last grid frame, whose light waits for the next one
    last, last_index = None, 0  # the last grid frame's observation and index
    with FaceTracker() as tracker, FaceCounter() as counter:
        for frame in decoder:
            if frame.index % count_every == 0:
                faces.count(frame.t, counter.count(frame.rgb))
            if frame.index % face_every:
                between.append(frame)
                continue
            observation = tracker.observe(frame.rgb)
            if last is not None and needs_refining(last, observation):
                # after the later frame: the tracker then starts from its face
                seen = [tracker.observe(earlier.rgb) for earlier in between]
                for earlier, observed in zip(between, seen):
                    faces.process(earlier.t, observed, decoder.frame_height, refined=True)
                landmarks = [observed.landmarks for observed in seen]
            else:
                landmarks = interpolated_landmarks(last, last_index, observation, frame.index, [f.index for f in between])
            for earlier, points in zip(between, landmarks):
                light.update_face(points)
                light.process(earlier.t, earlier.rgb)
            faces.process(frame.t, observation, decoder.frame_height)
            light.update_face(observation.landmarks)
            light.process(frame.t, frame.rgb)
            last, last_index, between = observation, frame.index, []
            if progress is not None:
                progress(frame.index + 1, decoder.expected_frames)
        for earlier in between:  # after the last grid frame: its face, while it is recent enough
            light.process(earlier.t, earlier.rgb)
    measured = Measurements(values={
        "kind": "video",
        "fps": decoder.fps,
        "face_analysis_fps": decoder.fps / face_every,
        "face_count_fps": decoder.fps / count_every,
        "frames_decoded": decoder.frames_read,
        "video_duration_s": info.video.duration_s,
        "video_width": info.video.width,
        "video_height": info.video.height,
    })
    measured.update(faces.measurements())
    measured.update(light.measurements())
    return measured


def _measure_still(info: MediaInfo) -> Measurements:
    from lipgate.face import FaceCounter, FaceTracker
    from lipgate.preflight.analyzers.face import FaceSeriesAnalyzer
    from lipgate.preflight.analyzers.light import FaceLightAnalyzer

    rgb = read_image(info, max_side=STILL_MAX_SIDE)
    faces = FaceSeriesAnalyzer()
    light = FaceLightAnalyzer()
    with FaceTracker(static=True) as tracker, FaceCounter() as counter:
        observation = tracker.observe(rgb)
        faces.count(0.0, counter.count(rgb))
    faces.process(0.0, observation, rgb.shape[0])
    light.update_face(observation.landmarks)
    light.process(0.0, rgb)
    measured = Measurements(values={
        "kind": "image",
        "image_width": info.video.width,
        "image_height": info.video.height,
    })
    measured.update(faces.measurements())
    measured.update(light.measurements())
    return measured
