"""`kb ask --generate` against a fake OpenAI-compatible server: citations checked, fallback when it fails."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from haystack import Document

from kb.answer import Answer
from kb.core.config import Settings
from kb.generate import UNSUPPORTED, check, generate_answer
from kb.search import Hit

PASSAGES = [
    "Kenya pays a universal pension to every citizen aged 70 and over. The scheme pays KES 2,000 per month.",
    "Transfers are paid into bank accounts. Beneficiaries choose among several payment providers.",
]


def _hits() -> list[Hit]:
    return [
        Hit(rank=n, score=1.0, passage=Document(id=f"p{n}", content=text, meta={
            "doc_id": f"d{n}", "title": "Kenya study", "path": f"kenya{n}.pdf", "page_start": n, "page_end": n,
            "countries": ["KEN"], "year": 2024, "doc_type": "country_study", "lang": "en"}))
        for n, text in enumerate(PASSAGES, start=1)
    ]


def _extractive() -> Answer:
    return Answer("How much does Kenya pay older people?", "The scheme pays KES 2,000 per month. [1]", False,
                  hits=_hits(), support=0.8)


class _Server:
    """A chat-completions endpoint that answers `reply` (or fails with `status`), recording the requests."""

    def __init__(self, reply: str = "", status: int = 200) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body})
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(request):
    reply, status = request.param
    srv = _Server(reply, status)
    yield srv
    srv.close()


REPLY = "Kenya pays KES 2,000 a month [1]. Money goes to bank accounts [2]. It is generous."


@pytest.mark.parametrize("server", [(REPLY, 200)], indirect=True)
def test_generated_sentences_are_checked_and_cited(server):
    answer = generate_answer(Settings(llm_url=server.url), _extractive())
    assert answer.generated and answer.note is None
    assert server.requests[0]["path"] == "/v1/chat/completions"
    sent = server.requests[0]["body"]["messages"][-1]["content"]
    assert "[1] Kenya study" in sent and "[2] Kenya study" in sent
    assert f"{UNSUPPORTED} It is generous." in answer.answer
    assert "[1]." in answer.answer and not answer.answer.startswith(UNSUPPORTED)
    assert [c.n for c in answer.citations] == [1, 2]
    for c, text in zip(answer.citations, PASSAGES):
        assert c.quote in text
    assert answer.citations[0].quote == "The scheme pays KES 2,000 per month."


def test_numbers_that_do_not_exist_are_unsupported():
    text, cited = check("Fine [1, 2]. Made up [7]. Range [1-2]. None here.", passages=2)
    assert cited == {1, 2}
    assert text == f"Fine [1, 2]. {UNSUPPORTED} Made up [7]. Range [1-2]. {UNSUPPORTED} None here."


@pytest.mark.parametrize("server", [("", 500)], indirect=True)
def test_a_server_error_falls_back_to_the_extractive_answer(server):
    answer = generate_answer(Settings(llm_url=server.url + "/v1"), _extractive())
    assert not answer.generated and answer.answer == _extractive().answer
    assert "HTTP 500" in answer.note and "extractive" in answer.note


def test_an_unreachable_server_falls_back_to_the_extractive_answer():
    srv = _Server()
    url = srv.url
    srv.close()  # nothing listens there any more
    answer = generate_answer(Settings(llm_url=url), _extractive(), timeout=5)
    assert not answer.generated and "cannot reach" in answer.note


def test_without_a_server_url_the_extractive_answer_says_so():
    answer = generate_answer(Settings(llm_url=None), _extractive())
    assert not answer.generated and "KB_LLM_URL" in answer.note


def test_an_abstention_is_never_sent_to_the_generator():
    abstained = Answer("q", "The knowledge base has no passage that answers this question.", True, hits=_hits())
    assert generate_answer(Settings(llm_url="http://127.0.0.1:9"), abstained) is abstained
