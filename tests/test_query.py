"""Queries: each filter, date overlap at every precision, the query string and its errors."""

from __future__ import annotations

import itertools

import pytest

from helpers_model import write
from tui.model import Query, QueryError, parse_query, run
from tui.store import load
from tui.model.query import from_options, make_term

# --- a small timeline made for the tests ---------------------------------------------------------------

DATED = [  # (id, date): every precision, intervals, open ends, a span just over and under 400 days
    ("y2023", "2023"), ("y2024", "2024"), ("m-aug", "2024-08"), ("m-sep", "2024-09"), ("m-oct", "2024-10"),
    ("d-aug31", "2024-08-31"), ("d-sep01", "2024-09-01"), ("d-sep30", "2024-09-30"), ("d-oct01", "2024-10-01"),
    ("t-aug31-late", "2024-08-31T23:59"), ("t-sep01-early", "2024-09-01T00:00"),
    ("t-sep30-late", "2024-09-30T23:59:59Z"), ("t-oct01-early", "2024-10-01T00:00-04:00"),
    ("iv-aug-sep", "2024-08-20/2024-09-02"), ("iv-july", "2024-07-01/2024-07-31"),
    ("iv-366-days", "2024-01-01/2024-12-31"), ("iv-455-days", "2023-06/2024-08-29"),
    ("open-end", "2024-09-15/.."), ("open-start", "../2024-08-15"), ("long", "2010/2030"),
    ("open-end-late", "2025-01/.."), ("approx", "2024-09-06~"),
]

TEXT_EVENTS = [
    {"id": "t-title", "date": "2024-09-06", "title": "Power cut at the Núñez residence", "sources": ["s"],
     "actors": ["edmundo", "ana"], "tags": ["power-cut", "siege"]},
    {"id": "t-summary", "date": "2024-09-07", "title": "Second day", "summary": "The POWER was CUT again",
     "sources": ["s"], "actors": ["omar"], "tags": ["blackout"], "confidence": "reported"},
    {"id": "t-place", "date": "2024-09-08", "title": "Elsewhere", "place": "Plaza Bolívar, Caracas",
     "sources": ["s"], "actors": ["maduro"], "tags": ["icc"], "confidence": "disputed"},
    {"id": "t-note", "date": "2024-09-09", "title": "Noted", "note": "Sources disagree about the crowd",
     "sources": ["s"], "actors": [{"actor": "ana", "role": "witness"}]},
    {"id": "t-quote", "date": "2024-09-10", "title": "Quoted", "sources": ["s"], "tags": ["siege"]},
]

