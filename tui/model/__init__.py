"""The timeline model (the domain): dates, entities, the ``Timeline`` and its queries, text
folding, problems, density. It knows nothing about files, caches, processes or mmap: the
store (``tui.store``) reads files into a ``Timeline`` through ``protocols``. Never imports
Textual or the store (``tests/test_architecture.py`` checks)."""

from .dates import DateError, EDate, Point, parse_edtf, parse_user_date
from .entities import Actor, ActorRef, Event, Quote, Source
from .problems import LoadError, Problem
from .query import Query, QueryError, Term, parse_query, run
from .timeline import Timeline

__all__ = [
    "Actor", "ActorRef", "DateError", "EDate", "Event", "LoadError", "Point", "Problem", "Query",
    "QueryError", "Quote", "Source", "Term", "Timeline", "parse_edtf", "parse_query", "parse_user_date", "run",
]
