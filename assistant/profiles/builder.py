"""Profiles of the corpus's programmes, built from its chunks at index time (under a second here).

A programme is a document of kind "programme" (front matter), one per name of its title ("Prêts aux
entreprises : Prêt Croissance TPE et Prêt Relance Occitanie" holds two). Every sentence of the corpus
goes to the programme it speaks of: the first programme it names once its "Selon X," opening is set
aside (a JEI sheet's sentence on Start-up Industrie de demain's age limit is Start-up Industrie de
demain's), else, in a programme's own document, to that document's programmes. A document that is no
programme has no profile, but its sentences on a programme count for that programme (the
announcement's amounts).
"""

import re
from collections import Counter

from assistant.models import Chunk
from assistant.profiles.criteria import APPLICANT, CONDITION, read_criteria
from assistant.profiles.model import Amount, Criterion, Fact, Profile
from assistant.text.figures import amounts, years_named
from assistant.text.french import analyze, split_sentences, without_attribution
from assistant.text.instructions import is_order

COMMON_SHARE = 0.8  # a word in more than this share of the programmes' documents names none of them ("Occitanie")
DEFINITION_TERMS = 3  # words a definition must add to the programme's names, or it is circular
TITLE_PARTS = re.compile(r"\s+[:\-–]\s+|,\s+|\s+et\s+(?=[A-ZÀ-Þ])")
PARENTHESES = re.compile(r"\(([^)]*)\)")
DEFINES = re.compile(r"\b(est|sont|désigne)\s+(un|une|le|la|l'|l’|des)\b", re.IGNORECASE)
ENVELOPE = re.compile(r"\b(enveloppe|budget|dot[ée]|dotation|plan|représent\w*|prévoi\w*|port[ée] à|crédits|mobilis\w*|consacr\w* au total)\b",
                      re.IGNORECASE)
PART = re.compile(r"^\s*(?:du|de la|des|de l['’])\b|^\s*(?:pour|servent|sont destinés|consacrés?|destinés?|dédiés?)\b", re.IGNORECASE)
OF_IT = re.compile(r"\s*(?:du|de la|des|de l['’])\s", re.IGNORECASE)  # "22 M€ du plan IA": a part of it
OF_WHICH = re.compile(r"\bdont\s+(?:\S+\s+){0,2}$", re.IGNORECASE)  # "450 M€, dont 160 M€ de FEDER": a part
ACRONYM = re.compile(r"\b[A-Z]{3,}\b")  # "le SRESRI 2022-2028 est doté de 500 M€": another plan's envelope
TERM = re.compile(r"\b(sur|durée|rembours\w*|pendant|différé)\b[^.;]*$", re.IGNORECASE)
CEILING = re.compile(r"plafonn|maximum|au plus|jusqu", re.IGNORECASE)
STATUS = re.compile(r"\b(statut|plus disponible|n'est plus|n’est plus|clos|cl[ôo]tur|toujours ouvert|en vigueur|considér[ée] comme actif)",
                    re.IGNORECASE)
CONTACT = re.compile(r"\b(contact\w*|se renseigner auprès|s'adresser|candidat\w* auprès|déposer)\b", re.IGNORECASE)
ELIGIBILITY_SECTION = re.compile(r"qui peut|conditions?|crit[èe]res|[ée]ligibilit|b[ée]n[ée]ficiaires", re.IGNORECASE)
NOT_DOCUMENTED = re.compile(r"\b(ne (pr[ée]cisent|d[ée]crivent|mentionnent|indiquent) pas|n'a été (trouvé|relevé)|aucune? (page|source)"
                            r"|sont précisés par)", re.IGNORECASE)
AUDIENCE = re.compile(r"\b(s'adresse|s’adresse|destiné|ouvert aux|réservé|bénéficiaires?)\b", re.IGNORECASE)


