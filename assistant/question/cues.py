"""The cues of a question besides its intent, read once (assistant/question/analysis.py) so that no answerer
runs a pattern on the question: the extractive lead and short answer, the criteria and the LLM prompt
read these fields, and the provenance shows them.

- figure cues, for the lead: a total asked ("au total", "budget"), a unit the figure must be per ("par
  entreprise"), a second thing of the same kind ("montant total et part pour …"), the counted noun
  ("combien de salariés"), a deadline, an interest rate, a breakdown, a figure the question checks
  ("18 M€ c'est le budget total ?"), the aspect of a limit (age or size), the years it names and the
  figures it states;
- who a programme is for ("qui peut", "who can"); a threshold ("minimum", "seuil") or the project's
  expenses asked;
- the words it negates ("pas dans la biotech"), which are no fact about the asker;
- the span a short answer gives (`span_kind`: date, count, person, name, place, reason, manner, which,
  other) and the noun of a "quel … ?" question.
"""

import re
from dataclasses import asdict, dataclass

from assistant.text.figures import Quantity, amounts, years_named
from assistant.text.french import negated_terms, normalize

# --- figure cues --------------------------------------------------------------------------------------

# Words asking for a whole envelope: the largest amount about the subject is its total, the others its parts.
ASKS_TOTAL = re.compile(r"\b(total|au total|en tout|global\w*|budget|argent|overall|how much money|worth)\b", re.IGNORECASE)
# Words that ask for an amount, beyond an amount the asker states of themselves ("budget 25 000 € HT").
ASKS_AMOUNT = re.compile(r"\b(combien|montant|how much|quel(?:le)? (?:somme|aide|subvention|financement)|jusqu'à combien|plafond)\b",
                         re.IGNORECASE)
# A scheme described, not named: "la petite aide de la région pour les mini projets", "the Region's small grant".
SCHEME_WORDS = re.compile(r"\b(aides?|dispositifs?|subventions?|pr[êe]ts?|programmes?|grants?|schemes?|loans?)\b", re.IGNORECASE)
# The whole asked in so many words ("ça fait combien en tout ?"), not a "budget" that may be a part's.
ASKS_WHOLE = re.compile(r"\b(total|au total|en tout|overall|in total|altogether|in all)\b", re.IGNORECASE)
# The criteria a conditions question names ("quelles tailles … et faut-il être implanté ?"), by dimension.
DIMENSIONS_NAMED = [
    ("age", re.compile(r"\b([âa]ge|anciennet[ée]|ann[ée]es? d'existence|how old|age)\b", re.IGNORECASE)),
    ("staff", re.compile(r"\b(tailles?|effectifs?|salari[ée]s|employ[ée]s|employees|staff|sizes?|headcount|PME|TPE|ETI)\b",
                         re.IGNORECASE)),
    ("turnover", re.compile(r"\b(chiffre d'affaires|CA|turnover|revenue)\b", re.IGNORECASE)),
    ("place", re.compile(r"\b(implant[ée]e?s?|si[èe]ge|situ[ée]e?s?|localis[ée]e?s?|bas[ée]e?s?|based|located|where"
                         r"|(?:[êe]tre|be) (?:en|in) occitanie)\b",
                         re.IGNORECASE)),
    ("legal_form", re.compile(r"\b(forme juridique|statut juridique|legal form|SCI|SAS|SARL|association)\b", re.IGNORECASE)),
    ("budget", re.compile(r"\b(budget|d[ée]penses|co[uû]t du projet|expenses)\b", re.IGNORECASE)),
    ("partner", re.compile(r"\b(partenaires?|partners?|seul|alone|collaborati\w*)\b", re.IGNORECASE)),
]
# "par entreprise", "per company": the figure must be per that unit too.
PER_UNIT = re.compile(r"\b(?:par|pour chaque|per|each)\s+(entreprise|projet|bénéficiaire|dossier|start-?up|company|project"
                      r"|bo[iî]te|soci[ée]t[ée]|firm|business)",
                      re.IGNORECASE)
