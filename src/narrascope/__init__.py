"""narrascope: a workbench for tracking foreign-policy narratives and information operations.

Library first: every CLI verb is a documented function of ``narrascope.api`` (the most used ones
are here too). A short tour::

    import narrascope
    report = narrascope.ingest(["examples/seeds"], db="narrascope.db")
    for article in narrascope.list_articles(db="narrascope.db"):
        print(article.id, article.title)
"""

from .api import (
    db_info,
    export,
    get_article,
    ingest,
    list_articles,
    list_rejects,
    reprocess,
    search,
)
from .errors import NarrascopeError
from .model import Article, RawItem, Reject, Removed
from .settings import Settings, load_settings
from .store import Store, open_store
from .version import __version__

__all__ = [
    "Article",
    "NarrascopeError",
    "RawItem",
    "Reject",
    "Removed",
    "Settings",
    "Store",
    "__version__",
    "db_info",
    "export",
    "get_article",
    "ingest",
    "list_articles",
    "list_rejects",
    "load_settings",
    "open_store",
    "reprocess",
    "search",
]
