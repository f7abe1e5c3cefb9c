"""Question terms as users type them -> terms the corpus uses.

Three small, measurable steps shared by retrieval and sentence scoring: a bilingual domain glossary
(English questions meet French documents; "budget" meets "doté de"), spelling repair of words the
index has never seen ("demin" -> "demain"), and compound splitting ("startup" -> "start up").
"""

import difflib
from dataclasses import dataclass

from assistant.text.french import analyze, words

# Everyday or English word -> words the documents use. Kept small and domain-generic on purpose.
GLOSSARY = {
    # French everyday words
    "budget": "doté dotation montant enveloppe financement M€",
    "argent": "financement montant M€ aide",
    "combien": "montant",
    "enveloppe": "doté dotation montant",
    "ouvert": "disponible vigueur",
    "ferme": "disponible clos",
    "encore": "toujours disponible actuel",
    "max": "maximum plafonné moins",
    "minimum": "moins minimum",
    "min": "moins minimum",
    "maximum": "plafonné moins",
    "startup": "start-up jeunes entreprises innovantes",
    "pousses": "start-up jeunes entreprises innovantes",
    "boite": "entreprise",
    "pme": "PME entreprises",
    "subvention": "aide subvention",
    "postuler": "candidature demande déposer",
    "candidater": "candidature demande déposer",
    "contacter": "contact renseigner",
    "vote": "voté adopté",
    "chercheurs": "recherche",
    "ia": "intelligence artificielle IA",
    "caution": "garantie",
    "garant": "garantie",
    "frais": "dépenses",
    "depenses": "frais",
    "taille": "salariés effectifs",
    "labo": "laboratoire",
    "labos": "laboratoires",
    "eco": "économique",
    "existe": "créée création",
    "creee": "création",
    "donne": "montant subvention accorde",
    "rembourse": "couvre finance",
    "temps": "durée ans",
    "duree": "mois ans",
    "signe": "signé",
    "jeune": "moins ans",
    "salaries": "effectifs",
    "employes": "salariés",
    # English
    "disruptive": "rupture",
    "self": "entreprise individuelle profession libérale",  # "self-employed"
    "sole": "entreprise individuelle",
    "freelance": "entreprise individuelle profession libérale",
    "freelancer": "entreprise individuelle profession libérale",
    "physiotherapist": "profession libérale",
    "mid": "ETI",  # "mid-cap"
    "midcap": "ETI",
    "breakthrough": "rupture",
    "incremental": "incrémentale",
    "biotech": "biotechnologies",
    "biotechnology": "biotechnologies",
    "amount": "montant M€",
    "money": "financement montant",
    "funding": "financement doté montant",
    "grant": "subvention aide",
    "loan": "prêt",
    "loans": "prêts",
    "rate": "taux",
    "interest": "taux intérêt",
    "open": "ouvert disponible vigueur",
    "still": "toujours encore",
    "closed": "disponible",
    "available": "disponible",
    "who": "qui",
    "contact": "contacter renseigner",
    "company": "entreprise",
    "companies": "entreprises",
    "business": "entreprise",
    "young": "jeune",
    "innovative": "innovante innovation",
    "innovation": "innovation",
    "research": "recherche",
    "researchers": "chercheurs",
    "year": "an ans année",
    "years": "ans années",
    "old": "âgées ans",
    "age": "âgées ans moins",
    "eligible": "éligible bénéficier",
    "eligibility": "éligibles bénéficier conditions",
    "apply": "candidature demande",
    "plan": "plan",
    "artificial": "artificielle",
    "intelligence": "intelligence",
    "ai": "IA intelligence artificielle",
    "scheme": "dispositif",
    "programme": "dispositif programme",
    "program": "dispositif programme",
    "agency": "agence",
    "regional": "régionale",
    "region": "Région",
    "partnership": "partenariat",
    "agreement": "accord",
    "signed": "signé",
    "adopted": "adopté voté",
    "voted": "voté",
    "when": "date",
    "deadline": "date limite",
    "start": "vigueur",
    "launched": "lancé",
    "status": "statut",
    "tax": "impôt fiscal",
    "exemption": "exonération",
    "share": "part",
    "employees": "salariés",
    "staff": "salariés",
    "turnover": "chiffre affaires",
    "laboratories": "laboratoires",
    "labs": "laboratoires",
    "building": "bâtiment",
    "chemistry": "chimie",
    "supercomputer": "calculateur",
    "conference": "conférence",
    "training": "formation",
    "skills": "compétences",
    "offices": "antennes bureaux",
    "housing": "logement",
    "student": "étudiant étudiants",
    "students": "étudiants",
    "equipment": "équipements",
    "eu": "européens FEDER",
    "european": "européens FEDER",
    "higher": "supérieur",
    "education": "enseignement",
    "projects": "projets",
    "project": "projet",
    "sector": "filière",
    "coordination": "coordination",
    "coordinating": "coordination coordonner",
    "coordinate": "coordination coordonner",
    "bringing": "intégrer",
    "bring": "intégrer",
    "integrate": "intégrer",
    "integrating": "intégrer",
    "cost": "coût coûté",
}


