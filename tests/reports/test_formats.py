"""Each format parsed back: JUnit with an XML parser and the schema, GitHub annotations by their
syntax, Markdown tables by their cells; JSON for a batch."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lipgate.formats import render
from lipgate.formats.github import escape_data, escape_property
from tests.reports.sample_reports import QaReportStandIn, batch_report, check_report, passing_report

XSD = Path(__file__).with_name("junit.xsd")


def validate_junit(text: str) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(text.encode())
    assert schema.validate(document), schema.error_log


def test_junit_one_suite_per_input_one_case_per_check():
    text = render(batch_report(), "junit")
    validate_junit(text)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["clips/a, b:1%.mp4", "broken.mp4", "b.mp4"]
    first = suites[0]
    cases = {case.get("name"): case for case in first.findall("testcase")}
    assert list(cases) == ["face_presence", "face_yaw", "lighting_flicker", "image_resolution"]
    assert cases["face_yaw"].find("failure") is not None
    assert "1.20" in cases["face_yaw"].find("failure").text and "fix: use a frontal shot" in cases["face_yaw"].find("failure").text
    assert cases["image_resolution"].find("skipped").get("message").startswith("applies to still")
    assert cases["face_presence"].find("failure") is None and cases["face_presence"].find("skipped") is None
    assert "WARNING" in cases["lighting_flicker"].find("system-out").text
    assert (first.get("tests"), first.get("failures"), first.get("errors"), first.get("skipped")) == ("4", "1", "0", "1")
    broken = suites[1].find("testcase/error")
    assert broken.get("message") == "broken.mp4: not a video (empty file)"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "1", "1", "1")


def test_junit_schema_rejects_what_ci_would_reject():
    """The schema is not a rubber stamp: a testcase without classname fails it."""
    from lxml import etree

    broken = render(passing_report(), "junit").replace('classname="lipgate.check.b_mp4" ', "")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert not schema.validate(etree.fromstring(broken.encode()))


def test_junit_qa_report_segments_are_cases():
    text = render(QaReportStandIn(), "junit")
    validate_junit(text)
    cases = ET.fromstring(text).findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["sync", "segment 1.00-1.40 s", "segment 3.20-3.70 s"]
    assert cases[2].find("failure") is not None and cases[0].find("failure") is None


ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([a-z]+=[^,:]*(?:,[a-z]+=[^,:]*)*))?::(.*)$")


def parse_annotations(text: str) -> list[dict]:
    parsed = []
    for line in text.splitlines():
        match = ANNOTATION.match(line)
        assert match, f"not a workflow command: {line!r}"
        properties = dict(item.split("=", 1) for item in match.group(2).split(",")) if match.group(2) else {}
        parsed.append({"kind": match.group(1), **properties, "message": match.group(3)})
    return parsed


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_annotations_escape_and_carry_timecodes():
    annotations = parse_annotations(render(batch_report(), "github"))
    kinds = [(a["kind"], unescape(a.get("title", ""))) for a in annotations]
    assert kinds == [("error", "lipgate check: face_yaw"), ("warning", "lipgate check: lighting_flicker"),
                     ("error", "lipgate: could not judge"), ("notice", "lipgate verdict")]
    yaw = annotations[0]
    assert unescape(yaw["file"]) == "clips/a, b:1%.mp4"
    assert "0:01.20-0:02.00" in yaw["message"] and "1:03.50-1:04.25" in yaw["message"]
    assert "\n" not in yaw["message"] and unescape(yaw["message"]).endswith("fix: use a frontal shot")
    assert "%0A" in annotations[1]["message"]  # the check message's line break, escaped


def test_github_escaping_matches_the_toolkit():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_markdown_table_rows_match_checks():
    text = render(batch_report(), "markdown")
    assert text.startswith("## lipgate: **FAIL**")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line and "---" not in line]
    check_rows = [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows if row.count("|") - row.count("\\|") == 6]
    ids = [cells[1].strip() for cells in check_rows]
    assert ids == ["`face_presence`", "`face_yaw`", "`lighting_flicker`", "`image_resolution`", "`face_yaw`"]
    yaw = check_rows[1]
    assert "fail" in yaw[0] and yaw[2].strip() == "52.5 deg" and yaw[3].strip() == "45"
    assert "0:01.20-0:02.00" in yaw[4]
    assert "<br>" in check_rows[2][4]  # a line break inside a cell does not break the table
    assert "could not judge" in text and "broken.mp4: not a video" in text


def test_batch_json_is_the_contract_shape():
    data = json.loads(render(batch_report(), "json"))
    assert data["schema"] == "lipgate/batch/v1" and data["verdict"] == "fail"
    assert [r.get("schema", "error") for r in data["reports"]] == ["lipgate/check/v1", "error", "lipgate/check/v1"]
    assert data["reports"][1] == {"input": "broken.mp4", "error": "broken.mp4: not a video (empty file)"}
    assert batch_report().exit_code == 2


@pytest.mark.parametrize("fmt, says_pass", [("text", "verdict: PASS"), ("markdown", "**PASS**"), ("github", "verdict pass"),
                                            ("junit", 'failures="0" errors="0"'), ("html", "verdict: PASS")])
def test_every_format_states_a_pass(fmt, says_pass):
    assert says_pass in render(passing_report(), fmt)
    assert says_pass not in render(check_report(), fmt)


def test_text_colour_only_when_asked():
    plain, coloured = render(check_report(), "text"), render(check_report(), "text", color=True)
    assert "\x1b[" not in plain and "\x1b[31mFAIL\x1b[0m" in coloured


def test_html_plots_the_qa_offset_and_shows_every_item():
    page = render(QaReportStandIn(), "html")
    assert page.count('<svg id="offset-plot" class="seekplot"') == 1  # the local offset over time
    assert re.findall(r'<button type="button" class="moment (\w+)"[^>]*data-start="([\d.]+)"', page) == [
        ("flagged", "3.200"), ("checked", "1.000")]  # the re-render first
    rows = re.findall(r'<tr class="check" data-id="([^"]+)"', page)
    assert rows == ["sync", "segment 1.00-1.40 s", "segment 3.20-3.70 s"]
    assert "verdict: FAIL" in page


def test_html_check_report_plots_yaw_and_light_only_when_series_exist():
    report = check_report()
    timeline = re.search(r'<svg id="check-timeline".*?</svg>', render(report, "html")).group(0)
    assert re.findall(r'<text class="label"[^>]*>([^<]+)<', timeline) == ["head yaw (deg)", "light on the face (relative luminance)"]
    assert len(re.findall(r'<rect class="span (flagged|warned)"', timeline)) == 3  # two yaw ranges, one light range
    report.series = {}
    assert "<svg" not in render(report, "html")


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    import sys

    from lipgate.cli.common import use_color

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert use_color(None) and not use_color("report.txt")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(None)


@pytest.mark.parametrize("value, unit, shown", [
    (44100.0, "Hz", "44100 Hz (limit 1)"), (1.0, "faces", "1 face (limit 1)"), (2.0, "faces", "2 faces (limit 1)"),
    (0.33512, "s", "0.335 s (limit 1)"), (231.66, "kbps", "231.7 kbps (limit 1)"), (0.655, "ratio", "0.655 (limit 1)"),
])
def test_text_values_read_as_a_person_writes_them(value, unit, shown):
    from lipgate.formats.text import format_value
    from lipgate.results import CheckResult

    assert format_value(CheckResult("x", "pass", value, 1.0, unit, "")) == shown
