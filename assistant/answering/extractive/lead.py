"""The lead: the one sentence, first in every answer that does not abstain, that answers the question
itself, in the question's language, with its marker(s) and the source's date; the quotes follow.

Built from the question's analysis (assistant/question/analysis.py) and the ranked candidate sentences, never
from anything else: every figure, criterion and status in a lead is a span of a cited sentence.

- amount, rate, duration, count, date, limit: the span itself (assistant/text/figures.py), from the best
  supporting sentence about the subject; a total (the largest amount) before its parts unless the
  question names a part; a sentence that states a disagreement gives both values with their sources.
- eligibility: "Non : …" / "Oui pour … ; reste à vérifier : …" / "Les sources ne permettent pas de
  trancher : …", comparing the asker's facts with thresholds read from cited sentences
  (assistant/answering/extractive/criteria.py).
- status: the document's status (front matter) and the sentence that states it.
- definition: the sentence that defines the subject ("X est …", an acronym's expansion).
- otherwise: the likeliest sentence, as a clause.
When the asked figure is absent from every sentence about the subject, the lead says so and the
answer abstains (`Lead.absent`).
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache, partial

from assistant.answering.extractive.candidates import Candidate, adjacent
from assistant.answering.extractive.clauses import NOT_DOCUMENTED, clause, dates_a_source, quoted_clause, quoted_source
from assistant.answering.extractive.criteria import judge
from assistant.answering.extractive.short_answer import short_span
from assistant.models import Passage, ProgrammeFit
from assistant.profiles.criteria import CONDITION, describe_limit
from assistant.profiles.model import Amount, Fact, Profile
from assistant.question.analysis import QuestionAnalysis
from assistant.question.subjects import short_title
from assistant.retrieval.expansion import GLOSSARY
from assistant.text.figures import LEADING_START, Quantity, amounts, figure_span, years_named
from assistant.text.french import TEXTS_CACHED, analyze
from assistant.text.french import words as tokens
from assistant.wording import human_date, message, source_label

MAX_LEAD_CHARS = 200  # the lead is read on a phone, in the widget: about two lines
FIGURES_PER_LEAD = 2  # "montant et durée": one figure per aspect asked, two at most
RIVAL = Decimal("1.5")  # two sources' amounts within this factor are rival figures for one envelope, not a total and a part
NEAR = 40
# A status or definition sentence up to this long is quoted whole in the lead (no second copy after it).
WHOLE_SENTENCE_CHARS = 240
LAST_KNOWN_CHARS = 100  # "dernier état connu : …", after an unknown status, in a few words
NEARLY = 0.5  # a sentence within this share of the likeliest figure sentence's probability may be preferred for its words
PREFIX = 5  # letters two words must share to count as the same word for choosing a figure
FOLLOWING_RANK = 3  # the next sentence joins the lead's quote when it is among the likeliest three...
JOINED_CHARS = 260  # ...and the two fit this length
MAX_OPENING = 170  # "Selon le communiqué de la Région Occitanie du 22 mai 2024, ": what may precede a whole quote
DEFINITION_WINDOW = 80  # "X (its expansion) est un …": the verb comes within this many characters of the name  # characters around a figure whose words tell which of a sentence's figures is asked
CONSIDERED = 12  # candidates (likeliest first) the lead looks through for its figure
FIGURE_KINDS = {
    "amount": ("amount",),
    "rate": ("percent",),
    "duration": ("duration",),
    "count": ("count",),
    "date": ("date", "year"),
    "limit": ("duration", "count", "amount"),
}
# The patterns below read the documents' sentences; what the question says is read once, in
# assistant/question/cues.py (`analysis.cues`).
DISAGREEMENT = re.compile(r"\b(diff[èe]re|divergent|ne concordent pas|contre|selon les sources)\b", re.IGNORECASE)
DEFINES = re.compile(
    r"\b((est|sont|désigne|is|are)\s+(un|une|le|la|l'|l’|des|the|an?)\b|ser(t|vent) (de|à)|jouent? le rôle)", re.IGNORECASE
)
STATUS_SENTENCE = re.compile(
    r"\b(plus disponible|n'est plus|clos|cl[ôo]tur|ferm[ée]|termin[ée]|statut|toujours ouvert|en vigueur|ouvert|disponible"
    r"|actif|active|considér[ée]e? comme)",
    re.IGNORECASE,
)
ACTIVE = re.compile(r"\b(actif|active|en vigueur|toujours (ouvert|proposé|actif)|reconduit|prolong)", re.IGNORECASE)
UNKNOWN_STATUS = re.compile(r"\b(inconnu|statut)", re.IGNORECASE)
CLOSED = re.compile(r"\b(plus disponible|n'est plus|n’est plus|clos|cl[ôo]tur|ferm[ée]|termin[ée])", re.IGNORECASE)
BENEFICIARIES = re.compile(r"\b(s'adresse|s’adresse|destiné|ouvert aux|réservé|bénéficiaires?)\b", re.IGNORECASE)
# Question words that ask for an amount without saying which one: the rest of the question names the part.
AMOUNT_WORDS = set(analyze("combien argent montant budget total global enveloppe dotation financement coût coûte "
                           "million millions M€ euros how much money amount worth funding total en tout au "
                           "région met mettre mis investit investir investissement investis consacre consacrer dépense "
                           "dépenser Occitanie region invest invests spend spends put puts fait font ça"))
BALANCE_SHEETS = re.compile(r"\bbilans? (?:annuels? )?de\s*$", re.IGNORECASE)
DEADLINE = re.compile(r"\b(jusqu'?[àa]u?|date limite|cl[ôo]tur\w*|avant le|au plus tard|deadline|ouvert jusqu)", re.IGNORECASE)
INTEREST = re.compile(r"\b(taux|int[ée]r[êe]t|interest|rate)\b", re.IGNORECASE)


@dataclass
class Segment:
    """Text followed by the marker of `candidate`'s citation (no marker when None)."""

    text: str
    candidate: Candidate | None = None