# A second thing of the same kind asked after "et": "montant total et part pour …", "combien de boîtes et de salariés".
SECOND_OF_KIND = re.compile(r"\bet\s+(?:la\s+|le\s+|les\s+|de\s+|d['’]\s?)?(?:part|dont|combien|montant|salari\w*|employ\w*"
                            r"|chercheurs|entreprises|boites|boîtes|projets)\b", re.IGNORECASE)
SECOND_NOUN = re.compile(r"\s*et\s+(?:de\s+|d['’]\s?|des\s+|les\s+)?(\w+)", re.IGNORECASE)
COUNTED_NOUN = re.compile(r"\b(?:combien d[e'’]\s?|how many\s+|nombre d[e'’]\s?)(\w+)", re.IGNORECASE)
ASKS_DEADLINE = re.compile(r"\b(date limite|deadline|cl[ôo]tur\w*|jusqu'?[àa] quand|avant quand|dernier d[ée]lai|closing date)\b",
                           re.IGNORECASE)
ASKS_INTEREST = re.compile(r"\b(int[ée]r[êe]ts?|interest|taux fixe|emprunt\w*|loan)\b", re.IGNORECASE)
BREAKDOWN = re.compile(r"\b(r[ée]parti\w*|ventil\w*|d[ée]tail\w*|d[ée]compos\w*|split|broken down|breakdown"
                       r"|vont o[uù]|o[uù] vont|servent [àa] quoi|go where|where (?:does|do) [^?]{0,40}\bgo)\b", re.IGNORECASE)
# A yes/no question about a figure it states: "18 M€ c'est le budget total ?", "a coûté 62 M€ c'est ça ?".
CHECKS_FIGURE = re.compile(r"(c'est (ça|bien|vrai|le|la|les)|est-ce|is it|right\s*\?|correct\s*\?|vraiment)", re.IGNORECASE)
# The aspect of a "limit" question: its age, its size.
LIMIT_KINDS = [(re.compile(r"[âa]ge|\bans\b|old|years?", re.IGNORECASE), ("duration",)),
               (re.compile(r"taille|effectif|salari|employ|staff|size", re.IGNORECASE), ("count",))]
# A threshold asked ("combien de R&D minimum ?", "seuil de dépenses"): what a criterion requires.
THRESHOLD = re.compile(r"\b(minimum|minimal\w*|min|seuil|au moins|at least|threshold)\b", re.IGNORECASE)
# The project's expenses asked ("quel montant de dépenses"), not the money a programme gives.
EXPENSES = re.compile(r"\bd[ée]penses\b|budget du projet|project budget|expenses", re.IGNORECASE)
WHO_FOR = re.compile(r"\b(qui peut|pour qui|quelles? (entreprises|boites|boîtes|structures)|who can|who is it for)\b", re.IGNORECASE)

