"""The paraphrase set: every question of the eval set asked three more ways, to see that its answer holds.

evals/paraphrases.jsonl, one rewrite a line:

{"id": "q001-casual", "of": "q001", "style": "casual" | "english" | "story", "question": "...",
 "history": [...] (the original's, copied: a follow-up stays a follow-up)}

A rewrite asks what its original asks, with the same gold (facts, sources, verdict, programmes): casual
(French without accents, SMS spelling, typos), English, or a story (French, the asker's situation told
around the same ask, adding no fact that changes the verdict); an out-of-scope question stays out of
scope. The rewrites were written from the questions, without running the assistant. The id is the
original's with the style's suffix (`SUFFIXES`), so a line names its original twice, on purpose: a
rewrite pasted under the wrong id is refused.

The pass asks the system every original that has rewrites, then every rewrite (each after the same
untimed warm-up as the main run); each rewrite is scored with the metric table's "paraphrase" metrics,
its original's response beside it (`Rewrite.original`: paraphrase agreement compares the two), and the
figures are aggregated over all rewrites and per style. The originals are asked again rather than read
from the main run, so that both sides of a pair come from the same pass.
"""

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from evals.dataset import EvalQuestion
from evals.metric_table import pair_difference, score, summarize
from evals.runner import answer_all, log, response_record
from evals.systems import Response

KIND = "paraphrase"
SUFFIXES = {"casual": "casual", "english": "en", "story": "story"}  # style -> id suffix
STYLES = tuple(SUFFIXES)
DEFAULT_PARAPHRASES = Path(__file__).resolve().parent / "paraphrases.jsonl"
ORIGINALS = "originals"  # the summary group of the originals themselves, beside "all" and the styles


@dataclass(frozen=True)
class Rewrite(EvalQuestion):
    """An eval question asked another way: the original's gold under the rewrite's id and words."""

    of: str = ""
    style: str = ""
    original: Response | None = field(default=None, compare=False, repr=False)  # set by the pass


def load_paraphrases(path: Path, questions: list[EvalQuestion]) -> list[Rewrite]:
    """The rewrites of `path`, each carrying the gold of its original in `questions`. A line is refused,
    naming it, for an unknown style or original, an id that is not `<of>-<suffix>`, a duplicate, or a
    history other than its original's."""
    originals = {q.id: q for q in questions}
    rewrites, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
            rewrite_id, of, style, question = str(raw["id"]), str(raw["of"]), raw["style"], raw["question"]
            history = list(raw.get("history") or [])
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{where}: not a valid rewrite ({error})") from error
        if style not in SUFFIXES:
            raise ValueError(f"{where}: unknown style {style!r} (one of {', '.join(STYLES)})")
        if of not in originals:
            raise ValueError(f"{where}: {of!r} is not a question of the set")
        if rewrite_id != f"{of}-{SUFFIXES[style]}":
            raise ValueError(f"{where}: the {style} rewrite of {of} has the id {of}-{SUFFIXES[style]}, not {rewrite_id!r}")
        if rewrite_id in seen:
            raise ValueError(f"{where}: duplicate id {rewrite_id!r}")
        if not question.strip():
            raise ValueError(f"{where}: the question is empty")
        if history != originals[of].history:
            raise ValueError(f"{where}: the history differs from {of}'s (a rewrite keeps its original's)")
        seen.add(rewrite_id)
        rewrites.append(rewrite_of(originals[of], rewrite_id, style, question))
    return rewrites


def rewrite_of(original: EvalQuestion, rewrite_id: str, style: str, question: str) -> Rewrite:
    """`original` asked as `question`: its gold, history and category; no translation (the English
    parity pairs the set's own English questions)."""
    gold = {f.name: getattr(original, f.name) for f in fields(EvalQuestion)}
    return Rewrite(**gold | {"id": rewrite_id, "question": question, "translation": None}, of=original.id, style=style)


def run_paraphrases(system, questions: list[EvalQuestion], rewrites: list[Rewrite]) -> dict:
    """`system` on the originals that have rewrites, then on the rewrites: figures for the originals, for
    all rewrites and per style, and one record per rewrite."""
    wanted = {r.of for r in rewrites}
    originals = [q for q in questions if q.id in wanted]
    log(f"{system.name}: paraphrases, {len(rewrites)} rewrites of {len(originals)} questions")
    answered = dict(zip((q.id for q in originals), answer_all(system, originals)))
    rewrites = [replace(r, original=answered[r.of]) for r in rewrites]
    responses = answer_all(system, rewrites)
    scores = [score(r, response, KIND) for r, response in zip(rewrites, responses)]
    summary = {ORIGINALS: summarize([score(q, answered[q.id], KIND) for q in originals], KIND),
               "all": summarize(scores, KIND)}
    summary |= {style: summarize([s for r, s in zip(rewrites, scores) if r.style == style], KIND) for style in STYLES}
    records = [{"id": r.id, "of": r.of, "style": r.style, "category": r.category, "question": r.question,
                "differs": "; ".join(pair_difference(r, r.original, response)),
                **response_record(response, s, with_citations=False)}
               for r, response, s in zip(rewrites, responses, scores)]
    return {"system": system.name, "rewrites": len(rewrites), "questions": len(originals), "summary": summary,
            "per_rewrite": records}
