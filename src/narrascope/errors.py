"""Every error narrascope raises, each with a short searchable code.

The hierarchy::

    NarrascopeError                      base; ``code`` and ``message``, ``str()`` is "NSxxx message"
    ├── UsageError                       bad options, unknown id, missing file given on the command line
    ├── SettingsError                    a settings file that does not parse or names an unknown key
    ├── StoreError                       the SQLite store cannot be opened, migrated or written
    ├── SearchError                      a search query the full-text index cannot run
    ├── ClusterError                     the Dask cluster (``--cluster``) cannot be reached or lost an item
    └── InputRejected                    one input (a file, a feed entry, a WARC record, a JSONL line)
        │                                cannot become an article; ingest records it in ``rejects``
        ├── ReadError                    the bytes cannot be read: empty, binary, too large, truncated
        ├── FormatError                  a container is malformed: broken feed XML, bad JSONL line, WARC
        └── ExtractionError              the bytes read but hold no usable article (no text, language)

``InputRejected`` is not fatal: ``ingest`` catches it at the item boundary, records it with the stage
that raised it and goes on with the batch. The other errors stop the command with a one-line
message and a non-zero exit status.

Codes are listed in ``CODES`` so that ``narrascope`` can document them and users can search them.
"""

from __future__ import annotations

__all__ = [
    "CODES",
    "ClusterError",
    "ExtractionError",
    "FormatError",
    "InputRejected",
    "NarrascopeError",
    "ReadError",
    "SearchError",
    "SettingsError",
    "StoreError",
    "UsageError",
]

#: Code -> one-line meaning. Codes are never reused for another meaning.
CODES: dict[str, str] = {
    # 1xx: reading bytes
    "NS101": "empty input",
    "NS102": "binary content (image, PDF, archive...), not text",
    "NS103": "input larger than the configured size limit",
    "NS104": "text in an encoding that could not be decoded",
    "NS105": "truncated or corrupt gzip stream",
    "NS106": "truncated or corrupt WARC archive or record",
    "NS107": "malformed JSONL line",
    "NS108": "broken feed XML",
    "NS109": "input cannot be read (missing, permission, not a regular file)",
    "NS110": "input format not recognised or not supported (a JSON document, a CSV table with no text column)",
    "NS111": "feed entry with no content and no local link, or a local link the settings refuse",
    "NS112": "malformed CSV/TSV row (cannot be parsed, or fewer cells than the header)",
    # 2xx: extracting an article
    "NS201": "no article content found",
    "NS202": "article text shorter than the configured minimum",
    "NS203": "article language not accepted by the settings",
    "NS204": "an item ran past the per-item time budget (budget.item_seconds)",
    "NS205": "an item ran past the per-item memory budget (budget.item_memory_mb)",
    "NS206": "a third-party (plugin) stage failed on this article: it raised, or returned what its declaration does not allow",
    # 3xx: storing (not errors: duplicates are skipped, not rejected)
    "NS301": "duplicate: the same bytes are already stored",
    "NS302": "unchanged: a new copy of a stored URL with the same text",
    # 4xx: settings and usage
    "NS401": "settings file cannot be read (not TOML, not UTF-8), names an unknown key, or a value is out of range",
    "NS402": "unknown article id",
    "NS403": "bad option value",
    "NS404": "plugin failed to load",
    "NS405": "write refused by the server: read-only, no or a wrong write token, or sent from another site",
    "NS406": "the pipeline's stages do not meet their requires: a needed field or stage is missing or comes later",
    # 5xx: store and search
    "NS501": "store cannot be opened, migrated or written",
    "NS502": "store was written by a newer narrascope",
    "NS503": "search query syntax error",
    # 6xx: the cluster
    "NS601": "the Dask cluster (--cluster, cluster.address) cannot be reached or started",
    "NS602": "the Dask cluster gave up on an item: the workers holding it kept dying",
    # 9xx: narrascope's own failures, contained to one input
    "NS901": "internal error on one input (a bug: please report it with the input)",
}


class NarrascopeError(Exception):
    """Base class: a coded, one-line, user-facing error."""

    code = "NS000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(f"{self.code} {message}")


class UsageError(NarrascopeError):
    code = "NS403"


class SettingsError(NarrascopeError):
    code = "NS401"


class StoreError(NarrascopeError):
    code = "NS501"


class SearchError(NarrascopeError):
    code = "NS503"


class ClusterError(NarrascopeError):
    code = "NS601"


class InputRejected(NarrascopeError):
    """One input cannot become an article. ``stage`` names where it was rejected."""

    code = "NS110"
    stage = "read"

    def __init__(self, message: str, *, code: str | None = None, stage: str | None = None) -> None:
        super().__init__(message, code=code)
        if stage is not None:
            self.stage = stage


class ReadError(InputRejected):
    code = "NS109"
    stage = "read"


class FormatError(InputRejected):
    code = "NS110"
    stage = "read"


class ExtractionError(InputRejected):
    code = "NS201"
    stage = "extract"
