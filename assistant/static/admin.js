// The region's console (assistant/web/admin.py). Everything that comes from a document or a user is
// put in the page as text (textContent), never as HTML. Changes send the session's CSRF token.
"use strict";

(() => {
  const API = "/admin/api";
  let csrf = null;
  const $ = (id) => document.getElementById(id);

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  const path = (source) => source.split("/").map(encodeURIComponent).join("/");
  const cell = (row, text, className) => row.appendChild(el("td", text ?? "—", className));
  // The corpus's front-matter values (kind, status) as the page shows them, sent with the documents
  // (assistant/wording.py); others are shown as they are.
  let labels = {};
  const labelled = (value) => labels[value] ?? value;
  const frDate = (iso) => {
    if (!iso) return "—";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
  };
  const notice = (text, error = false) => {
    const node = $("notice");
    node.textContent = text || "";
    node.className = error ? "notice error" : "notice";
  };

  class Refused extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  async function call(path, options = {}) {
    // The console is in French: so are the server's messages, whatever the browser's language.
    const headers = Object.assign({ Accept: "application/json", "Accept-Language": "fr" }, options.headers || {});
    const method = options.method || "GET";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(API + path, { ...options, method, headers, credentials: "same-origin" });
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (response.status === 401 && path !== "/login" && path !== "/session") showLogin();
    if (!response.ok) throw new Refused(response.status, body?.detail || `Erreur ${response.status}`);
    return body;
  }
  const json = (method, value) => ({ method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(value) });

  // --- session ----------------------------------------------------------------------------------

  function showLogin() {
    csrf = null;
    $("console-view").hidden = true;
    $("logout").hidden = true;
    $("login-view").hidden = false;
    $("token").focus();
  }

  function showConsole() {
    $("login-view").hidden = true;
    $("console-view").hidden = false;
    $("logout").hidden = false;
    select("documents");
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      csrf = (await call("/login", json("POST", { token: $("token").value }))).csrf;
      $("token").value = "";
      showConsole();
    } catch (error) {
      $("login-error").textContent = error.message;
    }
  });

  $("logout").addEventListener("click", async () => {
    try { await call("/logout", { method: "POST" }); } finally { showLogin(); notice(""); }
  });

  // --- tabs -------------------------------------------------------------------------------------

  const loaders = {};
  const tabs = [...document.querySelectorAll("[role=tab]")];
  function select(name) {
    tabs.forEach((tab) => {
      const on = tab.getAttribute("aria-controls") === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !on;
    });
    notice("");
    loaders[name]?.().catch((error) => notice(error.message, true));
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab.getAttribute("aria-controls")));
    tab.addEventListener("keydown", (event) => {  // arrow keys move between tabs (WAI-ARIA tabs pattern)
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      select(next.getAttribute("aria-controls"));
      next.focus();
    });
  });

  // --- documents --------------------------------------------------------------------------------

  const CHANGES = { indexed: ["indexé", "good"], new: ["à indexer", "warn"], changed: ["modifié, à réindexer", "warn"],
    removed: ["supprimé, à réindexer", "bad"] };

  // "Ce que l'assistant a compris": a document's programme profiles, text only, each field with its source sentence.
  const ROLES = { total: "enveloppe", part: "part", ceiling: "plafond", minimum: "minimum", rate: "taux", amount: "montant" };
  const DIMENSIONS = { age: "âge", staff: "effectif", turnover: "chiffre d'affaires", budget: "budget du projet",
    legal_form: "exclusion", partner: "partenaires", place: "implantation", other: "condition" };
  const profileDetails = (profiles) => {
    if (!profiles.length) return null;
    const details = el("details", null, "profile");
    details.appendChild(el("summary", "Ce que l'assistant a compris"));
    for (const profile of profiles) {
      details.appendChild(el("h4", profile.aliases.length ? `${profile.name} (${profile.aliases.join(", ")})` : profile.name));
      const list = details.appendChild(el("ul"));
      const item = (label, text, fact) => {
        const li = list.appendChild(el("li"));
        li.appendChild(el("strong", `${label} : `));
        li.appendChild(document.createTextNode(text));
        if (fact) li.title = `« ${fact.text} » (${fact.source}${fact.date ? ", " + fact.date : ""})`;
      };
      item("statut", labelled(profile.status));
      if (profile.definition) item("définition", profile.definition.text, profile.definition);
      for (const amount of profile.amounts) item(ROLES[amount.role] || amount.role, amount.text, amount.fact);
      for (const criterion of profile.criteria) {
        const condition = criterion.condition ? ` — si : ${criterion.condition.text}` : "";
        item(DIMENSIONS[criterion.dimension] || criterion.dimension, criterion.figure || criterion.phrase, criterion.fact);
        if (condition) list.lastChild.appendChild(document.createTextNode(condition));
      }
      if (profile.contact) item("contact", profile.contact.text, profile.contact);
    }
    return details;
  };

  loaders.documents = async () => {
    const data = await call("/documents");
    labels = data.labels;
    const index = data.index;
    $("index-summary").textContent = `${index.documents} documents, ${index.chunks} passages indexés (modèle ${index.model}).`;
    $("accepted").textContent = data.accepted.join(", ");
    $("max-size").textContent = `${Math.round(data.max_upload_bytes / 1e6)} Mo`;
    const folder = $("upload-folder");
    const chosen = folder.value;
    folder.replaceChildren(...data.folders.map((name) => {
      const option = el("option", name || "(racine du corpus)");
      option.value = name;
      return option;
    }));
    if (chosen !== "" && data.folders.includes(chosen)) folder.value = chosen;
    const body = $("documents-table").tBodies[0];
    body.replaceChildren();
    const sources = $("source-filter");
    const keep = sources.value;
    sources.replaceChildren(el("option", "toutes"));
    sources.firstChild.value = "";
    for (const doc of data.documents) {
      const row = body.insertRow();
      row.dataset.source = doc.source;
      const title = cell(row, doc.title, "text");
      const understood = profileDetails(data.profiles?.[doc.source] || []);
      if (understood) title.appendChild(understood);
      cell(row, doc.source);
      cell(row, labelled(doc.kind));
      cell(row, doc.date);
      cell(row, doc.as_of);
      cell(row, labelled(doc.status));
      cell(row, doc.chunks);
      cell(row, frDate(doc.indexed_at));
      const [label, tone] = CHANGES[doc.change] || [doc.change, ""];
      const state = row.appendChild(el("td"));
      state.appendChild(el("span", label, `tag ${tone}`));
      if (doc.orders.length) state.appendChild(el("span", ignoredOrders(doc.orders.length), "tag warn"));
      const actions = row.appendChild(el("td"));
      if (doc.change !== "removed") {
        const replace = actions.appendChild(el("button", "Remplacer", "secondary small"));
        replace.type = "button";
        replace.setAttribute("aria-label", `Remplacer ${doc.source}`);
        replace.addEventListener("click", () => replaceDocument(doc.source));
        const remove = actions.appendChild(el("button", "Supprimer", "secondary small"));
        remove.type = "button";
        remove.setAttribute("aria-label", `Supprimer ${doc.source}`);
        remove.addEventListener("click", () => removeDocument(doc.source));
      }
      if (doc.chunks) {
        const option = sources.appendChild(el("option", doc.title));
        option.value = doc.source;
      }
    }
    sources.value = keep;
    const faults = $("skipped-list");
    faults.replaceChildren(...(data.faults.length
      ? data.faults.map((f) => el("li", `${f.source} : ${f.skipped ? "ignoré" : "indexé, avec une réserve"} (${f.reason})`))
      : [el("li", "Aucun.", "muted")]));
    const ordered = data.documents.filter((doc) => doc.orders.length);
    $("orders-list").replaceChildren(...(ordered.length
      ? ordered.map((doc) => {
        const item = el("li", `${doc.source} : ${ignoredOrders(doc.orders.length)}`);
        const quotes = item.appendChild(el("ul"));
        for (const sentence of doc.orders) quotes.appendChild(el("li", `« ${sentence} »`, "text"));
        return item;
      })
      : [el("li", "Aucune.", "muted")]));
    showReindex(data.reindex);
  };

  function ignoredOrders(count) {
    return count > 1 ? `${count} consignes ignorées` : "1 consigne ignorée";
  }

  async function send(method, path, form) {
    return call(path, { method, body: form });
  }

  $("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await send("POST", "/documents", new FormData(event.target));
      event.target.reset();
      await loaders.documents();
      notice(`« ${result.source} » ajouté. Réindexez pour que l'assistant le cite.`);
    } catch (error) {
      notice(error.message, true);
    }
  });

  function replaceDocument(source) {
    const input = el("input");
    input.type = "file";
    input.addEventListener("change", async () => {
      if (!input.files.length) return;
      const form = new FormData();
      form.append("file", input.files[0]);
      try {
        await send("PUT", `/documents/${path(source)}`, form);
        await loaders.documents();
        notice(`« ${source} » remplacé. Réindexez pour que l'assistant en tienne compte.`);
      } catch (error) {
        notice(error.message, true);
      }
    });
    input.click();
  }

  async function removeDocument(source) {
    if (!window.confirm(`Supprimer « ${source} » du corpus ?`)) return;
    try {
      await call(`/documents/${path(source)}`, { method: "DELETE" });
      await loaders.documents();
      notice(`« ${source} » supprimé du corpus. Réindexez pour qu'il ne soit plus cité.`);
    } catch (error) {
      notice(error.message, true);
    }
  }

  const STAGES = { copying: "reprise des vecteurs existants", embedding: "calcul des vecteurs des nouveaux passages",
    lexical: "index lexical", swapping: "bascule sur le nouvel index" };
  let polling = null;

  function showReindex(status) {
    const bar = $("reindex-progress");
    const text = $("reindex-status");
    const running = status.state === "running";
    $("reindex").disabled = running;
    bar.hidden = status.state === "idle";
    bar.value = status.percent;
    bar.setAttribute("aria-valuetext", `${status.percent} %`);
    if (running) text.textContent = `Réindexation en cours : ${status.percent} % (${STAGES[status.stage] || status.stage})…`;
    else if (status.state === "done") text.textContent = `Réindexation terminée : ${status.documents} documents, ${status.chunks} passages. L'assistant répond avec le nouvel index.`;
    else if (status.state === "failed") text.textContent = `La réindexation a échoué ; l'ancien index continue de répondre. Raison : ${status.error}`;
    else text.textContent = "";
    text.className = status.state === "failed" ? "error" : "";
    if (running && !polling) polling = setTimeout(pollReindex, 400);
  }

  async function pollReindex() {
    polling = null;
    try {
      const status = await call("/reindex");
      showReindex(status);
      if (status.state !== "running") {
        notice("");
        await loaders.documents();
      }
    } catch (error) {
      notice(error.message, true);
    }
  }

  $("reindex").addEventListener("click", async () => {
    try {
      showReindex(await call("/reindex", { method: "POST" }));
    } catch (error) {
      notice(error.message, true);
    }
  });

  // --- questions --------------------------------------------------------------------------------

  let shown = 0;
  let oldestShown = null;  // the next page is the questions logged before it (paged by key: as fast at the end)
  function questionQuery(before) {
    const form = new FormData($("questions-filters"));
    const query = new URLSearchParams({ limit: "100" });
    if (before !== null) query.set("before", String(before));
    for (const name of ["abstained", "since", "until", "source"]) if (form.get(name)) query.set(name, form.get(name));
    if (form.get("down")) query.set("rating", "down");
    return query;
  }

  async function loadQuestions(more = false) {
    const offset = more ? shown : 0;
    const data = await call(`/questions?${questionQuery(more ? oldestShown : null)}`);
    const body = $("questions-table").tBodies[0];
    if (!more) body.replaceChildren();
    for (const q of data.questions) {
      const row = body.insertRow();
      cell(row, frDate(q.asked_at));
      cell(row, q.question, "text");
      cell(row, q.language);
      cell(row, q.abstained ? "oui" : "non");
      cell(row, q.lead, "text");
      cell(row, (q.sources || []).join(", "), "text");
      cell(row, q.latency_ms === null || q.latency_ms === undefined ? null : `${Math.round(q.latency_ms)} ms`);
      cell(row, q.rating === "down" ? `👎 ${q.reason || ""}`.trim() : q.rating === "up" ? "👍" : null);
    }
    shown = offset + data.questions.length;
    if (data.questions.length) oldestShown = data.questions[data.questions.length - 1].id;
    $("questions-count").textContent = `${data.total} question${data.total > 1 ? "s" : ""}${data.total > shown ? ` (${shown} affichées)` : ""}.`;
    $("questions-more").hidden = shown >= data.total;
  }
  loaders.questions = () => loadQuestions(false);
  $("questions-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadQuestions(false).catch((error) => notice(error.message, true));
  });
  $("questions-more").addEventListener("click", () => loadQuestions(true).catch((error) => notice(error.message, true)));

  // --- what the corpus is missing ---------------------------------------------------------------

  loaders.gaps = async () => {
    const data = await call("/gaps");
    const groups = $("gap-groups");
    groups.replaceChildren();
    if (!data.groups.length) groups.appendChild(el("li", "Aucune question sans réponse ni avis négatif pour l'instant.", "muted"));
    for (const group of data.groups) {
      const item = groups.appendChild(el("li"));
      const parts = [`${group.count} question${group.count > 1 ? "s" : ""}`];
      if (group.abstained) parts.push(`${group.abstained} sans réponse`);
      if (group.disliked) parts.push(`${group.disliked} avis négatif${group.disliked > 1 ? "s" : ""}`);
      item.appendChild(el("strong", parts.join(" · ")));
      if (group.last_asked) item.appendChild(el("span", ` — dernière le ${frDate(group.last_asked)}`, "muted"));
      for (const example of group.examples) item.appendChild(el("blockquote", example));
    }
    $("most-cited").replaceChildren(...(data.most_cited.length
      ? data.most_cited.map((d) => el("li", `${d.title} (${d.source}) : ${d.count} réponse${d.count > 1 ? "s" : ""}`))
      : [el("li", "Aucune réponse citée pour l'instant.", "muted")]));
    $("never-cited").replaceChildren(...(data.never_cited.length
      ? data.never_cited.map((d) => el("li", `${d.title} (${d.source})`)) : [el("li", "Aucun.", "muted")]));
  };

  // --- evaluations ------------------------------------------------------------------------------

  const VERDICTS = { correct: ["correcte", "good"], wrong: ["fausse ou incomplète", "bad"],
    false_abstention: ["abstention à tort", "warn"], missed_abstention: ["aurait dû s'abstenir", "bad"] };
  const STATUS = { running: "en cours", done: "terminée", failed: "échouée", cancelled: "arrêtée",
    interrupted: "interrompue : le serveur s'est arrêté pendant l'évaluation, relancez-la" };
  const percent = (value) => (typeof value === "number" ? `${Math.round(value * 100)} %` : "—");
  let evalPolling = null;

  loaders.evals = async () => {
    const data = await call("/evals");
    const body = $("eval-runs").tBodies[0];
    body.replaceChildren();
    for (const run of data.runs) {
      const row = body.insertRow();
      cell(row, frDate(run.started_at));
      cell(row, run.set_name);
      cell(row, run.status === "failed" ? `échouée : ${run.error || ""}` : STATUS[run.status] || run.status);
      const summary = run.summary || {};
      cell(row, summary.questions);
      cell(row, percent(summary.accuracy));
      cell(row, summary.verdicts ? `${summary.verdicts.correct} / ${summary.questions}` : null);
      const open = row.appendChild(el("td")).appendChild(el("button", "Voir les verdicts", "secondary small"));
      open.type = "button";
      open.disabled = run.status !== "done";
      open.addEventListener("click", () => showRun(run.id).catch((error) => notice(error.message, true)));
    }
    const running = data.running;
    const bar = $("eval-progress");
    bar.hidden = !running;
    $("eval-form").querySelectorAll("button").forEach((button) => { button.disabled = Boolean(running); });
    $("eval-cancel").hidden = !running;
    $("eval-cancel").disabled = !running;
    if (running) {
      bar.value = running.total ? Math.round((100 * running.done) / running.total) : 0;
      $("eval-status").textContent = `Évaluation en cours : ${running.done} / ${running.total} questions…`;
      if (!evalPolling) evalPolling = setTimeout(() => { evalPolling = null; loaders.evals().catch((e) => notice(e.message, true)); }, 700);
    } else if ($("eval-status").dataset.waiting) {
      delete $("eval-status").dataset.waiting;
      $("eval-status").textContent = data.runs[0]?.status === "cancelled" ? "Évaluation arrêtée." : "Évaluation terminée.";
      if (data.runs.length && data.runs[0].status === "done") await showRun(data.runs[0].id);
    }
  };

  async function showRun(id) {
    const run = await call(`/evals/${id}`);
    $("eval-detail").hidden = false;
    $("eval-detail-title").textContent = `Évaluation du ${frDate(run.started_at)} — ${run.set_name}`;
    const s = run.summary || {};
    const counts = Object.entries(s.verdicts || {}).map(([key, n]) => `${n} ${VERDICTS[key]?.[0] || key}`);
    $("eval-summary").textContent = `${s.questions} questions : exactitude ${percent(s.accuracy)}, `
      + `rappel des sources@5 ${percent(s["recall@5"])}. ${counts.join(", ")}.`;
    const body = $("eval-results").tBodies[0];
    body.replaceChildren();
    for (const result of run.results || []) {
      const row = body.insertRow();
      cell(row, result.question, "text");
      cell(row, result.category);
      const [label, tone] = VERDICTS[result.verdict] || [result.verdict, ""];
      row.appendChild(el("td")).appendChild(el("span", label, `tag ${tone}`));
      cell(row, result.lead || result.answer, "text");
      cell(row, (result.expected_sources || []).join(", "), "text");
      cell(row, (result.ranked_sources || []).join(", "), "text");
    }
  }

  async function startEval(form) {
    try {
      const started = await call("/evals", { method: "POST", body: form });
      $("eval-status").dataset.waiting = "1";
      $("eval-status").textContent = `Évaluation lancée : ${started.questions} questions.`;
      await loaders.evals();
    } catch (error) {
      notice(error.message, true);
    }
  }
  $("eval-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("eval-file").files.length) { notice("Choisissez un fichier CSV, ou utilisez le jeu fourni.", true); return; }
    startEval(new FormData(event.target));
  });
  $("eval-shipped").addEventListener("click", () => startEval(new FormData()));
  $("eval-cancel").addEventListener("click", async () => {
    try {
      notice((await call("/evals/cancel", { method: "POST" })).detail);
      await loaders.evals();
    } catch (error) {
      notice(error.message, true);
    }
  });

  // --- start ------------------------------------------------------------------------------------

  call("/session").then((session) => { csrf = session.csrf; showConsole(); }).catch(showLogin);
})();
