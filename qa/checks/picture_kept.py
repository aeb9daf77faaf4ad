"""picture_kept: how much the picture outside the lower face changed against the source."""

from __future__ import annotations

import numpy as np

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.qa.checks.common import frame_period_s, frame_times, level_ratio, matched, median_of
from lipgate.timeline import segments_where


class PictureKept(Check):
    id = "picture_kept"
    unit = "grey levels"
    title = "Nothing but the mouth changed"
    thresholds = {
        "max_change": Threshold(4.0, "grey levels", "measurement (bench/qa_source_margins.py, 2026-12-06, docs/benchmarks.md): "
                                "unspoiled renders (H.264 CRF 20) change 0.12-1.37 grey levels outside the lower face on 7 "
                                "corpus builds (1.37: a 160 px clip), 0.14 on the fixture; 10 levels brighter reads 9.9-10.1"),
        "min_detail_ratio": Threshold(0.75, "ratio", "measurement (docs/benchmarks.md, 2026-12-06): unspoiled renders keep "
                                      "0.986-1.001 of the source's high-frequency level outside the lower face on 7 corpus "
                                      "builds (1.00 on the fixture, 0.98 there 40 levels brighter); the fixture blurred "
                                      "outside the lower face by sigma 0.7 / 1.0 px (320 px frame) keeps 0.62 / 0.46"),
    }

    def judge(self, measured, limits):
        found = matched(measured)
        if not found.any():
            return self.skip("no render frame matches the source: nothing to compare the picture with")
        change = np.asarray(measured.series["outside_mad"], float)
        value = median_of(change, found)
        psnr = median_of(measured.series["outside_psnr_db"], found)
        ratio, _, _ = level_ratio(measured, "render_detail", "source_detail")
        details = {"psnr_db": psnr, "detail_ratio": ratio, "min_detail_ratio": limits["min_detail_ratio"],
                   "worst_change": float(np.nanmax(change[found]))}
        problems = []
        if value > limits["max_change"]:
            problems.append(f"the picture outside the lower face changed by {value:.1f} grey levels (PSNR {psnr:.1f} dB)")
        if ratio is not None and ratio < limits["min_detail_ratio"]:
            problems.append(f"it lost detail: {ratio:.2f} of the source's high-frequency level")
        if not problems:
            return self.result("pass", value, f"outside the lower face the render is the source (change {value:.1f} grey levels, "
                               f"PSNR {psnr:.1f} dB)", limits, "max_change", details=details)
        where = found & (change > limits["max_change"])
        segments = segments_where(frame_times(measured), where, frame_period_s(measured), merge_gap_s=0.2)
        return self.result("fail", value, "; ".join(problems), limits, "max_change", details=details, segments=segments,
                           fix="ask the service to change the mouth region only (no colour grading, filters, resizing or "
                               "low export quality), or render again at high quality")
