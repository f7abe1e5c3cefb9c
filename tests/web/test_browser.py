"""A real Chromium against the real server: the widget on a hostile page of another origin, on a page
with a strict Content-Security-Policy and on a site that is not allowed, and the Gradio chat with its
thumbs, under its own CSP; a document that carries Markdown (remote images, links) shown as text;
where a new answer lands at desktop and phone widths; the chat as its users read it (a lead that
states, markers and links to the sources, French labels, a phone layout, a copy in plain text); an
axe-core WCAG 2.1 A/AA audit of both.
Screenshots go to tests/screenshots/ (git-ignored)."""

import functools
import http.server
import json
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistant.assistant import Assistant
from assistant.server import create_app, server_config
from assistant.wording import human_date, message, words
from tests.conftest import BUDGET, XSS_DOCUMENT, XSS_QUESTION
from tests.helpers import free_port, serving

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)"),
]

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"  # package.json; `make browser` installs it
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLLOW_UP = "Et quel est son montant par an ?"
MARKER = re.compile(r"\[\d+\]")
LIKE_BUTTON, DISLIKE_BUTTON, COPY_BUTTON = "J'aime", "Je n'aime pas", "Copier le message"  # Gradio's French
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
# A plain, accessible partner page: an audit of it finds only what the widget brings.
PLAIN_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site partenaire</title></head>
<body><main><h1>Site partenaire</h1><p>Un article sur l'innovation en Occitanie.</p></main>
<script src="{server}/widget.js" async></script>
</body></html>
"""



# A host page whose CSP allows only its own styles and the assistant's script and API: no inline style.
STRICT_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site partenaire</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {server}; connect-src {server}; style-src 'self'; img-src 'self'">
</head><body><main><h1>Site partenaire</h1><p>Un article sur l'innovation en Occitanie.</p></main>
<script src="{server}/widget.js" async></script>
</body></html>
"""
# A foreign page that frames the chat.
FRAMING_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Cadre</title></head>
<body><iframe src="{server}/" title="chat" width="800" height="600"></iframe></body></html>
"""
# A document whose passage carries Markdown after blank lines: a tracking image and a link to the host
# page's server (which records what it is asked), a javascript: image, raw HTML.
QUIBLIX_QUESTION = "Combien finance le dispositif Quiblix ?"
MARKDOWN_DOCUMENT = """---
title: "Dispositif Quiblix"
kind: programme
date: 2025-04-01
url: "https://www.laregion.example/quiblix"
---

# Dispositif Quiblix

## Montants

Le dispositif Quiblix finance les projets de chouettes dorées à hauteur de 3 M€ par projet.

![balise]({beacon}/beacon.png) <img src="javascript:window.__xss='md-img'">

Le dispositif Quiblix finance aussi les études : [Déposez votre dossier ici]({beacon}/depot), **gras** et <a href="{beacon}/lien">un lien</a>.

<img src="{beacon}/brut.png" onerror="window.__xss='raw-img'">
"""
BEACONS = ("/beacon.png", "/depot", "/lien", "/brut.png", "/question.png")
# Every Content-Security-Policy violation of the page, kept for the test to read.
CSP_WATCH = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the host pages and records every path it is asked for (the beacons of a document)."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append(self.path)
        super().do_GET()


def host_server(port: int, pages: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=pages))
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(indexed_copy):
    """The assistant on one loopback origin, a host page on another; yields both URLs and the app."""
    server_port, page_port, stranger_port = free_port(), free_port(), free_port()
    server_url, page_url = f"http://127.0.0.1:{server_port}", f"http://127.0.0.1:{page_port}"
    # The rate limit raised: this module asks far more than 20 questions a minute from one address.
    settings = indexed_copy("web-browser", extra={"programmes/zorglub.md": XSS_DOCUMENT,
                                                  "programmes/quiblix.md": MARKDOWN_DOCUMENT.format(beacon=page_url)},
                            allowed_origins=[page_url], port=server_port, rate_limit_per_minute=1000)
    root = settings.corpus_dir.parent
    assistant = Assistant(settings)
    app = create_app(settings, assistant)
    pages = root / "host"
    pages.mkdir()
    (pages / "index.html").write_text(HOSTILE_PAGE.format(server=server_url), encoding="utf-8")
    (pages / "plain.html").write_text(PLAIN_PAGE.format(server=server_url), encoding="utf-8")
    (pages / "strict.html").write_text(STRICT_PAGE.format(server=server_url), encoding="utf-8")
    (pages / "framing.html").write_text(FRAMING_PAGE.format(server=server_url), encoding="utf-8")
    host = host_server(page_port, pages)
    stranger = host_server(stranger_port, pages)  # the same pages on an origin that is not allowed
    with serving(server_config(app, settings, log_level="warning")):
        yield {"server": server_url, "page": page_url, "stranger": f"http://127.0.0.1:{stranger_port}", "app": app,
               "settings": settings, "assistant": assistant, "seen": host.seen}
    host.shutdown()
    stranger.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport():
    return VIEWPORTS["desktop"]


@pytest.fixture
def page(browser, viewport):
    page = browser.new_page(viewport=viewport)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    page.close()


def with_lead(answer):
    """The answer as the answerer gives it once it writes a lead: one sentence with its marker and its
    source's date, then the quoted evidence. An answer that already has its lead is kept as it is."""
    if answer.lead or answer.abstained or not answer.citations:
        return answer
    citation = answer.citations[0]
    said = (citation.quotes[0] if citation.quotes else citation.title).rstrip(" .")
    lead = f"{said} [{citation.n}] ({human_date(citation.date, answer.language)})."
    return answer.model_copy(update={"lead": lead, "answer": f"{lead}\n\n{answer.answer}"})


