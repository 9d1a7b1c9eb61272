"""Overview: what the knowledge base covers — documents and passages per region, country, year, type."""

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from kb.core.models import DOC_TYPES, REGIONS
from tui.backend import Backend, deliver, reporting
from tui.format import country_name, type_label
from tui.messages import OverviewReady
from tui.screens.base import KbScreen
from tui.widgets.barchart import Bar, BarChart
from tui.widgets.filters import LANGUAGE_NAMES

CHARTS = [
    ("regions", "By region"),
    ("countries", "By country"),
    ("year", "By year"),
    ("doc_type", "By type"),
    ("lang", "By language"),
]


def chart_bars(stats: dict[str, Any], passages: dict[str, dict[Any, int]]) -> dict[str, list[Bar]]:
    """The rows of every chart; regions, types and the years in between are listed even when empty (gaps)."""
    per_year = {int(y): n for y, n in stats["per_year"].items()}
    years = list(range(min(per_year), max(per_year) + 1)) if per_year else []
    by_country = sorted(stats["per_country"].items(), key=lambda item: (-item[1], country_name(item[0])))
    return {
        "regions": [Bar(r, stats["per_region"].get(r, 0), passages["regions"].get(r, 0)) for r in REGIONS],
        "countries": [
            Bar(f"{country_name(c)} ({c})", n, passages["countries"].get(c, 0)) for c, n in by_country
        ],
        "year": [Bar(str(y), per_year.get(y, 0), passages["year"].get(y, 0)) for y in years],
        "doc_type": [
            Bar(type_label(t), stats["per_type"].get(t, 0), passages["doc_type"].get(t, 0)) for t in DOC_TYPES
        ],
        "lang": [
            Bar(LANGUAGE_NAMES.get(code, code), n, passages["lang"].get(code, 0))
            for code, n in stats["per_language"].items()
        ],
    }


class OverviewScreen(KbScreen):
    """A summary line and one bar chart per facet (two columns on wide terminals)."""

    PAGE = "overview"
    CSS_PATH = "overview.tcss"
    AUTO_FOCUS = "#charts"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (110, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self._version = -1

    def compose_body(self) -> ComposeResult:
        yield Static("Counting…", id="overview-summary")
        with VerticalScroll(id="charts"), Grid(id="chart-grid"):
            for key, title in CHARTS:
                yield BarChart(title, id=f"chart-{key}")

    def on_mount(self) -> None:
        self.watch(self.app, "kb_state", self._state_changed)

    def on_screen_resume(self) -> None:
        self._state_changed(self.kb_app.kb_state)

    def _state_changed(self, state: str) -> None:
        if state == "no-index":
            self.query_one("#overview-summary", Static).update(
                "No documents yet: add a folder in the Library (F5, then a) or run `kb ingest FOLDER`."
            )
        elif state == "ready" and self._version != self.kb_app.index_version:
            self.load_overview(self.kb_app.backend)

    @work(thread=True, exclusive=True, group="overview")
    def load_overview(self, backend: Backend) -> None:
        """Fetch the counts."""
        with reporting(self, "counting the documents"):
            kb = backend.get()
            stats, passages = kb.stats(), kb.facets()
            for code in stats["per_country"]:
                country_name(code)
            deliver(self, OverviewReady(stats, passages))

    def on_overview_ready(self, message: OverviewReady) -> None:
        self._version = self.kb_app.index_version
        stats = message.stats
        years = list(stats["per_year"])
        span = (f"{years[0]}–{years[-1]}" if len(years) > 1 else years[0]) if years else "no years"
        missing = [r for r in REGIONS if not stats["per_region"].get(r)]
        gaps = f" · no documents from: {', '.join(missing)}" if missing else ""
        self.query_one("#overview-summary", Static).update(
            f"{stats['documents']} documents · {stats['passages']} passages · "
            f"{len(stats['per_country'])} countries"
            f" · {span}{gaps}"
        )
        for key, bars in chart_bars(stats, message.passages).items():
            self.query_one(f"#chart-{key}", BarChart).set_bars(bars)
