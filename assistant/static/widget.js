/* Assistant Innovation Occitanie: chat widget. One tag on any page:
   <script src="https://HOST/widget.js" data-title="..." data-lang="fr" data-position="right" data-color="#b8202a" async></script>
   No framework, no build step. Everything received from the server is shown with textContent.
   An answer reads top down: its lead (the sentence that answers), the quoted evidence, then its sources
   folded in a <details> (the panel is phone-wide everywhere); the log scrolls to the lead, and a live
   region announces the lead alone. */
(function () {
  "use strict";
  // Captured now: document.currentScript is null once this first run is over (events, callbacks).
  var script = document.currentScript;
  if (!script) {
    var tags = document.querySelectorAll('script[src*="widget.js"]');
    script = tags[tags.length - 1];
  }
  if (!script || script.getAttribute("data-occitanie-loaded")) return;
  script.setAttribute("data-occitanie-loaded", "1");

  var API = new URL(script.src, location.href).origin + "/api/ask";
  var FEEDBACK = new URL(script.src, location.href).origin + "/api/feedback";
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "fr";
  var left = script.getAttribute("data-position") === "left";
  var color = /^#[0-9a-f]{3,8}$/i.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#b8202a";
  var MAX_HISTORY = 20; // messages sent back for follow-ups (the server accepts up to 40 by default)
  var T = {
    fr: {
      title: "Assistant Innovation Occitanie", open: "Ouvrir l'assistant", close: "Fermer", reset: "Nouvelle conversation",
      input: "Votre question", placeholder: "Posez votre question…", send: "Envoyer", sources: "Sources", log: "Conversation",
      link: "Voir le document", wait: "Recherche dans les sources…", undated: "date non précisée",
      hello: "Bonjour ! Posez une question sur les dispositifs d'innovation de la Région Occitanie. Chaque réponse cite ses sources.",
      network: "Le service est injoignable. Vérifiez votre connexion, puis réessayez.",
      refused: "Ce site n'est pas autorisé à interroger l'assistant. Son administrateur peut le demander à la Région.",
      server: "Le service a rencontré une erreur. Réessayez dans un instant.",
      note: "Réponses tirées de documents publics, à vérifier auprès de la Région.",
      up: "Réponse utile", down: "Réponse pas utile", thanks: "Merci pour votre avis.",
      months: "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    },
    en: {
      title: "Occitanie Innovation Assistant", open: "Open the assistant", close: "Close", reset: "New conversation",
      input: "Your question", placeholder: "Ask your question…", send: "Send", sources: "Sources", log: "Conversation",
      link: "Open the document", wait: "Searching the sources…", undated: "undated",
      hello: "Hello! Ask about the Région Occitanie innovation programmes. Every answer cites its sources.",
      network: "The service cannot be reached. Check your connection and try again.",
      refused: "This site is not allowed to query the assistant. Its administrator can ask the Region.",
      server: "The service ran into an error. Please try again in a moment.",
      note: "Answers come from public documents; check with the Region.",
      up: "Helpful answer", down: "Unhelpful answer", thanks: "Thank you for your feedback.",
      months: "January February March April May June July August September October November December"
    }
  }[lang];
  var title = script.getAttribute("data-title") || T.title;

  // The host page's CSS cannot reach inside the shadow root; only inherited properties cross it,
  // and :host{all:initial} plus explicit values on .w stop those.
  var CSS =
    ":host{all:initial!important;display:block!important}" +
    ".w{all:initial;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2937;letter-spacing:normal;text-align:left}" +
    ".w *{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:inherit}" +
    ".fab{position:fixed;bottom:20px;" + (left ? "left" : "right") + ":20px;width:58px;height:58px;border-radius:50%;border:0;" +
    "background:" + color + ";color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);z-index:2147483000;display:flex;align-items:center;justify-content:center}" +
    ".fab svg{width:28px;height:28px;fill:#fff}" +
    ".panel{position:fixed;bottom:90px;" + (left ? "left" : "right") + ":20px;width:min(400px,calc(100vw - 24px));height:min(600px,calc(100vh - 110px));" +
    "background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden;z-index:2147483000}" +
    ".panel[hidden]{display:none}" +
    ".head{background:" + color + ";color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}" +
    ".head h2{margin:0;flex:1;font-size:16px;font-weight:600;color:#fff}" +
    ".icon{background:transparent;border:0;color:#fff;cursor:pointer;font-size:20px;line-height:1;padding:4px 8px;border-radius:6px}" +
    ".log{position:relative;flex:1;overflow-y:auto;padding:12px;background:#f6f7f9;display:flex;flex-direction:column;gap:10px}" +
    ".msg{max-width:92%;padding:9px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".user{align-self:flex-end;background:" + color + ";color:#fff}" +
    ".bot{align-self:flex-start;background:#fff;border:1px solid #e5e7eb}" +
    ".err{align-self:stretch;background:#fff4e5;border:1px solid #f5c27a;color:#7a4a00}" +
    ".wait{color:#4b5563;font-style:italic}" +
    ".lead{display:block;margin:0 0 6px;font-size:16px;font-weight:650;line-height:1.4;color:#111827}" +
    ".src{margin-top:8px;border-top:1px solid #e5e7eb;padding-top:6px;font-size:13px;white-space:normal}" +
    ".src summary{cursor:pointer;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#4b5563}" +
    ".s{margin-top:6px}.meta{color:#4b5563}" +
    ".q{margin:3px 0;padding:3px 8px;border-left:3px solid " + color + ";white-space:pre-wrap;color:#374151}" +
    "mark{background:#fde68a;color:inherit}.w strong{font-weight:600}" +
    ".s a{color:" + color + ";text-decoration:underline}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}" +
    "textarea{flex:1;resize:none;height:42px;padding:9px 10px;border:1px solid #d1d5db;border-radius:8px;background:#fff;color:#111827}" +
    ".send{background:" + color + ";color:#fff;border:0;border-radius:8px;padding:0 14px;cursor:pointer;font-weight:600}" +
    ".send:disabled{opacity:.5;cursor:wait}" +
    ".rate{display:flex;gap:6px;align-items:center;margin-top:8px;white-space:normal}" +
    ".rate button{background:#fff;border:1px solid #9ca3af;border-radius:6px;padding:2px 8px;cursor:pointer;font-size:15px}" +
    ".rate button:disabled{opacity:.5;cursor:wait}.rate p{margin:0;font-size:13px;color:#374151}" +
    ".note{font-size:11px;color:#4b5563;padding:0 12px 8px;background:#fff}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
    "button:focus-visible,textarea:focus-visible,a:focus-visible,summary:focus-visible{outline:3px solid #2563eb;outline-offset:2px}" +
    ".log:focus-visible{outline:3px solid #2563eb;outline-offset:-3px}";

  function el(tag, props, children) {
    var node = document.createElement(tag);
    for (var key in props || {}) {
      if (key === "text") node.textContent = props[key];
      else if (key === "class") node.className = props[key];
      else node.setAttribute(key, props[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  var host = el("div", { id: "occitanie-assistant" });
  var root = host.attachShadow({ mode: "open" });
  var fab = el("button", { class: "fab", type: "button", "aria-label": title + " — " + T.open, "aria-expanded": "false", "aria-controls": "oc-panel" });
  // Constant markup, no data: the chat bubble icon.
  fab.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  var heading = el("h2", { id: "oc-title", text: title });
  var reset = el("button", { class: "icon", type: "button", "aria-label": T.reset, title: T.reset, text: "↺" });
  var close = el("button", { class: "icon", type: "button", "aria-label": T.close, title: T.close, text: "×" });
  // The log scrolls, so it takes the keyboard focus (arrows scroll it). It is not live itself: it would
  // read a whole answer with its sources; `live` announces the lead instead.
  var log = el("div", { class: "log", role: "log", "aria-live": "off", "aria-label": T.log, tabindex: "0" });
  var live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
  var input = el("textarea", { "aria-label": T.input, placeholder: T.placeholder, maxlength: "1000", rows: "1" });
  var send = el("button", { class: "send", type: "submit", text: T.send });
  var form = el("form", {}, [input, send]);
  var panel = el("div", { class: "panel", id: "oc-panel", role: "dialog", "aria-labelledby": "oc-title", hidden: "" },
    [el("div", { class: "head" }, [heading, reset, close]), log, form, el("div", { class: "note", text: T.note }), live]);
  // A constructed stylesheet: a host page whose CSP forbids inline styles (style-src 'self') cannot
  // block it, as it would a <style> element. Browsers without one (before Safari 16.4) get the <style>.
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (error) {
    root.appendChild(el("style", { text: CSS }));
  }
  root.appendChild(el("div", { class: "w", lang: lang }, [fab, panel]));

  var history = [];
  var busy = false;

  function humanDate(iso) {
    var m = /^(\d{4})-(\d{2})/.exec(iso || "");
    if (!iso) return T.undated;
    return m && +m[2] >= 1 && +m[2] <= 12 ? T.months.split(" ")[+m[2] - 1] + " " + m[1] : iso;
  }

  function show(node) { log.appendChild(node); log.scrollTop = log.scrollHeight; return node; }

  // A new answer lands with its first line (the lead) at the top of the log, not its last source.
  function showAnswer(node) { log.appendChild(node); log.scrollTop = node.offsetTop - 12; return node; }

  // Emptied, then filled a moment later: a screen reader announces the same text again too.
  var announcing = null;
  function announce(text) {
    clearTimeout(announcing);
    live.textContent = "";
    announcing = setTimeout(function () { live.textContent = text; }, 50);
  }

  // The lead and the rest of the text (the quoted evidence); as assistant/web/ui.py: lead_and_evidence.
  function leadAndEvidence(answer) {
    var text = String(answer.answer || "").trim();
    var lead = String(answer.lead || "").trim();
    if (!lead) return [null, text];
    return [lead, text.indexOf(lead) === 0 ? text.slice(lead.length).trim() : text];
  }

  // The answer's first sentence, announced when an answer has no lead.
  function firstSentence(text) {
    var line = String(text || "").trim().split("\n")[0];
    var found = /^[\s\S]*?[.!?…](?:\s*[»”")])*(?:\s*\[\d+\])*(?=\s|$)/.exec(line);
    return found ? found[0] : line;
  }

  // The passage as text nodes, with the quoted sentences inside <mark>.
  function passage(text, quotes) {
    var q = el("blockquote", { class: "q" });
    var spans = [];
    (quotes || []).forEach(function (quote) {
      var at = quote ? text.indexOf(quote) : -1;
      if (at >= 0) spans.push([at, at + quote.length]);
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) return;
      q.appendChild(document.createTextNode(text.slice(pos, s[0])));
      q.appendChild(el("mark", { text: text.slice(s[0], s[1]) }));
      pos = s[1];
    });
    q.appendChild(document.createTextNode(text.slice(pos)));
    return q;
  }

  function renderAnswer(answer) {
    var parts = leadAndEvidence(answer);
    var box = el("div", { class: "msg bot" }, [
      parts[0] ? el("p", { class: "lead", text: parts[0] }) : null,
      parts[1] ? document.createTextNode(parts[1]) : null
    ]);
    var citations = Array.isArray(answer.citations) ? answer.citations : [];
    if (citations.length) {
      var list = el("details", { class: "src" }, [el("summary", { text: T.sources + " (" + citations.length + ")" })]);
      citations.forEach(function (c) {
        var meta = [c.section, humanDate(c.date)].filter(Boolean).join(" · ");
        var item = el("div", { class: "s" }, [
          el("div", {}, [el("strong", { text: "[" + c.n + "] " + String(c.title || "") }), el("span", { class: "meta", text: meta ? " — " + meta : "" })]),
          passage(String(c.text || ""), c.quotes)
        ]);
        if (/^https?:\/\//i.test(c.url || "")) {
          item.appendChild(el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer", text: T.link }));
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.appendChild(rating(answer));
    return box;
  }

  // POST a JSON body; the JSON answer, or a rejection with the server's French/English `detail`.
  function post(url, body, signal) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: signal || undefined,
      credentials: "omit"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        // 403: this page's origin is not allowed (the server says so in a response the page can read).
        if (response.status === 403) throw { detail: T.refused };
        if (!response.ok) throw { detail: typeof answer.detail === "string" ? answer.detail : T.server };
        return answer;
      });
    });
  }

  // Thumbs up / down, sent with the answer's log id so the region sees which logged question they rate.
  function rating(answer) {
    var row = el("div", { class: "rate" });
    [["up", "\uD83D\uDC4D", T.up], ["down", "\uD83D\uDC4E", T.down]].forEach(function (choice) {
      var button = el("button", { type: "button", "aria-label": choice[2], title: choice[2], text: choice[1] });
      button.addEventListener("click", function () { rate(answer, choice[0], row); });
      row.appendChild(button);
    });
    return row;
  }

  function rate(answer, value, row) {
    var buttons = row.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    post(FEEDBACK, {
      rating: value, question: String(answer.question || ""), answer: String(answer.answer || ""),
      citations: Array.isArray(answer.citations) ? answer.citations : [], answerer: answer.answerer || null,
      question_id: typeof answer.id === "number" ? answer.id : null
    }).then(function (body) {
      row.textContent = "";
      row.appendChild(el("p", { role: "status", text: typeof body.detail === "string" ? body.detail : T.thanks }));
    }).catch(function (error) {
      buttons.forEach(function (button) { button.disabled = false; });
      announce(error && error.detail ? error.detail : T.network);
    });
  }

  function ask(question) {
    busy = true;
    send.disabled = true;
    show(el("div", { class: "msg user", text: question }));
    var waiting = show(el("div", { class: "msg bot wait", text: T.wait }));
    announce(T.wait);
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 90000);
    post(API, { question: question, history: history.slice(-MAX_HISTORY) }, controller && controller.signal).then(function (answer) {
      waiting.remove();
      showAnswer(renderAnswer(answer));
      var parts = leadAndEvidence(answer);
      announce(parts[0] || firstSentence(parts[1]));
      history.push({ role: "user", content: question }, { role: "assistant", content: String(answer.answer || "") });
    }).catch(function (error) {
      waiting.remove();
      announce(""); // the error itself is a role="alert"
      show(el("div", { class: "msg err", role: "alert", text: error && error.detail ? error.detail : T.network }));
    }).then(function () {
      clearTimeout(timer);
      busy = false;
      send.disabled = false;
      input.focus();
    });
  }

  function setOpen(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!log.firstChild) show(el("div", { class: "msg bot", text: T.hello }));
      input.focus();
    } else {
      fab.focus();
    }
  }

  fab.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  reset.addEventListener("click", function () {
    history = [];
    log.textContent = "";
    show(el("div", { class: "msg bot", text: T.hello }));
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false); }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(event); }
  });
  function submit(event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  }
  form.addEventListener("submit", submit);

  function mount() { document.body.appendChild(host); }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