ACTORS = [
    {"id": "edmundo", "name": "Edmundo González", "kind": "person", "aliases": ["González Urrutia", "EGU"]},
    {"id": "omar", "name": "Omar González", "kind": "person"},
    {"id": "maduro", "name": "Nicolás Maduro", "kind": "person", "aliases": ["Maduro"]},
    {"id": "ana", "name": "Ana Núñez", "kind": "person"},
    {"id": "silent", "name": "Nobody Special", "kind": "person"},
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    data = {
        "format": "timeline/1", "title": "Query tests", "actors": ACTORS,
        "sources": [{"id": "s", "kind": "article", "title": "S"}],
        "events": [{"id": i, "date": d, "title": f"dated {i}", "sources": ["s"]} for i, d in DATED] + TEXT_EVENTS,
        "quotes": [{"id": "q", "text": "We will not leave the embassy", "original": "No saldremos de la embajada",
                    "speaker": "ana", "source": "s", "event": "t-quote"}],
    }
    return load(write(tmp_path_factory.mktemp("q") / "q.json", data))


@pytest.fixture(scope="module")
def bundled():
    return load()


def ids(sample, query) -> list[str]:
    """Ids of matching events, in the order returned (date order)."""
    if isinstance(query, str):
        query = parse_query(query)
    return [sample.events[p].id for p in run(sample, query).positions]


def idset(sample, query) -> set[str]:
    return set(ids(sample, query))


def test_empty_query_matches_everything_in_date_order(sample):
    result = ids(sample, Query())
    assert len(result) == len(sample)
    lowers = [sample.dates[sample.position[i]].lower for i in result]
    assert lowers == sorted(lowers)
    assert not Query() and ids(sample, "") == result


# --- actor ---------------------------------------------------------------------------------------

def test_actor_by_id_name_and_alias(sample):
    assert idset(sample, "actor:maduro") == {"t-place"}
    assert idset(sample, 'actor:"Nicolás Maduro"') == {"t-place"}
    assert idset(sample, "actor:EGU") == {"t-title"}
    assert idset(sample, 'actor:"gonzalez urrutia"') == {"t-title"}


def test_actor_is_case_and_accent_insensitive(sample):
    assert idset(sample, 'actor:"NICOLAS MADURO"') == {"t-place"}
    assert idset(sample, "actor:nunez") == {"t-title", "t-note"}  # a plain id ref and an {actor, role}


def test_a_name_that_matches_several_actors_matches_all_with_a_note(sample):
    result = run(sample, parse_query("actor:gonzalez"))
    assert {sample.events[p].id for p in result.positions} == {"t-title", "t-summary"}
    assert len(result.notes) == 1
    note = result.notes[0]
    assert "'gonzalez' matches 2 actors" in note and "edmundo (Edmundo González)" in note
    assert "omar (Omar González)" in note and "use an id" in note
    # the caller says which by id
    assert idset(sample, "actor:omar") == {"t-summary"}
    assert run(sample, parse_query("actor:omar")).notes == []


def test_gonzalez_on_the_bundled_dataset(bundled):
    result = run(bundled, parse_query("actor:gonzalez"))
    expected = {e.id for e in bundled.events if {"edmundo-gonzalez", "omar-gonzalez"} & set(e.actor_ids())}
    assert {bundled.events[p].id for p in result.positions} == expected
    assert "Edmundo González" in result.notes[0] and "Omar González" in result.notes[0]


def test_unknown_actor_is_an_error(sample):
    with pytest.raises(QueryError, match="no actor matches 'nobody-at-all'"):
        run(sample, parse_query("actor:nobody-at-all"))


def test_actor_with_no_events_matches_nothing(sample):
    assert ids(sample, "actor:silent") == []


def test_actor_or_and_and(sample):
    assert idset(sample, "actor:maduro,omar") == {"t-place", "t-summary"}
    assert idset(sample, "actor:edmundo actor:ana") == {"t-title"}
    assert idset(sample, "actor:ana -actor:edmundo") == {"t-note"}


# --- dates: overlap at every precision --------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ("from:2024-09 to:2024-09", {"y2024", "m-sep", "d-sep01", "d-sep30", "t-sep01-early", "t-sep30-late",
                                     "iv-aug-sep", "iv-366-days", "open-end", "long", "approx"}),
        # --to 2024-09 includes 30 Sep (to the last second) but not 1 Oct
        ("to:2024-09", {"y2023", "y2024", "m-aug", "m-sep", "d-aug31", "d-sep01", "d-sep30", "t-aug31-late",
                        "t-sep01-early", "t-sep30-late", "iv-aug-sep", "iv-july", "iv-366-days", "iv-455-days",
                        "open-end", "open-start", "long", "approx"}),
        ("from:2024-10", {"y2024", "m-oct", "d-oct01", "t-oct01-early", "iv-366-days", "open-end", "long",
                          "open-end-late"}),
        ("from:2024-09-01 to:2024-09-01", {"y2024", "m-sep", "d-sep01", "t-sep01-early", "iv-aug-sep",
                                           "iv-366-days", "long"}),
        ("to:2024-08-31", {"y2023", "y2024", "m-aug", "d-aug31", "t-aug31-late", "iv-aug-sep", "iv-july",
                           "iv-366-days", "iv-455-days", "open-start", "long"}),
        ("from:2024-08-30 to:2024-08-30", {"y2024", "m-aug", "iv-aug-sep", "iv-366-days", "long"}),
        ("from:2023 to:2023", {"y2023", "iv-455-days", "open-start", "long"}),
        ("from:2031", {"open-end", "open-end-late"}),
        ("to:2009", {"open-start"}),
        ('from:"30 Sep 2024 23:59" to:"30 Sep 2024 23:59"', {"y2024", "m-sep", "d-sep30", "t-sep30-late",
                                                              "iv-366-days", "open-end", "long"}),
        ("date:2024-09-06", {"y2024", "m-sep", "iv-366-days", "long", "approx"}),
        ('from:"6 Sep 2024" to:"6 September 2024"', {"y2024", "m-sep", "iv-366-days", "long", "approx"}),
    ],
)
def test_date_range_overlap(sample, query, expected):
    dated = {i for i, _ in DATED}
    assert idset(sample, query) & dated == expected


