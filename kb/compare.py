"""Comparison across member States: the same question asked once per country, region or year."""

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from kb.filters import SearchFilters

if TYPE_CHECKING:
    from kb.answer import Answer
    from kb.service import KnowledgeBase

GroupBy = Literal["country", "region", "year"]
GROUP_FIELDS: dict[str, str] = {"country": "countries", "region": "regions", "year": "year"}
MAX_DISCOVERED = 8
NO_EVIDENCE = "No evidence in the knowledge base."


@dataclass
class ComparisonRow:
    """One group's finding: its extractive answer, or an explicit absence of evidence."""

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
    year = int(group)
    return replace(base, year_from=year, year_to=year)


def discover_groups(kb: "KnowledgeBase", question: str, by: GroupBy, filters: SearchFilters) -> list[str]:
    """The groups that the best passages for `question` come from, in rank order."""
    found: list[str] = []
    for hit in kb.search(question, filters, top_k=30):
        value = hit.passage.meta.get(GROUP_FIELDS[by])
        for item in value if isinstance(value, list) else [value]:
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
    base = (filters or SearchFilters()).resolved()
    if groups:
        checked = [group_filters(SearchFilters(), by, g).resolved() for g in groups]
        names = [(c.countries or c.regions or [str(c.year_from)])[0] for c in checked]
    else:
        names = discover_groups(kb, question, by, base)
    result = Comparison(question, by)
    for name in names:
        result.rows.append(ComparisonRow(name, kb.ask(question, group_filters(base, by, name))))
    return result
