"""The package's shape (issue 12): the library is the only door.

- Only ``narrascope.cli`` imports click; only ``narrascope.web`` imports Starlette.
- No import cycle: the module-level import graph of the package is acyclic, and with the imports
  made inside functions as well, no cycle goes through the front layers (the package root, the API,
  the CLI, the corpus analyses, the web, the store).
- Every CLI verb calls a function of ``narrascope.api`` named in its ``__all__``, and ``help(narrascope.api)``
  documents each of them.
- The web holds no SQL: its pages and JSON API read through the library's read functions
  (``store/reads.py``, ``corpus/reading.py``, ``corpus/browse.py``, ``Store``), the same ones the CLI
  and the exporters call, so no query exists in two copies.

The graph is read from the source (the AST of every module), not from ``sys.modules``, so an
import that only runs in a rarely used function counts too.
"""

from __future__ import annotations

import ast
import inspect
import os
import pydoc
import re
import subprocess
import sys
import textwrap
from collections.abc import Collection, Iterator
from pathlib import Path

import click
import pytest

import narrascope
from narrascope import api
from narrascope.cli import cli

PACKAGE = Path(narrascope.__file__).parent

#: Cycles through imports made inside functions (lazy imports cannot meet a half-initialised
#: module), none reaching a front layer; the list may only shrink. The last five went in issue 12:
#: the pieces the submodules shared moved below them (``sources.blobs``, ``extract.draft``,
#: ``analysis.stance_lexicon``, ``technique_rules.segments``, ``analysis.events_judged``).
KNOWN_LAZY_CYCLES: set[frozenset[str]] = set()
FRONT_LAYERS = ("narrascope", "narrascope.api", "narrascope.cli", "narrascope.corpus", "narrascope.web",
                "narrascope.store", "narrascope.version")


def modules(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package) for every module of the package under ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports(source: str, module: str, *, is_package: bool = False,
            submodules: Collection[str] = ()) -> Iterator[tuple[str, bool]]:
    """(absolute module name, made inside a function) for every import in ``source``; imports
    under ``if TYPE_CHECKING:`` are left out (they never run). ``from X import y`` gives ``X.y``
    (which is ``X``'s submodule when there is one, else a name in ``X``) and ``X``, except when
    every name imported is one of ``submodules``: ``from . import boilerplate`` reads nothing
    of the package's own, like ``import narrascope.extract.boilerplate``."""

    def absolute(level: int, name: str | None) -> str:
        if not level:
            return name or ""
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([name] if name else []))

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    yield from walk(other, in_function)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, in_function
            elif isinstance(child, ast.ImportFrom):
                base = absolute(child.level, child.module)
                if not all(f"{base}.{alias.name}" in submodules for alias in child.names):
                    yield base, in_function
                for alias in child.names:
                    yield f"{base}.{alias.name}", in_function
            yield from walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    yield from walk(ast.parse(source), False)


def import_graph(*, lazy: bool) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (with ``lazy``, also inside functions)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, (path, is_package) in known.items():
        for target, in_function in imports(path.read_text(encoding="utf-8"), name, is_package=is_package,
                                           submodules=known):
            if (lazy or not in_function) and target in known and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan), each a cycle or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def in_layer(module: str, layers: tuple[str, ...]) -> bool:
    return any(module == layer or (layer != "narrascope" and module.startswith(layer + ".")) for layer in layers)


# -- the reader itself -------------------------------------------------------------------------------

def test_the_reader_sees_relative_lazy_and_type_checking_imports() -> None:
    source = textwrap.dedent("""
        from typing import TYPE_CHECKING
        import click
        from . import api
        from ..store import open_store
        if TYPE_CHECKING:
            from starlette.requests import Request
        def later():
            from .corpus import graph
    """)
    found = set(imports(source, "narrascope.cli.corpus"))
    assert ("click", False) in found
    assert ("narrascope.cli.api", False) in found
    assert ("narrascope.store.open_store", False) in found
    assert ("narrascope.cli.corpus.graph", True) in found
    assert ("narrascope.cli", False) in found  # ``from . import api``: a name of the package, unless...
    only_submodule = set(imports("from . import api", "narrascope.cli.corpus", submodules={"narrascope.cli.api"}))
    assert only_submodule == {("narrascope.cli.api", False)}  # ...it is a submodule
    assert not any(name.startswith("starlette") for name, _ in found)
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


# -- who imports what -------------------------------------------------------------------------------

def _importers_of(top: str) -> set[str]:
    found = set()
    for name, (path, is_package) in modules().items():
        for target, _lazy in imports(path.read_text(encoding="utf-8"), name, is_package=is_package):
            if target == top or target.startswith(top + "."):
                found.add(name)
    return found


def test_only_the_cli_imports_click() -> None:
    importers = _importers_of("click")
    assert "narrascope.cli.common" in importers  # the walk does see click where it is
    assert sorted(m for m in importers if not in_layer(m, ("narrascope.cli",))) == []


def test_only_the_web_imports_starlette() -> None:
    importers = _importers_of("starlette")
    assert "narrascope.web.app" in importers
    assert sorted(m for m in importers if not in_layer(m, ("narrascope.web",))) == []


