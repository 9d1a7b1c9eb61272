"""kb: a cited knowledge base for social protection documents."""

from kb import lazytorch as _lazytorch
from kb.core import offline as _offline

_offline.enforce()
_lazytorch.install()  # before anything imports Haystack: keeps PyTorch out of commands that never use it

__version__ = "0.1.0"
