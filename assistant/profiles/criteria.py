"""Criteria read from one sentence: what a programme requires of who asks for it.

- a bounded figure of one dimension: age ("doivent avoir moins de 8 ans"), staff ("de 3 à 50
  salariés", "au moins un salarié"), turnover ("chiffre d'affaires inférieur à 10 M€"), the project's
  budget ("au moins 40 000 € HT de dépenses éligibles");
- an exception that replaces the general limit when its condition holds: "portée à 5 ans pour les
  start-up qui portent une innovation de rupture" (the asker's words), "les entreprises créées entre
  2013 et fin 2022 conservent une limite d'âge de 11 ans" (a creation period);
- an exclusion ("les SCI et les entreprises individuelles sont exclues"), a partner rule ("les ETI …
  ne peuvent bénéficier … qu'aux côtés de PME"), a place ("son siège … en Occitanie"), or any other
  requirement ("doivent proposer une ou plusieurs innovations fortes ou de rupture"), to check.

Shared by the profiles (assistant/profiles/builder.py) and the sentence path of the extractive
answerer (assistant/answering/extractive/criteria.py): one reading of a criterion.
"""

import re
from decimal import Decimal

from assistant.profiles.model import Condition, Criterion, Fact
from assistant.text.figures import Quantity, amounts, figure_span
from assistant.text.french import analyze, negated_terms

CONDITION = re.compile(
    r"\b(doi(?:t|vent)|s'adresse|s’adresse|destin[ée]e?s? aux|r[ée]serv|exclu|[ée]ligible|ouvert aux|peuvent|peut b[ée]n[ée]ficier|limite"
    r"|ne peut|must|required|open to|eligib|condition|crit[èe]re|conservent|exige)",
    re.IGNORECASE,
)
EXCEPTION = re.compile(r"\bport[ée]e? [àa]\b.*?\bpour (?:les|la|le|l')\s*(?P<who>[^,.;]+)", re.IGNORECASE)
CREATED_BETWEEN = re.compile(r"\bcr[ée]{2}e?s? entre (?:le )?(?:\d{1,2} \w+ )?(?P<first>(?:19|20)\d{2}) et (?:fin |le )?(?:\d{1,2} \w+ )?"
                             r"(?P<last>(?:19|20)\d{2})", re.IGNORECASE)
FUNDING = re.compile(r"\b(dot[ée]e?s?|dotation|budget|enveloppe|financ\w*|M€)", re.IGNORECASE)
EXCLUDED = re.compile(r"\bexclu", re.IGNORECASE)
TURNOVER = re.compile(r"chiffre d.affaires|\bCA\b|turnover", re.IGNORECASE)
BUDGET = re.compile(r"d[ée]penses|budget|co[uû]t du projet|assiette", re.IGNORECASE)
# "les ETI et les grandes entreprises ne peuvent bénéficier du Contrat Innovation qu'aux côtés de PME":
# a rule for whom it names only, with the partner it requires when it names one.
RESTRICTED = re.compile(r"^(?P<who>(?:les |une? )?[\w' -]{2,60}?)\s+ne (?:peu\w+|sont) [^.;]*?\bqu(?:e|['’])\s?"
                        r"(?P<rest>[^.;]+)", re.IGNORECASE)
REQUIRES = re.compile(r"\b(doi(?:t|vent)|must|exige\w*|required|il faut|s'adresse|s’adresse|r[ée]serv\w*|destin[ée]e?s? aux"
                      r"|ouvert aux|limite)\b", re.IGNORECASE)
PARTNER = re.compile(r"aux côtés d[e'’]s?\s*(?P<partner>\w+)", re.IGNORECASE)
PLACE = re.compile(r"\b(?:siège|site|implant\w*|établissement)\b[^.;]{0,60}?\ben (?P<place>Occitanie)\b", re.IGNORECASE)
# A requirement that binds whoever applies ("les entreprises qui demandent … doivent avoir"), not an aim.
APPLICANT = re.compile(r"\b(qui demande\w*|candidat\w*|b[ée]n[ée]ficiaires?|doi(?:t|vent) (avoir|proposer|compter|disposer|être))",
                       re.IGNORECASE)
