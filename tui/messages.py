"""Messages that workers post when slow service calls finish (and that screens exchange)."""

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from kb.core.filters import SearchFilters
from kb.core.models import IngestReport, SourceDocument


@dataclass
class BackendOpened(Message):
    """The knowledge base object exists; `has_index` says whether documents were ever added."""

    has_index: bool
    location: str


@dataclass
class ModelReady(Message):
    """The query model is loaded: questions are answered without waiting for it."""


@dataclass
class ServiceFailed(Message):
    """A service call failed; the app shows the error in a dialog that says what to do."""

    error: Exception
    doing: str


@dataclass
class AnswerReady(Message):
    """A cited answer (a `kb.answer.Answer`) and the evidence to list under it."""

    question: str
    answer: Any
    evidence: list[Any]
    filters: SearchFilters


@dataclass
class NoIndexYet(Message):
    """A question was asked before any document was added."""

    location: str


@dataclass
class FacetsReady(Message):
    """Passages per facet value: every value in the index, and the counts under the current filters."""

    values: dict[str, dict[Any, int]]
    counts: dict[str, dict[Any, int]]


@dataclass
class ContextReady(Message):
    """A passage in its document (a `kb.service.PassageContext`)."""

    context: Any


@dataclass
class PageReady(Message):
    """The text of one page of a document (a `kb.service.PageView`)."""

    view: Any


@dataclass
class ComparisonReady(Message):
    """A comparison (a `kb.compare.Comparison`) with each row's best evidence (None: no evidence)."""

    comparison: Any
    best: list[Any]


@dataclass
class DocumentsReady(Message):
    """The indexed documents and the index's totals."""

    documents: list[SourceDocument]
    passages: int
    location: str


@dataclass
class OverviewReady(Message):
    """`KnowledgeBase.stats()` and the passages per facet value."""

    stats: dict[str, Any]
    passages: dict[str, dict[Any, int]]


@dataclass
class IngestProgress(Message):
    """Progress of adding a folder: files and passages done so far."""

    files_done: int
    files_total: int
    passages_done: int
    rate: float
    current: str = ""

    def can_replace(self, message: Message) -> bool:
        """A newer progress event makes an older, unprocessed one pointless."""
        return isinstance(message, IngestProgress)


@dataclass
class IngestFinished(Message):
    """Adding a folder finished; `report.failed` lists the files that could not be read, with reasons."""

    folder: str
    report: IngestReport
    failed: list[dict[str, str]] = field(default_factory=list)
