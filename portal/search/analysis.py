"""Chinese text analysis for the portal's full-text search.

Whoosh splits text on spaces, which does not work for Chinese, and jieba's own
``ChineseAnalyzer`` numbers positions by character, which breaks phrase
queries.  This module provides a Whoosh tokenizer built on rjieba (the Rust
port of jieba) that numbers positions by *word*:

* At index time every whole word is emitted (``rjieba.tokenize``, HMM on),
  followed by its dictionary sub-words at the **same position**.  So
  ``县政府召开安全生产工作会议`` is indexed as 县政府 (+ 县政, 政府) / 召开 /
  安全生产 (+ 安全, 生产) / 工作 / 会议: a search for 安全 or 政府 still finds it,
  and the quoted phrase ``"政府召开"`` matches because 政府 and 召开 sit at
  consecutive positions.
* At query time (Whoosh passes ``mode="query"``) only whole words are
  emitted, so 县政府 stays a single term and 安全生产 is not widened to 安全.
* Latin letters are lowercased (by ``LowercaseFilter``), digits are kept,
  whitespace and punctuation are dropped.  A run of ASCII digits directly
  followed by 年/月/日/号 becomes one word (``2026年``) with the number and the
  unit as sub-words, so ``2026年`` finds exactly that year and ``2026`` still
  finds it too.  Mixed words such as ``iPhone15`` get ``iphone`` and ``15``
  as sub-words.
* Full-width ASCII (``２０２６``, ``ＡＢＣ``) is folded to half-width before
  segmentation without changing character offsets, so highlighting stays
  exact.

A government-terms user dictionary (``userdict.txt`` next to this module) is
loaded into rjieba's process-wide default dictionary once per process, before
the first text is segmented.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import rjieba
from whoosh.analysis import LowercaseFilter, Token, Tokenizer

__all__ = [
    "USER_DICT_PATH",
    "ChineseAnalyzer",
    "ChineseTokenizer",
    "load_user_dictionary",
    "query_words",
    "segment",
]

USER_DICT_PATH = Path(__file__).with_name("userdict.txt")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map one-to-one
# onto ASCII, so translating them keeps every character offset unchanged;
# full NFKC could change lengths and break highlighting offsets.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
_HALF_WIDTH[0x3000] = 0x20

# Letters, digits and CJK ideographs; "_" counts as punctuation here.
_WORD_RUN = re.compile(r"[^\W_]+")
# A whole word that mixes ASCII digits, ASCII letters and other letters (CJK)
# is also indexed under each of its runs (iPhone15 -> iphone, 15).
_SCRIPT_RUN = re.compile(r"[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+")
_CJK_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Units that commonly follow a number in dates and document numbers.
_NUMBER_UNITS = frozenset("年月日号")

# Dictionary sub-words are looked up for n-grams up to this length; longer
# compounds are rare and the lookup cost grows quadratically.
_MAX_SUBWORD_LEN = 8

_dictionary_lock = threading.Lock()
_dictionary_loaded = False


def load_user_dictionary(path: Path | None = None) -> int:
    """Add the words of a user dictionary to rjieba's default dictionary.

    Each non-empty line is ``word freq`` (an optional third column is passed
    as the part-of-speech tag); lines starting with ``#`` are comments.
    Returns the number of words added.  ``segment`` calls this once per
    process for ``userdict.txt``; call it directly only for extra
    dictionaries (and rebuild the index afterwards).
    """
    path = USER_DICT_PATH if path is None else Path(path)
    count = 0
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) not in (2, 3) or not parts[1].isdigit():
                raise ValueError(f"{path}:{lineno}: expected 'word freq', got {line!r}")
            tag = parts[2] if len(parts) == 3 else None
            rjieba.add_word(parts[0], int(parts[1]), tag)
            count += 1
    # Sub-words depend on the dictionary.
    _subword_offsets.cache_clear()
    return count


def _ensure_dictionary() -> None:
    global _dictionary_loaded
    if _dictionary_loaded:
        return
    # Several threads may segment their first text at the same moment; the
    # words must be added exactly once and before anyone segments.
    with _dictionary_lock:
        if not _dictionary_loaded:
            load_user_dictionary()
            _dictionary_loaded = True


def _pieces(text: str) -> list[tuple[str, int, int]]:
    """Whole words of ``text`` as (word, start, end), punctuation removed."""
    pieces = []
    for word, start, end in rjieba.tokenize(text, "default", True):
        # isalnum() is true for CJK, Latin and digits alike: the fast path
        # for nearly every token.
        if word.isalnum():
            pieces.append((word, start, end))
            continue
        # rjieba keeps tokens such as "ABC-123", "3.14" or "example.com"
        # together; split them so punctuation never becomes part of a term.
        for m in _WORD_RUN.finditer(word):
            pieces.append((m.group(), start + m.start(), start + m.end()))
    return pieces


@lru_cache(maxsize=65536)
def _subword_offsets(word: str) -> tuple[tuple[str, int, int], ...]:
    """Sub-words of a whole word as (sub-word, start, end) within the word."""
    found: dict[str, tuple[str, int, int]] = {}
    runs = list(_SCRIPT_RUN.finditer(word))
    if len(runs) > 1:
        for m in runs:
            found.setdefault(m.group(), (m.group(), m.start(), m.end()))
    for m in runs:
        run = m.group()
        if len(run) <= 2 or not _CJK_ONLY.fullmatch(run):
            continue
        # Every dictionary word strictly inside the run, like jieba's
        # cut_for_search but not limited to 2- and 3-grams, so that
        # 网络信息中心 also yields 信息中心 when the dictionary knows it.
        for size in range(2, min(len(run) - 1, _MAX_SUBWORD_LEN) + 1):
            for i in range(len(run) - size + 1):
                gram = run[i : i + size]
                if gram not in found and rjieba.has_word(gram):
                    s = m.start() + i
                    found[gram] = (gram, s, s + size)
    found.pop(word, None)
    return tuple(sorted(found.values(), key=lambda t: (t[1], t[2])))


def segment(text: str, *, subwords: bool = True) -> Iterator[tuple[int, str, int, int]]:
    """Segment ``text`` into (position, word, startchar, endchar) tuples.

    Positions count whole words from 0.  With ``subwords`` each whole word
    is followed by its sub-words at the same position.  Words are not
    lowercased here (``LowercaseFilter`` does that); character offsets refer
    to ``text`` as given.
    """
    _ensure_dictionary()
    pieces = _pieces(text.translate(_HALF_WIDTH))
    pos = 0
    i = 0
    while i < len(pieces):
        word, start, end = pieces[i]
        subs: list[tuple[str, int, int]]
        i += 1
        if (
            word.isascii()
            and word.isdigit()
            and i < len(pieces)
            and pieces[i][1] == end
            and pieces[i][0][0] in _NUMBER_UNITS
        ):
            # 2026年: one word, so a query for 2026年 does not also match
            # every text that merely contains 2026 somewhere and 年 elsewhere.
            unit = pieces[i][0]
            subs = [(word, start, end), (unit[0], end, end + 1)]
            word, end = word + unit[0], end + 1
            if len(unit) == 1:
                i += 1
            # Otherwise (2026年度 -> 2026 / 年度) the next word shares the
            # unit character and stays the following word, so 年度 and the
            # phrase "2026年度" are still found.
        elif subwords and (len(word) > 2 or not word.isalpha()):
            # One- and two-letter words (most Chinese words) have no
            # sub-words unless they mix scripts (a1): skip the lookup.
            subs = [(sub, start + s, start + e) for sub, s, e in _subword_offsets(word)]
        else:
            subs = []
        yield pos, word, start, end
        if subwords:
            for sub, s, e in subs:
                yield pos, sub, s, e
        pos += 1


def query_words(text: str) -> list[str]:
    """Whole words of ``text`` as the analyzer sees them in a query (lowercased)."""
    return [word.lower() for _, word, _, _ in segment(text, subwords=False)]


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer for Chinese text; see the module docstring.

    ``mode="query"`` yields whole words only; any other mode (indexing,
    highlighting) also yields sub-words at the position of their word.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        assert isinstance(value, str), f"{value!r} is not a str"
        # One Token object is reused, as Whoosh's own tokenizers do; Whoosh
        # copies tokens that it needs to keep.
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for pos, word, start, end in segment(value, subwords=mode != "query"):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def ChineseAnalyzer():
    """Return the analyzer for Chinese TEXT fields: ChineseTokenizer | LowercaseFilter.

    No stop-word or stemming filter: they would drop or merge tokens and
    shift the word positions that phrase queries rely on.
    """
    return ChineseTokenizer() | LowercaseFilter()


# ---- character bigrams: recall of any substring ---------------------------------------------

def bigrams(text: str) -> Iterator[tuple[int, str, int]]:
    """``(position, bigram, start)`` for every two adjacent word characters of ``text``
    (half-width folded, lowercased). Positions are character offsets, so the bigrams of
    any substring sit at consecutive positions and a phrase of them matches exactly that
    substring; runs are separated by punctuation or spaces, which no bigram spans."""
    folded = text.translate(_HALF_WIDTH).lower()
    for run in _WORD_RUN.finditer(folded):
        word, base = run.group(), run.start()
        for i in range(len(word) - 1):
            yield base + i, word[i:i + 2], base + i


def is_word_run(text: str) -> bool:
    """Whether ``text`` is one run of word characters (what ``bigrams`` covers whole)."""
    return _WORD_RUN.fullmatch(text) is not None


def has_cjk(text: str) -> bool:
    return _CJK_ONLY.search(text) is not None


class BigramTokenizer(Tokenizer):
    """Whoosh tokenizer for the ``*_ng`` fields: overlapping character bigrams."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        assert isinstance(value, str), f"{value!r} is not a str"
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, gram, start in bigrams(value):
            t.text = gram
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = gram
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + start + 2
            yield t


def BigramAnalyzer():
    return BigramTokenizer()
