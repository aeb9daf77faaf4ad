"""Thresholds of `lipgate qa`, each with its source. Users override them in ``[tool.lipgate.qa]``."""

from __future__ import annotations

from lipgate.preflight.checks.base import Threshold

QA_THRESHOLDS: dict[str, Threshold] = {
    "tolerance_early_ms": Threshold(
        45.0, "ms", "ITU-R BT.1359-1 (1998): sound ahead of picture detectable from +45 ms",
        "largest tolerated offset with the sound before the picture"),
    "tolerance_late_ms": Threshold(
        -125.0, "ms", "ITU-R BT.1359-1 (1998): sound behind picture detectable from -125 ms",
        "largest tolerated offset with the sound after the picture (negative)"),
    "min_confidence": Threshold(
        0.0, "z", "the sync model's own calibrated floor always applies (lipgate/data/sync_model.npz, "
        "docs/qa-sync.md: the 95th percentile of readings of another speaker's sound); this adds a stricter one",
        "whole-clip offsets with a lower confidence are reported as uncertain and not judged"),
    "min_local_confidence": Threshold(
        2.0, "psr", "measurement: the chance peaks of 1.2 s windows on the untouched corpus clips "
        "(talk1 3.4-4.0 s, -190 ms) scored 1.3-1.8; one window on talk5 still passes it (bench/qa_sync.py)",
        "local offsets with a lower peak-to-sidelobe ratio are not judged"),
    "local_margin_ms": Threshold(
        30.0, "ms", "measurement: 95th percentile of |local - clip offset| of the confident 1.2 s "
        "windows on the untouched corpus clips, 32 ms (bench/qa_sync.py, 'local jitter p95')",
        "a local offset is judged past tolerance only when it is past it by more than this (its own "
        "uncertainty): a clip at +42 ms whose windows jitter to +50 ms is not flagged"),
    "min_slip_gain": Threshold(
        18.0, "frames", "measurement (bench/qa_sync.py, 'path gain'): chance stretches of the tracked path "
        "past tolerance gained up to 14.2 on an untouched clip (talk1) and 14.5 just after a cut "
        "of the concatenated clip; the 200 ms picture-late slips it found gained 14.3 - 113: the two ranges "
        "barely separate on 5 s clips. bench/desync_sweep.py (93 simulated "
        "slips swept over the corpus): chance stretches gain up to 10.7 on untouched clips but 18.7 and 33.9 "
        "on edited clips away from the edit, and the slips that make the path depart gain 5 - 122; the rule (1.25 x "
        "the largest chance gain) would give 42 and 30/93 hits against 54/93 at 18: no value separates, 18 kept",
        "a stretch of the tracked lag path past tolerance is a slip only when it explains the stretch better "
        "than any offset within tolerance by this much (summed per-frame evidence, about frames x correlation)"),
    "model_min_local_confidence": Threshold(
        6.0, "psr", "measurement (python -m bench.qa_every_shot CORPUS --variants --simulate SERIES --derive, "
        "2026-12-06), read off speaker half A with the tracked path's gain when slips were still judged on the "
        "model's path and windows: 5 and 6 left the most untouched copies clean (35/37), 6 the stricter. Slips "
        "now have their own thresholds (model_min_slip_gain, model_min_slip_contrast); this one decides whether "
        "a stressed syllable's local offset is judged",
        "min_local_confidence for the local offsets read from the learned model (lipgate.qa.local; measurements' "
        "local_evidence 'model')"),
    "model_min_slip_gain": Threshold(
        45.0, "frames", "measurement (python -m bench.qa_every_shot CORPUS --variants --derive, 2026-12-06, the "
        "shipped weights of lipgate/data/sync_model.npz: the 66 untouched copies, 66 slips and 53 softened slips "
        "of 1.6 s with the picture 200 ms late, each a file through the same re-encode), read off speaker half A "
        "with model_min_slip_contrast over the grid 20-80 x 0-80: the pair that catches most of half A's slips "
        "and frozen mouths with at least 95% of its untouched copies clean is 45 / 10 (36/37 clean, 53/66 slips "
        "and softened slips; 40 / 25: 34/37 clean); held-out half B: 26/29 clean, 36/53. The --simulate series "
        "give 45 / 25, catching the same share of half A's slips (32/37)",
        "a stretch (lipgate.qa.judge.relative_slips) is a slip only when the learned model's evidence over it "
        "favours its own offset over the rest of the clip's by this much (summed per-frame evidence, about "
        "frames x correlation)"),
    "model_min_slip_contrast": Threshold(
        10.0, "frames", "measurement (derived with model_min_slip_gain, same command and date): with these "
        "weights it barely matters on half A (0 and 10 catch the same 53/66 at 36/37 clean, 25: 51/66); with "
        "the earlier weights (ridge 3000, the corpus decoded whole at 480 px) it was what kept clips the model barely follows "
        "clean (without it the gain had to rise from 40 to 60 for 36/37, catching 49/66 instead of 53/66)",
        "stretches are judged for slips only where the rest of the clip's own evidence favours its offset over "
        "the stretch's by this much (over a stretch's length): below it the model cannot tell such a shift "
        "from chance on this clip"),
    "canonical_slip_confidence": Threshold(
        6.5, "psr", "measurement (bench/qa_every_shot.py, 2026-12-06, measurements' cca_confidence): the "
        "generated renders, which the model reads uncertain and whose slips the canonical path finds, "
        "read 7.0 (make demo's render_spoiled.mp4) and 9.5-12.2 (the wide shots of tests/qa/test_every_shot.py); "
        "the untouched corpus copies the model reads uncertain 5.0 (dfdc cedpyannqf) and 7.2 (LivePortrait d20 "
        "in the canvas, clean on the canonical path) with the shipped weights, 2.8-5.8 (dfdc eyhhnebwcs, "
        "cedpyannqf, evutrhbglp, all three flagged as slipped by the canonical path) with the weights shipped "
        "before: 6.5 keeps the generated renders on the canonical path and those three off it",
        "when the learned model's whole-clip reading is uncertain, slips are judged on the clip's canonical "
        "correlation (tracked path and local windows, min_slip_gain and min_local_confidence) instead of the "
        "model's evidence when the canonical whole-clip confidence reaches this (lipgate.qa.judge.slips_from_model)"),
    "closeup_face_height": Threshold(
        0.25, "ratio", "shot-size grammar: a medium close-up frames head and shoulders, the face "
        "(brow to chin) a quarter or more of the frame height",
        "a frame is a close-up when the face mesh is at least this share of the frame height"),
    "stress_score": Threshold(
        1.0, "-", "prominence sum in just-noticeable units (3 dB, 2 semitones, x1.4 length); see docs/qa.md",
        "a syllable is stressed when its prominence score reaches this"),
    "frozen_pixel_change": Threshold(
        0.1, "grey levels", "measurement: a repeated frame changes 0.0 after H.264 encoding; the "
        "least-moving 0.4 s of the corpus clips still changed 0.24 (bench/qa_sync.py)",
        "the mouth counts as frozen while speech goes on when its box changes less than this "
        "(mean absolute grey-level change per frame over 0.4 s)"),
    "frozen_relative_change": Threshold(
        0.1, "share", "measurement (bench/qa_every_shot.py --derive, 2026-12-06), read off speaker half A: the "
        "stillest 0.3 s of speech on its 37 untouched copies moved 0.238 of the mouth's typical change "
        "(Wav2Lip kim), 95% of its 66 frozen stretches at most 0.069; of the grid 0.05-0.2, the smallest share "
        "that catches as many of half A's frozen edits (all) with no untouched copy flagged frozen",
        "the mouth also counts as frozen while speech goes on when its change is below this share of "
        "its own median change while the voice speaks"),
}


def qa_limits(overrides: dict | None = None) -> dict[str, float]:
    """Default QA thresholds with the user's overrides applied."""
    values = {name: threshold.value for name, threshold in QA_THRESHOLDS.items()}
    values.update({name: float(value) for name, value in (overrides or {}).items()})
    return values
