"""The Gradio chat at `/`: the same `Assistant.ask` and the same `Answer` as the API, rendered as HTML.

Every text that comes from a document, an answer or a user goes through `text_html` (escaped, each
newline a `<br>`) before any markup is added, and the chatbot renders its messages as HTML, not
Markdown: a document containing `<script>`, `![](https://…)` or a blank line shows them as text.

An answer reads top down: the lead (the sentence that answers), the quoted evidence, then the
sources in a `<details>` disclosure, open on wide screens and folded on phones; each [n] is a link
to its source, and a source's title to its document when it has a web address. The chat fills the
window's height, and a new answer lands with its question at the top of the view and its lead below
it, and is announced to screen readers by its lead alone (`CHAT_SCRIPT`, assistant/static/chat.js).
The page is French whatever the browser's language (assistant/web/chat_page.py).
"""

import html
import json
import logging
import re
from pathlib import Path

import gradio as gr

from assistant.assistant import Assistant, InvalidQuestion
from assistant.models import Answer, Citation
from assistant.store.question_log import QuestionLog, StoreUnavailable
from assistant.web.security import RateLimiter, rate_limited_message
from assistant.wording import human_date, message, words

log = logging.getLogger("assistant.web")

# The page is French with English hints (its texts: assistant/wording.py); an answer, and what the
# chat says about a question or its feedback, are in the question's language.
TITLE = message("fr", "chat_title")

EXAMPLES = [*words("fr", "example_questions"), *words("en", "example_questions")]

HEADER = f"""
<header class="oc-header">
  <div class="oc-brand"><span class="oc-logo" aria-hidden="true">◆</span>
    <div><h1>{TITLE}</h1>
    <p class="oc-tagline">{message("fr", "chat_tagline")}</p></div>
  </div>
</header>
"""

# Shown inside the empty chat, above the example questions, so the header stays short and the
# conversation gets the window's height once it starts.
INTRO = (
    f"<p>{message('fr', 'chat_intro')}</p>"
    f'<p><em lang="en">{message("en", "chat_language_hint")}</em></p>'
    f'<p><strong>{message("fr", "chat_examples")}</strong> · <em lang="en">{message("en", "chat_examples")}</em></p>'
)

# The thumbs are Gradio's own options, "Like" and "Dislike" (shown as icons); then the flags a person
# can pick. The chat stores a flag as the reason, and nothing else.
LIKE, DISLIKE = "Like", "Dislike"
FLAGS = words("fr", "feedback_flags")

# The live region is part of the page from the start: screen readers announce changes to a region
# they already know, not a region inserted with its text.
FOOTER = f"""
<footer class="oc-footer">
  {message("fr", "chat_footer")}
  · <a href="/docs" target="_blank" rel="noopener">API</a>
</footer>
<div id="oc-announcer" class="oc-visually-hidden" aria-live="polite" aria-atomic="true"></div>
"""

NARROW = 640  # px: at most this wide (a phone), the sources of an answer start folded

