"""What a question asks, read once before retrieval, in French and English, informal and misspelt:

- its language, the conversation a follow-up refers to, and the query to search;
- `asks`: the kinds of figure it wants (an amount, a date, a count, a name), sentence features;
- `intent`: what is asked (INTENTS: an amount, a rate, a yes/no on eligibility, a definition...);
- `subject`: the programme or organisation it is about (assistant/question/subjects.py), or carried over
  from the conversation;
- `facts`: what the asker says of themselves ("10 ans", "créée en 2016", "120 salariés", "SCI");
- `cues`: the rest the answerers use (a total, "par entreprise", a deadline, a figure checked, negated
  words, the short answer's kind of span: assistant/question/cues.py);
- `normalized` and `stems`: the question's words as compared everywhere (assistant/text/french.py).

Every answerer receives the same `QuestionAnalysis`, and its summary is recorded in the answer's
provenance (`summary`). Nothing downstream reads the question with a pattern of its own.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.models import Message
from assistant.question.conversation import conversation_context, needs_context, own_terms
from assistant.question.cues import ASKS_AMOUNT, Cues, read_cues
from assistant.question.subjects import Subject
from assistant.retrieval.expansion import GLOSSARY
from assistant.text.figures import amounts
from assistant.text.french import analyze, detect_language, normalize, sms_expanded, split_sentences
from assistant.text.french import words as tokens

# What kind of answer the question wants; each flag turns on one sentence feature of the answerer.
ASKS = {
    "amount": re.compile(
        r"\b(combien|montant|budget|dot[ée]|financ|taux|somme|co[uû]t|how much|amount|funding|prêt|pret|subvention"
        r"|aide maximale|plafond)",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\b(quand|date|depuis|jusqu|ann[ée]e|d[ée]lai|when|since|until|year|encore|toujours|still|ouvert|open"
        r"|en vigueur)",
        re.IGNORECASE,
    ),
    "count": re.compile(r"\b(combien|nombre|how many)\b", re.IGNORECASE),
    "name": re.compile(r"(^|\W)(qui|o[ùu]|who|where|quel nom|comment s'appell?e)\b", re.IGNORECASE),
}


# What is asked, first match wins: specific aspects before the generic ones they contain.
INTENTS: list[tuple[str, re.Pattern]] = [
    # "à quoi ai-je droit ?", "quelles aides pour ma startup ?", "which programmes fit us?": every programme checked.
    ("matching", re.compile(
        r"\b([àa] quoi (?:ai[- ]je|avons[- ]nous|on a|j'?ai|je peux|puis[- ]je|peut[- ]on|pourrai[st]?[- ](?:je|on)) droit"
        r"|quel(?:le)?s? (?:aides?|dispositifs?|financements?|programmes?|soutiens?)\b[^?]*\b(?:pour (?:moi|nous|ma|mon|notre|nos|une?)\b"
        r"|existe|possibles?|adapt|correspond|conviendr|convien|puis[- ]je|peut[- ]on|je peux|on peut|ai[- ]je droit)"
        r"|qu'est[- ]ce que (?:je|j'|on|nous) (?:peux|peut|pouvons|pourrais?) (?:avoir|obtenir|demander|toucher)"
        r"|que (?:puis|pourrais)[- ]je (?:obtenir|demander|avoir)|aides? pour (?:ma|mon|notre|une?) (?:start|boite|boîte|entreprise|soci|pme|tpe|projet)"
        r"|what (?:support|aid|aids|funding|grants?|programmes?|programs?|schemes?|help)\b[^?]*\b(?:is there|are there|can (?:i|we)|available|for (?:my|our|a|an)\b|fit|exist)"
        r"|which (?:programmes?|programs?|schemes?|aids?|grants?)\b[^?]*\b(?:fit|suit|can|could|for (?:my|our|us|me))"
        r"|what (?:am i|are we) (?:entitled|eligible)|what (?:can|could) (?:i|we) (?:get|apply)"
        r"|(?:is|are) there (?:any |an? )?(?:aids?|support|grants?|funding|help|programmes?|programs?|schemes?) for (?:us|me|my|our)\b"
        r"|droit [àa] quoi|pr[ée]tendre [àa] quoi|(?:y a|ya|y'a|il y a)[- ]?(?:t[- ]il )?(?:une |des )?aides? (?:pour|pr) (?:nous|moi)"
        r"|quel(?:le)?s? (?:aides?|dispositifs?|financements?|programmes?)(?: \w+){0,2} ?\?"
        r"|which (?:aids?|grants?|schemes?|programmes?|programs?) (?:fit|suit|for))",
        re.IGNORECASE)),
    ("status", re.compile(
        r"\b((encore|toujours) (ouvert|disponible|actif|active|possible|en cours|d'actualit[ée]|valable|propos[ée])"
        r"|(existe|existent)[- ]?(t[- ]il|t[- ]elle)? (encore|toujours)|(peut|peux|puis|pouvons)[- ]?(je|on|nous)?[- ]?(encore|toujours)"
        r"|(est|sont|c'est)[- ]?(il|elle|ils|elles)? (encore|toujours)|still|ouvert|open|ferm[ée]|closed|disponible|available"
        r"|en vigueur|termin[ée]|statut actuel|actif|active|en cours)\b", re.IGNORECASE)),
    ("eligibility", re.compile(
        r"\b(puis[- ]je|je peux|peut[- ]on|pourrai[st]?[- ]je|suis[- ]je|sommes[- ]nous|ai[- ]je droit|y ai[- ]je droit"
        r"|(mon|ma|notre) (entreprise|boite|boîte|soci[ée]t[ée]|start-?up|structure|projet)\b.*\b(peut|est|a droit|eligible|[ée]ligible)"
        r"|[ée]ligibles?|eligible|can i\b|can we\b|am i\b|are we\b|is my (company|business|startup)|qualify|y a[- ]t[- ]il droit"
        r"|(peut|pourrait)[- ](marcher|convenir|fonctionner|s'appliquer|s’appliquer) pour|(c'est|est[- ]ce) pour (nous|moi)"
        r"|\b(possible|jouable|envisageable|faisable)(?:\s+pour\s+(?:nous|moi|ma|mon|notre|nos)\b[^?]{0,30})?\s*\?)",
        re.IGNORECASE)),
    ("contact", re.compile(
        r"\b(qui contacter|contacter|contact|[àa] qui|who (do|should|can) i|s'adresser|joindre|interlocuteur"
        r"|comment (candidater|postuler|faire|d[ée]poser|demander)|how (do i|to|can i) (apply|contact|get)|o[uù] (d[ée]poser|candidater|postuler))",
        re.IGNORECASE)),
    ("rate", re.compile(r"\b(taux|rate|pourcentage|percentage|interest|int[ée]r[êe]ts?|what (?:share|proportion|part) of)\b|%",
                        re.IGNORECASE)),
    ("duration", re.compile(
        r"\b(combien de temps|dur[ée]e|how long|combien d'ann[ée]es|sur combien|combien de mois|rembours\w* (sur|en)|d[ée]lai"
        r"|(?:over )?how many (?:years|months)|repaid over|repayment (?:period|term))",
        re.IGNORECASE)),
    ("limit", re.compile(
        r"\b(quel [âa]ge|[âa]ge (max|min|limite)\w*|limite d['’][âa]ge|how old|age limit|(?:maximum|minimum|max) (?:\w+ )?(?:age|size)|taille|effectifs? (max|min)\w*"
        r"|combien de salari[ée]s (max|min|au (plus|moins))\w*|plafond de salari|(max|min)\w* (de )?salari)", re.IGNORECASE)),
    ("count", re.compile(r"\b(combien d[e'’] ?(?!temps|argent|m€|k€|euros?|millions?|fonds|cr[ée]dits?|subventions?"
                         r"|aides?|financements?|la\b|le\b|les\b|l['’])\w+|how many"
                         r"|nombre d[e'’])", re.IGNORECASE)),
    ("date", re.compile(
        r"(?:^\W*(?:\w+\W+){0,3}quand\b(?! m[êe]me)|\b(?:depuis|jusqu'?[àa]|pour|c'est|est-ce|[àa] partir de)\s+quand\b"
        r"|\bquand\s*\?)|\b(date|when|en quelle ann[ée]e|depuis quand|what year|jusqu'?[àa] quand|deadline|date limite"
        r"|calendrier)\b",
        re.IGNORECASE)),
    ("amount", re.compile(
        r"\b(combien(?!\s+d[e'’](?!\s*(?:m€|k€|euros?|millions?|argent|la\b|le\b|les\b|l['’])))|montant|budget|dot[ée]|dotation|enveloppe|envelope|how much"
        r"|amount|funding|argent|somme|plafond|co[uû]t"
        r"|millions?|milliards?|money)\b|€", re.IGNORECASE)),
    ("conditions", re.compile(
        r"\b(conditions?|crit[èe]res?|requirements?|criteria|qui peut (en )?(b[ée]n[ée]ficier|porter|candidater|d[ée]poser|demander|postuler)"
        r"|who can|pour qui|[ée]ligibilit[ée]"
        r"|pour quel(le)?s? (boites?|boîtes?|entreprises?|soci[ée]t[ée]s?|structures?)|s'adresse [àa] qui|who is it for)\b",
        re.IGNORECASE)),
    ("comparison", re.compile(r"\b(diff[ée]rence|compar\w*|versus|vs|plut[ôo]t)\b", re.IGNORECASE)),
    ("list", re.compile(r"\b(quels sont|quelles sont|liste|lesquel\w*|quelles aides|which|what (programmes|schemes|aids))\b",
                        re.IGNORECASE)),
    ("definition", re.compile(
        r"(c'?\s?est quoi|c koi|ckoi|c quoi|qu'?est[- ]ce (que|qu'|qui)|what is|what's|what are|d[ée]finition|veut dire"
        r"|kesako|pr[ée]sente[rz]?[- ]moi|explique|explain|tell me about|parle[rz]?[- ]moi|[àa] quoi (ça )?ser[st]"
        r"|ser(t|vent) [àa] quoi|who is|qui est)",
        re.IGNORECASE)),
]
# Words of a definition question besides its subject.
DEFINITION_WORDS = set(analyze("c'est quoi koi kesako qu'est-ce que veut dire signifie définition what is what's are "
                               "explain explique présente présenter parle-moi tell me about sert servent à quoi ça cela "
                               "who exactement concrètement"))

LEGAL_FORMS = re.compile(
    r"\b(entreprise individuelle|micro-?entreprise|auto-?entrepreneur|SCI|SAS|SASU|SARL|EURL|association|soci[ée]t[ée] civile)\b",
    re.IGNORECASE,
)
COMPANY = (r"(entreprise|boite|boîte|soci[ée]t[ée]|start[- ]?up|structure|company|business|firm|startup|spin-?off|jeune pousse"
           r"|deep ?tech|SARL|SAS|SASU|EURL|PME|TPE|ETI|SME)")
AGE = [  # the creation year first: "créée en 2012, elle a donc plus de 10 ans" is a company of 2012
    # "créée en 2016", "j'ai créé ma société de logiciels à Montpellier en 2012"
    re.compile(r"\b(?:cr[ée]{2}e?s?|fond[ée]e?s?|immatricul[ée]e?s?|founded|created|started|set up|lanc[ée]e?)"
               r"(?:\s+(?:ma|mon|notre|la|le|my|our|the|it)\b[^.?!\d]{0,40}?)?\s+(?:en|in)\s+(?P<year>(?:19|20)\d{2})", re.IGNORECASE),
    re.compile(rf"\b(?:mon|ma|notre|my|our) {COMPANY}\b[^.?!]{{0,30}}?\b(?:a|à|has|is|aura)\s+(?P<n>\d+)\s*(?:ans?|years?|yrs?)",
               re.IGNORECASE),
    re.compile(r"\b(?P<n>\d+)\s*(?:ans?|years?|yrs?)\s*(?:d'existence|old|d'anciennet[ée])", re.IGNORECASE),
    re.compile(r"\b(?:il y a|depuis|since|for)\s+(?P<n>\d+)\s*(?:ans?|years?|yrs?)", re.IGNORECASE),
    re.compile(r"\b(?P<n>\d+)\s*(?:years?|yrs?)\s+ago\b", re.IGNORECASE),  # "founded 9 years ago"
    re.compile(rf"\b(?P<n>\d+)[- ]year[- ]old (?:[\w-]+ )?{COMPANY}", re.IGNORECASE),  # "a 6-year-old biotech start-up"
    # "on a 4 ans", "nous avons 6 ans", "elle a 3 ans" (the company speaking; "j'ai 35 ans" is a person's age)
    re.compile(r"\b(?:on a|nous avons|elle a|we are|we're)\s+(?P<n>\d+)\s*(?:ans?|years?|yrs?)\b(?!\s+d['’]exp)", re.IGNORECASE),
    re.compile(rf"\b{COMPANY}\b[^.?!,]{{0,25}}?\b(?:de|of)\s+(?P<n>\d+)\s*(?:ans?|years?|yrs?)\b", re.IGNORECASE),
]
# The asker speaks of their own company: first person, or a question opening on the company ("PME de 120 salariés, …").
ASKER = re.compile(
    r"\b(je|j['’]|moi|nous|on|mon|ma|mes|notre|nos|i|i'm|my|we|we're|our|us)\b"
    rf"|^\W*(?:(?:can|could|may|is|does)\s+)?(une?\s+|an?\s+)?(?:(?:petite?|jeune|grande|nouvelle|toute? (?:petite|jeune)|small|young|little|new)\s+)?"
    rf"(?:(?:\d+[- ]year[- ]old|\d[\d,]*[- ](?:employee|person|people))\s+(?:[\w-]+\s+)?)?({COMPANY}|pme|tpe|eti|sci|sarl|sas|sasu|eurl|mid-?cap)\b",
    re.IGNORECASE,
)
PERSONS = re.compile(r"\b(\d{1,3}(?:,\d{3})*|\d+)[- ](?:person|people|strong|employee)\b", re.IGNORECASE)
NO_STAFF = re.compile(r"\b(z[ée]ro|0|aucun|pas de|sans|no)\s+(salari[ée]s?|employ[ée]s?|employees?|staff)\b|\btout seul\b",
                      re.IGNORECASE)
PLACE = re.compile(r"\b(?:à|a|en|dans|near|in)\s+(?P<place>[A-ZÀ-Þ][\w'’-]+(?:[- ][A-ZÀ-Þ][\w'’-]+)*)")
BUDGET = re.compile(r"\b(budget|d[ée]penses|co[uû]t(?:e|ant)?|projet (?:de|d['’]|[àa])|montant du projet|costs?|spend)\b", re.IGNORECASE)
NO_SME_PARTNER = re.compile(r"\b(sans|no|without|pas de|aucune?)\s+(?:aucune?\s+|any\s+)?(?:PME|SMEs?|partenaires?|partners?)\b"
                            r"|\b(?:alone|on (?:our|its) own|tout(?:e|es)? seule?s?)\b"
                            r"|\b(?:men[ée]e?s?|demander|candidater|porter|port[ée]e?s?)\s+(?:tout(?:e|es)?\s+)?seule?s?\b",
                            re.IGNORECASE)  # "sans PME partenaire", "sans partenaire", "demander seule", "run alone"
SME_PARTNER = re.compile(r"\b(avec|aux côtés d['’]?e?s?|with|alongside)\s+(?:une?|des|deux|trois|plusieurs|an?|some)?\s*(?:PME|SMEs?)\b",
                         re.IGNORECASE)
# The region the programmes serve, and its main towns: a place the asker gives that is in it.
REGION_PLACES = {normalize(p) for p in (
    "Occitanie Toulouse Montpellier Nîmes Perpignan Béziers Narbonne Carcassonne Albi Castres Montauban Tarbes Rodez "
    "Millau Cahors Auch Foix Mende Sète Alès Lourdes Labège Blagnac Colomiers Lunel Agde Figeac Pamiers Lozère Hérault "
    "Gard Aude Ariège Aveyron Gers Lot Tarn Pyrénées-Orientales Haute-Garonne Hautes-Pyrénées Tarn-et-Garonne").split()}


@dataclass(frozen=True)
class AskerFacts:
    """What the asker says of themselves, to compare with a programme's criteria."""

    age_years: Decimal | None = None
    staff: Decimal | None = None
    turnover: Decimal | None = None  # euros
    legal_form: str | None = None
    place: str | None = None
    words: frozenset[str] = frozenset()  # the question's words, for exceptions ("pour les biotechnologies")
    words_stemmed: frozenset[str] = frozenset()  # the same, as content terms (assistant/text/french.py analyze)
    budget: Decimal | None = None  # euros: the project's budget or expenses ("budget 25 000 € HT")
    creation_year: int | None = None  # "créée en 2016"
    partner_sme: bool | None = None  # "sans aucune PME partenaire": False; "avec deux PME": True
    in_region: bool = False  # the asker says they are in Occitanie (or one of its towns)
    told_stemmed: frozenset[str] = frozenset()  # the terms of what a story tells before it asks ("avec deux bilans")

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.age_years, self.staff, self.turnover, self.legal_form, self.budget,
                                            self.partner_sme))


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str  # as read: validated, SMS spelling written out ("cb" -> "combien"); what is searched
    language: str  # "fr" or "en": the language of the answer
    context: str = ""  # the earlier user questions a follow-up refers to, "" for a standalone question
    asks: frozenset[str] = field(default_factory=frozenset)  # keys of ASKS found in the question
    history: tuple[Message, ...] = ()
    intent: str = "other"  # a key of INTENTS, or "other"
    aspects: tuple[str, ...] = ()  # every intent the question names, in the order it names them
    subject: Subject | None = None
    compared: tuple[Subject, ...] = ()  # two programmes or more the question names: a comparison
    entities: tuple[str, ...] = ()  # other names the question gives, that the answer must be about
    facts: AskerFacts = field(default_factory=AskerFacts)
    typed: str = ""  # the question as the asker typed it (validated): what the answer and the question log show
    asked: str = ""  # what it asks: its last sentence after a story, else the whole question
    cues: Cues = field(default_factory=Cues)
    normalized: str = ""  # lowercase, elisions dropped, accents folded (assistant/text/french.py normalize)
    stems: tuple[str, ...] = ()  # its content terms, stemmed (analyze)

    @property
    def query(self) -> str:
        """What retrieval searches: the question, then the conversation it refers to."""
        return f"{self.question} {self.context}".strip()

    def wants(self, kind: str) -> bool:
        return kind in self.asks

    def summary(self) -> dict:
        """What the answerers read in the question, for the provenance: intent, aspects, subject, facts, cues."""
        facts = {name: (str(value) if isinstance(value, Decimal) else value)
                 for name, value in (("age_years", self.facts.age_years), ("staff", self.facts.staff),
                                     ("turnover", self.facts.turnover), ("legal_form", self.facts.legal_form),
                                     ("place", self.facts.place)) if value is not None}
        summary = {"language": self.language, "intent": self.intent, "aspects": list(self.aspects)}
        if self.subject is not None:
            summary["subject"] = self.subject.name
        if self.compared:
            summary["compared"] = [s.name for s in self.compared]
        if self.entities:
            summary["entities"] = list(self.entities)
        if facts:
            summary["facts"] = facts
        cues = self.cues.shown()
        if cues:
            summary["cues"] = cues
        return summary