@dataclass
class Lead:
    segments: list[Segment]
    evidence: list[Candidate]  # the sentences quoted after the lead, the lead's own first
    short_answer: str | None = None
    verdict: str | None = None  # "yes", "no", "unsure"
    absent: bool = False  # the asked figure is not in any sentence about the subject: abstain
    why: str = ""
    inline: dict[tuple, str] = field(default_factory=dict)  # Candidate.key -> the exact clause the lead quotes of it
    kind: str = "plain"  # figure, eligibility, status, definition, conditions, matching, plain, absent
    programmes: list[ProgrammeFit] = field(default_factory=list)  # a matching lead's programmes by fit

    @property
    def specific(self) -> bool:
        """A lead of the kind asked (a figure, a verdict, a definition…), not the likeliest-sentence fallback."""
        return self.kind != "plain"

    def render(self, number_of) -> str:
        """The lead with its markers; `number_of(candidate)` is the citation number of a sentence."""
        parts = []
        for segment in self.segments:
            marker = f" [{number_of(segment.candidate)}]" if segment.candidate is not None else ""
            parts.append(segment.text + marker)
        text = "".join(parts).strip()
        return text[:1].upper() + text[1:]


def build_lead(analysis: QuestionAnalysis, ranked: list[Candidate], passages: list[Passage], profile: Profile | None = None,
               cite: Callable[[Fact], Candidate | None] | None = None) -> Lead | None:
    """The lead for these ranked candidates (likeliest first), or None when no lead can be made. A verdict
    or the conditions of a subject with a `profile` check all its criteria, each cited through `cite`."""
    if not ranked:
        return None
    subject = analysis.subject
    if subject is not None and not subject.known:  # a name no document contains: nothing to say about it
        return _absent(analysis, [], passages)
    about = _about_subject(analysis, ranked, passages)
    told = [c for c in about if not NOT_DOCUMENTED.search(c.text)]  # sentences that say something
    intent = analysis.intent
    builder = _figure_lead if intent in FIGURE_KINDS else LEAD_BUILDERS.get(intent)
    # A status may be stated by a sentence saying it is unknown; the other leads need sentences that tell.
    if intent in ("eligibility", "conditions", "definition") and profile is not None and cite is not None:
        builder = partial(builder, profile=profile, cite=cite)
    elif builder is _figure_lead and profile is not None:
        builder = partial(builder, profile=profile, cite=cite)
    lead = builder(analysis, about if intent == "status" else told, passages) if builder else None
    if intent == "limit" and (lead is None or lead.absent) and profile is not None and cite is not None:
        # "contrat innov taille max ?" with no bounded figure among the likeliest sentences: the programme's
        # criteria, those the question names first, before any "not in my sources"
        lead = _conditions_lead(analysis, told, passages, profile=profile, cite=cite) or lead
    if lead is not None:
        return lead
    # A subject with its own document narrows the likeliest sentence to it; a mere name does not.
    return _plain_lead(analysis, about if about and subject is not None and subject.source else ranked, passages)


