"""The EDTF subset parser (stored dates) and parse_user_date (dates people type)."""

from __future__ import annotations

import datetime as _dt
import types
from datetime import date

import pytest

from tui.model.dates import MAX_SECOND, MIN_SECOND, DateError, parse_edtf, parse_user_date

DAY = 86400


def sec(y, m, d, hh=0, mm=0, ss=0) -> int:
    """Seconds since 0001-01-01T00:00, the scale the bounds use."""
    return (date(y, m, d).toordinal() - 1) * DAY + hh * 3600 + mm * 60 + ss


# --- points: every form, precision and bounds ------------------------------------------------

@pytest.mark.parametrize(
    "text, precision, lower, upper",
    [
        ("2024", "year", sec(2024, 1, 1), sec(2024, 12, 31, 23, 59, 59)),
        ("2024-03", "month", sec(2024, 3, 1), sec(2024, 3, 31, 23, 59, 59)),
        ("2024-02", "month", sec(2024, 2, 1), sec(2024, 2, 29, 23, 59, 59)),  # leap year
        ("2023-02", "month", sec(2023, 2, 1), sec(2023, 2, 28, 23, 59, 59)),
        ("2024-04", "month", sec(2024, 4, 1), sec(2024, 4, 30, 23, 59, 59)),
        ("2024-12", "month", sec(2024, 12, 1), sec(2024, 12, 31, 23, 59, 59)),
        ("2024-02-29", "day", sec(2024, 2, 29), sec(2024, 2, 29, 23, 59, 59)),
        ("2024-09-06", "day", sec(2024, 9, 6), sec(2024, 9, 6, 23, 59, 59)),
        ("2024-09-06T20:30", "minute", sec(2024, 9, 6, 20, 30), sec(2024, 9, 6, 20, 30, 59)),
        ("2024-09-06T20:30Z", "minute", sec(2024, 9, 6, 20, 30), sec(2024, 9, 6, 20, 30, 59)),
        ("2024-09-06T20:30-04:00", "minute", sec(2024, 9, 6, 20, 30), sec(2024, 9, 6, 20, 30, 59)),
        ("2024-09-06T20:30+05:30", "minute", sec(2024, 9, 6, 20, 30), sec(2024, 9, 6, 20, 30, 59)),
        ("2024-09-06T20:30:15", "second", sec(2024, 9, 6, 20, 30, 15), sec(2024, 9, 6, 20, 30, 15)),
        ("2024-09-06T20:30:15Z", "second", sec(2024, 9, 6, 20, 30, 15), sec(2024, 9, 6, 20, 30, 15)),
        ("2024-09-06T20:30:15+14:00", "second", sec(2024, 9, 6, 20, 30, 15), sec(2024, 9, 6, 20, 30, 15)),
        ("0001", "year", 0, sec(1, 12, 31, 23, 59, 59)),
        ("9999-12-31", "day", sec(9999, 12, 31), sec(9999, 12, 31, 23, 59, 59)),
    ],
)
def test_point_forms_precision_and_bounds(text, precision, lower, upper):
    d = parse_edtf(text)
    assert d.text == text
    assert not d.interval
    assert d.precision == precision
    assert (d.lower, d.upper) == (lower, upper)
    assert d.start is d.end is d.point
    assert d.qualifier == "" and not d.uncertain


def test_point_fields_and_offset_kept():
    p = parse_edtf("2024-09-06T20:30:15-04:00").point
    assert (p.year, p.month, p.day, p.hour, p.minute, p.second) == (2024, 9, 6, 20, 30, 15)
    assert p.offset == "-04:00"
    m = parse_edtf("2024-03").point
    assert (m.year, m.month, m.day, m.hour) == (2024, 3, None, None)
    # offsets are for display only: the wall-clock time is what is compared
    assert parse_edtf("2024-09-06T20:30Z").lower == parse_edtf("2024-09-06T20:30+09:00").lower


@pytest.mark.parametrize("qualifier", ["?", "~", "%"])
@pytest.mark.parametrize("base", ["2024", "2024-03", "2024-03-20", "2024-09-06T20:30", "2024-09-06T20:30:15Z",
                                  "2024-09-06T20:30-04:00"])