def long(answer):
    """The answer with its lead, as long as one from four sources: taller than the view, so that where it
    lands shows (the corpus's real answers, one or two short quotes, often fit below the question)."""
    answer = with_lead(answer)
    evidence = answer.answer[len(answer.lead):].strip() if answer.lead else answer.answer
    citations = [c.model_copy(update={"n": n}) for n in range(1, 5) for c in answer.citations[:1]]
    text = "\n\n".join([answer.lead or ""] + [evidence.replace("[1]", f"[{n}]") for n in range(1, 5)])
    return answer.model_copy(update={"answer": text, "citations": citations})


@pytest.fixture
def leads(site, monkeypatch):
    """Every answer has a lead (a fake at the edge, until the answerer writes one for every answer)."""
    assistant = site["assistant"]
    answer = assistant.answer
    monkeypatch.setattr(assistant, "answer", lambda analysis: with_lead(answer(analysis)))


@pytest.fixture
def long_answers(site, monkeypatch):
    assistant = site["assistant"]
    answer = assistant.answer
    monkeypatch.setattr(assistant, "answer", lambda analysis: long(answer(analysis)))


@pytest.fixture
def no_leads(site, monkeypatch):
    """Answers without a lead, as before the answerer wrote one: the view falls back to the whole text."""
    assistant = site["assistant"]
    answer = assistant.answer
    monkeypatch.setattr(assistant, "answer", lambda analysis: answer(analysis).model_copy(update={"lead": None}))


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        if shutil.which("npm") is None:
            pytest.skip("axe-core is not installed (node_modules/axe-core, `make browser`) and npm is not available")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PROJECT, check=True, capture_output=True)
    return AXE


def audit(page, axe_script: Path, where: str) -> None:
    """An axe-core audit of the page (shadow roots included) against WCAG 2.1 A and AA."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} {v['helpUrl']}\n"
        + "".join(f"    {' >>> '.join(map(str, node['target']))}\n" for node in v["nodes"])
        for v in result["violations"]
    ]
    assert not problems, f"axe-core finds WCAG 2.1 A/AA violations {where}:\n" + "".join(problems)


def assert_landed_on(page, lead, answer, scroller) -> None:
    """The lead is on the screen (inside the window and the box that scrolls it), and the view went to
    `answer`'s top (in the chat, the question it answers): it starts at the top of the box, unless the
    box cannot scroll that far."""
    expect(lead).to_be_in_viewport(ratio=1)  # waits for the scroll
    box, area = lead.bounding_box(), scroller.bounding_box()
    height = page.viewport_size["height"]
    top, bottom = max(0, area["y"]), min(height, area["y"] + area["height"])
    assert top - 1 <= box["y"] and box["y"] + box["height"] <= bottom + 1, (
        f"lead at y={box['y']:.0f}..{box['y'] + box['height']:.0f}, visible area y={top:.0f}..{bottom:.0f}"
    )
    below_top = answer.bounding_box()["y"] - area["y"]
    at_end = scroller.evaluate("n => n.scrollTop >= n.scrollHeight - n.clientHeight - 2")
    assert 0 <= below_top <= 40 or (below_top > 0 and at_end), f"the answer starts {below_top:.0f} px below the top"


def open_widget(page, site, host_page: str = "", origin: str = "page"):
    page.goto(f"{site[origin]}/{host_page}")
    launcher = page.locator("#occitanie-assistant .fab")
    launcher.wait_for(state="attached")
    if not page.locator("#occitanie-assistant [role=dialog]").is_visible():  # left open on the previous page
        launcher.focus()
        page.keyboard.press("Enter")
    return page.locator("#occitanie-assistant textarea")


def widget_ask(page, question: str, answers_before: int):
    page.locator("#occitanie-assistant textarea").focus()
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    return widget_answer(page, answers_before)


def widget_answer(page, answers_before: int):
    """The widget's answer after `answers_before` bot messages (the greeting counts), once it is shown."""
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
    assert page.locator("#occitanie-assistant textarea").evaluate("node => node === node.getRootNode().activeElement")
    sources = open_sources(page, answer)
    assert "Start-up Industrie de demain" in sources.inner_text()
    assert answer.locator("mark").count() >= 1 and answer.locator("mark").first.is_visible()

    follow_up = widget_ask(page, FOLLOW_UP, answers_before=2)
    assert "Start-up Industrie de demain" in follow_up.locator(".src").text_content()

    # The host's CSS did not reach inside; the widget did not restyle the host.
    style = answer.evaluate("node => { const s = getComputedStyle(node); return [s.fontSize, s.color, s.fontFamily]; }")
    assert style[0] != "40px" and style[1] != "rgb(255, 0, 0)" and "serif" != style[2]
    assert page.locator("h1").evaluate("node => getComputedStyle(node).color") == "rgb(255, 0, 0)"
    page.screenshot(path=SCREENSHOTS / "widget-answer.png")

    page.keyboard.press("Escape")
    assert not page.locator("#occitanie-assistant [role=dialog]").is_visible()
    assert page.locator("#occitanie-assistant .fab").evaluate("node => node === node.getRootNode().activeElement")
    assert page.locator("#occitanie-assistant .fab").get_attribute("aria-expanded") == "false"


