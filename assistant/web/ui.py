"""The Gradio chat at `/`: the same `Assistant.ask` and the same `Answer` as the API, rendered as HTML.

Every text that comes from a document, an answer or a user goes through `html.escape` before any
markup is added, so a document containing `<script>` shows it as text.
"""

import html
import logging

import gradio as gr

from assistant.assistant import Assistant, InvalidQuestion
from assistant.feedback import FeedbackStore
from assistant.models import Answer, Citation
from assistant.web.security import RateLimiter, rate_limited_message
from assistant.wording import human_date, message

log = logging.getLogger("assistant.web")

TITLE = "Assistant Innovation Occitanie"

EXAMPLES = [
    "Quel est le budget du dispositif Start-up Industrie de demain ?",
    "Le Pass Occitanie est-il encore ouvert ?",
    "Qui contacter pour un projet innovant ?",
    "What is the Occitanie AI plan?",
]

HEADER = f"""
<header class="oc-header">
  <div class="oc-brand"><span class="oc-logo" aria-hidden="true">◆</span>
    <div><h1>{TITLE}</h1>
    <p class="oc-tagline">Les dispositifs d'innovation de la Région Occitanie, réponses sourcées</p></div>
  </div>
  <p class="oc-intro">Posez une question sur les aides, appels à projets et contacts pour innover en Occitanie.
  Chaque réponse cite ses sources, avec le passage exact et sa date ; quand les documents ne répondent pas,
  l'assistant le dit au lieu d'inventer.
  <span class="oc-en" lang="en">You can also ask in English: answers follow your language.</span></p>
</header>
"""

FOOTER = """
<footer class="oc-footer">
  Réponses extraites de documents publics : vérifiez auprès de la Région Occitanie ou d'AD'OCC
  avant de vous engager.
  · <a href="/docs" target="_blank" rel="noopener">API</a>
</footer>
"""

CSS = """
.gradio-container { max-width: 980px !important; margin: 0 auto !important; }
.oc-header { padding: 18px 4px 6px; }
.oc-brand { display: flex; gap: 14px; align-items: center; }
.oc-logo { font-size: 30px; color: var(--primary-600); line-height: 1; }
.oc-header h1 { margin: 0; font-size: 1.6rem; font-weight: 700; letter-spacing: -0.01em; }
.oc-tagline { margin: 2px 0 0; color: var(--body-text-color-subdued); }
.oc-intro { margin: 12px 0 0; line-height: 1.5; }
.oc-en { display: block; margin-top: 4px; color: var(--body-text-color-subdued); font-size: 0.92em; }
.oc-footer { font-size: 0.85em; color: var(--body-text-color-subdued); text-align: center; padding: 8px 0 16px; }
.oc-answer .oc-text { line-height: 1.55; }
.oc-sources { margin-top: 12px; border-top: 1px solid var(--border-color-primary); padding-top: 8px; }
.oc-sources-title { font-weight: 600; font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--body-text-color-subdued); }
.oc-source { margin-top: 8px; }
.oc-source-head { font-size: 0.95em; }
.oc-source-meta { color: var(--body-text-color-subdued); font-size: 0.88em; }
#oc-chat .oc-quote { margin: 4px 0 2px; padding: 4px 10px; border-left: 3px solid var(--primary-400);
  font-size: 0.9em; white-space: pre-wrap; }
#oc-chat .oc-quote mark { background: #fde68a; color: inherit; padding: 0 1px; }
"""


def occitanie_theme() -> gr.themes.Base:
    red = gr.themes.Color(
        c50="#fdf2f2", c100="#fbe1e1", c200="#f6c2c3", c300="#ee9396", c400="#e35c62",
        c500="#d2343b", c600="#b8202a", c700="#981a23", c800="#7d1920", c900="#661a1f", c950="#380a0d",
        name="occitanie",
    )
    return gr.themes.Soft(primary_hue=red, secondary_hue="amber", neutral_hue="slate")


def marked_passage(citation: Citation) -> str:
    """The passage text, escaped, with the sentences the answer quotes inside <mark>."""
    text = citation.text
    spans = []
    for quote in citation.quotes:
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
    out, position = [], 0
    for start, end in sorted(spans):
        if start < position:  # overlapping quotes: the first one already covers this part
            continue
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def safe_link(url: str | None, label: str) -> str:
    if not url or not url.lower().startswith(("http://", "https://")):
        return ""
    return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'


