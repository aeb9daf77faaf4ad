"""The review page of a render in a real headless browser (Debian's chromium, driven over the
DevTools protocol): no console error, every flagged segment of the JSON report has its button,
a button seeks to the moment and plays it at 1x, the keys and the plot seek, the page still
works when its folder moves, and the batch index links to each input's page and moment."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import run_cli
from tests.reports.chromium import CHROMIUM, Browser

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")]

START_TOLERANCE_S = 0.5
"""A moment's button must put the video within 0.5 s of the moment's start (the issue's bound)."""

WAIT_FOR_METADATA = """new Promise((done) => {
  const video = document.getElementById("video");
  if (video.readyState >= 1) { done([video.readyState, video.duration, null]); return; }
  video.addEventListener("loadedmetadata", () => done([video.readyState, video.duration, null]));
  video.addEventListener("error", () => done([video.readyState, null, video.error && video.error.code]));
  setTimeout(() => done([video.readyState, null, "timeout"]), 15000);
})"""

CLICK_AND_WATCH = """(async (index) => {
  const video = document.getElementById("video");
  const button = document.querySelectorAll("button.moment")[index];
  button.click();
  const at_click = video.currentTime;
  await new Promise((done) => setTimeout(done, 400));
  return {at_click, later: video.currentTime, paused: video.paused, rate: video.playbackRate,
          start: parseFloat(button.dataset.start), current: button.classList.contains("current")};
})"""


@pytest.fixture(scope="module")
def render_clip(generated, tmp_path_factory) -> Path:
    """A talking portrait whose picture runs 200 ms late from 4.0 to 5.6 s (the qa tests' truth)."""
    from tests.qa.conftest import picture_late, portrait_with_openings

    folder = tmp_path_factory.mktemp("renders") / "media folder"
    folder.mkdir()
    return portrait_with_openings(folder / "late #1.mp4", generated["speech"], picture_late)


@pytest.fixture(scope="module")
def json_report(render_clip) -> dict:
    done = run_cli("qa", str(render_clip), "--format", "json")
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def review_page(render_clip) -> Path:
    """The page written from a working directory that is neither the page's nor the video's,
    with relative paths on the command line, as a user types them."""
    root = render_clip.parent.parent
    (root / "pages").mkdir(exist_ok=True)
    rel_video = Path("..") / render_clip.parent.name / render_clip.name
    rel_page = Path("..") / "pages" / "review.html"
    work = root / "work"
    work.mkdir(exist_ok=True)
    done = run_cli("qa", str(rel_video), "--format", "html", "-o", str(rel_page), cwd=work)
    assert done.returncode == 1, done.stderr
    return root / "pages" / "review.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser(tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def opened(browser: Browser, page: Path) -> dict:
    browser.errors.clear()
    browser.open(page.as_uri())
    state, duration, error = browser.evaluate(WAIT_FOR_METADATA)
    return {"state": state, "duration": duration, "error": error}


def test_page_loads_the_video_without_console_errors(browser, review_page, render_clip):
    page = review_page.read_text()
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page
    assert 'src="../media%20folder/late%20%231.mp4"' in page  # relative to the page, URL-quoted
    loaded = opened(browser, review_page)
    assert loaded["error"] is None and loaded["duration"] == pytest.approx(10.56, abs=0.1)
    assert browser.errors == []


def test_every_flagged_segment_has_its_button_worst_first(browser, review_page, json_report):
    opened(browser, review_page)
    buttons = browser.evaluate("Array.from(document.querySelectorAll('button.moment')).map("
                               "b => [b.className, +b.dataset.start, +b.dataset.end])")
    flagged = [(s["start"], s["end"]) for s in json_report["segments"] if s["rerender"]]
    assert flagged, "the fixture has moments to re-render"
    shown = [(start, end) for css, start, end in buttons if "flagged" in css]
    assert sorted(shown) == sorted(flagged)
    assert len(buttons) == len(json_report["segments"])  # the in-tolerance ones too, after them
    assert all("flagged" in css for css, _, _ in buttons[:len(flagged)])
    early, late = 45.0, -125.0  # the default tolerance (ITU-R BT.1359)
    worst = min((s for s in json_report["segments"] if s["rerender"]),
                key=lambda s: (-max(s["offset_ms"] - early, late - s["offset_ms"]), s["start"]))
    assert shown[0] == (worst["start"], worst["end"])  # the farthest past tolerance first


def test_a_moment_button_seeks_to_its_start_and_plays_at_1x(browser, review_page):
    opened(browser, review_page)
    count = browser.evaluate("document.querySelectorAll('button.moment.flagged').length")
    for index in range(count):
        seen = browser.evaluate(f"({CLICK_AND_WATCH})({index})")
        assert abs(seen["at_click"] - seen["start"]) <= START_TOLERANCE_S, seen
        assert seen["at_click"] <= seen["start"], "it starts a little before the moment"
        assert not seen["paused"] and seen["rate"] == 1.0 and seen["current"], seen
        assert seen["later"] > seen["at_click"], f"the video plays: {seen}"
    assert browser.errors == []


def test_keys_step_through_the_moments_and_the_plot_seeks(browser, review_page):
    opened(browser, review_page)
    starts = browser.evaluate("Array.from(document.querySelectorAll('button.moment')).map(b => +b.dataset.start)")
    press = "(key) => document.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}))"
    assert browser.evaluate("document.querySelector('details').open") is False
    for key, expected in (("n", 0), ("n", 1), ("j", 2), ("p", 1), ("k", 0), ("p", len(starts) - 1)):
        time = browser.evaluate(f"(({press})('{key}'), document.getElementById('video').currentTime)")
        current = browser.evaluate("Array.from(document.querySelectorAll('button.moment')).findIndex(b => b.classList.contains('current'))")
        assert current == expected and abs(time - starts[expected]) <= START_TOLERANCE_S, (key, current, time)
    assert browser.evaluate("document.querySelector('details').open") is True  # the last moment is an in-tolerance one: unfolded
    # A click on the plot's time axis at 80% of its width seeks to 80% of its time range.
    seek = browser.evaluate("""(() => {
      const svg = document.getElementById("offset-plot");
      const x0 = +svg.dataset.x0, x1 = +svg.dataset.x1, t1 = +svg.dataset.t1;
      const point = svg.createSVGPoint(); point.x = x0 + 0.8 * (x1 - x0); point.y = svg.viewBox.baseVal.height - 5;
      const screen = point.matrixTransform(svg.getScreenCTM());
      svg.scrollIntoView(); const again = point.matrixTransform(svg.getScreenCTM());
      svg.dispatchEvent(new MouseEvent("click", {clientX: again.x, clientY: again.y, bubbles: true}));
      return [document.getElementById("video").currentTime, 0.8 * t1];
    })()""")
    assert seek[0] == pytest.approx(seek[1], abs=0.1)
    assert browser.errors == []


def test_page_works_when_its_folder_moves(browser, review_page, render_clip, tmp_path):
    """Page and video moved together keep working; the page alone, away from the video, does not
    find it (the check can fail)."""
    moved = tmp_path / "somewhere else"
    shutil.copytree(review_page.parent, moved / "pages")
    shutil.copytree(render_clip.parent, moved / render_clip.parent.name)
    loaded = opened(browser, moved / "pages" / "review.html")
    assert loaded["error"] is None and loaded["duration"] == pytest.approx(10.56, abs=0.1)
    assert browser.errors == []
    alone = tmp_path / "alone"
    shutil.copytree(review_page.parent, alone / "pages")
    assert opened(browser, alone / "pages" / "review.html")["error"] is not None
    problem = browser.evaluate("(() => { const p = document.getElementById('video-problem'); return [p.hidden, p.textContent]; })()")
    assert problem[0] is False and "does not load" in problem[1]  # the page says so


def test_embedded_video_needs_no_file_beside_the_page(browser, render_clip, tmp_path):
    out = tmp_path / "embedded.html"
    done = run_cli("qa", str(render_clip), "--format", "html", "--embed", "-o", str(out))
    assert done.returncode == 1, done.stderr
    page = out.read_text()
    assert '<video id="video"' in page and 'src="data:video/mp4;base64,' in page
    far = tmp_path / "far" / "away"
    far.mkdir(parents=True)
    shutil.move(out, far / "embedded.html")
    loaded = opened(browser, far / "embedded.html")
    assert loaded["error"] is None and loaded["duration"] == pytest.approx(10.56, abs=0.1)
    seen = browser.evaluate(f"({CLICK_AND_WATCH})(0)")
    assert abs(seen["at_click"] - seen["start"]) <= START_TOLERANCE_S and not seen["paused"]
    assert browser.errors == []


def test_filmstrips_of_render_and_source(render_clip, generated, tmp_path):
    """With a source, each flagged moment shows the source frames mapped to the render's: here the
    mapping holds the source for the first half of the clip and none after (NaN)."""
    import numpy as np

    from lipgate.formats.html import write
    from lipgate.qa.report import QaReport, QaSegment, SyncResult

    class WithSource(QaReport):
        def to_dict(self):
            data = super().to_dict()
            data["source"] = {"video": str(generated["talking"]), "audio": None}
            data["checks"] = [{"id": "frames_kept", "status": "fail", "value": 3.0, "threshold": 0.0, "unit": "frames",
                               "message": "3 source frames dropped", "segments": [{"start": 4.0, "end": 4.2}]}]
            return data

    frame_t = np.arange(0, 10.5, 0.04)
    source_t = np.where(frame_t < 5.0, frame_t, np.nan)
    segments = [QaSegment(4.0, 4.4, 200.0, 5.0, True, True, True, "the sound comes 200 ms before the lips", 155.0),
                QaSegment(6.0, 6.4, 210.0, 5.0, True, True, True, "the sound comes 210 ms before the lips", 165.0),
                QaSegment(1.0, 1.3, 10.0, 5.0, True, True, False, "in sync here", 0.0)]
    report = WithSource(str(render_clip), SyncResult(15.0, 9.0, 25.0, "pass", "in sync"), segments,
                        {"frame_t": frame_t, "source_t": source_t})
    out = tmp_path / "with source.html"
    write(report, out)
    page = out.read_text()
    rows = re.findall(r'<li><button[^>]*id="moment-(\d+)"[^>]*data-start="([\d.]+)".*?</li>', page, re.S)
    assert [start for _, start in rows[:2]] == ["6.000", "4.000"]  # worst first
    strips = re.findall(r'<div class="strip (render|source)">(.*?)</div>(?=<div class="strip|</div>)', page, re.S)
    assert [side for side, _ in strips] == ["render", "source", "render", "source"]
    images = [len(re.findall(r'<img alt="[^"]*" src="data:image/jpeg;base64,', strip)) for _, strip in strips]
    assert images == [5, 0, 5, 5]  # 6.0-6.4 s maps to no source frame; 4.0-4.4 s does
    assert strips[1][1].count("no frame maps here") == 5
    assert 'data-id="frames_kept"' in page and "What the service did" in page


@pytest.fixture(scope="module")
def batch_index(render_clip, generated, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("batch") / "summary.html"
    done = run_cli("qa", str(render_clip), str(generated["talking"]), "--format", "html", "-o", str(out), "--jobs", "1")
    assert done.returncode == 1, done.stderr
    return out


def test_batch_index_links_every_input_and_its_worst_moments(browser, batch_index, render_clip):
    page = batch_index.read_text()
    links = re.findall(r'<tr class="input-row"><td><code><a href="([^"]+)">', page)
    assert len(links) == 2
    for link in links:
        assert (batch_index.parent / unquote(link)).is_file()
    counts = re.findall(r'<tr class="count" data-verdict="(\w+)"><td[^>]*>\w+</td><td>(\d+)</td>', page)
    assert sorted(counts) == [("fail", "1"), ("pass", "1")]
    assert 'data-check="re-render: sync slip"' in page or 'data-check="re-render: stressed syllable"' in page
    assert '<svg id="offsets" class="histogram"' in page
    worst = re.findall(r'<tr class="worst"><td><code>([^<]+)</code></td><td><a href="([^"]+)">', page)
    assert worst and all(name == str(render_clip) for name, _ in worst)
    browser.errors.clear()
    browser.open(batch_index.as_uri())
    assert browser.errors == []
    # The first worst moment's link opens the render's page with that moment selected.
    browser.open(batch_index.parent.as_uri() + "/" + worst[0][1])
    browser.evaluate(WAIT_FOR_METADATA)
    selected = browser.evaluate("(() => { const b = document.querySelector('button.moment.current');"
                                " return b && [b.id, +b.dataset.start, document.getElementById('video').currentTime]; })()")
    assert selected[0] == worst[0][1].split("#")[1]
    assert abs(selected[2] - selected[1]) <= START_TOLERANCE_S
    assert browser.errors == []
