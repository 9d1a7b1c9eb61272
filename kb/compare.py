"""Comparison across member States: the same question asked once per country, region or year."""

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from kb.core.errors import UsageError
from kb.core.filters import SearchFilters
from kb.core.models import PassageMeta

if TYPE_CHECKING:
    from kb.answer import Answer
    from kb.service import KnowledgeBase

GroupBy = Literal["country", "region", "year"]
MAX_DISCOVERED = 8
DISCOVERY_DEPTH = 30  # passages read to find which groups have evidence, when no group is named
PASSAGES_PER_ROW = 3
NO_EVIDENCE = "No evidence in the knowledge base."


@dataclass
class ComparisonRow:
    """One group's finding: its extractive answer and best passages, or an explicit absence of evidence."""

    group: str
    answer: "Answer"

    @property
    def evidence(self) -> bool:
        """Whether the knowledge base had a passage answering the question for this group."""
        return not self.answer.abstained

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a row."""
        data = self.answer.to_dict()
        return {
            "group": self.group,
            "evidence": self.evidence,
            "answer": data["answer"] if self.evidence else NO_EVIDENCE,
            "citations": data["citations"],
            "passages": [h.to_dict() for h in self.answer.hits[:PASSAGES_PER_ROW]] if self.evidence else [],
        }


@dataclass
class Comparison:
    """A question compared across groups."""

    question: str
    by: GroupBy
    rows: list[ComparisonRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a comparison."""
        return {"question": self.question, "by": self.by, "rows": [r.to_dict() for r in self.rows]}


def group_filters(base: SearchFilters, by: GroupBy, group: str) -> SearchFilters:
    """`base` narrowed to one group."""
    if by == "country":
        return replace(base, countries=[group])
    if by == "region":
        return replace(base, regions=[group])
    try:
        year = int(group)
    except ValueError:
        raise UsageError(f"{group!r} is not a year; give years like 2019,2020") from None
    return replace(base, year_from=year, year_to=year)


def resolve_groups(by: GroupBy, groups: list[str]) -> list[str]:
    """Requested groups in their stored form (countries from names or codes in en/fr/es), duplicates dropped."""
    names: list[str] = []
    for group in (g.strip() for g in groups):
        if not group:
            continue
        checked = group_filters(SearchFilters(), by, group).resolved()
        name = (checked.countries or checked.regions or [str(checked.year_from)])[0]
        if name not in names:
            names.append(name)
    return names


def discover_groups(kb: "KnowledgeBase", question: str, by: GroupBy, filters: SearchFilters) -> list[str]:
    """The groups that the best passages for `question` are about (their own countries, regions or year), in
    rank order."""
    found: list[str] = []
    for hit in kb.search(question, filters, top_k=DISCOVERY_DEPTH):
        meta = PassageMeta.of(hit.passage.meta)
        if not meta.evidence:
            continue
        values: list[Any] = list(meta.countries if by == "country" else meta.regions if by == "region" else [meta.year])
        for item in values:
            if item is not None and str(item) not in found:
                found.append(str(item))
    return found[:MAX_DISCOVERED]


def compare(
    kb: "KnowledgeBase",
    question: str,
    by: GroupBy,
    groups: list[str] | None = None,
    filters: SearchFilters | None = None,
) -> Comparison:
    """One row per group (requested, or discovered from the best passages) with its cited finding."""
    base = kb.resolve_filters(filters)
    names = resolve_groups(by, groups) if groups else discover_groups(kb, question, by, base)
    result = Comparison(question, by)
    for name in names:
        about = frozenset({name}) if by == "country" else None  # the row's passages are about its country
        result.rows.append(ComparisonRow(name, kb.ask(question, group_filters(base, by, name), about=about)))
    return result
