"""The default answerer: quotes the sentences of the retrieved passages that answer the question.

Offline, no model beyond retrieval, and it cannot state a figure that is not in a cited passage:
every word of substance in its answer is a verbatim quote with its marker.

    candidates (assistant/answering/extractive/candidates.py) -> sentence ranker -> quotes (assistant/answering/extractive/quotes.py)
    -> composition (assistant/answering/extractive/composition.py)

It also serves the LLM answerer twice: as its evidence gate (when it abstains, no LLM is asked)
and as its fallback (the answer given when the LLM's draft fails its check).
"""

from dataclasses import replace

from assistant.answering.extractive.candidates import RANKER_FEATURES, Candidate, CandidateFinder, sentence_features
from assistant.answering.extractive.clauses import NOT_DOCUMENTED
from assistant.answering.extractive.comparison import comparison_lead
from assistant.answering.extractive.composition import compose
from assistant.answering.extractive.lead import build_lead
from assistant.answering.extractive.matching import matching_lead
from assistant.answering.extractive.quotes import choose, quoted
from assistant.answering.extractive.sentence_ranker import SentenceRanker
from assistant.models import Answer, Decision, Passage, Provenance, SentenceTrace
from assistant.profiles.catalogue import Programmes
from assistant.profiles.model import Fact
from assistant.question.analysis import QuestionAnalysis

