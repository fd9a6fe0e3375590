"""Hand-made JSONL files the evals read (labelled samples, adjudications): one JSON object a line,
blank lines skipped, a bad line reported with its file and number as a coded usage error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import UsageError

__all__ = ["read_json_lines"]

T = TypeVar("T")


def read_json_lines(path: str | Path, what: str, make: Callable[[dict[str, Any]], T]) -> list[T]:
    """``make`` of each line's object; a line that is not JSON, or that ``make`` refuses (ValueError,
    KeyError, TypeError), raises UsageError naming the line and ``what`` it should be."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(make(json.loads(line)))
        except (ValueError, KeyError, TypeError) as e:
            raise UsageError(f"{path}:{n}: not {what} ({e})") from e
    return out
