"""Calibration of the audio measurements against known truth; prints markdown tables.

    python -m bench.calibrate_audio [--corpus CORPUS] [--tables snr,rt60,bitrate,trim,stream]

Truth is built, never assumed: espeak speech (and, with --corpus, the corpus's speech*.wav and
the sound tracks of its talk*.mp4) padded with 0.5 s of silence, then
- mixed with white, pink, babble and mains-hum noise at known SNRs (fixtures.audio_truth);
- convolved with Polack impulse responses of known RT60;
- encoded with LAME / ffmpeg AAC at known bitrates, and one low-bitrate MP3 decoded back to WAV;
- padded with room tone of known length (trim boundary error);
- and each file's streamed measurements set against the whole-signal computations (pyloudnorm's
  loudness, the whole signal's 4x-oversampled peak, the mean spectrum of exactly the speech frames).
Real speech carries its own noise and room: its figures include them (see docs/audio.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile
from scipy.stats import spearmanr

from fixtures.audio_truth import NOISE_TYPES, encode, impulse_response, make_noise, mix_at_snr, pad_silence, reverberate, wideband_speech
from fixtures.synth import speech as espeak
from lipgate.media import probe, read_audio
from lipgate.speech import default_frame_length, default_hop_length, power_db, speech_span
from lipgate.preflight.analyzers.audio import analyse_samples, measure_audio
from lipgate.preflight.analyzers.audio.bandwidth import cutoff_hz
from lipgate.preflight.checks import CHECKS
from tests.audio import whole_signal

SNRS_DB = (5, 10, 15, 20, 25, 30)
RT60S_S = (0.3, 0.45, 0.6, 0.75, 0.9, 1.05, 1.2)
PADS_S = (0.5, 1.0, 2.0)
BITRATE_CASES = (("mp3", 48, "fail"), ("mp3", 64, "fail"), ("mp3", 96, "pass"), ("mp3", 128, "pass"),
                 ("m4a", 48, "fail"), ("m4a", 64, "pass"), ("m4a", 96, "pass"), ("m4a", 128, "pass"),
                 ("mp3>wav", 48, "fail"), ("m4a>wav", 48, "fail"))


def measure(samples: np.ndarray, sr: int) -> dict:
    return analyse_samples(np.asarray(samples, np.float32)[np.newaxis, :], sr).values


SOURCE_FILES: dict[str, Path] = {}
"""Name -> the file each speech came from (the bitrate table encodes from it, channels kept)."""


def sources(corpus: Path | None, work: Path) -> dict[str, tuple[np.ndarray, int]]:
    """Name -> (mono float64 samples, sr): espeak speech, and the corpus's speech."""
    found = {}
    path = espeak(work / "espeak.wav")
    samples, sr = soundfile.read(str(path), dtype="float64")
    found["espeak"] = (samples, sr)
    if corpus is not None:
        for path in sorted(corpus.glob("speech*.wav")) + sorted(corpus.glob("talk*.mp4")):
            samples, sr = read_audio(probe(path, expect={"audio", "video"}))
            found[path.name] = (samples.astype(np.float64), sr)
            SOURCE_FILES[path.name] = path
    return found


def snr_table(speech: dict, work: Path) -> list[str]:
    rows = ["| speech | " + " | ".join(f"{k} MAE (max) dB" for k in NOISE_TYPES) + " |", "|---" * (len(NOISE_TYPES) + 1) + "|"]
    every = {k: [] for k in NOISE_TYPES}
    for name, (samples, sr) in speech.items():
        padded = pad_silence(samples, sr, 0.5, 0.5, room_tone_dbfs=-140.0)
        cells = []
        for kind in NOISE_TYPES:
            errors = []
            for index, snr in enumerate(SNRS_DB):
                noise = make_noise(kind, padded.size, sr, seed=index, folder=work)
                errors.append(measure(mix_at_snr(padded, noise, sr, snr), sr)["audio_snr_db"] - snr)
            errors = np.abs(errors)
            every[kind].extend(errors)
            cells.append(f"{errors.mean():.1f} ({errors.max():.1f})")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("| **all** | " + " | ".join(f"**{np.mean(every[k]):.1f}** ({np.max(every[k]):.1f})" for k in NOISE_TYPES) + " |")
    return rows