WINDOWS = ["2009", "2023", "2023-12", "2024", "2024-08", "2024-08-15", "2024-08-31", "2024-08-31T23:59",
           "2024-09", "2024-09-01", "2024-09-01T00:00", "2024-09-30", "2024-10-01", "2024-12", "2030", "2031"]


def test_overlap_matches_a_brute_force_reading_for_many_ranges(sample):
    """Every pair of bounds, at every precision: an event matches when [lower, upper] meets the
    range [from.lower, to.upper]."""
    from tui.model.dates import parse_user_date

    for a, b in itertools.product([None, *WINDOWS], repeat=2):
        lo = parse_user_date(a).lower if a else None
        hi = parse_user_date(b).upper if b else None
        if lo is not None and hi is not None and lo > hi:
            continue
        query = " ".join(([f"from:{a}"] if a else []) + ([f"to:{b}"] if b else []))
        expected = [e.id for e, d in zip(sample.events, sample.dates)
                    if (lo is None or d.upper >= lo) and (hi is None or d.lower <= hi)]
        assert ids(sample, query) == expected, query


def test_everyday_date_forms_in_queries(sample):
    assert idset(sample, 'from:"September 2024" to:"September 2024"') == idset(sample, "date:2024-09")
    assert idset(sample, "from:2024 to:2024") == idset(sample, "date:2024")


def test_reversed_range_is_an_error(sample):
    for text in ("from:2024-09-30 to:2024-09-01", "from:2025 to:2024", "date:2024-09 from:2024-10"):
        with pytest.raises(QueryError, match="the date range is reversed"):
            run(sample, parse_query(text))
    with pytest.raises(QueryError, match="reversed"):
        from_options(date_from="2024-10", date_to="2024-09")


def test_same_day_range_is_not_reversed(sample):
    assert "d-sep30" in idset(sample, 'from:2024-09-30 to:"30 Sep 2024"')


# --- tag, confidence ---------------------------------------------------------------------------------

def test_tag(sample):
    assert idset(sample, "tag:power-cut") == {"t-title"}
    assert idset(sample, "tag:power-cut,blackout") == {"t-title", "t-summary"}
    assert idset(sample, "tag:power-cut,icc") == {"t-title", "t-place"}
    assert idset(sample, "tag:siege tag:power-cut") == {"t-title"}
    assert idset(sample, "tag:siege -tag:power-cut") == {"t-quote"}
    assert ids(sample, "tag:nonexistent") == []
    assert ids(sample, "tag:POWER-CUT") == []  # tags are exact


def test_negated_tag_alone_keeps_everything_else(sample):
    result = idset(sample, "-tag:power-cut")
    assert result == {e.id for e in sample.events} - {"t-title"}


def test_confidence(sample):
    assert idset(sample, "confidence:reported") == {"t-summary"}
    assert idset(sample, "confidence:reported,disputed") == {"t-summary", "t-place"}
    assert "t-summary" not in idset(sample, "-confidence:reported")
    assert "y2024" in idset(sample, "confidence:confirmed")
    with pytest.raises(QueryError, match="confidence 'sure' is not one of"):
        parse_query("confidence:sure")