FRENCH_BOUNDS = {"<": "moins de", "<=": "au plus", ">": "plus de", ">=": "au moins", "~": "environ"}
ENGLISH_BOUNDS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least", "~": "about"}
ENGLISH_UNITS = {"an": "years", "mois": "months", "salarié": "employees", "employé": "employees", "€": "€"}
REQUIREMENT_CHARS = 110
EXCEPTION_CHARS = 70  # an exception quoted in a lead: its first words


def dimension(quantity: Quantity, text: str) -> str | None:
    """The dimension a bounded figure of a condition sentence limits, or None."""
    if quantity.kind == "duration" and quantity.unit == "an":
        return "age"
    if quantity.kind == "count" and quantity.unit in ("salarié", "employé"):
        return "staff"
    if quantity.kind == "amount":
        before = text[max(0, quantity.span[0] - 50):quantity.span[0]]
        if TURNOVER.search(before):
            return "turnover"
        if BUDGET.search(text[max(0, quantity.span[0] - 60):quantity.span[1] + 40]) and quantity.bound in ("<", "<=", ">", ">="):
            return "budget"
    return None


def within(value: Decimal, bound: str | None, low: Decimal, high: Decimal) -> bool:
    if bound == "<":
        return value < high
    if bound == "<=":
        return value <= high
    if bound == ">":
        return value > low
    if bound == ">=":
        return value >= low
    return low <= value <= high


FRENCH_UNITS = {"an": "ans", "mois": "mois", "salarié": "salariés", "employé": "salariés", "€": "€"}


def describe_limit(criterion: Criterion, language: str, bound: str | None = None) -> str:
    """A criterion's limit for a lead: "moins de 8 ans"; an exception with the general rule's bound and
    its condition, "moins de 5 ans (portée à 5 ans pour les start-up qui …)"; in English "less than 8
    years (« moins de 8 ans »)"."""
    bound = bound or criterion.bound
    if criterion.high is None:
        return criterion.phrase
    if criterion.condition is None:
        french = criterion.figure or criterion.phrase
    else:
        french = f"{FRENCH_BOUNDS.get(bound, '')} {plain(criterion.high)} {FRENCH_UNITS.get(criterion.unit, criterion.unit)}".strip()
        french = f"{french} ({criterion.phrase})"
    if language != "en":
        return french
    unit = ENGLISH_UNITS.get(criterion.unit, criterion.unit)
    low, high = criterion.low, criterion.high
    value = f"{plain(low)}-{plain(high)}" if low is not None and low != high and bound is None else plain(high)
    return f"{ENGLISH_BOUNDS.get(bound, '')} {value} {unit}".strip() + f" (« {french} »)"


def describe(text: str, quantity: Quantity, language: str, bound: str | None = None) -> str:
    """The limit as the sentence writes it ("moins de 8 ans"), or in English ("less than 8 years");
    `bound`: the general rule's, for an exception that writes none ("portée à 7 ans")."""
    bound = bound or quantity.bound
    if language != "en":
        span = figure_span(text, quantity)
        if bound and span == quantity.text and not span.lower().startswith(tuple(FRENCH_BOUNDS.values())):
            span = f"{FRENCH_BOUNDS.get(bound, '')} {span}".strip()
        return span
    unit = ENGLISH_UNITS.get(quantity.unit, quantity.unit)
    value = f"{plain(quantity.low)}-{plain(quantity.high)}" if quantity.low != quantity.high else plain(quantity.high)
    english = f"{ENGLISH_BOUNDS.get(bound, '')} {value} {unit}".strip()
    return f"{english} (« {describe(text, quantity, 'fr', bound)} »)"  # and as the French source writes it


def plain(value: Decimal) -> str:
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value}"
    return text.replace(",", "\u202f")