def test_qualifiers_on_every_form(base, qualifier):
    plain, qualified = parse_edtf(base), parse_edtf(base + qualifier)
    assert qualified.qualifier == qualifier
    assert qualified.point.qualifier == qualifier
    assert qualified.uncertain
    assert qualified.precision == plain.precision
    assert (qualified.lower, qualified.upper) == (plain.lower, plain.upper)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("2024", "2024"),
        ("2024-03", "Mar 2024"),
        ("2024-03-20", "20 Mar 2024"),
        ("2024-03-20~", "~20 Mar 2024"),
        ("2024-03-20?", "20 Mar 2024?"),
        ("2024-03-20%", "~20 Mar 2024?"),
        ("2024-03~", "~Mar 2024"),
        ("2024?", "2024?"),
        ("2024-09-06T20:30", "6 Sep 2024 20:30"),
        ("2024-09-06T20:30:15", "6 Sep 2024 20:30:15"),
        ("2024-09-06T20:30Z", "6 Sep 2024 20:30 UTC"),
        ("2024-09-06T20:30-04:00", "6 Sep 2024 20:30 -04:00"),
        ("2024-09-08T16:00~", "~8 Sep 2024 16:00"),
        # intervals
        ("2024-09-02/2024-09-03", "2–3 Sep 2024"),
        ("2024-09-30/2024-10-02", "30 Sep – 2 Oct 2024"),
        ("2024-12-30/2025-01-02", "30 Dec 2024 – 2 Jan 2025"),
        ("2024-03/2024-05", "Mar 2024 – May 2024"),
        ("2024/2025", "2024 – 2025"),
        ("2024-11-23/..", "from 23 Nov 2024"),
        ("../2024-11-23", "until 23 Nov 2024"),
        ("../2024-03", "until Mar 2024"),
        ("2024-09-06T20:00-04:00/2024-09-06T20:30-04:00", "6 Sep 2024 20:00–20:30 -04:00"),
        ("2024-09-06T20:00/2024-09-07T01:00", "6 Sep 2024 20:00 – 7 Sep 2024 01:00"),
        ("2024~/2025?", "~2024 – 2025?"),
    ],
)
def test_display_at_stored_precision(text, shown):
    assert parse_edtf(text).display() == shown


def test_display_never_invents_a_day_or_month():
    assert "1" not in parse_edtf("2024-03").display().replace("2024", "")
    assert parse_edtf("2024").display() == "2024"


# --- intervals ---------------------------------------------------------------------------------

def test_closed_interval_bounds_and_precision():
    d = parse_edtf("2024-03/2024-05-10")
    assert d.interval
    assert d.start.precision == "month" and d.end.precision == "day"
    assert d.precision == "month"  # the start stands for the interval
    assert d.lower == sec(2024, 3, 1)
    assert d.upper == sec(2024, 5, 10, 23, 59, 59)


def test_open_end_and_open_start():
    end_open = parse_edtf("2024-11-23/..")
    assert end_open.interval and end_open.end is None
    assert end_open.lower == sec(2024, 11, 23) and end_open.upper == MAX_SECOND
    assert end_open.point is end_open.start

    start_open = parse_edtf("../2024-11-23")
    assert start_open.interval and start_open.start is None
    assert start_open.lower == MIN_SECOND and start_open.upper == sec(2024, 11, 23, 23, 59, 59)
    assert start_open.point is start_open.end
    assert start_open.precision == "day"


def test_interval_within_one_unit_and_same_ends_are_fine():
    assert parse_edtf("2024-09-06/2024-09-06").lower == sec(2024, 9, 6)
    # the end may be coarser than the start as long as it does not end before it starts
    assert parse_edtf("2024-03-15/2024-03").upper == sec(2024, 3, 31, 23, 59, 59)


def test_interval_qualifier_is_the_strongest_end():
    assert parse_edtf("2024?/2025~").qualifier == "%"
    assert parse_edtf("2024/2025~").qualifier == "~"
    assert parse_edtf("2024?/..").qualifier == "?"
    assert parse_edtf("2024%/2025").qualifier == "%"
    assert parse_edtf("2024/2025").qualifier == ""


