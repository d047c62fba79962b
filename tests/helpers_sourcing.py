"""A synthetic timeline that exercises every part of the sourcing report: syndicated copies
and ``via`` chains, sources without a URL, published early or with a qualified date,
translations with and without their original, speakers from inside and outside the event,
notes naming outlets, every stance with and without a note, quotes tied to no event, and
events written out of date order. Deterministic (one seeded ``random.Random``), so a report
of it can be compared byte for byte across versions of the code.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PUBLISHERS = ["Reuters", "AP", "CNN", "El País", "Infobae", "Folha", "La Nación", "Efecto Cocuyo"]
LANGUAGES = ["en", "es", "pt-BR", None]


def _date(r: random.Random) -> str:
    year, month, day = 2020 + r.randrange(6), 1 + r.randrange(12), 1 + r.randrange(28)
    shape = r.random()
    if shape < 0.6:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if shape < 0.8:
        return f"{year:04d}-{month:02d}"
    if shape < 0.9:
        return f"{year:04d}-{month:02d}-{day:02d}~"
    return f"{year:04d}"


def synthetic(events: int = 10_000, seed: int = 0) -> dict:
    r = random.Random(seed)
    actors = [{"id": f"a-{i}", "name": f"Actor {i}", "kind": "person"} for i in range(max(4, events // 50))]
    actors += [{"id": f"outlet-{i}", "name": p, "kind": "organization"} for i, p in enumerate(PUBLISHERS[:3])]
    sources = []
    for i in range(max(6, events // 5)):
        s: dict = {"id": f"s-{i}", "kind": "article", "title": f"Report {i}"}
        shape = r.random()
        if shape < 0.1:
            s["kind"] = "social-post"
            s["publisher"] = "X"
            s["author"] = f"a-{r.randrange(len(actors) - 3)}"
        elif shape < 0.95:
            s["publisher"] = r.choice(PUBLISHERS)
        if r.random() < 0.8:
            s["url"] = f"https://example.org/{i}"
        if r.random() < 0.85:
            s["published"] = _date(r)
        if i and r.random() < 0.25:
            s["via"] = f"s-{r.randrange(i)}"  # only earlier sources: no loop
        language = r.choice(LANGUAGES)
        if language:
            s["language"] = language
        sources.append(s)
    out_events = []
    for i in range(events):
        e: dict = {"id": f"ev-{i}", "date": _date(r), "title": f"Event {i}"}
        cited = r.sample(range(len(sources)), 1 + (r.random() < 0.45) + (r.random() < 0.15))
        refs: list = []
        for k in cited:
            shape = r.random()
            if shape < 0.8:
                refs.append(f"s-{k}")
            else:
                ref: dict = {"source": f"s-{k}", "stance": r.choice(["supports", "disputes", "mentions"])}
                if r.random() < 0.5:
                    ref["note"] = f"says otherwise about event {i}" if ref["stance"] == "disputes" else "in passing"
                refs.append(ref)
        if r.random() > 0.01:
            e["sources"] = refs
        e["actors"] = [f"a-{a}" for a in r.sample(range(len(actors) - 3), 1 + (r.random() < 0.5))]
        shape = r.random()
        if shape < 0.12:
            e["confidence"] = "reported"
        elif shape < 0.17:
            e["confidence"] = "disputed"
        if r.random() < 0.08:
            e["note"] = f"As {r.choice(PUBLISHERS + ['BBC', 'Le Monde'])} reported the next day."
        out_events.append(e)
    quotes = []
    for i in range(events):
        q: dict = {"id": f"q-{i}", "text": f"Words {i}", "source": f"s-{r.randrange(len(sources))}"}
        tied = r.random() < 0.9
        if tied:
            event = out_events[r.randrange(events)]
            q["event"] = event["id"]
            q["speaker"] = r.choice(event["actors"]) if r.random() < 0.6 else f"a-{r.randrange(len(actors) - 3)}"
        else:
            q["speaker"] = f"a-{r.randrange(len(actors) - 3)}"
        language = r.choice(LANGUAGES)
        if language:
            q["language"] = language
            if r.random() < 0.3:
                q["original"] = f"Palabras {i}"
        quotes.append(q)
    return {"format": "timeline/1", "title": "Synthetic sourcing", "actors": actors, "sources": sources,
            "events": out_events, "quotes": quotes}


def write_synthetic(path: Path, events: int = 10_000, seed: int = 0) -> Path:
    path.write_text(json.dumps(synthetic(events, seed), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
