"""Do the `narrascope train <field>` commands give back the shipped models?

Every model narrascope ships is meant to be rebuilt by a command from ``../shared/data`` (README,
"Models"). This runs each command into a temporary folder and compares what it writes with the
shipped file: byte for byte, and when the bytes differ, by how much (the largest difference of a
number in a JSON file or an array of a ``.npz``; the count of training facts when a model records
it). A model whose training facts differ is out of date: the code that makes its features changed
since it was fitted. One whose numbers differ only in the last digits reflects float noise of
another machine or library build.

    .venv/bin/python benchmarks/reproduce.py                    # every field but the encoders
    .venv/bin/python benchmarks/reproduce.py actors frames      # some fields
    .venv/bin/python benchmarks/reproduce.py --data ../shared/data -j 2

The technique tagger and the stance encoder (``--encoder``, torch, 20-60 minutes each) are not
rebuilt here: the techniques model is refitted with the shipped tagger and its out-of-fold
candidates, as `narrascope train techniques DIR` does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "src" / "narrascope" / "data" / "models"
#: the command line of the environment running this script (the README set-up's .venv)
CLI = [str(Path(sys.executable).parent / "narrascope")]


def commands(data: Path, out: Path, jobs: int) -> dict[str, tuple[list[str], list[str]]]:
    """field -> (the train command's arguments, the shipped files it rebuilds). Paths are given as
    the README gives them, relative to the checkout (a model card records the data path it was
    trained on)."""
    data = Path(os.path.relpath(data, ROOT))
    labels = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "benchmarks" / "labels").glob("*.jsonl"))
    return {
        "actors": (["actors", str(data / "plover-gsr" / "records.json"), "-o", str(out / "actors.confidence.json")],
                   ["actors.confidence.json"]),
        "events": (["events", str(data), "-o", str(out / "events.confidence.json")], ["events.confidence.json"]),
        "quotes": (["quotes", str(data / "polnear" / "train"), "-o", str(out / "quotes.confidence.json"),
                    "-j", str(jobs)], ["quotes.confidence.json"]),
        "genre": (["genre", "benchmarks/genre_sample.tsv", "--data", str(data),
                   "-o", str(out / "genre.confidence.json")], ["genre.confidence.json"]),
        "frames": (["frames", *labels, "--data", str(data), "-o", str(out / "frames.confidence.json")],
                   ["frames.confidence.json"]),
        "topics": (["topics", *labels, "--data", str(data), "-o", str(out / "topics.confidence.json")],
                   ["topics.confidence.json"]),
        "stance": (["stance", str(data / "newsmtsc"), "-o", str(out / "stance.npz")], ["stance.npz"]),
        "techniques": (["techniques", str(data / "ptc"), "-o", str(out / "techniques.joblib"), "-j", str(jobs)],
                       ["techniques.joblib", "techniques.confidence.json"]),
    }


def _numbers(value: Any, path: str = "") -> dict[str, float]:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return {}
    if isinstance(value, int | float):
        return {path: float(value)}
    items = value.items() if isinstance(value, dict) else enumerate(value)
    out: dict[str, float] = {}
    for key, item in items:
        out.update(_numbers(item, f"{path}/{key}"))
    return out


def difference(shipped: Path, rebuilt: Path) -> str:
    """How the rebuilt file differs from the shipped one, in a few words."""
    if not rebuilt.is_file():
        return "not written"
    if shipped.read_bytes() == rebuilt.read_bytes():
        return "identical"
    if shipped.suffix == ".json":
        a, b = json.loads(shipped.read_text(encoding="utf-8")), json.loads(rebuilt.read_text(encoding="utf-8"))
        facts = [(a.get("meta", {}).get(k), b.get("meta", {}).get(k)) for k in ("facts", "right")]
        na, nb = _numbers(a), _numbers(b)
        common = set(na) & set(nb)
        worst = max((abs(na[k] - nb[k]) for k in common), default=0.0)
        note = f"largest difference {worst:.2g}; {len(set(na) ^ set(nb))} numbers in one file only"
        if any(x != y for x, y in facts):
            note = f"training facts {facts[0][0]} -> {facts[0][1]} (right {facts[1][0]} -> {facts[1][1]}): " + note
        return note
    if shipped.suffix == ".npz":
        import numpy as np

        a, b = np.load(shipped, allow_pickle=False), np.load(rebuilt, allow_pickle=False)
        worst = 0.0
        for key in set(a.files) & set(b.files):
            if a[key].shape != b[key].shape:
                return f"array {key} has another shape"
            if a[key].dtype.kind in "fiu":
                worst = max(worst, float(np.abs(a[key].astype(float) - b[key].astype(float)).max(initial=0.0)))
            elif not (a[key] == b[key]).all():
                return f"array {key} differs"
        return f"largest difference {worst:.2g}"
    return "bytes differ"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fields", nargs="*", help="fields to rebuild (default: all)")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="parser processes for quotes and techniques")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="narrascope-reproduce-") as tmp:
        table = commands(Path(args.data), Path(tmp), args.jobs)
        unknown = set(args.fields) - set(table)
        if unknown:
            parser.error(f"unknown field(s): {', '.join(sorted(unknown))}; known: {', '.join(table)}")
        failed = 0
        for field in args.fields or list(table):
            argv_, files = table[field]
            print(f"{field}: narrascope train {' '.join(argv_)}", flush=True)
            started = time.perf_counter()
            run = subprocess.run([*CLI, "train", *argv_], capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - started
            if run.returncode != 0:
                failed += 1
                last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["?"]
                print(f"  failed after {seconds:.0f} s: {last[0]}")
                continue
            for name in files:
                verdict = difference(MODELS / name, Path(tmp) / name)
                failed += verdict != "identical"
                print(f"  {name}: {verdict} ({seconds:.0f} s)")
    print("every model rebuilt byte for byte" if not failed else f"{failed} file(s) not rebuilt byte for byte")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
