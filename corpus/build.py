"""Build the binary documents of the bundled corpus (PDF and DOCX) from their text sources.

Usage (from the repository root):

    .venv/bin/python corpus/build.py            # regenerate every PDF/DOCX under corpus/docs/
    .venv/bin/python corpus/build.py --check    # then run corpus/check.py

Sources live in corpus/sources/*.md. Each starts with a front-matter block:

    ---
    output: docs/reports/some_report.pdf      (relative to corpus/; .pdf or .docx)
    title: Full title
    subtitle: Optional subtitle (cover page and DOCX only)
    short_title: Running-header text (PDF)
    series: Series name (running header right-hand side, cover page)
    date: Month Year as printed on the cover / first page
    cover: yes | no                           (PDF: unnumbered cover page before page 1)
    lang: en | fr | es
    ---

Body syntax (a small Markdown subset):
    # Heading 1 / ## Heading 2 / ### Heading 3
    blank-line separated paragraphs; **bold** and *italic* inline
    "- " bullet items (one per line)
    "| a | b |" table rows (first row is the header; a "|---|" separator row is ignored)
    "[[pagebreak]]" on its own line: explicit page break (PDF; ignored by DOCX)

The build is deterministic: PDFs are written with reportlab's invariant mode (fixed creation date and
document ID) and DOCX packages get fixed core properties and fixed ZIP timestamps, so a rebuild yields
byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import sys
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
SOURCES = CORPUS / "sources"
FIXED_DATE = _dt.datetime(2025, 1, 1, 0, 0, 0)
AUTHOR = "kb corpus team"

# ----------------------------------------------------------------------------------------------
# Source parsing
# ----------------------------------------------------------------------------------------------


def parse_source(path: Path) -> tuple[dict, list[tuple]]:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    if not m:
        raise ValueError(f"{path}: missing front matter")
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        if line.strip():
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip()
    body = text[m.end():]
    blocks: list[tuple] = []
    para: list[str] = []
    bullets: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal para, bullets, table
        if para:
            blocks.append(("p", " ".join(s.strip() for s in para)))
            para = []
        if bullets:
            blocks.append(("ul", bullets))
            bullets = []
        if table:
            blocks.append(("table", table))
            table = []

    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if line.strip() == "[[pagebreak]]":
            flush()
            blocks.append(("pagebreak",))
            continue
        hm = re.match(r"^(#{1,3}) (.*)$", line)
        if hm:
            flush()
            blocks.append(("h", len(hm.group(1)), hm.group(2).strip()))
            continue
        if line.startswith("- "):
            if para or table:
                flush()
            bullets.append(line[2:].strip())
            continue
        if line.startswith("|"):
            if para or bullets:
                flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                continue
            table.append(cells)
            continue
        if bullets and line.startswith("  "):
            bullets[-1] += " " + line.strip()
            continue
        if bullets or table:
            flush()
        para.append(line)
    flush()
    return meta, blocks


def inline_to_rl(s: str) -> str:
    """Markdown-ish inline markup to reportlab paragraph markup."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)
    s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", s)
    return s