def open_sources(page, answer):
    """Unfold an answer's sources from the keyboard, as a person would on a phone."""
    sources = answer.locator("details")
    if sources.get_attribute("open") is None:
        sources.locator("summary").focus()
        page.keyboard.press("Enter")
    expect(sources).to_have_attribute("open", "")
    return sources


@pytest.mark.parametrize("answers", ["real", "with a lead"])
def test_the_widget_shows_hostile_document_text_as_text_and_runs_nothing(page, site, request, answers):
    if answers == "with a lead":
        request.getfixturevalue("leads")
    open_widget(page, site)
    answer = widget_ask(page, XSS_QUESTION, answers_before=1)
    for shown in ("as answered", "as kept for the tab, on the next page"):
        if shown != "as answered":
            open_widget(page, site)  # the same conversation, read back from sessionStorage
            answer = widget_answer(page, answers_before=1)
        open_sources(page, answer)
        text = answer.inner_text()
        assert "<script>window.__xss='script';alert(1)</script>" in text, shown
        assert "<img src=x onerror=" in text
        assert answer.locator("script, img").count() == 0
        assert answer.locator("a").count() == 0  # the document's javascript: URL is not a link
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=SCREENSHOTS / f"widget-xss-{answers.replace(' ', '-')}.png")


def test_the_widget_reads_back_a_conversation_the_host_page_tampered_with_as_text_and_still_answers(page, site):
    """The tab's conversation is in the host page's sessionStorage, which that page can write."""
    tampered = {"open": True, "messages": [
        {"role": "user", "content": "<img src=x onerror=\"window.__xss='user'\">"},
        {"role": "assistant", "content": "x", "answer": {"answer": "<script>window.__xss='answer'</script>",
                                                        "citations": [None, {"n": 1, "title": "<b>t</b>",
                                                                             "url": "javascript:window.__xss='url'"}]}},
        {"role": "assistant", "content": "no answer"}, {"role": "system", "content": "?"}, None, 42]}
    page.add_init_script(f"sessionStorage.setItem({json.dumps('occitanie-assistant ' + site['server'])}, "
                         f"{json.dumps(json.dumps(tampered))});")
    open_widget(page, site, "plain.html")
    widget = page.locator("#occitanie-assistant")
    expect(widget.locator(".msg.user")).to_have_text(["<img src=x onerror=\"window.__xss='user'\">"])
    assert "<script>window.__xss='answer'</script>" in widget.locator(".msg.bot").nth(1).inner_text()
    assert widget.locator(".msg img, .msg script, .msg b, .msg a").count() == 0
    answer = widget_ask(page, BUDGET, answers_before=2)
    assert "M€" in answer.inner_text()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None and page.dialogs == []


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

    page.get_by_role("button", name=LIKE_BUTTON, exact=True).last.click()
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


def test_the_chat_thanks_an_english_asker_in_english(page, site):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, "What is the Occitanie AI plan?", answers_before=0)
    assert "according to" in answer.inner_text()  # an English answer
    page.get_by_role("button", name=LIKE_BUTTON, exact=True).last.click()
    expect(page.get_by_text(message("en", "feedback_thanks"))).to_be_visible(timeout=30_000)
    assert page.get_by_text(message("fr", "feedback_thanks")).count() == 0


@pytest.mark.parametrize("answers", ["real", "with a lead"])
def test_the_chat_shows_hostile_text_as_text_and_runs_nothing(page, site, request, answers):
    if answers == "with a lead":
        request.getfixturevalue("leads")
    page.goto(site["server"] + "/")
    answer = chat_ask(page, "<img src=x onerror=\"window.__xss='question'\"> " + XSS_QUESTION, answers_before=0)
    assert "<script>window.__xss='script';alert(1)</script>" in answer.inner_text()
    assert answer.locator("script, img").count() == 0
    assert answer.locator("a[href^='javascript']").count() == 0
    assert "<img src=x" in page.locator("#oc-chat").inner_text()  # the question, shown as typed
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=SCREENSHOTS / f"chat-xss-{answers.replace(' ', '-')}.png", full_page=True)


ANSWERS = pytest.mark.parametrize("answers", ["leads", "long_answers"])
WIDTHS = pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))