def _about_subject(analysis: QuestionAnalysis, ranked: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """The candidates about the question's subject (its document, or sentences naming it), likeliest first;
    all candidates when the question has no subject."""
    subject = analysis.subject
    if subject is None:
        return ranked
    name_terms = set(analyze(subject.name))
    if subject.source:
        own = [c for c in ranked if passages[c.passage_index].chunk.source == subject.source]
        naming = [c for c in own if name_terms <= set(analyze(c.text))]
        # A sheet on two loans: the sentences that name the one asked about.
        if subject.shared and naming:
            return naming
        if own:
            return own
    return [c for c in ranked if name_terms and name_terms <= set(analyze(c.text))]


def _figure_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage],
                 profile: Profile | None = None, cite=None) -> Lead | None:
    """One figure per aspect asked ("montant et durée"), each from the likeliest sentence that holds one."""
    aspects = [a for a in analysis.aspects if a in FIGURE_KINDS][:FIGURES_PER_LEAD] or [analysis.intent]
    years = analysis.cues.years
    if years:  # "READYNOV 2025": only sentences about that year answer
        about = [c for c in about if years & years_named(c.text)]
    for name in analysis.entities:  # "Numalis … dans le plan IA": only sentences naming Numalis answer
        about = [c for c in about if set(analyze(name)) <= set(analyze(c.text))]
    stated = [q for q in analysis.cues.stated if q.kind in FIGURE_KINDS.get(aspects[0], ())]
    if stated and analysis.cues.breakdown:
        return _breakdown(analysis, about, passages, stated)
    # One figure stated and a yes/no form checks it; two stated figures ask which one: both, with sources.
    checking = len(stated) == 1 and analysis.cues.checks_figure
    figured = [c for c, _ in _figures(about, tuple(k for a in aspects for k in FIGURE_KINDS.get(a, ())))]
    if about and figured and analysis.subject is None and not years and figured[0].score < NEARLY * about[0].score:
        return None  # the likeliest sentence holds no figure and is far likelier: it answers better than a figure
    picks: list[tuple[Candidate, Quantity]] = []
    for aspect in aspects:
        pick = _pick_figure(analysis, aspect, about, taken=[q for _, q in picks], skip=stated if checking else [],
                            profile=profile, cite=cite, passages=passages)
        if pick is None:  # every aspect asked must be in the sources, or the answer says what is missing
            if analysis.subject is not None or years or analysis.entities:
                return _absent(analysis, about, passages, aspect)
            return None
        picks.append(pick)
    if len(aspects) == 1 and analysis.cues.second and not checking:
        # "montant total et part pour l'excellence", "combien de boîtes et de salariés"
        pick = _pick_figure(analysis, aspects[0], about, taken=[q for _, q in picks], second=True, passages=passages)
        if pick is not None and pick[1].key != picks[0][1].key:
            picks.append(pick)
    segments: list[Segment] = []
    evidence: list[Candidate] = []
    for n, (candidate, quantity) in enumerate(picks):
        span = _span(candidate.text, quantity, analysis.language)
        prefix = _subject_prefix(analysis) if n == 0 else " ; "
        segments.append(Segment(prefix + span, candidate))
        segments.append(Segment(_attribution(candidate, passages, analysis.language, quantity)))
        evidence.append(candidate)
    verdict = None
    if checking and len(picks) == 1:  # "18 M€ c'est le budget total ?": the figure the sources give, and a verdict
        verdict = "yes" if picks[0][1].key == stated[0].key else "no"
        segments[0].text = f"{message(analysis.language, 'verdict_' + verdict)} {segments[0].text}"
        said = next(((c, q) for c, q in _figures(about, (stated[0].kind,)) if q.key == stated[0].key), None)
        if verdict == "no" and said is not None:  # where the question's figure comes from
            segments.append(Segment(" ; " + _span(said[0].text, said[1], analysis.language), said[0]))
            segments.append(Segment(_attribution(said[0], passages, analysis.language, said[1])))
            evidence.append(said[0])
    elif len(picks) == 1:
        other = _disagreeing(*picks[0], _figures(about, FIGURE_KINDS.get(aspects[0], ())))
        if other is None and aspects[0] == "amount":
            other = _rival(*picks[0], _figures(about, ("amount",)), passages)
        if other is None and aspects[0] == "amount" and profile is not None and cite is not None:
            other = _dated_rival(*picks[0], profile, cite, passages)
        if other is not None:
            other_candidate, other_quantity = other
            segments.append(Segment(" ; " + _span(other_candidate.text, other_quantity, analysis.language), other_candidate))
            segments.append(Segment(_attribution(other_candidate, passages, analysis.language, other_quantity)))
            evidence.append(other_candidate)
    _said_once(segments)
    closed = _status_lead(analysis, about, passages) if analysis.subject and analysis.subject.status == "closed" else None
    if closed is not None and closed.verdict == "no":  # a figure of a programme that is closed says so
        segments.append(Segment(f" ; {message(analysis.language, 'closed_note')}", closed.evidence[0]))
        evidence.append(closed.evidence[0])
    segments[-1].text += "."
    short = figure_span(picks[0][0].text, picks[0][1])
    return Lead(segments, _distinct(evidence), short_answer=short, kind="figure", verdict=verdict,
                why=f"{'+'.join(aspects)}: {', '.join(q.text for _, q in picks)}")


def _said_once(segments: list[Segment]) -> None:
    """"250 entreprises [1], selon X ; 3 500 salariés [1], selon X" -> "250 entreprises [1] ; 3 500 salariés [1], selon X"."""
    attributions = [s for s in segments if s.candidate is None]
    for this, following in itertools.pairwise(attributions):
        if this.text == following.text:
            this.text = ""


def _breakdown(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage], stated: list[Quantity]):
    """"Les 60 M€, ça se répartit comment ?": the likeliest sentence that gives several other amounts."""
    keys = {q.key for q in stated}
    for candidate in about[:CONSIDERED]:
        parts = [q for q in answering_figures(candidate.text) if q.kind == stated[0].kind and q.key not in keys]
        if len(parts) >= 2:
            quoted = quoted_clause(candidate.text, limit=JOINED_CHARS)
            segments = [Segment(_subject_prefix(analysis) + f"« {quoted} »", candidate),
                        Segment(_attribution(candidate, passages, analysis.language) + ".")]
            return Lead(segments, [candidate], kind="figure", why="breakdown", inline=_inline(candidate, quoted))
    return None