def analyze_question(question: str, history: list[Message] | tuple[Message, ...] = (), subjects=None,
                     today: datetime.date | None = None, language: str | None = None, nearest=None) -> QuestionAnalysis:
    """The analysis of a validated question and its (already trimmed) history; `subjects` is a
    SubjectCatalogue (without one, no subject is read); `language` when the caller has detected it;
    `nearest` a NearestIntent (assistant/question/nearest.py), for a question no pattern names."""
    history = tuple(history)
    typed, question = question, sms_expanded(question)
    language = language or detect_language(question)
    asked = asked_part(question)  # a story's question: "Je dirige une ESN à Toulouse… Combien met-elle dans l'IA ?"
    # A story may end on a follow-up ("On est une start-up d'un an à Toulouse. Et son montant ?"): what it asks refers back.
    context = conversation_context(asked, list(history))
    facts = asker_facts(question, today or datetime.date.today(), language)
    subject = _subject(subjects, asked, question, language, facts.place) if subjects is not None else None
    if subject is None and subjects is not None and (needs_context(asked, list(history)) or len(own_terms(asked)) <= 1):
        # A follow-up: the subject of the conversation, from its latest user question that names one; a
        # question with its own object ("qui contacter pour un projet d'innovation ?") inherits none.
        for earlier in [context] + [m.content for m in reversed(history) if m.role == "user"]:
            subject = subjects.find(earlier) if earlier else None
            if subject is not None and subject.source:
                context = context or subject.name
                break
            subject = None
    stems = tuple(analyze(question))
    compared = tuple(subjects.find_all(question)) if subjects is not None else ()
    compared = compared if len(compared) >= 2 else ()
    intent = intent_of(asked) if asked != question else "other"
    intent = intent if intent != "other" else intent_of(question)
    if intent == "other" and nearest is not None:
        # "le pass occitanie ça tourne toujours ?": its words without the subject's name, near "ça marche encore".
        intent = nearest.intent(_without_name(asked, subject), language)[0]
    intent = _with_facts(intent, facts, question)
    cues = read_cues(question)
    if intent == "limit" and len(set(cues.dimensions)) >= 2:
        intent = "conditions"  # "conditions de taille et de chiffre d'affaires", "quelles tailles et faut-il être implanté ?"
    if subjects is not None and subject is None and intent == "amount":
        subject = subjects.find_core(asked) or subjects.find_core(question)  # "combien la Région met dans l'IA ?": the plan IA
    if subjects is not None and subject is None and intent == "contact":
        subject = subjects.contact  # who to contact for anything no programme of the question covers
    if intent == "matching" and not (subject is not None and subject.source and set(analyze(subject.name)) <= set(stems)):
        subject = None  # "startup" is no programme's name: every programme is checked (a name in full is kept:
        # the answerer checks that one programme when it has criteria, "avec un labo CNRS" is no programme asked)
    if intent == "definition" and subject is not None and subject.source:
        # "what's the tax advantage for investors?" asks about something of the subject, not what it is.
        extra = set(analyze(asked)) - set(analyze(subject.name)) - DEFINITION_WORDS
        if len(extra) >= 2:
            intent = "other"
    return QuestionAnalysis(
        question=question,
        typed=typed,
        asked=asked,
        language=language,
        context=context,
        asks=frozenset(kind for kind, pattern in ASKS.items() if pattern.search(question)),
        history=history,
        intent=intent,
        aspects=aspects_of(question),
        subject=subject,
        compared=compared,
        # the names of what is asked: a story's own names ("un incubateur de Montpellier") are no condition
        entities=tuple(e for e in subjects.entities(question if POINTS_BACK.search(asked) else asked, subject)
                       if e != facts.place) if subjects is not None else (),
        facts=facts,
        cues=cues,
        normalized=normalize(question),
        stems=stems,
    )


