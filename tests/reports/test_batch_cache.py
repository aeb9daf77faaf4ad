"""Batches (files, folders, globs; a bad file among good ones), the results cache, Dask, progress."""

from __future__ import annotations

import io
import json
import shutil

import pytest

import lipgate.preflight.measure
from lipgate.batch import expand_inputs, is_batch, measure_cached, run_batch
from lipgate.config import Config
from lipgate.errors import InputError
from lipgate.progress import Progress
from tests.conftest import run_cli


@pytest.fixture
def media_folder(tmp_path, generated, short_clip):
    """Two good inputs and two bad ones (an empty 'video', text named as a picture)."""
    folder = tmp_path / "media"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(generated["portrait"], folder / "a_still.png")
    shutil.copy(short_clip, folder / "sub" / "b_clip.mp4")
    (folder / "c_empty.mp4").write_bytes(b"")
    (folder / "d_text.png").write_text("not a picture\n")
    (folder / "notes.txt").write_text("ignored: not media\n")
    return folder


def test_inputs_expand_from_folders_and_globs(media_folder):
    paths, failures = expand_inputs([str(media_folder / "*.png"), str(media_folder), str(media_folder / "none*.mp4")], "lipgate.preflight.runner")
    names = [p.rsplit("/", 1)[-1] for p in paths]
    assert names == ["a_still.png", "d_text.png", "c_empty.mp4", "b_clip.mp4"]  # globbed first, then the folder's rest
    assert [f.error for f in failures] == [f"{media_folder}/none*.mp4: no file matches"]
    assert is_batch([str(media_folder)]) and is_batch(["a.mp4", "b.mp4"]) and not is_batch(["a.mp4"])


@pytest.mark.slow
def test_batch_cli_bad_files_do_not_stop_the_others(media_folder, private_cache):
    done = run_cli("check", str(media_folder), "--jobs", "2", "--format", "json")
    assert done.returncode == 2, done.stderr
    data = json.loads(done.stdout)
    assert data["schema"] == "lipgate/batch/v1"
    by_name = {(r.get("input") or r["inputs"]["video"] or r["inputs"]["image"]).rsplit("/", 1)[-1]: r for r in data["reports"]}
    assert list(by_name) == ["a_still.png", "c_empty.mp4", "d_text.png", "b_clip.mp4"]
    assert by_name["a_still.png"]["schema"] == "lipgate/check/v1" and by_name["b_clip.mp4"]["schema"] == "lipgate/check/v1"
    assert set(by_name["c_empty.mp4"]) == {"input", "error"} and "c_empty.mp4" in by_name["c_empty.mp4"]["error"]
    assert "\n" not in by_name["d_text.png"]["error"]
    assert by_name["a_still.png"]["verdict"] == "warn"  # the still's open mouth
    assert by_name["b_clip.mp4"]["verdict"] == "fail"  # 2 s of picture, 10 s of speech: duration_mismatch
    assert data["verdict"] == "fail"
    good_only = run_cli("check", str(media_folder / "a_still.png"), str(media_folder / "sub"), "--format", "json", "-q")
    assert (good_only.returncode, good_only.stdout) == (1, "verdict: FAIL (2 inputs: 1 warn, 1 fail)\n")  # judged, no error: 1


class CountingDecoder(lipgate.preflight.measure.VideoDecoder):
    opened = 0

    def __iter__(self):
        CountingDecoder.opened += 1
        return super().__iter__()


def test_cache_hit_judges_without_decoding(short_clip, monkeypatch, private_cache):
    monkeypatch.setattr(lipgate.preflight.measure, "VideoDecoder", CountingDecoder)
    CountingDecoder.opened = 0
    options = {"audio": None}
    first, hit = measure_cached("lipgate.preflight.runner", str(short_clip), options)
    assert (hit, CountingDecoder.opened) == (False, 1)
    assert len(list(private_cache.rglob("*.npz"))) == 1
    strict = Config(checks={"face_yaw": {"fail_above": 0.01}})
    copy = short_clip.parent / "renamed copy.mp4"
    shutil.copy(short_clip, copy)  # same content, other name: still a hit
    second, hit = measure_cached("lipgate.preflight.runner", str(copy), options)
    assert (hit, CountingDecoder.opened) == (True, 1)
    from lipgate.preflight.runner import judge_input

    assert judge_input(str(short_clip), options, first).check("face_yaw").status == "pass"
    rejudged = judge_input(str(copy), options, second, strict)
    assert rejudged.check("face_yaw").status == "fail" and rejudged.inputs["video"] == str(copy)
    assert measure_cached("lipgate.preflight.runner", str(short_clip), options, use_cache=False)[1] is False
    assert CountingDecoder.opened == 2


def test_edited_file_misses_the_cache(tmp_path, generated, private_cache):
    still = tmp_path / "still.png"
    shutil.copy(generated["portrait"], still)
    assert measure_cached("lipgate.preflight.runner", str(still), {"audio": None})[1] is False
    assert measure_cached("lipgate.preflight.runner", str(still), {"audio": None})[1] is True
    misnamed = tmp_path / "still.mp4"
    shutil.copy(still, misnamed)  # same bytes under a video's name: probing must refuse it, not the cache serve it
    with pytest.raises(InputError):
        measure_cached("lipgate.preflight.runner", str(misnamed), {"audio": None})
    with open(still, "ab") as stream:
        stream.write(b"\0")  # trailing bytes: same picture, different content
    assert measure_cached("lipgate.preflight.runner", str(still), {"audio": None})[1] is False


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_reports(media_folder, private_cache):
    inputs = [str(media_folder / "a_still.png"), str(media_folder / "c_empty.mp4")]
    local = run_batch("lipgate.preflight.runner", inputs, {"audio": None}, jobs=1, use_cache=False)
    on_dask = run_batch("lipgate.preflight.runner", inputs, {"audio": None}, jobs=2, executor="dask", use_cache=False)
    assert on_dask.to_dict() == local.to_dict()
    assert on_dask.exit_code == 2 and on_dask.reports[0].verdict == "warn"


def test_unreachable_scheduler_is_one_line_exit_2(media_folder):
    done = run_cli("check", str(media_folder / "a_still.png"), str(media_folder / "c_empty.mp4"), "--scheduler", "tcp://127.0.0.1:9",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert done.returncode == 2
    assert done.stderr.startswith("lipgate: cannot reach the Dask scheduler tcp://127.0.0.1:9") and done.stderr.count("\n") == 1


def test_progress_line_has_count_rate_and_eta():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress("check a.mp4", "frames", stream=stream, clock=lambda: now[0])
    progress(10, 100)
    assert stream.getvalue() == ""  # quiet for the first seconds
    now[0] = 4.0
    progress(40, 100)
    assert stream.getvalue().endswith("check a.mp4: 40/100 frames, 10.0 frames/s, ETA 6 s")
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_no_progress_when_stderr_is_not_a_terminal(short_clip):
    done = run_cli("check", str(short_clip))
    assert "frames/s" not in done.stderr