# --- the short answer's span ----------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What span a question asks for, first match wins, over the question in the form `_question_form` gives
# (lowercase, accents folded, elisions and hyphens dropped: "Qu'est-ce qui" reads "est ce qui").
SPAN_ASKED: list[tuple[str, re.Pattern]] = [
    ("date", re.compile(r"\b(quand|en quelle annee|quelles? (annees?|dates?|epoque|periode|siecle|jour|mois)"
                        r"|a quel moment|what year|when)\b")),
    ("count", re.compile(r"\b(combien|comien|quels? (nombre|age|pourcentage|montant|prix|taux)|how (many|much)"
                         r"|quelle (somme|proportion|part|superficie|surface|taille|hauteur|longueur|distance"
                         r"|population|quantite))\b")),
    ("name", re.compile(r"\b(comment (se )?(appel|nomm|surnomm|dit|dis)\w*|quel est (son|le|leur) nom|quel nom"
                        r"|comment (est|sont|etait|etaient) (il |elle |ils |elles )?(appel|nomm|surnomm)\w*)")),
    ("person", re.compile(r"\b(qui|who)\b")),
    ("place", re.compile(r"\b(ou|where)\b")),
    ("reason", re.compile(r"\b(pourquoi|pour quelle raison|why)\b")),
    ("manner", re.compile(r"\b(comment|de quelle (maniere|facon)|how)\b")),
    ("which", re.compile(r"\b(quel|quelle|quels|quelles|lequel|laquelle|lesquels|lesquelles|which)\b")),
]
# "qu'est-ce qui", "ce qui", "quel … qui": not a person asked for.
NOT_PERSON = re.compile(r"\b(est ce qui|ce qui|quel\w* [^?]*\bqui)\b")
# "où" as the question word ("Où…", "D'où…", "… se trouve où ?"), not "ou" (or) inside a question.
PLACE_ASKED = re.compile(r"^\W*(par |jusqu )?ou\b|\bou (se|s|est|sont|a|ont|etait|etaient|fut|vi\w*|trouv\w*|situ\w*"
                         r"|habit\w*|nai\w*|mour\w*|\w+ent)\b|\bou\W*$|\bwhere\b")
ASKED_NOUN = re.compile(r"\b(?:quel|quelle|quels|quelles|lequel|laquelle)\s+(?:(?:est|sont|etait|etaient|fut|furent)\s+)?"
                        r"(?:(?:le|la|les|son|sa|ses|leur|leurs)\s+)?(?:(?:premier|premiere|dernier|derniere|principal|"
                        r"principale|plus \w+|autre)\s+)?(\w+)(?:\s+(?:du|de la|des|de|d)\s+(\w+))?")
# Nouns of a "quel … ?" question that ask for a kind of span, not for the noun itself.
NOUN_KINDS = {
    "date": _words("annee date jour mois siecle epoque periode moment"),
    "count": _words("nombre age pourcentage montant somme proportion part taux superficie taille hauteur longueur prix "
                    "vitesse poids masse temperature altitude profondeur distance duree capacite population effectif"),
    "person": _words("roi reine pape empereur president pilote joueur auteur artiste ecrivain peintre compositeur "
                     "fondateur dirigeant chef general personnage personne homme femme fils fille pere mere frere "
                     "soeur epouse mari ministre entraineur createur inventeur architecte musicien chanteur acteur "
                     "philosophe"),
    "place": _words("ville pays region lieu endroit continent ile fleuve riviere mer ocean departement province "
                    "capitale"),
}
GENERIC_NOUNS = _words("nom type sorte genre forme espece titre role")


@dataclass(frozen=True)
class Cues:
    """What a question says beyond its intent, each field read once from the question."""

    total: bool = False  # asks for a whole envelope: "au total", "budget"
    whole: bool = False  # the whole in so many words: "en tout", "au total" (a "budget" may be a part's)
    dimensions: tuple[str, ...] = ()  # the criteria it names, first named first: ("staff", "place")
    scheme: bool = False  # it speaks of a scheme ("l'aide", "the grant"): retrieval may say which
    amount_asked: bool = False  # words that ask an amount ("combien", "montant"), beyond an amount the asker states
    per_unit: str | None = None  # "par entreprise" -> "entreprise": the figure must be per that unit
    second: str | None = None  # "… et de salariés": the question from the second thing of the kind asked
    second_noun: str | None = None  # its noun: "salariés"
    counted_noun: str | None = None  # "combien de salariés" -> "salariés"
    deadline: bool = False  # a closing date, not the day a scheme starts
    interest: bool = False  # an interest rate, not any percent
    breakdown: bool = False  # "ça se répartit comment ?"
    checks_figure: bool = False  # a yes/no form about a figure it states: "18 M€, c'est bien …", "is it €60m"
    limit_kinds: tuple[str, ...] = ()  # the figure kinds of a limit: ("duration",) for an age, ("count",) for a size
    who_for: bool = False  # "qui peut", "who can": the beneficiaries first
    threshold: bool = False  # "minimum", "seuil": the figure a criterion requires
    expenses: bool = False  # "quel montant de dépenses": the project's budget a criterion sets
    years: frozenset[int] = frozenset()  # the years it names, ranges spelt out
    stated: tuple[Quantity, ...] = ()  # the figures it states itself
    negated: frozenset[str] = frozenset()  # stems after a negation: "pas dans la biotech" -> {"biotech"}
    span_kind: str = "other"  # the short answer's kind of span (SPAN_ASKED keys, or "other")
    span_noun: str | None = None  # the noun of a "quel … ?" question: "Quelle ville …" -> "ville"

    def shown(self) -> dict:
        """The cues set, for the provenance: {"total": True, "per_unit": "entreprise", …}."""
        shown = {}
        for name, value in asdict(self).items():
            if value in (None, False, (), frozenset(), "other"):
                continue
            if name == "stated":
                value = [q.text for q in self.stated]
            elif isinstance(value, frozenset):
                value = sorted(value)
            shown[name] = value
        return shown


