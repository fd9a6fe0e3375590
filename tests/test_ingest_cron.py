"""Ingest run by cron: known rejects keep exit 0, and progress shows when stderr is not a terminal.

Real files in ``tmp_path``, a real store, the CLI through click's runner (whose stderr is no terminal).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from conftest import run_cli
from fixtures_make import GERMAN, PNG_HEADER, jsonl, paragraphs, scrape, text_article, title, write

# English only: the German article below is a known reject (every language is accepted by default)
FAST = '[pipeline]\nstages = ["language"]\n[language]\naccept = ["en"]\n'


def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    write(folder / "empty.txt", b"")
    write(folder / "photo.png", PNG_HEADER + bytes(range(256)) * 4)
    write(folder / "artikel.txt", scrape("Gespräche in Genf", GERMAN))
    write(folder / "lines.jsonl", jsonl([{"title": title(2), "text": "\n\n".join(paragraphs(2))}]) + b"{not json\n")
    return folder


def ingest(tmp_path: Path, db: Path, folder: Path, *extra: str) -> tuple[int, str, str]:
    config = write(tmp_path / "fast.toml", FAST)
    result = run_cli("--config", str(config), "ingest", "--db", str(db), *extra, str(folder))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def rejected_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rejected  ")]


def test_a_rerun_over_known_rejects_exits_0_and_counts_them(tmp_path: Path, db: Path) -> None:
    folder = bad_folder(tmp_path)
    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 3 and len(rejected_lines(err)) == 4, err
    assert "4 rejected" in err and "known reject" not in err

    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 0, err
    assert rejected_lines(err) == []
    assert "0 rejected, 4 known rejects" in err, err

    code, out, _err = ingest(tmp_path, db, folder, "--json")
    report = json.loads(out)
    assert code == 0 and report["known_rejects"] == 4
    assert [r["known"] for r in report["rejected"]] == [True] * 4


def test_only_new_rejects_give_exit_3(tmp_path: Path, db: Path) -> None:
    folder = bad_folder(tmp_path)
    assert ingest(tmp_path, db, folder)[0] == 3
    write(folder / "blank.txt", b"\n\n  \n")  # a new bad file
    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 3
    assert [line.split(":")[0] for line in rejected_lines(err)] == [f"rejected  {(folder / 'blank.txt').resolve()}"]
    assert "1 rejected, 4 known rejects" in err, err
    assert ingest(tmp_path, db, folder)[0] == 0


def test_changed_bytes_at_a_known_location_are_a_new_reject(tmp_path: Path, db: Path) -> None:
    folder = bad_folder(tmp_path)
    assert ingest(tmp_path, db, folder)[0] == 3
    # Same location, same code and reason (a German article), other bytes: the user has not seen these.
    write(folder / "artikel.txt", scrape("Gespräche in Genf gehen weiter", GERMAN))
    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 3, err
    assert len(rejected_lines(err)) == 1 and "artikel.txt" in rejected_lines(err)[0]
    assert "1 rejected, 3 known rejects" in err
    # A different reason at a known location is new too (the empty file now holds an image).
    write(folder / "empty.txt", PNG_HEADER + bytes(range(256)) * 4)
    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 3 and len(rejected_lines(err)) == 1 and "empty.txt: NS102" in rejected_lines(err)[0]


PROGRESS = re.compile(r"^ingest: \d+ items? done \(\d+ stored, \d+ rejected\), \d+s elapsed$")


def test_progress_lines_go_to_stderr_when_it_is_not_a_terminal(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    for n in range(1, 13):
        write(folder / f"story-{n}.txt", text_article(n))
    config = write(tmp_path / "progress.toml", FAST + "[input]\nprogress_seconds = 0.05\n")
    result = run_cli("--config", str(config), "ingest", "--db", str(db), str(folder))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("ingest: ")]
    assert lines, result.stderr
    assert all(PROGRESS.match(line) for line in lines), lines
    assert result.stdout == ""  # progress never mixes with output a pipe reads


def test_no_progress_lines_with_quiet_or_json_or_by_default_on_a_short_run(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    for n in range(1, 4):
        write(folder / f"story-{n}.txt", text_article(n))
    config = write(tmp_path / "progress.toml", FAST + "[input]\nprogress_seconds = 0.05\n")
    for flag in ("--quiet", "--json"):
        result = run_cli("--config", str(config), "ingest", "--db", str(db), flag, str(folder))
        assert not any(line.startswith("ingest: ") for line in result.stderr.splitlines()), (flag, result.stderr)
    # The default interval is seconds: a run this short prints none.
    default = write(tmp_path / "fast.toml", FAST)
    result = run_cli("--config", str(default), "ingest", "--db", str(tmp_path / "other.db"), str(folder))
    assert not any(line.startswith("ingest: ") for line in result.stderr.splitlines()), result.stderr


SMALL = FAST + "[input]\nmax_bytes = 4000\n"


def small_ingest(tmp_path: Path, db: Path, folder: Path) -> tuple[int, str]:
    config = write(tmp_path / "small.toml", SMALL)
    result = run_cli("--config", str(config), "ingest", "--db", str(db), str(folder))
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_a_file_refused_before_reading_is_new_again_once_changed(tmp_path: Path, db: Path) -> None:
    """Too large (NS103) and a symbolic link loop (NS109) are refused before their bytes are read:
    their size and modification time tell an untouched file (known) from a changed one (new)."""
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    big = write(folder / "big.txt", text_article(2) * 20)
    (folder / "loop").symlink_to(folder / "loop")
    code, err = small_ingest(tmp_path, db, folder)
    assert code == 3 and len(rejected_lines(err)) == 2, err
    assert any("big.txt: NS103" in line for line in rejected_lines(err))
    assert small_ingest(tmp_path, db, folder)[0] == 0  # untouched: known

    write(big, text_article(3) * 20)  # still too large, other bytes
    code, err = small_ingest(tmp_path, db, folder)
    assert code == 3, err
    assert len(rejected_lines(err)) == 1 and "big.txt: NS103" in rejected_lines(err)[0]
    assert "1 rejected, 1 known reject" in err, err
    assert small_ingest(tmp_path, db, folder)[0] == 0

    (folder / "loop").unlink()  # the loop made again, through another name: a new link
    (folder / "loop").symlink_to(folder / "loop2")
    (folder / "loop2").symlink_to(folder / "loop")
    code, err = small_ingest(tmp_path, db, folder)
    assert code == 3 and sorted(line.split(":")[0].rsplit("/", 1)[1] for line in rejected_lines(err)) == \
        ["loop", "loop2"], err


def test_a_changed_bad_jsonl_line_is_a_new_reject(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    lines = folder / "lines.jsonl"
    write(lines, jsonl([{"title": title(2), "text": "\n\n".join(paragraphs(2))}]) + b"{not json\n")
    assert ingest(tmp_path, db, folder)[0] == 3
    assert ingest(tmp_path, db, folder)[0] == 0
    write(lines, jsonl([{"title": title(2), "text": "\n\n".join(paragraphs(2))}]) + b"{still not json\n")
    code, _out, err = ingest(tmp_path, db, folder)
    assert code == 3 and len(rejected_lines(err)) == 1 and "lines.jsonl:2: NS107" in rejected_lines(err)[0], err


def test_rejects_recorded_without_a_fingerprint_stay_known_after_the_upgrade(tmp_path: Path, db: Path) -> None:
    """A store written before fingerprints keyed a too-large file by location and code alone: the
    first run after the upgrade takes it as known (and keys it anew), a later change is new."""
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    big = write(folder / "big.txt", text_article(2) * 20)
    assert small_ingest(tmp_path, db, folder)[0] == 3
    with sqlite3.connect(db) as conn:  # the key an earlier version wrote
        conn.execute("UPDATE rejects SET key = location || '||' || code")
    code, err = small_ingest(tmp_path, db, folder)
    assert code == 0 and "1 known reject" in err, err
    with sqlite3.connect(db) as conn:
        assert [k for (k,) in conn.execute("SELECT key FROM rejects")] == \
            [f"{big.resolve()}|stat:{big.stat().st_size}:{big.stat().st_mtime_ns}|NS103"]
    write(big, text_article(3) * 20)
    assert small_ingest(tmp_path, db, folder)[0] == 3