# -- cycles -------------------------------------------------------------------------------------------

def test_module_level_imports_have_no_cycle() -> None:
    assert cycles(import_graph(lazy=False)) == []


def test_no_cycle_through_the_front_layers_even_with_imports_inside_functions() -> None:
    found = cycles(import_graph(lazy=True))
    through_front = [sorted(c) for c in found if any(in_layer(m, FRONT_LAYERS) for m in c)]
    assert through_front == []
    assert [sorted(c) for c in found if c not in KNOWN_LAZY_CYCLES] == []


# -- the CLI calls the library ------------------------------------------------------------------------

def verbs(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """(``"eval techniques"``, command) for every command that does something: leaves, and groups
    that run without a subcommand (``reuse``, ``narratives``)."""
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                yield " ".join((*path, name)), command
            yield from verbs(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def api_calls(function: object, depth: int = 1) -> set[str]:
    """The ``api.NAME`` attributes a function uses, following calls to its own module's functions once."""
    function = inspect.unwrap(function)  # type: ignore[arg-type]
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    found = {node.attr for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "api"}
    if depth:
        module = inspect.getmodule(function)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                helper = getattr(module, node.func.id, None)
                if inspect.isfunction(helper) and helper.__module__ == getattr(module, "__name__", None):
                    found |= api_calls(helper, depth - 1)
    return found


def test_every_cli_verb_calls_a_public_api_function() -> None:
    table = {path: api_calls(command.callback) for path, command in verbs()}
    assert len(table) >= 30  # the walk does find the verbs (ingest ... train topics)
    silent = sorted(path for path, names in table.items() if not names)
    assert silent == []
    unknown = sorted((path, name) for path, names in table.items() for name in names if name not in api.__all__)
    assert unknown == []


def test_help_of_the_api_documents_every_verb() -> None:
    used = {name for _path, command in verbs() for name in api_calls(command.callback)}
    text = pydoc.render_doc(api, renderer=pydoc.plaintext)
    for name in sorted(used):
        function = getattr(api, name)
        assert inspect.getdoc(function), f"api.{name} has no docstring"
        assert f"{name}(" in text, f"help(narrascope.api) does not list {name}"


@pytest.mark.parametrize("name", sorted(n for n in api.__all__ if inspect.isfunction(getattr(api, n))))
def test_api_functions_take_their_options_by_keyword(name: str) -> None:
    """At most the data a verb works on (a path, an id, a query; bytes and their name) is positional."""
    parameters = list(inspect.signature(getattr(api, name)).parameters.values())
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= (2 if name in ("export_table", "ingest_bytes") else 1), positional


# -- start-up ---------------------------------------------------------------------------------------

def test_the_cli_starts_without_spacy_or_the_models() -> None:
    """``narrascope --help`` imports every command module; none may load spaCy, scikit-learn or a
    model module at import time (the techniques and training modules took about 3 s of it)."""
    heavy = ("spacy", "sklearn", "narrascope.analysis.techniques", "narrascope.analysis.train",
             "narrascope.analysis.events_train")
    probe = f"import sys, narrascope.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


#: SQL in a string: a statement keyword followed by what such a statement has next (uppercase, as the
#: package writes its SQL; "Select a file" or "updated" in a page's text do not match).
SQL_TEXT = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w|"
                      r"CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)|WITH\s+\w+\s+AS|\w+\s+FROM\s+\w+\s+WHERE)")
#: Calls that run SQL on a connection or cursor.
SQL_CALLS = {"execute", "executemany", "executescript"}
#: (module, reason) of the web's SQL that is allowed: none. A page that needs a new read adds a
#: function to the library (``corpus/browse.py``, ``corpus/reading.py``, ``store/reads.py``) instead.
WEB_SQL_ALLOWED: dict[str, str] = {}


def sql_in(source: str) -> list[tuple[int, str]]:
    """(line, what) of every SQL-running call and every string holding SQL in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            found.append((node.lineno, f".{node.func.attr}(...)"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append((node.lineno, node.value[:60]))
    return found


def test_the_sql_finder_sees_calls_and_statements() -> None:
    source = textwrap.dedent('''
        def read(store, table):
            rows = store.conn.execute(f"SELECT id FROM {table} WHERE x = ?", (1,))
            store.conn.executemany("INSERT INTO t (a) VALUES (?)", rows)
            return "Select a file to upload", "the store was updated", "DELETE"
    ''')
    found = sql_in(source)
    assert [line for line, _ in found].count(3) == 2  # the call and its SELECT
    assert [line for line, _ in found].count(4) == 2
    assert not [what for line, what in found if line == 5]


def test_the_web_holds_no_sql() -> None:
    web = PACKAGE / "web"
    offending = {f"web/{path.relative_to(web)}:{line}: {what}"
                 for path in sorted(web.rglob("*.py")) if path.name not in WEB_SQL_ALLOWED
                 for line, what in sql_in(path.read_text(encoding="utf-8"))}
    assert not offending, "SQL in the web; read through a library function instead:\n" + "\n".join(sorted(offending))
