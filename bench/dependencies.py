"""The audio libraries a user would expect in lipgate, against the code lipgate uses instead.

    python -m bench.dependencies [SPEECH_FILE] [--seconds 60] [--repeat 3]

For each library (librosa for STFT and mel, pyloudnorm for BS.1770 loudness, soundfile for
sound files, ffmpeg-python for ffmpeg commands) it measures, each in a fresh process (what a
``lipgate`` command pays on every run):

- the import, wall and CPU seconds;
- the work lipgate needs from it on SPEECH_FILE (default: the fixture speech) looped to
  ``--seconds``: qa's audio features (librosa's STFT and Slaney mel, against
  ``lipgate.qa.features.AudioFeatures``), the integrated loudness (pyloudnorm against
  ``LoudnessMeter`` fed 1 s blocks), the decode to float32 (soundfile against ``AudioDecoder``,
  ffmpeg through a pipe); median of ``--repeat`` processes, import included;
- how far lipgate's result is from the library's (the largest absolute difference);
- what the library and the distributions only it brings take on disk in this environment;
- which of the sound formats lipgate accepts soundfile opens.

The libraries are in the ``test`` extra (ffmpeg-python is not: ``pip install ffmpeg-python`` to
include it). Needs the fixtures (``python -m fixtures.build``) unless SPEECH_FILE is given.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Imports of lipgate's own helpers, run before a child's clock starts.
SETUP = {"librosa": "from lipgate.qa.features import AUDIO_SR\nfrom tests.qa.test_features import librosa_features\n"}

# Each child prints one JSON line: its import and work times (wall and CPU) and its result.
CHILD_PRELUDE = """
import json, sys, time
import numpy as np
def clock():
    return time.perf_counter(), time.process_time()
t0 = clock()
"""

WORK = {
    # library side
    "librosa": """
import librosa
t1 = clock()
samples = np.load(sys.argv[1])
result = librosa_features(samples, AUDIO_SR, 0.04)
""",
    "pyloudnorm": """
import pyloudnorm
t1 = clock()
channels = np.load(sys.argv[1])
result = pyloudnorm.Meter(int(sys.argv[2])).integrated_loudness(channels.astype(np.float64).T)
""",
    "soundfile": """
import soundfile
t1 = clock()
result, _ = soundfile.read(sys.argv[3], dtype="float32", always_2d=True)
result = result.T
""",
    "ffmpeg-python": """
import ffmpeg
t1 = clock()
stream = ffmpeg.input(sys.argv[3]).output("pipe:1", format="f32le", acodec="pcm_f32le", map="0:a:0", ac=1)
command = ffmpeg.compile(stream.global_args("-nostdin", "-v", "error"), cmd="ffmpeg")
out = subprocess.run(command, capture_output=True, check=True).stdout
result = np.frombuffer(out, np.float32)
""",
    # lipgate side
    "lipgate features": """
from lipgate.qa.features import AUDIO_SR, AudioFeatures
t1 = clock()
samples = np.load(sys.argv[1])
result = AudioFeatures(samples, AUDIO_SR, 0.0, window_s=0.04).values
""",
    "lipgate loudness": """
from lipgate.preflight.analyzers.audio.level import LoudnessMeter
t1 = clock()
channels, sr = np.load(sys.argv[1]), int(sys.argv[2])
meter = LoudnessMeter(sr, channels.shape[0])
for start in range(0, channels.shape[1], sr):
    meter.add(channels[:, start:start + sr])
result = meter.integrated_lufs()
""",
    "lipgate decode": """
from lipgate.media import AudioDecoder, probe
t1 = clock()
info = probe(sys.argv[3], expect={"audio"})
result = np.concatenate([block.samples for block in AudioDecoder(info, mono=False)], axis=1)
""",
    "lipgate command": """
from lipgate.media import AudioDecoder, probe
t1 = clock()
info = probe(sys.argv[3], expect={"audio"})
out = subprocess.run(AudioDecoder(info, mono=True)._command(), capture_output=True, check=True).stdout
result = np.frombuffer(out, np.float32)
""",
}

CHILD_END = """
t2 = clock()
np.save(sys.argv[4], np.asarray(result, dtype=np.float64))
print(json.dumps({"import_wall_s": t1[0] - t0[0], "import_cpu_s": t1[1] - t0[1],
                  "work_wall_s": t2[0] - t1[0], "work_cpu_s": t2[1] - t1[1]}))
