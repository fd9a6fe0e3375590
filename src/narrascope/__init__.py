"""narrascope: a workbench for tracking foreign-policy narratives and information operations.

Library first: every CLI verb is a function here. A short tour::

    import narrascope
    report = narrascope.ingest(["examples/seeds"], db="narrascope.db")
    for article in narrascope.list_articles(db="narrascope.db"):
        print(article.id, article.title)
"""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    db_info,
    export,
    get_article,
    ingest,
    list_articles,
    list_rejects,
    reprocess,
    search,
)
from .errors import NarrascopeError  # noqa: E402
from .model import Article, RawItem, Reject, Removed  # noqa: E402
from .settings import Settings, load_settings  # noqa: E402
from .store import Store, open_store  # noqa: E402

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