CSS = f"""
.gradio-container {{ max-width: 980px !important; margin: 0 auto !important; }}
/* Gradio's 16/32 px page padding, down to 8/10 px on a phone (custom CSS inside @media only reaches
   into .contain, so the sizes scale with the viewport instead). */
.main.app {{ padding: clamp(6px, 1.8vw, 16px) clamp(8px, 2.5vw, 32px) !important; }}
.oc-header {{ padding: 10px 4px 0; }}
.oc-brand {{ display: flex; gap: 12px; align-items: center; }}
.oc-logo {{ font-size: 26px; color: var(--primary-600); line-height: 1; }}
.oc-header h1 {{ margin: 0; font-size: 1.45rem; font-weight: 700; letter-spacing: -0.01em; }}
.oc-tagline {{ margin: 2px 0 0; color: var(--body-text-color-subdued); }}
.oc-footer {{ font-size: 0.85em; color: var(--body-text-color-subdued); text-align: center; padding: 0 0 8px; }}
.oc-visually-hidden {{ position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }}
/* The chat takes the height the header and the input leave (flex-basis 0), so a long placeholder or
   answer scrolls inside it instead of making the page taller than the window. */
#oc-chat {{ flex: 1 1 0 !important; min-height: 300px; }}
#oc-chat .placeholder {{ flex-grow: 0 !important; height: auto !important; align-items: flex-start !important;
  padding: 4px 16px 0; }}  /* the intro at the top, not mid-height */
#oc-chat .examples {{ margin: 0 auto auto !important; }}
#oc-chat .example {{ border: 1px solid var(--border-color-primary) !important;
  background: var(--background-fill-secondary) !important; }}
#oc-chat .example:hover {{ border-color: var(--primary-400) !important; }}
/* Gradio fades chat messages to 0.8 opacity: the grey labels fell below 4.5:1. */
#oc-chat .message-wrap .prose.chatbot.md {{ opacity: 1; }}
.oc-answer .oc-lead {{ font-size: 1.12em; font-weight: 650; line-height: 1.45; margin: 0 0 10px; }}
.oc-answer .oc-text {{ line-height: 1.55; }}
.oc-sources {{ margin-top: 12px; border-top: 1px solid var(--border-color-primary); padding-top: 8px; }}
.oc-sources-title {{ font-weight: 600; font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--body-text-color-subdued); cursor: pointer; }}
.oc-source {{ margin-top: 8px; }}
.oc-source-head {{ font-size: 0.95em; }}
.oc-source-meta {{ color: var(--body-text-color-subdued); font-size: 0.88em; }}
#oc-chat .oc-quote {{ margin: 4px 0 2px; padding: 4px 10px; border-left: 3px solid var(--primary-400);
  font-size: 0.9em; white-space: pre-wrap; }}
#oc-chat .oc-quote mark {{ background: #fde68a; color: #1f2937; padding: 0 1px; }}
#oc-chat a.oc-ref {{ font-weight: 600; padding: 2px 1px; text-underline-offset: 2px; }}  /* underlined: a link in text */
#oc-chat .oc-source:focus {{ outline: 2px solid var(--primary-600); outline-offset: 3px; border-radius: 2px; }}
/* The header and "Nouvelle conversation" share one row; Gradio's own clear button, which did the same
   over the conversation's first message, is hidden. */
#oc-chat .icon-button-wrapper.top-panel {{ display: none !important; }}
#oc-top {{ flex-wrap: nowrap !important; align-items: center; gap: 8px; }}
#oc-top > .html-container, #oc-top > div:first-child {{ flex: 1 1 auto; min-width: 0; }}
#oc-new {{ flex: 0 0 auto !important; min-width: 0 !important; white-space: nowrap; }}
/* A phone: the header, the input and the notice in as little height as they can (issue 21: they took
   40% of a 390 x 844 screen), and touch targets of at least 44 x 44 px (WCAG 2.5.5). */
@media (max-width: {NARROW}px) {{
  .oc-header {{ padding: 0 2px; }}
  .oc-logo, .oc-tagline {{ display: none; }}
  .oc-header h1 {{ font-size: 1.05rem; }}
  .oc-footer {{ font-size: 0.72em; line-height: 1.3; padding: 0; }}
  #oc-send {{ min-width: 0 !important; flex: 0 0 auto !important; padding: 0 14px; }}
  #oc-new, #oc-send {{ min-height: 44px; }}
  #oc-chat .message-buttons .icon-button, #oc-chat .icon-button-wrapper .icon-button {{
    width: 44px !important; height: 44px !important; }}
  #oc-chat .extra-feedback-option {{ min-height: 44px; }}
  #oc-chat .oc-sources-title {{ padding: 12px 0; }}
}}
"""

# Run once when the page loads (Blocks.load with js only), with its settings written in.
CHAT_SCRIPT = (Path(__file__).resolve().parent.parent / "static" / "chat.js").read_text(encoding="utf-8").replace(
    "OC_SETTINGS",
    json.dumps({"narrow": NARROW, "gradio_texts": words("fr", "gradio_texts"),
                "labels": words("fr", "chat_message_labels")}, ensure_ascii=False),
)


