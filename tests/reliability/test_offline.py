"""Offline and private: no command opens a network connection, catalogue paths stay inside the ingested
folder, and an exported brief is written where the user asked and nowhere else."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.catalog import CatalogError, load_catalogs, read_catalog
from kb.core.errors import UsageError
from tests.reliability import netguard
from tests.reliability.conftest import ROOT, make_folder

QUESTION = "How did Kenya give pensions to older people who never contributed?"
DOCUMENTS = {
    "kenya.md": (
        "# Kenya: a universal pension at seventy\n\nIn 2018 Kenya introduced Inua Jamii, a universal social "
        "pension paid every month to all citizens aged 70 and over, whether or not they had ever contributed "
        "to a pension scheme. It is financed from general taxation.\n\nThe pension reached more than 800,000 "
        "older people within its first year, most of whom had worked in the informal economy.\n"
    ),
    "nepal.txt": (
        "Nepal pays a child grant to families with children under five. The grant is paid through local "
        "governments and is tied to birth registration, which rose sharply after it began.\n"
    ),
    "uruguay.md": (
        "# Uruguay: the monotax\n\nUruguay's monotax lets small independent workers pay one simplified "
        "contribution that covers taxes and social security, bringing many of them into the pension system.\n"
    ),
}


def _write_documents(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


OFFLINE_SCRIPT = r"""
import asyncio, json, sys
from pathlib import Path
from tests.reliability import netguard
attempts = netguard.install()  # records (and refuses) any Python-level attempt as well
from kb import cli

docs, index, question = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
result = {"codes": {}}
result["codes"]["ingest"] = cli.main(["ingest", str(docs), "--index", str(index), "--json"])
result["codes"]["ask"] = cli.main(["ask", question, "--index", str(index), "--json"])
result["codes"]["search"] = cli.main(["search", question, "--index", str(index), "--json"])

async def tui_ask():
    from tests.tui.helpers import ask, settle, text
    from tui.app import KbApp
    app = KbApp(index=index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, question)
        return text(app.screen.query_one("#answer"))

try:
    result["tui_answer"] = asyncio.run(tui_ask())
except ImportError as exc:
    result["tui_answer"] = None
    result["tui_missing"] = str(exc)
