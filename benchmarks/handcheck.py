"""The hand check: every fact narrascope shows on 20 development articles, judged by reading.

Gold sets measure one field at a time on their own kind of text. This checks what an analyst
actually sees: the record of real news articles from 12 outlets (RT, Reuters, CNN, The Guardian,
Fox News, The New York Times, CNBC, The Telegraph, BBC, Euronews, CBS News, ABC News), every
fact of every field, each judged right or wrong by a reader, with the reason. The articles are 20
English documents of NTREX-128 (``../shared/data/ntrex``: WMT19 news test documents, one sentence
a line; none of them is a PTC or PolNeAR text, and none is in the frames/topics label sample),
read from there, never copied here.

    python benchmarks/handcheck.py build          # the 20 articles as JSONL -> ingest -> records
    python benchmarks/handcheck.py facts          # every fact, with the key a judgement names
    python benchmarks/handcheck.py score          # precision per field from judgements.jsonl

``benchmarks/handcheck/judgements.jsonl`` holds one judgement per fact: ``doc`` (the NTREX
document id), ``field``, ``key`` (as ``facts`` prints it), ``fact`` (what was shown, in short),
``correct`` (true/false), ``why`` and ``shown`` (a fingerprint of what was shown when it was judged:
the first 12 hex digits of the SHA-1 of the fact line, so the judgements hold no article text).
``score`` matches judgements to the facts the current pipeline produces: a fact without a
judgement, or whose line changed since it was judged (another polarity, other evidence, another
state), is listed as still to read and not counted; a judgement whose fact is gone is ignored.
``python benchmarks/handcheck.py facts --unjudged`` prints only those.

What counts as right, per field:

- actors: a real actor of the article (not a place, a disease, a product...), its id, kind and
  state (``country``) right, its role (if any) true of the person at the time, its mentions refer
  to it;
- quotes: the content is speech or writing attributed in the text, the speaker is the one the text
  names (or "anonymous" when the text names none), ``direct`` and ``anonymous`` are right;
- events: the PLOVER type fits, the source does it to the target, negation and hypothetical
  marks are right, and it is a material or verbal act, not a metaphor;
- techniques: an annotator would mark that technique on that span;
- stances: the holder's stance toward the target has the sign shown;
- frames, topics: a reader agrees the article has that frame / is about that topic;
- genre: right for the article (an undetermined genre, "other" without a confidence, claims
  nothing and is not counted).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "data" / "ntrex"
HERE = Path(__file__).resolve().parent / "handcheck"
WORK = Path("/tmp/narrascope-handcheck")
NARRASCOPE = ROOT / ".venv" / "bin" / "narrascope"

#: The 20 documents: foreign-policy and political news from 12 outlets.
DOCS = (
    "rt.com.91337", "rt.com.91335", "rt.com.91350", "reuters.218882", "reuters.218888", "cnn.304489",
    "cnn.304447", "guardian.221762", "guardian.221756", "foxnews.94512", "nytimes.184862", "nytimes.184804",
    "cnbc.com.6790", "cnbc.com.6772", "telegraph.405408", "telegraph.405413", "bbc.381736",
    "euronews-en.153799", "cbsnews.248394", "abcnews.306774",
)
OUTLETS = {"rt.com": "RT", "reuters": "Reuters", "cnn": "CNN", "guardian": "The Guardian", "foxnews": "Fox News",
           "nytimes": "The New York Times", "cnbc.com": "CNBC", "telegraph": "The Telegraph", "bbc": "BBC",
           "euronews-en": "Euronews", "cbsnews": "CBS News", "abcnews": "ABC News"}
FIELDS = ("actors", "quotes", "events", "techniques", "stances", "frames", "topics", "genre")


def documents() -> dict[str, list[str]]:
    ids = [line.split("\t")[0].strip() for line in (NTREX / "DOCUMENT_IDS.tsv").read_text().splitlines()]
    lines = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").split("\n")
    docs: dict[str, list[str]] = defaultdict(list)
    for doc, line in zip(ids, lines, strict=False):
        docs[doc].append(line)
    return docs


def outlet(doc: str) -> str:
    return OUTLETS[doc.rsplit(".", 1)[0]]


def build() -> None:
    """The 20 articles as JSONL (title: the first line; text: the others, one paragraph each;
    outlet from the document id; no date, since the data states none), ingested into a store."""
    docs = documents()
    WORK.mkdir(parents=True, exist_ok=True)
    jsonl = WORK / "handcheck.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for doc in DOCS:
            first, *rest = docs[doc]
            out.write(json.dumps({"url": f"https://ntrex.example/{doc}", "title": first, "outlet": outlet(doc),
                                  "text": "\n\n".join(x for x in rest if x.strip()), "tags": [doc]}) + "\n")
    db = WORK / "handcheck.db"
    db.unlink(missing_ok=True)
    subprocess.run([str(NARRASCOPE), "ingest", "--quiet", "--db", str(db), str(jsonl)], check=True)
    records = subprocess.run([str(NARRASCOPE), "export", "--db", str(db), "--format", "jsonl"], check=True,
                             capture_output=True, text=True).stdout
    (WORK / "records.jsonl").write_text(records, encoding="utf-8")
    print(f"{len(DOCS)} articles from {len({outlet(d) for d in DOCS})} outlets -> {WORK / 'records.jsonl'}")


def records() -> dict[str, dict[str, Any]]:
    path = WORK / "records.jsonl"
    if not path.exists():
        sys.exit("run `python benchmarks/handcheck.py build` first")
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["tags"][0]] = record
    return out


def facts(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, key, what is shown) of every fact of a record."""
    text = record["text"]
    names = {a["id"]: a["name"] for a in record.get("actors") or []}
    out: list[tuple[str, str, str]] = []
    for a in record.get("actors") or []:
        forms = sorted({m["text"] for m in a.get("mentions") or []})
        out.append(("actors", a["id"], f"{a['name']} ({a['kind']}, for {a.get('country') or '-'}"
                    f"{', role ' + a['role'] if a.get('role') else ''}) as: {'; '.join(forms)}"))
    for q in record.get("quotes") or []:
        out.append(("quotes", f"{q['start']}-{q['end']}",
                    f"{q.get('speaker') or '?'} <{q.get('speaker_actor') or '-'}>"
                    f"{' anonymous' if q.get('anonymous') else ''}"
                    f"{(' partial' if q.get('partial') else ' direct') if q.get('direct') else ''}:"
                    f" {q['content'][:160]}"))
    for e in record.get("events") or []:
        marks = "".join(f" {m}" for m in ("negated", "hypothetical") if e.get(m))
        claimed = f" claimed by {e['claimed_by']}" if e.get("claimed_by") else ""
        out.append(("events", f"{e['start']}-{e['end']}:{e['type']}:{e['source']}>{e.get('target')}",
                    f"{e['type']} {names.get(e['source'], e['source'])} -> "
                    f"{names.get(e.get('target') or '', e.get('target'))}{marks}{claimed}: {text[e['start']:e['end']][:200]}"))
    for t in record.get("techniques") or []:
        out.append(("techniques", f"{t['start']}-{t['end']}:{t['name']}", f"{t['name']}: {t['text'][:160]}"))
    for s in record.get("stances") or []:
        evidence = " | ".join(text[e["start"]:e["end"]][:120] for e in s.get("evidence") or [])
        out.append(("stances", f"{s['holder']}>{s['target']}",
                    f"{names.get(s['holder'], s['holder'])} -> {names.get(s['target'], s['target'])}"
                    f" {s['polarity']:+.2f}: {evidence}"))
    for f in record.get("frames") or []:
        out.append(("frames", f["name"], f["name"]))
    for t in record.get("topics") or []:
        out.append(("topics", t, t))
    if record.get("genre_confidence") is not None:  # "other" without a confidence claims nothing
        out.append(("genre", record.get("genre") or "",
                    f"{record.get('genre')} ({'; '.join(record.get('genre_evidence') or [])})"))
    return out


