"""The review page's parts without a browser or media: the order and kind of the moments, the
source time mapped to a render time, the video's path relative to the page, the plots' geometry,
the batch index's counts and file names."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from lipgate.formats import filmstrip, review, svgplot
from tests.reports.sample_reports import QaReportStandIn, check_report


def segment(start, end, offset_ms, rerender, reason="", stressed=True, **extra):
    return {"start": start, "end": end, "offset_ms": offset_ms, "confidence": 5.0, "closeup": True, "stressed": stressed,
            "rerender": rerender, "reason": reason, **extra}


class Report(QaReportStandIn):
    def __init__(self, segments, sync=None, **series):
        super().__init__()
        self._segments, self._sync = segments, sync or {"offset_ms": 10.0, "confidence": 6.0, "fps": 25.0}
        self.series = series

    def to_dict(self):
        data = super().to_dict()
        data["segments"], data["sync"] = self._segments, self._sync
        return data


def test_moments_to_rerender_come_first_worst_first_then_the_rest_in_time():
    report = Report([
        segment(1.0, 1.4, 10.0, False, "in sync"),
        segment(2.0, 2.4, 100.0, True, "early"),                      # 55 ms past +45
        segment(3.0, 3.4, -300.0, True, "late"),                      # 175 ms past -125
        segment(4.0, 5.0, None, True, "the mouth stays still while the voice speaks", stressed=False),  # frozen 1 s: 1000
        segment(0.5, 0.7, None, False, "unsure"),
    ])
    moments = review.qa_moments(report)
    assert [(m.start, m.kind) for m in moments] == [(4.0, "frozen"), (3.0, "syllable"), (2.0, "syllable"), (0.5, "syllable"),
                                                     (1.0, "syllable")]
    assert [m.severity for m in moments[:3]] == [1000.0, 175.0, 55.0]


def test_the_contracts_kind_wins_over_the_guess():
    assert review.segment_kind(segment(0, 1, 200.0, True, "x", stressed=False, kind="slip")) == "slip"
    assert review.segment_kind(segment(0, 1, None, True, "the mouth stays still", stressed=False)) == "frozen"
    assert review.segment_kind(segment(0, 1, None, True, "the mouth stays still while the voice speaks")) == "frozen"
    assert review.segment_kind(segment(0, 1, 200.0, True, "the sound comes early", stressed=False)) == "slip"
    assert review.segment_kind(segment(0, 1, None, True, "anything", kind="frozen")) == "frozen"


def test_source_time_is_the_mapped_frame_or_none_or_the_same_time():
    frame_t = np.arange(0, 2, 0.04)
    source_t = np.where(frame_t < 1.0, frame_t + 0.5, np.nan)
    mapped = filmstrip.source_times({"frame_t": frame_t, "source_t": source_t}, [0.12, 0.53, 1.5])
    assert mapped[0] == pytest.approx(0.62) and mapped[1] == pytest.approx(1.02) and mapped[2] is None  # nearest frame
    assert filmstrip.source_times({"frame_t": frame_t}, [0.1, 1.5]) == [0.1, 1.5]


def test_filmstrip_times_are_spread_inside_the_moment():
    assert filmstrip.moment_times(2.0, 3.0) == pytest.approx([2.1, 2.3, 2.5, 2.7, 2.9])


def test_video_path_is_relative_to_the_page_and_quoted(tmp_path):
    video = tmp_path / "media" / "take #2 100%.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\0" * 64)
    src, note = review.video_source(str(video), tmp_path / "pages", embed=False)
    assert src == "../media/take%20%232%20100%25.mp4"
    src, note = review.video_source(str(video), tmp_path / "pages", embed=True)
    assert src == "data:video/mp4;base64," + base64.b64encode(b"\0" * 64).decode() and note == "embedded in this page"


def test_a_large_video_is_referenced_even_with_embed(tmp_path, monkeypatch):
    video = tmp_path / "big.mp4"
    video.write_bytes(b"\0" * 2000)
    monkeypatch.setattr(review, "EMBED_MAX_BYTES", 1000)
    src, note = review.video_source(str(video), tmp_path, embed=True)
    assert src == "big.mp4" and note.startswith("not embedded")


def test_plot_maps_time_to_x_and_marks_moments():
    t = np.linspace(0, 10, 101)
    offsets = np.where((t > 4) & (t < 5), 200.0, 0.0)
    offsets[50] = np.nan
    svg = svgplot.time_plot([svgplot.Panel("offset", t, {"offset": offsets}, band=(-125, 45))], 10.0,
                            [svgplot.Span(4.0, 5.0, "flagged", "x", moment=0)])
    x0, x1 = svgplot.LEFT, svgplot.WIDTH - svgplot.RIGHT
    assert f'data-x0="{x0}" data-x1="{x1}"' in svg and 'data-t1="10.000"' in svg
    span = re.search(r'<rect class="span flagged" data-moment="0" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert float(span.group(1)) == pytest.approx(x0 + 0.4 * (x1 - x0), abs=0.1)
    assert float(span.group(2)) == pytest.approx(0.1 * (x1 - x0), abs=0.1)
    path = re.search(r'<path class="curve" d="([^"]+)"', svg).group(1)
    assert path.count("M") == 2  # broken at the missing reading


def test_histogram_counts_each_value_once():
    svg = svgplot.histogram([0.0, 10.0, 30.0, 45.0, -200.0, 5000.0], 40.0, band=(-125, 45), limit=1000.0)
    bars = re.findall(r"<title>([+-]\d+) to ([+-]\d+): (\d+)</title></rect>", svg)
    # bins centred on multiples of 40 ms; 5000 ms counts in the outermost bin (+1000 ms)
    assert bars == [("-220", "-180", "1"), ("-20", "+20", "2"), ("+20", "+60", "2"), ("+980", "+1020", "1")]


def test_batch_page_names_keep_order_and_are_safe():
    from lipgate.formats.batch_pages import page_names

    names = page_names(12, ["a/b c.mp4", "x#y?.mov"] + [f"{k}.mp4" for k in range(10)])
    assert names[:2] == ["01-b_c.mp4.html", "02-x_y_.mov.html"] and len(set(names)) == 12


def test_batch_index_counts_verdicts_and_failing_checks():
    from lipgate.batch import BatchReport, InputFailure
    from lipgate.formats.html import render

    flagged = Report([segment(2.0, 2.4, 100.0, True, "early")], sync={"offset_ms": -20.0, "confidence": 6.0, "fps": 25.0})
    page = render(BatchReport(reports=[flagged, check_report(), InputFailure("gone.mp4", "gone.mp4: no such file")]))
    counts = dict(re.findall(r'<tr class="count" data-verdict="([^"]+)"><td[^>]*>[^<]+</td><td>(\d+)</td>', page))
    assert counts == {"fail": "2", "could not judge": "1"}
    failing = dict(re.findall(r'<tr class="failing" data-check="([^"]+)"><td><code>[^<]+</code></td><td>(\d+)</td>', page))
    assert failing == {"re-render: stressed syllable": "1", "face_yaw": "1"}
    assert re.findall(r'<tr class="worst"><td><code>([^<]+)</code></td><td>([^<]+)</td>', page) == [("render.mp4", "0:02.00–0:02.40")]
    assert '<svg id="offsets" class="histogram"' in page


def test_frames_come_from_their_times_in_one_pass_or_a_seek_each(tmp_path):
    """A video whose frame k is grey level 4k (GOP 50, so a seek decodes from a keyframe): each
    frame read is the one shown at its time, within one frame, near or far apart; past the end
    there is no frame."""
    from fixtures.synth import encode_video

    fps, count = 25.0, 60
    frames = (np.full((64, 64, 3), 4 * k, np.uint8) for k in range(count))
    video = encode_video(frames, tmp_path / "counter.mp4", fps, (64, 64), crf=0)
    reader = filmstrip.FrameReader(str(video))
    times = [0.5, 0.62, 0.9, None, 2.2, 5.0]
    read = reader.frames_at(times)
    assert read[3] is None and read[5] is None
    levels = [float(frame.mean()) / 4 for frame in read[:3] + read[4:5]]
    expected = [0.5 * fps, 0.62 * fps, 0.9 * fps, 2.2 * fps]
    assert levels == pytest.approx(expected, abs=1.2)


def test_sync_facts_show_the_interval_and_uncertainty_when_the_report_has_them():
    from lipgate.formats.html import render

    sync = {"offset_ms": -40.0, "confidence": 2.1, "fps": 25.0, "uncertain": True, "interval_ms": [-75.0, -5.0]}
    page = render(Report([segment(2.0, 2.4, 100.0, True, "early", kind="slip")], sync=sync))
    facts = dict(re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", re.search(r'<table class="facts">.*?</table>', page).group(0)))
    assert facts["whole-clip offset"] == "-40 ms (sound late)"
    assert facts["90% interval"] == "-75 to -5 ms"
    assert facts["uncertain"].startswith("yes")
    assert 'data-kind="slip"' in page and "sync slip" in page
    plain = render(Report([], sync={"offset_ms": 5.0, "confidence": 6.0, "fps": 25.0}))
    assert "90% interval" not in plain and "uncertain" not in plain


def test_a_still_source_gives_its_picture_at_every_time(generated):
    reader = filmstrip.FrameReader(str(generated["portrait"]))
    frames = reader.frames_at([0.0, 3.0, None])
    assert frames[0] is frames[1] and frames[0].shape == (512, 512, 3) and frames[2] is None
