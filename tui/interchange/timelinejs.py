"""TimelineJS3 JSON (Knight Lab's timeline format) to timeline/1, and back.

In: each slide of ``events`` becomes an event, each of ``eras`` an event tagged ``era``;
``title`` gives the timeline's title and description. The sheet reader (``sheet.py``) turns
its rows into the same slides, so both share ``add_slide``. Mapping tables: docs/interchange.md.

Out: a TimelineJS3 JSON file. Every string from the data is HTML-escaped (TimelineJS puts
headlines and texts into the page as HTML), URLs become links only when they are http(s).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator, Sequence

import msgspec

from ..model.dates import EDate, parse_edtf
from ..jsontext import inert
from ..model.timeline import Timeline
from .document import ConvertError, Document, source_kind
from .html_text import escape, safe_url, to_text
from .parts import Unstorable, edtf

__all__ = ["read", "add_slide", "looks_like", "render"]

_KNOWN = {"start_date", "end_date", "text", "media", "group", "display_date", "unique_id",
          "background", "autolink", "type", "location"}


def looks_like(data) -> bool:
    """A TimelineJS3 document: an object whose ``events`` (or ``eras``) are slides with a ``start_date``."""
    if not isinstance(data, dict) or "format" in data:
        return False
    slides = [s for key in ("events", "eras") if isinstance(data.get(key), list) for s in data[key]]
    return bool(slides) and all(isinstance(s, dict) for s in slides) and any("start_date" in s for s in slides)


def read(name: str, raw: bytes) -> Document:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ConvertError(f"{name}: not JSON ({exc})") from None
    if not looks_like(data) and not (isinstance(data, dict) and "format" not in data
                                     and isinstance(data.get("events"), list) and not data["events"]):
        raise ConvertError(f"{name}: not a TimelineJS3 file (expected an object with events that have a start_date)")
    doc = Document(name, "timelinejs")
    title = data.get("title")
    if isinstance(title, dict):
        set_title(doc, title, ("title",))
    for key in ("events", "eras"):
        for i, slide in enumerate(data.get(key) or []):
            add_slide(doc, slide, (key, i), era=key == "eras")
    extra = sorted(set(data) - {"title", "events", "eras", "scale"})
    if extra:
        doc.warn((), f"top-level {', '.join(map(repr, extra))} not kept")
    if data.get("scale") not in (None, "human"):
        doc.warn(("scale",), f"scale {data['scale']!r} not kept (timeline/1 dates are calendar dates)")
    return doc


def _string(value) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def set_title(doc: Document, slide: dict, place: tuple) -> None:
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    headline, _ = to_text(_string(text.get("headline")))
    body, links = to_text(_string(text.get("text")))
    doc.title = headline or doc.title
    doc.description = body or None
    if links or slide.get("media"):
        doc.warn(place, "the title slide's media and links are not kept (timeline/1 has no title media)")


def add_slide(doc: Document, slide, place: tuple, *, era: bool = False, columns: dict | None = None) -> None:
    """One TimelineJS slide as an event (or nothing, with a warning, if it has no storable date).
    ``columns`` (a sheet row) names the column a part came from instead of its JSON path."""
    if not isinstance(slide, dict):
        doc.warn(place, "not an object: skipped")
        return

    def at(sub: tuple) -> tuple:
        if columns is None or not sub:
            return place + sub
        return (f"{place[0]}, {columns.get(sub[0], sub[0])}",)

    def warn(sub: tuple, message: str) -> None:
        doc.warn(at(sub), message)

    start, end = slide.get("start_date"), slide.get("end_date")
    if not isinstance(start, dict):
        warn((), "no start_date: skipped")
        return
    try:
        date = edtf(start, end if isinstance(end, dict) else None, warn)
    except Unstorable as exc:
        warn(("start_date",), f"{exc}: skipped")
        return
    if era and "/" not in date:
        warn(("end_date",), "an era without an end: kept as an event at its start")
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    headline, head_links = to_text(_string(text.get("headline")))
    body, links = to_text(_string(text.get("text")))
    event: dict = {"id": "", "date": date, "title": headline}
    media = slide.get("media") if isinstance(slide.get("media"), dict) else {}
    caption, caption_links = to_text(_string(media.get("caption")))
    credit, credit_links = to_text(_string(media.get("credit")))
    if not headline:
        fallback = (body or caption).split("\n")[0]
        event["title"] = fallback[:100].rstrip() + ("…" if len(fallback) > 100 else "") if fallback else "(no headline)"
        warn(("text", "headline"), f"no headline: the title is {event['title']!r}")
    display = to_text(_string(slide.get("display_date")).strip())[0]
    shown = parse_edtf(date).display()
    if display.startswith(f"{shown} (") and display.endswith(")"):
        display = display[len(shown) + 2:-1]  # "6 Sep 2024 (on Friday)", as written by render()
    if display and display != shown:
        event["date_text"] = display
    if body:
        event["summary"] = body
    location = slide.get("location")
    if isinstance(location, dict):
        where = _string(location.get("name")).strip()
        lat, lon = location.get("lat"), location.get("lon")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and not isinstance(lat, bool):
            where = f"{where} ({lat}, {lon})" if where else f"{lat}, {lon}"
        if where:
            event["place"] = where
    sources: list[str] = []
    url = _string(media.get("url")).strip()
    if url:
        kind, image = source_kind(url)
        if url.lstrip().startswith("<"):
            # an embed code (<iframe ...>, <blockquote class="twitter-tweet">) rather than a URL
            embed_text, embed_links = to_text(url)
            links = embed_links + links
            if embed_text:
                event["summary"] = f"{body}\n\n{embed_text}" if body else embed_text
            warn(("media", "url"), "an embed code, not a URL: its text is kept in the summary, its links as sources")
        else:
            sources.append(doc.source(title=caption or credit or headline or url, url=url, kind=kind,
                                      publisher=credit if caption and credit else None))
            if image:
                warn(("media",), "an image URL, kept as a source of kind other")
    for link_url, label in head_links + links + caption_links + credit_links:
        source_id = doc.source(title=label or link_url, url=link_url)
        if source_id not in sources:
            sources.append(source_id)
    if sources:
        event["sources"] = sources
    tags = ["era"] if era else []
    group = to_text(_string(slide.get("group")))[0].strip()
    if group and group not in tags:
        tags.append(group)
    if tags:
        event["tags"] = tags
    wanted = _string(slide.get("unique_id")).strip()
    event["id"] = doc.new_id("events", wanted or event["title"], "event")
    if wanted and event["id"] != wanted:
        warn(("unique_id",), f"unique_id {wanted!r} is not a valid or unique id: it became {event['id']!r}")
    for key in ("background", "autolink"):
        if slide.get(key) not in (None, "", {}):
            doc.tally(key, at((key,)), f"{key} not kept (presentation only)")
    if media.get("thumbnail"):
        doc.tally("thumbnail", at(("media", "thumbnail")), "media thumbnail not kept")
    unknown = sorted(k for k in slide if k not in _KNOWN)
    if unknown:
        warn((), f"{', '.join(map(repr, unknown))} not kept")
    doc.events.append(event)


# --- out ------------------------------------------------------------------------------------

def _parts(point) -> dict:
    parts = {"year": str(point.year)}
    for name in ("month", "day", "hour", "minute", "second"):
        value = getattr(point, name)
        if value is None:
            break
        parts[name] = str(value)
    return parts


def display_date(edate: EDate, date_text: str | None) -> str | None:
    """What TimelineJS should show as the date, when its own rendering of the parts would
    lose something: a qualifier, an offset, an open end, or the source's own words (shown
    after the date, never instead of it)."""
    needs = bool(edate.qualifier) or bool(date_text) or (edate.interval and (edate.start is None or edate.end is None)) \
        or any(p is not None and p.offset for p in (edate.start, edate.end))
    if not needs:
        return None
    return f"{edate.display()} ({date_text})" if date_text else edate.display()


class _Text(msgspec.Struct, gc=False):
    headline: str
    text: str


class _Slide(msgspec.Struct, omit_defaults=True, kw_only=True, gc=False):
    """A slide as TimelineJS reads it; encoded in this field order, without the absent ones
    (the same JSON as the dict it replaces, built and encoded for less)."""

    start_date: dict
    end_date: dict | None = None
    display_date: str | None = None
    text: _Text
    media: dict | None = None
    group: str | None = None
    unique_id: str


_PLAIN_DATE = re.compile(r"[0-9/-]+")
"""A stored date without a qualifier, an open end or a time (so without an offset):
TimelineJS shows its parts as they are, and it needs no display_date."""
_DAY_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}){0,2}(?:/[0-9]{4}(?:-[0-9]{2}){0,2})?")
"""A year, month or day, or an interval between two of them: its parts are its own digits."""
_PART_NAMES = ("year", "month", "day")


def _day_parts(text: str) -> dict:
    """``_parts`` of a point written as ``_DAY_DATE`` holds it (2024-09-06), from its text."""
    return dict(zip(_PART_NAMES, map(str, map(int, text.split("-")))))


class _Writer:
    """Slides for one timeline, made with as little Python per event as the format allows.

    What recurs is made once and looked up: each actor's and source's escaped HTML (a 100k
    export names 5k actors and 20k sources some 500k times), each distinct set of sources
    (its paragraph and media) and of tags (its paragraph and group), and each distinct
    date's parts and display (events share dates). Whether a batch of slides needs
    ``json_safe`` is told before encoding by searching the data's own strings
    (``jsontext.inert``): what is made once (names, links, dates) is checked when it is
    made, so the search covers each event's and quote's text and not the markup and links
    around it. ``escape`` only ever writes ASCII, so the strings say what their HTML would.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._actors: dict[str, str] = {actor_id: escape(a.name) for actor_id, a in timeline.actors.items()}
        """Every actor's name, escaped (an event's names are then joined in one C call)."""
        self._sources: dict[str, tuple[str, dict | None]] = {}
        self._source_sets: dict[tuple, tuple[str | None, dict | None]] = {}
        self._tag_sets: dict[tuple, tuple[str, str]] = {}
        self._said: dict[str, str] = {}
        self._dates: dict[str, tuple] = {}
        self.unsafe = not inert("".join(self._actors.values()))
        """Something made once is not inert (a name, a link, a date): every batch from then
        on goes through json_safe (which leaves inert JSON as it is)."""

    def _made(self, text: str) -> str:
        if not inert(text):
            self.unsafe = True
        return text

    def actor(self, actor_id: str) -> str:
        html = self._actors.get(actor_id)
        if html is None:
            html = self._actors[actor_id] = self._made(escape(self.timeline.actor_name(actor_id)))
        return html

    def source(self, source_id: str) -> tuple[str, dict | None]:
        """(the source as a link or text, the media it makes if it has an http(s) URL)."""
        cached = self._sources.get(source_id)
        if cached is None:
            s = self.timeline.sources.get(source_id)
            if s is None:
                cached = ("", None)
            else:
                label = escape(s.title) + (f" ({escape(s.publisher)})" if s.publisher else "")
                url = safe_url(s.url)
                media = None
                if url:
                    media = {"url": url, "caption": escape(s.title)}
                    if s.publisher:
                        media["credit"] = escape(s.publisher)
                    self._made(url)
                cached = (self._made(f'<a href="{escape(url)}">{label}</a>' if url else label), media)
            self._sources[source_id] = cached
        return cached

    def source_set(self, ids) -> tuple[str | None, dict | None]:
        """(the Sources paragraph or None, the media of the first source that has one) for
        an event's sources (ids, or refs carrying a stance)."""
        links = [self.source(i if i.__class__ is str else i.source) for i in ids]
        shown = [link for link, _ in links if link]
        paragraph = "<p><strong>Sources:</strong> " + "; ".join(shown) + "</p>" if shown else None
        return paragraph, next((media for _, media in links if media), None)

    def tag_set(self, tags: tuple) -> tuple[str, str]:
        """(the Tags paragraph, the group) for an event's tags (checked when made)."""
        made = self._tag_sets[tags] = (
            "<p><strong>Tags:</strong> " + ", ".join([escape(t) for t in tags]) + "</p>",
            escape(tags[0]))
        self._made("".join(tags))
        return made

    def date(self, pos: int, key: str) -> tuple:
        """(start parts, end parts or None, its display escaped, whether it is shown without
        words) for the date of the event at ``pos``, made once per distinct date (``key``: the
        event's own text of it). A year, month or day (or an interval of two) is read from its
        own digits and never shown without words; its display (None) is made when an event
        with words for its date needs it (``shown``)."""
        if _DAY_DATE.fullmatch(key):
            start, _, end = key.partition("/")
            cached = self._dates[key] = (_day_parts(start), _day_parts(end) if end else None, None, False)
            return cached
        edate = self.timeline.dates[pos]
        start = edate.start or edate.end
        end = _parts(edate.end) if edate.interval and edate.start is not None and edate.end is not None else None
        shown = self._made(escape(edate.display()))
        bare = False if _PLAIN_DATE.fullmatch(key) else display_date(edate, None) is not None
        cached = self._dates[key] = (_parts(start), end, shown, bare)
        return cached

    def shown(self, pos: int, key: str) -> str:
        """The display of the date of the event at ``pos``, escaped (``date`` leaves it None)."""
        start, end, shown, bare = self._dates[key]
        if shown is None:
            shown = self._made(escape(self.timeline.dates[pos].display()))
            self._dates[key] = (start, end, shown, bare)
        return shown

    def names(self, actors: list, texts: list[str]) -> str:
        """An event's actors as HTML, each with its role; a role goes into ``texts``."""
        names = []
        for a in actors:
            if a.__class__ is str:
                names.append(self._actors.get(a) or self.actor(a))
            elif a.role:
                names.append((self._actors.get(a.actor) or self.actor(a.actor)) + f" ({escape(a.role)})")
                texts.append(a.role)
            else:
                names.append(self._actors.get(a.actor) or self.actor(a.actor))
        return ", ".join(names)

    def slides(self, positions: Sequence[int], texts: list[str]) -> list[_Slide]:
        """Slides for these positions; their events and quotes read together (a big file's
        records are read back from it, and one read of many costs far less than many reads).
        The data's own strings of each slide go into ``texts``, to be checked: its title,
        summary, place, words for the date, roles, quotes, tags, confidence, note and id
        (``_made`` checks the rest)."""
        timeline = self.timeline
        events = timeline.events_at(positions)
        quotes = timeline.quotes_of(positions)
        count = timeline.quote_count
        actors, said_of, dates = self._actors, self._said, self._dates
        source_sets, tag_sets = self._source_sets, self._tag_sets
        out: list[_Slide] = []
        add = texts.append
        q = 0
        for pos, e in zip(positions, events):
            start, end, shown, bare = dates.get(e.date) or self.date(pos, e.date)
            display = None
            if e.date_text:
                display = f"{shown or self.shown(pos, e.date)} ({escape(e.date_text)})"
                add(e.date_text)
            elif bare:
                display = shown
            title = e.title
            add(title)
            # the event's summary, place, actors, quotes, sources and note as HTML; every string escaped
            html: list[str] = []
            if e.summary:
                html.append("<p>" + escape(e.summary).replace("\n", "<br>") + "</p>")
                add(e.summary)
            if e.place:
                html.append("<p><strong>Place:</strong> " + escape(e.place) + "</p>")
                add(e.place)
            if e.actors:
                try:  # ids of known actors (most events): joined in C
                    names = ", ".join(map(actors.__getitem__, e.actors))
                except (KeyError, TypeError):  # an unknown id, or an actor with a role
                    names = self.names(e.actors, texts)
                html.append("<p><strong>Actors:</strong> " + names + "</p>")
            n = count(pos)
            if n:
                for quote in quotes[q:q + n]:
                    said = ""
                    if quote.said:
                        said = said_of.get(quote.said)
                        if said is None:
                            said = said_of[quote.said] = self._made(f", {escape(parse_edtf(quote.said).display())}")
                    html.append(f"<blockquote>“{escape(quote.text)}” — "
                                f"{actors.get(quote.speaker) or self.actor(quote.speaker)}{said}</blockquote>")
                    add(quote.text)
                q += n
            media = None
            if e.sources:
                try:
                    key = tuple(e.sources)
                    paragraph, media = source_sets.get(key) or source_sets.setdefault(key, self.source_set(key))
                except TypeError:  # a source ref with a stance (not hashable)
                    paragraph, media = self.source_set(e.sources)
                if paragraph:
                    html.append(paragraph)
            group = None
            if e.tags:
                key = tuple(e.tags)
                paragraph, group = tag_sets.get(key) or self.tag_set(key)
                html.append(paragraph)
            if e.confidence != "confirmed":
                html.append("<p><strong>Confidence:</strong> " + escape(e.confidence) + "</p>")
                add(e.confidence)
            if e.note:
                html.append("<p><strong>Note:</strong> " + escape(e.note) + "</p>")
                add(e.note)
            add(e.id)
            out.append(_Slide(start_date=start, end_date=end, display_date=display,
                              text=_Text(escape(title), "".join(html)), media=media, group=group,
                              unique_id=e.id))
        return out


