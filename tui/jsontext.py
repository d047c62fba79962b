"""JSON that is inert when printed: the same data, with DEL, C1 controls, bidi, zero-width and
separator characters written as ``\\uXXXX`` escapes (JSON escapes C0 controls itself). Shared by
``--format json`` (``output``) and the other programs' formats (``interchange``)."""

from __future__ import annotations

import re

__all__ = ["json_safe", "inert", "inert_all"]

_UNSAFE = re.compile(  # UTF-8 of the characters model.text.visible replaces, beyond C0
    b"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xaf]"
    b"|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]"
)


def json_safe(raw: bytes) -> bytes:
    """Write DEL, C1, bidi, zero-width and separator characters in encoded JSON as \\uXXXX
    escapes: the same data, but nothing a terminal or a line splitter acts on. (Only ever
    inside strings, since everything else msgspec writes is ASCII.)"""
    if _UNSAFE.search(raw) is None:
        return raw
    return _UNSAFE.sub(lambda m: b"\\u%04x" % ord(m.group().decode("utf-8")), raw)


_UNSAFE_TEXT = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
"""The same characters as ``_UNSAFE``, in text rather than in its UTF-8."""


def inert(text: str) -> bool:
    """Whether ``json_safe`` would leave the JSON of this text as it is. A search of the
    text before it is encoded costs less than half the search of the encoded bytes (one
    character class instead of eight byte sequences), so a writer can check what it is about
    to encode and skip ``json_safe`` when nothing in it needs an escape."""
    return _UNSAFE_TEXT.search(text) is None


def inert_all(texts) -> bool:
    """``inert`` of each of these texts (a file's lines): as ``inert`` of their join, without
    the join (each character class is one character, so no match spans two texts)."""
    search = _UNSAFE_TEXT.search
    return not any(map(search, texts))
