"""HTML in, plain text and links out; and plain text made safe to put into HTML.

TimelineJS headlines and texts are HTML. A timeline/1 field is text, shown literally, so the
markup is turned into the text a reader would see (paragraphs and line breaks as new lines,
entities decoded) and every link is returned beside it, to be kept as a source.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["to_text", "escape", "safe_url"]

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
          "tr", "table", "section", "article", "header", "footer", "figure", "figcaption", "hr"}
_SKIP = {"script", "style", "template"}
_SPACES = re.compile(r"[ \t\r\f\v]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._label: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "a":
            self._href = dict(attrs).get("href") or None
            self._label = []

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "a" and self._href is not None:
            self.links.append((self._href.strip(), _clean("".join(self._label))))
            self._href = None

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._label.append(data)


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n"))
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def to_text(markup: str) -> tuple[str, list[tuple[str, str]]]:
    """('<p>Take <a href="u">Ada</a></p>') -> ('Take Ada', [('u', 'Ada')]). Text without any
    tag is returned with only its spaces tidied (a bare '<' or '&' stays as written)."""
    if "<" not in markup and "&" not in markup:
        return _clean(markup), []
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return _clean("".join(parser.parts)), [(u, label) for u, label in parser.links if u]


_HTTP = re.compile(r"\s*https?://", re.IGNORECASE)


def escape(text: str) -> str:
    """Text as HTML text or attribute value: & < > " ' escaped, nothing else changed."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:  # cheaper than a regex
        return html.escape(text, quote=True)
    return text


def safe_url(url: str | None) -> str | None:
    """A URL fit for an href: only http(s); anything else (javascript:, data:) is not a link."""
    if url and _HTTP.match(url):
        return url.strip()
    return None