def fingerprint(shown: str) -> str:
    """What a judgement remembers of the fact line it judged (no text)."""
    return hashlib.sha1(" ".join(shown.split()).encode("utf-8")).hexdigest()[:12]


def load_judgements(path: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                out[(j["doc"], j["field"], j["key"])] = j
    return out


def verdict(judged: dict[tuple[str, str, str], dict[str, Any]], doc: str, field: str, key: str,
            shown: str) -> bool | None:
    """The judgement of this fact as shown now, or None (never judged, or changed since)."""
    j = judged.get((doc, field, key))
    if j is None or j.get("shown") not in (None, fingerprint(shown)):
        return None
    return bool(j["correct"])


def print_facts(only: str | None, unjudged: Path | None = None) -> None:
    judged = load_judgements(unjudged) if unjudged else {}
    for doc, record in records().items():
        print(f"\n=== {doc}  {record['title']}  [{record.get('outlet')}]")
        for field, key, shown in facts(record):
            if only in (None, field) and (unjudged is None or verdict(judged, doc, field, key, shown) is None):
                print(f"{field}\t{key}\t{' '.join(shown.split())}\t{fingerprint(shown)}")


def score(path: Path) -> None:
    judged = load_judgements(path)
    totals: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    missing = []
    outlets = set()
    for doc, record in records().items():
        outlets.add(record.get("outlet"))
        for field, key, shown in facts(record):
            right = verdict(judged, doc, field, key, shown)
            if right is None:
                missing.append(f"{doc}\t{field}\t{key}\t{' '.join(shown.split())}")
                continue
            totals[field]["facts"] += 1
            totals[field]["right"] += int(right)
    print(f"hand check: {len(records())} articles from {len(outlets)} outlets")
    print(f"{'field':<12} {'facts':>6} {'right':>6} {'precision':>10}")
    for field in FIELDS:
        n, right = totals[field]["facts"], totals[field]["right"]
        print(f"{field:<12} {n:>6} {right:>6} {right / n if n else float('nan'):>10.3f}")
    if missing:
        print(f"\n{len(missing)} facts have no judgement or changed since they were judged (read them:"
              f" `facts --unjudged`):")
        print("\n".join(missing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build")
    listing = sub.add_parser("facts")
    listing.add_argument("--field", choices=FIELDS)
    listing.add_argument("--unjudged", action="store_true", help="only facts without a current judgement")
    scoring = sub.add_parser("score")
    scoring.add_argument("judgements", nargs="?", type=Path, default=HERE / "judgements.jsonl")
    args = parser.parse_args()
    if args.command == "build":
        build()
    elif args.command == "facts":
        print_facts(args.field, HERE / "judgements.jsonl" if args.unjudged else None)
    else:
        score(args.judgements)


if __name__ == "__main__":
    main()