def test_sorting_by_lower_bound_puts_coarse_dates_first():
    texts = ["2024-09-06", "2024-09", "2024", "2024-09-06T20:30", "../2024-01", "2024-08-31/.."]
    ordered = sorted(texts, key=lambda t: parse_edtf(t).lower)
    assert ordered == ["../2024-01", "2024", "2024-08-31/..", "2024-09", "2024-09-06", "2024-09-06T20:30"]


# --- every error -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, fragment",
    [
        ("2024-13", "month 13 is not between 01 and 12"),
        ("2024-00", "month 00 is not between 01 and 12"),
        ("2024-06-31", "day 31 does not exist in June 2024 (it has 30 days)"),
        ("2023-02-29", "day 29 does not exist in February 2023 (it has 28 days)"),
        ("2024-02-30", "day 30 does not exist in February 2024 (it has 29 days)"),
        ("2024-01-00", "day 00 does not exist"),
        ("2024-09-06T24:00", "hour 24 is not between 00 and 23"),
        ("2024-09-06T23:60", "minute 60 is not between 00 and 59"),
        ("2024-09-06T23:59:60", "second 60 is not between 00 and 59"),
        ("2024-09-06T20:30+15:00", "UTC offset +15:00 is not between -14:00 and +14:00"),
        ("2024-09-06T20:30-04:60", "UTC offset -04:60"),
        ("2024-09-06T20:30+14:30", "UTC offset +14:30"),
        ("0000", "year 0000 is not supported"),
        ("0000-01-01", "year 0000 is not supported"),
        ("", "the date is empty"),
        ("   ", "the date is empty"),
        (" 2024", "' 2024' is not a date"),
        ("2024 ", "'2024 ' is not a date"),
        ("2024-09-06 20:30", "is not a date"),
        ("garbage", "'garbage' is not a date: expected YYYY"),
        ("24", "is not a date"),
        ("20240", "is not a date"),
        ("2024-9-6", "is not a date"),
        ("2024-09-06T20", "is not a date"),
        ("2024-09-06t20:30", "is not a date"),
        ("2024-09-06T20:30+0400", "is not a date"),
        ("2024-09-06T20:30+04", "is not a date"),
        ("2024?~", "is not a date"),
        ("2024-09-06.5", "is not a date"),
        ("..", "is not a date"),
        ("2024-09-03/2024-09-02", "the interval ends (2024-09-02) before it starts (2024-09-03)"),
        ("2025/2024", "the interval ends (2024) before it starts (2025)"),
        ("2024-09-06T20:30/2024-09-06T20:29", "the interval ends"),
        ("2024/", "an interval end is empty; write '..' for an open end"),
        ("/2024", "an interval end is empty"),
        ("2024/2025/2026", "an interval has exactly one '/'"),
        ("2024//2025", "an interval has exactly one '/'"),
        ("../..", "an interval needs at least one known end"),
        ("2024-13/..", "month 13"),
        ("../2024-02-30", "day 30 does not exist"),
        ("\u0662\u0660\u0662\u0664", "is not a date"),  # Arabic-Indic digits are not EDTF
        ("２０２４", "is not a date"),  # full-width digits neither
    ],
)
def test_errors_say_what_is_wrong(text, fragment):
    with pytest.raises(DateError) as info:
        parse_edtf(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize("value", [None, 2024, 2024.5, b"2024", ["2024"], {"date": "2024"}])
def test_non_string_is_a_date_error(value):
    with pytest.raises(DateError, match="must be a string"):
        parse_edtf(value)


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


def test_cache_returns_equal_results_and_errors_are_not_cached():
    assert parse_edtf("2024-09-06") is parse_edtf("2024-09-06")
    for _ in range(2):
        with pytest.raises(DateError):
            parse_edtf("2024-02-31")


# --- dates typed by people ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, fields, precision",
    [
        ("6 Sep 2024", (2024, 9, 6, None, None), "day"),
        ("Sep 6, 2024", (2024, 9, 6, None, None), "day"),
        ("6th of September, 2024", (2024, 9, 6, None, None), "day"),
        ("September 2024", (2024, 9, None, None, None), "month"),
        ("Sept 2024", (2024, 9, None, None, None), "month"),
        ("2024", (2024, None, None, None, None), "year"),
        ("6 September 2024 20:30", (2024, 9, 6, 20, 30), "minute"),
        ("6 September 2024 00:00", (2024, 9, 6, 0, 0), "minute"),
        ("2024-09", (2024, 9, None, None, None), "month"),
        ("2024-09-06", (2024, 9, 6, None, None), "day"),
        ("2024-09-06T20:30", (2024, 9, 6, 20, 30), "minute"),
        ("  6 Sep 2024  ", (2024, 9, 6, None, None), "day"),
        ("13/02/2024", (2024, 2, 13, None, None), "day"),  # only one reading is possible
        ("2/2/2024", (2024, 2, 2, None, None), "day"),  # both readings agree
        ("Friday 6 September 2024", (2024, 9, 6, None, None), "day"),
    ],
)
def test_user_dates_keep_their_precision(text, fields, precision):
    p = parse_user_date(text)
    assert (p.year, p.month, p.day, p.hour, p.minute) == fields
    assert p.precision == precision


