"""`Assistant.ask(question, history) -> Answer`: the one entry point every front end uses.

The road: prepare (validate, trim the history, analyse the question and the conversation it refers
to) -> retrieve -> answer (the answerer chosen by settings) -> refusal if it abstained. The answer
carries its provenance: the query searched, the passages considered and the answerer's decision.
Front ends call `ask` (or `prepare` then `answer`, to show a pending state in between) and render
what it returns or raises; `prepare` then `retrieve` finds the passages without answering
(`python -m assistant search`). `swap` replaces the index it answers from while it serves (assistant/console/reindex.py).

A question asked again is not read and answered again: the parts of one index keep the analyses of the
last CACHED_ANALYSES questions (by the question as validated, its trimmed history and today's date) and
the answers to the last CACHED_ANSWERS of them, so a new index (`swap`) starts with none. A cached answer
is a copy, its `latency_ms` this call's; an answer made without the dense search (a server down) is not
kept, nor its analysis. The front ends log every question they answer, cached or not.
"""

import datetime
import logging
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from pydantic import ValidationError

from assistant.answering import registry
from assistant.answering.base import Answerer, stream
from assistant.answering.extractive.answerer import ExtractiveAnswerer
from assistant.answering.extractive.candidates import CandidateFinder
from assistant.answering.extractive.sentence_ranker import SentenceRanker
from assistant.answering.refusal import Refusal
from assistant.models import Answer, Message, Passage, PassageTrace, Provenance
from assistant.profiles.catalogue import Programmes
from assistant.question.analysis import QuestionAnalysis, analyze_question
from assistant.question.nearest import NearestIntent
from assistant.question.subjects import Subject, SubjectCatalogue
from assistant.retrieval.fusion import fusion
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.query_cache import RecentCache
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings, get_settings
from assistant.text.french import analyze, detect_language
from assistant.wording import message

log = logging.getLogger(__name__)

# Passages recorded in an answer's provenance: the answerer sees the first `retrieve_k`, evals rank
# documents over all of them (recall@5 counts documents, and a document has several passages).
TRACE_DEPTH = 20
SUBJECT_PASSAGES = 3  # passages of the subject's own document added to the answerer's, when not among them
DESCRIBED_DEPTH = 4
DESCRIBED_TERMS = 2  # words a question shares with a programme's definition to describe it
SCHEME_TERMS = set(analyze("aide aides région régionale occitanie dispositif programme subvention prêt entreprise entreprises "
                           "financement innovation"))
CACHED_ANALYSES = 2048  # analysed questions kept per index (a few KB each)
CACHED_ANSWERS = 256  # answers kept per index: with their provenance, 10-110 KB each
DESCRIBED_INTENTS = ("amount", "rate", "duration", "limit", "conditions", "eligibility")  # a figure or criteria of one scheme
# Words the subject's document uses for what is asked: they pick its section ("Conditions", "Montants").
ASPECT_WORDS = {
    "eligibility": "conditions doivent moins de ans salariés exclues bénéficier",
    "conditions": "conditions doivent moins de ans salariés exclues bénéficier",
    "status": "statut disponible ouvert inconnu actif",
    "amount": "montant financement M€ €",
    "rate": "taux %",
    "date": "date calendrier",
    "contact": "contacter renseigner",
}


class InvalidQuestion(ValueError):
    """The question cannot be asked as it is; the message says why, in the question's language."""

    def __init__(self, key: str, language: str, **values):
        super().__init__(message(language, key, **values))
        self.key, self.language = key, language


@dataclass(frozen=True)
class Retrieval:
    """The passages found for a prepared question: `ranked`, TRACE_DEPTH deep, and `passages`, the ones
    the answerer reads (the first `retrieve_k`, then the subject's own document's)."""

    query: str
    ranked: list[Passage]
    passages: list[Passage]
    dense_missing: str | None = None  # why the dense search is not in them (a server down, slow or wrong)

    @property
    def considered(self) -> list[Passage]:
        """The ranked passages, then the subject's passages the answerer reads beyond them: the
        provenance's passages, in its order."""
        return _traced(self.ranked, self.passages)