# The best dense similarity counts this much in the evidence: it carries paraphrases and English
# questions, whose words the French sentences do not share (calibrated on evals/qa.jsonl).
DENSE_EVIDENCE = 0.8
# Quotes after a lead: its own sentence(s), then the likeliest others, this many in all.
EVIDENCE_QUOTES = 2
# When the best sentence says the documents do not know, only a lead of these kinds still answers:
# the figure, verdict or definition asked is in another sentence ("conditions" are what it says is unknown).
OVERRIDES_UNKNOWN = ("figure", "eligibility", "status", "definition", "matching", "comparison")


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, finder: CandidateFinder, ranker: SentenceRanker, abstain_threshold: float,
                 programmes: Programmes | None = None):
        self.finder = finder
        self.ranker = ranker
        self.abstain_threshold = abstain_threshold
        self.programmes = programmes or Programmes([])

    def answer(self, question: str, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        candidates = self.rank_sentences(analysis, passages)
        decisions = choose(candidates)
        chosen = quoted(decisions)
        # Whether to answer at all is judged on the first-stage best sentence (calibrated on evals/qa.jsonl).
        first = max(candidates, key=lambda c: c.base, default=None)
        strength = self.strength(first, passages) if first else None
        decision = Decision(answerer=self.name, evidence=strength, threshold=self.abstain_threshold,
                            sentences=[_trace(c, why) for c, why in decisions])
        language = analysis.language
        cite = _citer(passages)
        # Two programmes named: both sides, unless the question checks a figure it states ("c'est les 100 M€ des …?").
        compared = (comparison_lead(analysis, self.programmes, cite)
                    if analysis.compared and not analysis.cues.checks_figure else None)
        if compared is not None:
            lead = compared
        elif analysis.intent == "matching" and not self._names_a_programme(analysis):
            lead = matching_lead(analysis, self.programmes, passages, cite)
            chosen = chosen or (lead.evidence if lead else [])
        else:
            if analysis.intent == "matching":  # "à quoi ai-je droit avec le Pass Occitanie ?": that programme's verdict
                analysis = replace(analysis, intent="eligibility")
            profile = self.programmes.of(analysis.subject.source, analysis.subject.name) if analysis.subject else None
            lead = build_lead(analysis, candidates, passages, profile, cite) if chosen else None
        # A lead of the asked kind from the subject's own document answers even when the question's
        # other words are not in the text ("c koi la JEI": "c", "koi" weigh against the evidence);
        # so does a matching lead, made of the programmes' own criteria.
        vouched = lead is not None and (lead.kind in ("matching", "comparison") or lead.specific and _from_subject_document(lead, analysis, passages))
        if not chosen or (strength is None or strength < self.abstain_threshold) and not vouched:
            decision.abstained = True
            decision.reason = (
                "no candidate sentence" if not chosen
                else f"evidence {strength or 0:.2f} below the threshold {self.abstain_threshold:.2f}"
            )
            for trace in decision.sentences:
                trace.chosen, trace.why = False, "not quoted: the answer abstains"
            return _with(Answer(question=question, answer="", abstained=True, language=language), analysis, passages, decision)
        if lead is not None and lead.absent:
            decision.abstained = True
            decision.reason = f"the asked figure is absent: {lead.why}"
            answer = compose(question, passages, lead.evidence, language, lead)
            answer.abstained = True
            return _with(answer, analysis, passages, decision)
        if first is not None and NOT_DOCUMENTED.search(first.text) and (lead is None or lead.kind not in OVERRIDES_UNKNOWN):
            # The documents themselves say they do not know: quote that, and count it as not answering.
            decision.abstained = True
            decision.reason = "the best sentence says the documents do not know"
            for trace in decision.sentences:
                trace.chosen = trace.text == first.text and trace.start == first.start
            answer = compose(question, passages, [first], language)
            answer.abstained = True
            return _with(answer, analysis, passages, decision)
        if lead is None:
            decision.reason = f"answered: {len(chosen)} sentence(s) quoted, no lead"
            return _with(compose(question, passages, chosen, language), analysis, passages, decision)
        evidence = _evidence(lead.evidence, chosen, EVIDENCE_QUOTES if lead.kind in ("plain", "definition") else len(lead.evidence))
        decision.reason = f"answered: lead from {lead.why}; {len(evidence)} sentence(s) quoted"
        for trace in decision.sentences:
            trace.chosen = any(c.start <= trace.start < c.end and trace.passage == c.passage_index + 1 for c in evidence)
            if trace.chosen:
                trace.why = "quoted: evidence for the lead"
            elif trace.why.startswith("quoted"):
                trace.why = "not quoted: the lead's own sentences suffice"
        return _with(compose(question, passages, evidence, language, lead), analysis, passages, decision)

    def _names_a_programme(self, analysis: QuestionAnalysis) -> bool:
        """The question names a programme with criteria: its own verdict, not every programme's fit."""
        subject = analysis.subject
        profile = self.programmes.of(subject.source, subject.name) if subject is not None and subject.source else None
        return profile is not None and profile in self.programmes.matchable()

    @staticmethod
    def strength(best: Candidate, passages: list[Passage]) -> float:
        """The evidence score, how well the sources answer (`Decision.evidence`): word coverage of the best sentence, plus the best dense
        similarity, which carries paraphrases and English questions. Calibrated on evals/qa.jsonl."""
        return best.coverage + DENSE_EVIDENCE * max((p.dense for p in passages), default=0.0)

    def rank_sentences(self, analysis: QuestionAnalysis, passages: list[Passage]) -> list[Candidate]:
        """The candidate sentences, likeliest to hold the answer first (features as the ranker saw them)."""
        candidates = self.finder.candidates(analysis, passages)
        if candidates:
            rows = sentence_features(candidates)
            for candidate, row, p in zip(candidates, rows, self.ranker.probabilities(rows)):
                candidate.score = float(p)
                candidate.features = dict(zip(RANKER_FEATURES, map(float, row)))
            candidates.sort(key=lambda c: -c.score)
        return candidates


def _citer(passages: list[Passage]):
    """A profile's sentence as a candidate of `passages` (None when its chunk is not among them)."""
    index = {}
    for n, passage in enumerate(passages):
        index.setdefault(passage.chunk.id, n)

    def cite(fact: Fact) -> Candidate | None:
        if fact.chunk_id not in index:
            return None
        return Candidate(passage_index=index[fact.chunk_id], start=fact.start, end=fact.end, text=fact.text, base=0.0,
                         coverage=0.0)
    return cite


def _from_subject_document(lead, analysis: QuestionAnalysis, passages: list[Passage]) -> bool:
    """The lead comes from the subject's own document, or defines a name the documents use ("SRESRI")."""
    subject = analysis.subject
    if not (subject and lead.evidence):
        return False
    if subject.source:
        return passages[lead.evidence[0].passage_index].chunk.source == subject.source
    return lead.kind == "definition" and subject.known


def _evidence(lead_sentences: list[Candidate], chosen: list[Candidate], quotes: int) -> list[Candidate]:
    """The lead's own sentences, then the likeliest quoted ones, `quotes` in all."""
    evidence = list(lead_sentences)
    for candidate in chosen:
        if len(evidence) >= quotes:
            break
        if not any(c.passage_index == candidate.passage_index and c.start <= candidate.start < c.end for c in evidence):
            evidence.append(candidate)
    return evidence


def _trace(candidate: Candidate, why: str) -> SentenceTrace:
    return SentenceTrace(passage=candidate.passage_index + 1, start=candidate.start, end=candidate.end,
                         text=candidate.text, first_stage=round(candidate.base, 4),
                         probability=round(candidate.score, 4), chosen=why.startswith("quoted"), why=why,
                         features=candidate.features)


def _with(answer: Answer, analysis: QuestionAnalysis, passages: list[Passage], decision: Decision) -> Answer:
    answer.answerer = decision.answerer
    # The Assistant completes the provenance with the retrieval trace.
    answer.provenance = Provenance(query=analysis.query, context=analysis.context, retrieve_k=len(passages),
                                   decision=decision)
    return answer
