"""Optional LLM judge (RAGAS-style faithfulness and correctness, French prompts), beside the
deterministic metrics and never instead of them. Runs only when an OpenAI-compatible LLM is set."""

import re

from assistant.settings import Settings
from evals.metrics import mean

FAITHFULNESS = """Tu évalues un assistant qui répond à partir d'extraits de documents.
Extraits cités :
{contexts}

Réponse de l'assistant :
{answer}

Chaque affirmation de la réponse est-elle étayée par les extraits ? Réponds uniquement par un nombre
entre 0 (rien n'est étayé) et 1 (tout est étayé)."""

CORRECTNESS = """Question : {question}
Réponse de référence : {reference}
Réponse de l'assistant : {answer}

La réponse de l'assistant donne-t-elle les mêmes informations que la référence (sans la contredire) ?
Réponds uniquement par un nombre entre 0 (fausse ou sans rapport) et 1 (correcte et complète)."""


def llm_judge(settings: Settings, run: dict, system: str) -> tuple[str, dict]:
    """(Markdown section, per-question scores) for the in-scope answers of `system`."""
    if not settings.llm_base_url:
        why = "no LLM configured"
        if settings.llm_gguf_path:
            why = "only a GGUF path is set, and the judge needs an OpenAI-compatible server"
        return f"Skipped: {why} (set ASSISTANT_LLM_BASE_URL). The deterministic metrics are complete without it.", {}
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
                      timeout=settings.llm_timeout_s, temperature=0, max_tokens=8)
    scores = {}
    for qid, entry in run["questions"].items():
        result = entry["systems"][system]
        if entry["category"] == "out-of-scope" or result["abstained"]:
            continue
        contexts = "\n---\n".join(c["text"] for c in result["citations"])
        scores[qid] = {
            "category": entry["category"],
            "faithfulness": _score(chat, FAITHFULNESS.format(contexts=contexts, answer=result["answer"])),
            "correctness": _score(chat, CORRECTNESS.format(
                question=entry["question"], reference=entry.get("reference", ""), answer=result["answer"])),
        }
    rows = []
    for category in sorted({s["category"] for s in scores.values()}) + ["all"]:
        picked = [s for s in scores.values() if category in ("all", s["category"])]
        rows.append(f"| {category} | {mean(s['faithfulness'] for s in picked):.2f} "
                    f"| {mean(s['correctness'] for s in picked):.2f} |")
    section = (f"Judge: `{settings.llm_model}` at {settings.llm_base_url}, on the {len(scores)} in-scope answers "
               f"of {system} that did not abstain (scores 0-1).\n\n"
               "| category | faithfulness | correctness |\n|---|---|---|\n" + "\n".join(rows))
    return section, scores


def _score(chat, prompt: str) -> float | None:
    try:
        reply = chat.invoke(prompt).content
    except Exception:  # noqa: BLE001 (a judge failure, whatever it is, must not lose the deterministic report)
        return None
    match = re.search(r"[01](?:[.,]\d+)?", str(reply))
    return min(1.0, float(match.group().replace(",", "."))) if match else None