def test_user_date_bounds_follow_precision():
    sep = parse_user_date("September 2024")
    assert sep.day is None
    assert (sep.lower, sep.upper) == (sec(2024, 9, 1), sec(2024, 9, 30, 23, 59, 59))
    year = parse_user_date("2024")
    assert (year.lower, year.upper) == (sec(2024, 1, 1), sec(2024, 12, 31, 23, 59, 59))
    day = parse_user_date("6 Sep 2024")
    assert (day.lower, day.upper) == (sec(2024, 9, 6), sec(2024, 9, 6, 23, 59, 59))
    feb = parse_user_date("February 2024")
    assert feb.upper == sec(2024, 2, 29, 23, 59, 59)


def test_user_date_keeps_typed_seconds():
    assert parse_user_date("6 Sep 2024 20:30:00").precision == "second"
    assert parse_user_date("6 Sep 2024 20:30:15").second == 15


def test_user_date_with_qualifier_in_edtf_form():
    p = parse_user_date("2024-09~")
    assert p.qualifier == "~" and p.precision == "month"


def test_weekday_without_a_day_never_makes_up_a_day():
    p = parse_user_date("Friday September 2024")
    assert p.day is None
    assert (p.year, p.month) == (2024, 9)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("12 June", "has no year"),
        ("June", "has no year"),
        ("01/02/2024", "is ambiguous"),
        ("02/01/2024", "is ambiguous"),
        ("1.2.2024", "is ambiguous"),
        ("06/09/24", "ambiguous"),
        ("13/02/24", "two-digit year"),
        ("6 Sep 24", "four digits"),
        ("Sep 6 24", "four digits"),
        ("31 June 2024", "is not a date"),
        ("June 31 2024", "is not a date"),
        ("29 Feb 2023", "is not a date"),
        ("2024-06-31", "day 31 does not exist in June 2024"),
        ("2024-13", "month 13"),
        ("banana", "'banana' is not a date"),
        ("tomorrow", "is not a date"),
        ("today", "is not a date"),
        ("10000", "is not a date"),
        ("Sep 2024 20:30", "time but no day"),
        ("1 Jan 0001", "write years before 0100 as YYYY-MM-DD"),
        ("-2024", "only years 0001 to 9999"),  # dateutil would drop the sign
        ("-6 Sep 2024", "only years 0001 to 9999"),
        ("", "the date is empty"),
        ("   ", "the date is empty"),
        ("2024-09-01/2024-09-30", "not an interval"),
        ("2024-09/..", "not an interval"),
    ],
)
def test_user_date_errors(text, fragment):
    with pytest.raises(DateError) as info:
        parse_user_date(text)
    assert fragment in str(info.value)


def test_user_date_non_string_is_a_date_error():
    with pytest.raises(DateError):
        parse_user_date(None)


# --- results never depend on today's date ----------------------------------------------------------