def _span(text: str, quantity: Quantity, language: str) -> str:
    """The figure with its words; in an English lead without the French "de"/"entre" before a range."""
    span = figure_span(text, quantity)
    if language != "en":
        return span
    span = LEADING_START.sub("", span)  # "budget de", "porté à": French words around an English lead's figure
    return re.sub(r"^(de|entre)\s+", "", span, flags=re.IGNORECASE)


def _pick_figure(analysis: QuestionAnalysis, aspect: str, about: list[Candidate], taken: list[Quantity],
                 skip: list[Quantity] = (), second: bool = False, profile: Profile | None = None, cite=None,
                 passages: list[Passage] = ()):
    """`second`: the figure for the part of the question after a second thing of the same kind ("et de
    salariés", `Cues.second`); `profile`: the subject's, whose envelope answers an amount asked with no
    part named, and whose parts answer the part the question's words name."""
    cues = analysis.cues
    total = profile.total if profile else None
    kinds = (cues.limit_kinds or FIGURE_KINDS[aspect]) if aspect == "limit" else FIGURE_KINDS[aspect]
    focus = cues.second if second else None
    counted = cues.second_noun if second else cues.counted_noun
    acronym = len(counted or "") >= 2 and counted.isupper()  # "combien de JEI": countable, plural or not
    if aspect == "count" and counted and not counted.endswith("s") and not acronym and not any(
            _same_noun(q.unit, counted) for _, q in _figures(about, kinds)):
        kinds = ("count", "percent")  # "combien de R&D": not a count of things, a share
    skipped = {q.key for q in skip}  # "18 M€ c'est le total ?": the question's own figure is not the answer
    found = [(c, q) for c, q in _figures(about, kinds) if not (aspect == "amount" and q.unit != "€")
             and not any(q.key == t.key for t in taken) and q.key not in skipped]
    if cues.per_unit:  # "montant par entreprise": a yearly envelope does not answer
        found = [f for f in found if re.search(rf"\b(par|pour chaque|per)\s+{cues.per_unit[:6]}", f[0].text, re.IGNORECASE)]
    if aspect == "date" and cues.deadline:
        found = [f for f in found if DEADLINE.search(f[0].text)]  # a deadline, not the day a scheme starts
    if aspect == "duration" and any(not BALANCE_SHEETS.search(c.text[:q.span[0]]) for c, q in found):
        found = [(c, q) for c, q in found if not BALANCE_SHEETS.search(c.text[:q.span[0]])]  # a loan's "5 ans", not "deux bilans de 12 mois"
    if aspect in ("rate", "count") and cues.threshold and any(CONDITION.search(c.text) for c, _ in found):
        # "combien de R&D minimum ?": the share a criterion requires, not an investor's tax rate
        found = [f for f in found if CONDITION.search(f[0].text)]
    if aspect == "count" and acronym and not any(_same_noun(q.unit, counted) for _, q in found):
        # "combien de JEI": a count of JEI, not a criterion's "moins de 250 salariés"
        found = [f for f in found if not CONDITION.search(f[0].text)]
    if aspect == "rate" and cues.interest:
        found = [f for f in found if INTEREST.search(f[0].text)]  # "50 % des dépenses" is no interest rate
    if not found:
        return None
    subject = analysis.subject
    if aspect == "limit" and any(q.bound for _, q in found):
        found = [f for f in found if f[1].bound]  # a limit is bounded: "plus de 3 ans", not a loan's "5 ans"
    if aspect == "amount" and any(q.bound not in ("<", ">") for _, q in found):
        found = [f for f in found if f[1].bound not in ("<", ">")]  # "moins de 40 000 €" is a threshold, not an amount
    words = (_content_terms(analysis) if focus is None else set(analyze(focus))) - AMOUNT_WORDS
    if focus is None and aspect == "amount" and subject is not None and subject.source \
            and (not words and (cues.total or total is not None) or cues.total and total is not None):
        # A total before its parts ("combien la Région met dans l'IA ?"), or a total asked in so many words ("le
        # budget total … c'est les 100 M€ des contrats ?"): the profile's envelope, or, asked for a total, the
        # largest amount among all the sentences about the subject.
        every = [(c, q) for c, q in _figures(about, kinds, len(about)) if q.unit == "€" and q.key not in skipped
                 and q.bound not in ("<", ">")]
        envelope = [f for f in every if total is not None and f[1].high == total.high]
        return max(envelope or every or found, key=lambda f: (f[1].high, f[0].score))
    single = len([a for a in analysis.aspects if a in FIGURE_KINDS]) <= 1  # "montant et durée": words of both aspects
    if focus is None and aspect == "amount" and words and single and profile is not None and cite is not None \
            and not cues.per_unit:
        named = _named_amount(words, profile, cite, skipped | {q.key for q in taken})
        if named is not None:
            return named
    if aspect in ("count", "limit") and counted and any(_same_noun(q.unit, counted) for _, q in found):
        return next(f for f in found if _same_noun(f[1].unit, counted))
    # The sentence the question's own words point to ("combien pour la coordination"), else the likeliest;
    # of its figures, the one those words stand near, a date before a bare year.
    sentences = _distinct([c for c, _ in found])[:CONSIDERED]
    # ...among those the ranker finds nearly as likely (its order already weighs the question's words),
    # unless a less likely one holds more of the words the question asks with ("pour le logement étudiant").
    best = max(sentences, key=lambda c: (_overlap(words, set(analyze(c.text))), c.score >= NEARLY * sentences[0].score,
                                         -sentences.index(c)))
    own = [f for f in found if f[0] is best]
    # The years asked qualify the whole sentence ("les 626,1 M€ du CPER 2021-2027 … 37,9 M€ pour le logement
    # étudiant"): the other words choose the figure first.
    # The years asked and the words of the document's title qualify the whole sentence ("les 626,1 M€ du
    # CPER 2021-2027 … 37,9 M€ pour le logement étudiant", "la Politique régionale Innovation mobilise 450 M€
    # … dont 160 M€ de fonds européens"): the other words choose the figure first.
    period = {str(y) for y in analysis.cues.years}
    title = set(analyze(passages[best.passage_index].chunk.title)) if passages else set()
    choosing = words - period - title or words - period
    whole = aspect == "amount" and cues.whole  # "ça fait combien en tout ?": the sentence's largest amount
    return max(own, key=lambda f: (whole and f[1].high, _near(best.text, f[1], choosing), _near(best.text, f[1], words),
                                   f[1].kind != "year", -own.index(f)))


