"""JUnit XML: one <testsuite> per input, one <testcase> per check (or QA item).

A failed check is a <failure>; an input that could not be judged is a <testcase> with an
<error>; a skipped check is <skipped> with its reason; a warning passes, with the warning in
<system-out>. The structure is the one CI systems read (Jenkins' junit plugin, GitLab, GitHub
test reporters): testsuites > testsuite(name, tests, failures, errors, skipped, time) >
testcase(name, classname, time); ``tests/reports/junit.xsd`` holds it and the tests validate against it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lipgate.formats.view import InputView, Item, input_views, segments_text, value_text


def render(report) -> str:
    views = input_views(report)
    root = ET.Element("testsuites", name="lipgate")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for view in views:
        suite = _suite(view)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key))
        total_time += view.elapsed_s
    for key, count in totals.items():
        root.set(key, str(count))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(view: InputView) -> ET.Element:
    suite = ET.Element("testsuite", name=view.name)
    classname = f"lipgate.{view.command or 'input'}.{_class_part(view.name)}"
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if view.error is not None:
        case = ET.SubElement(suite, "testcase", name="judge input", classname=classname, time=f"{view.elapsed_s:.3f}")
        ET.SubElement(case, "error", message=view.error, type="could-not-judge").text = view.error
        counts.update(tests=1, errors=1)
    for item in view.items:
        case = ET.SubElement(suite, "testcase", name=item.id, classname=classname, time="0.000")
        counts["tests"] += 1
        if item.status == "fail":
            ET.SubElement(case, "failure", message=item.message, type=item.id).text = _details(item)
            counts["failures"] += 1
        elif item.status == "skip":
            ET.SubElement(case, "skipped", message=item.message)
            counts["skipped"] += 1
        elif item.status == "warn":
            ET.SubElement(case, "system-out").text = "WARNING: " + _details(item)
    for key, count in counts.items():
        suite.set(key, str(count))
    suite.set("time", f"{view.elapsed_s:.3f}")
    return suite


def _details(item: Item) -> str:
    lines = [item.message, f"value: {value_text(item)}" + (f" (limit {item.threshold:g})" if item.threshold is not None else "")]
    if item.segments:
        lines.append(f"at: {segments_text(item.segments, most=20)}")
    if item.fix:
        lines.append(f"fix: {item.fix}")
    if item.source:
        lines.append(f"threshold source: {item.source}")
    return "\n".join(lines)


def _class_part(path: str) -> str:
    """The file name with dots made safe (CI tools split classname on dots)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1].replace(".", "_")