def asked_part(question: str) -> str:
    """What a question that tells a story first asks: its last sentence when it ends the question with a
    question mark ("Je viens de m'installer à Rodez … Ça sert à quoi ?"); else the whole question."""
    spans = split_sentences(question)
    if len(spans) < 2:
        return question
    last = question[spans[-1][0]:spans[-1][1]]
    return last if "?" in last else question


# The asked part of a story pointing back to what the story named: "… un nouveau dispositif Start'Oc Innovation. Combien pour lui ?"
POINTS_BACK = re.compile(r"\b(lui|il|elle|it|its|ce dispositif|cette aide|ce programme|ce prêt|ce bâtiment|ce fonds|cette entreprise"
                         r"|cette société|this (?:scheme|programme|loan|fund|company))\b"
                         r"|\bl['’](?:a|ont|avait|avaient|aura|auront)\b",
                         re.IGNORECASE)


def _subject(subjects, asked: str, question: str, language: str, place: str | None = None):
    """The subject the asked part names, else a programme the story names; a name with no document is
    taken from the asked part only (the story's "ESN", "Rodez" are no subject)."""
    found = subjects.find(asked, language)
    if asked == question:
        return found
    story = subjects.find(question, language)
    if story is not None and not story.source and (story.name == place or normalize(story.name) in REGION_PLACES):
        story = subjects.find(question.replace(story.name, " "), language)  # "un incubateur de Montpellier": a town
    if found is None:  # a name without a document only when the question points back to it ("combien pour lui ?")
        return story if story is not None and (story.source or POINTS_BACK.search(asked)) else None
    if story is not None and story.source and story != found and \
            set(analyze(asked)) & set(analyze(found.name)) <= set(analyze(story.name)):
        return story  # "notre banquier nous a parlé du Prêt Croissance TPE. C'est quel montant ce prêt ?": that loan
    return found