result["attempts"] = attempts
print("RESULT " + json.dumps(result))
"""


def _unshare_works() -> str | None:
    try:
        done = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare is not available ({exc})"
    return None if done.returncode == 0 else f"unshare -n is not permitted here: {done.stderr.strip()}"


@pytest.mark.slow
def test_ingest_ask_and_the_tui_work_in_a_network_namespace_without_network(tmp_path):
    reason = _unshare_works()
    if reason:
        pytest.skip(reason)
    docs = _write_documents(tmp_path / "docs")
    from tests.ingest.scans import PAGES, scanned_page

    scanned_page(*PAGES["fr"]).save(docs / "scanned-study.png")  # OCR runs offline too (models in the wheel)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "HAYSTACK_"))}
    env["KB_OCR_CACHE"] = str(tmp_path / "ocr-cache")
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", OFFLINE_SCRIPT, str(docs), str(tmp_path / "index"), QUESTION],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    assert result["codes"] == {"ingest": 0, "ask": 0, "search": 0}, done.stderr[-3000:]  # the scan indexed too
    assert list((tmp_path / "ocr-cache").glob("*.json"))
    assert result["attempts"] == []
    assert "Traceback" not in done.stderr
    if result["tui_answer"] is None:
        pytest.skip(f"the TUI is not importable: {result['tui_missing']}")
    assert "Kenya" in result["tui_answer"] or "[1]" in result["tui_answer"], result["tui_answer"]


@pytest.mark.slow
def test_no_socket_is_opened_by_ingest_or_ask_in_process(tmp_path, monkeypatch):
    attempts = netguard.install(monkeypatch.setattr)
    from kb.service import KnowledgeBase

    docs = _write_documents(tmp_path / "docs")
    with KnowledgeBase(index=tmp_path / "index") as kb:
        report = kb.ingest([docs])
        answer = kb.ask(QUESTION)
        hits = kb.search("child grant birth registration")
    assert not report.failed and report.documents_total == 3
    assert answer.to_dict() and hits
    assert attempts == []


def test_the_guard_itself_catches_connections(monkeypatch):
    import socket
    import urllib.request

    attempts = netguard.install(monkeypatch.setattr)
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.org", timeout=1)
    with pytest.raises(OSError), socket.socket() as sock:
        sock.connect(("127.0.0.1", 9))
    assert len(attempts) == 2


# ---- catalogue paths stay inside the folder ----


@pytest.mark.parametrize(
    ("row_path", "says"),
    [
        ("../outside.txt", "outside the catalogue folder"),
        ("sub/../../outside.txt", "outside the catalogue folder"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("\\\\server\\share\\x.txt", "absolute paths are not allowed"),
        ("C:\\reports\\x.txt", "absolute paths are not allowed"),
        ("escape-link.txt", "outside the catalogue folder"),
        ("linked-folder/secret.txt", "outside the catalogue folder"),
    ],
)
def test_catalogue_paths_cannot_point_outside_the_folder(tmp_path, row_path, says):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not part of the corpus")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "escape-link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    for name, writer in (("catalog.csv", _csv), ("catalog.yaml", _yaml)):
        catalog = folder / name
        catalog.write_text(writer(row_path))
        with pytest.raises(CatalogError, match=says):
            read_catalog(catalog)
        with pytest.raises(CatalogError):
            load_catalogs(folder)
        catalog.unlink()


def test_an_ingest_with_an_escaping_catalogue_stops_clearly_before_any_work(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=3)
    (folder / "catalog.csv").write_text(_csv("../../etc/passwd") + "doc001.txt,Fine,KEN\n")
    done = server.ingest(["ingest", str(folder), "--index", str(tmp_path / "index")], tmp_path / "out.json")
    assert done["code"] == 2 and "Traceback" not in done["stderr"], done["stderr"]
    first = done["stderr"].splitlines()[0]
    assert first.startswith("kb: error: catalogue") and "invalid row" in first
    assert "outside the catalogue folder" in done["stderr"]
    assert not (tmp_path / "index" / "kb.sqlite3").exists() or _passages(tmp_path / "index") == 0


def _passages(index: Path) -> int:
    from index.store import LocalStore

    with LocalStore(index, create=False) as store:
        return store.count_documents()


def _csv(path: str) -> str:
    return f'path,title,countries\n"{path}",Escaped,KEN\n'


def _yaml(path: str) -> str:
    return f"- path: {json.dumps(path)}\n  title: Escaped\n  countries: KEN\n"


# ---- exported briefs go where the user asked ----


def _collection():
    collection_module = pytest.importorskip("tui.collection", reason="the TUI's export is not available")
    from tui.evidence import Evidence

    collection = collection_module.Collection()
    collection.toggle(
        Evidence(
            passage_id="p1",
            title="Kenya: a universal pension",
            path="docs/kenya.md",
            countries=("KEN",),
            year=2019,
            doc_type="country_study",
            quote="Kenya introduced a universal pension.",
            passage="Kenya introduced it.",
        )
    )
    return collection


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("brief.md", "work/brief.md"),
        ("briefs/pensions.md", "work/briefs/pensions.md"),
        ("{tmp}/elsewhere/out.md", "elsewhere/out.md"),
        ("{tmp}/a-folder", "a-folder/kb-brief.md"),
        (None, "work/kb-brief.md"),
    ],
)
def test_a_brief_is_written_where_the_user_asked_and_nowhere_else(tmp_path, monkeypatch, asked, expected):
    collection = _collection()
    (tmp_path / "work").mkdir()
    (tmp_path / "a-folder").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    before = _tree(tmp_path)
    written = collection.export(asked.format(tmp=tmp_path) if asked else None)
    assert written == tmp_path / expected and written.read_text(encoding="utf-8").startswith(
        "# Evidence brief"
    )
    created = _tree(tmp_path) - before
    assert {c for c in created if not (tmp_path / c).is_dir()} == {expected}
    assert not (tmp_path / "home").exists()


def test_a_brief_that_cannot_be_written_is_a_clear_error(tmp_path):
    collection = _collection()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="cannot write"):
        collection.export(tmp_path / "file" / "brief.md")  # a path under a file


@pytest.mark.parametrize("first", ["ingest.run", "index.store", "bench.synthetic", "tui.app", "kb.service"])
def test_haystack_telemetry_is_off_whichever_package_is_imported_first(first: str) -> None:
    """Haystack decides on telemetry when it is imported: importing a module of ingest/, index/, bench/ or tui/
    before kb must not leave it on (it posts usage events to posthog.com on every pipeline run)."""
    probe = (f"import sys, {first}; import haystack.telemetry._telemetry as t; "
             "sys.exit(0 if t.telemetry is None else 1)")
    env = {k: v for k, v in os.environ.items() if k != "HAYSTACK_TELEMETRY_ENABLED"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
