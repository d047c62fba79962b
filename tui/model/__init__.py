"""The timeline model: data, dates, loading and queries. Never imports Textual."""

from .dates import DateError, EDate, Point, parse_edtf, parse_user_date
from .entities import Actor, ActorRef, Event, Quote, Source
from .loader import bundled_path, load
from .problems import LoadError, Problem
from .query import Query, QueryError, Term, parse_query, run
from .timeline import Timeline

__all__ = [
    "Actor", "ActorRef", "DateError", "EDate", "Event", "LoadError", "Point", "Problem", "Query",
    "QueryError", "Quote", "Source", "Term", "Timeline", "bundled_path", "load", "parse_edtf",
    "parse_query", "parse_user_date", "run",
]
