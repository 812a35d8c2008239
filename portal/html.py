"""HTML helpers for published text: sanitising, plain text, highlighting terms.

* ``sanitize`` keeps an allowlist of tags and attributes (nh3, the Rust
  ammonia sanitiser): no script, style, event handler or ``javascript:`` URL
  survives. Used for the admin's page texts and for imported items.
* ``to_text`` turns stored HTML into plain text for the search index and
  feeds, with a line break at block boundaries so words of two paragraphs
  never run together.
* ``mark_terms`` wraps matches of the word check list in ``<mark>`` inside
  text only, leaving every tag exactly as it was, so the reviewer's preview
  stays the page the public will see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "ul", "ol", "li", "a", "table", "caption", "thead", "tbody", "tr", "th",
    "td", "span", "div", "figure", "figcaption", "img", "pre", "code",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Tags after which text continues on a new line.
_BLOCKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
           "blockquote", "figcaption", "pre", "table", "ul", "ol", "hr", "caption"}
_SKIP = {"script", "style", "template"}


def sanitize(value: str | None) -> str:
    """Keep only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(value or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def to_text(value: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on new lines."""
    parser = _TextParser()
    parser.feed(value or "")
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def excerpt(value: str | None, length: int = 120) -> str:
    """The first ``length`` characters of the plain text, with "…" when cut."""
    text = " ".join(to_text(value).split())
    return text if len(text) <= length else text[:length].rstrip() + "…"


def terms_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive alternation of ``terms``, longest first (so the longer term wins)."""
    unique = sorted({t for t in terms if t}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(t) for t in unique), re.IGNORECASE)


def mark_text(text: str, pattern: re.Pattern | None, describe=None) -> Markup:
    """``text`` escaped, with each match of ``pattern`` in ``<mark>``.

    ``describe(matched) -> str`` gives a title for the mark (e.g. the suggestion).
    """
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last:m.start()]))
        title = describe(m.group()) if describe else ""
        attr = Markup(' title="{}"').format(title) if title else ""
        out.append(Markup('<mark class="word-hit"{}>{}</mark>').format(attr, m.group()))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


class _Marker(HTMLParser):
    """Re-emit HTML unchanged except that matches inside text are marked."""

    def __init__(self, pattern, describe):
        super().__init__(convert_charrefs=True)
        self.pattern, self.describe = pattern, describe
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in _SKIP
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self._skip -= tag in _SKIP and self._skip > 0
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self._skip:
            self.out.append(str(escape(data)))
        else:
            self.out.append(str(mark_text(data, self.pattern, self.describe)))


def mark_terms(value: str | None, pattern: re.Pattern | None, describe=None) -> Markup:
    """Stored (already sanitised) HTML with matches of ``pattern`` marked in its text."""
    value = value or ""
    if pattern is None:
        return Markup(value)
    marker = _Marker(pattern, describe)
    marker.feed(value)
    marker.close()
    return Markup("".join(marker.out))
