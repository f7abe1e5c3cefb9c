"""A real Chromium against the real server: the widget on a hostile page of another origin, and the
Gradio chat with its thumbs. Screenshots go to tests/screenshots/ (git-ignored)."""

import functools
import http.server
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from assistant.assistant import Assistant
from assistant.indexer import build_index
from assistant.settings import Settings
from assistant.web import create_app
from tests.conftest import BUDGET, XSS_DOCUMENT, XSS_QUESTION

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)"),
]

PROJECT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# A host page that tries its worst on everything, including what the widget adds to it.
HOSTILE_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site partenaire</title>
<style>
* {{ color: red !important; font-size: 40px !important; font-family: serif !important; }}
div, button, textarea {{ display: block; padding: 30px !important; border: 5px dashed green !important; background: lime !important; }}
mark, blockquote, a {{ visibility: hidden !important; }}
</style></head>
<body><h1>Site partenaire</h1><p>Un article sur l'innovation en Occitanie.</p>
<script src="{server}/widget.js" data-title="Assistant Innovation" data-lang="fr" data-position="right" data-color="#0b5394" async></script>
</body></html>
"""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The assistant on one loopback origin, a host page on another; yields both URLs and the app."""
    root = tmp_path_factory.mktemp("web-browser")
    shutil.copytree(PROJECT / "corpus", root / "corpus")
    (root / "corpus" / "programmes" / "zorglub.md").write_text(XSS_DOCUMENT, encoding="utf-8")
    server_port, page_port = free_port(), free_port()
    server_url, page_url = f"http://127.0.0.1:{server_port}", f"http://127.0.0.1:{page_port}"
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", data_dir=root / "data",
                        allowed_origins=[page_url], port=server_port)
    build_index(settings)
    app = create_app(settings, Assistant(settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=server_port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()

    pages = root / "host"
    pages.mkdir()
    (pages / "index.html").write_text(HOSTILE_PAGE.format(server=server_url), encoding="utf-8")
    host = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), functools.partial(QuietHandler, directory=pages))
    threading.Thread(target=host.serve_forever, daemon=True).start()

    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    yield {"server": server_url, "page": page_url, "app": app, "settings": settings}
    host.shutdown()
    server.should_exit = True


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    page.close()


def open_widget(page, site):
    page.goto(site["page"])
    launcher = page.locator("#occitanie-assistant .fab")
    launcher.wait_for()
    launcher.focus()
    page.keyboard.press("Enter")
    return page.locator("#occitanie-assistant textarea")


def widget_ask(page, question: str, answers_before: int):
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    answers = page.locator("#occitanie-assistant .msg.bot:not(.wait)")
    answers.nth(answers_before).wait_for(timeout=60_000)
    page.locator("#occitanie-assistant .wait").wait_for(state="detached", timeout=60_000)
    return answers.nth(answers_before)


def test_the_widget_answers_with_its_sources_on_a_hostile_page_of_another_origin(page, site):
    textarea = open_widget(page, site)
    assert page.locator("#occitanie-assistant [role=dialog]").is_visible()
    assert page.evaluate("document.activeElement.id") == "occitanie-assistant"  # focus moved into the widget
    assert textarea.evaluate("node => node === node.getRootNode().activeElement")

    answer = widget_ask(page, BUDGET, answers_before=1)  # the greeting is the first bot message
    assert "M€" in answer.inner_text()
    assert "Start-up Industrie de demain" in answer.locator(".src").inner_text()
    assert answer.locator("mark").count() >= 1 and answer.locator("mark").first.is_visible()

    follow_up = widget_ask(page, "Et quel est son montant par an ?", answers_before=2)
    assert "Start-up Industrie de demain" in follow_up.locator(".src").inner_text()

    # The host's CSS did not reach inside; the widget did not restyle the host.
    style = answer.evaluate("node => { const s = getComputedStyle(node); return [s.fontSize, s.color, s.fontFamily]; }")
    assert style[0] != "40px" and style[1] != "rgb(255, 0, 0)" and "serif" != style[2]
    assert page.locator("h1").evaluate("node => getComputedStyle(node).color") == "rgb(255, 0, 0)"
    page.screenshot(path=SCREENSHOTS / "widget-answer.png")

    page.keyboard.press("Escape")
    assert not page.locator("#occitanie-assistant [role=dialog]").is_visible()
    assert page.locator("#occitanie-assistant .fab").evaluate("node => node === node.getRootNode().activeElement")
    assert page.locator("#occitanie-assistant .fab").get_attribute("aria-expanded") == "false"