def read_cues(question: str) -> Cues:
    """The cues of `question`, as validated (assistant/question/analysis.py reads them once)."""
    second = SECOND_OF_KIND.search(question)
    focus = question[second.start():] if second else None
    second_noun = SECOND_NOUN.match(focus) if focus else None
    counted = COUNTED_NOUN.search(question)
    per = PER_UNIT.search(question)
    span_kind, span_noun = _span_asked(_question_form(question))
    stated = tuple(amounts(question))
    return Cues(
        total=bool(ASKS_TOTAL.search(question)),
        whole=bool(ASKS_WHOLE.search(question)),
        dimensions=_dimensions_named(question),
        amount_asked=bool(ASKS_AMOUNT.search(question)),
        scheme=bool(SCHEME_WORDS.search(question)),
        per_unit=per.group(1) if per else None,
        second=focus,
        second_noun=second_noun.group(1) if second_noun else None,
        counted_noun=counted.group(1) if counted else None,
        deadline=bool(ASKS_DEADLINE.search(question)),
        interest=bool(ASKS_INTEREST.search(question)),
        breakdown=bool(BREAKDOWN.search(question)),
        checks_figure=bool(stated and CHECKS_FIGURE.search(question)),
        limit_kinds=next((kinds for pattern, kinds in LIMIT_KINDS if pattern.search(question)), ()),
        who_for=bool(WHO_FOR.search(question)),
        threshold=bool(THRESHOLD.search(question)),
        expenses=bool(EXPENSES.search(question)),
        years=frozenset(years_named(question)),
        stated=stated,
        negated=frozenset(negated_terms(question)),
        span_kind=span_kind,
        span_noun=span_noun,
    )


def _span_asked(text: str) -> tuple[str, str | None]:
    """(kind, noun) of the span asked, `text` in question form; a "quel <noun>" takes the noun's kind."""
    kind = next((kind for kind, pattern in SPAN_ASKED if pattern.search(text)
                 and not (kind == "person" and NOT_PERSON.search(text))
                 and not (kind == "place" and not PLACE_ASKED.search(text))), "other")
    match = ASKED_NOUN.search(text)
    noun = None
    if match:
        noun = match.group(2) if match.group(1) in GENERIC_NOUNS and match.group(2) else match.group(1)
    if kind == "which" and noun:
        kind = next((k for k, nouns in NOUN_KINDS.items() if noun in nouns or noun.rstrip("sx") in nouns), kind)
    return kind, noun


def _question_form(question: str) -> str:
    return " ".join(normalize(question).replace("-", " ").split())


def _dimensions_named(question: str) -> tuple[str, ...]:
    found = [(match.start(), dimension) for dimension, pattern in DIMENSIONS_NAMED if (match := pattern.search(question))]
    return tuple(dimension for _, dimension in sorted(found))