def occitanie_theme() -> gr.themes.Base:
    red = gr.themes.Color(
        c50="#fdf2f2", c100="#fbe1e1", c200="#f6c2c3", c300="#ee9396", c400="#e35c62",
        c500="#d2343b", c600="#b8202a", c700="#981a23", c800="#7d1920", c900="#661a1f", c950="#380a0d",
        name="occitanie",
    )
    # Text and buttons at WCAG AA contrast (4.5:1) on the light backgrounds: Soft's subdued grey
    # (slate 400), amber links and the red 400 of a hovered button are below it.
    return gr.themes.Soft(primary_hue=red, secondary_hue="amber", neutral_hue="slate").set(
        body_text_color_subdued="*neutral_600",
        link_text_color="*primary_700",
        link_text_color_hover="*primary_800",
        link_text_color_visited="*primary_800",
        link_text_color_active="*primary_800",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_text_color="white",
    )


def text_html(text: str) -> str:
    """Text from a document or a person as HTML that shows it as it is: escaped, each newline a <br>
    (so no blank line can end an HTML block, and no raw newline reaches a renderer)."""
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


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
        out.append(text_html(text[position:start]))
        out.append(f"<mark>{text_html(text[start:end])}</mark>")
        position = end
    out.append(text_html(text[position:]))
    return "".join(out)


def safe_link(url: str | None, label: str) -> str:
    """`label` (HTML) as a link to `url` when it is a web address, else `label` alone."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return label
    return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'


MARKER = re.compile(r"\[(\d+)\]")


def source_id(message_id: str, n: int) -> str:
    return f"{message_id}-source-{n}"


def with_marker_links(escaped: str, answer: Answer, message_id: str) -> str:
    """Escaped text whose [n] markers are links to source n of the same message (CHAT_SCRIPT unfolds
    the sources and moves there); a number that names no source stays text."""
    titles = {c.n: c.title for c in answer.citations}

    def link(match: re.Match) -> str:
        n = int(match[1])
        if n not in titles:
            return match[0]
        title = html.escape(message(answer.language, "source_marker", n=n, title=titles[n]), quote=True)
        return f'<a class="oc-ref" href="#{source_id(message_id, n)}" title="{title}">{match[0]}</a>'

    return MARKER.sub(link, escaped)


def lead_and_evidence(answer: Answer) -> tuple[str | None, str]:
    """The lead and the rest of the answer's text (the quoted evidence), the lead said once: taken off
    the text wherever it is in it (an answer that does not begin with it keeps the rest around it)."""
    lead = (answer.lead or "").strip()
    if not lead:
        return None, answer.answer
    text = answer.answer.strip()
    before, found, after = text.partition(lead)
    if not found:
        return lead, text
    return lead, "\n\n".join(part.strip() for part in (before, after) if part.strip())


def render_answer(answer: Answer, message_id: str = "oc-answer") -> str:
    """One chat message: the lead, the quoted evidence, their [n] markers links to the sources below, in
    a disclosure; a source's title links to its document when that has a web address. No blank line
    inside, so the Markdown renderer leaves the HTML block as it is."""
    language = answer.language
    lead, evidence = lead_and_evidence(answer)
    parts = [f'<div class="oc-answer" id="{message_id}">']
    if lead:
        parts.append(f'<p class="oc-lead">{with_marker_links(text_html(lead), answer, message_id)}</p>')
    if evidence:
        parts.append(f'<div class="oc-text">{with_marker_links(text_html(evidence), answer, message_id)}</div>')
    if answer.citations:
        # Folded on phones, opened on wide screens by CHAT_SCRIPT.
        parts.append(
            '<details class="oc-sources"><summary class="oc-sources-title">'
            f'{message(language, "sources_count", count=len(answer.citations))}</summary>'
        )
        for citation in answer.citations:
            meta = " · ".join(
                text_html(p) for p in (citation.section, human_date(citation.date, language)) if p
            )
            title = safe_link(citation.url, f"<strong>{text_html(citation.title)}</strong>")
            parts.append(
                f'<div class="oc-source" id="{source_id(message_id, citation.n)}" tabindex="-1">'
                f'<div class="oc-source-head">[{citation.n}] {title}'
                f' <span class="oc-source-meta">{meta}</span></div>'
                f'<blockquote class="oc-quote">{marked_passage(citation)}</blockquote></div>'
            )
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def pending(language: str) -> str:
    """The assistant's message while it answers, in the question's language."""
    return f'<p class="oc-pending"><em>{message(language, "chat_pending")}</em></p>'


def chat_messages(turns: list[dict]) -> list[dict]:
    """The chatbot's value, rebuilt from the session's turns (one user + one assistant message each),
    so the browser never sends the conversation back and message index // 2 is the turn."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": text_html(turn["question"])})
        answer = turn.get("answer")
        content = render_answer(Answer(**answer), f"oc-answer-{len(messages)}") if answer else pending(turn["language"])
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


