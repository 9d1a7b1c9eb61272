"""Compare: one question across countries, regions or years; a row per group with its best cited finding."""

import re
from collections.abc import Iterator
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Select

from kb.core.filters import SearchFilters
from tui.backend import Backend, deliver, reporting
from tui.errors import COMPARING
from tui.evidence import Evidence, passage_text
from tui.format import country_name, wrap
from tui.messages import ComparisonReady, ServiceFailed
from tui.screens.base import Command, KbScreen
from tui.widgets.filters import ActiveFilters, without
from tui.widgets.question import QuestionInput
from tui.widgets.status import StatusLine

NO_EVIDENCE = "No evidence in the knowledge base."
BY = [("countries", "country"), ("regions", "region"), ("years", "year")]
COMPARED_FACET = {"country": "countries", "region": "regions", "year": "year"}
HINTS = {
    "country": "countries, e.g. Kenya, Senegal",
    "region": "regions, e.g. Africa, Americas",
    "year": "years, e.g. 2016, 2019",
}


def split_groups(text: str) -> list[str]:
    """`Kenya, Senegal; Peru` → three groups."""
    return [g.strip() for g in re.split(r"[,;]", text) if g.strip()]


def group_label(by: str, group: str) -> str:
    """`Kenya (KEN)` for a country code, the group itself otherwise."""
    return f"{country_name(group)} ({group})" if by == "country" else group