def _head(timeline: Timeline, query: str) -> dict:
    title = timeline.title + (f" (filtered: {query})" if query else "")
    head = {"headline": escape(title)}
    if timeline.description:
        head["text"] = "<p>" + escape(timeline.description) + "</p>"
    return {"title": {"text": head}}


def render(timeline: Timeline, positions: Sequence[int], query: str = "") -> Iterator[bytes]:
    """The TimelineJS3 JSON, in chunks. DEL, C1, bidi and zero-width characters are written
    as \\u escapes (``jsontext.json_safe``), as in ``--format json``: inert on a terminal."""
    from ..jsontext import json_safe as _json_safe

    from .halves import in_two

    writer = _Writer(timeline)

    def slides(part: Sequence[int], after: bool) -> Iterator[bytes]:
        for i in range(0, len(part), 2000):
            enabled = gc.isenabled()
            gc.disable()  # as while loading: a batch's new objects hold no cycles (its passes cost ~10 %)
            try:
                texts: list[str] = []
                chunk = msgspec.json.encode(writer.slides(part[i:i + 2000], texts))[1:-1]
                chunk = chunk.replace(b'},{"start_date"', b'},\n{"start_date"')
                if writer.unsafe or not inert("".join(texts)):
                    chunk = _json_safe(chunk)
            finally:
                if enabled:
                    gc.enable()
            yield (b"," if i or after else b"") + b"\n" + chunk

    yield _json_safe(msgspec.json.encode(_head(timeline, query)))[:-1] + b', "events": ['
    yield from in_two(slides, positions)  # a big export on both cores
    yield b"\n]}\n"
