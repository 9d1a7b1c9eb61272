"""The conversion pipeline: file-type router → converters → normaliser → page cleaner → facets → splitter →
passage countries."""

from pathlib import Path

from haystack import Pipeline
from haystack.components.joiners import DocumentJoiner
from haystack.components.preprocessors import DocumentCleaner
from haystack.components.routers import FileTypeRouter

from ingest.attribution import CountryAttributor
from ingest.chunking import MAX_TOKENS, OVERLAP_SENTENCES
from ingest.docx_converter import DocxToDocument
from ingest.facets import FacetExtractor
from ingest.formats import DOCX, HTML, IMAGES, MARKDOWN, PDF, TEXT
from ingest.html_converter import HtmlToMarkdown
from ingest.html_head import HtmlHeadReader
from ingest.image_converter import ImageToDocument
from ingest.limits import MAX_TEXT_CHARS
from ingest.markdown_renderer import MarkdownRenderer
from ingest.ocr import PageReader
from ingest.page_cleaner import PageCleaner
from ingest.pdf_converter import PdfiumToDocument
from ingest.splitter import PassageSplitter
from ingest.text_converter import DecodingTextFileToDocument
from ingest.text_limit import TextLimit

# The version of what this pipeline makes of a file. Raise it with any change to conversion, cleaning, facets or
# splitting that alters the passages (or the document record: author, publisher, url) of a file already indexed:
# the next `kb ingest` converts such files again (documents record the recipe they were made with; 0 before kb
# recorded it).
RECIPE = 6

# Unicode NFC, Latin ligatures spelled out, control and zero-width characters dropped, runs of 1,000+ non-space
# characters dropped, horizontal whitespace collapsed; page breaks (form feeds) and line breaks are kept for the
# page cleaner.
NORMALISATION = {
    r"\r\n?|[\u2028\u2029\x0b\x85]": "\n",
    r"[\x00-\x08\x0e-\x1f\x7f\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff]": "",
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "[\ufb05\ufb06]": "st",
    # A run of 1,000+ non-space characters is never prose (base64 data, hex dumps): it would make one passage
    # of megabytes that the model reads as a single unknown token.
    r"(?<!\S)\S{1000,}": " ",
    r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+": " ",
    r" ?\n ?": "\n",
    r"\n{3,}": "\n\n",
}


def build_pipeline(
    tokenizer_path: Path, max_tokens: int = MAX_TOKENS, overlap_sentences: int = OVERLAP_SENTENCES, ocr: PageReader | None = None
) -> Pipeline:
    """A Haystack Pipeline that turns one file into passages (run it with `router.sources=[path]`); with `ocr`,
    scanned PDF pages and image files are read by it."""
    pipeline = Pipeline()
    _add_converters(pipeline, ocr)
    pipeline.add_component("joiner", DocumentJoiner())
    pipeline.add_component("limit", TextLimit(MAX_TEXT_CHARS))
    pipeline.add_component(
        "normaliser",
        DocumentCleaner(
            remove_empty_lines=False,
            remove_extra_whitespaces=False,
            unicode_normalization="NFC",
            replace_regexes=NORMALISATION,
        ),
    )
    pipeline.add_component("cleaner", PageCleaner())
    pipeline.add_component("facets", FacetExtractor())
    pipeline.add_component("splitter", PassageSplitter(tokenizer_path, max_tokens, overlap_sentences))
    pipeline.add_component("attribution", CountryAttributor())
    for branch in ("pdf", "image", "docx", "html_markdown", "markdown", "text"):
        pipeline.connect(f"{branch}.documents", "joiner.documents")
    pipeline.connect("joiner.documents", "limit.documents")
    pipeline.connect("limit.documents", "normaliser.documents")
    pipeline.connect("normaliser.documents", "cleaner.documents")
    pipeline.connect("cleaner.documents", "facets.documents")
    pipeline.connect("facets.documents", "splitter.documents")
    pipeline.connect("splitter.documents", "attribution.documents")
    return pipeline


def _add_converters(pipeline: Pipeline, ocr: PageReader | None) -> None:
    """The file-type router and one converter branch per format (HTML and Markdown rendered to sections)."""
    pipeline.add_component(
        "router",
        FileTypeRouter(
            mime_types=[PDF, DOCX, HTML, MARKDOWN, TEXT, IMAGES], additional_mimetypes={MARKDOWN: ".markdown"}
        ),
    )
    pipeline.add_component("pdf", PdfiumToDocument(ocr))
    pipeline.add_component("image", ImageToDocument(ocr))
    pipeline.add_component("docx", DocxToDocument())
    pipeline.add_component("html_head", HtmlHeadReader())
    pipeline.add_component("html", HtmlToMarkdown())
    pipeline.add_component("html_markdown", MarkdownRenderer(read_front_matter=False))
    pipeline.add_component("markdown_file", DecodingTextFileToDocument(source_format="markdown"))
    pipeline.add_component("markdown", MarkdownRenderer())
    pipeline.add_component("text", DecodingTextFileToDocument(source_format="text"))
    pipeline.connect(f"router.{PDF}", "pdf.sources")
    pipeline.connect(f"router.{DOCX}", "docx.sources")
    pipeline.connect(f"router.{HTML}", "html_head.sources")
    pipeline.connect("html_head.sources", "html.sources")
    pipeline.connect("html.documents", "html_markdown.documents")
    pipeline.connect(f"router.{MARKDOWN}", "markdown_file.sources")
    pipeline.connect("markdown_file.documents", "markdown.documents")
    pipeline.connect(f"router.{TEXT}", "text.sources")
    pipeline.connect(f"router.{IMAGES}", "image.sources")
