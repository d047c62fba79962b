"""Text helpers shared by the queries, the renderers and the explorer.

``fold`` makes matching case- and accent-insensitive ("gonzalez" finds "González").
``visible`` makes untrusted text harmless on a terminal: timelines are assembled from scraped
articles and posts, so a title may hold an escape sequence that clears the screen, an OSC 52
clipboard write or a bidi override that reverses what follows. Every control character is
replaced by a visible stand-in (the Unicode "control pictures" ␛, ␀..., or ``<U+202E>``),
so nothing from the data can ever act as a control sequence.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from urllib.parse import quote as _urlquote

__all__ = ["fold", "visible", "visible_all", "visible_same_length", "one_line", "clip", "shown_as_is", "all_shown_as_is",
           "CLIP_LIMIT", "md", "md_link"]

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents, for matching: "Núñez" -> "nunez", "ÉCOLE" -> "ecole"."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x20):
        table[cp] = chr(0x2400 + cp)  # ␀ ... ␟ (␛ for ESC)
    table[0x7F] = "\u2421"  # ␡
    for cp in range(0x80, 0xA0):  # C1 controls, e.g. CSI (0x9b) and OSC (0x9d)
        table[cp] = f"<U+{cp:04X}>"
    for cp in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070),
               0x2028, 0x2029, 0xFEFF, 0x061C, *range(0xFFF9, 0xFFFC)):
        table[cp] = f"<U+{cp:04X}>"  # zero-width, bidi embeddings/overrides/isolates, separators
    for cp in range(0xD800, 0xE000):  # lone surrogates (from "\ud800" in JSON, or a non-UTF-8
        table[cp] = f"<U+{cp:04X}>"   # command line): they cannot even be written out as UTF-8
    return table


_TABLE = _build_table()
_UNSAFE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")
_MULTILINE = dict(_TABLE)
del _MULTILINE[0x0A]
_MULTILINE[0x09] = "    "


def visible(text: str, *, multiline: bool = False) -> str:
    """Replace every control, bidi and zero-width character with a visible stand-in.

    With ``multiline``, newlines are kept (and tabs become spaces), for detail panes and
    Markdown; otherwise a newline shows as ␊ so a row stays one row.
    """
    if not _UNSAFE.search(text):
        return text
    return text.translate(_MULTILINE if multiline else _TABLE)


def visible_all(texts: list[str]) -> list[str]:
    """``visible`` of each of these texts (one scan of them all: most need nothing, and the
    list itself comes back then). ``str.isprintable`` answers first, in C: every character
    ``visible`` replaces is one it refuses (it refuses more, which the expression then tells)."""
    joined = "".join(texts)
    if joined.isprintable() or not _UNSAFE.search(joined):
        return texts
    return [visible(text) for text in texts]


_ONE_FOR_ONE = {cp: (r if len(r) == 1 else "\ufffd") for cp, r in _TABLE.items()}


def visible_same_length(text: str) -> str:
    """Like ``visible``, but every character stays one character (C1, bidi, zero-width and
    the rest become U+FFFD): for text being edited, where a position must stay a position."""
    if not _UNSAFE.search(text):
        return text
    return text.translate(_ONE_FOR_ONE)


def one_line(text: str) -> str:
    """Collapse line breaks to spaces, then make the rest visible: for one-row displays."""
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return visible(text)


CLIP_LIMIT = 10_000
"""Characters of one field that a screen or a table shows; beyond it, a note says how many
more there are (a 10 MB title would otherwise take minutes to wrap). Markdown, CSV and JSON
keep every character."""


# Characters that join the one before into an emoji which terminals draw at different widths:
# variation selectors 15/16 (U+2764 U+FE0F is 2 cells to Rich, 1 to tmux) and skin-tone
# modifiers (U+1F44D U+1F3FD is 2 cells to Rich, 4 to tmux and pyte). Without them each
# character is drawn at the one width every terminal agrees on, and the text still reads.
_UNEVEN = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def clip(text: str, limit: int = CLIP_LIMIT) -> str:
    """What a screen or a table shows of one field: cut to ``limit`` characters (with a note
    of how many were left out), and without the characters that make terminals disagree on
    a width (``_UNEVEN``), which would move a pane's border. Exports keep every character."""
    if _UNEVEN.search(text):
        text = _UNEVEN.sub("", text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def shown_as_is(text: str, limit: int = CLIP_LIMIT) -> bool:
    """Whether ``one_line(clip(text))`` is ``text`` itself, told without the regular
    expressions for most text: short, with nothing ``visible`` replaces (every character it
    replaces is one ``str.isprintable`` refuses, a line break too) and nothing ``clip``
    takes out."""
    return len(text) <= limit and text.isprintable() and (text.isascii() or not _UNEVEN.search(text))


def all_shown_as_is(texts: list[str]) -> bool:
    """``shown_as_is`` of every text, in one pass over them joined (each check is of single
    characters, so joining makes no new match): a table sizing a column of 50,000 names."""
    return max(map(len, texts), default=0) <= CLIP_LIMIT and shown_as_is("".join(texts), limit=sys.maxsize)


# --- Markdown (``timeline list --format markdown``, Markdown citations) ---------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")  # & too: "&lt;" must not become "<"


_MD_LEADING = re.compile(r"^(\s*)([-=]|\d+(?=[.)]))", re.M)


# What GitHub, Obsidian and other renderers turn into links by themselves (GFM "extended
# autolinks", linkify): a scheme's "://", mailto:/xmpp:, www. and bare domains ("x.com"),
# and e-mail addresses. A backslash before the colon or the dot keeps the rendered text
# the same and the link away; an e-mail address is linked even so (GitHub finds them after
# escapes are undone), so it is shown as code, the one thing no renderer links.
_AUTOLINK_COLON = re.compile(r"(?i)(?<![^\W_])([a-z][a-z0-9+.-]*):(?=//)|(?<![^\W_])(mailto|xmpp):")
_AUTOLINK_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _inert(text: str) -> str:
    out = _MD_SPECIAL.sub(r"\\\1", text)
    out = _AUTOLINK_COLON.sub(lambda m: (m.group(1) or m.group(2)) + "\\:", out)
    return _AUTOLINK_DOT.sub(r"\\.", out)


def md(text: str) -> str:
    """Escape Markdown so data shows literally (and controls visibly): its syntax, a line
    that would start a list or a heading underline ("- x", "1. x", "==="), and anything a
    renderer would make a live link of (only declared source URLs are links: ``md_link``)."""
    text, parts, end = visible(text), [], 0
    for mail in _EMAIL.finditer(text):
        parts.append(_inert(text[end:mail.start()]))
        parts.append(f"`{mail.group()}`")
        end = mail.end()
    parts.append(_inert(text[end:]))
    out = "".join(parts)
    return _MD_LEADING.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) in "-=" else m.group(2) + "\\"), out)


def md_link(label: str, url: str | None) -> str:
    """A link only for http(s) URLs; anything else is shown, not linked."""
    if url and re.match(r"https?://", url, re.I):
        safe = _urlquote(visible(url), safe=":/?#@!$&'*+,;=%~-._")
        return f"[{md(label)}]({safe})"
    return md(label) + (f" ({md(one_line(url))})" if url else "")
