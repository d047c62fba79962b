"""Citations: an event or a quote as text to paste into a draft, with its sources.

An event is one sentence with its date at the precision it was stored ("Sep 2024", never a
made-up day), then each source as "Publisher, 'Title', date, URL" followed by the sources
it is known through ("via ..."). A quote is the words, the speaker, when they were said,
and where they were published. Three styles: ``plain``, ``markdown`` (escaped, links only
for http(s) URLs) and ``apa`` (an APA-like reference list).

Text from the data may hold escape sequences or bidi overrides: every piece goes through
``one_line`` (controls become visible stand-ins), so nothing pasted carries a control
character from the data. Only the line breaks between the parts are ours.
"""

from __future__ import annotations

from .dates import MONTH_NAMES, DateError, EDate, parse_edtf
from .entities import Quote, Source
from .text import clip, md, md_link, one_line

__all__ = ["STYLES", "STYLE_NAMES", "cite_event", "cite_quote"]

STYLES = ("plain", "markdown", "apa")
STYLE_NAMES = {"plain": "Plain text", "markdown": "Markdown", "apa": "APA-like reference"}


def _text(value: str | None, limit: int = 2000) -> str:
    """One line, controls made visible, very long fields cut (a 10 MB title is no citation)."""
    return one_line(clip(value or "", limit))


def _date(text: str | None) -> str:
    if not text:
        return ""
    try:
        return parse_edtf(text).display()
    except DateError:
        return _text(text, 100)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _apa_date(text: str | None) -> str:
    """"(2024, September 6)", "(2024, September)", "(2024)", "(n.d.)", "(ca. 2024)": at
    the stored precision, the start of a range."""
    try:
        point = parse_edtf(text).point if text else None
    except DateError:
        point = None
    if point is None:
        return "(n.d.)"
    out = str(point.year)
    if point.month is not None:
        out += f", {MONTH_NAMES[point.month - 1]}"
        if point.day is not None:
            out += f" {point.day}"
    if point.qualifier:
        out = "ca. " + out if point.qualifier in ("~", "%") else out + "?"
    return f"({out})"


def _source(source: Source, style: str) -> str:
    """One source: Publisher, 'Title', date, URL (Markdown: the title is the link)."""
    publisher, title, date = _text(source.publisher), _text(source.title), _date(source.published)
    if style == "markdown":
        parts = [md(publisher)] if publisher else []
        parts.append("‘" + md_link(title, source.url) + "’")
        if date:
            parts.append(md(date))
        return ", ".join(parts)
    parts = [publisher] if publisher else []
    parts.append(f"'{title}'")
    if date:
        parts.append(date)
    if source.url:
        parts.append(_text(source.url))
    return ", ".join(parts)


def _chain(timeline, source_id: str, style: str) -> str:
    """A source and those it is known through."""
    chain = timeline.via_chain(source_id)
    if not chain:
        return f"unknown source {_text(source_id, 200)}"
    if style == "apa":
        return _apa(timeline, chain)
    return ", via ".join(_source(s, style) for s in chain)


def _apa(timeline, chain: list[Source]) -> str:
    """Author or publisher. (date). Title. Publisher. URL — then (via ...)."""
    out = []
    for source in chain:
        author = timeline.actor_name(source.author) if source.author else ""
        who = _text(author) or _text(source.publisher) or _text(source.title)
        parts = [_sentence(who), _apa_date(source.published) + ".", ]
        if who != _text(source.title):
            parts.append(_sentence(_text(source.title)))
        if source.publisher and _text(source.publisher) != who:
            parts.append(_sentence(_text(source.publisher)))
        if source.url:
            parts.append(_text(source.url))
        out.append(" ".join(parts))
    return out[0] + "".join(f" (via {s})" for s in out[1:])


def _event_sentence(edate: EDate, title: str, confidence: str, style: str) -> str:
    date = edate.display()
    remark = "" if confidence == "confirmed" else f" ({confidence})"
    if style == "markdown":
        return f"**{md(date)}**: {_sentence(md(title) + remark)}"
    return f"{date}: {_sentence(title + remark)}"


def cite_event(timeline, position: int, style: str = "plain") -> str:
    """The event at this position, then its sources, in ``style``."""
    event = timeline.events[position]
    lines = [_event_sentence(timeline.dates[position], _text(event.title), event.confidence, style)]
    if event.sources:
        lines.append({"plain": "Sources:", "apa": "References:"}.get(style, ""))
        lead = "- " if style != "apa" else ""
        lines.extend(lead + _chain(timeline, sid, style) for sid in event.source_ids())
    return "\n".join(line for line in lines if line or style == "markdown").rstrip() + "\n"


def cite_quote(timeline, quote: Quote, style: str = "plain") -> str:
    """The quote, its speaker, when it was said, and where: the source it was published in
    (and through which it is known). The event's place is not used: nothing says the words
    were spoken there."""
    words, speaker = _text(quote.text, 5000), _text(timeline.actor_name(quote.speaker))
    said = _date(quote.said)
    where = f"said {said}" if said else ""  # where: the source it was published in, below
    if style == "markdown":
        head = f"> “{md(words)}”\n>\n> — {md(speaker)}" + (f", {md(where)}" if where else "")
        return f"{head}, in {_chain(timeline, quote.source, style)}\n"
    if style == "apa":
        return f"“{words}” ({speaker}{', ' + where if where else ''}). {_chain(timeline, quote.source, style)}\n"
    return f"“{words}” — {speaker}{', ' + where if where else ''}. Source: {_chain(timeline, quote.source, style)}\n"
