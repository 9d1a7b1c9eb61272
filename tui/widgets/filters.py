"""The Filters sidebar (a checklist per facet with passage counts, a year range), the active-filters line."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from kb.core.filters import SearchFilters
from tui.format import country_name, topic_label, type_label

LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}

# facet in the index → (heading, SearchFilters field)
FACETS: dict[str, tuple[str, str]] = {
    "countries": ("Country", "countries"),
    "regions": ("Region", "regions"),
    "doc_type": ("Document type", "doc_types"),
    "lang": ("Language", "langs"),
    "topics": ("Topic", "topics"),
}


def value_label(facet: str, value: Any) -> str:
    """How a facet value reads in the sidebar and the active-filters line."""
    if facet == "countries":
        return f"{country_name(str(value))} ({value})"
    if facet == "doc_type":
        return type_label(str(value))
    if facet == "lang":
        return LANGUAGE_NAMES.get(str(value), str(value))
    if facet == "topics":
        return topic_label(str(value))
    return str(value)


def without(filters: SearchFilters, facet: str) -> SearchFilters:
    """`filters` with one facet cleared (to count what choosing more of its values would add)."""
    if facet == "year":
        return replace(filters, year_from=None, year_to=None)
    return replace(filters, **{FACETS[facet][1]: []})


def describe(filters: SearchFilters) -> str:
    """`Country: Kenya (KEN), Senegal (SEN) · Years: 2010–2020` (empty when nothing is set)."""
    parts = []
    for facet, (heading, attr) in FACETS.items():
        values = getattr(filters, attr)
        if values:
            parts.append(f"{heading}: {', '.join(value_label(facet, v) for v in values)}")
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(f"Years: {filters.year_from or '…'}–{filters.year_to or '…'}")
    return " · ".join(parts)


class ActiveFilters(Static):
    """The line above the results that always says which filters apply, and how to change them."""

    def __init__(self, *, change: str, clear: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.change, self.clear = change, clear

    def show(self, filters: SearchFilters) -> None:
        """Describe `filters`."""
        text = describe(filters)
        if text:
            hint = f"  {self.clear}" if self.clear else f"  {self.change}"
            self.update(Content.assemble(("Filters ", "bold"), text, (hint, "dim")))
            self.add_class("-active")
        else:
            self.update(Content.assemble(("No filters", "bold"), (f"  {self.change}", "dim")))
            self.remove_class("-active")


class FilterSidebar(VerticalScroll):
    """One checklist per facet (values from the index, with passage counts) and a year range."""

    @dataclass
    class Changed(Message):
        """The user changed the filters in the sidebar."""

        filters: SearchFilters

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters = SearchFilters()
        self.built = False
        self._values: dict[str, list[Any]] = {}

    def compose(self) -> ComposeResult:
        yield from ()  # the checklists are built when first needed (`build`), keeping start-up light

    async def build(self) -> None:
        """Mount the checklists and the year range (once)."""
        if not self.built:
            self.built = True
            await self.mount_all(list(self._widgets()))

    def _widgets(self) -> Iterator[Widget]:
        for facet, (heading, _attr) in FACETS.items():
            yield Label(heading, classes="facet-title")
            yield SelectionList[Any](id=f"facet-{facet}", classes="facet")
        yield Label("Years", classes="facet-title")
        yield Horizontal(
            Input(
                str(self.filters.year_from or ""),
                placeholder="from",
                type="integer",
                max_length=4,
                id="year-from",
            ),
            Input(
                str(self.filters.year_to or ""), placeholder="to", type="integer", max_length=4, id="year-to"
            ),
            id="years",
        )
        yield Static("", id="year-counts")

    @property
    def countries(self) -> list[Any]:
        """The country codes listed (those in the index)."""
        return list(self._values.get("countries", []))

    def set_counts(self, values: dict[str, dict[Any, int]], counts: dict[str, dict[Any, int]]) -> None:
        """Show every value in the index with the passages it has under the current filters."""
        for facet in FACETS:
            ordered = sorted(values.get(facet, {}), key=lambda v: value_label(facet, v).casefold())
            shown = counts.get(facet, {})
            checklist = self.query_one(f"#facet-{facet}", SelectionList)
            chosen = set(getattr(self.filters, FACETS[facet][1]))
            prompts = [self._prompt(facet, v, shown.get(v, 0)) for v in ordered]
            if ordered != self._values.get(facet):
                checklist.clear_options()
                checklist.add_options([Selection(p, v, v in chosen) for p, v in zip(prompts, ordered)])
                self._values[facet] = ordered
            else:
                for index, prompt in enumerate(prompts):
                    checklist.replace_option_prompt_at_index(index, prompt)
            if checklist.highlighted is None and ordered:
                checklist.highlighted = 0  # space ticks the first value straight away
        years = counts.get("year", {})
        parts = [
            (f"{y} {years.get(y, 0)}  ", "" if years.get(y) else "dim")
            for y in sorted(values.get("year", {}))
        ]
        self.query_one("#year-counts", Static).update(Content.assemble(*parts))

    @staticmethod
    def _prompt(facet: str, value: Any, count: int) -> Content:
        label = value_label(facet, value)
        return Content.assemble((label, "dim" if not count else ""), (f" {count}", "dim $text-accent"))

    def show(self, filters: SearchFilters) -> None:
        """Tick the values of `filters` (e.g. after they were cleared elsewhere)."""
        self.filters = filters
        if not self.built:
            return
        for facet, (_heading, attr) in FACETS.items():
            checklist = self.query_one(f"#facet-{facet}", SelectionList)
            chosen = set(getattr(filters, attr))
            for value in self._values.get(facet, []):
                (checklist.select if value in chosen else checklist.deselect)(value)
        self.query_one("#year-from", Input).value = str(filters.year_from or "")
        self.query_one("#year-to", Input).value = str(filters.year_to or "")

    def _read(self) -> SearchFilters:
        """The filters the widgets show now."""
        fields = {
            attr: list(self.query_one(f"#facet-{facet}", SelectionList).selected)
            for facet, (_heading, attr) in FACETS.items()
        }
        return SearchFilters(
            **fields,
            year_from=_year(self.query_one("#year-from", Input).value),
            year_to=_year(self.query_one("#year-to", Input).value),
        )

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        if isinstance(event, Input.Changed) and event.value and len(event.value) != 4:
            return  # a year is being typed
        read = self._read()
        if read != self.filters:
            self.filters = read
            self.post_message(self.Changed(read))


def _year(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and len(text.strip()) == 4 else None