def inline_runs(s: str) -> list[tuple[str, bool, bool]]:
    """Split inline markup into (text, bold, italic) runs for DOCX."""
    runs: list[tuple[str, bool, bool]] = []
    pos = 0
    pattern = re.compile(r"\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
    for m in pattern.finditer(s):
        if m.start() > pos:
            runs.append((s[pos:m.start()], False, False))
        if m.group(1) is not None:
            runs.append((m.group(1), True, False))
        else:
            runs.append((m.group(2), False, True))
        pos = m.end()
    if pos < len(s):
        runs.append((s[pos:], False, False))
    return runs


# ----------------------------------------------------------------------------------------------
# PDF
# ----------------------------------------------------------------------------------------------


def build_pdf(meta: dict, blocks: list[tuple], out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        KeepTogether,
        ListFlowable,
        ListItem,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    has_cover = meta.get("cover", "no").lower() in ("yes", "true", "1")
    width, height = A4
    margin = 22 * mm

    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14.5, alignment=TA_LEFT,
                          spaceAfter=7)
    h1 = ParagraphStyle("h1", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=6,
                        spaceAfter=10, textColor=colors.HexColor("#1f3a60"))
    h2 = ParagraphStyle("h2", parent=base, fontName="Helvetica-Bold", fontSize=13, leading=17, spaceBefore=8,
                        spaceAfter=6, textColor=colors.HexColor("#1f3a60"))
    h3 = ParagraphStyle("h3", parent=base, fontName="Helvetica-BoldOblique", fontSize=11, leading=15,
                        spaceBefore=4, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=12, spaceAfter=0)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName="Helvetica-Bold")
    cover_title = ParagraphStyle("ct", parent=base, fontName="Helvetica-Bold", fontSize=24, leading=30,
                                 alignment=TA_CENTER, textColor=colors.HexColor("#1f3a60"))
    cover_sub = ParagraphStyle("cs", parent=base, fontSize=14, leading=19, alignment=TA_CENTER)
    cover_small = ParagraphStyle("csm", parent=base, fontSize=11, leading=15, alignment=TA_CENTER)

    short_title = meta.get("short_title", meta["title"])
    series = meta.get("series", "")
    offset = 1 if has_cover else 0

    def draw_running(canv, doc) -> None:
        canv.saveState()
        canv.setFont("Helvetica", 8.5)
        canv.setFillColor(colors.HexColor("#444444"))
        canv.drawString(margin, height - 13 * mm, short_title)
        if series:
            canv.drawRightString(width - margin, height - 13 * mm, series)
        canv.setStrokeColor(colors.HexColor("#999999"))
        canv.line(margin, height - 14.5 * mm, width - margin, height - 14.5 * mm)
        canv.line(margin, 15.5 * mm, width - margin, 15.5 * mm)
        printed = doc.page - offset
        canv.drawCentredString(width / 2, 11 * mm, f"Page {printed}")
        canv.restoreState()

    frame = Frame(margin, 20 * mm, width - 2 * margin, height - 40 * mm, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    cover_frame = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="cover")
    templates = []
    if has_cover:
        templates.append(PageTemplate(id="cover", frames=[cover_frame]))
    templates.append(PageTemplate(id="main", frames=[frame], onPage=draw_running))

    out.parent.mkdir(parents=True, exist_ok=True)
    doc = BaseDocTemplate(
        str(out), pagesize=A4, pageTemplates=templates, invariant=1, title=meta["title"], author=AUTHOR,
        subject=series, creator="corpus/build.py", producer="reportlab", lang=meta.get("lang", "en"),
    )

    story: list = []
    if has_cover:
        story += [Spacer(1, 60 * mm), Paragraph(inline_to_rl(meta["title"]), cover_title), Spacer(1, 8 * mm)]
        if meta.get("subtitle"):
            story += [Paragraph(inline_to_rl(meta["subtitle"]), cover_sub), Spacer(1, 30 * mm)]
        if series:
            story.append(Paragraph(inline_to_rl(series), cover_small))
        if meta.get("date"):
            story.append(Paragraph(inline_to_rl(meta["date"]), cover_small))
        story += [NextPageTemplate("main"), PageBreak()]
    else:
        story.append(Paragraph(inline_to_rl(meta["title"]), h1))
        if meta.get("subtitle"):
            story.append(Paragraph(inline_to_rl(meta["subtitle"]), h3))
        if meta.get("date"):
            story.append(Paragraph(inline_to_rl(meta["date"]), base))

    pending_heading = None
    for b in blocks:
        kind = b[0]
        if kind == "pagebreak":
            story.append(PageBreak())
            continue
        if kind == "h":
            style = {1: h1, 2: h2, 3: h3}[b[1]]
            pending_heading = Paragraph(inline_to_rl(b[2]), style)
            continue
        if kind == "p":
            flow = Paragraph(inline_to_rl(b[1]), base)
        elif kind == "ul":
            flow = ListFlowable(
                [ListItem(Paragraph(inline_to_rl(t), base), leftIndent=12) for t in b[1]],
                bulletType="bullet", start="\u2022", leftIndent=12, bulletFontSize=8,
            )
        elif kind == "table":
            rows = b[1]
            data = [[Paragraph(inline_to_rl(c), cell_b if i == 0 else cell) for c in r]
                    for i, r in enumerate(rows)]
            ncol = max(len(r) for r in rows)
            t = Table(data, colWidths=[(width - 2 * margin) / ncol] * ncol, repeatRows=1)
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde5f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            flow = t
        else:  # pragma: no cover
            raise ValueError(kind)
        if pending_heading is not None:
            story.append(KeepTogether([pending_heading, flow]) if kind != "table" else pending_heading)
            if kind == "table":
                story.append(flow)
            pending_heading = None
        else:
            story.append(flow)
        if kind == "table":
            story.append(Spacer(1, 6))
    if pending_heading is not None:
        story.append(pending_heading)
    doc.build(story)


