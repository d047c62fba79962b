"""TimelineJS3 JSON (Knight Lab's timeline format) to timeline/1, and back.

In: each slide of ``events`` becomes an event, each of ``eras`` an event tagged ``era``;
``title`` gives the timeline's title and description. The sheet reader (``sheet.py``) turns
its rows into the same slides, so both share ``add_slide``. Mapping tables: docs/interchange.md.

Out: a TimelineJS3 JSON file. Every string from the data is HTML-escaped (TimelineJS puts
headlines and texts into the page as HTML), URLs become links only when they are http(s).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from ..model.dates import EDate
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
    if not looks_like(data):
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
    display = _string(slide.get("display_date")).strip()
    if display:
        event["date_text"] = to_text(display)[0]
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
    lose something: a qualifier, an offset, an open end, or the source's own words."""
    point = edate.point
    needs = bool(edate.qualifier) or (edate.interval and (edate.start is None or edate.end is None)) \
        or any(p is not None and p.offset for p in (edate.start, edate.end))
    shown = edate.display() if needs else None
    if shown and date_text:
        return f"{shown} ({date_text})"
    return shown or date_text or (None if point else edate.display())


def _slide(timeline: Timeline, pos: int) -> dict:
    e = timeline.events[pos]
    edate = timeline.dates[pos]
    start = edate.start or edate.end
    slide: dict = {"start_date": _parts(start)}
    if edate.interval and edate.start is not None and edate.end is not None:
        slide["end_date"] = _parts(edate.end)
    shown = display_date(edate, e.date_text)
    if shown:
        slide["display_date"] = escape(shown)
    slide["text"] = {"headline": escape(e.title), "text": event_html(timeline, pos)}
    media = next((s for s in (timeline.sources.get(i) for i in e.sources) if s and safe_url(s.url)), None)
    if media is not None:
        slide["media"] = {"url": safe_url(media.url), "caption": escape(media.title)}
        if media.publisher:
            slide["media"]["credit"] = escape(media.publisher)
    if e.tags:
        slide["group"] = escape(e.tags[0])
    slide["unique_id"] = e.id
    return slide


def event_html(timeline: Timeline, pos: int) -> str:
    """The event's summary, place, actors, quotes, sources and note as HTML; every string escaped."""
    e = timeline.events[pos]
    out: list[str] = []
    if e.summary:
        out.append("<p>" + escape(e.summary).replace("\n", "<br>") + "</p>")
    if e.place:
        out.append(f"<p><strong>Place:</strong> {escape(e.place)}</p>")
    if e.actors:
        names = [escape(timeline.actor_name(a)) + (f" ({escape(role)})" if role else "")
                 for a, role in e.actor_roles()]
        out.append("<p><strong>Actors:</strong> " + ", ".join(names) + "</p>")
    for q in timeline.quotes_at(pos):
        said = f", {escape(_display(q.said))}" if q.said else ""
        out.append(f"<blockquote>“{escape(q.text)}” — {escape(timeline.actor_name(q.speaker))}{said}</blockquote>")
    links = []
    for source_id in e.sources:
        s = timeline.sources.get(source_id)
        if s is None:
            continue
        label = escape(s.title) + (f" ({escape(s.publisher)})" if s.publisher else "")
        url = safe_url(s.url)
        links.append(f'<a href="{escape(url)}">{label}</a>' if url else label)
    if links:
        out.append("<p><strong>Sources:</strong> " + "; ".join(links) + "</p>")
    if e.tags:
        out.append("<p><strong>Tags:</strong> " + ", ".join(escape(t) for t in e.tags) + "</p>")
    if e.confidence != "confirmed":
        out.append(f"<p><strong>Confidence:</strong> {escape(e.confidence)}</p>")
    if e.note:
        out.append(f"<p><strong>Note:</strong> {escape(e.note)}</p>")
    return "".join(out)


def _display(text: str) -> str:
    from ..model.dates import parse_edtf

    return parse_edtf(text).display()


def document(timeline: Timeline, positions: Sequence[int], query: str = "") -> dict:
    title = timeline.title + (f" (filtered: {query})" if query else "")
    head = {"headline": escape(title)}
    if timeline.description:
        head["text"] = "<p>" + escape(timeline.description) + "</p>"
    return {"title": {"text": head}, "events": [_slide(timeline, pos) for pos in positions]}


def render(timeline: Timeline, positions: Sequence[int], query: str = "") -> Iterator[bytes]:
    """The TimelineJS3 JSON, in chunks; non-ASCII written as \\u escapes (inert on a terminal)."""
    doc = document(timeline, positions, query)
    events = doc.pop("events")
    head = json.dumps(doc, ensure_ascii=True)[:-1]
    yield (head + ', "events": [').encode()
    for i in range(0, len(events), 2000):
        chunk = ",\n".join(json.dumps(s, ensure_ascii=True) for s in events[i:i + 2000])
        yield (("," if i else "") + "\n" + chunk).encode()
    yield b"\n]}\n"
