"""A horizontal bar chart drawn with block characters: one row per value, zero rows shown as gaps."""

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

BLOCKS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class Bar:
    """One row: a label, the documents (the bar) and the passages (a number after it)."""

    label: str
    documents: int
    passages: int


class BarChart(Static):
    """A titled chart; the bars are scaled to the widget's width and redrawn when it changes."""

    def __init__(self, title: str, bars: list[Bar] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = title
        self.bars = bars or []

    def set_bars(self, bars: list[Bar]) -> None:
        """Show `bars`."""
        self.bars = bars
        self.refresh(layout=True)

    def render(self) -> Content:
        if not self.bars:
            return Content.styled("no documents", "dim")
        width = max(self.content_size.width, 20)
        label_width = min(max(len(b.label) for b in self.bars), max(8, width // 2))
        numbers = [
            f" {b.documents} doc{'s' if b.documents != 1 else ''} · {b.passages} pass." for b in self.bars
        ]
        bar_width = max(4, width - label_width - max(len(n) for n in numbers) - 2)
        most = max(b.documents for b in self.bars) or 1
        lines = []
        for bar, number in zip(self.bars, numbers):
            label = bar.label[:label_width].ljust(label_width)
            if bar.documents == 0:
                lines.append(Content.assemble((label, "dim"), "  ", ("· no documents", "dim $text-warning")))
                continue
            lines.append(
                Content.assemble(
                    label, "  ", (draw(bar.documents / most * bar_width), "$accent"), (number, "dim")
                )
            )
        return Content("\n").join(lines)


def draw(length: float) -> str:
    """A bar `length` cells long, with eighth-cell precision at the end (at least a sliver)."""
    full, rest = int(length), int((length - int(length)) * 8)
    return "█" * full + (BLOCKS[rest] if rest else "") or "▏"