# --- free text -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("nunez", {"t-title"}),  # title, accent-insensitive
        ("NÚÑEZ", {"t-title"}),
        ('"power cut"', {"t-title"}),  # a phrase: "POWER was CUT" does not match
        ("power cut", {"t-title", "t-summary"}),  # two words AND, anywhere
        ("again power", {"t-summary"}),
        ("again", {"t-summary"}),  # summary
        ("bolivar", {"t-place"}),  # place
        ("caracas", {"t-place"}),
        ("DISAGREE", {"t-note"}),  # note
        ("embassy", {"t-quote"}),  # quote text
        ("embajada", {"t-quote"}),  # quote original
        ('"we will not"', {"t-quote"}),
        ("-power", None),  # exclusion, checked below
    ],
)
def test_free_text(sample, text, expected):
    if expected is None:
        assert idset(sample, text) == {e.id for e in sample.events} - {"t-title", "t-summary"}
    else:
        assert idset(sample, text) == expected


def test_free_text_finds_tags_with_hyphens_as_spaces(sample):
    assert idset(sample, '"blackout"') == {"t-summary"}
    assert idset(sample, '"power cut siege"') == {"t-title"}  # its tags, one after the other


def test_free_text_never_crosses_from_one_event_to_the_next(sample):
    # t-title's text ends in "siege" (its last tag), t-summary's starts with "second day"
    assert ids(sample, '"siege second"') == []


@pytest.mark.parametrize("needle", ["\u0301", "\u200b", "-"])
def test_text_that_folds_to_nothing_does_not_crash(sample, needle):
    # a lone combining accent folds to "": it once made the text scan read past its offsets
    ids(sample, f'"{needle}"')
    ids(sample, f'tag:siege -"{needle}"')


def test_search_option_is_one_phrase(sample):
    query = from_options(search="power cut")
    assert idset(sample, query) == {"t-title"}
    assert from_options(search="   ") == Query()


def test_free_text_combined_with_filters(sample):
    assert idset(sample, "power actor:omar") == {"t-summary"}
    assert idset(sample, "power from:2024-09-07") == {"t-summary"}


def test_free_text_on_the_bundled_dataset(bundled):
    assert "power-cut-2024-09-06" in idset(bundled, '"cut off the electricity"')  # a quote
    assert idset(bundled, "CRIMINAL") >= {"milei-calls-maduro-criminal"}


# --- the query string ------------------------------------------------------------------------------------

def test_issue_example_parses():
    q = parse_query('actor:maduro from:2024-09 to:2024-09-30 tag:icc "power cut"')
    assert [(t.field, t.values, t.negate) for t in q.terms] == [
        ("actor", ("maduro",), False), ("from", ("2024-09",), False), ("to", ("2024-09-30",), False),
        ("tag", ("icc",), False), ("text", ("power cut",), False),
    ]
    assert q.terms[1].points[0].precision == "month"


def test_query_string_equals_the_flags(sample):
    flags = from_options(actors=["gonzalez"], date_from="2024-09-07", tags=["blackout,icc"])
    assert flags == parse_query("actor:gonzalez from:2024-09-07 tag:blackout,icc")
    assert idset(sample, flags) == {"t-summary"}


def test_qualifiers_are_case_insensitive_and_text_is_a_qualifier():
    assert parse_query("TAG:x Text:hello") == parse_query("tag:x hello")


def test_quoted_values():
    q = parse_query('actor:"Edmundo González" tag:"a b" from:"6 Sep 2024"')
    assert [t.values for t in q.terms] == [("Edmundo González",), ("a b",), ("6 Sep 2024",)]
    assert q.terms[2].points[0].day == 6


def test_query_helpers():
    q = parse_query("tag:a actor:b from:2024")
    assert q.values("tag") == ["a"]
    assert str(q.without_field("tag")) == "actor:b from:2024"
    assert str(q.replacing(["actor"], [make_term("actor", ["c", "d"])])) == "tag:a from:2024 actor:c,d"
    term = make_term("tag", ["a"])
    assert q.add(term) is q
    assert str(q.without(term)) == "actor:b from:2024"


