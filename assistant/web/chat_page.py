"""The chat's page as a French page: `<html lang="fr">`, and Gradio's own labels in French whatever the
browser's language.

Gradio writes `<html lang="en">` and picks its labels' language from `navigator.language` when its
scripts start, before any `head=` or `js=` of ours runs. So the page's HTML is rewritten on its way out:
the attribute, and a first script in `<head>` that gives Gradio French as the browser's language.
Gradio's French lacks a few labels ("Copy message"): `GRADIO_FRENCH` adds them (Gradio's `I18n`).
"""

import gradio as gr
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.wording import words

PAGE_LANGUAGE = "fr"

# Before Gradio's module script: the language it reads is the page's.
LOCALE_SCRIPT = (
    "<script>(() => { const language = %r; try {"
    " Object.defineProperty(Navigator.prototype, 'language', { get: () => language, configurable: true });"
    " Object.defineProperty(Navigator.prototype, 'languages', { get: () => [language], configurable: true });"
    " } catch (error) {} })();</script>" % PAGE_LANGUAGE
)

# Gradio's keys that its own French translation leaves in English.
GRADIO_FRENCH = gr.I18n(fr=words("fr", "gradio_labels"))


def french_page(html: str) -> str:
    """Gradio's index page with the page's language, and the locale script first in its head."""
    html = html.replace('lang="en"', f'lang="{PAGE_LANGUAGE}"', 1)
    return html.replace("<head>", "<head>" + LOCALE_SCRIPT, 1)


class FrenchChatPage:
    """Rewrites the chat's HTML page (`GET /`, asked uncompressed so that it can be read)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        start: Message | None = None
        body = []

        async def rewriting_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            content = b"".join(body)
            headers = MutableHeaders(raw=list(start["headers"]))
            if headers.get("content-type", "").startswith("text/html"):
                content = french_page(content.decode("utf-8")).encode("utf-8")
                headers["content-length"] = str(len(content))
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, rewriting_send)
