"""The strict JSON reader, for files up to ``loader.STRICT_LIMIT`` (anything written by
hand): msgspec decodes straight into the record structs; only when that fails, or a
duplicate key is found, the standard library parser and a field-by-field check report
*every* structural problem with its JSON path and line.
"""

from __future__ import annotations

import msgspec

from ..model.entities import FORMAT, KINDS, TimelineFile
from .reading import Parsed, build_record, check_header, check_surrogates, describe, quick, strict_loads

__all__ = ["read_json_quick", "read_json_strict"]


def read_json_quick(name: str, data: bytes, text: str) -> Parsed | None:
    whole = quick(data, _FILE_DECODER.decode)
    if whole is None or whole.format != FORMAT or not whole.title.strip():
        return None
    parsed = Parsed(name, title=whole.title, description=whole.description, text=text)
    for kind in KINDS:
        parsed.records[kind] = getattr(whole, kind)
        parsed.indexes[kind] = range(len(parsed.records[kind]))
    return parsed


def read_json_strict(name: str, text: str) -> Parsed:
    value, dups = strict_loads(name, text)
    parsed = Parsed(name, text=text)
    check_surrogates(parsed, text, value)
    if not isinstance(value, dict):
        parsed.error((), f"the top level must be a JSON object with \"format\": \"{FORMAT}\", "
                         f"not {describe(value)}")
        return parsed
    for key in dups.get(id(value), ()):
        parsed.error((key,), f"duplicate key '{key}' (only the last one would count)")
    check_header(parsed, value)
    for kind, cls in KINDS.items():
        items = value.get(kind, [])
        if not isinstance(items, list):
            parsed.error((kind,), f"must be a list, not {describe(items)}")
            continue
        for i, item in enumerate(items):
            record = build_record(parsed, item, cls, (kind, i), dups)
            if record is not None:
                parsed.records[kind].append(record)
                parsed.indexes[kind].append(i)
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                parsed.broken_ids[kind].add(item["id"])
    return parsed


_FILE_DECODER = msgspec.json.Decoder(TimelineFile)