class CompareScreen(KbScreen):
    """Question, grouping and groups on top; the table of findings below; enter opens a row's source."""

    PAGE = "compare"
    CSS_PATH = "compare.tcss"
    AUTO_FOCUS = "#compare-question"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "focus_groups", "Groups"),
        Binding("m", "collect_row", "Collect"),
        Binding("c", "copy_row", "Copy"),
        Binding("escape", "focus_question", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.best: list[Evidence | None] = []

    def compose_body(self) -> ComposeResult:
        yield QuestionInput(
            self.kb_app.history, id="compare-question", placeholder="A question to compare, then Enter"
        )
        with Horizontal(id="compare-form"):
            yield Select(BY, value="country", allow_blank=False, id="compare-by")
            yield Input(
                placeholder=f"{HINTS['country']} (empty: the best-matching ones)", id="compare-groups"
            )
        yield StatusLine(id="compare-status")
        yield ActiveFilters(id="compare-filters", change="set them on the Ask screen (F2, then ctrl+f)")
        table: DataTable[object] = DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self.query_one(StatusLine).idle(
            "Type a question, choose the groups, press Enter. Enter on a row opens it."
        )

    def on_screen_resume(self) -> None:
        self._show_filters()
        box = self.query_one("#compare-question", QuestionInput)
        if not box.value and self.kb_app.history:
            box.value = self.kb_app.history[-1]

    def _show_filters(self) -> None:
        """The filters that apply: the Ask screen's, less the facet that each row sets for itself."""
        by = str(self.query_one("#compare-by", Select).value)
        self.query_one(ActiveFilters).show(without(self.kb_app.filters, COMPARED_FACET[by]))

    @on(Select.Changed, "#compare-by")
    def _by_changed(self, event: Select.Changed) -> None:
        hint = f"{HINTS[str(event.value)]} (empty: the best-matching ones)"
        self.query_one("#compare-groups", Input).placeholder = hint
        self._show_filters()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        question = self.query_one("#compare-question", QuestionInput).value.strip()
        if not question:
            self.query_one(StatusLine).idle("Type the question to compare first.")
            self.action_focus_question()
            return
        self.query_one("#compare-question", QuestionInput).remember(question)
        self.kb_app.save_state()
        by = str(self.query_one("#compare-by", Select).value)
        groups = split_groups(self.query_one("#compare-groups", Input).value)
        self.query_one(StatusLine).working(f"Comparing by {by}…")
        self.run_compare(self.kb_app.backend, question, by, groups, self.kb_app.filters)

    @work(thread=True, exclusive=True, group="compare")
    def run_compare(
        self, backend: Backend, question: str, by: str, groups: list[str], filters: SearchFilters
    ) -> None:
        """Ask the service for the comparison, and fetch each row's best-cited passage."""
        with reporting(self, COMPARING):
            kb = backend.get()
            comparison = kb.compare(question, by, groups or None, filters)  # type: ignore[arg-type]
            best: list[Evidence | None] = []
            for row in comparison.rows:
                if row.evidence and row.answer.citations:
                    first = row.answer.citations[0]
                    text = passage_text(kb, row.answer, first.passage_id)
                    best.append(Evidence.from_citation(first, text, question))
                else:
                    best.append(None)
            deliver(self, ComparisonReady(comparison, best))

    def on_comparison_ready(self, message: ComparisonReady) -> None:
        self.best = message.best
        table = self.query_one(DataTable)
        table.clear(columns=True)
        source_width = 22 if self.size.width < 100 else 30
        finding_width = max(20, self.size.width - 18 - source_width - 11)  # 9: cell padding and scrollbar, 2: border
        table.add_column("Group", width=18, key="group")
        table.add_column("Best cited finding", width=finding_width, key="finding")
        table.add_column("Source", width=source_width, key="source")
        for row, item in zip(message.comparison.rows, message.best):
            label = Content.styled(group_label(message.comparison.by, row.group), "bold")
            if item is None:
                cells = [
                    label,
                    Content.styled(NO_EVIDENCE, "italic $text-warning"),
                    Content.styled("—", "dim"),
                ]
                height = 1
            else:
                finding = wrap(f"“{item.quote}”", finding_width, 5)
                where = item.location()
                source = wrap(f"{item.title}, {item.year or 'n.d.'}{' · ' + where if where else ''}", source_width, 5)
                cells = [label, Content(finding), Content.styled(source, "dim")]
                height = max(finding.count("\n"), source.count("\n")) + 1
            table.add_row(*cells, height=height, key=row.group)
        found = sum(1 for b in message.best if b is not None)
        self.query_one(StatusLine).idle(
            f"{len(message.best)} rows, {found} with evidence — enter on a row opens its source."
        )
        if message.best:
            table.focus()

    def on_service_failed(self, _message: ServiceFailed) -> None:
        self.best = []
        self.query_one(DataTable).clear()  # results of an earlier comparison would read as this one's
        self.query_one(StatusLine).idle("The comparison did not work (see the message).")

    @on(DataTable.RowSelected, "#compare-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self.best[event.cursor_row] if event.cursor_row < len(self.best) else None
        if item is None:
            self.notify("No evidence for this group: nothing to open.")
        else:
            self.kb_app.act_on("open", item)

    def _row_evidence(self) -> Evidence | None:
        """The best-cited finding of the highlighted row (None: no row, or a row without evidence)."""
        table = self.query_one("#compare-table", DataTable)
        row = table.cursor_row
        if not table.row_count or not 0 <= row < len(self.best):
            return None
        return self.best[row]

    def action_collect_row(self) -> None:
        """Collect the highlighted row's finding (m again removes it)."""
        item = self._row_evidence()
        if item is None:
            self.notify("No evidence in this row: nothing to collect.")
        else:
            self.kb_app.act_on("mark", item)

    def action_copy_row(self) -> None:
        """Copy the highlighted row's finding with its reference."""
        item = self._row_evidence()
        if item is not None:
            self.kb_app.act_on("copy", item)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer m and c only while the table has the focus (in the boxes they are letters)."""
        if action in ("collect_row", "copy_row"):
            return isinstance(self.focused, DataTable)
        return True

    def action_focus_groups(self) -> None:
        """Put the cursor in the groups box."""
        self.query_one("#compare-groups", Input).focus()

    def action_focus_question(self) -> None:
        """Put the cursor in the question box."""
        self.query_one("#compare-question", QuestionInput).focus()

    def commands(self) -> Iterator[Command]:
        yield (
            "Compare: edit groups",
            "Type the countries, regions or years to compare",
            self.action_focus_groups,
        )