def render_answer(answer: Answer) -> str:
    """One chat message: the answer with its [n] markers, then its sources. No blank line inside, so
    the Markdown renderer leaves the HTML block as it is."""
    english = answer.language == "en"
    text = html.escape(answer.answer).replace("\n", "<br>")
    parts = [f'<div class="oc-answer"><div class="oc-text">{text}</div>']
    if answer.citations:
        parts.append('<div class="oc-sources"><div class="oc-sources-title">Sources</div>')
        for citation in answer.citations:
            meta = " · ".join(
                html.escape(p) for p in (citation.section, human_date(citation.date, answer.language)) if p
            )
            link = safe_link(citation.url, "Open the document" if english else "Voir le document")
            parts.append(
                f'<div class="oc-source"><div class="oc-source-head">[{citation.n}] '
                f"<strong>{html.escape(citation.title)}</strong>"
                f' <span class="oc-source-meta">{meta}</span></div>'
                f'<blockquote class="oc-quote">{marked_passage(citation)}</blockquote>{link}</div>'
            )
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def chat_messages(turns: list[dict]) -> list[dict]:
    """The chatbot's value, rebuilt from the session's turns (one user + one assistant message each),
    so the browser never sends the conversation back and message index // 2 is the turn."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": html.escape(turn["question"])})
        answer = turn.get("answer")
        content = render_answer(Answer(**answer)) if answer else "<em>Recherche dans les sources…</em>"
        messages.append({"role": "assistant", "content": content})
    return messages


def history_of(turns: list[dict]) -> list[dict]:
    history = []
    for turn in turns:
        history.append({"role": "user", "content": turn["question"]})
        history.append({"role": "assistant", "content": turn["answer"]["answer"]})
    return history


def client_host(request: gr.Request | None) -> str:
    return request.client.host if request is not None and request.client else "unknown"


def build_ui(assistant: Assistant, store: FeedbackStore, limiter: RateLimiter) -> gr.Blocks:
    settings = assistant.settings

    def respond(question: str, turns: list[dict], request: gr.Request):
        unchanged = (question, chat_messages(turns), turns)
        try:
            analysis = assistant.prepare(question, history_of(turns))
        except InvalidQuestion as error:
            gr.Warning(str(error))
            yield unchanged
            return
        wait = limiter.hit(f"ask:{client_host(request)}")
        if wait is not None:
            gr.Warning(rate_limited_message(limiter.per_minute, wait, analysis.language))
            yield unchanged
            return
        pending = turns + [{"question": analysis.question, "answer": None}]
        yield "", chat_messages(pending), turns
        try:
            answer = assistant.answer(analysis)
        except Exception as error:
            log.exception("chat answer failed")
            yield unchanged
            raise gr.Error(message(analysis.language, "internal")) from error
        answer = answer.model_copy(update={"provenance": None})  # kept server-side: not part of the chat's state
        turns = turns + [{"question": analysis.question, "answer": answer.model_dump(mode="json")}]
        yield "", chat_messages(turns), turns

    def ask_example(selection: gr.SelectData, turns: list[dict], request: gr.Request):
        value = selection.value
        yield from respond(value.get("text", "") if isinstance(value, dict) else str(value), turns, request)

    def rate(feedback: gr.LikeData, turns: list[dict], request: gr.Request) -> None:
        index = feedback.index[0] if isinstance(feedback.index, (list, tuple)) else feedback.index
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        if not turn or not turn.get("answer") or feedback.liked in ("", None):
            return
        if limiter.hit(f"feedback:{client_host(request)}") is not None:
            gr.Warning(message("fr", "feedback_limited"))
            return
        answer = turn["answer"]
        store.add(
            rating="up" if feedback.liked is True else "down",
            reason=feedback.liked if isinstance(feedback.liked, str) else None,
            question=turn["question"],
            answer=answer["answer"],
            citations=answer["citations"],
            answerer=answer["answerer"],
        )
        gr.Info(message("fr", "feedback_thanks"))

    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        turns = gr.State([])
        gr.HTML(HEADER)
        chatbot = gr.Chatbot(
            label="Conversation",
            show_label=False,
            height=520,
            examples=[{"text": q} for q in EXAMPLES],
            placeholder="**Exemples de questions** · *Example questions*",
            feedback_options=("Like", "Dislike", "Réponse inexacte", "Source manquante", "Hors sujet"),
            buttons=["copy"],
            elem_id="oc-chat",
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                placeholder="Posez votre question… / Ask your question…",
                show_label=False,
                max_length=settings.max_question_chars,
                autofocus=True,
                scale=8,
                elem_id="oc-question",
            )
            send = gr.Button("Envoyer", variant="primary", scale=1, min_width=110, elem_id="oc-send")
        new = gr.Button("Nouvelle conversation", variant="secondary", size="sm")
        gr.HTML(FOOTER)

        outputs = [question, chatbot, turns]
        send.click(respond, [question, turns], outputs)
        question.submit(respond, [question, turns], outputs)
        chatbot.example_select(ask_example, [turns], outputs)
        chatbot.like(rate, [turns], None)
        chatbot.clear(lambda: [], None, [turns])
        new.click(lambda: ("", [], []), None, outputs)
    return blocks
