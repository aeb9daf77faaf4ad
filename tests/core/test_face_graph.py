"""The face layer's direct graph call gives what MediaPipe's own ``process`` gives."""

from __future__ import annotations

import numpy as np

from lipgate.face import FaceCounter, FaceTracker, landmark_array
from lipgate.media import VideoDecoder, probe


def test_direct_graph_call_matches_process(generated):
    frames = [frame.rgb for frame in VideoDecoder(probe(generated["talking"]), max_side=640)][:12]
    with FaceTracker() as fast, FaceTracker() as reference, FaceCounter() as counter:
        for rgb in frames:
            expected = reference._solution.process(rgb).multi_face_landmarks
            found = fast.landmarks(rgb)
            assert (found is None) == (not expected)
            if expected:
                height, width = rgb.shape[:2]
                assert np.array_equal(found, landmark_array(expected[0]) * (width, height, width))
            assert counter.count(rgb) == len(counter._solution.process(rgb).detections or [])


def test_mediapipe_loads_without_its_unused_parts():
    """A fresh process that starts a face mesh loads neither the Tasks API nor sounddevice (whose
    PortAudio search runs gcc and ld) nor matplotlib, and the mesh still finds the face."""
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from lipgate.face import FaceTracker\n"
        "with FaceTracker() as tracker:\n"
        "    tracker.landmarks(np.zeros((64, 64, 3), np.uint8))\n"
        "print(sorted(m for m in ('sounddevice', 'matplotlib', 'mediapipe.tasks.python.audio') if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip().splitlines()[-1] == "[]"