@dataclass(frozen=True)
class Parts:
    """What answers from one index: built together, swapped together, used together by one answer."""

    retriever: Retriever
    extractive: ExtractiveAnswerer
    answerer: Answerer
    refusal: Refusal
    subjects: SubjectCatalogue
    programmes: Programmes
    nearest: NearestIntent
    # (question, history, date) -> its analysis; id(analysis) -> (analysis, its answer): the analysis kept
    # with its answer, so that its id cannot be another's while the answer is kept
    analyses: RecentCache[QuestionAnalysis] = field(default_factory=lambda: RecentCache(CACHED_ANALYSES))
    answers: RecentCache[tuple[QuestionAnalysis, Answer]] = field(default_factory=lambda: RecentCache(CACHED_ANSWERS))


def log_progress(stage: str, done: int, total: int) -> None:
    """The first build's progress on the terminal (the server's start waits for it): each embedding step."""
    if stage == "embedding":
        log.warning("Indexing: %d / %d chunks embedded", done, total)
    elif stage == "lexical":
        log.warning("Indexing: the lexical index")


class Assistant:
    def __init__(self, settings: Settings | None = None):
        """Raises `UnknownName` (a ValueError listing the valid names) when the settings name an
        answerer or a fusion that does not exist: at start, not at the first question."""
        self.settings = settings or get_settings()
        registry.answerer_factory(self.settings.answerer)
        fusion(self.settings.fusion)
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._parts: Parts | None = None

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                if IndexState.load(self.settings.index_dir) is None:
                    log.warning("No index in %s: building it from %s...", self.settings.index_dir, self.settings.corpus_dir)
                    from assistant.ingest.indexer import build_index  # Chroma and the embedder: only to build

                    log.warning("%s", build_index(self.settings, on_progress=log_progress).summary())
                self._retriever = Retriever.open(self.settings)
            return self._retriever

    def _components(self) -> Parts:
        """The parts built on the current index: an answer uses one `Parts` throughout."""
        if self._parts is None:
            parts = self._parts_of(self.retriever)
            with self._lock:
                self._parts = self._parts or parts
        return self._parts

    def _parts_of(self, retriever: Retriever) -> Parts:
        lexical = retriever.lexical
        finder = CandidateFinder(lexical.document_frequency, lexical.vocabulary, len(retriever))
        programmes = Programmes(retriever.state.profiles or [])
        extractive = ExtractiveAnswerer(finder, SentenceRanker.load(), self.settings.abstain_threshold, programmes)
        return Parts(
            retriever=retriever,
            extractive=extractive,
            answerer=registry.make_answerer(self.settings.answerer, self.settings, extractive),
            refusal=Refusal(retriever.state.chunks, self.settings.contact_document),
            subjects=SubjectCatalogue(retriever.state.chunks, lexical.document_frequency, lexical.vocabulary,
                                      self.settings.contact_document),
            programmes=programmes,
            nearest=NearestIntent(retriever.query_vector, retriever.state.model),
        )

    def swap(self, retriever: Retriever) -> None:
        """Answer from `retriever` from now on. Its parts are built first, then the retriever and its parts
        replace the old ones in one assignment: an answer under way finishes on the index it started with."""
        parts = self._parts_of(retriever)
        with self._lock:
            self._retriever, self._parts = retriever, parts

    @property
    def extractive(self) -> ExtractiveAnswerer:
        return self._components().extractive

    @property
    def answerer(self) -> Answerer:
        """The answerer `settings.answerer` names (assistant/answering/registry.py)."""
        return self._components().answerer

    def prepare(self, question: str, history: list[Message] | list[dict] | None = None,
                language: str | None = None) -> QuestionAnalysis:
        """Validate the question, keep the last `max_history_turns` turns, read the conversation.
        `language` is the client's, for a refusal when the question has no words to tell."""
        question = _visible(question or "").strip()
        language = detect_language(question) if question else (language or "fr")
        if not question:
            raise InvalidQuestion("empty", language)
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion("too_long", language, length=len(question), limit=self.settings.max_question_chars)
        try:
            turns = [m if isinstance(m, Message) else Message.model_validate(m) for m in (history or [])]
        except ValidationError as error:
            raise InvalidQuestion("bad_history", language) from error
        parts = self._components()
        turns = turns[-2 * self.settings.max_history_turns :]
        key = (question, tuple((m.role, m.content) for m in turns), datetime.date.today())
        analysis = parts.analyses.get(key, lambda: analyze_question(question, turns, parts.subjects, language=language,
                                                                    nearest=parts.nearest))
        if parts.retriever.embedder.problem() is not None:  # read without the intent examples: not kept
            parts.analyses.forget(key)
        return analysis

    def ask(self, question: str, history: list[Message] | list[dict] | None = None) -> Answer:
        return self.answer(self.prepare(question, history))

    def ask_stream(self, question: str, history: list[Message] | list[dict] | None = None) -> Iterator[str | Answer]:
        """Like `ask`, for front ends that stream: yields the LLM's unchecked draft pieces (str), if an
        LLM answers, then the final Answer. Show the pieces as a draft; replace them with the Answer."""
        return self.answer_stream(self.prepare(question, history))

    def retrieve(self, analysis: QuestionAnalysis) -> Retrieval:
        """The passages `answer` would read for `analysis`, found the same way, without answering: no
        answerer (and so no LLM) runs."""
        return _retrieval(analysis, self._components(), self.settings.retrieve_k)

    def answer(self, analysis: QuestionAnalysis) -> Answer:
        started = time.perf_counter()
        parts = self._components()
        kept = parts.answers.get(id(analysis), lambda: (analysis, self._answered(analysis, parts)))
        if kept[0] is not analysis:  # cannot happen while the entry holds its analysis; never serve another's
            kept = (analysis, self._answered(analysis, parts))
        if not _keepable(kept[1]):
            parts.answers.forget(id(analysis))
        return _served(kept[1], started)

    def answer_stream(self, analysis: QuestionAnalysis) -> Iterator[str | Answer]:
        started = time.perf_counter()
        parts = self._components()
        kept = parts.answers.peek(id(analysis))
        if kept is not None and kept[0] is analysis:
            yield _served(kept[1], started)
            return
        for item in self._answer_stream(analysis, parts):
            if isinstance(item, Answer):
                if _keepable(item):
                    parts.answers.put(id(analysis), (analysis, item))
                item = _served(item, started)
            yield item

    def _answered(self, analysis: QuestionAnalysis, parts: Parts) -> Answer:
        *_, answer = self._answer_stream(analysis, parts)
        return answer

    def _answer_stream(self, analysis: QuestionAnalysis, parts: Parts) -> Iterator[str | Answer]:
        """The answer made anew (the LLM's draft pieces first, if one streams); `answer_stream` keeps it."""
        started = time.perf_counter()
        retrieve_k = self.settings.retrieve_k
        found = _retrieval(analysis, parts, retrieve_k)
        described = _described_subject(analysis, found, parts)
        if described is not None:  # "la petite aide pour les mini projets des TPE": the programme retrieval finds
            analysis = replace(analysis, subject=described)
            found = _retrieval(analysis, parts, retrieve_k)
        passages = found.passages
        given_ids = {p.chunk.id for p in passages}
        drafting = stream(parts.answerer, analysis.typed or analysis.question, analysis, passages)
        yield from drafting
        answer = drafting.answer
        if answer.abstained:
            answer = parts.refusal.compose(answer)
        decision = answer.provenance.decision if answer.provenance else None
        answer.provenance = Provenance(
            query=analysis.query,
            context=analysis.context,
            retrieve_k=retrieve_k,
            analysis=analysis.summary(),
            passages=[PassageTrace.of(rank, p, p.chunk.id in given_ids) for rank, p in enumerate(found.considered, 1)],
            decision=decision,
        )
        answer.query = analysis.query if analysis.context else None
        if found.dense_missing:  # said in the answer itself, so that every front end shows it
            answer.notice = message(analysis.language, "dense_unavailable")
            answer.answer = f"{answer.answer}\n\n{answer.notice}"
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        yield answer