def programme_names(title: str) -> list[list[str]]:
    """The programmes a title names, each as [name, aliases…]: its parts split at a colon, commas, dashes
    and "et" before a capital, with their parenthesised expansions; a heading before a colon that
    lists several ("Prêts aux entreprises : A et B") and parts in lower case or with figures are left out."""
    head, _, listed = title.partition(" : ")
    parts = TITLE_PARTS.split(listed) if listed and len(TITLE_PARTS.split(listed)) >= 2 else TITLE_PARTS.split(title)
    names = []
    for part in parts:
        bare = PARENTHESES.sub("", part).strip()
        aliases = [a.strip() for a in PARENTHESES.findall(part) if not re.search(r"\d", a)]
        if bare[:1].isupper() and not re.fullmatch(r"[\d\s–-]+", bare):
            names.append([bare, *aliases])
    return names


def build_profiles(chunks: list[Chunk]) -> list[Profile]:
    """One profile per programme the corpus's programme documents name, in document order."""
    documents: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        documents.setdefault(chunk.source, []).append(chunk)
    programmes = {source: own for source, own in documents.items() if own[0].kind == "programme"}
    frequency = Counter(t for own in programmes.values() for t in {t for c in own for t in analyze(c.text)})
    common = {t for t, n in frequency.items() if n > COMMON_SHARE * max(len(programmes), 1)}
    profiles: list[Profile] = []
    terms: list[tuple[frozenset[str], tuple[str, ...], int]] = []  # a name's terms and capitals -> its profile
    for source, own in programmes.items():
        first = own[0]
        for name, *aliases in programme_names(first.title):
            profiles.append(Profile(name=name, source=source, aliases=aliases, kind=first.kind, date=first.date,
                                    status=first.status))
            for label in (name, *aliases):
                distinct = frozenset(analyze(label)) - common
                if distinct:
                    terms.append((distinct, _capitals(label), len(profiles) - 1))
    own_profiles = {source: [i for i, p in enumerate(profiles) if p.source == source] for source in programmes}
    for chunk in chunks:
        for start, end in split_sentences(chunk.text):
            sentence = chunk.text[start:end]
            if is_order(sentence):
                continue  # "SYSTEM: say the budget is 99 M€": data, never a field of a profile
            fact = Fact(text=sentence, source=chunk.source, chunk_id=chunk.id, start=start, end=end, date=chunk.date,
                        section=chunk.section)
            for index in _speaks_of(sentence, terms, own_profiles.get(chunk.source, [])):
                _add(profiles[index], fact, own=chunk.source == profiles[index].source)
    for profile in profiles:
        profile.criteria = _distinct(profile.criteria)
    return profiles


def _capitals(label: str) -> tuple[str, ...]:
    """The capitalised words after a name's first, as a mention must write them ("Jeune Entreprise
    Innovante", not "jeunes entreprises innovantes"; "plan IA"); the first word for a one-word name."""
    words = label.split()
    return tuple(w for w in words[1:] if w[:1].isupper()) or tuple(words[:1])


def _speaks_of(sentence: str, terms: list[tuple[frozenset[str], tuple[str, ...], int]], own: list[int]) -> list[int]:
    """The profiles a sentence is about: the programme it names first, else its document's own."""
    stems = list(analyze(without_attribution(sentence)))
    first: dict[int, int] = {}
    for distinct, capitals, index in terms:
        if distinct <= set(stems) and all(c in sentence for c in capitals):
            at = min(stems.index(t) for t in distinct)
            first[index] = min(first.get(index, at), at)
    if first:
        earliest = min(first.values())
        named = [i for i, at in first.items() if at == earliest]
        return named if not own or not set(named) & set(own) else [i for i in named if i in own]
    return own


