"""What a question is about: the programmes and organisations the documents name, read from the
documents' titles (not hard-coded), and the names a question gives that the corpus may not know.

A document's names are the parts of its title: "ANITI (Artificial and Natural Intelligence Toulouse
Institute)" gives "ANITI" and its expansion; "AD'OCC, Maisons de la Région et Hub Entreprendre
Occitanie : qui contacter" gives the three names (not the lower-case description); "Jeune Entreprise Innovante (JEI)
: statut national" gives the name and its acronym. A name matches a question when every one of its
distinctive words (those in under half the documents) is among the question's words.
"""

import re
from dataclasses import dataclass

from assistant.models import Chunk
from assistant.retrieval.expansion import GLOSSARY, repaired
from assistant.text.french import analyze, detect_language, normalize, words

# Words of a programme's name that do not name it alone ("Plan IA Occitanie": "IA" does).
CORE_GENERIC = set(analyze("plan programme dispositif régional régionale région Occitanie aide fonds prêt appel projets"))
# A scheme's kind and the word that names it, in lower case: "fonds gamma", "programme zorglub".
SCHEME_NAMED = re.compile(r"\b(fonds|dispositif|programme|prêt|pret|plan|appel à projets|label)\s+([a-zà-ÿ]{3,})\b")
SQUASHED_MIN = 5  # a run-together name shorter than this ("iaoc") matches too much
LOWER_NAME_MIN = 5  # letters of a proper name typed in lower case
COMMON_SHARE = 0.4
COMMON_PASSAGES = 0.5  # ...or in more than this share of all passages  # a word in more than this share of documents does not tell documents apart
TITLE_PARTS = re.compile(r"\s+[:\-–]\s+|,\s+|\s+et\s+(?=[A-ZÀ-Þ])")
PARENTHESES = re.compile(r"\(([^)]*)\)")
# A capitalised word inside a question (not its first word), or an all-capitals token: a name.
_CAPITALISED = r"[A-ZÀ-Þ][\w'’-]+"
NAME_IN_QUESTION = re.compile(
    rf"(?<=[\w,;:'’]\s){_CAPITALISED}(?:\s+(?:de\s+|du\s+|of\s+)?{_CAPITALISED})*|\b[A-Z][A-Z'’]{{1,}}[A-Z]\b"
)
CAPITALISED_INSIDE = re.compile(r"(?<=[\w,;:]\s)[A-ZÀ-Þ][\w.'’-]*\w")
# Capitalised words that are not names: question openers, languages, the region itself.
NOT_NAMES = set(normalize("Région Occitanie Quel Quelle Quels Quelles Combien Comment Est Et Mais Ou Qui Que Quand "
                          "What Which How When Where Who Is Are Can Does Do The And I My Mon Ma Mes Je On Il Elle "
                          "PME TPE ETI France").split())


@dataclass(frozen=True)
class Subject:
    name: str  # as the document writes it
    source: str | None  # the document that describes it; None for a name the corpus has but no document for
    status: str | None = None  # the document's status: active, closed, unknown
    known: bool = True  # False: a name of the question that no document contains
    shared: bool = False  # its document describes other subjects too


