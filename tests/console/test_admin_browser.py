"""The region's console in a real Chromium against the real server: log in (a wrong token refused),
upload a DOCX programme sheet, re-index watching the progress, ask about it in the chat and get it
cited, see the question in the log and an unanswerable one under "what the corpus is missing", export
the CSV, evaluate a CSV set and see its verdicts, a change without the CSRF token refused, log out;
open a logged answer with its citations and provenance and mark it wrong into the set of marked
answers, evaluated and exported; dismiss a group of what is missing (remembered), out-of-scope
questions apart; Évaluer's failures first, filters, fixed/broken against the previous run, template,
stale notices cleared, no progress bar at rest, one date format; and a WCAG 2.1 AA audit of the
console. The screenshots go to tests/screenshots/ (docs/admin*.png are copies of them)."""


import re

import pytest
from playwright.sync_api import expect

from assistant.server import create_app, server_config
from tests.console.test_admin import TOKEN, docx_sheet
from tests.helpers import XSS_DOCUMENT, XSS_QUESTION, free_port, serving
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, audit, axe_script, browser, chat_ask  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)"),
]

SHEET_TITLE = "Dispositif Cassiopée Spatial"
SHEET_QUESTION = "Quel est le montant du dispositif Cassiopée Spatial ?"
UNANSWERABLE = "Quel est le prix du pain à Rodez ?"
MISSING = "Existe-t-il un prêt d'honneur pour les créateurs d'entreprise ?"  # about innovation aid, not in the corpus
EVAL_CSV = f"""question;faits attendus;sources attendues;catégorie;doit s'abstenir
{SHEET_QUESTION};1,5 M€;programmes/cassiopee.docx;factual;non
Quel est le budget du dispositif Start-up Industrie de demain ?;2 à 5 M€ / 2 et 5 millions;programmes/start-up-industrie-de-demain.md;factual;non
{UNANSWERABLE};;;out-of-scope;oui
"""


@pytest.fixture(scope="module")
def console_site(indexed_copy):
    port = free_port()
    settings = indexed_copy("console-browser", extra={"programmes/zorglub.md": XSS_DOCUMENT},  # script in its title
                            port=port, admin_token=TOKEN, rate_limit_per_minute=1000)
    root = settings.corpus_dir.parent
    app = create_app(settings)
    with serving(server_config(app, settings, log_level="warning")):
        yield {"url": f"http://127.0.0.1:{port}", "settings": settings, "app": app, "root": root}


@pytest.fixture
def page(browser):  # noqa: F811 (the fixture of tests/web/test_browser.py)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def log_in(page, url: str, token: str = TOKEN) -> None:
    page.goto(f"{url}/admin")
    page.get_by_label("Jeton d'administration").fill(token)
    page.get_by_role("button", name="Se connecter").click()


def tab(page, name: str):
    page.get_by_role("tab", name=name).click()
    return page.get_by_role("tabpanel", name=name)