@ANSWERS
@WIDTHS
def test_a_new_chat_answer_lands_on_its_lead_and_the_chat_fills_the_window(page, site, viewport, answers, request):
    request.getfixturevalue(answers)
    width = next(name for name, size in VIEWPORTS.items() if size == viewport)
    page.goto(site["server"] + "/")
    page.get_by_text("Qui contacter pour un projet innovant ?").wait_for()
    # The chat takes the window's height, and the page no more: nothing to scroll but the chat.
    chat = page.locator("#oc-chat")
    assert chat.bounding_box()["height"] >= 0.55 * viewport["height"]
    assert page.evaluate("document.documentElement.scrollHeight") <= viewport["height"] + 1
    page.screenshot(path=SCREENSHOTS / f"chat-empty-{width}.png")

    chat_ask(page, BUDGET, answers_before=0)
    answer = chat_ask(page, FOLLOW_UP, answers_before=1)  # below the first answer and its sources
    lead = answer.locator(".oc-lead")
    assert MARKER.search(lead.inner_text()) and lead.evaluate("n => parseInt(getComputedStyle(n).fontWeight)") >= 600
    assert answer.locator(".oc-text").inner_text()  # the quoted evidence, below the lead
    question = page.locator("#oc-chat .message-row.user-row").nth(1)
    assert FOLLOW_UP in question.inner_text()
    assert_landed_on(page, lead, question, page.locator("#oc-chat .bubble-wrap"))  # the question on top, then its lead
    expect(page.locator("#oc-announcer")).to_have_text(lead.inner_text())

    sources = answer.locator("details.oc-sources")
    expect(sources.locator("summary")).to_have_text(f"Sources ({answer.locator('.oc-source').count()})")
    if width == "phone":  # folded behind "Sources (n)"; open on a desktop
        assert sources.get_attribute("open") is None and not answer.locator(".oc-quote").first.is_visible()
    else:
        expect(sources).to_have_attribute("open", "")
    page.screenshot(path=SCREENSHOTS / f"chat-{answers.replace('_', '-')}-{width}.png")  # docs/chat-phone.png: leads, phone


# The chat as its users read it (issue 21): an answer that reads as one, markers that go to their
# source, links to the documents, a page in French, a phone layout, a copy in plain text.

ANITI = "c'est quoi ANITI"


def test_a_chat_lead_that_quotes_reads_as_an_answer_and_is_not_repeated_below_it(page, site):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, ANITI, answers_before=0)
    lead = answer.locator(".oc-lead").inner_text()
    evidence = answer.locator(".oc-text").inner_text()
    assert lead.startswith("ANITI") and "«" not in lead and "selon la fiche" not in lead  # a statement, not a quote
    assert evidence.startswith("Selon la fiche « ANITI")  # who says it, below it
    assert MARKER.sub("", lead).strip(" .") not in MARKER.sub("", evidence)  # and said once
    page.screenshot(path=SCREENSHOTS / "chat-lead-statement.png")  # docs/chat.png


def test_the_chat_shows_a_lead_once_even_when_the_answer_repeats_it_further_down(page, site, monkeypatch):
    assistant = site["assistant"]
    answer = assistant.answer

    def repeating(analysis):  # an answerer (an LLM) that opens with a line of its own, then its lead
        said = with_lead(answer(analysis))
        return said.model_copy(update={"answer": f"Voici ce que disent les sources.\n\n{said.answer}"})

    monkeypatch.setattr(assistant, "answer", repeating)
    page.goto(site["server"] + "/")
    shown = chat_ask(page, BUDGET, answers_before=0)
    lead = shown.locator(".oc-lead").inner_text()
    evidence = shown.locator(".oc-text").inner_text()
    assert evidence.startswith("Voici ce que disent les sources.") and lead not in evidence


@WIDTHS
def test_a_marker_in_a_chat_answer_opens_and_shows_its_source(page, site, viewport):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, BUDGET, answers_before=0)
    marker = answer.locator(".oc-lead a.oc-ref").first
    n = MARKER.search(marker.inner_text())[0].strip("[]")
    source = answer.locator(f".oc-source:nth-of-type({n})")
    if viewport == VIEWPORTS["phone"]:
        assert not source.is_visible()  # folded behind "Sources (n)"
    marker.click()
    expect(source).to_be_in_viewport(ratio=0.3)
    assert source.locator(".oc-source-head").inner_text().startswith(f"[{n}] ")
    assert source.evaluate("node => node === document.activeElement")  # the keyboard goes on from there
    assert page.url.rstrip("/") == site["server"]  # no jump of the page itself


def test_a_chat_source_whose_document_has_a_web_address_links_to_it(page, site):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, QUIBLIX_QUESTION, answers_before=0)
    link = open_sources(page, answer).locator(".oc-source-head a")
    expect(link).to_have_attribute("href", "https://www.laregion.example/quiblix")
    assert link.inner_text() == "Dispositif Quiblix" and link.get_attribute("rel") == "noopener noreferrer"
    without = chat_ask(page, BUDGET, answers_before=1)  # the corpus's sheets have no address: no link
    assert open_sources(page, without).locator("a").count() == 0


def test_the_chat_page_is_french_with_gradios_own_labels_in_french_in_an_english_browser(browser, site):
    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="en-US")
    try:
        page.goto(site["server"] + "/")
        assert page.evaluate("document.documentElement.lang") == "fr"
        chat_ask(page, BUDGET, answers_before=0)
        for name in (COPY_BUTTON, LIKE_BUTTON, DISLIKE_BUTTON):
            expect(page.get_by_role("button", name=name, exact=True).last).to_be_visible()
        names = page.locator("#oc-chat button").evaluate_all("nodes => nodes.map(n => n.getAttribute('aria-label'))")
        english = {"Copy message", "Like", "Dislike", "Feedback", "Scroll down", "Clear"}
        assert not english & set(names), names
        labels = page.locator("#oc-chat [data-testid=bot]").evaluate_all("nodes => nodes.map(n => n.getAttribute('aria-label'))")
        assert labels == [words("fr", "chat_message_labels")["bot"]]  # not "bot's message: <div …"
    finally:
        page.close()