def _stems(question: str, words: frozenset[str], language: str) -> set[str]:
    """The question's terms; an English question's with their French glossary words too ("disruptive
    innovation" shares "rupture" with the sheets' exceptions)."""
    stems = set(analyze(question))
    if language == "en":
        stems |= {t for w in tokens(question) if w in GLOSSARY for t in analyze(GLOSSARY[w])}
    return stems


def _without_name(question: str, subject: Subject | None) -> str:
    """The question without the words of its subject's name: what it asks of the subject."""
    if subject is None:
        return question
    named = set(analyze(subject.name))
    kept = [w for w in re.findall(r"[\w'’-]+|[^\w\s]", question) if not (set(analyze(w)) and set(analyze(w)) <= named)]
    return " ".join(kept) or question


def intent_of(question: str) -> str:
    for intent, pattern in INTENTS:
        if pattern.search(question):
            return intent
    return "other"




WHICH = re.compile(r"\b(quel(?:le)?s?|lesquel\w*|which|what (?:kind|size|type)s?)\b", re.IGNORECASE)


def _with_facts(intent: str, facts: AskerFacts, question: str = "") -> str:
    """A question that tells the asker's age, size or form and asks for conditions asks "is it for me?";
    so does one whose only amount is the asker's own budget."""
    if facts.any and intent in ("conditions", "other", "definition", "status"):
        return "eligibility"
    if not facts.any and intent == "eligibility" and WHICH.search(question):
        return "conditions"  # "quelles tailles d'entreprises sont éligibles ?" asks the criteria, of no one in particular
    if facts.budget is not None and intent == "amount" and not ASKS_AMOUNT.search(question):
        return "eligibility"
    return intent


