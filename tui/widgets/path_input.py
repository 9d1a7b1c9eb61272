"""Completion of file and folder names while typing a path (right arrow accepts the suggestion)."""

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the first existing entry that completes the last part of the typed path."""

    def __init__(self, folders_only: bool = False) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.folders_only = folders_only

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        parent, stem = (typed, "") if value.endswith(os.sep) else (typed.parent, typed.name)
        try:
            names = sorted(
                e.name
                for e in os.scandir(parent)
                if not e.name.startswith(".") and (e.is_dir() or not self.folders_only)
            )
        except OSError:
            return None
        for name in names:
            if name.startswith(stem) and name != stem:
                return value + name[len(stem) :]
        return None
