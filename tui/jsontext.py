"""JSON that is inert when printed: the same data, with DEL, C1 controls, bidi, zero-width and
separator characters written as ``\\uXXXX`` escapes (JSON escapes C0 controls itself). Shared by
``--format json`` (``output``) and the other programs' formats (``interchange``)."""

from __future__ import annotations

import re

__all__ = ["json_safe"]

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
