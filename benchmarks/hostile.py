"""A hostile batch: every bad input of issue 11 mixed with 200 good articles, ingested in one run.

Generated in a temporary folder (nothing is downloaded or kept): 200 good articles (text files,
HTML pages and JSONL lines built from the seed op-eds, each made unique) and the hostile cases:

- JSONL: a lone surrogate in a title (``"\\udcff"``), a ``\\ud800`` in a text, a line nested 100,000
  deep; each in its own file, followed by a good line (a "canary": it must be stored too);
- a feed with ``&#xD800;`` in an entry, next to a good entry (canary); a billion-laughs feed;
- a file whose name is not valid UTF-8 (a good article: stored, or one coded reject); a symlink loop
  inside the folder (next to a good article, canary);
- a page of a million ``<p>`` (8 MB), a text over 1,000,000 characters, a 360 KB text of names,
  quotes and entities (the pathological case of the quotes and techniques stages);
- a gzip bomb (a .txt.gz inflating to 200 MB), a binary file, an empty file.

It prints the time and peak memory of the run, what was stored, partly analysed and rejected by
code, the slowest item against the item budget, and the outcome of each hostile case. The anchor,
measured in the same run with the same settings: ingesting the 200 good articles alone. The goal:
every good article (and every canary) stored, and no item past its budget.

Usage:
    python benchmarks/hostile.py [--budget SECONDS] [--memory MB] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [ROOT.parent / "shared" / "seeds", ROOT / "examples" / "seeds"]
GOOD_COUNT = 200

FIRST = ["John", "Maria", "Sergey", "Angela", "Emmanuel", "Boris", "Olaf", "Kamala", "Ahmed", "Fatima", "Ivan", "Olga",
         "Xi", "Li", "Pedro", "Yuki"]
LAST = ["Smith", "Petrov", "Merkel", "Macron", "Johnson", "Scholz", "Harris", "Hassan", "Garcia", "Ivanov", "Lavrov",
        "Tanaka", "Chen", "Kim"]
ORGS = ["the Kremlin", "NATO", "the European Union", "the United Nations", "Reuters", "the Pentagon", "Moscow",
        "Washington", "Beijing", "Kyiv", "the White House", "Gazprom"]
CITIES = ["Geneva", "Vienna", "Brussels", "Warsaw", "Ankara", "Tbilisi", "Riga", "Helsinki", "Oslo", "Rome"]


def seed_paragraphs() -> list[list[str]]:
    folder = next((f for f in SEEDS if f.is_dir() and any(f.glob("*.txt"))), None)
    if folder is None:
        sys.exit("no seed texts found in ../shared/seeds or examples/seeds")
    out = []
    for path in sorted(folder.glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80]
        out.append(paragraphs)
    return out


def good_article(n: int, seeds: list[list[str]], rng: random.Random) -> tuple[str, str]:
    """(title, body) of good article ``n``: seed paragraphs, shuffled, with a sentence of its own."""
    paragraphs = list(seeds[n % len(seeds)])
    rng.shuffle(paragraphs)
    city, person = rng.choice(CITIES), f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    own = (f"In {city} on day {n} of the talks, {person} said the delegations would meet again, "
           f"the {n}th meeting of the year, according to officials.")
    return f"Talks in {city}, report {n}", "\n\n".join([own, *paragraphs[:6]])


def pathological(chars: int, rng: random.Random) -> str:
    out, size = [], 0
    while size < chars:
        a, b = f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        o1, o2, o3 = rng.choice(ORGS), rng.choice(ORGS), rng.choice(ORGS)
        sentence = rng.choice([
            f'{a}, a senior expert at {o1}, said "{b} and {o2} are lying about {o3}," according to {o1}.',
            f"{a} told {b} that {o1} would attack {o2}, he said.",
            f'"We will never accept this," {a}, the spokesman of {o1}, said, while {b} of {o2} denied it.',
            f"{a} and {b} met in {o1} with {o2} and {o3}, a reliable source said.",
        ])
        out.append(sentence + ("\n\n" if rng.random() < 0.2 else " "))
        size += len(out[-1])
    return "".join(out)


def html_page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>Copyright The Paper</footer></body></html>")


def rss(entries: list[tuple[str, str]]) -> str:
    items = "".join(f"<item><title>{t}</title><link>https://example.org/{i}</link><description>{d}</description></item>"
                    for i, (t, d) in enumerate(entries))
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed</title>{items}</channel></rss>"


def build(folder: Path, seed: int = 11) -> tuple[list[str], dict[str, list[str]], list[str], dict[str, Path]]:
    """Write the batch; return the good locations, the hostile cases (name -> locations), the
    canary locations (good items inside or next to hostile containers) and each case's file."""
    rng = random.Random(seed)
    seeds = seed_paragraphs()
    good: list[str] = []
    canaries: list[str] = []
    hostile: dict[str, list[str]] = {}
    files: dict[str, Path] = {}
    (folder / "good").mkdir(parents=True)
    jsonl_lines = []
    for n in range(GOOD_COUNT):
        title, body = good_article(n, seeds, rng)
        if n % 5 == 3:  # 40 HTML pages
            path = folder / "good" / f"page_{n:03d}.html"
            path.write_text(html_page(title, body), encoding="utf-8")
            good.append(str(path))
        elif n % 5 == 4:  # 40 JSONL lines
            jsonl_lines.append(json.dumps({"title": title, "text": body, "url": f"https://example.org/good/{n}"}))
        else:
            path = folder / "good" / f"text_{n:03d}.txt"
            path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
            good.append(str(path))
    jsonl = folder / "good" / "lines.jsonl"
    jsonl.write_text("\n".join(jsonl_lines) + "\n", encoding="utf-8")
    good += [f"{jsonl}:{i + 1}" for i in range(len(jsonl_lines))]

    bad = folder / "hostile"
    bad.mkdir()

    def canary(n: int) -> tuple[str, str]:
        return good_article(1000 + n, seeds, rng)

    def jsonl_case(name: str, line: str, n: int) -> None:
        path = bad / f"{name}.jsonl"
        title, body = canary(n)
        path.write_text(line + "\n" + json.dumps({"title": title, "text": body}) + "\n", encoding="utf-8")
        hostile[name] = [f"{path}:1"]
        files[name] = path
        canaries.append(f"{path}:2")

    title, body = canary(0)
    jsonl_case("jsonl_lone_surrogate_title", '{"title": "\\udcff", "text": ' + json.dumps(body) + "}", 1)
    jsonl_case("jsonl_surrogate_in_text", '{"title": "T", "text": "' + " ".join(body[:300].replace('"', "").split()) + ' \\ud800 end"}', 2)
    jsonl_case("jsonl_nested_100000_deep", '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", 3)

    feed = bad / "surrogate_feed.xml"
    title, body = canary(4)
    feed.write_text(rss([("Bad &#xD800; entry", "Some text " * 40), (title, body.replace("\n\n", " "))]), encoding="utf-8")
    hostile["feed_xD800"] = [f"{feed}#entry=1", str(feed)]
    files["feed_xD800"] = feed
    canaries.append(f"{feed}#entry=2")

    laughs = bad / "laughs.xml"
    laughs.write_text("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                      + "".join(f"<!ENTITY lol{i} '{('&lol' + str(i - 1) + ';') * 10 if i else '&lol;' * 10}'>"
                                for i in range(9))
                      + "]><rss version='2.0'><channel><title>&lol8;</title><item><title>x</title></item></channel></rss>")
    hostile["billion_laughs_feed"] = [str(laughs)]
    files["billion_laughs_feed"] = laughs

    from narrascope.model import storable

    title, body = canary(5)
    name = os.fsdecode(b"bad_name_\xff.txt")
    (bad / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    hostile["non_utf8_file_name"] = [storable(str(bad / name))]  # stored with the bad byte escaped
    files["non_utf8_file_name"] = bad / name

    loop = bad / "loop"
    loop.mkdir()
    (loop / "again").symlink_to("..")
    title, body = canary(6)
    (loop / "next_to_loop.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    hostile["symlink_loop"] = [str(loop / "again")]
    files["symlink_loop"] = loop
    canaries.append(str(loop / "next_to_loop.txt"))

    page = bad / "million_p.html"
    with page.open("w", encoding="utf-8") as f:
        f.write("<html><head><title>A page of a million paragraphs</title></head><body>")
        f.write("<p>word " * 1_000_000)
        f.write("</body></html>")
    hostile["million_p_page"] = [str(page)]
    files["million_p_page"] = page

    long = bad / "over_a_million_chars.txt"
    parts, size = [], 0
    while size < 1_200_000:
        t, b = good_article(2000 + len(parts), seeds, rng)
        parts.append(b)
        size += len(b) + 2
    long.write_text("A very long report\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")
    hostile["text_over_1M_chars"] = [str(long)]
    files["text_over_1M_chars"] = long

    names = bad / "names_360kb.txt"
    names.write_text("Names and names\n\n" + pathological(360_000, rng), encoding="utf-8")
    hostile["pathological_quotes_360KB"] = [str(names)]
    files["pathological_quotes_360KB"] = names

    bomb = bad / "bomb.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        chunk = b"a " * 500_000
        for _ in range(200):
            f.write(chunk)
    hostile["gzip_bomb_200MB"] = [str(bomb)]
    files["gzip_bomb_200MB"] = bomb

    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    hostile["binary"] = [str(bad / "image.txt")]
    files["binary"] = bad / "image.txt"
    (bad / "empty.txt").write_bytes(b"")
    hostile["empty"] = [str(bad / "empty.txt")]
    files["empty"] = bad / "empty.txt"
    return good, hostile, canaries, files


def outcomes(db: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(location -> "stored" or "partial", location -> reject code) from the store."""
    conn = sqlite3.connect(db)
    try:
        stored = {}
        for (record,) in conn.execute("SELECT record FROM articles"):
            data = json.loads(record)
            partial = str(data.get("provenance", {}).get("analysis", "")).startswith("partial")
            stored[data["source"]["location"]] = "partial" if partial else "stored"
        rejects = {loc: code for loc, code in conn.execute("SELECT location, code FROM rejects")}
    finally:
        conn.close()
    return stored, rejects


def each(files: dict[str, Path], work: Path, settings: object) -> None:
    """Ingest each hostile case alone: a case passes when the ingest ends with a report (no
    exception) and every item of it has an outcome in the store."""
    from narrascope.ingest import ingest

    print("each hostile case alone:")
    for name, path in files.items():
        db = work / f"each-{name}.db"
        start = time.perf_counter()
        try:
            report = ingest([str(path)], db=db, settings=settings)  # type: ignore[arg-type]
            codes = dict(sorted(Counter(r.code for r in report.rejected).items()))
            outcome = (f"ok: {len(report.stored)} stored ({len(report.partial)} partial), rejected {codes},"
                       f" slowest item {report.slowest[0]:.1f} s")
        except Exception as e:  # noqa: BLE001 - the point is to see which cases still break a batch
            outcome = f"BATCH FAILED: {type(e).__name__}: {str(e)[:120]}"
        print(f"    {name:30s} {time.perf_counter() - start:6.1f} s  {outcome}", flush=True)


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=120.0, help="budget.item_seconds for the run (default 120)")
    parser.add_argument("--memory", type=int, default=0, help="budget.item_memory_mb (default: the settings')")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build the batch in this folder and keep it")
    parser.add_argument("--skip", default="", help="hostile cases to leave out, comma-separated (names as printed)")
    parser.add_argument("--each", action="store_true",
                        help="also ingest each hostile case alone first: does a batch of it alone end cleanly?")
    args = parser.parse_args()

    from narrascope.ingest import ingest
    from narrascope.settings import load_settings

    overrides: dict[str, object] = {"item_seconds": args.budget}
    if args.memory:
        overrides["item_memory_mb"] = args.memory
    settings = load_settings().with_overrides({"budget": overrides}, source="benchmarks/hostile.py")
    work = args.keep or Path(tempfile.mkdtemp(prefix="narrascope-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        good, hostile, canaries, files = build(work / "batch")
        print(f"built {len(good)} good articles, {len(hostile)} hostile cases, {len(canaries)} canaries"
              f" in {time.perf_counter() - start:.1f} s")
        if args.each:
            each(files, work, settings)
        for name in filter(None, args.skip.split(",")):
            path = files[name]
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            canaries = [c for c in canaries if not c.startswith(str(path))]
            del hostile[name]
            print(f"left out: {name}")

        start = time.perf_counter()
        anchor = ingest([str(work / "batch" / "good")], db=work / "anchor.db", settings=settings, jobs=args.jobs)
        anchor_seconds = time.perf_counter() - start
        print(f"anchor (200 good articles alone): {anchor_seconds:.1f} s, {len(anchor.stored)} stored")

        start = time.perf_counter()
        try:
            report = ingest([str(work / "batch")], db=work / "hostile.db", settings=settings, jobs=args.jobs)
        except Exception as e:  # noqa: BLE001 - a benchmark reports a batch that dies, it does not die with it
            print(f"THE BATCH FAILED: {type(e).__name__}: {str(e)[:300]}")
            report = None
        seconds = time.perf_counter() - start
        own, children = peak_mb()
        stored, rejects = outcomes(work / "hostile.db") if (work / "hostile.db").exists() else ({}, {})
        print(f"hostile batch: {seconds:.1f} s ({seconds / anchor_seconds:.2f}x the anchor);"
              f" peak memory {own:.0f} MB here, {children:.0f} MB in the largest worker")
        if report is not None:
            print(f"  {report.summary()}")
            print(f"  rejected by code: {dict(sorted(Counter(r.code for r in report.rejected).items()))}")
            slowest, where = report.slowest
            past = slowest > args.budget + 2.0
            print(f"  slowest item {slowest:.1f} s (budget {args.budget:g} s{': PAST IT' if past else ''}):"
                  f" {Path(where).name if where else '-'}")
        good_stored = sum(1 for loc in good if loc in stored)
        canaries_stored = sum(1 for loc in canaries if loc in stored)
        print(f"  good articles stored: {good_stored}/{len(good)}; canaries stored: {canaries_stored}/{len(canaries)}")
        for loc in canaries:
            if loc not in stored:
                print(f"    canary missing: {Path(loc).name}")
        print("  hostile cases:")
        for name, locations in hostile.items():
            found = [stored.get(loc) or (f"reject {rejects[loc]}" if loc in rejects else None) for loc in locations]
            outcome = next((f for f in found if f), "no outcome recorded")
            print(f"    {name:30s} {outcome}")
        ok = report is not None and good_stored == len(good) and canaries_stored == len(canaries) \
            and report.slowest[0] <= args.budget + 2.0
        print("RESULT:", "all good articles stored, no item past its budget" if ok else "FAILED (see above)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
