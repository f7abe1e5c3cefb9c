"""French text analysis shared by every place that compares words: index, retrieval, answers, evals.

lowercase -> elisions (l', qu'...) -> accent folding -> tokens -> stop words -> Snowball stem.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’ʼ]", re.IGNORECASE)
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Snowball's French stop list, accent-folded, plus a few question words that carry no topic.
STOP_WORDS = frozenset(
    """
    au aux avec ce ces dans de des du elle elles en et eux il ils je la le les leur lui ma mais me meme mes
    moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un
    une vos votre vous c d j l a m n s t y ete etee etees etes etant etante etants etantes suis es est
    sommes etes sont serai seras sera serons serez seront serais serait serions seriez seraient etais
    etait etions etiez etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses fut
    fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai
    auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez
    avaient eut eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent
    ceci cela cet cette ici ils les leurs quel quels quelle quelles sans soi
    est-ce quoi comment combien pourquoi ou dont lequel laquelle lesquels lesquelles quand
    ca ça cela ok bonjour merci svp stp vraiment peux peut faut voudrais voudrait aimerais
    finalement concretement actuellement truc chose dedans rien tout tous toute toutes
    """.split()
)

ENGLISH_STOP_WORDS = frozenset(
    """a an the of to in on for and or is are was were be been it its this that these those what which
    who whom how when where why do does did can could should would will with by from at as about
    there their they i you we my your our me us has have had many much one right read hello please
    does any some""".split()
)


def fold_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


# The same sentences are analysed for question after question: the last TEXTS_CACHED texts are kept.
TEXTS_CACHED = 65_536


@lru_cache(maxsize=TEXTS_CACHED)
def normalize(text: str) -> str:
    """Lowercase, elisions removed, accents folded: the form words are compared in."""
    return fold_accents(ELISION.sub(" ", text.lower().replace("’", "'").replace("ʼ", "'")))


def words(text: str) -> list[str]:
    """Normalised tokens, stop words kept (used to match quoted facts)."""
    return TOKEN.findall(normalize(text))


def analyze(text: str) -> list[str]:
    """Content terms: normalised, stop words dropped, Snowball-stemmed."""
    return list(_analyzed(text))


@lru_cache(maxsize=TEXTS_CACHED)
def _analyzed(text: str) -> tuple[str, ...]:
    tokens = [t for t in words(text) if t not in STOP_WORDS and t not in ENGLISH_STOP_WORDS]
    return tuple(_stemmer().stemWords(tokens))


# SMS spelling, expanded before a question is read ("c cb le pret ?", "la ptite aide pr les tpe"): whole
# lowercase tokens only, never a letter alone ("c", "g") that a question may mean as itself.
SMS = {"cb": "combien", "cmb": "combien", "combi1": "combien", "pr": "pour", "ptit": "petit", "ptite": "petite",
       "ptits": "petits", "ptites": "petites", "ds": "dans", "qd": "quand", "qq": "quelque", "bcp": "beaucoup",
       "tjrs": "toujours", "tjs": "toujours", "pk": "pourquoi", "pq": "pourquoi", "koi": "quoi", "kel": "quel",
       "kelle": "quelle", "kels": "quels", "ki": "qui", "cmt": "comment", "koment": "comment", "ac": "avec",
       "avc": "avec", "dc": "donc", "jsuis": "je suis", "chui": "je suis", "jpeux": "je peux", "jveux": "je veux",
       "mm": "même", "ya": "il y a", "yen": "il y en", "ns": "nous", "vs": "vous", "tt": "tout", "bjr": "bonjour",
       "slt": "salut", "stp": "s'il te plaît", "svp": "s'il vous plaît", "entreprse": "entreprise", "boit": "boîte",
       "rdv": "rendez-vous", "auj": "aujourd'hui", "ajd": "aujourd'hui", "mtn": "maintenant", "encor": "encore"}
_SMS_TOKEN = re.compile(r"(?<![\w'’-])(" + "|".join(sorted(map(re.escape, SMS), key=len, reverse=True)) + r")(?![\w'’-])")


def sms_expanded(text: str) -> str:
    """`text` with SMS abbreviations written out: "le pret c cb" -> "le pret c combien"."""
    return _SMS_TOKEN.sub(lambda m: SMS[m.group(1)], text)


# "Selon X (date), …": who a sentence attributes its fact to, before the fact.
ATTRIBUTION = re.compile(
    r"^(?:Selon|D'après|D’après|According to)\s+(?P<who>(?:[^,(]|\([^)]*\)){3,160}?),\s+", re.IGNORECASE
)


def without_attribution(text: str) -> str:
    """The sentence without its "Selon X," opening, capitalised."""
    text = ATTRIBUTION.sub("", text).strip()
    return text[:1].upper() + text[1:]


# "pas dans la biotech", "sans salarié", "not a SME": the words a negation governs.
NEGATED = re.compile(r"\b(?:pas|sans|non|not|no|ni|nor|neither|aucune?)\s+(?:encore\s+|toujours\s+)?(?:d['’]\s?|de\s+|dans\s+(?:la\s+|le\s+|les\s+)?|une?\s+)?"
                     r"(\w+(?:\s+(?!(?:ni|nor|or|ou)\b)\w+){0,2})", re.IGNORECASE)  # "ni SCI ni EI": two negations


def negated_terms(text: str) -> set[str]:
    """Content terms of the (up to three) words after each negation: "pas dans la biotech" -> {"biotech"}."""
    return {term for match in NEGATED.finditer(text) for term in analyze(match.group(1))}


# Sentence boundaries: ., !, ?, … followed by space and a capital, digit, quote or bullet;
# abbreviations such as "M." or "art." do not end a sentence.
_ABBREVIATIONS = ("M", "Mme", "Mlle", "Dr", "Pr", "art", "cf", "etc", "env", "St", "n°", "p", "av", "J.-C")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”)]?\s+(?=[\"«“(⯈•\-–—A-ZÀ-ÖØ-Þ0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`; lines are hard boundaries."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        segment = line.group()
        cut = 0
        for match in _SENTENCE_END.finditer(segment):
            before = segment[cut : match.start()].rstrip("\"»”)")
            last_word = re.search(r"(\S+)\.$", before)
            if last_word and last_word.group(1).lstrip("(«\"") in _ABBREVIATIONS:
                continue
            if re.fullmatch(r"\s*\d{1,2}\.", before):  # a numbered list item, not a sentence
                continue
            spans.append((start + cut, start + match.start() + _closing_len(segment, match.start())))
            cut = match.end()
        spans.append((start + cut, start + len(segment.rstrip())))
    return [(a, b) for a, b in (_strip_span(text, s, e) for s, e in spans) if b > a]


def _closing_len(segment: str, pos: int) -> int:
    n = 0
    while pos + n < len(segment) and segment[pos + n] in "\"»”)":
        n += 1
    return n


_BULLET = re.compile(r"(?:[-*•⯈▪–—]|\d+[.)])\s+")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    bullet = _BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_FRENCH_MARKERS = frozenset(
    "le la les des du est une un et en pour que qui quel quelle quels quelles est-ce comment combien "
    "dispositif aide entreprise entreprises région sont pas au aux avec sur dans ce cette".split()
)
_ENGLISH_MARKERS = frozenset(
    "the is are what which who how when where does do can could of for and to with an this that "
    "there any much many company companies region scheme".split()
)


def detect_language(text: str) -> str:
    """'fr' or 'en', by common words; French when unsure (our users are French speakers first)."""
    tokens = re.findall(r"[a-zà-ÿ'-]+", text.lower())
    fr = sum(t in _FRENCH_MARKERS for t in tokens) + 2 * bool(re.search(r"[éèêàçùûôî]", text.lower()))
    en = sum(t in _ENGLISH_MARKERS for t in tokens)
    return "en" if en > fr else "fr"
