"""Optional generated answers: an OpenAI-compatible server (llama.cpp, Ollama, vLLM) writes the answer from the
numbered passages only; kb checks every sentence's citation numbers and falls back to the extractive answer."""

import json
import re
from dataclasses import replace
from typing import Any

from kb.answer import ANSWER_PASSAGES, Answer, Candidate, Citation, citation_for
from kb.core.config import Settings
from kb.core.sentences import sentence_spans
from kb.llm_http import HttpFailure, post
from kb.quotes import keyword_overlap, sentences, whole
from kb.search import Hit

UNSUPPORTED = "[unsupported]"
MAX_ANSWER_CHARS = 20_000  # asked for six short sentences; checking is ~0.5 ms a sentence
# Citation markers: numbers of at most 4 digits (a longer one cites no passage and must not reach int()).
_MARKERS = re.compile(r"\[(\d{1,4}(?:\s*[,;–-]\s*\d{1,4})*)\]")
SYSTEM_PROMPT = (
    "You answer questions for social protection advisers using only the numbered passages you are given. "
    "Write at most six short sentences in the language of the question. End every sentence with the numbers "
    "of the passages that support it, in square brackets, like [1] or [2, 3]. Do not use any other knowledge. "
    "If the passages do not answer the question, say so in one sentence without a citation."
)


def generate_answer(settings: Settings, extractive: Answer, timeout: float | None = None) -> Answer:
    """The server's answer checked against the passages, or `extractive` with a note saying why not.

    `timeout` (default `KB_LLM_TIMEOUT`) bounds the whole exchange with the server, not each read."""
    if not settings.llm_url:
        return replace(extractive, note="KB_LLM_URL is not set; this is the extractive answer")
    if extractive.abstained:
        return extractive  # nothing supports an answer: do not let a model write one
    passages = extractive.hits[:ANSWER_PASSAGES]
    try:
        text = chat(settings, prompt(extractive.question, passages), timeout or settings.llm_timeout)
    except GeneratorError as exc:
        return replace(extractive, note=f"the generator could not be used ({exc}); this is the extractive answer")
    checked, cited = check(text, len(passages))
    if not cited:
        return replace(extractive, note="the generated answer cited no passage; this is the extractive answer")
    citations = [_citation(n, passages[n - 1], checked) for n in sorted(cited)]
    return replace(extractive, answer=checked, citations=citations, generated=True, note=None)


class GeneratorError(Exception):
    """The server could not be reached or gave no usable answer."""


def prompt(question: str, passages: list[Hit]) -> list[dict[str, str]]:
    """Chat messages: the instructions, then the numbered passages and the question."""
    numbered = "\n\n".join(
        f"[{n}] {hit.passage.meta.get('title') or ''}\n{hit.passage.content or ''}" for n, hit in enumerate(passages, 1)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Passages:\n\n{numbered}\n\nQuestion: {question}"},
    ]


def chat(settings: Settings, messages: list[dict[str, str]], timeout: float) -> str:
    """POST to `{KB_LLM_URL}/v1/chat/completions` and return the first choice's text."""
    base = (settings.llm_url or "").rstrip("/")
    endpoint = f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"
    body = json.dumps({"model": settings.llm_model, "messages": messages, "temperature": 0, "stream": False}).encode()
    try:
        reply = post(endpoint, body, timeout=timeout, proxy=settings.llm_proxy, redirects=settings.llm_redirects)
    except HttpFailure as exc:
        raise GeneratorError(str(exc)) from exc
    if reply.status != 200:
        raise GeneratorError(f"{endpoint} answered HTTP {reply.status}")
    try:
        data: Any = json.loads(reply.body.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise GeneratorError(f"{endpoint} gave no chat completion") from exc
    if not isinstance(content, str) or not content.strip():
        raise GeneratorError(f"{endpoint} gave an empty answer")
    if len(content) > MAX_ANSWER_CHARS:
        raise GeneratorError(f"{endpoint} wrote {len(content):,} characters; kb checks answers of at most "
                             f"{MAX_ANSWER_CHARS:,}")
    return content.strip()


def check(text: str, passages: int) -> tuple[str, set[int]]:
    """The answer with every sentence lacking valid citation numbers marked `[unsupported]`, and the numbers cited."""
    cited: set[int] = set()
    out: list[str] = []
    for line in text.splitlines():
        parts = []
        for sentence in _sentences(line):
            numbers = _numbers(sentence)
            valid = bool(numbers) and all(1 <= n <= passages for n in numbers)
            if valid:
                cited.update(numbers)
            parts.append(sentence if valid else f"{UNSUPPORTED} {sentence}")
        out.append(" ".join(parts))
    return "\n".join(p for p in out if p), cited


def _sentences(text: str) -> list[str]:
    """The sentences of a generated answer, line by line, by the ingestion's sentence splitter."""
    return [line[start:end] for line in text.splitlines() for start, end in sentence_spans(line)]


def _numbers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites; a range wider than the passages given keeps only its ends, which
    cannot all be valid (so `[1-300000000]` is unsupported, never a list of 300 million numbers)."""
    found: list[int] = []
    for group in _MARKERS.findall(sentence):
        for piece in re.split(r"\s*[,;]\s*", group):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", piece) if x]
            wide = len(bounds) == 2 and bounds[1] - bounds[0] >= ANSWER_PASSAGES
            found += list(range(bounds[0], bounds[-1] + 1)) if len(bounds) == 2 and not wide else bounds
    return found


def _citation(n: int, hit: Hit, answer: str) -> Citation:
    """Citation `n`: the sentence of passage `n` closest in words to the generated sentences that cite it."""
    citing = " ".join(s for s in _sentences(answer) if n in _numbers(s))
    spans = sentences(hit.passage) or [whole(hit.passage)]
    best = max(spans, key=lambda span: keyword_overlap(citing, span.text))
    return citation_for(n, Candidate(best, hit))