def build_ui(assistant: Assistant, question_log: QuestionLog, limiter: RateLimiter) -> gr.Blocks:
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
        waiting = turns + [{"question": analysis.typed or analysis.question, "answer": None, "language": analysis.language}]
        yield "", chat_messages(waiting), turns
        try:
            answer = assistant.answer(analysis)
        except Exception as error:
            log.exception("chat answer failed")
            yield unchanged
            raise gr.Error(message(analysis.language, "internal")) from error
        question_id = question_log.record(answer)  # the turn keeps its log id, so its thumbs link to it
        answer = answer.model_copy(update={"provenance": None})  # kept server-side: not part of the chat's state
        turns = turns + [{"question": analysis.typed or analysis.question, "answer": answer.model_dump(mode="json"), "id": question_id}]
        yield "", chat_messages(turns), turns

    def ask_example(selection: gr.SelectData, turns: list[dict], request: gr.Request):
        value = selection.value
        yield from respond(value.get("text", "") if isinstance(value, dict) else str(value), turns, request)

    def rate(feedback: gr.LikeData, turns: list[dict], request: gr.Request) -> None:
        index = feedback.index[0] if isinstance(feedback.index, (list, tuple)) else feedback.index
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        liked = feedback.liked
        if not turn or not turn.get("answer") or not (isinstance(liked, bool) or liked in FLAGS):
            return  # an unrated message, or a crafted event: only the thumbs and the flags are recorded
        answer = turn["answer"]
        language = answer["language"]  # the asker's: the feedback is on their question's answer
        if limiter.hit(f"feedback:{client_host(request)}") is not None:
            gr.Warning(message(language, "feedback_limited"))
            return
        try:
            question_log.add_feedback(
                rating="up" if liked is True else "down",
                reason=liked if isinstance(liked, str) else None,
                question=turn["question"],
                answer=answer["answer"],
                citations=answer["citations"],
                answerer=answer["answerer"],
                question_id=turn.get("id"),
            )
        except StoreUnavailable as error:
            log.warning("chat feedback not stored: %s", error)
            gr.Warning(message(language, "store_unavailable"))
            return
        gr.Info(message(language, "feedback_thanks"))

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_height=True) as blocks:
        turns = gr.State([])
        with gr.Row(elem_id="oc-top"):
            gr.HTML(HEADER, padding=False)
            new = gr.Button(message("fr", "chat_new"), variant="secondary", size="sm", scale=0, elem_id="oc-new")
        chatbot = gr.Chatbot(
            label=message("fr", "chat_conversation"),
            show_label=False,
            height="100%",  # with fill_height and scale=1: the window's height, less the header and input
            scale=1,
            autoscroll=False,  # CHAT_SCRIPT lands on the new answer's lead instead of its last source
            examples=[{"text": q} for q in EXAMPLES],
            placeholder=INTRO,
            feedback_options=(LIKE, DISLIKE, *FLAGS),
            render_markdown=False,  # our messages are HTML built from escaped text: nothing is Markdown
            buttons=["copy"],
            elem_id="oc-chat",
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                placeholder=message("fr", "chat_placeholder"),  # one line on a phone; the intro says English works
                show_label=False,
                max_length=settings.max_question_chars,
                autofocus=True,
                scale=8,
                elem_id="oc-question",
            )
            send = gr.Button(message("fr", "chat_send"), variant="primary", scale=0, min_width=96, elem_id="oc-send")
        gr.HTML(FOOTER, padding=False)

        outputs = [question, chatbot, turns]
        send.click(respond, [question, turns], outputs)
        question.submit(respond, [question, turns], outputs)
        chatbot.example_select(ask_example, [turns], outputs)
        chatbot.like(rate, [turns], None)
        chatbot.clear(lambda: [], None, [turns])
        new.click(lambda: ("", [], []), None, outputs)
        blocks.load(None, None, None, js=CHAT_SCRIPT)
    return blocks