def test_the_chat_says_in_french_that_the_server_is_lost(page, site):
    settings = site["settings"].model_copy(update={"port": free_port()})
    config = server_config(create_app(settings, site["assistant"]), settings, log_level="warning",
                           timeout_graceful_shutdown=1)  # Gradio's event stream would hold the stop
    with serving(config):
        page.goto(f"http://127.0.0.1:{settings.port}/")
        page.locator("#oc-announcer[data-ready]").wait_for(state="attached")
    page.locator("#oc-question textarea").fill(BUDGET)  # a question sent to a server that is gone
    page.locator("#oc-send").click()
    lost = words("fr", "gradio_texts")["Connection to the server was lost. Attempting reconnection..."]
    expect(page.get_by_text(lost)).to_be_visible(timeout=30_000)
    assert page.get_by_text("Connection to the server was lost", exact=False).count() == 0
    page.screenshot(path=SCREENSHOTS / "chat-connection-lost.png")


@pytest.mark.parametrize("viewport", [VIEWPORTS["phone"]], ids=["phone"])
def test_the_chat_on_a_phone_leaves_the_screen_to_the_conversation_with_44_px_targets(page, site, viewport):
    page.goto(site["server"] + "/")
    page.get_by_text("Qui contacter pour un projet innovant ?").wait_for()
    chat = page.locator("#oc-chat").bounding_box()
    assert chat["height"] >= 0.7 * viewport["height"], f"the conversation gets {chat['height']:.0f} px of 844"
    fits = page.locator("#oc-question textarea").evaluate("""node => {
        const style = getComputedStyle(node), context = document.createElement("canvas").getContext("2d");
        context.font = style.font;
        const room = node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return context.measureText(node.placeholder).width <= room; }""")
    assert fits, "the placeholder is cut off"
    chat_ask(page, BUDGET, answers_before=0)
    page.wait_for_timeout(300)  # Gradio adds the message's buttons just after its text
    targets = page.locator("#oc-chat .message-buttons button:visible, #oc-send, #oc-new")
    sizes = targets.evaluate_all("nodes => nodes.map(n => [n.getAttribute('aria-label') || n.textContent.trim(),"
                                 " Math.round(n.getBoundingClientRect().width), Math.round(n.getBoundingClientRect().height)])")
    assert len(sizes) >= 6 and all(w >= 44 and h >= 44 for _, w, h in sizes), sizes
    page.screenshot(path=SCREENSHOTS / "chat-phone.png")


def test_copying_a_chat_answer_gives_its_text_not_its_markup(browser, site):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(site["server"] + "/")
        answer = chat_ask(page, BUDGET, answers_before=0)
        page.wait_for_timeout(300)
        page.get_by_role("button", name=COPY_BUTTON, exact=True).last.click()
        page.wait_for_timeout(300)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "<" not in copied and "&#" not in copied and "class=" not in copied
        lead = answer.locator(".oc-lead").inner_text()
        assert copied.startswith(lead) and "Sources (" in copied and "Start-up Industrie de demain" in copied
    finally:
        context.close()


@ANSWERS
@WIDTHS
def test_a_new_widget_answer_lands_on_its_lead_with_its_sources_folded(page, site, viewport, answers, request):
    request.getfixturevalue(answers)
    width = next(name for name, size in VIEWPORTS.items() if size == viewport)
    open_widget(page, site)
    widget_ask(page, BUDGET, answers_before=1)
    answer = widget_ask(page, FOLLOW_UP, answers_before=2)
    lead = answer.locator(".lead")
    assert MARKER.search(lead.inner_text())
    assert_landed_on(page, lead, answer, page.locator("#occitanie-assistant .log"))
    expect(page.locator("#occitanie-assistant [aria-live=polite]")).to_have_text(lead.inner_text())

    sources = answer.locator("details.src")
    count = answer.locator(".s").count()
    expect(sources.locator("summary")).to_have_text(f"Sources ({count})")
    assert sources.get_attribute("open") is None and not answer.locator("blockquote").first.is_visible()
    page.screenshot(path=SCREENSHOTS / f"widget-{answers.replace('_', '-')}-{width}.png")
    open_sources(page, answer)
    assert answer.locator("blockquote").first.is_visible()


# The widget across the region's site: the tab's conversation, starter questions, copy, the full chat, phones

def host_page(site, name: str, attributes: str = "", link: str = "") -> str:
    """A page of the host site (the allowed origin) with the widget's tag carrying `attributes`, and a link
    to another of its pages; returns its name."""
    html = PLAIN_PAGE.format(server=site["server"]).replace(" async>", f" {attributes} async>")
    if link:
        html = html.replace("</p></main>", f'</p><p><a href="{link}">Autre article</a></p></main>')
    (site["settings"].corpus_dir.parent / "host" / name).write_text(html, encoding="utf-8")
    return name