"""

# (library, lipgate's own code doing the same, the distribution to install)
PAIRS = [
    ("librosa", "lipgate features", "librosa"),
    ("pyloudnorm", "lipgate loudness", "pyloudnorm"),
    ("soundfile", "lipgate decode", "soundfile"),
    ("ffmpeg-python", "lipgate command", "ffmpeg-python"),
]


def run_child(name: str, args: list[str], result_path: Path) -> dict:
    code = "import subprocess\n" + SETUP.get(name, "") + CHILD_PRELUDE + WORK[name] + CHILD_END
    out = subprocess.run([sys.executable, "-c", code, *args, str(result_path)], cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode:
        raise RuntimeError(f"{name}: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_runs(name: str, args: list[str], result_path: Path, repeat: int) -> dict:
    runs = [run_child(name, args, result_path) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def requirement_names(distribution: str) -> set[str]:
    """Normalised names of the distributions ``distribution`` needs (no extras, markers as installed)."""
    from packaging.requirements import Requirement

    names = set()
    for text in metadata.requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.add(normalise(requirement.name))
    return names


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: set[str]) -> set[str]:
    seen, todo = set(), [normalise(root) for root in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            todo.extend(requirement_names(name))
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
    return seen


def installed_mb(name: str) -> float:
    files = metadata.distribution(name).files or []
    return sum(path.locate().stat().st_size for path in files if path.locate().is_file()) / 1e6


def only_brought_by(distribution: str) -> tuple[list[str], float]:
    """The distributions ``distribution`` brings that lipgate's runtime does not need, and their MB."""
    runtime = closure(requirement_names("lipgate"))
    extra = sorted(closure({distribution}) - runtime)
    return extra, sum(installed_mb(name) for name in extra)


def prepare(speech: Path, seconds: float, folder: Path) -> list[str]:
    """The looped speech as a WAV (for the decoders), its 16 kHz mono samples (features) and its
    native channels (loudness): the same samples for both sides of each comparison."""
    from lipgate.media import AudioDecoder, probe
    from lipgate.qa.features import AUDIO_SR
    import numpy as np

    wav = folder / "speech.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(speech), "-t",
                    str(seconds), "-c:a", "pcm_s16le", str(wav)], check=True)
    info = probe(wav, expect={"audio"})
    mono16k = np.concatenate([block.samples for block in AudioDecoder(info, sr=AUDIO_SR)])
    channels = np.concatenate([block.samples for block in AudioDecoder(info, mono=False)], axis=1)
    np.save(folder / "mono16k.npy", mono16k)
    np.save(folder / "channels.npy", channels)
    return [str(folder / "mono16k.npy"), str(info.audio.sample_rate), str(wav)]


def soundfile_formats(wav: Path, folder: Path) -> dict[str, bool]:
    """Whether soundfile opens the speech in each format lipgate accepts for the target speech."""
    import soundfile

    opens = {}
    for extension, codec in (("wav", "pcm_s16le"), ("mp3", "libmp3lame"), ("m4a", "aac"), ("aac", "aac"),
                             ("mp4", "aac")):
        path = folder / f"format.{extension}"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-t", "2", "-c:a", codec,
                        str(path)], check=True)
        try:
            soundfile.info(str(path))
            opens[extension] = True
        except Exception:
            opens[extension] = False
    return opens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speech", nargs="?", type=Path, default=ROOT / "fixtures" / "generated" / "speech.wav")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="lipgate-deps-") as tmp:
        folder = Path(tmp)
        mono_path, sr, wav = prepare(args.speech, args.seconds, folder)
        inputs = {"librosa": mono_path, "lipgate features": mono_path,
                  "pyloudnorm": str(folder / "channels.npy"), "lipgate loudness": str(folder / "channels.npy")}
        print(f"{args.speech.name} looped to {args.seconds:g} s, median of {args.repeat} fresh processes")
        print("| library | import (wall / CPU s) | its work | lipgate's work | lipgate's import + work vs the library's"
              " | largest difference | only it brings (MB) |")
        print("|---|---|---|---|---|---|---|")
        for library, ours, distribution in PAIRS:
            try:
                metadata.distribution(distribution)
            except metadata.PackageNotFoundError:
                print(f"| {distribution} | not installed | | | | | |")
                continue
            theirs_args = [inputs.get(library, mono_path), sr, wav]
            ours_args = [inputs.get(ours, mono_path), sr, wav]
            theirs = median_runs(library, theirs_args, folder / "theirs.npy", args.repeat)
            mine = median_runs(ours, ours_args, folder / "ours.npy", args.repeat)
            a, b = np.load(folder / "theirs.npy"), np.load(folder / "ours.npy")
            difference = float(np.abs(a - b).max()) if a.shape == b.shape else float("nan")
            extra, megabytes = only_brought_by(distribution)
            total_theirs = theirs["import_wall_s"] + theirs["work_wall_s"]
            total_ours = mine["import_wall_s"] + mine["work_wall_s"]
            print(f"| {distribution} | {theirs['import_wall_s']:.2f} / {theirs['import_cpu_s']:.2f} "
                  f"| {theirs['work_wall_s']:.3f} s | {mine['work_wall_s']:.3f} s "
                  f"| {total_ours:.2f} s vs {total_theirs:.2f} s | {difference:.2g} "
                  f"| {megabytes:.1f} ({', '.join(extra)}) |")
        opens = soundfile_formats(Path(wav), folder)
        print("soundfile opens: " + ", ".join(f"{ext} {'yes' if ok else 'no'}" for ext, ok in opens.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
