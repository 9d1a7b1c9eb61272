"""What the TUI keeps between sessions, per knowledge base: the collection being assembled and the question history.

One JSON file per knowledge base under `$XDG_STATE_HOME/kb/` (named after a hash of its location), written
atomically: a kill during a save leaves the previous file whole. The file carries a version; a file of another
version, or one that cannot be read, is set aside (renamed `.unreadable`) rather than overwritten or misread.
"""

import hashlib
import json
from contextlib import suppress
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from kb.core.atomic import write_atomic
from kb.core.locations import default_state_dir
from tui.evidence import Evidence

VERSION = 1
MAX_HISTORY = 200  # questions kept, the most recent last
_TUPLES = {"countries", "section"}
_FIELDS = {f.name for f in fields(Evidence)}


@dataclass
class SavedState:
    """The history and the collection of one knowledge base; `exported`: the collection as it is was exported."""

    history: list[str] = field(default_factory=list)
    collection: list[Evidence] = field(default_factory=list)
    exported: bool = True


def state_file(location: str) -> Path:
    """The state file of the knowledge base at `location` (an index directory or a store URI)."""
    digest = hashlib.sha256(location.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return default_state_dir() / f"tui-{digest}.json"


def load(location: str) -> SavedState:
    """The saved state of `location`, or an empty one (a missing, damaged or foreign file)."""
    path = state_file(location)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        return SavedState(
            history=[str(q) for q in data.get("history", [])][-MAX_HISTORY:],
            collection=[_evidence(item) for item in data.get("collection", [])],
            exported=bool(data.get("exported", True)),
        )
    except FileNotFoundError:
        return SavedState()
    except (OSError, ValueError, TypeError, AttributeError):
        with suppress(OSError):  # kept for the user to look at; the next save starts anew
            path.replace(path.with_suffix(".unreadable"))
        return SavedState()


def save(location: str, state: SavedState) -> Path:
    """Write the state of `location` (atomically); `IndexWriteError` names the file when it cannot be written."""
    path = state_file(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": VERSION,
        "location": location,
        "history": state.history[-MAX_HISTORY:],
        "collection": [asdict(item) for item in state.collection],
        "exported": state.exported,
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), what="saved collection")
    return path


def _evidence(item: dict[str, Any]) -> Evidence:
    values = {k: (tuple(v) if k in _TUPLES else v) for k, v in item.items() if k in _FIELDS}
    return Evidence(**values)