def width_of(viewport) -> str:
    return next(name for name, size in VIEWPORTS.items() if size == viewport)


@WIDTHS
def test_the_widget_keeps_the_tabs_conversation_across_the_sites_pages_until_a_new_one(page, site, viewport):
    first = host_page(site, "article-1.html", link="article-2.html")
    host_page(site, "article-2.html", link=first)
    widget = page.locator("#occitanie-assistant")
    open_widget(page, site, first)
    said = widget_ask(page, BUDGET, answers_before=1).inner_text()

    phone = width_of(viewport) == "phone"
    if phone:  # the panel covers the link: the browser's address bar, or its back button
        page.goto(f"{site['page']}/article-2.html")
    else:
        page.get_by_role("link", name="Autre article").click()
    page.wait_for_url("**/article-2.html")
    widget.locator(".fab").wait_for(state="attached")
    if phone:  # the new page is seen first, the conversation a tap away
        expect(widget.locator("[role=dialog]")).to_be_hidden()
        widget.locator(".fab").click()
    else:  # open as it was left, without taking the focus from the new page
        expect(widget.locator("[role=dialog]")).to_be_visible()
        assert page.evaluate("document.activeElement.id") != "occitanie-assistant"
    expect(widget.locator(".msg.user")).to_have_text([BUDGET])
    assert widget.locator(".msg.bot").nth(1).inner_text() == said
    follow_up = widget_ask(page, FOLLOW_UP, answers_before=2)  # read with the question of the previous page
    assert "Start-up Industrie de demain" in follow_up.locator(".src").text_content()
    page.screenshot(path=SCREENSHOTS / f"widget-next-page-{width_of(viewport)}.png")

    widget.get_by_role("button", name="Nouvelle conversation").click()
    expect(widget.locator(".msg")).to_have_count(1)
    assert widget.locator("textarea").evaluate("node => node === node.getRootNode().activeElement")
    open_widget(page, site, first)
    expect(widget.locator(".msg")).to_have_count(1)
    answer = widget_ask(page, FOLLOW_UP, answers_before=1)  # a new conversation: no "son" to refer to
    assert "Start-up Industrie de demain" not in answer.inner_text()


@WIDTHS
def test_the_widget_offers_the_regions_starter_questions_or_the_chats_examples(page, site, viewport):
    widget = page.locator("#occitanie-assistant")
    starters = widget.get_by_role("group", name="Exemples de questions").get_by_role("button")
    region = host_page(site, "starters.html", 'data-question-1="Qu\'est-ce que READYNOV ?" '
                                             'data-question-2="Comment joindre AD\'OCC ?"')
    open_widget(page, site, region)
    expect(starters).to_have_text(["Qu'est-ce que READYNOV ?", "Comment joindre AD'OCC ?"])

    open_widget(page, site, host_page(site, "no-starters.html", 'data-question-1=""'))  # none wanted
    expect(widget.locator(".msg.bot")).to_have_count(1)
    assert widget.locator(".msg.bot button").count() == 0

    open_widget(page, site, "plain.html")  # no data-question-n: the chat's examples
    expect(starters).to_have_text(list(words("fr", "example_questions")))
    page.screenshot(path=SCREENSHOTS / f"widget-starters-{width_of(viewport)}.png")
    starters.first.click()
    answer = widget_answer(page, answers_before=1)
    expect(widget.locator(".msg.user")).to_have_text([words("fr", "example_questions")[0]])
    assert "M€" in answer.inner_text() and answer.locator(".s").count() >= 1


@WIDTHS
@pytest.mark.parametrize("clipboard", ["Clipboard API", "copy command"])
def test_the_widget_copies_an_answer_as_plain_text_with_its_sources(page, site, viewport, clipboard):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["page"])
    if clipboard == "copy command":  # as on a host page served over http, which has no navigator.clipboard.writeText
        page.add_init_script("Clipboard.prototype.writeText = undefined;")
    open_widget(page, site, "plain.html")
    shown = widget_ask(page, BUDGET, answers_before=1)
    copy = shown.get_by_role("button", name="Copier la réponse et ses sources")
    copy.click()
    expect(copy).to_have_text("Copié")
    expect(page.locator("#occitanie-assistant [aria-live=polite]")).to_have_text("Copié")
    copied = page.evaluate("navigator.clipboard.readText()")

    answer = site["assistant"].ask(BUDGET)
    assert copied.startswith(answer.answer.strip() + "\n\nSources :\n[1] ")
    for citation in answer.citations:
        line = next(line for line in copied.splitlines() if line.startswith(f"[{citation.n}] "))
        assert citation.title in line and human_date(citation.date, "fr") in line
    assert "<" not in copied and "Copier" not in copied and "\U0001F44D" not in copied
    expect(copy).to_have_text("Copier", timeout=5000)


@WIDTHS
def test_the_widget_links_to_the_full_chat(page, site, viewport):
    open_widget(page, site, "plain.html")
    link = page.locator("#occitanie-assistant").get_by_role("link", name="Ouvrir le chat complet")
    assert link.get_attribute("href") == site["server"] + "/" and link.get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        link.click()
    chat = opened.value
    chat.get_by_text(words("fr", "example_questions")[2]).first.wait_for(timeout=60_000)
    assert chat.url == site["server"] + "/"
    chat.close()


