"""Readers' verdicts on the technique spans PTC's gold does not confirm: make the blind items, fold
the verdicts back in.

PTC's annotators mark far from everything they would sign: of the verbatim recurrences of a string
they marked, they mark under half again (``narrascope eval techniques`` prints this as "gold
consistency"). So precision against PTC gold alone says little about how often a technique
narrascope shows is one an annotator would sign. The adjudication asks readers instead, for the
kept spans on PTC's held-out split that the gold does not confirm, blind:

- the items mix the kept spans (every one, the gold-confirmed too, so that the readers' own
  precision can be set beside the gold's) with controls, per article: one gold span, one random
  stretch of words as long as one of the kept spans, and one candidate whose confidence is below
  0.15 ("negative"), each given a technique name; shuffled, so a reader cannot tell them apart;
- each item shows the technique name and the article's lines around the stretch, which is in
  ``[[...]]``; each reader answers whether a careful PTC annotator would mark that technique there
  (``INSTRUCTIONS`` below);
- ``benchmarks/handcheck/ptc_adjudication.jsonl`` keeps, per item: ``kind`` (model, gold, decoy
  or negative), ``article`` (PTC id), ``start``, ``end``, ``technique``, ``readers`` (one
  true/false a reader), ``why`` (the readers' reasons, with any run of two or more of the
  article's words cut out) and ``shown`` (the first 12 hex digits of the SHA-1 of the stretch's
  words): no article text.

``narrascope eval techniques ../shared/data/ptc --adjudication benchmarks/handcheck/ptc_adjudication.jsonl``
scores with it: a kept span is right when the gold confirms it or every reader accepted it.

    python benchmarks/ptc_adjudication.py items /tmp/items.jsonl          # kept spans without a verdict, with controls
    python benchmarks/ptc_adjudication.py items --again /tmp/items.jsonl  # every stored item, blind, to read again
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

_QUOTE_MARKS = re.compile(r"(?:(?<=[\s(])|^)['\"“‘]+(?=…)|(?<=…)['\"”’]+")


def context(text: str, start: int, end: int) -> str:
    """The line(s) holding the stretch and the nearest non-empty line either side, the stretch in [[...]]."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    inside = [n for n, (lo, hi) in enumerate(lines) if lo < end and start < hi] or [0]
    first, last = max(inside[0] - 1, 0), min(inside[-1] + 1, len(lines) - 1)
    lo, hi = lines[first][0], lines[last][1]
    return " ".join((text[lo:start] + "[[" + text[start:end] + "]]" + text[end:hi]).split())


def strip_words(why: str, text: str) -> str:
    """``why`` with every run of two or more words found in ``text`` (the article) cut to "…", so that
    no reader's reason carries the article's words."""
    words = list(re.finditer(r"\w+(?:['’-]\w+)*", why))
    plain = " " + " ".join(re.findall(r"\w+(?:['’-]\w+)*", text.lower())) + " "
    cuts: list[tuple[int, int]] = []
    i = 0
    while i < len(words) - 1:
        j = i + 1  # the longest run from word i found in the article
        while j < len(words) and " " + " ".join(w.group().lower() for w in words[i:j + 1]) + " " in plain:
            j += 1
        if j - i >= 2:
            cuts.append((words[i].start(), words[j - 1].end()))
            i = j
        else:
            i += 1
    for lo, hi in reversed(cuts):
        why = why[:lo] + "…" + why[hi:]
    return _QUOTE_MARKS.sub("", why).strip()


