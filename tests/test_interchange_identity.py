"""The fast import and export write exactly what the first, plain versions wrote.

``tui/interchange`` reads a CSV and writes TimelineJS with batch work (both cores, one pass
over joined strings) instead of one small step per row. These digests were taken from the
plain per-row code on 3 Dec 2026 (commit 7918c47), on the benchmark's own 10k file
(``bench/generate.py 10k --seed 0``), so any byte the fast paths write differently fails here.
Import and export are checked in one process and on both cores (``halves``): they must agree.

If a digest changes on purpose (a new field, another escape), say why in the commit and take
the new digest from the printed message; the guards on the inputs tell a changed generator or
CSV writer apart from a changed importer.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.interchange import convert
from tui.interchange import halves, table
from tui.interchange.opening import encode
from tui.output import render
from tui.store import load

ROOT = Path(__file__).resolve().parent.parent

GENERATED = "ae20321b7ceeab74c76d5a4eaf93ea43da4305aeddef8864447dc41a7d46e751"
DIGESTS = {  # (input, what): sha256 of the bytes the plain per-row code wrote
    ("plain", "csv"): "3f0778c7a1e840193d3d9fd34920586ee0521b297bcf0aabef14eaf69962b2bf",
    ("plain", "imported"): "e8aafa2e6b544623d9539b50f6daf69f2ae76db0b0ae767606fb478191bacd4f",
    ("plain", "report"): "4fe787aa56ee56dcff6f9cb44f3f56aab7c3c74f61f2bbc36c05eb793116189c",
    ("plain", "timelinejs"): "1385a710ace389a65fdff8ac6241863c4d09d523f987a5be50eec7a67deaf723",
    ("plain", "timelinejs-imported"): "6164c9f5decb4353159d0b352f89bec39dcf70bc472b2f63532f21b8fff96519",
    ("hostile", "csv"): "663fbd75f3a266ce8f90d00d2cbe9ae58d1f14646b66b0723773be3dfb163096",
    ("hostile", "imported"): "219c9f2051c5cc17b946e2719a29496487d9b0eb5b777a520126b82345a44abe",
    ("hostile", "report"): "ae099b035149e018d4ef21dc978d0e7efd3b6a1d724dd0f07a370813a9d01a53",
    ("hostile", "timelinejs"): "a3328630a39914f65f373aa1a996c0f6f65608c634cd6c32dce93c979f1a1e03",
    ("hostile", "timelinejs-imported"): "6ac0b1698064137960741b9db8d51d52e572eb166a074a398d582db906ac1326",
}
HOSTILE = ("<img src=x onerror=alert(1)>", "Tom & Jerry \"said\" 'so' &amp; <b>", "bidi \u202eevil\u202c here",
           "del\x7f c1\x85 zw\u200b ls\u2028 bom\ufeff", "=SUM(A1)", "[bold]markup[/] \x1b[31m", "two\nlines")
"""Text that must stay text: HTML, entities, quotes, bidi and invisible characters, a formula, markup."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _joined(chunks) -> bytes:
    return b"".join(c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks)


def _hostile(doc: dict) -> dict:
    """The same timeline with hostile text in every kind of string the exports write."""
    def spoil(record: dict, key: str, i: int) -> None:
        if isinstance(record.get(key), str):
            record[key] = f"{record[key]} {HOSTILE[i % len(HOSTILE)]}"

    for i, actor in enumerate(doc["actors"]):
        if i % 4 == 0:
            spoil(actor, "name", i)
    for i, source in enumerate(doc["sources"]):
        if i % 3 == 0:
            spoil(source, "title", i)
            spoil(source, "publisher", i + 1)
    for i, event in enumerate(doc["events"]):
        for n, key in enumerate(("title", "summary", "place", "note", "date_text")):
            if (i + n) % 5 == 0:
                spoil(event, key, i + n)
        if i % 7 == 0 and event.get("tags"):
            event["tags"][0] += " <i>&"
    for i, quote in enumerate(doc["quotes"]):
        if i % 6 == 0:
            spoil(quote, "text", i)
    return doc


@pytest.fixture(scope="module", params=["plain", "hostile"])
def files(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    path = folder / "events-10k.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "10k", "--seed", "0", "-o", str(path)],
                   check=True, capture_output=True)
    assert _digest(path.read_bytes()) == GENERATED, "bench/generate.py changed: these digests need retaking"
    if request.param == "hostile":
        path.write_text(json.dumps(_hostile(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    timeline = load([str(path)], cache=False)
    csv_path = folder / "events-10k.csv"
    csv_path.write_bytes(_joined(render(timeline, range(len(timeline)), "csv")))
    expect(request.param, "csv", csv_path.read_bytes(), "the CSV writer changed: the import digests need retaking")
    return request.param, csv_path, timeline


def expect(kind: str, what: str, data: bytes, why: str = "") -> None:
    digest = _digest(data)
    assert digest == DIGESTS[kind, what], f"{kind} {what}: {digest} {why}"


@pytest.mark.parametrize("halves_from", [table.HALVES_FROM, 1 << 40], ids=["both-cores", "one-process"])
def test_csv_import_writes_the_same_document_and_warnings(files, monkeypatch, halves_from):
    kind, csv_path, _ = files
    assert csv_path.stat().st_size >= table.HALVES_FROM  # the default reads this file on both cores
    monkeypatch.setattr(table, "HALVES_FROM", halves_from)
    conversion = convert(str(csv_path))
    expect(kind, "imported", encode(conversion))  # first: a big file's later events are still JSON
    expect(kind, "report", "\n".join(conversion.report()).replace(str(csv_path), "FILE").encode("utf-8"))
    assert conversion.counts()["events"] == len(conversion.document["events"]) == 10_000
    expect(kind, "imported", encode(conversion))  # the same, once the document is decoded whole


@pytest.mark.parametrize("halves_from", [halves.HALVES_FROM, 1_000], ids=["one-process", "both-cores"])
def test_timelinejs_export_writes_the_same_bytes(files, monkeypatch, halves_from, tmp_path):
    kind, _, timeline = files
    monkeypatch.setattr(halves, "HALVES_FROM", halves_from)
    out = _joined(render(timeline, range(len(timeline)), "timelinejs"))
    expect(kind, "timelinejs", out)
    exported = tmp_path / "export.json"
    exported.write_bytes(out)
    expect(kind, "timelinejs-imported", encode(convert(str(exported))))


@pytest.mark.parametrize("fails", ["first", "then"])
def test_partner_does_the_childs_steps_itself_when_the_child_fails(fails):
    """If the child stops (here: it raises in one of its steps), the parent's results are
    the same, worked out in the parent."""
    parent = os.getpid()

    def first():
        if fails == "first" and os.getpid() != parent:
            raise RuntimeError("the child fails")
        return [1, "two", None]

    def then(answer):
        if fails == "then" and os.getpid() != parent:
            raise RuntimeError("the child fails")
        return ("got %s" % answer).encode()

    with halves.Partner(first, then) as partner:
        assert partner.receive() == [1, "two", None]
        partner.send(["an", "answer"])
        assert partner.result() == b"got ['an', 'answer']"
