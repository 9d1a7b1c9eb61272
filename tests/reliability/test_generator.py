"""`kb ask --generate` against hostile OpenAI-compatible servers on this machine: whatever the server does (fails,
lies, trickles, floods, redirects), the answer comes back in time with every sentence checked, or falls back to the
extractive answer with a note; memory stays bounded; the question never goes to a proxy or another port unasked."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from haystack import Document

from kb.answer import Answer
from kb.core.config import Settings
from kb.generate import UNSUPPORTED, generate_answer
from kb.search import Hit
from tests.reliability.conftest import ROOT

PASSAGES = [
    "Kenya pays a universal pension to every citizen aged 70 and over. The scheme pays KES 2,000 per month.",
    "Transfers are paid into bank accounts. Beneficiaries choose among several payment providers.",
]
FINE = "Kenya pays KES 2,000 a month [1]. Money goes to bank accounts [2]."


def extractive() -> Answer:
    """The extractive answer that the generator is asked to rewrite (two numbered passages)."""
    hits = [
        Hit(rank=n, score=1.0, passage=Document(id=f"p{n}", content=text, meta={
            "doc_id": f"d{n}", "title": "Kenya study", "path": f"kenya{n}.pdf", "page_start": n, "page_end": n,
            "countries": ["KEN"], "year": 2024, "doc_type": "country_study", "lang": "en"}))
        for n, text in enumerate(PASSAGES, start=1)
    ]
    return Answer("How much does Kenya pay older people?", "The scheme pays KES 2,000 per month. [1]", False,
                  hits=hits, support=0.8)


def completion(content: Any) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()


Respond = Callable[[BaseHTTPRequestHandler], None]


class FakeServer:
    """An HTTP server on 127.0.0.1 whose every request is answered by `respond`; requests are recorded."""

    def __init__(self, respond: Respond) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"path": self.path, "body": self.rfile.read(length)})
                try:
                    respond(self)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: that is the point
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers: list[FakeServer] = []

    def start(respond: Respond) -> FakeServer:
        servers.append(FakeServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def send(body: bytes, status: int = 200, headers: dict[str, str] | None = None, length: bool = True) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for key, value in (headers or {"Content-Type": "application/json"}).items():
            handler.send_header(key, value)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def _ask(url: str, timeout: float = 10.0, **settings: Any) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = generate_answer(Settings(llm_url=url, **settings), extractive(), timeout=timeout)
    return answer, time.monotonic() - started


def _fell_back(answer: Answer, says: str) -> None:
    assert not answer.generated and answer.answer == extractive().answer, answer
    assert says in (answer.note or "") and "extractive" in answer.note, answer.note


# ---- the first round's hostile replies: each is checked or refused, never a traceback ----
@pytest.mark.parametrize(
    ("respond", "says"),
    [
        (send(b"", 500), "HTTP 500"),
        (send(b"not found", 404, {"Content-Type": "text/html"}), "HTTP 404"),
        (send(b"<html>proxy error</html>", 200, {"Content-Type": "text/html"}), "no chat completion"),
        (send(b"{not json"), "no chat completion"),
        (send(json.dumps({"choices": []}).encode()), "no chat completion"),
        (send(completion(None)), "empty answer"),
        (send(completion(["a", "list"])), "empty answer"),
        (send(completion("   ")), "empty answer"),
        (send(b'{"choices": [', length=False), "no chat completion"),
        (send(completion("Nothing here cites a passage.")), "cited no passage"),
        (send(completion("Made up [7]. Zero [0]. Huge [99999999999999999999999]. Reversed [2-1].")),
         "cited no passage"),
    ],
    ids=["500", "404", "html", "bad-json", "no-choices", "null", "list", "blank", "cut-short", "no-citation",
         "invalid-numbers"],
)
def test_hostile_replies_fall_back_with_a_note(serve, respond, says):
    answer, _ = _ask(serve(respond).url)
    _fell_back(answer, says)


def test_sentences_with_invalid_citations_are_marked_unsupported(serve):
    reply = f"{FINE} Invented [3]. Huge [{'9' * 5000}]. Negative [-1]."
    answer, _ = _ask(serve(send(completion(reply))).url)
    assert answer.generated and [c.n for c in answer.citations] == [1, 2]
    for sentence in ("Invented [3].", "Negative [-1]."):
        assert f"{UNSUPPORTED} {sentence}" in answer.answer
    assert f"{UNSUPPORTED} Huge [" in answer.answer


def test_a_server_that_never_answers_gives_up_at_the_deadline(serve):
    answer, seconds = _ask(serve(lambda _handler: time.sleep(30)).url, timeout=1.0)
    _fell_back(answer, "1 s")
    assert seconds < 3


# ---- this round ----
def _trickle(head: bytes, body: bytes, pause: float) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        for byte in head + body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)

    return respond


@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_overall_deadline(serve, part):
    """A reply trickled at a byte every 0.25 s (the per-read timeout never trips) must not be waited for."""
    body = completion("Kenya pays KES 2,000 a month [1].")
    head = f"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    if part == "body":
        def respond(handler: BaseHTTPRequestHandler) -> None:
            handler.wfile.write(head)
            _trickle(b"", body, 0.25)(handler)
    else:
        respond = _trickle(head, body, 0.25)
    answer, seconds = _ask(serve(respond).url, timeout=2.0)
    _fell_back(answer, "within 2 s")
    assert seconds < 4


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_huge_reply_is_refused_by_its_size_not_checked_for_minutes(serve, declared):
    sentences = " ".join(f"Sentence number {i} says the pension rose [1]." for i in range(60_000))  # ~3 MB
    answer, seconds = _ask(serve(send(completion(sentences), length=declared)).url)
    _fell_back(answer, "bytes")
    assert seconds < 5


def test_a_long_answer_under_the_size_cap_is_refused_by_its_length(serve):
    sentences = " ".join(f"Sentence {i} [1]." for i in range(3_000))  # 50,000 characters in 60 KB
    answer, seconds = _ask(serve(send(completion(sentences))).url)
    _fell_back(answer, "characters")
    assert seconds < 5


@pytest.mark.skipif(sys.platform != "linux", reason="caps the address space with setrlimit (Linux)")
def test_a_citation_range_of_millions_is_not_expanded(serve):
    """`[1-300000000]` was expanded into a list of 300 million numbers (over 3 GB): checked here under a cap."""
    server = serve(send(completion(f"{FINE} All of them [1-300000000]. Some [1–2].")))
    answer = _ask_in_a_process(server.url, cap_mb=512)
    assert answer["generated"] and f"{UNSUPPORTED} All of them [1-300000000]." in answer["answer"]
    assert "Some [1–2]." in answer["answer"] and f"{UNSUPPORTED} Some" not in answer["answer"]


def _ask_in_a_process(url: str, cap_mb: int = 0, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`generate_answer` in a fresh Python (its address space capped to `cap_mb` above what it maps at start)."""
    out = subprocess.run([sys.executable, "-c", IN_A_PROCESS, url, str(cap_mb)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


IN_A_PROCESS = """
import json, resource, sys
from kb.core.config import Settings
from kb.generate import generate_answer
from tests.reliability.test_generator import extractive

if int(sys.argv[2]):
    mapped = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:"))
    cap = mapped + int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
answer = generate_answer(Settings(llm_url=sys.argv[1]), extractive(), timeout=30)
print(json.dumps({"generated": answer.generated, "answer": answer.answer, "note": answer.note}))
"""


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_server_is_never_reached_through_the_environment_proxy(serve, host):
    """With `http_proxy` set (in a fresh process: urllib caches its proxies), the question and passages went to
    the proxy even for a loopback KB_LLM_URL."""
    proxy, server = serve(send(completion(FINE))), serve(send(completion(FINE)))
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "all_proxy")}
    env.update({"http_proxy": proxy.url, "HTTP_PROXY": proxy.url, "all_proxy": proxy.url})
    answer = _ask_in_a_process(server.url.replace("127.0.0.1", host), env=env)
    assert answer["generated"] and len(server.requests) == 1, answer
    assert proxy.requests == [], "the question and passages went to the proxy"


def test_a_configured_proxy_is_used(serve):
    proxy = serve(send(completion(FINE)))
    answer, _ = _ask("http://127.0.0.1:9/v1", llm_proxy=proxy.url)
    assert answer.generated and proxy.requests[0]["path"] == "http://127.0.0.1:9/v1/chat/completions"


def test_redirects_are_not_followed_unless_configured(serve):
    elsewhere = serve(send(completion(FINE)))
    redirecting = serve(send(b"", 302, {"Location": f"{elsewhere.url}/v1/chat/completions"}))
    answer, _ = _ask(redirecting.url)
    _fell_back(answer, "redirected to")
    assert elsewhere.requests == []
    answer, _ = _ask(redirecting.url, llm_redirects=1)
    assert answer.generated and json.loads(elsewhere.requests[0]["body"])["messages"]
