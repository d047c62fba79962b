"""Any spreadsheet export (CSV or TSV) to timeline/1, through a column mapping.

``--map date=When,title=What,actors=Who`` names the column of each field. Without a map,
the columns ``timeline list --format csv`` writes are recognised, so that output reads back
(the same events, ids, dates, actors and tags). Columns that are not mapped are not lost:
their values go into the event's note as ``Column: value`` lines.

Dates are read as stored dates (``2024-09``, ``2024-03-20~``, intervals) or as typed dates
(``6 Sep 2024``, ``September 2024``) at the precision written; an ambiguous ``01/02/2024`` or
a date without a year is refused for that row, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from operator import itemgetter

import msgspec

from ..model.dates import DateError, Point, parse_edtf, parse_user_date
from ..model.entities import CONFIDENCES
from ..jsontext import inert, inert_all
from ..model.text import fold
from .document import ConvertError, Document, slug

__all__ = ["FIELDS", "OWN_COLUMNS", "parse_map", "read", "read_text", "read_data", "point_text", "looks_like_own"]

FIELDS = ("id", "date", "end", "title", "date_text", "summary", "place", "actors", "actor_ids",
          "tags", "confidence", "note", "sources", "source_urls")
"""The fields a column can be mapped to (``end``: the end of an interval, in its own column)."""
OWN_COLUMNS = ("id", "date", "date_display", "date_text", "title", "summary", "place", "actors",
               "actor_ids", "tags", "confidence", "note", "sources", "source_urls", "quotes")
"""What ``timeline list --format csv`` writes (``output.CSV_COLUMNS``)."""
_DERIVED = {"date_display", "quotes"}
_DEFUSED = tuple("=+-@\t\r")


def looks_like_own(header: list[str]) -> bool:
    return {"id", "date", "title"} <= {h.strip() for h in header}


def parse_map(text: str | None) -> dict[str, str]:
    """'date=When,title=What' -> {'date': 'When', 'title': 'What'}; a bad map is a usage error."""
    mapping: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep or not column.strip():
            raise ConvertError(f"--map: {item.strip()!r} is not FIELD=COLUMN")
        if field not in FIELDS:
            raise ConvertError(f"--map: unknown field {field!r} (fields: {', '.join(FIELDS)})")
        mapping[field] = column.strip()
    return mapping


def point_text(point: Point) -> str:
    """A point read from typed text, as a stored date at the same precision."""
    text = f"{point.year:04}"
    for name, sep in (("month", "-"), ("day", "-"), ("hour", "T"), ("minute", ":"), ("second", ":")):
        value = getattr(point, name)
        if value is None:
            break
        text += f"{sep}{value:02}"
    return text


def _date(cell: str, warn) -> str | None:
    try:
        return parse_edtf(cell).text
    except DateError:
        pass
    try:
        point = parse_user_date(cell)
    except DateError as exc:
        warn(f"{exc}")
        return None
    text = point_text(point)
    warn(f"date {cell!r} read as {text}", tally=True)
    return text


def _split(cell: str) -> list[str]:
    return [part for part in map(str.strip, cell.split(";")) if part]


def _plan(name: str, header_row: list[str], mapping: dict[str, str] | None):
    """The header checked against the mapping: (header, own, column of each field, extra columns)."""
    header = [h.replace("\ufeff", "").strip() for h in header_row]
    own = not mapping
    if own:
        if not looks_like_own(header):
            raise ConvertError(
                f"{name}: which column holds what? Give --map FIELD=COLUMN,..., e.g. "
                f"--map date=When,title=What,actors=Who (columns: {', '.join(h for h in header if h) or 'none'}; "
                f"fields: {', '.join(FIELDS)})")
        mapping = {h: h for h in header if h in FIELDS}
    missing = [c for c in mapping.values() if c not in header]
    if missing:
        raise ConvertError(f"{name}: --map names columns that are not in the header: {', '.join(map(repr, missing))} "
                           f"(columns: {', '.join(h for h in header if h)})")
    for needed in ("date", "title"):
        if needed not in mapping:
            raise ConvertError(f"{name}: --map needs a column for {needed} (e.g. --map date=When,title=What)")
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    column = {field: index[col] for field, col in mapping.items()}
    used = set(column.values())
    extra = [(i, h) for i, h in enumerate(header) if i not in used and h and not (own and h in _DERIVED)]
    return header, own, column, extra


def _start(name: str, extra) -> Document:
    doc = Document(name, "csv")
    doc.title = name.rsplit("/", 1)[-1]
    if extra:
        doc.warn(("row 1",), f"columns {', '.join(repr(h) for _, h in extra)} are not mapped: kept in each event's note")
    return doc


def read(name: str, rows: list[list[str]], mapping: dict[str, str] | None) -> Document:
    """Rows read by ``sheet.read_csv`` (the header first) as a document, in this process."""
    if not rows:
        raise ConvertError(f"{name}: is empty")
    _, own, column, extra = _plan(name, rows[0], mapping)
    doc = _start(name, extra)
    _assemble(doc, _prepare(rows[1:], column, own, extra), 2)
    return doc


HALVES_FROM = 2_000_000
"""A smaller file (in bytes) is read in one process: a fork costs more than it saves."""


def read_text(name: str, text: str, delimiter: str, mapping_text: str | None) -> Document:
    """A whole CSV/TSV text as a document, in this process (a big file's bytes go to ``read_data``)."""
    from .sheet import read_csv

    return read(name, read_csv(name, text, delimiter), parse_map(mapping_text))


def read_data(name: str, data: bytes, delimiter: str, mapping_text: str | None) -> Document | None:
    """A big CSV/TSV file's bytes (past any byte order mark) as a document, read on both cores,
    or None when it cannot be read that way (not UTF-8, no place to cut, a header or map that
    does not fit): the caller then reads it as text in one process, which says exactly what
    is wrong. The bytes are cut at a record boundary (``FIRST_SHARE``), and a forked child
    parses and prepares the later rows (``_prepare``: everything that does not depend on
    earlier rows) while this process does the first; then ids, actors and sources are given
    out here, row by row, in file order (``_assemble``), so the result is the same as
    reading it in one go. Each process decodes only its own part, line by line (``_lines``):
    the whole text as one string would be held four bytes a character (the file has
    characters beyond U+FFFF) and copied again by the parser's reader, some 1 GB at 100k
    rows written page by page, which cost more system time than the parsing itself."""
    try:
        return _read_halves(name, data, delimiter, parse_map(mapping_text))
    except (ConvertError, csv.Error, UnicodeDecodeError):
        return None


FIRST_SHARE = 0.4
"""How much of the file this process reads itself, the child reading the rest: this process
also gives out every row's ids, actors and sources and joins the JSON. At 100k rows (6 Dec)
40 % gave both processes about the same CPU (2.0 and 1.9 s); 30 % left this one waiting
for the child's keys for over a second."""


def _cut(data: bytes) -> int:
    """A place ``FIRST_SHARE`` into a CSV file just after a line end outside quotes (an even
    number of quote characters before it), or 0. A quote inside an unquoted field can fool
    the count: the caller checks the first part parses strictly to its end. (Both bytes are
    ASCII, so UTF-8 never has them inside a character.)"""
    at = data.find(b"\n", int(len(data) * FIRST_SHARE))
    quotes = data.count(b'"', 0, at) if at >= 0 else 0
    for _ in range(1000):
        if at < 0:
            return 0
        if quotes % 2 == 0:
            return at + 1
        following = data.find(b"\n", at + 1)
        quotes += data.count(b'"', at, following if following >= 0 else len(data))
        at = following
    return 0


def _lines(data: bytes) -> list[str]:
    """The lines of UTF-8 bytes as text, each with its line end: what ``io.StringIO(text,
    newline="")`` gives the csv reader (both end lines at \\n, \\r and \\r\\n only), each
    line held as narrow as its own characters allow."""
    return list(map(bytes.decode, data.splitlines(True)))


_FORMULA = re.compile(rb"'[-=+@\t\r]")
"""What a cell defused by ``timeline list --format csv`` holds (``'`` before = + - @ tab or
CR): a part of a file without it has no formula to undo (a search of the bytes, ~25 ms for
80 MB, against ~0.2 s to look at every row)."""


def _read_halves(name: str, data: bytes, delimiter: str, mapping: dict[str, str] | None) -> Document:
    """``read_data``. The header is read first; then the child starts, prepares the later
    rows and sends what ids, actors and sources depend on (``_keys``: a few short strings a
    row). This process prepares and assembles its own rows meanwhile, gives the child's
    out after them (``_register``) and answers; the child, having made its events' dicts
    while it waited (``_drafts``), fills them in and writes them as JSON (``_filled``),
    which the conversion keeps as it is (``Conversion.json``)."""
    from .halves import Partner

    at = _cut(data)
    if not at:
        raise ConvertError("no place to cut")
    header_end = data.find(b"\n", 0, at) + 1
    header_lines = _lines(data[:header_end])
    header = list(csv.reader(header_lines, delimiter=delimiter, strict=True))
    if len(header) != 1:
        raise ConvertError("the header is not one line")
    _, own, column, extra = _plan(name, header[0], mapping)
    state: dict = {}

    def keys() -> list:
        state["lines"] = lines = _lines(data[at:])
        rows = list(csv.reader(lines, delimiter=delimiter))
        state["prepared"] = prepared = _prepare(rows, column, own, extra, _FORMULA.search(data, at) is not None)
        state["keys"] = found = _keys(prepared)
        return found

    def drafts() -> None:
        state["drafts"] = _drafts(state["prepared"], state["keys"])
        state["inert"] = inert_all(state.pop("lines"))

    def events(answer) -> bytes:
        if "prepared" not in state:
            keys()
        if "drafts" not in state:
            drafts()
        return (b"1" if state["inert"] else b"0") + _filled(state["drafts"], answer)

    doc = _start(name, extra)
    with Partner(keys, events, drafts) as partner:
        head = _lines(data[header_end:at])
        rows = list(csv.reader(head, delimiter=delimiter, strict=True))
        _assemble(doc, _prepare(rows, column, own, extra, _FORMULA.search(data, 0, at) is not None), 2)
        head_inert = inert_all(header_lines) and inert_all(head) and inert(doc.title)
        number = len(rows) + 2
        del head, rows  # freed now, while the child is still at work, not on the way out
        later_keys = partner.receive()
        answer = _register(doc, later_keys, number)
        partner.send(answer)
        del later_keys
        mine = msgspec.json.encode(doc.events)[1:-1]
        count = len(doc.events)
        doc.events = []
        theirs = partner.result()
    doc.inert = head_inert and theirs[:1] == b"1"
    theirs = memoryview(theirs)[1:]
    doc.tail = tuple(part for part in (mine, b"," if mine and theirs else b"", theirs) if part)
    doc.tail_count = count + sum(1 for given in answer[1] if given is not None)
    return doc


def _keys(prepared: list) -> list:
    """What giving out ids, actors and sources needs of prepared rows: [actors, sources,
    rows], each distinct actor ([name, key, wanted id, its key]) and source ([title, URL])
    once, and each row as [warnings, its actors' and sources' numbers, wanted id, id base]
    (None for an empty row, [warnings] for a skipped one)."""
    actors: dict = {}
    sources: dict = {}
    rows: list = []
    add = rows.append
    for entry in prepared:
        if entry is None or len(entry) == 1:
            add(entry)
            continue
        warns, names, name_keys, ids, id_keys, pairs, wanted, base = (entry[0], entry[6], entry[7], entry[8],
                                                                     entry[9], entry[12], entry[14], entry[15])
        refs = [actors.setdefault((a, name_keys[i], ids[i] if ids else None, id_keys[i] if ids else None), len(actors))
                for i, a in enumerate(names)]
        add((warns, refs, [sources.setdefault(pair, len(sources)) for pair in pairs], wanted, base))
    return [list(actors), list(sources), rows]


def _say(doc: Document, place: tuple, messages: list) -> None:
    """A prepared row's messages as the document's warnings: a text is a warning at its row,
    a 1-tuple a tallied date reading ("date '6 Sep 2024' read as 2024-09-06", said once)."""
    for message in messages:
        if message.__class__ is str:
            doc.warn(place, message)
        else:
            doc.tally("date-read", place, message[0])


def _register(doc: Document, found: list, number: int) -> list:
    """``_assemble`` for rows prepared elsewhere (``_keys``), without their events: the
    warnings, ids, actors and sources, in file order. Returns the answer ``_filled`` needs:
    [each source's id, each row's [id, actor ids]]."""
    actor_of, source_of, rows = found
    warn, tally, actor, source, new_id = doc.warn, doc.tally, doc.actor, doc.source, doc.new_id_from
    known_actors = doc._actor_names
    source_ids: list = [None] * len(source_of)
    answer: list = []
    add = answer.append
    for entry in rows:
        if entry is None:
            add(None)
            number += 1
            continue
        if entry[0]:
            _say(doc, (f"row {number}",), entry[0])
        if len(entry) == 1:
            add(None)
            number += 1
            continue
        _, refs, source_refs, wanted, base = entry
        actors: list = []
        for ref in refs:
            actor_name, key, wanted_id, wanted_key = actor_of[ref]
            actor_id = known_actors.get(key)  # ``Document.actor``'s first look, inline
            if not actor_id:
                before = len(doc.actors)
                actor_id = actor(actor_name, wanted_id=wanted_id, key=key, wanted_key=wanted_key)
                if len(doc.actors) > before:
                    tally("actor-kind", (f"row {number}",), f"actor {actor_name!r} created with kind 'other' "
                          "(a CSV has no actor kinds)")
            if actor_id not in actors:
                actors.append(actor_id)
        for ref in source_refs:
            if source_ids[ref] is None:
                source_title, url = source_of[ref]
                source_ids[ref] = source(title=source_title, url=url)
        event_id = new_id("events", base)
        if wanted and event_id != wanted:
            warn((f"row {number}",), f"id {wanted!r} is not a valid or unique id: it became {event_id!r}")
        add((event_id, actors))
        number += 1
    return [source_ids, answer]


def _drafts(prepared: list, found: list) -> list:
    """The events of rows prepared here, written before their ids, actors and sources are
    given out elsewhere (``_register``): for each, the JSON of its fields around those three
    (``_assemble``'s dict, in its order: date, title, date_text, summary, place | actors |
    tags, confidence | sources | note), whether it has actors, and its source numbers;
    ``_filled`` puts the three in. None for a row that makes no event."""
    encode = msgspec.json.encode
    out: list = []
    add = out.append
    for entry, refs in zip(prepared, found[2]):
        if entry is None or len(entry) == 1:
            add(None)
            continue
        (_, date, title, date_text, summary, place, names, _, _, _, tags, confidence, pairs, note, _, _) = entry
        head: dict = {"date": date, "title": title}
        if date_text:
            head["date_text"] = date_text
        if summary:
            head["summary"] = summary
        if place:
            head["place"] = place
        middle: dict = {}
        if tags:
            middle["tags"] = tags
        if confidence:
            middle["confidence"] = confidence
        add((b"," + encode(head)[1:-1], bool(names), b"," + encode(middle)[1:-1] if middle else b"",
             refs[2] if pairs else None, b',"note":' + encode(note) if note else b""))
    return out


def _filled(drafts: list, answer: list) -> bytes:
    """The events of ``_drafts`` as JSON, separated by commas, with the ids, actors and
    sources of ``_register``'s answer: the bytes ``msgspec.json.encode`` writes of the
    dicts ``_assemble`` makes."""
    encode = msgspec.json.encode
    source_ids, given = answer
    out: list = []
    add = out.append
    for draft, ids in zip(drafts, given):
        if ids is None:
            continue
        head, has_actors, middle, refs, note = draft
        add(b'{"id":')
        add(encode(ids[0]))
        add(head)  # (each piece joined once, at the end)
        if has_actors:
            add(b',"actors":')
            add(encode(ids[1]))
        if middle:
            add(middle)
        if refs is not None:
            sources: list = []
            for ref in refs:
                source_id = source_ids[ref]
                if source_id not in sources:
                    sources.append(source_id)
            add(b',"sources":')
            add(encode(sources))
        if note:
            add(note)
        add(b"},")
    if out:
        out[-1] = b"}"
    return b"".join(out)


_NOWHERE = 1 << 30
"""The column of an unmapped field: past the end of every row."""
_ORDER = ("id", "date", "end", "title", "date_text", "summary", "place", "actors", "actor_ids",
          "tags", "confidence", "note", "sources", "source_urls")


def _prepare(rows: list[list[str]], column: dict[str, int], own: bool, extra, formulas: bool = True) -> list:
    """Each row read as far as it can be without the rows before it: its cells, dates,
    actors' matching keys, tags, sources and warnings; ``_assemble`` does the rest. One
    entry per row (None for an empty one), plain lists and strings, so that a child
    process can send them back in one msgpack message. ``formulas``: False when the text
    has no ``'`` before = + - @ tab or CR (``_FORMULA``), so no cell is a defused formula to
    undo and no row needs looking at for one."""
    idx = [column.get(f, _NOWHERE) for f in _ORDER]
    used = [i for i in idx if i != _NOWHERE]
    width = max(used) + 1
    take = itemgetter(*used)  # a row's mapped cells in one C call (2+ columns: date and title)
    missing = [k for k, i in enumerate(idx) if i == _NOWHERE]
    dates: dict[str, tuple] = {}
    keys: dict[str, str] = {}
    out: list = []
    add = out.append
    strip = str.strip
    for row in rows:
        n = len(row)
        if n >= width:
            cells = list(map(strip, take(row)))
            for k in missing:
                cells.insert(k, "")
        else:
            cells = [row[i].strip() if i < n else "" for i in idx]
        if not cells[1] and not "".join(row).strip():
            add(None)
            continue
        if own and formulas and "\0'" in "\0" + "\0".join(cells):  # a cell starts with ' (rarely): look closer
            cells = [v[1:] if v[:1] == "'" and v[1:2] in _DEFUSED else v for v in cells]
        wanted, date_cell, end_cell, title, date_text, summary, place, actors_cell, ids_cell, \
            tags_cell, confidence_cell, note, sources_cell, urls_cell = cells
        warns: list = []
        if not date_cell:
            add((["no date: skipped"],))
            continue
        date, said = dates.get(date_cell) or _read_date(dates, date_cell)
        if said:
            warns.extend(said)
        if date is None:
            warns.append("skipped (no readable date)")
            add((warns,))
            continue
        if end_cell:
            end, said = dates.get(end_cell) or _read_date(dates, end_cell)
            if said:
                warns.extend(said)
            if end is not None and "/" not in date:
                try:
                    date = parse_edtf(f"{date}/{end}").text
                except DateError as exc:
                    warns.append(f"{exc}: the end is dropped")
        if not title:
            title = "(no title)"
            warns.append("no title: the title is '(no title)'")
        names = _split(actors_cell) if actors_cell else []
        ids = _split(ids_cell) if ids_cell else []
        if ids and len(ids) != len(names):
            names = ids if not names else names
            if len(ids) != len(names):
                warns.append(f"{len(names)} actor names and {len(ids)} actor ids: the names are used")
                ids = []
        name_keys = [keys.get(a) or keys.setdefault(a, fold(a)) for a in names]
        id_keys = [keys.get(a) or keys.setdefault(a, fold(a)) for a in ids]
        tags = list(dict.fromkeys(_split(tags_cell))) if tags_cell else []
        confidence = confidence_cell.lower()
        if confidence and confidence != "confirmed":
            if confidence not in CONFIDENCES:
                warns.append(f"confidence {confidence_cell!r} is not one of {', '.join(CONFIDENCES)}: left out")
                confidence = ""
        else:
            confidence = ""
        titles = _split(sources_cell) if sources_cell else []
        urls = _split(urls_cell) if urls_cell else []
        if urls and titles and len(urls) != len(titles):
            warns.append(f"{len(titles)} source titles and {len(urls)} source URLs cannot be paired: "
                         "each URL is a source titled by its URL, each title a source without one")
            pairs = [(t, None) for t in titles] + [(u, u) for u in urls]
        elif urls:
            pairs = list(zip(titles or urls, urls))
        else:
            pairs = [(t, None) for t in titles]
        if extra:
            notes = [note] if note else []
            notes += [f"{h}: {row[i].strip()}" for i, h in extra if i < n and row[i].strip()]
            note = "\n".join(notes)
        add((warns, date, title, date_text, summary, place, names, name_keys, ids, id_keys, tags,
             confidence, pairs, note, wanted, slug(wanted or title, "event")))
    return out


def _read_date(cache: dict, cell: str) -> tuple:
    """(the stored date or None, the warnings and tallied notes it gives), kept for the next row."""
    said: list = []
    cache[cell] = entry = (_date(cell, lambda message, tally=False: said.append((message,) if tally else message)), said)
    return entry


def _assemble(doc: Document, prepared: list, number: int) -> None:
    """The prepared rows, from row ``number`` on, given their ids, actors and sources in
    file order (what makes a second import of the same file give the same ids)."""
    warn, tally = doc.warn, doc.tally
    actor, source, new_id, events = doc.actor, doc.source, doc.new_id_from, doc.events.append
    known_actors, known_sources = doc._actor_names, doc._source_urls  # what they look in first
    for entry in prepared:
        if entry is None:
            number += 1
            continue
        if entry[0]:
            _say(doc, (f"row {number}",), entry[0])
        if len(entry) == 1:
            number += 1
            continue
        (_, date, title, date_text, summary, place_cell, names, name_keys, ids, id_keys, tags,
         confidence, pairs, note, wanted, base) = entry
        event: dict = {"id": "", "date": date, "title": title}
        if date_text:
            event["date_text"] = date_text
        if summary:
            event["summary"] = summary
        if place_cell:
            event["place"] = place_cell
        if names:
            actors: list = []
            for i, actor_name in enumerate(names):
                actor_id = known_actors.get(name_keys[i])  # ``Document.actor``'s first look, inline
                if not actor_id:
                    before = len(doc.actors)
                    actor_id = actor(actor_name, wanted_id=ids[i] if ids else None, key=name_keys[i],
                                     wanted_key=id_keys[i] if ids else None)
                    if len(doc.actors) > before:
                        tally("actor-kind", (f"row {number}",), f"actor {actor_name!r} created with kind 'other' "
                              "(a CSV has no actor kinds)")
                if actor_id not in actors:
                    actors.append(actor_id)
            event["actors"] = actors
        if tags:
            event["tags"] = tags
        if confidence:
            event["confidence"] = confidence
        if pairs:
            sources: list = []
            for source_title, url in pairs:
                source_id = known_sources.get(url or f"\0{source_title}") or source(title=source_title, url=url)
                if source_id not in sources:
                    sources.append(source_id)
            event["sources"] = sources
        if note:
            event["note"] = note
        event["id"] = event_id = new_id("events", base)
        if wanted and event_id != wanted:
            warn((f"row {number}",), f"id {wanted!r} is not a valid or unique id: it became {event_id!r}")
        events(event)
        number += 1
