"""Full-text search for the portal: Chinese analysis and a Whoosh index.

Self-contained (imports nothing else from ``portal``); it works on a
directory path, typically ``instance/search``::

    from portal.search import SearchIndex

    index = SearchIndex(Path(app.instance_path) / "search")
    index.upsert([{"id": "item:123", "type": "item", "title": "…", "body": "…",
                   "published_at": published_utc, "url": "/…"}])
    page = index.search("安全生产", column="tzgg", page=2)

See ``index.py`` for the directory layout and rebuilds, ``analysis.py`` for
how Chinese text is segmented, and ``userdict.txt`` for the government terms
the segmenter must keep whole.
"""

from .analysis import ChineseAnalyzer, ChineseTokenizer, load_user_dictionary, query_words
from .index import (
    SCHEMA,
    Hit,
    MarkFormatter,
    RebuildInProgressError,
    SearchIndex,
    SearchPage,
    build_query,
)

__all__ = [
    "SCHEMA",
    "ChineseAnalyzer",
    "ChineseTokenizer",
    "Hit",
    "MarkFormatter",
    "RebuildInProgressError",
    "SearchIndex",
    "SearchPage",
    "build_query",
    "load_user_dictionary",
    "query_words",
]