def _stored() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _new_items(rng: random.Random) -> list[dict[str, Any]]:
    """Kept spans on the held-out split without a current verdict, with controls for every article
    that has one: a gold span, a random stretch as long as one of its kept spans (and touching no
    gold or kept span), and a candidate below ``NEGATIVE_BELOW`` touching no gold span."""
    from narrascope.analysis.ptc import PTC_NAMES, read_ptc
    from narrascope.analysis.techniques import find_techniques, load_model
    from narrascope.evaluate.techniques import NEGATIVE_BELOW, _overlap, _parse, fingerprint
    from narrascope.settings import load_settings

    floor = load_settings().analysis.min_confidence.techniques
    stored = _stored()
    judged = {(r["article"], r["start"], r["end"], r["technique"], r["shown"]) for r in stored}
    # A control already read keeps its verdicts: a new round draws other ones.
    controls = {(r["kind"], r["article"], r["start"], r["end"], r["technique"]) for r in stored if r["kind"] != "model"}
    articles = read_ptc(PTC, split="heldout")
    model = load_model("")
    out: list[dict[str, Any]] = []
    for article, doc in zip(articles, _parse(articles, None), strict=True):
        gold = [(s.start, s.end, s.name) for s in article.spans]
        found = [t for t in find_techniques(doc, model=model) if t["name"] in PTC_NAMES]
        kept = [t for t in found if t["confidence"] >= floor]
        new = [t for t in kept if (article.id, t["start"], t["end"], t["name"],
                                   fingerprint(article.text[t["start"]:t["end"]])) not in judged]
        if not new:
            continue
        out += [{"kind": "model", "article": article.id, "start": t["start"], "end": t["end"], "technique": t["name"]}
                for t in new]
        shown = {(t["start"], t["end"]) for t in kept}
        golds = [g for g in gold if g[1] - g[0] <= 300 and (g[0], g[1]) not in shown
                 and ("gold", article.id, *g) not in controls]
        if golds:
            g = rng.choice(golds)
            out.append({"kind": "gold", "article": article.id, "start": g[0], "end": g[1], "technique": g[2]})
        negatives = [t for t in found if t["confidence"] < NEGATIVE_BELOW
                     and not any(_overlap((t["start"], t["end"], ""), g) for g in gold)
                     and ("negative", article.id, t["start"], t["end"], t["name"]) not in controls]
        if negatives:
            t = rng.choice(negatives)
            out.append({"kind": "negative", "article": article.id, "start": t["start"], "end": t["end"],
                        "technique": t["name"]})
        words = [(w.idx, w.idx + len(w)) for w in doc if not w.is_space]
        like = rng.choice(kept)
        length = max(1, len(article.text[like["start"]:like["end"]].split()))
        for _try in range(500):
            if len(words) <= length:
                break
            i = rng.randrange(len(words) - length)
            lo, hi = words[i][0], words[i + length - 1][1]
            if "\n" in article.text[lo:hi] or any(_overlap((lo, hi, ""), g) for g in gold) or any(
                    _overlap((lo, hi, ""), (t["start"], t["end"], "")) for t in kept) or (
                    "decoy", article.id, lo, hi, like["name"]) in controls:
                continue
            out.append({"kind": "decoy", "article": article.id, "start": lo, "end": hi, "technique": like["name"]})
            break
    return out


def keys_path(item_file: Path) -> Path:
    return item_file.with_name(item_file.name + ".keys.jsonl")


def items(out: Path, again: bool) -> None:
    from narrascope.analysis.ptc import read_ptc

    rng = random.Random(20)
    rows = [{k: r[k] for k in ("kind", "article", "start", "end", "technique")} for r in _stored()] if again \
        else _new_items(rng)
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
    readers: dict[int, list[dict[str, Any]]] = {n: [] for n in keys}
    for path in verdict_files:
        seen: set[int] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                v = json.loads(line)
                n = int(v["item"])
                if n not in keys or n in seen:
                    sys.exit(f"{path}: item {n} is {'not in the items' if n not in keys else 'judged twice'}")
                seen.add(n)
                readers[n].append(v)
        if seen != set(keys):
            sys.exit(f"{path}: no verdict for items {sorted(set(keys) - seen)[:10]}")
    texts = {a.id: a.text for a in read_ptc(PTC, split="all")}
    rows = {(r["kind"], r["article"], r["start"], r["end"], r["technique"]): r for r in _stored()}
    for n, key in keys.items():
        words = texts[key["article"]][key["start"]:key["end"]]
        rows[(key["kind"], key["article"], key["start"], key["end"], key["technique"])] = {
            **key, "readers": [bool(v["accept"]) for v in readers[n]],
            "why": [strip_words(str(v.get("why", "")), texts[key["article"]]) for v in readers[n]],
            "shown": fingerprint(words)}
    order = {"model": 0, "gold": 1, "decoy": 2, "negative": 3}
    with FILE.open("w", encoding="utf-8") as out:
        for key in sorted(rows, key=lambda k: (order.get(k[0], 4), k[1], k[2], k[3], k[4])):
            out.write(json.dumps(rows[key], ensure_ascii=False) + "\n")
    print(f"{len(keys)} items merged; {len(rows)} in {FILE.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("items", help="blind items for readers, one JSON a line (after an instructions line)")
    listing.add_argument("out", type=Path, help="where to write the items (PTC text: not in the repository)")
    listing.add_argument("--again", action="store_true", help="every stored item, to be read again")
    merging = sub.add_parser("merge", help="fold readers' verdicts on an items file into the adjudication file")
    merging.add_argument("item_file", type=Path)
    merging.add_argument("verdicts", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "items":
        items(args.out, args.again)
    else:
        merge(args.item_file, args.verdicts)


if __name__ == "__main__":
    main()