def assert_touch_targets(targets) -> None:
    """Each of these buttons or links is at least 44 × 44 px, as a finger needs."""
    assert targets.count() > 0
    for n in range(targets.count()):
        box = targets.nth(n).bounding_box()
        assert min(box["width"], box["height"]) >= 44, (
            f"{targets.nth(n).get_attribute('aria-label') or targets.nth(n).inner_text()!r} is "
            f"{box['width']:.0f} × {box['height']:.0f} px")


@WIDTHS
def test_the_widget_is_a_floating_card_on_a_desktop_and_the_whole_screen_on_a_phone(page, site, viewport):
    widget = page.locator("#occitanie-assistant")
    open_widget(page, site, "plain.html")
    panel = widget.locator(".panel")
    if width_of(viewport) == "desktop":
        assert_widget_styled(page)
        box = panel.bounding_box()
        assert round(box["x"] + box["width"]) == viewport["width"] - 20 and box["y"] > 100
        assert widget.locator(".fab").is_visible()
    else:
        box = panel.bounding_box()
        assert [round(box[k]) for k in ("x", "y", "width", "height")] == [0, 0, 390, 844]
        assert not widget.locator(".fab").is_visible()  # it would cover the send button
        targets = widget.locator(".icon, .foot button, .foot a, .ex button")
        assert_touch_targets(targets)
        assert widget.locator("textarea").evaluate("n => getComputedStyle(n).fontSize") == "16px"  # no zoom
    answer = widget_ask(page, BUDGET, answers_before=1)
    if width_of(viewport) == "phone":
        assert_touch_targets(answer.locator(".rate button"))  # copy and the thumbs
    expect(widget.locator("textarea")).to_be_in_viewport(ratio=1)
    expect(answer.locator(".lead, .rate").first).to_be_in_viewport()
    page.screenshot(path=SCREENSHOTS / f"widget-{width_of(viewport)}.png")
    widget.locator(".log").evaluate("n => { n.scrollTop = n.scrollHeight; }")  # down to copy and the thumbs
    panel.screenshot(path=SCREENSHOTS / f"widget-panel-{width_of(viewport)}.png")  # docs/widget.png
    widget.get_by_role("button", name="Fermer").click()
    expect(panel).to_be_hidden()
    expect(widget.locator(".fab")).to_be_visible()


def test_an_answer_without_a_lead_shows_its_whole_text_and_announces_its_first_sentence(page, site, no_leads):
    page.goto(site["server"] + "/")
    answer = chat_ask(page, BUDGET, answers_before=0)
    assert answer.locator(".oc-lead").count() == 0
    text = answer.locator(".oc-text").inner_text()
    announcer = page.locator("#oc-announcer")
    expect(announcer).not_to_have_text(re.compile(r"^$|Recherche"))  # the answer's turn, after "searching"
    announced = announcer.inner_text()
    assert text.startswith(announced) and len(announced) < len(text)

    open_widget(page, site)
    answer = widget_ask(page, BUDGET, answers_before=1)
    assert answer.locator(".lead").count() == 0 and "M€" in answer.inner_text()
    expect(page.locator("#occitanie-assistant [aria-live=polite]")).to_have_text(announced)


@WIDTHS
def test_the_chat_page_passes_a_wcag_21_aa_audit_before_and_after_an_answer(page, site, axe_script, viewport):
    page.goto(site["server"] + "/")
    page.get_by_text("Qui contacter pour un projet innovant ?").wait_for()
    page.locator("#oc-announcer[data-ready]").wait_for(state="attached")
    audit(page, axe_script, "on the empty chat page")
    answer = chat_ask(page, BUDGET, answers_before=0)
    open_sources(page, answer)
    page.wait_for_timeout(300)  # Gradio adds the message's buttons just after its text
    audit(page, axe_script, "on the chat page after an answer, its sources open")


@WIDTHS
def test_the_widget_open_and_answered_passes_a_wcag_21_aa_audit(page, site, axe_script, leads, viewport):
    open_widget(page, site, "plain.html")
    audit(page, axe_script, "with the widget open")
    answer = widget_ask(page, BUDGET, answers_before=1)
    audit(page, axe_script, "with the widget answered")
    open_sources(page, answer)
    audit(page, axe_script, "with the answer's sources open")


# Hardening: Markdown from documents, the pages' CSP, framing, strict host pages, foreign sites, feedback

def beacons_asked(site) -> list[str]:
    return [path for path in site["seen"] if path.startswith(BEACONS)]


def test_the_chat_shows_a_documents_markdown_and_the_question_as_text_and_fetches_nothing(page, site):
    page.goto(site["server"] + "/")
    question = f"**gras** ![q]({site['page']}/question.png) {QUIBLIX_QUESTION}"
    answer = chat_ask(page, question, answers_before=0)
    open_sources(page, answer)
    chat = page.locator("#oc-chat")
    text = chat.inner_text()
    assert f"**gras** ![q]({site['page']}/question.png)" in text  # the question as typed, not as Markdown
    assert f"![balise]({site['page']}/beacon.png)" in text and "[Déposez votre dossier ici](" in text
    assert "<img src=\"javascript:window.__xss='md-img'\">" in text
    assert chat.locator("img").count() == 0
    assert chat.locator(f"a[href^='{site['page']}'], a[href^='javascript']").count() == 0
    page.wait_for_timeout(500)
    assert beacons_asked(site) == [] and page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=SCREENSHOTS / "chat-markdown-document.png", full_page=True)


