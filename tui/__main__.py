"""``python -m tui`` does what the ``timeline`` command does."""

from .cli import main

raise SystemExit(main())