def read_criteria(text: str, fact: Fact) -> list[Criterion]:
    """The criteria one sentence states (`text` without its "Selon X," opening), or [] when it states none."""
    if not CONDITION.search(text):
        return []
    restricted = RESTRICTED.search(text)
    if restricted:
        partner = PARTNER.search(restricted.group("rest"))
        who = re.sub(r"^(?:les|une?)\s+", "", restricted.group("who").strip(), flags=re.IGNORECASE)
        return [Criterion(dimension="partner", phrase=_clause(text), terms=[partner.group("partner")] if partner else [],
                          applies_to=[re.sub(r"^(?:les|la|le)\s+", "", w.strip(), flags=re.IGNORECASE)
                                      for w in re.split(r"\s+et\s+|,\s*", who)], fact=fact)]
    if EXCLUDED.search(text):
        return [Criterion(dimension="legal_form", phrase=_clause(text), terms=_excluded(text), fact=fact)]
    found = _limits(text, fact)
    if found:
        return found
    place = PLACE.search(text)
    if place:
        return [Criterion(dimension="place", phrase=_requirement(text), terms=[place.group("place")], fact=fact)]
    if FUNDING.search(text):  # "doit être doté de 2 à 5 M€": the scheme's money, not a condition
        return []
    if not REQUIRES.search(text):  # "… peuvent demander un Contrat Innovation": a permission, not a condition
        return []
    phrase = _requirement(text)
    return [Criterion(dimension="other", phrase=phrase, terms=sorted(set(analyze(phrase))), fact=fact)] if len(phrase) > 10 else []


def _limits(text: str, fact: Fact) -> list[Criterion]:
    """Bounded figures by dimension; an exception's figure with its condition."""
    exception = EXCEPTION.search(text)
    created = CREATED_BETWEEN.search(text)
    bounded = [(q, dimension(q, text)) for q in amounts(text, written_out=True)]
    bounded = [(q, d) for q, d in bounded if d and not (created and q.kind == "year")]
    if exception or created:
        condition = (Condition(text=created.group(0), created_from=int(created.group("first")), created_to=int(created.group("last")))
                     if created else
                     Condition(text=exception.group("who").strip(),
                               terms=sorted(set(analyze(exception.group("who"))) - negated_terms(exception.group("who")))))
        told = (exception or created).group(0).strip()
        told = told if len(told) <= EXCEPTION_CHARS else told[:EXCEPTION_CHARS].rsplit(" ", 1)[0] + " …"
        return [Criterion(dimension=d, phrase=told, figure=q.text, unit=q.unit, low=q.low, high=q.high,
                          bound=q.bound, condition=condition, fact=fact)
                for q, d in bounded if q.kind != "year"][:1]
    bounded = [(q, d) for q, d in bounded if q.bound in ("<", "<=", ">", ">=") or q.low != q.high]
    by_dimension: dict[str, list[Quantity]] = {}
    for quantity, found in bounded:
        by_dimension.setdefault(found, []).append(quantity)
    def limit(d: str, q: Quantity, alternatives: list[Criterion]) -> Criterion:
        phrase = describe(text, q, "fr")
        return Criterion(dimension=d, phrase=phrase, figure=phrase, unit=q.unit, low=q.low, high=q.high, bound=q.bound,
                         fact=fact, alternatives=alternatives)

    return [limit(d, limits[0], [limit(d, q, []) for q in limits[1:]]) for d, limits in by_dimension.items()]


def _excluded(text: str) -> list[str]:
    """What an exclusion lists: "les SCI et les entreprises individuelles sont exclues" -> SCI,
    entreprises individuelles; "sont exclus du Pass Occitanie les activités financières, …"."""
    before = re.search(r"^(?P<items>.+?)\s+(?:sont|est)\s+(?:notamment\s+)?exclu", text, re.IGNORECASE)
    after = re.search(r"exclu\w*\s+(?:du|de la|de l['’]|des)\s+.+?\s+(?P<items>(?:les|la|le|l['’])\s?.+)$", text, re.IGNORECASE)
    listed = before.group("items") if before else after.group("items") if after else ""
    listed = re.sub(r",?\s*\b(?:sauf|à l['’]exception)\b.*$", "", listed, flags=re.IGNORECASE)
    items = (re.sub(r"^(?:les|la|le|l['’]|des)\s*", "", item.strip(" .")) for item in re.split(r",\s*|\s+et\s+", listed))
    return [item for item in items if len(item) > 2]


def _clause(text: str) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= REQUIREMENT_CHARS else text[:REQUIREMENT_CHARS].rsplit(" ", 1)[0] + " …"


def _requirement(text: str) -> str:
    """What a condition sentence requires, from its verb on ("doivent proposer …" -> "il faut proposer …")."""
    match = re.search(r"\b(?:doi(?:t|vent)|must)\s+", text, re.IGNORECASE)
    rest = f"il faut {text[match.end():]}" if match else text
    return _clause(rest)
