"""Rows are read by name (issue 12): no ``row[3]`` on a row from SQLite.

A row from a query is unpacked into names where it is read (``for rowid, record in cursor``,
``(record,) = ... .fetchone()``) or read as a ``sqlite3.Row`` by column name, so adding or moving a
column cannot silently shift what a number points at. ``.fetchone()[0]`` on the query itself is
fine: the column is in sight.

The scan reads the AST of every module: a name is a *row* when a ``for`` (or a comprehension)
takes it from a query (``.execute(...)``, ``.fetchall()``, ``.fetchmany()``, or a name holding
their result) or when it is assigned ``.fetchone()``; reading such a name with an integer index
is an offence.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import narrascope

PACKAGE = Path(narrascope.__file__).parent
QUERY_METHODS = {"execute", "executemany", "fetchall", "fetchmany", "fetchone"}


def _is_query(node: ast.AST, cursors: set[str]) -> bool:
    """Whether ``node`` evaluates (somewhere inside) a query or names a query's result."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in QUERY_METHODS:
            return True
        if isinstance(inner, ast.Name) and inner.id in cursors:
            return True
    return False


def _names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _scopes(tree: ast.Module) -> list[ast.AST]:
    """The outermost functions (with what they nest) and the module's other statements, each a scope."""
    functions: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append(child)
            else:
                visit(child)

    visit(tree)
    rest = [s for s in tree.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    return [*functions, ast.Module(body=rest, type_ignores=[])]


def positional_row_reads(source: str) -> list[tuple[int, str]]:
    """(line, code) of every integer index on a row from a query in ``source``."""
    found = []
    for scope in _scopes(ast.parse(source)):
        nodes = list(ast.walk(scope))
        cursors: set[str] = set()  # names holding a cursor or a list of rows
        rows: set[str] = set()     # names holding one row
        for node in nodes:
            if isinstance(node, ast.Assign) and _is_query(node.value, set()):
                fetchone = isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) \
                    and node.value.func.attr == "fetchone"
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        (rows if fetchone else cursors).add(target.id)
        for node in nodes:
            if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and _is_query(node.iter, cursors):
                rows |= _names(node.target)
        for node in nodes:
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in rows \
                    and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
                found.append((node.lineno, node.col_offset, ast.unparse(node)))
    return [(line, code) for line, _col, code in sorted(set(found))]


def test_the_scan_finds_index_reads_on_rows() -> None:
    source = textwrap.dedent("""
        def f(store):
            row = store.conn.execute("SELECT a, b FROM t").fetchone()
            first = store.conn.execute("SELECT a FROM t").fetchone()[0]
            cursor = store.conn.execute("SELECT a, b FROM t")
            for r in cursor:
                print(r[1])
            rows = store.conn.execute("SELECT a, b FROM t").fetchall()
            by_id = {x[0]: x for x in rows[:10]}
            for a, b in store.conn.execute("SELECT a, b FROM t"):
                print(a, b)
            pairs = [(1, 2)]
            print(pairs[0], [p[0] for p in pairs])
            return row[1]
    """)
    assert [code for _line, code in positional_row_reads(source)] == ["r[1]", "x[0]", "row[1]"]


def test_no_row_is_read_by_position() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, code in positional_row_reads(path.read_text(encoding="utf-8")):
            offences.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {code}")
    assert offences == []
