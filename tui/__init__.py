"""Timeline Explorer: explore a normalized news-story timeline from the terminal.

Kept free of imports so that ``import tui.model`` (the command line, the tests, the
benchmarks) never pays for Textual.
"""

__version__ = "0.1.0"
