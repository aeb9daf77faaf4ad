"""Batches: reading the list, sequential submission, the SQLite ledger, resuming."""

from __future__ import annotations

import json
import sqlite3

import pytest

from lipgate.submit.batch import (BatchFileError, Ledger, LEDGER_NAME, batch_exit_code, read_batch,
                          run_batch)
from lipgate.submit.flow import Progress


@pytest.fixture
def batch_dir(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4", "fr.wav", "de.wav"):
        (folder / name).write_bytes(b"\x00" * 64)
    return folder


def write_csv(folder, rows):
    path = folder / "list.csv"
    path.write_text("video,audio,language\n" + "".join(f"{v},{a},{l}\n" for v, a, l in rows))
    return path


def test_read_csv_and_json_resolve_paths_beside_the_file(batch_dir):
    rows = [("a.mp4", "fr.wav", "fr"), ("b.mp4", "de.wav", "")]
    from_csv = read_batch(write_csv(batch_dir, rows), "en")
    assert [(i.video, i.audio, i.language) for i in from_csv] == [
        (batch_dir / "a.mp4", batch_dir / "fr.wav", "fr"),
        (batch_dir / "b.mp4", batch_dir / "de.wav", "en")]
    json_file = batch_dir / "list.json"
    json_file.write_text(json.dumps({"items": [{"video": "a.mp4", "audio": "fr.wav",
                                                "language": "fr"}]}))
    assert read_batch(json_file, "en") == from_csv[:1]


@pytest.mark.parametrize("content, message", [
    ("video,audio\na.mp4,\n", "item 1: needs video and audio"),
    ("video,audio\n", "lists no items"),
])
def test_bad_csv_rows_are_named(batch_dir, content, message):
    path = batch_dir / "bad.csv"
    path.write_text(content)
    with pytest.raises(BatchFileError, match=message):
        read_batch(path, "en")


def test_bad_json_is_reported(batch_dir):
    path = batch_dir / "bad.json"
    path.write_text("{not json")
    with pytest.raises(BatchFileError, match="not valid JSON"):
        read_batch(path, "en")


def test_batch_runs_items_one_after_another_and_records_them(service, make_flow, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr"), ("a.mp4", "de.wav", "de"),
                                             ("b.mp4", "fr.wav", "fr")]), "en")
    flow = make_flow()
    reports = run_batch(flow, items)
    assert [r.state for r in reports] == ["done"] * 3
    assert [r.output.name for r in reports] == ["a.fr.lipsync.mp4", "a.de.lipsync.mp4",
                                                "b.fr.lipsync.mp4"]
    order = [r.endpoint for r in service.requests if r.endpoint in ("upload", "download")]
    assert order == ["upload", "download"] * 3  # sequential: each finishes before the next
    with sqlite3.connect(flow.out_dir / LEDGER_NAME) as db:
        states = [state for (state,) in db.execute("SELECT state FROM items ORDER BY position")]
    assert states == ["done"] * 3
    assert batch_exit_code(reports) == 0


def test_same_names_get_distinct_outputs(make_flow, batch_dir):
    (batch_dir / "sub").mkdir()
    (batch_dir / "sub" / "a.mp4").write_bytes(b"\x00")
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr"),
                                             ("sub/a.mp4", "fr.wav", "fr")]), "en")
    reports = run_batch(make_flow(), items)
    assert [r.output.name for r in reports] == ["a.fr.lipsync.mp4", "a.fr.lipsync-2.mp4"]


def test_resumed_batch_uploads_nothing_finished_again(service, make_flow, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr"), ("b.mp4", "de.wav", "de")]),
                       "en")
    first = make_flow()
    original_run = first.run
    calls = []

    def crash_on_second_item(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original_run(*args, **kwargs)

    first.run = crash_on_second_item
    with pytest.raises(KeyboardInterrupt):
        run_batch(first, items)
    assert len(service.calls("upload")) == 1

    reports = run_batch(make_flow(), items)
    uploads = service.calls("upload")
    assert len(uploads) == 2 and uploads[1].file_names == ["b.mp4", "de.wav"]
    assert [(r.state, r.earlier) for r in reports] == [("done", True), ("done", False)]

    again = run_batch(make_flow(), items)
    assert len(service.calls("upload")) == 2
    assert all(r.earlier for r in again)


def test_item_interrupted_while_rendering_is_only_polled_on_resume(service, make_flow, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr")]), "en")
    flow = make_flow()
    ledger = Ledger(flow.out_dir)
    original = ledger.record_progress

    def interrupt_at_rendering(item, progress: Progress):
        original(item, progress)
        if progress.stage == "rendering":
            raise KeyboardInterrupt

    ledger.record_progress = interrupt_at_rendering
    with pytest.raises(KeyboardInterrupt):
        run_batch(flow, items, ledger=ledger)
    ledger.close()
    (report,) = run_batch(make_flow(), items)
    assert report.state == "done" and report.output.read_bytes() == service.render_bytes
    assert len(service.calls("upload")) == 1 and len(service.calls("export")) == 1


def test_no_credits_stops_the_batch_and_leaves_the_rest_pending(service, make_flow, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr"), ("b.mp4", "de.wav", "de")]),
                       "en")
    service.fault("session", code=2001)
    reports = run_batch(make_flow(), items)
    assert [r.state for r in reports] == ["failed", "pending"]
    assert "no credits" in reports[0].detail
    assert len(service.calls("session")) == 1 and service.calls("upload") == []
    assert batch_exit_code(reports) == 2


def test_unsupported_file_fails_one_item_and_goes_on(service, make_flow, media, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr"), ("b.mp4", "de.wav", "de")]),
                       "en")
    service.fault("upload", code=4001)
    reports = run_batch(make_flow(), items)
    assert [r.state for r in reports] == ["failed", "done"]
    assert "supported formats" in reports[0].detail


def test_preflight_failures_and_qa_flags_give_exit_1(service, make_flow, media, batch_dir):
    items = read_batch(write_csv(batch_dir, [("a.mp4", "fr.wav", "fr")]), "en")
    media.qa_verdict = "fail"
    reports = run_batch(make_flow(), items)
    assert reports[0].state == "qa_flagged" and batch_exit_code(reports) == 1
    media.preflight_verdict = "fail"
    assert batch_exit_code(run_batch(make_flow(out_dir=batch_dir / "o2"), items)) == 1
