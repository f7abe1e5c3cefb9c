/* Assistant Innovation Occitanie: chat widget. One tag on any page:
   <script src="https://HOST/widget.js" data-title="..." data-lang="fr" data-position="right" data-color="#b8202a"
           data-question-1="..." data-question-2="..." async></script>
   No framework, no build step. Everything received from the server is shown with textContent.
   The conversation is kept for the browser tab (sessionStorage of the host's origin), so it follows the
   visitor from page to page of the host site until "Nouvelle conversation"; a floating card on a
   desktop, the whole screen on a phone.
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

  var ORIGIN = new URL(script.src, location.href).origin;
  var API = ORIGIN + "/api/ask", FEEDBACK = ORIGIN + "/api/feedback", CHAT = ORIGIN + "/";
  var KEY = "occitanie-assistant " + ORIGIN; // this tab's conversation, in the host page's sessionStorage
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "fr";
  var left = script.getAttribute("data-position") === "left";
  var color = /^#[0-9a-f]{3,8}$/i.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#b8202a";
  var MAX_HISTORY = 20; // messages sent back for follow-ups (the server accepts up to 40 by default)
  var MAX_KEPT = 40; // messages kept for the tab (each answer with its sources: a few KB)
  var PHONE = "(max-width:480px),(max-height:560px)"; // the panel takes the whole screen
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
      copy: "Copier", copyLabel: "Copier la réponse et ses sources", copied: "Copié", uncopied: "Copie impossible",
      full: "Ouvrir le chat complet", examples: "Exemples de questions", colon: " :",
      // The chat's example questions (assistant/wording.py), programmes of the corpus; tests check they match.
      starters: ["Quel est le budget du dispositif Start-up Industrie de demain ?", "Le Pass Occitanie est-il encore ouvert ?",
        "Qui contacter pour un projet innovant ?"],
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
      copy: "Copy", copyLabel: "Copy the answer and its sources", copied: "Copied", uncopied: "Copy failed",
      full: "Open the full chat", examples: "Example questions", colon: ":",
      starters: ["What is the Occitanie AI plan?", "What is the budget of Start-up Industrie de demain?",
        "Who should I contact about an innovative project?"],
      months: "January February March April May June July August September October November December"
    }
  }[lang];
  var title = script.getAttribute("data-title") || T.title;
  // The region's starter questions (data-question-1 to -3); none given: the defaults; all empty: none.
  var given = [1, 2, 3].filter(function (n) { return script.hasAttribute("data-question-" + n); });
  var starters = !given.length ? T.starters : given.map(function (n) {
    return script.getAttribute("data-question-" + n).trim();
  }).filter(Boolean);

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
    ".icon{background:transparent;border:0;color:#fff;cursor:pointer;font-size:22px;line-height:1;padding:4px 10px;border-radius:6px}" +
    ".log{position:relative;flex:1;overflow-y:auto;overscroll-behavior:contain;padding:12px;background:#f6f7f9;display:flex;flex-direction:column;gap:10px}" +
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
    ".ex{display:flex;flex-direction:column;align-items:flex-start;gap:6px;margin-top:8px;white-space:normal}" +
    ".ex button,.rate button{background:#fff;border:1px solid #9ca3af;border-radius:6px;padding:2px 8px;cursor:pointer;font-size:14px;text-align:left;min-height:30px}" +
    ".ex button{border-color:" + color + ";border-radius:14px;padding:4px 12px}" +
    ".rate,.th{display:flex;gap:6px;align-items:center;margin-top:8px;white-space:normal}.th{margin:0}" +
    ".rate button:disabled{opacity:.5;cursor:wait}.rate p{margin:0;font-size:13px;color:#374151}" +
    ".foot{display:flex;justify-content:space-between;gap:8px;padding:0 8px;background:#fff}" +
    ".foot button,.foot a{display:flex;align-items:center;background:none;border:0;padding:4px;cursor:pointer;font-size:13px;color:" + color + ";text-decoration:underline}" +
    ".note{font-size:11px;color:#4b5563;padding:0 12px 8px;background:#fff}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
    "button:focus-visible,textarea:focus-visible,a:focus-visible,summary:focus-visible{outline:3px solid #2563eb;outline-offset:2px}" +
    ".log:focus-visible{outline:3px solid #2563eb;outline-offset:-3px}" +
    // A phone (or a short window): the whole screen, 44 px targets, 16 px text (no zoom on focus).
    "@media " + PHONE + "{.panel{inset:0;width:auto;height:auto;border-radius:0}" +
    ".open .fab{display:none}.icon{min-width:44px;min-height:44px}.foot button,.foot a,.ex button,.rate button{min-height:44px;min-width:44px}.w textarea{font-size:16px}}";

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
  var close = el("button", { class: "icon", type: "button", "aria-label": T.close, title: T.close, text: "×" });
  // The log scrolls, so it takes the keyboard focus (arrows scroll it). It is not live itself: it would
  // read a whole answer with its sources; `live` announces the lead instead.
  var log = el("div", { class: "log", role: "log", "aria-live": "off", "aria-label": T.log, tabindex: "0" });
  var live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
  var input = el("textarea", { "aria-label": T.input, placeholder: T.placeholder, maxlength: "1000", rows: "1" });
  var send = el("button", { class: "send", type: "submit", text: T.send });
  var form = el("form", {}, [input, send]);
  var reset = el("button", { type: "button", text: T.reset });
  var full = el("a", { href: CHAT, target: "_blank", rel: "noopener", text: T.full });
  var panel = el("div", { class: "panel", id: "oc-panel", role: "dialog", "aria-labelledby": "oc-title", hidden: "" },
    [el("div", { class: "head" }, [heading, close]), log, form, el("div", { class: "foot" }, [reset, full]),
      el("div", { class: "note", text: T.note }), live]);
  // A constructed stylesheet: a host page whose CSP forbids inline styles (style-src 'self') cannot
  // block it, as it would a <style> element. Browsers without one (before Safari 16.4) get the <style>.
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (error) {
    root.appendChild(el("style", { text: CSS }));
  }
  var frame = root.appendChild(el("div", { class: "w", lang: lang }, [fab, panel]));

  var busy = false;
  var turn = 0; // a new conversation started while an answer was on its way drops that answer

  // The tab's conversation: [{role, content, answer?, rated?}], and whether the panel was open. The host
  // page can read and write it (its own storage); it is read as untrusted and rendered as text.
  var kept = { messages: [], open: false };
  try {
    var stored = JSON.parse(sessionStorage.getItem(KEY));
    if (stored && Array.isArray(stored.messages)) {
      kept.open = stored.open === true;
      kept.messages = stored.messages.filter(function (m) {
        return m && typeof m.content === "string" && (m.role === "user" || (m.role === "assistant" && m.answer && typeof m.answer === "object"));
      });
    }
  } catch (error) { /* storage off or unreadable: a conversation for this page only */ }

  function save() {
    kept.messages = kept.messages.slice(-MAX_KEPT);
    try { sessionStorage.setItem(KEY, JSON.stringify(kept)); } catch (error) {
      try { sessionStorage.removeItem(KEY); } catch (ignored) { /* no storage */ }
    }
  }

  function humanDate(iso) {
    var m = /^(\d{4})-(\d{2})/.exec(iso || "");
    if (!iso) return T.undated;
    return m && +m[2] >= 1 && +m[2] <= 12 ? T.months.split(" ")[+m[2] - 1] + " " + m[1] : iso;
  }

  function show(node) { log.appendChild(node); log.scrollTop = log.scrollHeight; return node; }

  // A new answer lands with its first line (the lead) at the top of the log, not its last source.
  var last = null;
  function landOnLast() { if (last) log.scrollTop = last.offsetTop - 12; }
  function showAnswer(node) { log.appendChild(node); last = node; landOnLast(); return node; }

  // The greeting, with the starter questions to click.
  function greet() {
    var box = show(el("div", { class: "msg bot", text: T.hello }));
    if (!starters.length) return;
    var list = box.appendChild(el("div", { class: "ex", role: "group", "aria-label": T.examples }));
    starters.forEach(function (question) {
      var button = list.appendChild(el("button", { type: "button", text: question }));
      button.addEventListener("click", function () { if (!busy) ask(question); });
    });
  }

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

  function citationsOf(answer) {
    return (Array.isArray(answer.citations) ? answer.citations : []).filter(function (c) { return c && typeof c === "object"; });
  }

  // What "Copier" puts on the clipboard: the answer as plain text, then its sources one a line.
  function plainText(answer) {
    var lines = [String(answer.answer || "").trim()];
    var citations = citationsOf(answer);
    if (citations.length) lines.push("", T.sources + T.colon);
    citations.forEach(function (c) {
      var url = /^https?:\/\//i.test(c.url || "") ? c.url : "";
      lines.push("[" + c.n + "] " + [c.title, c.section, humanDate(c.date), url].filter(Boolean).join(" — "));
    });
    return lines.join("\n");
  }

  // The Clipboard API where the page allows it (https, focus), else the older copy command.
  function copyText(text) {
    function command() {
      var area = root.appendChild(el("textarea", { class: "sr", readonly: "", "aria-hidden": "true" }));
      area.value = text;
      area.select();
      var done = document.execCommand("copy");
      area.remove();
      if (!done) throw new Error("copy");
    }
    return navigator.clipboard && navigator.clipboard.writeText ? navigator.clipboard.writeText(text).catch(command) : Promise.resolve().then(command);
  }

  function renderAnswer(answer, message) {
    var parts = leadAndEvidence(answer);
    var box = el("div", { class: "msg bot" }, [
      parts[0] ? el("p", { class: "lead", text: parts[0] }) : null,
      parts[1] ? document.createTextNode(parts[1]) : null
    ]);
    var citations = citationsOf(answer);
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
    box.appendChild(actions(answer, message));
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

  // Copy, then thumbs up / down, sent with the answer's log id so the region sees which logged question they
  // rate; once rated, the thanks (kept with the conversation) stand in for the thumbs.
  function actions(answer, message) {
    var row = el("div", { class: "rate" });
    var copy = row.appendChild(el("button", { type: "button", "aria-label": T.copyLabel, title: T.copyLabel, text: T.copy }));
    copy.addEventListener("click", function () {
      copyText(plainText(answer)).then(function () { return T.copied; }, function () { return T.uncopied; }).then(function (said) {
        copy.textContent = said;
        announce(said);
        setTimeout(function () { copy.textContent = T.copy; }, 2500);
      });
    });
    var thumbs = row.appendChild(el("span", { class: "th" }));
    if (message && typeof message.rated === "string") thumbs.appendChild(el("p", { text: message.rated }));
    else [["up", "\uD83D\uDC4D", T.up], ["down", "\uD83D\uDC4E", T.down]].forEach(function (choice) {
      var button = el("button", { type: "button", "aria-label": choice[2], title: choice[2], text: choice[1] });
      button.addEventListener("click", function () { rate(answer, choice[0], thumbs, message); });
      thumbs.appendChild(button);
    });
    return row;
  }

  function rate(answer, value, row, message) {
    var buttons = row.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    post(FEEDBACK, {
      rating: value, question: String(answer.question || ""), answer: String(answer.answer || ""),
      citations: citationsOf(answer), answerer: answer.answerer || null,
      question_id: typeof answer.id === "number" ? answer.id : null
    }).then(function (body) {
      row.textContent = "";
      var thanks = row.appendChild(el("p", { role: "status", text: typeof body.detail === "string" ? body.detail : T.thanks }));
      if (message) { message.rated = thanks.textContent; save(); }
    }).catch(function (error) {
      buttons.forEach(function (button) { button.disabled = false; });
      announce(error && error.detail ? error.detail : T.network);
    });
  }

  function userMessage(text) { return el("div", { class: "msg user", text: text }); }

  function ask(question) {
    busy = true;
    send.disabled = true;
    var mine = turn;
    show(userMessage(question));
    var waiting = show(el("div", { class: "msg bot wait", text: T.wait }));
    announce(T.wait);
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 90000);
    var history = kept.messages.slice(-MAX_HISTORY).map(function (m) { return { role: m.role, content: m.content }; });
    post(API, { question: question, history: history }, controller && controller.signal).then(function (answer) {
      if (mine !== turn) return;
      waiting.remove();
      var message = { role: "assistant", content: String(answer.answer || ""), answer: answer };
      kept.messages.push({ role: "user", content: question }, message);
      save();
      showAnswer(renderAnswer(answer, message));
      var parts = leadAndEvidence(answer);
      announce(parts[0] || firstSentence(parts[1]));
    }).catch(function (error) {
      if (mine !== turn) return;
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

  // The greeting, then the tab's conversation as it was left on the previous page.
  function fill() {
    log.textContent = "";
    last = null;
    greet();
    kept.messages.forEach(function (m) {
      if (m.role === "user") show(userMessage(m.content));
      else showAnswer(renderAnswer(m.answer, m));
    });
  }

  // `quietly`: reopened on a new page, without taking the focus from the host page.
  function setOpen(open, quietly) {
    var first = !log.firstChild;
    panel.hidden = !open;
    frame.className = open ? "w open" : "w";
    fab.setAttribute("aria-expanded", String(open));
    if (kept.open !== open) { kept.open = open; save(); }
    if (open) {
      if (first) fill();
      if (!quietly) input.focus();
    } else {
      fab.focus();
    }
  }

  fab.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  reset.addEventListener("click", function () {
    turn++;
    kept.messages = [];
    save();
    fill();
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

  // Left open on the previous page: open again, unless it would cover the whole of the new page.
  function mount() {
    document.body.appendChild(host);
    if (kept.open && !(window.matchMedia && matchMedia(PHONE).matches)) setOpen(true, true);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