def aspects_of(question: str) -> tuple[str, ...]:
    """All the intents a question names, first named first: "montant et durée" -> amount, duration."""
    found = [(match.start(), intent) for intent, pattern in INTENTS if (match := pattern.search(question))]
    return tuple(intent for _, intent in sorted(found))


def asker_facts(question: str, today: datetime.date, language: str = "fr") -> AskerFacts:
    """What the asker says of their own company; nothing when the question speaks of someone else
    ("l'association X propose …" is no asker's legal form)."""
    if not ASKER.search(question):
        return AskerFacts(words=frozenset(normalize(question).split()), words_stemmed=frozenset(analyze(question)))
    age = created = None
    for pattern in AGE:
        match = pattern.search(question)
        if match:
            year = match.groupdict().get("year")
            created = int(year) if year else None
            age = Decimal(today.year - int(year)) if year else Decimal(match.group("n"))
            break
    staff = turnover = budget = None
    for quantity in amounts(question, written_out=True):
        if quantity.kind == "count" and quantity.unit in ("salarié", "employé", "personne") and staff is None:
            staff = quantity.high
        elif quantity.kind == "amount":
            before = question[max(0, quantity.span[0] - 40):quantity.span[0]]
            around = before + question[quantity.span[1]:quantity.span[1] + 12]  # "3 M€ de CA"
            if re.search(r"chiffre d'affaires|\bCA\b|turnover|revenue", around, re.IGNORECASE):
                turnover = quantity.high
            elif BUDGET.search(before) or BUDGET.search(question[quantity.span[1]:quantity.span[1] + 25]):
                budget = quantity.high
    if staff is None and (persons := PERSONS.search(question)):
        staff = Decimal(persons.group(1).replace(",", ""))  # "a 12-person company", "a 1,200-employee mid-cap"
    if staff is None and NO_STAFF.search(question):
        staff = Decimal(0)
    form = LEGAL_FORMS.search(question)
    place = PLACE.search(question)
    partner = False if NO_SME_PARTNER.search(question) else True if SME_PARTNER.search(question) else None
    words = frozenset(normalize(question).split())
    return AskerFacts(
        age_years=age,
        staff=staff,
        turnover=turnover,
        legal_form=form.group(1) if form else None,
        place=place.group("place") if place else None,
        words=words,
        words_stemmed=frozenset(_stems(question, words, language)),
        budget=budget,
        creation_year=created,
        partner_sme=partner,
        in_region=bool({w.strip(".,;:!?") for w in words} & REGION_PLACES),
        told_stemmed=frozenset(analyze(question[:len(question) - len(asked)])) if (asked := asked_part(question)) != question
        else frozenset(),
    )