def test_the_region_runs_its_console_from_login_to_logout(page, console_site, tmp_path):
    url = console_site["url"]
    # A wrong token is refused, in French.
    log_in(page, url, "pas-le-bon-jeton-du-tout")
    expect(page.locator("#login-error")).to_have_text("Jeton d'administration incorrect.")
    expect(page.locator("#console-view")).to_be_hidden()
    log_in(page, url)
    documents = page.get_by_role("tabpanel", name="Documents")
    expect(documents.locator("#documents-table tbody tr")).to_have_count(14)
    expect(documents.locator("tr[data-source='programmes/zorglub.md']")).to_contain_text("<img src=x onerror=")
    # What the assistant understood of a programme, opened under its title.
    startoc = documents.locator("tr[data-source='programmes/startoc-process.md']")
    startoc.get_by_text("Ce que l'assistant a compris").click()
    expect(startoc.locator("details.profile")).to_contain_text("âge : moins de 3 ans")
    expect(startoc.locator("details.profile")).to_contain_text("si : start-up des biotechnologies")
    expect(documents.locator("#orders-list")).to_have_text("Aucune.")  # no sentence of the corpus gives the assistant orders

    # Upload a DOCX programme sheet: listed, not indexed yet.
    sheet = docx_sheet(SHEET_TITLE, [
        "Montants",
        "Le dispositif Cassiopée Spatial finance les projets des start-up du spatial à hauteur de 1,5 M€ par projet.",
        "Le dispositif Cassiopée Spatial est ouvert aux entreprises installées en Occitanie.",
    ])
    page.set_input_files("#upload-file", files=[{"name": "cassiopee.docx", "buffer": sheet,
                                                 "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    page.select_option("#upload-folder", "programmes")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#notice")).to_contain_text("« programmes/cassiopee.docx » ajouté")
    row = documents.locator("tr[data-source='programmes/cassiopee.docx']")
    expect(row).to_contain_text("à indexer")

    # Re-index and watch the progress bar until the new index serves.
    page.evaluate("""() => { window.seen = []; const status = document.getElementById('reindex-status');
        new MutationObserver(() => window.seen.push([status.textContent,
          document.getElementById('reindex-progress').value])).observe(status, {childList: true, characterData: true, subtree: true}); }""")
    page.get_by_role("button", name="Réindexer le corpus").click()
    expect(page.locator("#reindex-status")).to_contain_text("Réindexation terminée", timeout=120_000)
    expect(page.locator("#reindex-progress")).to_have_js_property("value", 100)
    seen = page.evaluate("window.seen")
    assert any("Réindexation en cours" in text for text, _ in seen), seen
    assert [value for _, value in seen] == sorted(value for _, value in seen)  # the bar only moves forward
    expect(row).to_contain_text(SHEET_TITLE)
    expect(row).to_contain_text("indexé")
    expect(row).to_contain_text("01/10/2026")  # the document's date, in the one French format
    page.screenshot(path=SCREENSHOTS / "admin-documents.png", full_page=True,  # docs/admin.png: down to the new sheet
                    clip={"x": 0, "y": 0, "width": 1280, "height": row.bounding_box()["y"] + row.bounding_box()["height"] + 8})

    # Ask about it in the chat: the sheet is cited. Then a question the corpus cannot answer.
    chat = page.context.new_page()
    chat.goto(url)
    answer = chat_ask(chat, SHEET_QUESTION, answers_before=0)
    assert "1,5 M€" in answer.inner_text()
    assert SHEET_TITLE in answer.locator(".oc-sources").inner_text()
    refusal = chat_ask(chat, UNANSWERABLE, answers_before=1)
    assert "Je ne trouve pas la réponse" in refusal.inner_text()
    chat.close()
    hostile = f"{XSS_QUESTION} <img src=x onerror=\"window.__xss='question'\">"
    assert page.request.post(f"{url}/api/ask", data={"question": hostile}).ok

    # The log shows both; the filter keeps the unanswered one.
    questions = tab(page, "Questions")
    expect(questions.locator("#questions-table tbody")).to_contain_text(SHEET_QUESTION)
    expect(questions.locator("#questions-table tbody")).to_contain_text(UNANSWERABLE)
    expect(questions.locator("#questions-table tbody")).to_contain_text("<img src=x onerror=")  # shown as text
    questions.get_by_label("Réponse").select_option("true")
    questions.get_by_role("button", name="Filtrer").click()
    expect(questions.locator("#questions-table tbody")).not_to_contain_text(SHEET_QUESTION)
    expect(questions.locator("#questions-table tbody")).to_contain_text(UNANSWERABLE)

    # What the corpus is missing: a loan it has no sheet for; the bread question is out of its scope, listed
    # apart; the sheet is cited.
    assert page.request.post(f"{url}/api/ask", data={"question": MISSING}).json()["abstained"]
    gaps = tab(page, "Ce qui manque")
    expect(gaps.locator("#gap-groups")).to_contain_text(MISSING)
    expect(gaps.locator("#out-of-scope")).to_contain_text(UNANSWERABLE)
    expect(gaps.locator("#out-of-scope")).to_contain_text("1 question · 1 sans réponse")
    expect(gaps.locator("#gap-groups")).not_to_contain_text(UNANSWERABLE)
    expect(gaps.locator("#most-cited")).to_contain_text(SHEET_TITLE)
    page.screenshot(path=SCREENSHOTS / "admin-gaps.png")  # docs/admin-gaps.png

    # Export the questions as CSV.
    tab(page, "Exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les questions (CSV)").click()
    exported = tmp_path / "questions.csv"
    download.value.save_as(exported)
    data = exported.read_bytes()
    assert download.value.suggested_filename == "questions.csv"
    assert data.startswith(b"\xef\xbb\xbf") and SHEET_QUESTION in data.decode("utf-8-sig")

    # Evaluate a CSV set (the spreadsheet's own ';' and headers) and see each question's verdict.
    evals = tab(page, "Évaluer")
    set_file = tmp_path / "jeu-region.csv"
    set_file.write_text(EVAL_CSV, encoding="utf-8-sig")
    page.set_input_files("#eval-file", str(set_file))
    evals.get_by_role("button", name="Évaluer ce fichier").click()
    results = evals.locator("#eval-results tbody tr")
    expect(results).to_have_count(3, timeout=120_000)
    expect(evals.locator("#eval-results")).to_contain_text("correcte")
    expect(evals.locator("#eval-runs tbody tr").first).to_contain_text("jeu-region.csv")
    expect(evals.locator("#eval-runs tbody tr").first).to_contain_text("terminée")
    expect(results.filter(has_text=UNANSWERABLE)).to_contain_text("correcte")  # it abstained, as expected
    expect(results.filter(has_text=SHEET_QUESTION)).to_contain_text("correcte")
    expect(evals.locator("#eval-summary")).to_contain_text("3 questions")
    page.screenshot(path=SCREENSHOTS / "admin-evals.png", full_page=True)

    assert page.evaluate("window.__xss") is None  # nothing from a document or a question ran

    # A change without the CSRF token is refused, even from the console's own page and session.
    refused = page.evaluate("""async () => (await fetch('/admin/api/reindex', {method: 'POST', credentials: 'same-origin'})).status""")
    assert refused == 403

    # Log out: the login form again, and the API refuses the old session.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_label("Jeton d'administration")).to_be_visible()
    assert page.evaluate("async () => (await fetch('/admin/api/documents')).status") == 401


def test_the_console_passes_a_wcag_21_aa_audit(browser, console_site, axe_script):  # noqa: F811
    # axe-core is added as an inline script, which the console's Content-Security-Policy forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{console_site['url']}/admin")
    page.get_by_label("Jeton d'administration").wait_for()
    audit(page, axe_script, "on the console's login form")
    log_in(page, console_site["url"])
    page.locator("#documents-table tbody tr").first.wait_for()
    audit(page, axe_script, "on the console's documents")
    for name in ("Questions", "Ce qui manque", "Exports", "Évaluer"):
        tab(page, name)
        page.wait_for_load_state("networkidle")
        audit(page, axe_script, f"on the console's {name} tab")
    # A logged question opened, its provenance unfolded (the chat logged one before, at least).
    page.request.post(f"{console_site['url']}/api/ask", data={"question": REVIEWED})
    tab(page, "Questions")
    page.get_by_role("button", name=re.compile("^Ouvrir la question du")).first.click()
    page.get_by_text("Comment la réponse a été faite").click()
    page.locator("#question-passages tbody tr").first.wait_for()
    audit(page, axe_script, "on an opened question")
    context.close()


# --- reviewing what was answered (issue 21) ------------------------------------------------------------

FRENCH_MOMENT = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"  # 04/12/2026 14:05, the one format of the page's dates
REVIEWED = "Quel est le budget du dispositif Start-up Industrie de demain ?"
CONTACT_TITLE = "AD'OCC"


def asked(page, url: str, question: str) -> dict:
    response = page.request.post(f"{url}/api/ask", data={"question": question})
    assert response.ok
    return response.json()


def test_an_operator_opens_a_logged_answer_marks_it_wrong_and_evaluates_the_marked_set(page, console_site, tmp_path):
    url = console_site["url"]
    given = asked(page, url, REVIEWED)
    log_in(page, url)
    questions = tab(page, "Questions")
    row = questions.locator("#questions-table tbody tr", has_text=REVIEWED).first
    expect(row.locator("td").first).to_have_text(re.compile(f"^{FRENCH_MOMENT}$"))
    row.get_by_role("button", name=re.compile("^Ouvrir la question du")).click()

    dialog = page.get_by_role("dialog", name=re.compile("^Question du"))
    expect(dialog).to_be_visible()
    expect(dialog.locator("#question-asked")).to_have_text(REVIEWED)
    expect(dialog.locator("#question-answer")).to_have_text(given["answer"])  # what was answered then
    expect(dialog.locator("#question-citations")).to_contain_text(given["citations"][0]["title"])
    expect(dialog.locator("#question-citations")).to_contain_text(given["citations"][0]["quotes"][0])
    dialog.get_by_text("Comment la réponse a été faite").click()
    expect(dialog.locator("#question-decision")).to_contain_text("demande : un montant (amount)")
    expect(dialog.locator("#question-passages tbody tr")).to_have_count(10)
    page.screenshot(path=SCREENSHOTS / "admin-question.png")  # docs/admin-question.png

    # Marked wrong without a fact to check: refused, saying why; then with the expected answer and its facts.
    dialog.get_by_label("Réponse attendue").fill("Entre 2 et 5 M€ par an.")
    dialog.get_by_role("button", name="Ajouter au jeu d'évaluation").click()
    expect(dialog.locator("#review-status")).to_contain_text("au moins un fait")
    dialog.get_by_label("Faits que la réponse doit contenir").fill("2 à 5 M€ / 2 et 5 millions")
    dialog.get_by_role("button", name="Ajouter au jeu d'évaluation").click()
    expect(dialog.locator("#review-status")).to_contain_text("Ajoutée au jeu « réponses signalées »")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()

    # The marked set runs from Évaluer and downloads from Exports, in the columns a set is read in.
    evals = tab(page, "Évaluer")
    evals.get_by_role("button", name="Évaluer les réponses signalées").click()
    expect(evals.locator("#eval-runs tbody tr").first).to_contain_text("reponses-signalees.csv", timeout=120_000)
    expect(evals.locator("#eval-results tbody tr", has_text=REVIEWED)).to_contain_text("correcte", timeout=120_000)
    tab(page, "Exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les réponses signalées (jeu d'évaluation, CSV)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "reponses-signalees.csv" and REVIEWED in saved.read_text(encoding="utf-8-sig")


def test_an_operator_dismisses_a_gap_group_for_good_and_sees_out_of_scope_questions_apart(page, console_site):
    url = console_site["url"]
    missing, off_topic = "Comment candidater au concours i-Nov ?", "Qui a gagné la coupe du monde de football ?"
    for question in (missing, off_topic):
        assert asked(page, url, question)["abstained"]
    log_in(page, url)
    gaps = tab(page, "Ce qui manque")
    expect(gaps.locator("#out-of-scope")).to_contain_text(off_topic)
    expect(gaps.locator("#gap-groups")).not_to_contain_text(off_topic)
    # The contact sheet every refusal quotes is cited, and said to be cited by refusals.
    expect(gaps.locator("#most-cited")).to_contain_text(re.compile(f"{CONTACT_TITLE}.*refus qui citen?t? son contact"))
    expect(gaps.locator("#never-cited")).not_to_contain_text(CONTACT_TITLE)
    group = gaps.locator("#gap-groups > li", has_text=missing)
    group.get_by_role("button", name=re.compile("^Écarter ce groupe")).click()
    expect(page.locator("#notice")).to_contain_text("écarté")
    expect(gaps.locator("#gap-groups")).not_to_contain_text(missing)
    page.reload()  # remembered by the store, not the page
    gaps = tab(page, "Ce qui manque")
    expect(gaps.locator("#out-of-scope")).to_contain_text(off_topic)
    expect(gaps.locator("#gap-groups")).not_to_contain_text(missing)
    gaps.get_by_role("button", name=re.compile("^Rétablir les groupes écartés")).click()
    expect(gaps.locator("#gap-groups")).to_contain_text(missing)


FAILING_SET = EVAL_CSV + "Quel est le montant du Pass Occitanie ?;42 licornes;;factual;non\n"


def test_evaluer_lists_failures_first_filters_them_and_compares_with_the_previous_run(page, console_site, tmp_path):
    url = console_site["url"]
    log_in(page, url)
    evals = tab(page, "Évaluer")
    expect(page.locator("#eval-progress")).to_be_hidden()  # no empty bar at rest
    expect(page.locator("#reindex-progress")).to_be_hidden()
    # The template downloads, and is a set the console runs.
    with page.expect_download() as download:
        evals.get_by_role("link", name="Télécharger un modèle de jeu (CSV)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "modele-jeu-evaluation.csv"
    assert template.read_text(encoding="utf-8-sig").startswith("identifiant;Question;faits attendus;")

    # A stale error goes once a later run starts.
    evals.get_by_role("button", name="Évaluer ce fichier").click()
    expect(page.locator("#notice")).to_have_text("Choisissez un fichier CSV, ou utilisez le jeu fourni.")
    set_file = tmp_path / "jeu-avec-echec.csv"
    set_file.write_text(FAILING_SET, encoding="utf-8-sig")
    runs = evals.locator("#eval-runs tbody tr", has_text=set_file.name)
    for run in range(2):
        page.set_input_files("#eval-file", str(set_file))
        evals.get_by_role("button", name="Évaluer ce fichier").click()
        if run == 0:
            expect(page.locator("#notice")).to_have_text("")
        expect(runs).to_have_count(run + 1)
        expect(runs.first).to_contain_text("terminée", timeout=120_000)
        expect(evals.locator("#eval-status")).to_have_text("Évaluation terminée.")
        expect(evals.locator("#eval-results tbody tr")).to_have_count(4)
    expect(page.locator("#eval-progress")).to_be_hidden()
    expect(evals.locator("#eval-runs tbody tr").first.locator("td").first).to_have_text(re.compile(f"^{FRENCH_MOMENT}$"))

    results = evals.locator("#eval-results tbody tr")
    expect(results.first).to_contain_text("fausse ou incomplète")  # the failure first, though it is the last row
    expect(results.first).to_contain_text("Pass Occitanie")
    expect(evals.locator("#eval-changes")).to_have_text(re.compile(f"^Par rapport à l'évaluation du {FRENCH_MOMENT} : 0 corrigée, 0 cassée.$"))
    evals.get_by_label("Résultat").select_option(label="échecs")
    expect(results).to_have_count(1)
    evals.get_by_label("Résultat").select_option(label="correctes")
    expect(results).to_have_count(3)
    evals.get_by_label("Catégorie").select_option("out-of-scope")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(UNANSWERABLE)
    expect(evals.locator("#eval-shown")).to_have_text("1 verdict affiché sur 4.")

    # Had the previous run passed the licornes question, this one broke it: shown first, and filtered.
    store = console_site["app"].state.store
    latest, previous = [r for r in store.eval_runs() if r["set_name"] == set_file.name][:2]
    store.update_eval_run(previous["id"], results=[r | {"verdict": "correct"} for r in store.eval_run(previous["id"])["results"]])
    runs.first.get_by_role("button", name="Voir les verdicts").click()
    expect(evals.locator("#eval-changes")).to_have_text(re.compile("0 corrigée, 1 cassée.$"))
    expect(results).to_have_count(4)
    expect(results.first).to_contain_text("cassée")
    evals.get_by_label("Résultat").select_option(label="cassées depuis la précédente")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Pass Occitanie")
    evals.get_by_label("Résultat").select_option("")
    page.screenshot(path=SCREENSHOTS / "admin-evals.png", full_page=True)


def test_on_a_phone_an_opened_question_fits_the_screen_and_can_be_marked_wrong(browser, console_site):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    url = console_site["url"]
    asked(page, url, REVIEWED)
    log_in(page, url)
    tab(page, "Questions")
    page.get_by_role("button", name=re.compile("^Ouvrir la question du")).first.click()
    dialog = page.get_by_role("dialog", name=re.compile("^Question du"))
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth")  # nothing wider than the screen but the scrolled tables
    dialog.get_by_label("L'assistant aurait dû s'abstenir").check()
    dialog.get_by_role("button", name="Ajouter au jeu d'évaluation").click()
    expect(dialog.locator("#review-status")).to_contain_text("Ajoutée au jeu « réponses signalées »")
    context.close()


def test_afficher_plus_shows_the_next_questions_once_each_even_when_one_arrives_meanwhile(page, indexed_copy):
    port = free_port()
    settings = indexed_copy("console-paging", port=port, admin_token=TOKEN, rate_limit_per_minute=1000)
    app = create_app(settings)
    with serving(server_config(app, settings, log_level="warning")):
        for n in range(1, 206):
            app.state.store.log_question(f"Question numéro {n} ?", "fr", False, "Oui [1].", [], 10.0, "extractive")
        log_in(page, f"http://127.0.0.1:{port}")
        questions = tab(page, "Questions")
        rows = questions.locator("#questions-table tbody tr")
        expect(rows).to_have_count(100)
        app.state.store.log_question("Une question arrivée entre-temps ?", "fr", False, None, [], 10.0, "extractive")
        for shown in (200, 205):  # the next questions of the log, not shifted by the one that arrived
            questions.get_by_role("button", name="Afficher plus").click()
            expect(rows).to_have_count(shown)
        asked = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(205)]
        assert asked == [f"Question numéro {n} ?" for n in range(205, 0, -1)]  # newest first, each once
