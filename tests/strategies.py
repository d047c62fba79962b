"""Hypothesis strategies for hostile input: text, timeline documents, JSON texts, queries, dates.

Used by tests/test_hostile.py. Two settings profiles are registered here:

* ``ci`` (the default): modest example counts, so the whole hostile suite stays around a minute;
* ``thorough``: many more examples per property, for a long run by hand::

      HYPOTHESIS_PROFILE=thorough pytest tests/test_hostile.py

``examples(n)`` scales a test's own count by the profile's factor (40, or $HOSTILE_FACTOR),
``ui_examples(n)`` the explorer's slower tests (25, or $HOSTILE_UI_FACTOR).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# --- profiles ------------------------------------------------------------------------------------

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
             HealthCheck.function_scoped_fixture]
settings.register_profile("ci", deadline=None, suppress_health_check=_SUPPRESS, print_blob=True)
settings.register_profile("thorough", deadline=None, suppress_health_check=_SUPPRESS, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FACTOR = {"ci": 1, "thorough": int(os.environ.get("HOSTILE_FACTOR", "40"))}.get(PROFILE, 1)
UI_FACTOR = {"ci": 1, "thorough": int(os.environ.get("HOSTILE_UI_FACTOR", "25"))}.get(PROFILE, 1)


def examples(n: int) -> int:
    """``n`` examples in the ci profile, ``n * FACTOR`` in the thorough one."""
    return n * FACTOR


def ui_examples(n: int) -> int:
    """The same for the explorer's tests (seconds per example): ``n * UI_FACTOR``."""
    return n * UI_FACTOR


# --- text ------------------------------------------------------------------------------------------

PAYLOADS = [
    # Rich / Textual markup
    "[bold]", "[/bold]", "[/", "[/]", "[sic]", "[link=https://evil.example]x[/link]", "[@click=app.quit]",
    "[@click=app.quit]q[/]", "[b red on blue]", "[$accent]", "\\[escaped]", "[", "]", ":smile:", ":warning:",
    "$text-accent", "$var", "{0}", "%s",
    # ANSI / OSC / DCS sequences
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b[H", "\x1b]52;c;U0VDUkVU\x07", "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\", "\x1bP+q\x1b\\", "\x1b[6n", "\x1b[?1049h", "\x1bc",
    "\x9b31m", "\x9d0;t\x9c", "\x90q\x9c", "\x85", "\x1b",
    # C0, DEL
    "\x00", "\x07", "\x08", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x7f",
    # bidi, zero-width, separators, BOM
    "\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u2028", "\u2029", "\ufff9",
    # formulas, markdown, csv, html
    "=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\",\"x\")", "# h", "*x*", "_x_", "`x`",
    "<b>", "&lt;", "&#x1b;", "|", "\\", '"', "'", ",", ";", "~~", "---", "===", "1. ", "> ",
    # wide, combining, emoji
    "包围", "🇦🇷", "👨‍👩‍👧", "e\u0301", "\u0300", "ﬁ", "İ", "ß", "\U0001F600",
]
CONTROLS = "".join(chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)))
SPECIALS = CONTROLS + "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2028\u2029\u2060\u2066\u2069\ufeff[]/@=\"\\"

_piece = st.one_of(
    st.text(max_size=12),
    st.sampled_from(PAYLOADS),
    st.text(alphabet=SPECIALS, max_size=6),
)


def hostile_text(min_size: int = 0, max_pieces: int = 6) -> st.SearchStrategy[str]:
    """Any text, biased towards markup, escape sequences, controls, bidi and zero-width characters.
    (No lone surrogates: the loader rightly refuses them; ``json_texts`` sends those.)"""
    text = st.lists(_piece, max_size=max_pieces).map("".join)
    if min_size:
        text = text.filter(lambda t: len(t) >= min_size)
    return text