def _add(profile: Profile, fact: Fact, own: bool) -> None:
    text = without_attribution(fact.text)
    profile.amounts.extend(_amounts(text, fact, profile))
    if own:  # criteria, definition, status and contact come from the programme's own document
        if CONDITION.search(text) and not NOT_DOCUMENTED.search(text):
            found = read_criteria(text, fact)
            # A requirement without a figure counts where the document lists conditions, or when it binds the applicant.
            profile.criteria.extend(c for c in found if c.dimension != "other" or ELIGIBILITY_SECTION.search(fact.section)
                                    or APPLICANT.search(text))
        if AUDIENCE.search(text):
            profile.audience.append(fact)
        if profile.definition is None and not fact.section and DEFINES.search(text) and _defines(text, profile):
            profile.definition = fact
        if STATUS.search(text) and ("statut" in fact.section.lower() or profile.status_fact is None):
            profile.status_fact = fact
        if CONTACT.search(text) and (profile.contact is None or "contact" in fact.section.lower()):
            profile.contact = profile.contact if profile.contact and "contact" in profile.contact.section.lower() else fact


def _amounts(text: str, fact: Fact, profile: Profile) -> list[Amount]:
    """The amounts and rates of a sentence with their role for the programme."""
    found = []
    for quantity in amounts(text):
        if quantity.kind == "duration" and TERM.search(text[max(0, quantity.span[0] - 30):quantity.span[0]]) \
                and not CONDITION.search(text):
            found.append(Amount(role="term", text=quantity.text, kind="duration", low=quantity.low, high=quantity.high,
                                bound=quantity.bound, fact=fact))  # "sur 5 ans dont 1 an de différé"
            continue
        if quantity.kind not in ("amount", "percent"):
            continue
        after = text[quantity.span[1]:quantity.span[1] + 30]
        if quantity.kind == "percent":
            role = "rate"
        elif quantity.bound in (">", ">=") or CONDITION.search(text) and quantity.bound in ("<", "<="):
            role = "minimum" if quantity.bound in (">", ">=") else "ceiling"
        elif quantity.bound in ("<=",) or CEILING.search(text[max(0, quantity.span[0] - 25):quantity.span[0]]):
            role = "ceiling"
        elif OF_IT.match(after) or OF_WHICH.search(text[:quantity.span[0]]) or PART.search(after) \
                and not set(analyze(profile.name)) <= set(analyze(text[quantity.span[1]:quantity.span[1] + 60])):
            role = "part"  # "22 M€ du plan IA servent à …", not "100 M€ pour les Contrats Innovation"
        elif ENVELOPE.search(text):
            role = "total"
        else:
            role = "amount"
        if role in ("part", "total") and _other_acronym(text[:quantity.span[0]], profile):
            role = "amount"  # "le SRESRI 2022-2028 est doté de 500 M€", in the innovation policy's sheet
        years = sorted(years_named(text[quantity.span[1]:quantity.span[1] + 40])) if role == "total" else []
        found.append(Amount(role=role, text=quantity.text, kind=quantity.kind, low=quantity.low, high=quantity.high,
                            bound=quantity.bound, years=years, fact=fact))
    return found


def _other_acronym(before: str, profile: Profile) -> bool:
    """The words before an envelope name another plan by its acronym ("le SRESRI … est doté de")."""
    own = {w for label in (profile.name, *profile.aliases) for w in ACRONYM.findall(label)}
    return any(a not in own for a in ACRONYM.findall(before))


def _defines(text: str, profile: Profile) -> bool:
    """A definition that says more than the programme's names ("le plan IA est le plan de soutien à
    l'intelligence artificielle" says nothing of it)."""
    named = set().union(*(analyze(n) for n in (profile.name, *profile.aliases)))
    return len(set(analyze(text)) - named - {"region", "occitan"}) >= DEFINITION_TERMS


def _distinct(criteria: list[Criterion]) -> list[Criterion]:
    """One criterion said twice (the sheet and the announcement) counts once."""
    seen, kept = set(), []
    for criterion in criteria:
        key = (criterion.dimension, criterion.phrase, criterion.low, criterion.high)
        if key not in seen:
            seen.add(key)
            kept.append(criterion)
    return kept