def test_the_widget_shows_a_documents_markdown_as_text_and_fetches_nothing(page, site):
    open_widget(page, site)
    answer = widget_ask(page, QUIBLIX_QUESTION, answers_before=1)
    open_sources(page, answer)
    assert f"![balise]({site['page']}/beacon.png)" in answer.inner_text()
    assert answer.locator("img").count() == 0
    links = answer.locator("a")
    assert links.count() == 1 and links.get_attribute("href") == "https://www.laregion.example/quiblix"
    page.wait_for_timeout(500)
    assert beacons_asked(site) == [] and page.evaluate("window.__xss") is None


def test_the_chat_works_under_its_content_security_policy_and_a_foreign_page_cannot_frame_it(page, site):
    page.add_init_script(CSP_WATCH)
    response = page.goto(site["server"] + "/")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "connect-src 'self'" in policy and "img-src 'self'" in policy
    answer = chat_ask(page, BUDGET, answers_before=0)
    open_sources(page, answer)
    page.get_by_role("button", name=LIKE_BUTTON, exact=True).last.click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__csp") == []  # Gradio runs whole under the policy

    page.goto(site["page"] + "/framing.html")
    frame = page.frames[-1]
    deadline = time.monotonic() + 20
    while not frame.url.startswith("chrome-error:") and time.monotonic() < deadline:
        assert frame.locator("#oc-question").count() == 0, "the chat is usable inside a foreign page's frame"
        page.wait_for_timeout(200)
    assert frame.url.startswith("chrome-error:")  # Chromium refused to show it (frame-ancestors)


def assert_widget_styled(page) -> None:
    """The widget's own look: a round 58 px button and a fixed panel of at most 400 × 600 px."""
    fab = page.locator("#occitanie-assistant .fab").bounding_box()
    assert round(fab["width"]) == 58 and round(fab["height"]) == 58
    panel = page.locator("#occitanie-assistant .panel")
    box = panel.bounding_box()
    assert box["width"] <= 400 and box["height"] <= 600, f"the panel is {box['width']:.0f} × {box['height']:.0f} px"
    assert panel.evaluate("node => getComputedStyle(node).position") == "fixed"


def test_the_widget_keeps_its_look_on_a_page_whose_csp_forbids_inline_styles(page, site):
    page.add_init_script(CSP_WATCH)
    open_widget(page, site, "strict.html")
    assert_widget_styled(page)
    answer = widget_ask(page, BUDGET, answers_before=1)
    assert "M€" in answer.inner_text()
    assert page.evaluate("window.__csp") == []
    page.screenshot(path=SCREENSHOTS / "widget-strict-csp.png")


def test_the_widget_falls_back_to_a_style_element_without_constructable_stylesheets(page, site):
    page.add_init_script("CSSStyleSheet.prototype.replaceSync = () => { throw new TypeError('unsupported'); };")
    open_widget(page, site, "plain.html")
    assert_widget_styled(page)
    styles = page.locator("#occitanie-assistant").evaluate("node => node.shadowRoot.querySelectorAll('style').length")
    assert styles == 1


def test_the_widget_on_a_site_that_is_not_allowed_says_so(page, site):
    open_widget(page, site, "plain.html", origin="stranger")
    page.keyboard.type(BUDGET)
    page.keyboard.press("Enter")
    error = page.locator("#occitanie-assistant .msg.err")
    error.wait_for(timeout=30_000)
    assert "n'est pas autorisé" in error.inner_text() and "injoignable" not in error.inner_text()
    assert error.get_attribute("role") == "alert"


def test_the_chat_records_its_own_feedback_labels_and_not_a_forged_one(page, site):
    question = "Qu'est-ce que READYNOV ?"
    page.goto(site["server"] + "/")
    chat_ask(page, question, answers_before=0)
    forged = "x" * 50_000

    def forge(route):
        body = route.request.post_data_json
        if isinstance(body.get("event_data"), dict) and "liked" in body["event_data"]:
            body["event_data"]["liked"] = forged  # what a crafted event sends instead of a thumb
        route.continue_(post_data=json.dumps(body))

    page.route("**/gradio_api/queue/join*", forge)
    page.get_by_role("button", name=LIKE_BUTTON, exact=True).last.click()
    page.wait_for_timeout(1000)
    page.unroute("**/gradio_api/queue/join*")
    page.get_by_role("button", name=DISLIKE_BUTTON, exact=True).last.click()

    database = site["settings"].data_dir / "feedback.sqlite3"
    deadline = time.monotonic() + 30

    def stored():
        if not database.exists():
            return []
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT rating, reason FROM feedback WHERE question = ?", (question,)).fetchall()

    while ("down", None) not in stored() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the forged event went first: had it been stored, it would be there by now
    rows = stored()
    assert rows == [("down", None)]  # the thumb down; the forged reason was not stored
