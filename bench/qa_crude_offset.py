"""Does the sync map's per-clip error come from the map? A crude estimator that shares none of its
features, read on the same in-sync clips.

    python -m bench.qa_crude_offset CORPUS_DIR [--cache DIR]

The crude estimator: the lag (-400..+400 ms, every 5 ms) of highest correlation between the lip
opening (inner-lip gap, lipgate.face) and the mean log energy of mel bands 12-33 of the model's
40-band log-mel, over the frames inside speech (a 0.5 s moving share of frames above the 40th
percentile of that energy over half), no training; its zero is the median over the clips. The
map's error is its reading of the untouched clip held out by speaker (lipgate.qa.train.
leave_speakers_out, as bench/qa_absolute.py). Prints each clip's two readings and their
correlation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lipgate.qa import train
from lipgate.qa.features import fill_gaps

LAGS_MS = np.arange(-400, 401, 5)


def crude_offset_ms(clip: train.Clip) -> float | None:
    """Lag (ms, positive: sound early) of the best correlation of lip opening with the sound's energy."""
    opening = clip.mouth[:, 0]
    found = np.isfinite(opening)
    if found.sum() < 25:
        return None
    opening = fill_gaps(opening[:, None])[0][:, 0]
    sound = clip.log_mel
    energy = sound.values.astype(float)[:, 12:34].mean(axis=1)
    clock = sound.t0_s + np.arange(len(energy)) * sound.hop_s
    speech_share = np.convolve(energy > np.percentile(energy, 40), np.ones(51) / 51, "same")
    use = found & (np.interp(clip.frame_t, clock, speech_share) > 0.5)
    use &= (clip.frame_t > sound.start_s + 0.45) & (clip.frame_t < sound.end_s - 0.45)
    if use.sum() < 25:
        return None
    mouth = (opening[use] - opening[use].mean()) / (opening[use].std() + 1e-9)
    scores = []
    for lag in LAGS_MS:
        heard = np.interp(clip.frame_t[use] - lag / 1000.0, clock, energy)
        scores.append(float((mouth * (heard - heard.mean()) / (heard.std() + 1e-9)).mean()))
    return float(LAGS_MS[int(np.argmax(scores))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipgate-sync-corpus"))
    args = parser.parse_args()
    clips, _, _, equations = train.prepare(args.corpus, args.cache)
    readings = train.leave_speakers_out(clips, equations, train.RIDGE, train.N_COMPONENTS, (0.0,))
    mapped = {r["clip"]: r["offset_ms"] for r in readings if r["truth_ms"] == 0.0 and r["learned"]}
    rows = [(c.name, crude_offset_ms(c), mapped[c.name]) for c in train.fitted_clips(clips)
            if mapped.get(c.name) is not None]
    rows = [row for row in rows if row[1] is not None]
    zero = float(np.median([row[1] for row in rows]))
    crude = np.array([row[1] - zero for row in rows])
    model = np.array([row[2] for row in rows])
    print(f"crude zero {zero:+.0f} ms; median abs {np.median(np.abs(crude)):.0f} ms (map {np.median(np.abs(model)):.0f}); "
          f"correlation with the map's per-clip reading {np.corrcoef(crude, model)[0, 1]:.2f} over {len(rows)} clips\n")
    print("| clip | crude ms | map ms |\n| --- | --- | --- |")
    for (name, _, _), c, m in sorted(zip(rows, crude, model), key=lambda row: row[1]):
        print(f"| {name} | {c:+.0f} | {m:+.0f} |")


if __name__ == "__main__":
    main()