# Spelling repair (measured on evals/qa.jsonl's misspelt questions and PIAF, docs/retrieval.md):
REPAIR_MIN_STEM = 4  # shorter stems match too many terms to repair safely
REPAIR_CUTOFF = 0.8  # difflib similarity for a misspelling ("demin" -> "demain")
REPAIR_LENGTH_SLACK = 2  # a misspelling is within this many letters of the word's length
SHORTENED_MIN_STEM = 5  # "biotech" -> "biotechnologies" only from stems this long...
SHORTENED_MAX_EXTRA = 9  # ...the full word at most this many letters longer...
SHORTENED_MAX_MATCHES = 3  # ...and only when few words of the corpus start that way
BUCKET_CACHE = 8  # vocabularies kept bucketed (one per open index)
REPAIRS_KEPT = 50_000  # repaired stems remembered per vocabulary (a few MB), all forgotten past it


@dataclass(frozen=True)
class TermGroup:
    """One word of the question and the index terms that count as finding it."""

    word: str
    terms: frozenset[str]
    known: bool  # some alternative is in the index vocabulary


def term_groups(question: str, vocabulary) -> list[TermGroup]:
    groups = []
    for word in dict.fromkeys(words(question)):
        stems = analyze(word)
        if not stems:
            continue
        alternatives = set(stems)
        extra = GLOSSARY.get(word)
        if extra:
            alternatives.update(analyze(extra))
        if not any(t in vocabulary for t in alternatives):
            alternatives.update(_repair(stems[0], vocabulary))
        groups.append(TermGroup(word, frozenset(alternatives), any(t in vocabulary for t in alternatives)))
    return groups


def expanded_query(question: str, vocabulary) -> str:
    """The question plus the glossary words and repaired spellings, for the lexical index."""
    additions = []
    for group in term_groups(question, vocabulary):
        additions.extend(sorted(t for t in group.terms if t in vocabulary and t not in analyze(group.word)))
    return f"{question} {' '.join(additions)}" if additions else question


def repaired(stem: str, vocabulary) -> frozenset[str]:
    """Index terms for a stem the index does not have: a compound split, a misspelling, a shortening."""
    return _repair(stem, vocabulary)


def _repair(stem: str, vocabulary) -> frozenset[str]:
    """`_repaired`, remembered per vocabulary (its difflib search was a fifth of a warm answer's CPU)."""
    if len(stem) < REPAIR_MIN_STEM:
        return frozenset()
    _, _, repairs = _vocabulary_entry(vocabulary)
    found = repairs.get(stem)
    if found is None:
        if len(repairs) >= REPAIRS_KEPT:
            repairs.clear()
        repairs[stem] = found = frozenset(_repaired(stem, vocabulary))
    return found


def _repaired(stem: str, vocabulary) -> set[str]:
    for cut in range(3, len(stem) - 2):  # "startup" -> "start" + "up"
        if stem[:cut] in vocabulary and analyze(stem[cut:]) and analyze(stem[cut:])[0] in vocabulary:
            return {stem[:cut], analyze(stem[cut:])[0]}
    buckets = _buckets(vocabulary)
    lengths = range(len(stem) - REPAIR_LENGTH_SLACK, len(stem) + REPAIR_LENGTH_SLACK + 1)
    pool = [t for n in lengths for t in buckets.get((stem[0], n), ())]
    close = set(difflib.get_close_matches(stem, pool, n=1, cutoff=REPAIR_CUTOFF))
    if close or len(stem) < SHORTENED_MIN_STEM:
        return close
    # Not a misspelling but maybe a shortened word: "biotech" -> "biotechnologies".
    lengths = range(len(stem) + 1, len(stem) + SHORTENED_MAX_EXTRA + 1)
    longer = [t for n in lengths for t in buckets.get((stem[0], n), ()) if t.startswith(stem)]
    return set(longer) if len(longer) <= SHORTENED_MAX_MATCHES else set()


_BUCKETS: dict[int, tuple[object, dict, dict]] = {}


def _buckets(vocabulary) -> dict[tuple[str, int], list[str]]:
    """Vocabulary terms by first letter and length, built once per vocabulary (a 100k-chunk index
    has ~10^5 terms: comparing a misspelt word to all of them took tens of ms)."""
    return _vocabulary_entry(vocabulary)[1]


def _vocabulary_entry(vocabulary) -> tuple[object, dict, dict]:
    """(vocabulary, its buckets, the repairs found in it so far); a dict's operations are atomic under the
    GIL, so threads at worst compute one entry twice."""
    entry = _BUCKETS.get(id(vocabulary))
    if entry is None or entry[0] is not vocabulary:
        index: dict[tuple[str, int], list[str]] = {}
        for term in vocabulary:
            index.setdefault((term[:1], len(term)), []).append(term)
        if len(_BUCKETS) > BUCKET_CACHE:
            _BUCKETS.clear()
        _BUCKETS[id(vocabulary)] = entry = (vocabulary, index, {})
    return entry
