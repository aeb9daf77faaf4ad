"""`qa --source` against renders spoiled in known ways (fixtures.spoils): each fails its own
check and only it; the unspoiled render passes all six; the frame mapping and the sound offset
are exact."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures import spoils
from lipgate.qa.checks import SOURCE_CHECKS, judge_source
from lipgate.qa.checks.frames_kept import frame_faults
from lipgate.qa.checks.sound_kept import service_offset_ms
from lipgate.qa.compare import measure_against_source, parabolic_peak


@pytest.fixture(scope="session")
def pair(tmp_path_factory):
    return spoils.build(tmp_path_factory.mktemp("qa_source"))


@pytest.fixture(scope="session")
def measured(pair):
    cache = {}

    def measure(name):
        if name not in cache:
            cache[name] = measure_against_source(pair.renders[name], pair.source, pair.target)
        return cache[name]

    return measure


def statuses(measured_one) -> dict[str, str]:
    return {result.id: result.status for result in judge_source(measured_one)}


def test_the_unspoiled_render_passes_every_check(measured):
    assert statuses(measured("ok")) == {check_id: "pass" for check_id in SOURCE_CHECKS}


@pytest.mark.parametrize("spoil", sorted(spoils.SPOILS))
def test_each_spoiled_render_fails_its_own_check_and_only_it(measured, spoil):
    failed = {check_id for check_id, status in statuses(measured(spoil)).items() if status == "fail"}
    assert failed == {spoils.SPOILS[spoil]}


def test_frame_mapping_is_exact(measured):
    n = len(measured("ok").series["source_frame"])
    assert list(measured("ok").series["source_frame"]) == list(range(n))
    dropped = [j for j in range(n + len(spoils.DROPPED)) if j not in spoils.DROPPED]
    assert list(measured("frames_dropped").series["source_frame"]) == dropped
    at, times = spoils.REPEATED_AT, spoils.REPEATS
    repeated = (list(range(at + 1)) + [at] * times + list(range(at + 1, n)))[:n]
    assert list(measured("frames_repeated").series["source_frame"]) == repeated
    assert list(measured("starts_late").series["source_frame"]) == [j + spoils.LATE_START_FRAMES for j in range(n)]
    # source time of each render frame (review21's filmstrips)
    late = measured("starts_late").series["source_t"]
    assert np.allclose(late, (np.arange(n) + spoils.LATE_START_FRAMES) / spoils.FPS)


def test_frames_kept_counts_and_places_the_faults(measured):
    results = {r.id: r for r in judge_source(measured("frames_dropped"))}
    frames = results["frames_kept"]
    assert frames.value == len(spoils.DROPPED) and frames.details["missing"] == 3
    (segment,) = frames.segments
    assert segment.start == pytest.approx(spoils.DROPPED[0] / spoils.FPS, abs=0.001)
    late = {r.id: r for r in judge_source(measured("starts_late"))}["frames_kept"]
    assert late.value == spoils.LATE_START_FRAMES and late.details["first_source_frame"] == spoils.LATE_START_FRAMES
    fps = {r.id: r for r in judge_source(measured("fps_changed"))}["frames_kept"]
    assert fps.details["repeated"] > 0 and "frame rate changed from 25 to 30 fps" in fps.message


def test_the_service_sound_offset_within_1_ms(measured):
    assert abs(service_offset_ms(measured("ok"))) < 1.0
    # the sound comes 60 ms late: the contract's sign (positive = sound early) makes it -60
    assert service_offset_ms(measured("sound_moved")) == pytest.approx(-1000 * spoils.SOUND_DELAY_S, abs=1.0)


def test_the_measured_margins_hold(measured):
    """Values behind each threshold: far from it on both sides."""
    ok = {r.id: r for r in judge_source(measured("ok"))}
    assert ok["mouth_sharpness"].value > 0.9
    assert {r.id: r for r in judge_source(measured("lower_face_blurred"))}["mouth_sharpness"].value < 0.5
    assert ok["lipsync_applied"].value > 0.8
    assert {r.id: r for r in judge_source(measured("not_resynced"))}["lipsync_applied"].value < 0.05
    assert ok["picture_kept"].value < 1.0 and ok["picture_kept"].details["psnr_db"] > 40
    assert {r.id: r for r in judge_source(measured("picture_altered"))}["picture_kept"].value > 20
    assert ok["sound_kept"].details["similarity"] > 0.95
    assert {r.id: r for r in judge_source(measured("sound_cut"))}["sound_kept"].segments


def test_frame_faults_from_a_mapping():
    faults = frame_faults(np.array([2, 3, 3, 6, -1, 7]))
    assert list(faults["missing"]) == [2, 0, 0, 2, 0, 0]
    assert list(faults["repeated"]) == [0, 0, 1, 0, 0, 0]
    assert list(faults["unmatched"]) == [False, False, False, False, True, False]


def test_parabolic_peak_is_sub_sample():
    x = np.arange(20.0)
    values = -((x - 7.3) ** 2)
    assert parabolic_peak(values, 7) == pytest.approx(7.3)


def test_still_source_frames_and_picture_compare_with_the_still(pair, tmp_path):
    import cv2

    from fixtures import synth

    still = tmp_path / "still.png"
    cv2.imwrite(str(still), cv2.cvtColor(spoils.frame(0, 0.0), cv2.COLOR_RGB2BGR))
    n = 50
    opening = spoils.openings(pair.target, n)
    render = synth.encode_video((spoils.frame(0, float(o)) for o in opening), tmp_path / "from_still.mp4", spoils.FPS,
                                (spoils.SIZE, spoils.SIZE), audio_path=pair.target)
    results = {r.id: r for r in judge_source(measure_against_source(render, still, None))}
    assert results["frames_kept"].status == "pass" and results["picture_kept"].status == "pass"
    assert results["duration_kept"].status == "skip" and results["sound_kept"].status == "skip"


@pytest.mark.slow
def test_cli_qa_source_json_and_exit_codes(pair, cli, tmp_path):
    args = ["--source", str(pair.source), "--audio", str(pair.target), "--format", "json", "--no-cache"]
    ok = cli("qa", str(pair.renders["ok"]), *args)
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["source"] == {"video": str(pair.source), "audio": str(pair.target)}
    assert [c["id"] for c in report["checks"]] == list(SOURCE_CHECKS)
    assert all(c["source"] for c in report["checks"])
    spoiled = cli("qa", str(pair.renders["not_resynced"]), *args[:-3], "--no-cache")
    assert spoiled.returncode == 1 and "lipsync_applied" in spoiled.stdout and "FAIL" in spoiled.stdout
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"render,source,audio\n{pair.renders['ok']},{pair.source},{pair.target}\n"
                     f"{pair.renders['too_short']},{pair.source},{pair.target}\n")
    batch = cli("qa", "--pairs", str(pairs), "--format", "json", "--jobs", "1")
    assert batch.returncode == 1, batch.stderr
    reports = json.loads(batch.stdout)["reports"]
    assert [r["verdict"] for r in reports] == ["pass", "fail"]
    assert {c["id"]: c["status"] for c in reports[1]["checks"]}["duration_kept"] == "fail"
    usage = cli("qa", str(pair.renders["ok"]), "--audio", str(pair.target))
    assert usage.returncode == 2 and "--source" in usage.stderr


def test_library_qa_with_audio_and_no_source_is_a_usage_error(pair):
    from lipgate.api import qa
    from lipgate.errors import UsageError

    with pytest.raises(UsageError):
        qa(pair.renders["ok"], audio=pair.target)



@pytest.mark.parametrize("fmt", ["text", "markdown", "junit", "github", "json"])
def test_every_format_shows_the_source_checks(fmt):
    from lipgate.formats import render
    from lipgate.qa.report import QaReport, SyncResult
    from lipgate.results import CheckResult, Segment

    checks = [CheckResult("frames_kept", "fail", 3.0, 0.0, "frames", "3 source frame(s) missing",
                          segments=[Segment(2.4, 2.44)], fix="render again", source="the contract"),
              CheckResult("mouth_sharpness", "pass", 0.98, 0.7, "ratio", "the lower face has 0.98 of the source's level")]
    report = QaReport("render.mp4", SyncResult(0.0, 5.0, 25.0, "pass", "in sync"), source={"video": "talk.mp4", "audio": "fr.wav"},
                      checks=checks)
    assert report.verdict == "fail" and report.exit_code == 1
    shown = render(report, fmt)
    assert "frames_kept" in shown
    assert ("mouth_sharpness" in shown) == (fmt != "github")  # annotations only for what failed or warned
    if fmt == "json":
        data = json.loads(shown)
        assert data["source"] == {"video": "talk.mp4", "audio": "fr.wav"}
        assert data["checks"][0]["segments"] == [{"start": 2.4, "end": 2.44}]
    if fmt == "text":
        assert "against the upload (video talk.mp4, audio fr.wav)" in shown and "FAIL" in shown


def test_without_source_the_json_has_no_source_or_checks():
    from lipgate.qa.report import QaReport, SyncResult

    data = QaReport("render.mp4", SyncResult(0.0, 5.0, 25.0, "pass", "in sync")).to_dict()
    assert "source" not in data and "checks" not in data


def test_pairs_csv_rule(tmp_path):
    from lipgate.errors import UsageError
    from lipgate.qa.pairs import read_pairs

    table = tmp_path / "pairs.csv"
    table.write_text("render,source,audio\nr/fr.mp4,talk.mp4,fr.wav\n/abs/de.mp4,talk.mp4,\n")
    assert read_pairs(table) == {str(tmp_path / "r/fr.mp4"): (str(tmp_path / "talk.mp4"), str(tmp_path / "fr.wav")),
                                 "/abs/de.mp4": (str(tmp_path / "talk.mp4"), None)}
    table.write_text("render,video\nx.mp4,y.mp4\n")
    with pytest.raises(UsageError, match="render,source"):
        read_pairs(table)


def test_a_missing_source_is_exit_2_naming_it(pair, cli, tmp_path):
    missing = tmp_path / "gone.mp4"
    result = cli("qa", str(pair.renders["ok"]), "--source", str(missing), "--no-cache")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(f"{missing}: file not found")


@pytest.mark.slow
def test_library_qa_with_source_maps_every_render_frame(pair):
    from lipgate.api import qa

    report = qa(pair.renders["starts_late"], source=pair.source, audio=pair.target)
    frame_t, source_t = report.series["frame_t"], report.series["source_t"]
    assert len(source_t) == len(frame_t)
    assert np.allclose(source_t - frame_t, spoils.LATE_START_FRAMES / spoils.FPS)
    assert report.verdict == "fail" and {c.id for c in report.checks if c.status == "fail"} == {"frames_kept"}


def test_the_source_index_costs_no_memory_a_frame(pair, tmp_path):
    """What the comparison keeps per source frame (thumbnails, crops, signatures) goes to disk
    (lipgate.spill): the index of a source three times as long holds about the same memory
    (numpy's allocations, as tracemalloc sees them), where keeping those rows would hold about
    10 kB a frame more."""
    import subprocess
    import tracemalloc

    from lipgate.media import probe
    from lipgate.qa.compare import index_source

    longer = tmp_path / "source_x3.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "2", "-i", str(pair.source), "-c", "copy", str(longer)],
                   check=True)
    index_source(probe(pair.source))  # MediaPipe's first load allocates for good
    held, frames = [], []
    for path in (pair.source, longer):
        tracemalloc.start()
        index = index_source(probe(path))
        held.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        frames.append(len(index.frame_t))
        del index
    extra_frames = frames[1] - frames[0]
    assert extra_frames > 2 * frames[0] - 5
    assert held[1] - held[0] < 200 * extra_frames  # kept in memory, the rows would hold 10 kB a frame


def test_a_spill_array_gives_back_what_was_appended():
    from lipgate.spill import SpillArray

    store = SpillArray(np.uint8)
    rows = [np.full((3, 4), k, np.uint8) for k in range(5)]
    for row in rows:
        store.append(row)
    np.testing.assert_array_equal(store.array(), np.stack(rows))
    sound = SpillArray(np.float32, ())
    sound.extend(np.arange(3, dtype=np.float32))
    sound.extend(np.arange(3, 7, dtype=np.float32))
    np.testing.assert_array_equal(sound.array(), np.arange(7, dtype=np.float32))
    assert SpillArray(np.float32, ()).array().shape == (0,)
    with pytest.raises(ValueError):
        store.append(np.zeros((2, 2), np.uint8))
