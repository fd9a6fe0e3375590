#!/usr/bin/env python3
"""The project's tasks, needing nothing but Python 3.11+ and the package registries.

    python3 tasks.py demo    set up .venv, ingest the two seed articles, print a summary of each
    python3 tasks.py test    set up .venv with the dev tools, the test plugin (tests/plugin_pkg) and Chromium
                             (as root), then lint, type-check, test
    python3 tasks.py lock    re-pin constraints.txt from the current .venv (maintainers)
    python3 tasks.py docs    regenerate defaults.toml and the README's settings reference from settings.py
    python3 tasks.py tables  regenerate docs/tables.md from the table declarations

The README's two set-up commands and .ci/run call exactly these.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
DEMO_DB = ROOT / "narrascope-demo.db"


def run(*args: str | os.PathLike[str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def setup(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs before the venv exists
        sys.exit(f"narrascope needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".{extras}" if extras else "."
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", "constraints.txt", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", "constraints.txt", "-e", target)


def demo() -> None:
    setup()
    narrascope = BIN / "narrascope"
    run(narrascope, "ingest", "--db", DEMO_DB, "examples/seeds")
    run(narrascope, "show", "--all", "--db", DEMO_DB)
    run(narrascope, "graph", "--db", DEMO_DB, "--level", "state", "--kind", "event", "--top", "10")
    print(f"\nThe workbench over this store: {narrascope} serve --db {DEMO_DB}  (then open http://127.0.0.1:8000/)",
          flush=True)


def browser() -> None:
    """The browser tests drive Debian's Chromium; install it when missing and we may (root, apt)."""
    if shutil.which("chromium"):
        return
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("note: chromium is not installed and cannot be installed here; the browser tests will be skipped",
              flush=True)
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        print("+", " ".join(args), flush=True)
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)


#: The test plugin, a separate package the tests need installed (tests/test_plugin_seam.py).
TEST_PLUGIN = "tests/plugin_pkg"


def test() -> None:
    setup("[dev]")
    # Installed as a third party's plugin is: its own package, found through the entry point.
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", TEST_PLUGIN)
    browser()
    run(BIN / "ruff", "check", "src", "tests", "benchmarks", "tasks.py")
    run(BIN / "mypy", "src/narrascope")
    run(PY, "-m", "pytest", "-q")


def lock() -> None:
    frozen = subprocess.run([str(PY), "-m", "pip", "freeze", "--exclude-editable"], check=True,
                            capture_output=True, text=True).stdout
    lines = [ln for ln in frozen.splitlines() if ln and not ln.startswith(("narrascope", "-e "))]
    (ROOT / "constraints.txt").write_text(
        "# Exact versions of everything narrascope installs, direct and transitive.\n"
        "# Regenerate with `python3 tasks.py lock` after changing dependencies in pyproject.toml.\n"
        + "\n".join(lines) + "\n")


def docs() -> None:
    setup()
    run(PY, "-c", "from narrascope.settings import write_generated\n"
        "for path in write_generated(): print(f'rewrote {path}')")


def tables() -> None:
    run(PY, "-c", "import pathlib, narrascope.corpus as c; p = pathlib.Path('docs/tables.md');"
        " t = p.read_text(encoding='utf-8'); head, rest = t.split(c.TABLES_BEGIN); tail = rest.split(c.TABLES_END)[1];"
        " p.write_text(head + c.TABLES_BEGIN + '\\n\\n' + c.tables_reference() + '\\n' + c.TABLES_END + tail,"
        " encoding='utf-8')")


if __name__ == "__main__":
    tasks = {"demo": demo, "test": test, "lock": lock, "docs": docs, "tables": tables}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        sys.exit(__doc__)
    tasks[sys.argv[1]]()