def rt60_table(speech: dict) -> list[str]:
    rows = ["| speech | dry | " + " | ".join(f"{t:g} s" for t in RT60S_S) + " | Spearman | MAE s |",
            "|---" * (len(RT60S_S) + 4) + "|"]
    truths, estimates = [], []
    for name, (samples, sr) in speech.items():
        dry = measure(samples, sr)["audio_rt60_s"]
        found = [measure(reverberate(samples, impulse_response(t, sr, seed=i)), sr)["audio_rt60_s"] for i, t in enumerate(RT60S_S)]
        valid = [(t, e) for t, e in zip(RT60S_S, found) if e is not None]
        truths += [t for t, _ in valid]
        estimates += [e for _, e in valid]
        rho = spearmanr(*zip(*valid)).correlation if len(valid) > 2 else float("nan")
        mae = np.mean([abs(e - t) for t, e in valid]) if valid else float("nan")
        shown = ["-" if e is None else f"{e:.2f}" for e in found]
        rows.append(f"| {name} | {'-' if dry is None else f'{dry:.2f}'} | " + " | ".join(shown) + f" | {rho:.2f} | {mae:.2f} |")
    rows.append("| **all** | | " + " | " * (len(RT60S_S) - 1) + f" | **{spearmanr(truths, estimates).correlation:.2f}** | **{np.mean(np.abs(np.subtract(estimates, truths))):.2f}** |")
    return rows


def bitrate_table(speech: dict, work: Path) -> list[str]:
    check = CHECKS["audio_bitrate"]
    rows = ["| source | " + " | ".join(f"{c} {k}" for c, k, _ in BITRATE_CASES) + " | right calls |", "|---" * (len(BITRATE_CASES) + 2) + "|"]
    total = right_total = 0
    for name, (samples, sr) in speech.items():
        source = work / f"{Path(name).stem}_src.wav"
        if name == "espeak":  # mono, full band (espeak plus a microphone's hiss)
            soundfile.write(str(source), wideband_speech(samples, sr), 44100, subtype="PCM_16")
        else:  # the corpus file's sound as 16-bit PCM, its channels kept (stereo)
            encode(SOURCE_FILES[name], source)
        cells, right = [], 0
        original = check.judge(measure_audio(probe(source, expect={"audio"})), check.limits())
        for codec, kbps, expected in BITRATE_CASES:
            target = work / f"{Path(name).stem}_{kbps}.{codec.split('>')[0]}"
            encode(source, target, kbps)
            if codec.endswith(">wav"):
                target = encode(target, target.with_suffix(target.suffix + ".wav"))
            result = check.judge(measure_audio(probe(target, expect={"audio"})), check.limits())
            cutoff = result.details.get("cutoff_hz")
            right += result.status == expected
            cells.append(f"{result.status}{'' if result.status == expected else ' ✗'} {cutoff / 1000:.1f}k")
        total += len(BITRATE_CASES)
        right_total += right
        label = f"{name} (WAV: {original.status}, {original.details['cutoff_hz'] / 1000:.1f}k)"
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {right}/{len(BITRATE_CASES)} |")
    rows.append("| **all** | " + " | " * (len(BITRATE_CASES) - 1) + f" | **{right_total}/{total}** |")
    return rows


def onset_truth(samples: np.ndarray, sr: int) -> tuple[float, float] | None:
    """First and last instant where the clean espeak signal is above -50 dB of its peak (espeak
    writes digital silence between utterances, so this is exact)."""
    loud = np.flatnonzero(power_db(samples.astype(np.float64) ** 2) > power_db(np.max(samples ** 2)) - 50)
    return (loud[0] / sr, loud[-1] / sr) if loud.size else None


