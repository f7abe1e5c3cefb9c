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
  // One date format everywhere: 04/12/2026 14:05 for a moment (in the browser's time zone), 04/12/2026
  // (or 12/2026) for a document's day, written as the document says it, without a time-zone shift.
  const frDate = (iso) => {
    if (!iso) return "—";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString("fr-FR", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
  };
  const frDay = (iso) => {
    const parts = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(String(iso ?? "").trim());
    if (!parts) return iso || "—";
    return parts[3] ? `${parts[3]}/${parts[2]}/${parts[1]}` : `${parts[2]}/${parts[1]}`;
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
        if (fact) li.title = `« ${fact.text} » (${fact.source}${fact.date ? ", " + frDay(fact.date) : ""})`;
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
      cell(row, frDay(doc.date));
      cell(row, frDay(doc.as_of));
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
      const open = row.appendChild(el("td")).appendChild(el("button", "Ouvrir", "secondary small"));
      open.type = "button";
      open.setAttribute("aria-label", `Ouvrir la question du ${frDate(q.asked_at)}`);
      open.addEventListener("click", () => openQuestion(q.id).catch((error) => notice(error.message, true)));
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

  // One logged question, as it was answered then: the answer, its citations, how it was made.
  const score = (value) => (typeof value === "number" ? value.toFixed(2).replace(".", ",") : "—");
  let opened = null;

  async function openQuestion(id) {
    const q = await call(`/questions/${id}`);
    opened = q;
    $("question-dialog-title").textContent = `Question du ${frDate(q.asked_at)}`;
    $("question-asked").textContent = q.question;
    const facts = [`langue : ${q.language}`, q.abstained ? "sans réponse" : "avec réponse", `répondeur : ${q.answerer}`,
      `${Math.round(q.latency_ms)} ms`];
    if (q.rating) facts.push(q.rating === "down" ? `avis négatif${q.reason ? ` (${q.reason})` : ""}` : "avis positif");
    $("question-facts").textContent = facts.join(" · ");
    $("question-answer").textContent = q.answer ?? (q.lead
      ? `${q.lead} (seul l'en-tête de la réponse a été conservé : question enregistrée avant que la console garde les réponses)`
      : "Réponse non conservée : question enregistrée avant que la console garde les réponses.");
    const citations = $("question-citations");
    citations.replaceChildren();
    for (const c of q.citations || []) {
      const item = citations.appendChild(el("li"));
      item.appendChild(el("strong", c.title));
      const where = [c.section, c.date ? frDay(c.date) : null, c.source].filter(Boolean).join(" · ");
      item.appendChild(el("span", ` — ${where}`, "muted"));
      for (const quote of c.quotes?.length ? c.quotes : [c.text]) item.appendChild(el("blockquote", `« ${quote} »`));
    }
    if (!q.citations) for (const source of q.sources || []) citations.appendChild(el("li", source));
    if (!citations.children.length) citations.appendChild(el("li", "Aucune.", "muted"));
    const provenance = q.provenance;
    $("question-provenance").hidden = !provenance;
    if (provenance) {
      const decision = provenance.decision || {};
      const analysis = provenance.analysis || {};
      const asks = q.intents?.[analysis.intent];
      const read = [`recherché : « ${provenance.query} »`, `demande : ${asks ? `${asks} (${analysis.intent})` : analysis.intent || "—"}`];
      if (analysis.subject) read.push(`sujet : ${analysis.subject}`);
      if (provenance.context) read.push(`lu avec : « ${provenance.context} »`);
      read.push(`décision : ${decision.reason || "—"}`);
      if (typeof decision.evidence === "number") read.push(`preuve ${score(decision.evidence)} pour un seuil de ${score(decision.threshold)}`);
      $("question-decision").textContent = read.join(" · ");
      const body = $("question-passages").tBodies[0];
      body.replaceChildren();
      for (const passage of provenance.passages || []) {
        const row = body.insertRow();
        cell(row, passage.rank);
        cell(row, `${passage.title} (${passage.source})`, "text");
        cell(row, passage.section, "text");
        cell(row, score(passage.lexical));
        cell(row, score(passage.dense));
        cell(row, score(passage.fused));
        cell(row, passage.given ? "oui" : "non");
      }
      $("question-sentences").replaceChildren(...(decision.sentences || []).map((sentence) =>
        el("li", `${sentence.chosen ? "citée" : "écartée"} (${Math.round(sentence.probability * 100)} %) : « ${sentence.text} » — ${sentence.why}`, "text")));
    }
    $("review-form").reset();
    const review = q.review;
    $("review-status").textContent = review ? `Déjà signalée le ${frDate(review.created_at)} : elle est dans le jeu « réponses signalées ».` : "";
    $("question-dialog").showModal();
  }
  $("question-close").addEventListener("click", () => $("question-dialog").close());

  $("review-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { reference: form.get("reference") || "", facts: form.get("facts") || "", sources: form.get("sources") || "",
      must_abstain: Boolean(form.get("must_abstain")) };
    try {
      const added = await call(`/questions/${opened.id}/review`, json("POST", body));
      $("review-status").className = "";
      $("review-status").textContent = `Ajoutée au jeu « réponses signalées » (${added.reviews} question${added.reviews > 1 ? "s" : ""}).`;
    } catch (error) {
      $("review-status").className = "error";
      $("review-status").textContent = error.message;
    }
  });

  // --- what the corpus is missing ---------------------------------------------------------------

  function showGroups(list, groups, empty) {
    list.replaceChildren();
    if (!groups.length) list.appendChild(el("li", empty, "muted"));
    for (const group of groups) {
      const item = list.appendChild(el("li"));
      const parts = [`${group.count} question${group.count > 1 ? "s" : ""}`];
      if (group.abstained) parts.push(`${group.abstained} sans réponse`);
      if (group.disliked) parts.push(`${group.disliked} avis négatif${group.disliked > 1 ? "s" : ""}`);
      item.appendChild(el("strong", parts.join(" · ")));
      if (group.last_asked) item.appendChild(el("span", ` — dernière le ${frDate(group.last_asked)}`, "muted"));
      for (const example of group.examples) item.appendChild(el("blockquote", example));
      const dismiss = item.appendChild(el("button", "Écarter ce groupe", "secondary small"));
      dismiss.type = "button";
      dismiss.setAttribute("aria-label", `Écarter ce groupe : « ${group.examples[0]} »`);
      dismiss.addEventListener("click", async () => {
        try {
          await call("/gaps/dismiss", json("POST", { wordings: group.wordings }));
          await loaders.gaps();
          notice(`Groupe « ${group.examples[0]} » écarté : ses questions ne seront plus proposées.`);
        } catch (error) {
          notice(error.message, true);
        }
      });
    }
  }

  loaders.gaps = async () => {
    const data = await call("/gaps");
    showGroups($("gap-groups"), data.groups, "Aucune question sans réponse ni avis négatif pour l'instant.");
    showGroups($("out-of-scope"), data.out_of_scope, "Aucune.");
    const restore = $("gaps-restore");
    restore.hidden = !data.dismissed;
    restore.textContent = `Rétablir les groupes écartés (${data.dismissed} question${data.dismissed > 1 ? "s" : ""})`;
    const cited = (d) => {
      const refusals = d.refusals ? `, dont ${d.refusals} refus qui cite${d.refusals > 1 ? "nt" : ""} son contact` : "";
      return `${d.title} (${d.source}) : ${d.count} réponse${d.count > 1 ? "s" : ""}${refusals}`;
    };
    $("most-cited").replaceChildren(...(data.most_cited.length
      ? data.most_cited.map((d) => el("li", cited(d)))
      : [el("li", "Aucune réponse citée pour l'instant.", "muted")]));
    $("never-cited").replaceChildren(...(data.never_cited.length
      ? data.never_cited.map((d) => el("li", `${d.title} (${d.source})`)) : [el("li", "Aucun.", "muted")]));
  };

  $("gaps-restore").addEventListener("click", async () => {
    try {
      await call("/gaps/dismissed", { method: "DELETE" });
      await loaders.gaps();
      notice("Les groupes écartés sont de nouveau proposés.");
    } catch (error) {
      notice(error.message, true);
    }
  });

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
      notice("");  // an earlier error is over once a run has ended
      const last = data.runs[0] || {};
      $("eval-status").className = last.status === "failed" ? "error" : "";
      $("eval-status").textContent = last.status === "cancelled" ? "Évaluation arrêtée."
        : last.status === "failed" ? `L'évaluation a échoué : ${last.error || ""}` : "Évaluation terminée.";
      if (data.runs.length && data.runs[0].status === "done") await showRun(data.runs[0].id);
    }
  };

  const CHANGED = { fixed: ["corrigée", "good"], broken: ["cassée", "bad"] };
  let shownRun = null;

  async function showRun(id) {
    const run = await call(`/evals/${id}`);
    shownRun = run;
    $("eval-detail").hidden = false;
    $("eval-detail-title").textContent = `Évaluation du ${frDate(run.started_at)} — ${run.set_name}`;
    const s = run.summary || {};
    const counts = Object.entries(s.verdicts || {}).map(([key, n]) => `${n} ${VERDICTS[key]?.[0] || key}`);
    $("eval-summary").textContent = `${s.questions} questions : exactitude ${percent(s.accuracy)}, `
      + `rappel des sources@5 ${percent(s["recall@5"])}. ${counts.join(", ")}.`;
    const before = run.previous;
    $("eval-changes").textContent = before
      ? `Par rapport à l'évaluation du ${frDate(before.started_at)} : ${before.fixed} corrigée${before.fixed > 1 ? "s" : ""}, `
        + `${before.broken} cassée${before.broken > 1 ? "s" : ""}.`
      : "Première évaluation de ce jeu : rien à comparer.";
    const categories = [...new Set((run.results || []).map((r) => r.category))].sort();
    const category = $("eval-category");
    category.replaceChildren(el("option", "toutes"), ...categories.map((name) => el("option", name)));
    category.firstChild.value = "";
    $("eval-result").value = "";
    showResults();
  }

  // The verdicts come failures first (the server sorts them); the filters pick a category and a result.
  const RESULTS = { failed: (r) => r.verdict !== "correct", correct: (r) => r.verdict === "correct",
    fixed: (r) => r.change === "fixed", broken: (r) => r.change === "broken" };
  function showResults() {
    const all = shownRun?.results || [];
    const category = $("eval-category").value;
    const result = RESULTS[$("eval-result").value];
    const shown = all.filter((r) => (!category || r.category === category) && (!result || result(r)));
    const body = $("eval-results").tBodies[0];
    body.replaceChildren();
    for (const entry of shown) {
      const row = body.insertRow();
      cell(row, entry.question, "text");
      cell(row, entry.category);
      const [label, tone] = VERDICTS[entry.verdict] || [entry.verdict, ""];
      row.appendChild(el("td")).appendChild(el("span", label, `tag ${tone}`));
      cell(row, entry.lead || entry.answer, "text");
      cell(row, (entry.expected_sources || []).join(", "), "text");
      cell(row, (entry.ranked_sources || []).join(", "), "text");
      const [changed, shade] = CHANGED[entry.change] || [];
      const change = row.appendChild(el("td"));
      if (changed) change.appendChild(el("span", changed, `tag ${shade}`));
      else change.textContent = "—";
    }
    $("eval-shown").textContent = `${shown.length} verdict${shown.length > 1 ? "s" : ""} affiché${shown.length > 1 ? "s" : ""} sur ${all.length}.`;
  }
  $("eval-category").addEventListener("change", showResults);
  $("eval-result").addEventListener("change", showResults);

  async function startEval(form) {
    try {
      const started = await call("/evals", { method: "POST", body: form });
      notice("");  // an earlier refusal no longer holds
      $("eval-status").className = "";
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
  $("eval-reviews").addEventListener("click", () => {
    const form = new FormData();
    form.append("set", "reviews");
    startEval(form);
  });
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