def _keepable(answer: Answer) -> bool:
    """An answer worth serving again: made with the dense search (no notice) and, with an LLM, not its
    fallback (the LLM may have only been slow)."""
    return answer.notice is None and "fallback" not in answer.answerer


def _served(answer: Answer, started: float) -> Answer:
    """What a caller gets of an answer that may be kept: a copy (the kept one stays as made; nothing below
    it is changed by the front ends) with this call's latency."""
    return answer.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 1)})


def _retrieval(analysis: QuestionAnalysis, parts: Parts, retrieve_k: int) -> Retrieval:
    """Search the retriever of `parts` (the index of the answer under way: `swap` may replace the
    assistant's own), then add the subject's own document and the profiles' sentences an answer cites."""
    retriever = parts.retriever
    ranked, dense_missing = retriever.hybrid(analysis.query, k=max(retrieve_k, TRACE_DEPTH))
    passages = ranked[:retrieve_k]
    subject = analysis.subject
    if subject is not None and subject.source:
        # The subject's own document, where it says what is asked, even when other documents rank higher.
        given = {p.chunk.id for p in passages}
        aspect = ASPECT_WORDS.get(analysis.intent, "")
        query = f"{analysis.query} {aspect}".strip()
        passages = passages + retriever.within(query, subject.source, SUBJECT_PASSAGES, given)
    passages = passages + _profile_passages(parts, analysis, {p.chunk.id for p in passages})
    return Retrieval(analysis.query, ranked, passages, dense_missing)


