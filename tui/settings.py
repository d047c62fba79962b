"""The explorer's remembered choices (the theme), in the user's config folder.

``$XDG_CONFIG_HOME/timeline-explorer/settings.json`` (``~/.config/...`` without it), as
lazygit and Posting keep theirs. Written atomically (a temp file renamed over it), so a
kill at any moment leaves the old file or the new one; an unreadable file is ignored
rather than stopping the explorer.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["settings_path", "load_settings", "save_setting"]


def settings_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "timeline-explorer" / "settings.json"


def load_settings() -> dict:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value) -> None:
    """Set one setting, keeping the others; a folder that cannot be written is skipped
    (a setting is a convenience, never worth an error)."""
    path = settings_path()
    data = load_settings()
    if data.get(key) == value:
        return
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