def _named_amount(words: set[str], profile: Profile, cite, skipped: set) -> tuple[Candidate, Quantity] | None:
    """The profile's amount whose own words (between its neighbouring figures) the question's words name
    ("logement étudiant": the 37,9 M€ of "... et 37,9 M€ pour le logement étudiant"); the envelope when
    its sentence names them as well (a part only when the part is asked); None when no amount's words do."""
    scored = []
    for amount in profile.amounts:
        if amount.kind != "amount" or amount.role not in ("total", "part", "amount"):
            continue
        candidate = cite(amount.fact)
        if candidate is None:
            continue
        figures = [q for q in answering_figures(candidate.text) if q.kind == "amount"]
        quantity = next((q for q in figures if q.low == amount.low and q.high == amount.high), None)
        if quantity is None or quantity.key in skipped or quantity.unit != "€" or quantity.bound in ("<", ">"):
            continue  # "moins de 40 000 € de dépenses" is a threshold, not an amount
        at = figures.index(quantity)
        start = figures[at - 1].span[1] if at else 0
        end = figures[at + 1].span[0] if at + 1 < len(figures) else len(candidate.text)
        overlap = _overlap(words, set(analyze(candidate.text[start:end])))
        scored.append((overlap, amount.role == "total", amount.fact.source == profile.source, candidate, quantity))
    best = max(scored, key=lambda s: s[:3], default=None)  # then the envelope, then the programme's own sheet
    if best is None or best[0] == 0:
        return None
    return best[3], best[4]


def _figures(about: list[Candidate], kinds, limit: int = CONSIDERED) -> list[tuple[Candidate, Quantity]]:
    return [(c, q) for c in about[:limit] for q in answering_figures(c.text) if q.kind in kinds]


def _content_terms(analysis: QuestionAnalysis) -> set[str]:
    name = analyze(analysis.subject.name) if analysis.subject else []
    # the name's words, and the name typed as one word ("startoc" for START'OC)
    subject_terms = set(name) | {"".join(name[i:j]) for i in range(len(name)) for j in range(i + 2, len(name) + 1)}
    story = analysis.asked and analysis.asked != analysis.question
    asked = set(analyze(analysis.asked)) if story else set(analysis.stems)
    if analysis.language == "en":  # "student housing" names the French sheet's "logement étudiant"
        asked |= {t for w in tokens(analysis.asked if story else analysis.question) if w in GLOSSARY for t in analyze(GLOSSARY[w])}
    return asked - subject_terms  # a story's own words ("je dirige une ESN") name no part asked


def _near(text: str, quantity: Quantity, words: set[str]) -> int:
    start, end = quantity.span
    return _overlap(words, set(analyze(text[max(0, start - NEAR):end + NEAR])))


def _overlap(words: set[str], terms: set[str]) -> int:
    """Question words found among `terms`, a shared start of PREFIX letters counting ("coordonner" finds
    "coordination": their stems differ)."""
    return sum(any(w == t or len(w) >= PREFIX and len(t) >= PREFIX and w[:PREFIX] == t[:PREFIX] for t in terms)
               for w in words)


@lru_cache(maxsize=TEXTS_CACHED)
def answering_figures(text: str) -> tuple[Quantity, ...]:
    """The sentence's figures, less those that date a source (assistant/answering/extractive/clauses.py); read once per
    sentence: one lead looks at the same sentences for each aspect, rival and check."""
    return tuple(q for q in amounts(text) if not dates_a_source(text, q.span[0]))


def _same_noun(unit: str, noun: str) -> bool:
    a, b = analyze(unit), analyze(noun)
    return bool(a and b) and a[0][:5] == b[0][:5]


