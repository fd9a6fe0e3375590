"""Readers' verdicts on the technique spans PTC's gold does not confirm: make the blind items, fold
the verdicts back in.

PTC's annotators mark far from everything they would sign: of the verbatim recurrences of a string
they marked, they mark under half again (``narrascope eval techniques`` prints this as "gold
consistency"). So precision against PTC gold alone says little about how often a technique
narrascope shows is one an annotator would sign. The adjudication asks readers instead, for the
kept spans on PTC's held-out split that the gold does not confirm, blind:

- the items mix those spans with controls: one gold span and one random stretch (given a
  technique name drawn from the spans') per article, shuffled, so a reader cannot tell them apart;
- each item shows the technique name and a few lines of the article with the stretch in
  ``[[...]]``; each reader answers whether a careful PTC annotator would mark that technique there
  (``INSTRUCTIONS`` below);
- ``benchmarks/handcheck/ptc_adjudication.jsonl`` keeps, per item: ``kind`` (model, gold or
  decoy), ``article`` (PTC id), ``start``, ``end``, ``technique``, ``readers`` (one true/false a
  reader), ``why`` (the readers' reasons, quoted words elided) and ``shown`` (the first 12 hex digits of
  the SHA-1 of the stretch's words): no article text.

``narrascope eval techniques ../shared/data/ptc --adjudication benchmarks/handcheck/ptc_adjudication.jsonl``
scores with it: a kept span is right when the gold confirms it or every reader accepted it.

    python benchmarks/ptc_adjudication.py items /tmp/items.jsonl              # every judged item, blind, to re-read
    python benchmarks/ptc_adjudication.py items --unjudged /tmp/items.jsonl   # kept spans still without a verdict
    python benchmarks/ptc_adjudication.py merge /tmp/items.jsonl verdicts1.jsonl [verdicts2.jsonl ...]

``items`` writes the blind items (an instructions line, then one item a line) and, beside them,
``<file>.keys.jsonl``, which says what each item is: give readers only the first. A verdicts file
has one line per item: ``{"item": N, "accept": true|false, "why": "..."}``. The item files hold
PTC text: keep them out of the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PTC = ROOT.parent / "shared" / "data" / "ptc"
FILE = Path(__file__).resolve().parent / "handcheck" / "ptc_adjudication.jsonl"

INSTRUCTIONS = """Would a careful PTC annotator mark the named technique on the bracketed stretch? Accept when
the bracketed words, or their core, are where that technique is used. Reject when the stretch carries
no technique, carries another technique than the one named, or mostly misses the words that carry it.
The items mix spans from a system, from human annotation and random stretches: judge each on its words."""

_QUOTED = re.compile(r"(['\"“‘])[^'\"”’]{1,80}(['\"”’])")


def context(text: str, start: int, end: int) -> str:
    """The line(s) holding the stretch and one line either side, the stretch in [[...]]."""
    line_start = text.rfind("\n", 0, start)
    lo = text.rfind("\n", 0, line_start) + 1 if line_start > 0 else 0
    line_end = text.find("\n", end)
    after = text.find("\n", line_end + 1) if line_end >= 0 else -1
    hi = len(text) if line_end < 0 or after < 0 else after
    return " ".join((text[lo:start] + "[[" + text[start:end] + "]]" + text[end:hi]).split())


def _stored() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _unjudged(rng: random.Random) -> list[dict[str, Any]]:
    """Kept spans on the held-out split that the gold does not confirm and no reader judged, with
    one gold and one random control per article."""
    from narrascope.analysis.ptc import PTC_NAMES, read_ptc
    from narrascope.analysis.techniques import find_techniques, load_model
    from narrascope.evaluate.techniques import _accepts, _overlap, _parse, fingerprint
    from narrascope.settings import load_settings

    floor = load_settings().analysis.min_confidence.techniques
    judged = {(r["article"], r["start"], r["end"], r["technique"], r["shown"]) for r in _stored()}
    articles = read_ptc(PTC, split="heldout")
    model = load_model("")
    out: list[dict[str, Any]] = []
    names: list[str] = []
    for article, doc in zip(articles, _parse(articles, None), strict=True):
        gold = [(s.start, s.end, s.name) for s in article.spans]
        kept = [t for t in find_techniques(doc, model=model) if t["confidence"] >= floor and t["name"] in PTC_NAMES]
        new = [t for t in kept
               if not any(_overlap((t["start"], t["end"], t["name"]), g) and _accepts(g[2], t["name"]) for g in gold)
               and (article.id, t["start"], t["end"], t["name"], fingerprint(article.text[t["start"]:t["end"]]))
               not in judged]
        if not new:
            continue
        out += [{"kind": "model", "article": article.id, "start": t["start"], "end": t["end"], "technique": t["name"]}
                for t in new]
        names += [t["name"] for t in new]
        short = [g for g in gold if g[1] - g[0] <= 300]
        if short:
            g = rng.choice(short)
            out.append({"kind": "gold", "article": article.id, "start": g[0], "end": g[1], "technique": g[2]})
        words = [(w.idx, w.idx + len(w)) for w in doc if w.is_alpha]
        for _try in range(200):
            if len(words) < 10:
                break
            i, n = rng.randrange(len(words) - 6), rng.choice([1, 2, 2, 3, 3, 4, 5, 6])
            s, e = words[i][0], words[i + n - 1][1]
            if "\n" in article.text[s:e] or any(_overlap((s, e, ""), g) for g in gold) or any(
                    _overlap((s, e, ""), (t["start"], t["end"], "")) for t in kept):
                continue
            out.append({"kind": "decoy", "article": article.id, "start": s, "end": e, "technique": ""})
            break
    for row in out:
        row["technique"] = row["technique"] or rng.choice(names)
    return out


def keys_path(item_file: Path) -> Path:
    return item_file.with_name(item_file.name + ".keys.jsonl")


def items(out: Path, unjudged: bool) -> None:
    from narrascope.analysis.ptc import read_ptc

    rng = random.Random(20)
    rows = _unjudged(rng) if unjudged else [
        {k: r[k] for k in ("kind", "article", "start", "end", "technique")} for r in _stored()]
    rng.shuffle(rows)
    texts = {a.id: a.text for a in read_ptc(PTC, split="all")}
    with out.open("w", encoding="utf-8") as blind, keys_path(out).open("w", encoding="utf-8") as keys:
        blind.write(json.dumps({"instructions": INSTRUCTIONS}) + "\n")
        for n, row in enumerate(rows):
            text = texts[row["article"]]
            blind.write(json.dumps({"item": n, "technique": row["technique"],
                                    "article_title": text.split("\n", 1)[0][:120],
                                    "context": context(text, row["start"], row["end"])}, ensure_ascii=False) + "\n")
            keys.write(json.dumps({"item": n, **row}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} items in {out}; what each is in {keys_path(out)} (not for the readers)")


def merge(item_file: Path, verdict_files: list[Path]) -> None:
    """Add the verdicts on ``item_file``'s items to the adjudication file (replacing earlier ones)."""
    from narrascope.analysis.ptc import read_ptc
    from narrascope.evaluate.techniques import fingerprint

    keys = {}
    for line in keys_path(item_file).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        keys[int(row.pop("item"))] = row
    readers: dict[int, list[dict[str, Any]]] = {}
    for path in verdict_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                v = json.loads(line)
                readers.setdefault(int(v["item"]), []).append(v)
    missing = sorted(set(keys) - set(readers))
    if missing:
        sys.exit(f"no verdict for items {missing[:10]}")
    texts = {a.id: a.text for a in read_ptc(PTC, split="all")}
    rows = {(r["kind"], r["article"], r["start"], r["end"], r["technique"]): r for r in _stored()}
    for n, key in keys.items():
        words = texts[key["article"]][key["start"]:key["end"]]
        rows[(key["kind"], key["article"], key["start"], key["end"], key["technique"])] = {
            **key, "readers": [bool(v["accept"]) for v in readers[n]],
            "why": [_QUOTED.sub("…", str(v.get("why", ""))) for v in readers[n]], "shown": fingerprint(words)}
    order = {"model": 0, "gold": 1, "decoy": 2}
    with FILE.open("w", encoding="utf-8") as out:
        for key in sorted(rows, key=lambda k: (order.get(k[0], 3), k[1], k[2], k[3], k[4])):
            out.write(json.dumps(rows[key], ensure_ascii=False) + "\n")
    print(f"{len(keys)} items merged; {len(rows)} in {FILE.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("items", help="blind items for readers, one JSON a line (after an instructions line)")
    listing.add_argument("out", type=Path, help="where to write the items (PTC text: not in the repository)")
    listing.add_argument("--unjudged", action="store_true",
                         help="kept held-out spans the gold does not confirm and no reader judged, with controls")
    merging = sub.add_parser("merge", help="fold readers' verdicts on an items file into the adjudication file")
    merging.add_argument("item_file", type=Path)
    merging.add_argument("verdicts", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "items":
        items(args.out, args.unjudged)
    else:
        merge(args.item_file, args.verdicts)


if __name__ == "__main__":
    main()