def _described_subject(analysis: QuestionAnalysis, found: Retrieval, parts: Parts) -> Subject | None:
    """The programme a question describes without naming it ("la petite aide de la région pour les mini
    projets des TPE, elle donne combien ?"): the best passage's document when it holds half the best
    DESCRIBED_DEPTH at least, has a profile
    and the question asks a figure of a scheme; else None."""
    if analysis.subject is not None or analysis.intent not in DESCRIBED_INTENTS or not analysis.cues.scheme:
        return None
    best = [p.chunk.source for p in found.ranked[:DESCRIBED_DEPTH]]
    if not best or best.count(best[0]) * 2 < len(best):
        return None
    profile = parts.programmes.of(best[0])
    if profile is None or profile.definition is None:
        return None
    # ...and the question says what its definition says ("petits projets des petites entreprises"), beyond
    # the words of any scheme: "combien d'aide pour rénover ma maison ?" describes none of them
    shared = set(analysis.stems) & set(analyze(profile.definition.text)) - SCHEME_TERMS
    if len(shared) < DESCRIBED_TERMS:
        return None
    return Subject(profile.name, profile.source, found.ranked[0].chunk.status)


def _profile_passages(parts: Parts, analysis: QuestionAnalysis, given: set[str]) -> list[Passage]:
    """The chunks a verdict or a matching answer cites from the programmes' profiles, beyond those retrieved."""
    subject = analysis.subject
    if analysis.compared:
        profiles = [p for s in analysis.compared if (p := parts.programmes.of(s.source, s.name))]
    elif analysis.intent == "matching":  # every programme (one named in full among them, for its own verdict)
        profiles = parts.programmes.matchable()
    elif analysis.intent in ("eligibility", "conditions", "definition") and subject is not None and subject.source:
        profiles = [p for p in [parts.programmes.of(subject.source, subject.name)] if p]
    elif analysis.intent == "amount" and subject is not None and subject.source:
        # Its envelopes, from every document that gives one (a newer announcement's figure beside the sheet's).
        profile = parts.programmes.of(subject.source, subject.name)
        return parts.retriever.passages_of([a.fact.chunk_id for a in profile.amounts if a.role == "total"] if profile else [], given)
    else:
        return []
    ids = [i for p in profiles for i in parts.programmes.cited_chunks(p)]
    if analysis.intent == "matching":
        ids += [p.contact.chunk_id for p in parts.programmes if p.contact and "AD'OCC" in p.contact.text][:1]
    return parts.retriever.passages_of(ids, given)


def _visible(text: str) -> str:
    """`text` without Unicode format characters (zero-width spaces and joiners, soft hyphens, bidi
    marks, BOM): they show nothing and would keep a blank question from counting as empty."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _traced(ranked: list, passages: list) -> list:
    """The ranked passages, then the subject's passages the answerer read beyond them."""
    seen = {p.chunk.id for p in ranked}
    return ranked + [p for p in passages if p.chunk.id not in seen]
