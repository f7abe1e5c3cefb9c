"""Parts of a document sentence that a lead reuses: who the sentence says it is quoting ("Selon La
Tribune (26 novembre 2018), …"), the clause that carries a figure, and the figures that only date a
source ("(janvier 2022)", "le communiqué du 22 mai 2024")."""

import re

from assistant.text.french import ATTRIBUTION, without_attribution

# The "Selon le communiqué de la Région Occitanie du 22 mai 2024, …" opening: assistant/text/french.py ATTRIBUTION.
# "… contre 5 M€ par an votés selon Le Journal des Entreprises (article non daté), …": who follows a value.
FOLLOWING_SOURCE = re.compile(r"^[^;.]{0,40}?\bselon\s+(?P<who>(?:[^,;(]|\([^)]*\)){3,120})", re.IGNORECASE)
PARENTHESISED = re.compile(r"\([^)]*\)")
BOUNDARY = re.compile(r", | ; | : | – ")
# A date right after a publication's name dates that publication: "le communiqué … du 22 mai 2024".
SOURCE_DATE = re.compile(
    r"\b(?:communiqué|article|page|fiche|publi[ée]e?|mise à jour|dépêche|rapport)\b[^.,;]{0,60}?\b(?:du|de|le|en)\s*$",
    re.IGNORECASE,
)
# Sentences in which a document says it does not know ("les sources ne précisent pas ...").
NOT_DOCUMENTED = re.compile(
    r"\b(ne (pr[ée]cisent|donnent|indiquent|d[ée]crivent|mentionnent) (pas|ni)|aucune source (consult[ée]e )?ne|"
    r"n'(indiquent|ont) pas|non (trouv[ée]|relev[ée])s? (de|d')|pas de (page|source) officielle)",
    re.IGNORECASE,
)
CLAUSE_CHARS = 200
QUOTE_CHARS = 300  # a quoted sentence longer than this is quoted from the clause that holds the answer  # a clause quoted inside a lead is cut at a comma or semicolon below this
MIN_CLAUSE = 40  # ...but not so early that the clause says nothing


def clause(text: str, limit: int = CLAUSE_CHARS) -> str:
    """The sentence without its opening attribution, cut at a clause boundary outside parentheses."""
    text = without_attribution(text)
    if len(text) > limit:
        cut = _last_cut(text, limit)
        text = text[:cut] if cut else text[:limit].rsplit(" ", 1)[0] + " …"
    return text.rstrip(" .;:,")


def quoted_clause(text: str, limit: int = CLAUSE_CHARS) -> str:
    """An exact span of `text` for a lead to quote: after the "Selon X," opening, up to a clause boundary."""
    opening = ATTRIBUTION.match(text)
    rest = text[opening.end():] if opening and opening.end() < len(text) - 20 else text
    return first_clause(rest, limit).rstrip(" .;:,")


def first_clause(text: str, limit: int = CLAUSE_CHARS) -> str:
    """An exact prefix of `text` ending at a clause boundary (outside parentheses) within `limit`."""
    if len(text) <= limit:
        return text
    cut = _last_cut(text, limit)
    return text[:cut] if cut else text


def clause_around(text: str, start: int, end: int, limit: int = QUOTE_CHARS) -> tuple[int, int]:
    """Offsets of the exact clause(s) of `text` holding text[start:end], within `limit` characters
    when the sentence is longer: from the clause boundary before to the one after."""
    if len(text) <= limit:
        return 0, len(text)
    bounds = _boundaries(text)
    left = max((m.end() for m in bounds if m.end() <= start), default=0)
    right = min((m.start() for m in bounds if m.start() >= end), default=len(text))
    if right - left < MIN_CLAUSE:  # too short to stand alone: the whole sentence
        return 0, len(text)
    return left, right


def _boundaries(text: str) -> list[re.Match]:
    """The clause boundaries of `text` (", ", " ; ", " : ", " – ") that are not inside parentheses."""
    inside = [m.span() for m in PARENTHESISED.finditer(text)]
    return [m for m in BOUNDARY.finditer(text) if not any(a < m.start() < b for a, b in inside)]


def _last_cut(text: str, limit: int) -> int | None:
    """Where the last boundary within `limit` begins, past MIN_CLAUSE characters; None when there is none."""
    cuts = [m.start() for m in _boundaries(text) if m.end() <= limit and m.start() > MIN_CLAUSE]
    return cuts[-1] if cuts else None


def quoted_source(text: str, at: int | None = None) -> str | None:
    """Who the sentence cites for the figure ending at `at` ("selon X" right after it), else for the
    whole sentence (its "Selon X," opening); None when it names nobody."""
    if at is not None:
        following = FOLLOWING_SOURCE.match(text[at:])
        if following:
            return following.group("who").strip().rstrip(".")
    opening = ATTRIBUTION.match(text)
    return opening.group("who").rstrip(".") if opening else None


def dates_a_source(text: str, start: int) -> bool:
    """The figure at `start` is inside parentheses, in the "Selon …" opening, or right after a
    publication's name: it tells when a source spoke, not what it said."""
    opening = ATTRIBUTION.match(text)
    if opening and start < opening.end():
        return True
    if any(a <= start < b for a, b in (m.span() for m in PARENTHESISED.finditer(text))):
        return True
    return bool(SOURCE_DATE.search(text[:start]))