def trim_table(speech: dict) -> list[str]:
    rows = ["| speech | reference | " + " | ".join(f"pad {p:g} s start/end error ms" for p in PADS_S) + " |", "|---" * (len(PADS_S) + 2) + "|"]
    errors = []
    for name, (samples, sr) in speech.items():
        reference, label = (onset_truth(samples, sr), "signal onset") if name == "espeak" else (speech_span(samples, sr), "unpadded span")
        cells = []
        for pad in PADS_S:
            padded = pad_silence(samples, sr, pad, pad, room_tone_dbfs=-60.0)
            start, end = speech_span(padded, sr)
            error = ((start - pad - reference[0]) * 1000, (end - pad - reference[1]) * 1000)
            errors += [abs(error[0]), abs(error[1])]
            cells.append(f"{error[0]:+.0f} / {error[1]:+.0f}")
        rows.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    rows.append(f"| **all** | mean abs {np.mean(errors):.0f} ms, max {np.max(errors):.0f} ms | " + " | " * (len(PADS_S) - 1) + " |")
    return rows


def stream_table(work: Path) -> list[str]:
    """Each file's streamed measurements (``measure_audio``) against the whole-signal computations."""
    rows = ["| source | loudness LUFS: streamed / pyloudnorm | true peak dBTP: streamed / whole signal | "
            "cutoff Hz: streamed / speech frames' exact mean |", "|---|---|---|---|"]
    worst = {"loudness": 0.0, "peak": 0.0, "cutoff": 0.0}
    for name, path in {"espeak": work / "espeak.wav", **SOURCE_FILES}.items():
        info = probe(path, expect={"audio", "video"})
        measured = measure_audio(info)
        channels, sr = read_audio(info, mono=False)
        channels = np.atleast_2d(channels)
        loudness = (measured.values["audio_loudness_lufs"], whole_signal.loudness_lufs(channels, sr))
        peak = (measured.values["audio_true_peak_dbfs"], whole_signal.true_peak_dbfs(channels))
        mask = measured.series["speech_active"]
        spectrum = whole_signal.speech_spectrum_db(channels.mean(axis=0), sr, mask, default_frame_length(sr), default_hop_length(sr))
        cutoff = (measured.values["audio_cutoff_hz"], cutoff_hz(*spectrum, sr)[0])
        for key, (streamed, whole) in (("loudness", loudness), ("peak", peak), ("cutoff", cutoff)):
            worst[key] = max(worst[key], abs(streamed - whole))
        rows.append(f"| {name} | {loudness[0]:.3f} / {loudness[1]:.3f} | {peak[0]:.3f} / {peak[1]:.3f} | "
                    f"{cutoff[0]:.0f} / {cutoff[1]:.0f} |")
    rows.append(f"| **largest difference** | **{worst['loudness']:.3f} LU** | **{worst['peak']:.3f} dB** | **{worst['cutoff']:.0f} Hz** |")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a folder of real speech (speech*.wav, talk*.mp4)")
    parser.add_argument("--tables", default="snr,rt60,bitrate,trim,stream",
                        help="comma-separated subset of snr,rt60,bitrate,trim,stream")
    args = parser.parse_args(argv)
    wanted = set(args.tables.split(","))
    with tempfile.TemporaryDirectory(prefix="lipgate-calibrate-") as folder:
        work = Path(folder)
        speech = sources(args.corpus, work)
        tables = (("snr", "SNR error (true SNR 5-30 dB)", lambda: snr_table(speech, work)),
                  ("rt60", "RT60 estimates (s) against the true RT60", lambda: rt60_table(speech)),
                  ("bitrate", "audio_bitrate calls (status, measured cutoff)", lambda: bitrate_table(speech, work)),
                  ("trim", "trim boundary error (speech span after padding with room tone at -60 dBFS)", lambda: trim_table(speech)),
                  ("stream", "streamed measurements against the whole-signal computations", lambda: stream_table(work)))
        for key, title, build in tables:
            if key not in wanted:
                continue
            table = build()
            print(f"\n### {title}\n")
            print("\n".join(table))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
