"""A brief made of collected evidence, as Markdown or as a Word document (python-docx).

Both say the same in the same order: a title, the date, the questions the evidence was found for, the quotes
grouped per document (each with its number, section and page, and the user's note), and one reference per
document (`kb.core.references`).
"""

import io
from dataclasses import dataclass
from datetime import date

from tui.evidence import Evidence
from tui.format import countries_label, type_label

TITLE = "Evidence brief"


@dataclass(frozen=True)
class Brief:
    """What a brief says, whatever its format."""

    day: str
    questions: list[str]
    documents: list[list[Evidence]]  # quotes per document, documents in the order they are first cited

    @classmethod
    def of(cls, items: list[Evidence], today: date | None = None) -> "Brief":
        groups: dict[str, list[Evidence]] = {}
        for item in items:
            groups.setdefault(item.doc_id or item.path, []).append(item)
        questions = list(dict.fromkeys(item.question for item in items if item.question))
        return cls((today or date.today()).isoformat(), questions, list(groups.values()))

    @property
    def summary(self) -> str:
        quotes = sum(len(items) for items in self.documents)
        return (f"{quotes} passage{'s' if quotes != 1 else ''} from {len(self.documents)} "
                f"document{'s' if len(self.documents) != 1 else ''}, collected with kb on {self.day}.")


def facts(item: Evidence) -> str:
    """`Kenya (KEN) · 2024 · country study`: what a document is about, under its heading."""
    return " · ".join([countries_label(item.countries, codes_too=True), str(item.year or "n.d."),
                       type_label(item.doc_type)])


def citation(n: int, item: Evidence) -> str:
    """`[1], 3. Financing · p. 2`: the quote's number and where it sits."""
    where = item.location()
    return f"[{n}]{', ' + where if where else ''}"


def to_markdown(items: list[Evidence], today: date | None = None) -> str:
    """The brief as Markdown."""
    brief = Brief.of(items, today)
    lines = [f"# {TITLE}", "", brief.summary, ""]
    if brief.questions:
        lines += ["## Questions", "", *[f"- {q}" for q in brief.questions], ""]
    lines += ["## Evidence", ""]
    for n, group in enumerate(brief.documents, start=1):
        lines += [f"### [{n}] {group[0].title or 'Untitled'}", "", facts(group[0]), ""]
        for item in group:
            lines += [*quote_block(item.text), "", f"— {citation(n, item)}", ""]
            if item.note:
                lines += [f"*Note:* {item.note}", ""]
    lines += ["## References", ""]
    lines += [f"{n}. {group[0].source()}" for n, group in enumerate(brief.documents, start=1)]
    return "\n".join(lines) + "\n"


def to_docx(items: list[Evidence], today: date | None = None) -> bytes:
    """The brief as a Word document: headings, quotes in Word's Quote style, a numbered reference list."""
    from docx import Document

    brief = Brief.of(items, today)
    document = Document()
    document.core_properties.title = TITLE
    document.core_properties.author = "kb"
    document.add_heading(TITLE, level=0)
    document.add_paragraph(brief.summary)
    if brief.questions:
        document.add_heading("Questions", level=1)
        for question in brief.questions:
            document.add_paragraph(question, style="List Bullet")
    document.add_heading("Evidence", level=1)
    for n, group in enumerate(brief.documents, start=1):
        document.add_heading(f"[{n}] {group[0].title or 'Untitled'}", level=2)
        document.add_paragraph(facts(group[0])).runs[0].italic = True
        for item in group:
            document.add_paragraph(f"“{item.text}”", style="Quote")
            document.add_paragraph(f"— {citation(n, item)}")
            if item.note:
                note = document.add_paragraph()
                note.add_run("Note: ").bold = True
                note.add_run(item.note)
    document.add_heading("References", level=1)
    for n, group in enumerate(brief.documents, start=1):
        document.add_paragraph(f"[{n}] {group[0].source()}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def quote_block(text: str) -> list[str]:
    """A Markdown block quote of `text`."""
    return ["> " + line if line else ">" for line in text.splitlines() or [""]]