@pytest.mark.parametrize(
    "text",
    [
        'actor:maduro from:2024-09 to:2024-09-30 tag:icc "power cut"',
        "actor:milei,maduro -tag:x",
        'actor:"Edmundo González" -"power cut" tag:"a b"',
        "confidence:reported,disputed date:2024-09",
        'from:"6 Sep 2024" to:"September 2024"',
        "café",
        'tag:"a b",c',
        "",
    ],
)
def test_str_round_trips(text):
    q = parse_query(text)
    assert str(q) == text
    assert parse_query(str(q)) == q


@pytest.mark.parametrize("text", ['"foo:bar"', '"-x"', 'tag:"-x"', 'actor:"a:b"', "tag:a:b", '"http://x.org/a b"',
                                  "http://x.org", 'tag:"a,b"'])
def test_str_round_trips_phrases_that_look_like_syntax(text):
    q = parse_query(text)
    assert parse_query(str(q)) == q


def test_search_flag_round_trips_through_the_query_string():
    for search in ("power cut", "a,b"):
        q = from_options(search=search)
        assert parse_query(str(q)) == q


# --- bad queries point at the bad term ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, term, key, message",
    [
        ("tag:x foo:bar", "foo:bar", "foo", "unknown qualifier 'foo:'"),
        ("tag:x tag:", "tag:", "tag:", "'tag:' needs a value"),
        ("from:banana tag:x", "from:banana", "banana", "from: 'banana' is not a date"),
        ("tag:x to:2024-13", "to:2024-13", "2024-13", "month 13"),
        ("tag:x to:31/06/2024", "to:31/06/2024", "31/06/2024", "is not a date"),
        ("from:2024,2025", "from:2024,2025", "from:", "takes one date"),
        ("tag:x -from:2024", "-from:2024", "-from:", "cannot be negated"),
        ("confidence:sure", "confidence:sure", "sure", "confidence 'sure' is not one of"),
        ('tag:x "power cut', '"power cut', '"power cut', "a quote is not closed"),
        ('tag:x "" y', '""', '""', "an empty phrase matches nothing"),
        ("tag:x -", "-", "-", "'-' needs a value"),
        ("from:2024-09/..", "from:2024-09/..", "2024-09/..", "not an interval"),
        ("to:12/06", "to:12/06", "12/06", "to:"),
        ("tag:x -foo:bar", "-foo:bar", "foo", "unknown qualifier"),
        ('from:"6 Sepp 2024"', 'from:"6 Sepp 2024"', '"6 Sepp 2024"', "is not a date"),
        ("confidence:reported,bogus", "confidence:reported,bogus", "bogus", "'bogus'"),
        ("-confidence:bogus", "-confidence:bogus", "bogus", "'bogus'"),
    ],
)
def test_bad_terms_point_at_themselves(text, term, key, message):
    with pytest.raises(QueryError) as info:
        parse_query(text)
    error = info.value
    assert message in str(error)
    term_start = text.rindex(term)
    highlighted = text[error.start:error.end]
    assert term_start <= error.start < error.end <= term_start + len(term), (error.start, error.end)
    assert key in highlighted, highlighted


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


@pytest.mark.parametrize("bad", ["from:31/06/2024", 'to:"31 June 2024"', "from:0000", 'from:"12 June"',
                                 "to:01/02/2024", 'from:"6 Sep 24"', "from:99999", "from:-2024",
                                 'from:"-6 Sep 2024"'])
def test_bad_dates_in_queries_are_query_errors(bad):
    with pytest.raises(QueryError):
        parse_query(bad)


def test_from_options_bad_values_are_query_errors():
    for kwargs in ({"date_from": "nonsense"}, {"date_to": "31 June 2024"}, {"actors": [""]}, {"tags": [","]},
                   {"query": "foo:bar"}):
        with pytest.raises(QueryError):
            from_options(**kwargs)
