"""Where kb keeps its files by default (XDG base directories)."""

import os
from pathlib import Path


def data_home() -> Path:
    """`$XDG_DATA_HOME`, else `~/.local/share`."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def config_home() -> Path:
    """`$XDG_CONFIG_HOME`, else `~/.config`."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def cache_home() -> Path:
    """`$XDG_CACHE_HOME`, else `~/.cache`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def state_home() -> Path:
    """`$XDG_STATE_HOME`, else `~/.local/state`."""
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")


def default_state_dir() -> Path:
    """What the TUI keeps between sessions (collections, question history), one file per knowledge base."""
    return state_home() / "kb"


def default_ocr_cache() -> Path:
    """OCR results by page, shared by every index (a page read for one is never read again for another)."""
    return cache_home() / "kb" / "ocr"


def default_index_dir() -> Path:
    """The index used when neither `--index` nor `KB_INDEX` is given."""
    return data_home() / "kb" / "index"


def default_config_file() -> Path:
    """The optional TOML settings file."""
    return config_home() / "kb" / "config.toml"


def default_export_dir() -> Path:
    """Where exported briefs go when the user names no path."""
    return Path.cwd()