def _disagreeing(candidate: Candidate, quantity: Quantity, found: list[tuple[Candidate, Quantity]]):
    """Another value for the same thing, from a sentence that states the disagreement (it names both)."""
    for other_candidate, other in found:
        # A sentence that states a disagreement names both values.
        if (other.kind == quantity.kind and other.key != quantity.key and DISAGREEMENT.search(other_candidate.text)
                and any(q.key == quantity.key for q in answering_figures(other_candidate.text))):
            return other_candidate, other
    return None


def _rival(candidate: Candidate, quantity: Quantity, found: list[tuple[Candidate, Quantity]], passages: list[Passage]):
    """Another source's value for the same envelope: within a factor RIVAL of the lead's (a part is
    smaller), said by someone else (another "Selon …", or another dated document)."""
    source = _speaker(candidate, quantity, passages)
    for other_candidate, other in found:
        if other.key == quantity.key or other.unit != quantity.unit or other_candidate is candidate:
            continue
        if _speaker(other_candidate, other, passages) != source and quantity.high / RIVAL <= other.high <= quantity.high * RIVAL:
            return other_candidate, other
    return None


def _dated_rival(candidate: Candidate, quantity: Quantity, profile: Profile, cite, passages: list[Passage]):
    """The profile's other value for the same envelope from a document of another date ("doté de 3 M€",
    mars 2024; "désormais doté de 5 M€", février 2025): both are shown, each with its date."""
    date = passages[candidate.passage_index].chunk.date
    rivals = [a for a in profile.amounts if a.role == "total" and a.kind == "amount" and a.high != quantity.high
              and a.fact.date != date and (a.fact.date or "") and cite(a.fact) is not None]
    if not rivals or any(a.high == quantity.high for a in profile.amounts if a.role == "part"):
        return None  # the lead's figure is a part of the envelope, not a rival of it
    newest = max(rivals, key=lambda a: a.fact.date)
    other = cite(newest.fact)
    found = next((q for q in answering_figures(other.text) if q.high == newest.high and q.low == newest.low), None)
    return (other, found) if found is not None else None


def _speaker(candidate: Candidate, quantity: Quantity, passages: list[Passage]):
    who = quoted_source(candidate.text, quantity.span[1])
    chunk = passages[candidate.passage_index].chunk
    return who or (chunk.source, chunk.date)


def _absent(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage], aspect: str | None = None) -> Lead:
    name = " ".join(analysis.entities) or (analysis.subject.name if analysis.subject else "")
    name = name or ", ".join(str(y) for y in sorted(analysis.cues.years))
    aspect = aspect or analysis.intent
    what = message(analysis.language, f"asked_{aspect}") if aspect in FIGURE_KINDS else ""
    if about:
        best = about[0]
        text = message(analysis.language, "absent", what=what, subject=name)
        return Lead([Segment(text)], [best], absent=True, kind="absent", why=f"no {analysis.intent} for {name}")
    return Lead([Segment(message(analysis.language, "no_document", subject=name))], [], absent=True, kind="absent",
                why=f"no document about {name}")


def _status_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage]) -> Lead | None:
    subject = analysis.subject
    stated = [c for c in about if STATUS_SENTENCE.search(c.text)]
    if subject is None or not subject.source or not stated:
        return None
    closed = [c for c in stated if CLOSED.search(c.text)]
    status = subject.status or "unknown"
    if status == "closed" and closed:
        candidate, key, word = closed[0], "no", "verdict_no"
    elif status == "active":
        candidate, key, word = ([c for c in stated if ACTIVE.search(c.text)] or stated)[0], "yes", "verdict_yes"
    else:
        stating = [c for c in stated if UNKNOWN_STATUS.search(c.text)] or stated
        candidate, key, word = stating[0], "unsure", "verdict_unsure"
    stated_clause = quoted_clause(candidate.text, limit=WHOLE_SENTENCE_CHARS)
    segments = [Segment(f"{message(analysis.language, word)} « {stated_clause} »", candidate),
                Segment(_attribution(candidate, passages, analysis.language))]
    evidence = [candidate]
    if key == "unsure":  # the last dated fact the sources give
        dated = next((c for c in stated if c is not candidate and answering_figures(c.text)
                      and any(q.kind in ("date", "year") for q in answering_figures(c.text))), None)
        if dated is not None:
            segments.append(Segment(f" ; {message(analysis.language, 'last_known')} {clause(dated.text, LAST_KNOWN_CHARS)}",
                                    dated))
            evidence.append(dated)
    segments[-1].text += "."
    return Lead(segments, evidence, verdict=key, kind="status", why=f"status {status}", inline=_inline(candidate, stated_clause))


