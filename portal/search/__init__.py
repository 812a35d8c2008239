"""Full-text search for the portal: Chinese analysis and an SQLite FTS5 index.

Self-contained (imports nothing else from ``portal``); it works on a
directory path, typically ``instance/search``::

    from portal.search import SearchIndex

    index = SearchIndex(Path(app.instance_path) / "search")
    index.upsert([{"id": "item:123", "type": "item", "title": "…", "body": "…",
                   "published_at": published_utc, "url": "/…"}])
    page = index.search("安全生产", column="tzgg", page=2)

See ``index.py`` for the directory layout and rebuilds, ``analysis.py`` for
how text becomes bigrams and queries become words, and ``userdict.txt`` for the government terms
the segmenter must keep whole.
"""

from .analysis import grams, load_user_dictionary, phrase_grams, query_words
from .index import (
    FORMAT,
    Hit,
    Query,
    RebuildInProgressError,
    SearchIndex,
    SearchPage,
    build_query,
)

__all__ = [
    "FORMAT",
    "Hit",
    "Query",
    "RebuildInProgressError",
    "SearchIndex",
    "SearchPage",
    "build_query",
    "grams",
    "load_user_dictionary",
    "phrase_grams",
    "query_words",
]