def _pretend_today(monkeypatch, year: int, month: int, day: int) -> None:
    """Make dateutil believe it is another day: both ways it reads 'now' (datetime.now() for
    missing fields, time.localtime() for the century of two-digit years)."""
    from dateutil.parser import _parser

    class FakeDateTime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(year, month, day, 13, 37, 42)

        @classmethod
        def today(cls):
            return cls.now()

    fake_datetime = types.SimpleNamespace(**{k: getattr(_dt, k) for k in dir(_dt) if not k.startswith("__")})
    fake_datetime.datetime = FakeDateTime
    monkeypatch.setattr(_parser, "datetime", fake_datetime)
    fake_time = types.SimpleNamespace(localtime=lambda *a: _dt.datetime(year, month, day).timetuple())
    monkeypatch.setattr(_parser, "time", fake_time)
    monkeypatch.setattr(_parser.DEFAULTPARSER.info, "_year", year)
    monkeypatch.setattr(_parser.DEFAULTPARSER.info, "_century", year // 100 * 100)


_TYPED = ["6 Sep 2024", "September 2024", "2024", "6 September 2024 20:30", "Sep 2024", "12 June",
          "6 Sep 24", "Sep 6 24", "Friday September 2024", "Friday", "20:30", "6", "1 Jan 1999"]


def _outcome(text):
    try:
        p = parse_user_date(text)
    except DateError as exc:
        return ("error", str(exc))
    return (p.year, p.month, p.day, p.hour, p.minute, p.second, p.lower, p.upper)


def test_fake_today_really_changes_dateutil(monkeypatch):
    """The harness below must be able to catch a dependence on today."""
    from dateutil import parser

    _pretend_today(monkeypatch, 1987, 3, 4)
    assert parser.parse("6 Sep").year == 1987
    assert parser.parse("6 Sep 24").year == 2024
    _pretend_today(monkeypatch, 2090, 11, 30)
    assert parser.parse("6 Sep").year == 2090
    assert parser.parse("6 Sep 24").year == 2124


def test_results_never_depend_on_today(monkeypatch):
    _pretend_today(monkeypatch, 1987, 3, 4)
    then = [_outcome(t) for t in _TYPED]
    _pretend_today(monkeypatch, 2090, 11, 30)
    later = [_outcome(t) for t in _TYPED]
    assert then == later
    # and under the fake 'now' a month stays a whole month
    sep = parse_user_date("September 2024")
    assert sep.day is None and (sep.lower, sep.upper) == (sec(2024, 9, 1), sec(2024, 9, 30, 23, 59, 59))


# --- a point's display read off its text (the sourcing table) ------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

def _field(top: int):
    """Two digits, mostly in range (0 and just past the top too)."""
    return st.one_of(st.integers(1, top), st.sampled_from([0, top + 1, 99])).map("{:02d}".format)


_point_texts = st.builds(
    lambda y, mo, d, hh, mi, ss, off, q, shape: (
        f"{y:04d}" + (f"-{mo}" if shape > 0 else "") + (f"-{d}" if shape > 1 else "")
        + (f"T{hh}:{mi}" if shape > 2 else "") + (f":{ss}" if shape > 3 else "") + (off if shape > 2 else "") + q),
    st.integers(0, 9999), _field(12), _field(31), _field(23), _field(59), _field(59),
    st.sampled_from(["", "Z", "+03:00", "-04:30", "+14:00", "+14:30", "-15:00", "+05:60"]),
    st.sampled_from(["", "~", "?", "%"]), st.integers(0, 4))


@settings(max_examples=500, deadline=None)
@given(st.one_of(_point_texts, st.text(max_size=25), st.sampled_from(
    ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2024-09-06/2024-09-07", "..", " 2024", "2024-1"])))
def test_a_points_display_read_off_its_text_is_its_parsed_display(text):
    """``point_display`` (no seconds worked out) shows what the parsed date shows, and
    nothing for an interval or a text that is not a date."""
    from tui.model.dates import point_display

    try:
        parsed = parse_edtf(text)
    except DateError:
        parsed = None
    shown = point_display(text)
    if parsed is None or parsed.interval:
        assert shown is None
    else:
        assert shown == parsed.display()
