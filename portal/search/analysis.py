"""Chinese text analysis for the portal's full-text search.

The index (``index.py``) stores **character bigrams**: every word-character run of a
text (letters, digits, CJK ideographs; split by spaces and punctuation) becomes its
overlapping two-character grams plus its last character, so ``县政府召开`` is stored as
县政 政府 府召 召开 开.  Any string of two or more characters typed into the search box
is then found exactly where the text contains it, as the phrase of its bigrams, however
a word segmenter would have cut the text; a single character is a prefix of a gram.
``grams`` makes the indexed tokens and ``phrase_grams`` the tokens of a typed string.

Word segmentation (rjieba, the Rust port of jieba, with a government-terms user
dictionary) is still used for **queries**: an unquoted ``县政府冬季`` is split into
县政府 / 冬季, each of which may stand anywhere in the title or body.  A run of ASCII
digits directly followed by 年/月/日/号 stays one word (``2026年``).

Full-width ASCII (``２０２６``, ``ＡＢＣ``) is folded to half-width and Latin letters are
lowercased, in the index and in queries alike; folding keeps character offsets, so
highlighting marks the original text exactly.

The user dictionary (``userdict.txt`` next to this module) is loaded into rjieba's
process-wide default dictionary once per process, before the first text is segmented.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import rjieba

__all__ = [
    "USER_DICT_PATH",
    "fold",
    "grams",
    "half_width",
    "load_user_dictionary",
    "phrase_grams",
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
_CJK_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Units that commonly follow a number in dates and document numbers.
_NUMBER_UNITS = frozenset("年月日号")

_dictionary_lock = threading.Lock()
_dictionary_loaded = False


def load_user_dictionary(path: Path | None = None) -> int:
    """Add the words of a user dictionary to rjieba's default dictionary.

    Each non-empty line is ``word freq`` (an optional third column is passed
    as the part-of-speech tag); lines starting with ``#`` are comments.
    Returns the number of words added.  ``segment`` calls this once per
    process for ``userdict.txt``; call it directly only for extra
    dictionaries.
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


def segment(text: str) -> Iterator[str]:
    """Segment ``text`` into whole words, punctuation dropped (not lowercased here)."""
    _ensure_dictionary()
    pieces = _pieces(text.translate(_HALF_WIDTH))
    i = 0
    while i < len(pieces):
        word, _, end = pieces[i]
        i += 1
        if (
            word.isascii()
            and word.isdigit()
            and i < len(pieces)
            and pieces[i][1] == end
            and pieces[i][0][0] in _NUMBER_UNITS
        ):
            # 2026年: one word, so a query for 2026年 is not also met by a text that
            # merely has 2026 somewhere and 年 elsewhere.
            unit = pieces[i][0]
            word, end = word + unit[0], end + 1
            if len(unit) == 1:
                i += 1
            # Otherwise (2026年度 -> 2026年 / 年度) the next word keeps the unit
            # character, so 年度 is still searched for.
        yield word


def query_words(text: str) -> list[str]:
    """Whole words of ``text`` as the analyzer sees them in a query (lowercased)."""
    return [word.lower() for word in segment(text)]


# ---- character bigrams: recall of any substring ---------------------------------------------

def half_width(text: str) -> str:
    """``text`` with full-width ASCII folded to half-width, character for character."""
    return text.translate(_HALF_WIDTH)


def fold(text: str) -> str:
    """``text`` half-width and lowercased, as the index has it."""
    return half_width(text).lower()


def runs(text: str) -> list[str]:
    """The word-character runs of ``text`` (folded), which the index covers with grams."""
    return _WORD_RUN.findall(fold(text))


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def grams(text: str) -> str:
    """The index tokens of ``text``, space-separated: for each run its overlapping
    bigrams and then its last character.  The bigrams of any substring of a run sit at
    consecutive positions, so a phrase of them matches exactly where the text has it;
    a run's last character lets a one-character query and a phrase that ends a run
    (before punctuation) match too."""
    out: list[str] = []
    for run in runs(text):
        out.extend(_bigrams(run))
        out.append(run[-1])
    return " ".join(out)


def phrase_grams(text: str) -> tuple[list[str], bool]:
    """The tokens a typed string must match at consecutive positions, and whether the
    last one is a prefix (a string ending in a single character, which may be the
    start of a longer run in the text).  Runs of the string other than the last must
    end where a run of the text ends, so they keep their last character."""
    parts = runs(text)
    tokens: list[str] = []
    for n, run in enumerate(parts):
        tokens.extend(_bigrams(run))
        if n < len(parts) - 1 or len(run) == 1:
            tokens.append(run[-1])
    return tokens, bool(parts) and len(parts[-1]) == 1


def is_word_run(text: str) -> bool:
    """Whether ``text`` is one run of word characters."""
    return _WORD_RUN.fullmatch(text) is not None


def has_cjk(text: str) -> bool:
    return _CJK_ONLY.search(text) is not None