def _eligibility_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage],
                      profile: Profile | None = None, cite=None) -> Lead | None:
    """A verdict from the criteria of the programme (or of the cited sentences) against the asker's facts;
    for a programme that is closed, that it is closed (no criterion the asker meets makes it open)."""
    closed = _status_lead(analysis, about, passages) if analysis.subject and analysis.subject.status == "closed" else None
    judged = judge(analysis, about, profile, cite)
    language = analysis.language
    failed = [c for c in judged.checks if c.passed is False] if judged is not None else []
    if closed is not None and closed.verdict == "no":
        if failed:  # closed, and the asker would not have been eligible either
            closed.segments[-1].text = closed.segments[-1].text.removesuffix(".")
            closed.segments += [Segment(f" ; {message(language, 'besides')} {_criterion(failed[0], language)}", failed[0].candidate),
                                Segment(f" {message(language, 'yours', fact=failed[0].fact)}.")]
            closed.evidence = _distinct(closed.evidence + [failed[0].candidate])[:2]
        return closed
    if judged is None:
        return None
    passed = [c for c in judged.checks if c.passed is True]
    unchecked = [c for c in judged.checks if c.passed is None]
    segments: list[Segment] = []
    if failed:
        check = failed[0]
        segments.append(Segment(f"{message(language, 'verdict_no')} {_criterion(check, language)}", check.candidate))
        segments.append(Segment(f" {message(language, 'yours', fact=check.fact)}"))
        if check.exception is not None and check.exception_candidate is not None:
            # "la limite de 11 ans ne vaut pas pour vous", or "sauf si" the asker's case is the exception's
            word = "exception_ruled_out" if check.exception_holds is False else "exception_unless"
            segments.append(Segment(f" ; {message(language, word, phrase=check.exception_phrase)}", check.exception_candidate))
        key = "no"
    elif passed:
        names = ", ".join(message(language, "criterion_short", dimension=message(language, f"dimension_{c.dimension}"),
                                  phrase=c.phrase) for c in passed[:2])
        segments.append(Segment(message(language, "yes_for", checks=names), passed[0].candidate))
        if unchecked:
            segments.append(Segment(f" ; {message(language, 'to_check')} {_criterion(unchecked[0], language)}", unchecked[0].candidate))
        key = "yes"
    else:
        check = unchecked[0]
        segments.append(Segment(f"{message(language, 'verdict_unsure')} {_criterion(check, language)}", check.candidate))
        key = "unsure"
    amount = None
    if key != "no" and "amount" in analysis.aspects and analysis.cues.amount_asked:
        # "c'est pour nous ? et ça monte à combien ?": the verdict, then the amount
        amount = _pick_figure(analysis, "amount", about, taken=[], profile=profile, cite=cite, passages=passages)
        if amount is not None:
            segments.append(Segment(f" ; {message(language, 'amount_also')} {_span(amount[0].text, amount[1], language)}",
                                    amount[0]))
    segments[-1].text += "."
    # The sentences the verdict rests on: the criterion that fails, else those met and the one to check.
    evidence = _distinct([c.candidate for c in failed[:1]] + [failed[0].exception_candidate] if failed and failed[0].exception
                         and failed[0].exception_candidate is not None
                         else [c.candidate for c in (failed[:1] or passed[:2] + unchecked[:1])])[:2]
    if amount is not None:
        evidence = _distinct(evidence + [amount[0]])[:3]
    return Lead(segments, evidence, verdict=key, kind="eligibility", why=f"eligibility: {len(failed)} failed, {len(passed)} met, "
                f"{len(unchecked)} to check")


def _conditions_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage],
                     profile: Profile | None = None, cite=None) -> Lead | None:
    """The criteria the sentences about the subject set, two at most."""
    judged = judge(analysis, about, profile, cite)
    if judged is None or analysis.subject is None or not analysis.subject.source:
        return None
    # Who it is for first when that is asked ("qui peut en bénéficier ?"), else thresholds before the rest.
    named = analysis.cues.dimensions  # "quelles tailles … et faut-il être implanté ?": those criteria first
    if analysis.cues.who_for:
        ordered = sorted(judged.checks, key=lambda c: not BENEFICIARIES.search(c.candidate.text))
    else:
        ordered = sorted(judged.checks, key=lambda c: c.dimension == "other")
    ordered = sorted(ordered, key=lambda c: named.index(c.dimension) if c.dimension in named else len(named))
    kept: dict[str, object] = {}
    for check in ordered:  # one criterion per dimension: "au moins 40 000 € HT" read twice is said once
        kept.setdefault(check.dimension if check.dimension != "other" else check.phrase, check)
    ordered = list(kept.values())
    checks = ordered[:2]
    if len(ordered) > 2 and sum(len(c.phrase) for c in ordered[:3]) < MAX_LEAD_CHARS - 40:
        checks = ordered[:3]
    segments = [Segment(message(analysis.language, "conditions", subject=analysis.subject.name))]
    for n, check in enumerate(checks):
        phrase = _every_limit(check, analysis.language) if check.dimension in named else check.phrase
        segments.append(Segment((" ; " if n else " ") + message(analysis.language, f"criterion_{check.dimension}", phrase=phrase),
                                check.candidate))
    segments[-1].text += "."
    return Lead(segments, _distinct([c.candidate for c in checks]), kind="conditions", why=f"conditions: {len(checks)} criteria")


def _every_limit(check, language: str) -> str:
    """A criterion asked by name with all the limits its sentence sets: "moins de 50 salariés, moins de
    250 salariés, de 250 à 5 000 salariés" for "quelles tailles d'entreprises ?"."""
    limits = [check.criterion, *check.criterion.alternatives]
    if len(limits) < 2 or any(limit.high is None for limit in limits):
        return check.phrase
    return ", ".join(dict.fromkeys(describe_limit(limit, language) for limit in limits))