def test_the_widget_shows_hostile_document_text_as_text_and_runs_nothing(page, site):
    open_widget(page, site)
    answer = widget_ask(page, XSS_QUESTION, answers_before=1)
    text = answer.inner_text()
    assert "<script>window.__xss='script';alert(1)</script>" in text
    assert "<img src=x onerror=" in text
    assert answer.locator("script, img").count() == 0
    assert answer.locator("a").count() == 0  # the document's javascript: URL is not a link
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=SCREENSHOTS / "widget-xss.png")


def test_the_widget_shows_the_french_rate_limit_message_then_network_errors(page, site):
    limiter = site["app"].state.limiter
    for _ in range(limiter.per_minute):
        limiter.hit("ask:127.0.0.1")
    try:
        open_widget(page, site)
        page.keyboard.type(BUDGET)
        page.keyboard.press("Enter")
        error = page.locator("#occitanie-assistant .msg.err")
        error.wait_for(timeout=30_000)
        assert "Trop de questions" in error.inner_text()
        assert error.get_attribute("role") == "alert"
    finally:
        limiter.reset()

    page.route("**/api/ask", lambda route: route.abort())
    page.keyboard.type(BUDGET)
    page.keyboard.press("Enter")
    page.locator("#occitanie-assistant .msg.err").nth(1).wait_for(timeout=30_000)
    assert "injoignable" in page.locator("#occitanie-assistant .msg.err").nth(1).inner_text()
    page.screenshot(path=SCREENSHOTS / "widget-errors.png")


def chat_ask(page, question: str, answers_before: int):
    page.locator("#oc-question textarea").fill(question)
    page.locator("#oc-send").click()
    answer = page.locator("#oc-chat .oc-answer").nth(answers_before)
    answer.wait_for(timeout=60_000)
    return answer


def test_the_chat_answers_with_sources_and_records_a_thumbs_up(page, site):
    page.goto(site["server"] + "/")
    page.get_by_text("Qui contacter pour un projet innovant ?").wait_for()
    assert page.title() == "Assistant Innovation Occitanie"
    page.screenshot(path=SCREENSHOTS / "chat-empty.png")

    answer = chat_ask(page, BUDGET, answers_before=0)
    assert "M€" in answer.locator(".oc-text").inner_text()
    assert "Start-up Industrie de demain" in answer.locator(".oc-sources").inner_text()
    assert answer.locator("mark").count() >= 1

    page.get_by_role("button", name="Like", exact=True).last.click()
    database = site["settings"].data_dir / "feedback.sqlite3"
    deadline = time.monotonic() + 30
    rows = []
    while not rows and time.monotonic() < deadline:
        time.sleep(0.2)
        if database.exists():
            with sqlite3.connect(database) as connection:
                rows = connection.execute("SELECT rating, question, citations FROM feedback WHERE question = ?",
                                          (BUDGET,)).fetchall()
    assert rows and rows[0][0] == "up" and "Start-up Industrie de demain" in rows[0][2]
    page.screenshot(path=SCREENSHOTS / "chat-answer.png", full_page=True)


def test_the_chat_shows_hostile_text_as_text_and_runs_nothing(page, site):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, "<img src=x onerror=\"window.__xss='question'\"> " + XSS_QUESTION, answers_before=0)
    assert "<script>window.__xss='script';alert(1)</script>" in answer.inner_text()
    assert answer.locator("script, img").count() == 0
    assert answer.locator("a[href^='javascript']").count() == 0
    assert "<img src=x" in page.locator("#oc-chat").inner_text()  # the question, shown as typed
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=SCREENSHOTS / "chat-xss.png", full_page=True)
