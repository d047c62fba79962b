"""The storage engine: reads timeline files into a ``Timeline`` (``tui.model``) and keeps what
makes a big one quick to reopen and search. See docs/architecture.md.

* readers: ``loader`` (which reader, then the checks), ``json_strict``, ``json_fast``,
  ``jsonl``, sharing ``reading``; the checks across records in ``checks``;
* one big file: ``columns`` (read into columns, never kept as records), ``records`` (records
  read back from the file on demand), ``aside`` (a second process reading the quotes, or
  building and scanning half the search text);
* the search text: ``text`` (how it is built, ``protocols.TextSource``), ``scan`` (scanning
  it on both cores), ``words`` (its word index);
* the on-disk cache: ``cache`` (write, restore), ``cachefile`` (where, keyed on what, laid out how).

The store imports the model; the model never imports the store.
"""

from .cache import cache_path, save
from .loader import bundled_path, load

__all__ = ["bundled_path", "cache_path", "load", "save"]
