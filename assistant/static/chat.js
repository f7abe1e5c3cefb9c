() => {
  // The Gradio chat's behaviour (assistant/web/ui.py runs it once, when the page loads, its settings
  // written in below): where a new answer lands, what screen readers announce, [n] markers that
  // go to their source, a copy that gives plain text, and Gradio's English connection message in French.
  const settings = OC_SETTINGS;
  const chat = document.getElementById("oc-chat");
  const announcer = document.getElementById("oc-announcer");
  if (!chat || !announcer) return;
  const wide = window.matchMedia(`(min-width: ${settings.narrow + 1}px)`);
  let answers = 0;
  let pending = null;

  // The answer's first sentence, for an answer without a lead.
  const firstSentence = (text) => {
    const line = String(text || "").trim().split("\n")[0];
    const found = /^[\s\S]*?[.!?…](?:\s*[»”")])*(?:\s*\[\d+\])*(?=\s|$)/.exec(line);
    return found ? found[0] : line;
  };
  // Emptied, then filled a moment later: a screen reader announces the same text again too.
  let timer = null;
  const announce = (text) => {
    clearTimeout(timer);
    announcer.textContent = "";
    timer = setTimeout(() => { announcer.textContent = text; }, 50);
  };

  // Scrolls the chat's log so that `node` starts `gap` px below its top.
  const scrollLogTo = (node, gap) => {
    const log = node.closest(".bubble-wrap");
    if (log) log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - gap;
  };

  // Gradio's own autoscroll goes to the bottom of the new message, which is its last source: the
  // question goes to the top instead, its answer below it, the lead in view.
  const land = (answer) => {
    const row = answer.closest(".message-row") || answer;
    let question = row.previousElementSibling;
    while (question && !question.matches(".message-row.user-row")) question = question.previousElementSibling;
    const lead = answer.querySelector(".oc-lead") || answer;
    const log = answer.closest(".bubble-wrap");
    scrollLogTo(question || row, 8);
    if (log && lead.getBoundingClientRect().bottom > log.getBoundingClientRect().bottom) scrollLogTo(row, 8);
    const top = lead.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 48) window.scrollBy(0, top - 16);
  };

  // A [n] marker: its source unfolded, scrolled to the top of the log and focused (outlined).
  chat.addEventListener("click", (event) => {
    const marker = event.target.closest("a.oc-ref");
    if (!marker) return;
    const source = document.getElementById(marker.getAttribute("href").slice(1));
    if (!source) return;
    event.preventDefault();
    const sources = source.closest("details");
    if (sources) sources.open = true;
    scrollLogTo(source, 8);
    source.focus({ preventScroll: true });
  });

  // Gradio copies a message's value, which is our HTML: the clipboard gets its text instead.
  const blocks = new Set(["P", "DIV", "BLOCKQUOTE", "DETAILS", "SUMMARY", "LI"]);
  const plainText = (value) => {
    if (!/<[a-z][^>]*>|&[#a-z0-9]+;/i.test(value)) return value;
    const body = new DOMParser().parseFromString(value, "text/html").body;
    let out = "";
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) { out += node.nodeValue; return; }
      if (node.nodeName === "BR") { out += "\n"; return; }
      const block = blocks.has(node.nodeName);
      if (block) out += "\n";
      node.childNodes.forEach(walk);
      if (node.nodeName === "A" && /^https?:/.test(node.getAttribute("href") || "")) out += ` (${node.href})`;
      if (block) out += "\n";
    };
    walk(body);
    return out.replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(plainText(String(text)));
  }
  // Without the Clipboard API (a page served over plain HTTP), Gradio copies from a hidden textarea.
  document.addEventListener("copy", (event) => {
    const field = document.activeElement;
    if (!(field instanceof HTMLTextAreaElement) || field.closest("#oc-question")) return;
    event.clipboardData.setData("text/plain", plainText(field.value));
    event.preventDefault();
  });

  // Gradio writes some of its texts in English whatever its language: its toasts' titles, its
  // connection message, the names of its close, scroll and feedback buttons.
  const translate = () => {
    document.querySelectorAll("[data-testid=toast-body]").forEach((toast) => {
      const walker = document.createTreeWalker(toast, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const french = settings.gradio_texts[node.nodeValue.trim()];
        if (french) node.nodeValue = french;
      }
    });
    document.querySelectorAll("[data-testid=toast-body] button, #oc-chat button").forEach((button) => {
      for (const name of ["aria-label", "title"]) {
        const french = settings.gradio_texts[button.getAttribute(name)];
        if (french) button.setAttribute(name, french);
      }
    });
  };
  new MutationObserver(translate).observe(document.body, { childList: true, subtree: true, characterData: true });

  const tidy = () => {
    // Gradio's example list holds buttons, not list items (axe: aria-required-children), and its
    // log would read the whole message, sources included: the announcer reads the lead instead.
    chat.querySelectorAll(".examples[role=list]").forEach((node) => node.removeAttribute("role"));
    chat.querySelectorAll(".bubble-wrap[aria-live=polite]").forEach((node) => node.setAttribute("aria-live", "off"));
    // Gradio labels each message "user's message: <its HTML>": in French, and without the markup.
    chat.querySelectorAll("[data-testid=user][aria-label], [data-testid=bot][aria-label]").forEach((node) => {
      const label = settings.labels[node.dataset.testid];
      if (node.getAttribute("aria-label") !== label) node.setAttribute("aria-label", label);
    });
    chat.querySelectorAll("details.oc-sources:not([data-oc-seen])").forEach((node) => {
      node.setAttribute("data-oc-seen", "");
      node.open = wide.matches;
    });
    const waiting = chat.querySelector(".oc-pending");
    if (waiting && waiting !== pending) {
      pending = waiting;
      const log = waiting.closest(".bubble-wrap");
      if (log) log.scrollTop = log.scrollHeight;
      announce(waiting.textContent);
    }
    const all = chat.querySelectorAll(".oc-answer");
    if (all.length > answers) {
      const answer = all[all.length - 1];
      const lead = answer.querySelector(".oc-lead");
      announce(lead ? lead.textContent : firstSentence(answer.querySelector(".oc-text")?.innerText));
      requestAnimationFrame(() => land(answer));
    }
    answers = all.length;
  };
  new MutationObserver(tidy).observe(chat, { childList: true, subtree: true });
  tidy();
  announcer.setAttribute("data-ready", "");
}