def nonblank(text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Text with something visible in it (titles and names must not be blank)."""
    return (hostile_text() if text is None else text).map(lambda t: t if t.strip() else t + "x")


def tag_text() -> st.SearchStrategy[str]:
    """A tag: hostile, but not blank and without outer spaces (the loader requires that)."""
    return hostile_text(max_pieces=3).map(lambda t: t.strip() or "tag")


# --- dates -----------------------------------------------------------------------------------------

_YEAR = st.integers(1, 9999)


@st.composite
def edtf_points(draw) -> str:
    year = draw(_YEAR)
    qualifier = draw(st.sampled_from(["", "", "?", "~", "%"]))
    precision = draw(st.sampled_from(["year", "month", "day", "minute", "second"]))
    if precision == "year":
        return f"{year:04}{qualifier}"
    day = draw(st.dates(min_value=__import__("datetime").date(year, 1, 1),
                        max_value=__import__("datetime").date(year, 12, 31)))
    if precision == "month":
        return f"{year:04}-{day.month:02}{qualifier}"
    text = f"{year:04}-{day.month:02}-{day.day:02}"
    if precision == "day":
        return text + qualifier
    text += f"T{draw(st.integers(0, 23)):02}:{draw(st.integers(0, 59)):02}"
    if precision == "second":
        text += f":{draw(st.integers(0, 59)):02}"
    text += draw(st.sampled_from(["", "Z", "+05:30", "-04:00", "+14:00", "-00:00"]))
    return text + qualifier


@st.composite
def edtf_dates(draw) -> str:
    """A valid stored date: a point or an interval (ends in order, either may be open)."""
    kind = draw(st.sampled_from(["point", "point", "interval", "open-end", "open-start"]))
    if kind == "point":
        return draw(edtf_points())
    from tui.model.dates import parse_edtf

    a, b = draw(edtf_points()), draw(edtf_points())
    if kind == "open-end":
        return f"{a}/.."
    if kind == "open-start":
        return f"../{b}"
    if parse_edtf(b).upper < parse_edtf(a).lower:
        a, b = b, a
    return f"{a}/{b}"


_MONTHS = ["Jan", "February", "Sep", "sept", "June", "Feb", "Dec", "may", "Mär", "juin"]
_DATE_WORDS = ["today", "now", "yesterday", "tomorrow", "next", "last", "friday", "Fri", "of", "at",
               "am", "pm", "UTC", "Z", "T", "..", "/", "-", ",", ".", ":", "+", "~", "?", "%", "'", "th", "st"]


def typed_dates() -> st.SearchStrategy[str]:
    """What a person might type as a date: real forms, near misses and nonsense."""
    number = st.one_of(st.integers(-20000, 20000).map(str), st.integers(0, 99).map(lambda n: f"{n:02}"),
                       st.sampled_from(["0001", "9999", "10000", "-5", "0000", "31", "29", "30", "00",
                                        "99999999999999999999", "1e9", "٢٠٢٤", "２０２４"]))
    word = st.one_of(number, st.sampled_from(_MONTHS), st.sampled_from(_DATE_WORDS))
    sep = st.sampled_from([" ", "-", "/", ".", ", ", "T", "", "  "])
    structured = st.lists(st.tuples(word, sep), min_size=1, max_size=6).map(
        lambda parts: "".join(w + s for w, s in parts))
    return st.one_of(
        structured,
        edtf_points(),
        edtf_dates(),
        st.sampled_from(["31 June 2024", "31 June", "29 Feb 2023", "29 Feb 2024", "0001", "9999", "10000",
                         "-5", "1 Jan 0001", "31 Dec 9999", "9999-12-31T23:59:59", "2024-02-30", "6/9/2024",
                         "13/13/2024", "2024-W01", "Sep 2024", "6 Sep 2024 20:30", "6 Sep 2024 20:30 EST", "2024 T",
                         "", "   "]),
        hostile_text(max_pieces=3),
        st.text(max_size=30),
    )


# --- documents -----------------------------------------------------------------------------------

_ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,6}", fullmatch=True)
ACTOR_KINDS = ["person", "organization", "government", "institution", "group", "other"]
SOURCE_KINDS = ["article", "social-post", "statement", "official-document", "broadcast", "other"]
CONFIDENCES = ["confirmed", "reported", "disputed"]


def _maybe(draw, record: dict, key: str, strategy) -> None:
    if draw(st.booleans()):
        record[key] = draw(strategy)


@st.composite
def documents(draw, text=None, max_events: int = 5) -> dict:
    """A valid ``timeline/1`` document whose every text field is drawn from ``text``."""
    text = hostile_text() if text is None else text
    ids = draw(st.lists(_ID, min_size=4, max_size=4 + 3 + max_events + 3, unique=True))
    n_actors = draw(st.integers(1, 3))
    n_sources = draw(st.integers(1, 3))
    n_events = draw(st.integers(1, max_events))
    n_quotes = draw(st.integers(0, 3))
    actor_ids = ids[:n_actors]
    source_ids = ids[n_actors:n_actors + n_sources]
    # ids are unique per kind only; reuse the pool (shifted) for events and quotes
    event_ids = draw(st.lists(_ID, min_size=n_events, max_size=n_events, unique=True))
    quote_ids = draw(st.lists(_ID, min_size=n_quotes, max_size=n_quotes, unique=True))

    actors = []
    for i, aid in enumerate(actor_ids):
        a = {"id": aid, "name": draw(nonblank(text)), "kind": draw(st.sampled_from(ACTOR_KINDS))}
        _maybe(draw, a, "aliases", st.lists(text, max_size=2))
        _maybe(draw, a, "description", text)
        _maybe(draw, a, "roles", st.lists(text, max_size=2))
        others = [x for x in actor_ids if x != aid]
        if others:
            _maybe(draw, a, "affiliations", st.lists(st.sampled_from(others), max_size=2, unique=True))
        _maybe(draw, a, "country", text)
        actors.append(a)
    sources = []
    for i, sid in enumerate(source_ids):
        s = {"id": sid, "kind": draw(st.sampled_from(SOURCE_KINDS)), "title": draw(text)}
        _maybe(draw, s, "publisher", text)
        _maybe(draw, s, "author", st.sampled_from(actor_ids))
        _maybe(draw, s, "published", edtf_dates())
        _maybe(draw, s, "url", st.one_of(text, text.map(lambda t: "https://example.org/" + t),
                                         st.just("javascript:alert(1)")))
        if i:  # via an earlier source only: no loops
            _maybe(draw, s, "via", st.sampled_from(source_ids[:i]))
        _maybe(draw, s, "language", text)
        sources.append(s)
    events = []
    for eid in event_ids:
        e = {"id": eid, "date": draw(edtf_dates()), "title": draw(nonblank(text))}
        _maybe(draw, e, "date_text", text)
        _maybe(draw, e, "summary", text)
        _maybe(draw, e, "place", text)
        refs = st.one_of(st.sampled_from(actor_ids),
                         st.builds(lambda a, r: {"actor": a, **({"role": r} if r is not None else {})},
                                   st.sampled_from(actor_ids), st.none() | text))
        _maybe(draw, e, "actors", st.lists(refs, max_size=3))
        _maybe(draw, e, "tags", st.lists(tag_text(), max_size=3))
        e["sources"] = draw(st.lists(st.sampled_from(source_ids), min_size=1, max_size=2, unique=True))
        _maybe(draw, e, "confidence", st.sampled_from(CONFIDENCES))
        _maybe(draw, e, "note", text)
        events.append(e)
    quotes = []
    for qid in quote_ids:
        q = {"id": qid, "text": draw(text), "speaker": draw(st.sampled_from(actor_ids)),
             "source": draw(st.sampled_from(source_ids)), "event": draw(st.sampled_from(event_ids))}
        _maybe(draw, q, "said", edtf_dates())
        _maybe(draw, q, "language", text)
        _maybe(draw, q, "original", text)
        quotes.append(q)
    doc = {"format": "timeline/1", "title": draw(nonblank(text))}
    _maybe(draw, doc, "description", text)
    doc.update(actors=actors, sources=sources, events=events, quotes=quotes)
    return doc


# --- JSON texts (valid or not), with what json.dumps cannot write --------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: json.dumps(f)),  # NaN, Infinity
    st.sampled_from(["1e999", "-1e-999", "9" * 5000, "-0", "0.0e+0", "1E400", "NaN", "-Infinity"]),
    st.text(max_size=20).map(lambda s: json.dumps(s)),
    hostile_text(max_pieces=3).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.sampled_from(['"\\ud800"', '"\\udfff x"', '"a\\u0000b"', '"\\u001b[2J"', '"\\u202e"', '"\\/"']),
)


def _render(value) -> str:
    if isinstance(value, tuple):  # ("obj", pairs) or ("list", items)
        kind, items = value
        if kind == "list":
            return "[" + ",".join(_render(v) for v in items) + "]"
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _render(v) for k, v in items) + "}"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


_KEYS = st.one_of(st.sampled_from(["format", "title", "description", "actors", "sources", "events", "quotes",
                                   "id", "name", "kind", "date", "type", "text", "speaker", "source", "event",
                                   "actor", "role", "tags", "via", "url"]),
                  st.text(max_size=8))
_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: ("list", items)),
        st.lists(st.tuples(_KEYS, children), max_size=5).map(lambda pairs: ("obj", pairs)),  # duplicate keys too
    ),
    max_leaves=25,
)


@st.composite
def mutated_documents(draw) -> str:
    """A valid document with one value somewhere replaced by an arbitrary JSON value (wrong types
    everywhere), then perhaps a duplicated key."""
    doc = draw(documents(text=st.text(max_size=8), max_events=3))
    tree = _to_tree(doc)
    path_choices = list(_paths(tree))
    path = draw(st.sampled_from(path_choices))
    replacement = draw(_TREES)
    tree = _replace(tree, path, replacement)
    text = _render(tree)
    return text


def _to_tree(value):
    if isinstance(value, dict):
        return ("obj", [(k, _to_tree(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_to_tree(v) for v in value])
    if value is None or isinstance(value, bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, tuple):
        for i, item in enumerate(tree[1]):
            yield from _paths(item[1] if tree[0] == "obj" else item, prefix + (i,))


def _replace(tree, path, new):
    if not path:
        return new
    kind, items = tree
    items = list(items)
    i = path[0]
    if kind == "obj":
        key, child = items[i]
        items[i] = (key, _replace(child, path[1:], new))
    else:
        items[i] = _replace(items[i], path[1:], new)
    return (kind, items)


def json_texts() -> st.SearchStrategy[str]:
    """JSON text of every shape: arbitrary trees (duplicate keys, NaN, huge numbers, lone
    surrogate escapes) and near-valid timelines with one wrong value."""
    return st.one_of(_TREES.map(_render), mutated_documents())


@st.composite
def broken_bytes(draw) -> bytes:
    """Bytes that were a timeline once: truncated, with bytes flipped or inserted, or not UTF-8;
    or arbitrary bytes; with a BOM or CRLF line ends now and then."""
    doc = draw(documents(text=st.text(max_size=8), max_events=2))
    data = json.dumps(doc, ensure_ascii=False, indent=draw(st.sampled_from([None, 1]))).encode("utf-8")
    how = draw(st.sampled_from(["truncate", "flip", "insert", "latin1", "arbitrary", "bom", "crlf", "nul"]))
    if how == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif how == "flip":
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    elif how == "insert":
        i = draw(st.integers(0, len(data)))
        data = data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
    elif how == "latin1":
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8").replace(b"\"title\"", "\"tïtle\"".encode("latin-1"), 1)
    elif how == "arbitrary":
        data = draw(st.binary(max_size=200))
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif how == "nul":
        data = data + b"\x00"
    return data


# --- queries --------------------------------------------------------------------------------------

_QUALIFIERS = ["actor", "tag", "from", "to", "date", "confidence", "text", "place", "Actor", "TAG", "http", ""]


def query_strings() -> st.SearchStrategy[str]:
    """Query strings: well-formed, near misses (unclosed quotes, empty values, bad dates, unknown
    qualifiers, reversed ranges) and arbitrary text."""
    value = st.one_of(st.from_regex(r"[a-z0-9-]{1,8}", fullmatch=True), typed_dates(),
                      st.sampled_from(["confirmed", "reported", "disputed", "", ",", '"', '""', "a,b", "..",
                                       "//x", "-"]),
                      hostile_text(max_pieces=2))
    term = st.builds(
        lambda sign, q, v, quoted: f"{sign}{q + ':' if q else ''}{json.dumps(v, ensure_ascii=False) if quoted else v}",
        st.sampled_from(["", "", "-", "--"]), st.sampled_from(_QUALIFIERS), value, st.booleans())
    joined = st.lists(term, max_size=5).flatmap(
        lambda terms: st.sampled_from([" ", "  ", ",", "\t", " , "]).map(lambda sep: sep.join(terms)))
    return st.one_of(joined, st.text(max_size=40), hostile_text())


@st.composite
def jsonl_texts(draw) -> str:
    """JSON Lines: a header (valid or not), then record lines (valid, broken, or any JSON),
    with blank lines, CRLF and a BOM now and then."""
    doc = draw(documents(text=st.text(max_size=8), max_events=3))
    header = {"format": doc["format"], "title": doc["title"]}
    lines = [draw(st.one_of(st.just(json.dumps(header)), _TREES.map(_render)))]
    for kind, singular in (("actors", "actor"), ("sources", "source"), ("events", "event"), ("quotes", "quote")):
        for record in doc[kind]:
            lines.append(draw(st.one_of(
                st.just(json.dumps({"type": singular, **record}, ensure_ascii=False)),
                st.just(json.dumps(record)),  # no "type"
                _TREES.map(_render),
            )))
    lines = draw(st.permutations(lines[1:]).map(lambda rest: [lines[0], *rest]))
    end = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    text = end.join(lines)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]
    return ("\ufeff" if draw(st.booleans()) else "") + text