# ----------------------------------------------------------------------------------------------
# DOCX
# ----------------------------------------------------------------------------------------------


def build_docx(meta: dict, blocks: list[tuple], out: Path) -> None:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(11)
    d.add_heading(meta["title"], level=0)
    if meta.get("subtitle"):
        d.add_paragraph(meta["subtitle"], style="Subtitle")
    if meta.get("series") or meta.get("date"):
        d.add_paragraph(" | ".join(x for x in (meta.get("series"), meta.get("date")) if x))

    def add_runs(par, text: str) -> None:
        for t, bold, italic in inline_runs(text):
            r = par.add_run(t)
            r.bold = bold or None
            r.italic = italic or None

    for b in blocks:
        kind = b[0]
        if kind == "pagebreak":
            continue
        if kind == "h":
            d.add_heading(b[2], level=b[1])
        elif kind == "p":
            add_runs(d.add_paragraph(), b[1])
        elif kind == "ul":
            for item in b[1]:
                add_runs(d.add_paragraph(style="List Bullet"), item)
        elif kind == "table":
            rows = b[1]
            ncol = max(len(r) for r in rows)
            t = d.add_table(rows=len(rows), cols=ncol)
            t.style = "Table Grid"
            for i, r in enumerate(rows):
                for j, c in enumerate(r):
                    par = t.cell(i, j).paragraphs[0]
                    add_runs(par, c)
                    if i == 0:
                        for run in par.runs:
                            run.bold = True

    cp = d.core_properties
    cp.title = meta["title"]
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.last_printed = FIXED_DATE
    cp.revision = 1
    cp.language = meta.get("lang", "en")
    cp.subject = meta.get("series", "")
    cp.keywords = ""
    cp.comments = "Generated by corpus/build.py from corpus/sources."

    buf = io.BytesIO()
    d.save(buf)
    # Re-pack with fixed timestamps and a stable member order so the output is byte-identical.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))


# ----------------------------------------------------------------------------------------------


def sources() -> list[Path]:
    return sorted(SOURCES.glob("*.md"))


def build_all(verbose: bool = True, out_root: Path | None = None) -> list[Path]:
    """Build every source; outputs go under ``out_root`` (default: corpus/) at their ``output`` path."""
    root = CORPUS if out_root is None else Path(out_root)
    outputs = []
    for src in sources():
        meta, blocks = parse_source(src)
        out = root / meta["output"]
        if out.suffix == ".pdf":
            build_pdf(meta, blocks, out)
        elif out.suffix == ".docx":
            build_docx(meta, blocks, out)
        else:
            raise ValueError(f"{src}: unsupported output {out}")
        outputs.append(out)
        if verbose:
            print(f"built {out.relative_to(root)}  <-  {src.relative_to(CORPUS)}")
    return outputs


def main(argv: list[str]) -> int:
    build_all()
    if "--check" in argv:
        sys.path.insert(0, str(CORPUS))
        import check

        return check.main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