class SubjectCatalogue:
    def __init__(self, chunks: list[Chunk], document_frequency, vocabulary, contact_document: str | None = None):
        self._vocabulary = vocabulary
        contact = next((c for c in chunks if c.source == contact_document), None)
        # Who to contact when a question names no programme ("qui contacter pour un projet d'innovation ?").
        self.contact = Subject(short_title(contact.title), contact.source, contact.status) if contact else None
        documents: dict[str, Chunk] = {}
        for chunk in chunks:
            documents.setdefault(chunk.source, chunk)
        self._total = max(len(documents), 1)
        word_documents: dict[str, set[str]] = {}
        for chunk in chunks:
            for term in set(analyze(chunk.title)):
                word_documents.setdefault(term, set()).add(chunk.source)
        # Common: in the titles of many documents, or in many passages ("Région", "Occitanie").
        chunk_count = max(len(chunks), 1)
        self._common = {t for t, sources in word_documents.items()
                        if len(sources) / self._total > COMMON_SHARE or document_frequency(t) / chunk_count > COMMON_PASSAGES}
        # Words the documents capitalise inside a sentence: proper names ("Numalis", "Vortex.io").
        self._proper = {normalize(w) for chunk in chunks for w in CAPITALISED_INSIDE.findall(chunk.text)} - NOT_NAMES
        self.names: list[tuple[frozenset[str], Subject]] = []
        titled: dict[str, int] = {}
        for chunk in documents.values():
            titled[chunk.title] = titled.get(chunk.title, 0) + 1
        for source, chunk in documents.items():
            if titled[chunk.title] > 1:
                continue  # one title over several documents (an article cut in paragraphs) names none of them
            names = [(n, frozenset(t for t in analyze(n) if t not in self._common)) for n in title_names(chunk.title)]
            names = [(n, terms) for n, terms in names if terms]
            for name, terms in names:
                self.names.append((terms, Subject(name, source, chunk.status, shared=len(names) > 2)))
        self._cores = []
        for terms, subject in self.names:
            core = frozenset(terms - CORE_GENERIC)
            if core and core != terms and len(core) <= 2:
                self._cores.append((core, subject))

    def find_all(self, question: str) -> list[Subject]:
        """Every programme the question names, in the order it names them ("START'OC PROcess ou Start-up
        Industrie de demain ?", "prêt croissance tpe et prêt relance"): what a comparison compares."""
        terms = set(analyze(question))
        stems = list(analyze(question))
        found: dict[str, tuple[frozenset, Subject]] = {}
        for names, subject in self.names:
            key = subject.name if subject.shared else subject.source  # a sheet on two loans names two
            if subject.source and names and names <= terms and (key not in found or len(names) > len(found[key][0])):
                found[key] = (names, subject)

        for word in words(question):  # "startoc" for "START'OC PROcess", as `find` reads it
            squashed = _squash(word)
            for names, subject in self.names:
                key = subject.name if subject.shared else subject.source
                if (subject.source and key not in found and len(squashed) >= SQUASHED_MIN
                        and _squash(subject.name).startswith(squashed) and len(squashed) > len(_first_word(subject.name))):
                    found[key] = (frozenset(analyze(word)) or names, subject)
        found = {k: (n, s) for k, (n, s) in found.items() if not any(n < other for other, _ in found.values())}

        def position(names: frozenset) -> int:  # where the question names it: by its words no other named one has
            others = set().union(*(n for n, _ in found.values() if n != names))
            return min(stems.index(t) for t in (names - others or names))
        return [subject for names, subject in sorted(found.values(), key=lambda f: position(f[0]))]

    def find_core(self, question: str) -> Subject | None:
        """The programme a question names by its core alone, for a question on money: "dans l'IA", "dans
        l'intelligence artificielle" name the plan IA (its name without "plan", "régional", "Occitanie")."""
        terms = set(analyze(question))
        matches = [(len(core), subject) for core, subject in self._cores if core <= terms]
        return max(matches, key=lambda m: m[0])[1] if matches else None

    def entities(self, question: str, subject: Subject | None) -> list[str]:
        """Names the question gives besides its subject that the corpus knows ("Numalis … dans le plan
        IA"): the asked figure must be about them too."""
        subject_terms = set(analyze(subject.name)) if subject else set()
        names = []
        for word in re.findall(r"[\w'’.-]*\w", question):
            stems = analyze(word)
            # a name typed in lower case counts too ("numalis a reçu combien ?"), when long enough to be one
            if (word[:1].isupper() or len(word) >= LOWER_NAME_MIN) and (normalize(word) in self._proper and stems and not set(stems) & (subject_terms | self._common)
                    and not any(set(stems) <= n for n, _ in self.names)):
                names.append(word)
        return names

    def find(self, question: str, language: str | None = None) -> Subject | None:
        """The document subject the question names (most words matched first), else a name of the
        question: known to the corpus (Numalis) or not (Fonds Gamma). `language`: the question's, as
        analysed (detected here without it)."""
        terms = set(analyze(question))
        english = (language or detect_language(question)) == "en"
        for word in words(question):  # "startup" is "start up" to the catalogue, as to the index
            stems = analyze(word)
            if stems and stems[0] not in self._vocabulary:
                terms |= repaired(stems[0], self._vocabulary)
            if english and (not stems or stems[0] not in self._vocabulary) and word.lower() in GLOSSARY:
                terms |= set(analyze(GLOSSARY[word.lower()]))  # "AI plan" names the "plan IA"
        typed = {normalize(w).rstrip("s") for w in words(question)}
        # A name of one distinctive word is named by that word, not by another of its stem: "Je passe devant" is
        # no "Pass Occitanie".
        matches = [(len(names), subject) for names, subject in self.names if names <= terms
                   and (len(names) > 1 or {normalize(w).rstrip("s") for w in words(subject.name)} & typed)]
        if not matches:
            squashed = [w for w in (_squash(w) for w in words(question)) if len(w) >= SQUASHED_MIN]
            # an elision typed without its apostrophe: "dadocc" is "d'adocc"
            squashed += [w[1:] for w in squashed if w[0] in "dlj" and len(w) > SQUASHED_MIN]
            # "startoc" for "START'OC PROcess": a word that is the name run together, or its start.
            # Scored by the name's other words the question has, then by how much of the name the word is.
            matches = [(len(names & terms) + max(len(w) / len(_squash(subject.name)) for w in hits), subject)
                       for names, subject in self.names
                       if (hits := [w for w in squashed if _squash(subject.name).startswith(w)
                                    and len(w) > len(_first_word(subject.name))])]
        if matches:
            return max(matches, key=lambda m: m[0])[1]
        for word in NAME_IN_QUESTION.findall(question):
            if normalize(word) in NOT_NAMES:
                continue
            stems = analyze(word)
            distinct = [s for s in stems if s not in self._common]  # "Région Bretagne": "Bretagne" decides
            if distinct:
                known = all(s in self._vocabulary or word.lower() in GLOSSARY for s in distinct)
                return Subject(word, None, None, known)
        for kind, word in SCHEME_NAMED.findall(question):
            # "fonds gamma c combien", typed without capitals: a scheme's name no document contains
            stems = analyze(word)
            if stems and not any(s in self._vocabulary or repaired(s, self._vocabulary) for s in stems):
                return Subject(f"{kind} {word}", None, None, known=False)
        return None


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalize(text))


def _first_word(name: str) -> str:
    return _squash(re.split(r"[\s'’-]", name)[0])


def short_title(title: str) -> str:
    """A title by its first name: "Prêts aux entreprises : Prêt Croissance TPE et …" -> "Prêts aux entreprises"."""
    return next(iter(title_names(title)), title)


def title_names(title: str) -> list[str]:
    """The names a title gives: its parts, split at a colon, commas, dashes and "et" before a capital,
    each with its parenthesised alias or expansion (in any case); parts that start in lower case (a description:
    "qui contacter") and figures ("2023-2027") are left out."""
    names = []
    for part in TITLE_PARTS.split(title):
        bare = PARENTHESES.sub("", part).strip()
        if bare[:1].isupper():
            names.append(bare)
        for alias in PARENTHESES.findall(part):
            if not re.search(r"\d", alias):  # "(plan régional Intelligence Artificielle)" too
                names.append(alias.strip())
    return names
