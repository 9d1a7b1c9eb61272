"""kb: a cited knowledge base for social protection documents."""

from kb import offline as _offline

_offline.enforce()

__version__ = "0.1.0"