def _criterion(check, language: str) -> str:
    return message(language, f"criterion_{check.dimension}", phrase=check.phrase)


def _definition_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage],
                     profile: Profile | None = None, cite=None) -> Lead | None:
    """What the subject is: its profile's defining sentence and envelope, else the sentence that defines it."""
    subject = analysis.subject
    if subject is None:
        return None
    defined = cite(profile.definition) if profile is not None and profile.definition is not None else None
    if defined is not None:
        quoted = quoted_clause(defined.text, limit=WHOLE_SENTENCE_CHARS)
        segments = [Segment(f"« {quoted} »", defined)]
        total = profile.total
        envelope = cite(total.fact) if total is not None else None
        if envelope is not None and total.text not in quoted:
            segments.append(Segment(f" ; {_span(envelope.text, _quantity_of(envelope.text, total), analysis.language)}", envelope))
        segments.append(Segment(_attribution(defined, passages, analysis.language) + "."))
        evidence = [defined] + ([envelope] if len(segments) > 2 else [])
        return Lead(segments, evidence, kind="definition", why="definition from the profile", inline=_inline(defined, quoted))
    for candidate in sorted(about, key=lambda c: (c.start, -c.score))[:CONSIDERED]:
        at = re.search(re.escape(subject.name), candidate.text, re.IGNORECASE)
        if at and DEFINES.search(candidate.text[at.end():at.end() + DEFINITION_WINDOW]):
            quoted = quoted_clause(candidate.text, limit=WHOLE_SENTENCE_CHARS)
            segments = [Segment(f"« {quoted} »", candidate),
                        Segment(_attribution(candidate, passages, analysis.language) + ".")]
            return Lead(segments, [candidate], kind="definition", why="definition", inline=_inline(candidate, quoted))
    return None


def _quantity_of(text: str, amount: Amount) -> Quantity:
    """The quantity of `text` a profile's amount was read from."""
    return next((q for q in amounts(text) if q.high == amount.high and q.low == amount.low), amounts(text)[0])


def _plain_lead(analysis: QuestionAnalysis, about: list[Candidate], passages: list[Passage]) -> Lead:
    """The likeliest sentence, quoted; its short answer is the span of it that answers (assistant/answering/extractive/short_answer.py)."""
    candidate = _with_following(about[0], about, passages)
    quoted = quoted_clause(candidate.text, limit=JOINED_CHARS)
    segments = [Segment(f"« {quoted} »", candidate), Segment(_attribution(candidate, passages, analysis.language) + ".")]
    return Lead(segments, [candidate], short_answer=short_span(analysis, candidate.text),
                why="the likeliest sentence", inline=_inline(candidate, quoted))


def _with_following(candidate: Candidate, about: list[Candidate], passages: list[Passage]) -> Candidate:
    """The sentence and the one right after it, as one quote, when that one is also likely: the
    likeliest sentence often restates the question and the answer follows ("… cherché un nouvel
    entraîneur. Marcel Vidal lui est finalement préféré …")."""
    text = passages[candidate.passage_index].chunk.text
    for other in about[1:FOLLOWING_RANK]:
        if adjacent(candidate, other) and "\n" not in text[candidate.end:other.start]:
            joined = replace(candidate, end=other.end, text=text[candidate.start:other.end])
            if len(joined.text) <= JOINED_CHARS:
                return joined
    return candidate


def _attribution(candidate: Candidate, passages: list[Passage], language: str, quantity: Quantity | None = None) -> str:
    """", selon <who the sentence cites for it> " or ", selon <the document> (<its date>)"."""
    who = quoted_source(candidate.text, quantity.span[1] if quantity is not None else None)
    if who:
        return message(language, "lead_according", source=who)
    chunk = passages[candidate.passage_index].chunk
    label = source_label(chunk.kind, short_title(chunk.title), language)
    return message(language, "lead_according", source=f"{label} ({human_date(chunk.date, language)})")


def _subject_prefix(analysis: QuestionAnalysis) -> str:
    subject = analysis.subject
    if subject is None or not subject.source:
        return ""
    return f"{subject.name}{' :' if analysis.language == 'fr' else ':'} "


def _inline(candidate: Candidate, quoted: str) -> dict[tuple, str]:
    """The lead's quote stands for the sentence's when it is all of it (bar the "Selon X," opening);
    a cut clause leaves the whole sentence to be quoted after the lead."""
    rest = candidate.text.rstrip(" .;:,")
    return {candidate.key: quoted} if rest.endswith(quoted) and len(rest) - len(quoted) < MAX_OPENING else {}


def _distinct(candidates: list[Candidate]) -> list[Candidate]:
    seen, kept = set(), []
    for candidate in candidates:
        if candidate.key not in seen:
            seen.add(candidate.key)
            kept.append(candidate)
    return kept


# The lead builder of each intent that is not a figure (build_lead); the likeliest sentence otherwise.
LEAD_BUILDERS = {"status": _status_lead, "eligibility": _eligibility_lead, "conditions": _conditions_lead,
                 "definition": _definition_lead}
