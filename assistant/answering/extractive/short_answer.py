"""The short answer of a plain lead: the span of the quoted sentence that answers the question, verbatim
(a substring of the sentence), or None when the sentence has no span to offer.

What the question asks (`Cues.span_kind`, assistant/question/cues.py) decides which spans are of the right type:
- date (quand, en quelle année, quelle date…): a date or a year (assistant/text/figures.py);
- count (combien…): a number with its unit or noun;
- person, name (qui…, comment s'appelle…): a name (NER PER/ORG, or a capitalised sequence);
- place (où…): a place (NER LOC, or a name after à/en/dans/au), with its preposition;
- which (quel/quelle + noun): by the noun ("quelle ville": a place), else the name or phrase beside it;
- reason, manner (pourquoi, comment): the clause after car, parce que, afin de, grâce à, en …ant, par…;
- otherwise: any constituent.
Every candidate span is scored (`WEIGHTS`) by how near it stands to the words the question repeats,
in the sentence and in its parse, and by how few of them it contains: the answer stands beside the
question's words but is not them (the sliding-window baseline of SQuAD, Rajpurkar et al. 2016).

spaCy's small French model (`SPACY_MODEL`), when installed, gives the candidates: constituents of its
dependency parse, noun chunks and named entities. Without it the candidates are capitalised sequences,
figures and runs of words cut at punctuation; the lead is the same either way, only its short answer
differs. The model is loaded once, on first use.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.question.analysis import QuestionAnalysis
from assistant.text.figures import amounts
from assistant.text.french import analyze, normalize

SPACY_MODEL = "fr_core_news_sm"
MAX_TOKENS = 12  # longest candidate, in words: PIAF's gold spans are three words at the median, 90 % within twelve


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


REASON = re.compile(r"\b(car|parce qu['’]?e?|puisqu['’]?e?|afin (?:de|d['’]|qu['’]?e?)|pour que|en raison d[eu'’]s?"
                    r"|à cause d[eu'’]s?|grâce (?:à|au|aux)|du fait d[eu'’]s?|suite à|pour)\b", re.IGNORECASE)
MANNER = re.compile(r"\b(en \w+ant|par|grâce (?:à|au|aux)|au moyen d[eu'’]s?|à l['’]aide d[eu'’]s?|avec|via)\b",
                    re.IGNORECASE)
PLACE_BEFORE = re.compile(r"\b(?:à|au|aux|en|dans|sur|près de|vers|chez)\s+(?:la |le |les |l['’])?$", re.IGNORECASE)
DATE_WORDS = re.compile(r"\b[XVI]+e\s+siècle\b|\b(?:1[0-9]|20)\d{2}\b|\b\d{2,3}\b(?= ?(?:av|apr)\w*\.? J)")
NUMBER_WITH_NOUN = re.compile(r"\b\d+(?:[ ,.]\d+)*\s+[^\W\d_]+|\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze"
                              r"|douze|quinze|vingt|trente|cent|mille)\s+[^\W\d_]+", re.IGNORECASE)
# A token without spaCy: an elided article or pronoun, a word (with inner hyphens or apostrophes), a sign.
TOKEN = re.compile(r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\w)|[^\W_]+(?:[-'’.][^\W_]+)*|[^\w\s]", re.IGNORECASE)
CUT = re.compile(r"^[,;:()\[\]«»\"“”!?.…–—]+$")
# Words that may neither open nor close a short answer; a place keeps its preposition (PLACE_BEFORE).
EDGE_WORDS = _words(normalize(
    "le la les un une des du de au aux à a en dans par pour sur sous avec sans et ou ni mais donc or car que qui dont "
    "où ce cet cette ces son sa ses leur leurs se il ils elle elles on est sont était étaient a ont avait avaient fut "
    "furent été être avoir ne pas plus très aussi alors ainsi puis y lui eux tel telle tels telles")) | {""}
NAME_LINKS = _words("de du des d la le van von der den di da del della dos y")
ENTITY_KINDS = {"person": ("PER", "ORG"), "name": ("PER", "ORG", "MISC", "LOC"), "place": ("LOC",)}

# How a span is scored: the sum of its features times the weights of the question's group; searched
# coordinate by coordinate for the best short-answer F1 on the even-numbered articles of PIAF (their
# lead sentences and gold sentences), the odd-numbered ones held out (evals/squad.py).
GROUPS = {"date": "typed", "count": "typed", "person": "typed", "name": "typed", "place": "typed",
          "which": "which", "other": "open", "manner": "open", "reason": "open"}
FEATURES = {
    "near": "nearness to the question's words in the sentence: sum of 1/(words between + 1), each word once",
    "tree": "nearness in the parse: 1/(edges to the nearest word the question repeats)",
    "overlap": "share of the span's content words that the question uses",
    "typed": "of the kind asked: a date for quand, a number for combien, a name for qui, a place for où...",
    "entity": "a named entity, a figure or a capitalised sequence",
    "length": "words",
    "inner_cut": "punctuation marks inside the span",
    "noun": "headed by a noun or a name",
    "verb": "headed by a verb",
    "beside_noun": "beside the noun a quel <noun> question asks about",
    "after": "opens at most two words after a word the question repeats",
    "same_clause": "no punctuation between the span and a word the question repeats",
    "appos": "in apposition (le gouverneur, le général X)",
}
WEIGHTS = {
    "typed": {"near": 1.75, "tree": 0.1, "overlap": -0.15, "typed": 2.9, "entity": 2.05, "length": 0.2,
              "inner_cut": -4.65, "noun": 0.05, "verb": 0.7, "beside_noun": -0.4, "same_clause": 0.6, "appos": 0.5},
    "which": {"near": 0.95, "tree": 0.4, "overlap": -1.5, "typed": 1.9, "entity": 1.55, "length": 0.2,
              "inner_cut": -0.3, "noun": -0.2, "verb": -0.3, "beside_noun": 0.9, "after": 1.4, "same_clause": -0.25,
              "appos": 0.6},
    "open": {"near": 0.55, "tree": 0.5, "overlap": 0.35, "typed": 1.5, "entity": 0.7, "length": 0.2, "inner_cut": -0.3,
             "noun": -0.15, "verb": -0.4, "beside_noun": 0.5, "after": 0.25, "same_clause": 0.15},
}


@dataclass
class Token:
    text: str
    start: int
    end: int
    norm: str  # assistant.text.french.normalize
    stem: str | None  # the Snowball stem of a content word, None for a stop word or a sign
    capital: bool
    pos: str = ""  # spaCy's universal part of speech, "" without spaCy
    head: int = -1  # index of the head in the parse, -1 without spaCy (the root is its own head)
    dep: str = ""  # the relation to the head, "" without spaCy
    used: bool = False  # the question uses this word

    @property
    def cut(self) -> bool:
        return bool(CUT.match(self.text))


@dataclass
class Span:
    start: int  # token indices, end excluded
    end: int
    typed: bool = False
    entity: bool = False
    features: dict[str, float] = field(default_factory=dict)


def short_span(analysis: QuestionAnalysis, sentence: str) -> str | None:
    """The span of `sentence` (a verbatim substring) that answers the analysed question, or None when
    no span of it may answer. French and English questions are read with the same patterns."""
    best = None
    kind, found = candidates(analysis, sentence)
    weights = WEIGHTS[GROUPS[kind]] if kind in GROUPS else WEIGHTS["open"]
    for span, text in found:
        score = sum(weights.get(name, 0.0) * value for name, value in span.features.items())
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def candidates(analysis: QuestionAnalysis, sentence: str) -> tuple[str, list[tuple[Span, str]]]:
    """What the question asks (its cues' `span_kind`), and every span that may answer with its
    features and its text."""
    if not analysis.question.strip() or not sentence.strip():
        return "other", []
    kind, noun = analysis.cues.span_kind, analysis.cues.span_noun
    stems = set(analysis.stems)
    parse = _parser()
    tokens, entities, constituents = _parsed(parse, sentence) if parse else (_tokens(sentence), [], None)
    for token in tokens:
        token.used = _uses(token, stems)
    spans = _typed(kind, sentence, tokens, entities) + (constituents if parse else _runs(tokens))
    spans += [Span(a, b, entity=True, typed=_entity_typed(kind, label)) for a, b, label in entities]
    noun_at = [i for i, t in enumerate(tokens) if noun and t.stem and t.stem == (analyze(noun) or [None])[0]]
    found, seen = [], {}
    for span in spans:
        span.start, span.end = _trim(tokens, span.start, span.end, keep_preposition=kind == "place" and span.typed)
        if span.end <= span.start or span.end - span.start > MAX_TOKENS:
            continue
        content = [t for t in tokens[span.start:span.end] if t.stem]
        if not content or all(t.used for t in content) or not _balanced(tokens[span.start:span.end]):
            continue
        key = (span.start, span.end)
        if key in seen:  # one span, many origins: the most specific wins
            other = seen[key]
            other.typed, other.entity = other.typed or span.typed, other.entity or span.entity
            continue
        seen[key] = span
        found.append(span)
    for span in found:
        span.features = _features(span, tokens, noun_at)
    return kind, [(s, sentence[tokens[s.start].start:tokens[s.end - 1].end]) for s in found]



def _features(span: Span, tokens: list[Token], noun_at: list[int]) -> dict[str, float]:
    """The span's FEATURES (those of the parse only with spaCy)."""
    inside = tokens[span.start:span.end]
    content = [t for t in inside if t.stem]
    nearest: dict[str, int] = {}
    same_clause = False
    for i, token in enumerate(tokens):
        if token.used and not span.start <= i < span.end:
            distance = span.start - i if i < span.start else i - span.end + 1
            nearest[token.stem[:5]] = min(nearest.get(token.stem[:5], 10**6), distance)
            between = tokens[i + 1:span.start] if i < span.start else tokens[span.end:i]
            same_clause = same_clause or not any(t.cut for t in between)
    head = _head(span, tokens)
    preceding = reversed(tokens[max(0, span.start - 3):span.start])
    before = next((t for t in preceding if t.norm not in EDGE_WORDS and not t.cut), None)
    features = {
        "near": sum(1 / d for d in nearest.values()),
        "overlap": sum(t.used for t in content) / len(content),
        "typed": float(span.typed),
        "entity": float(span.entity),
        "length": float(sum(1 for t in inside if not t.cut)),
        "inner_cut": float(sum(1 for t in inside[1:-1] if t.cut)),
        "beside_noun": float(any(span.start - 3 <= i < span.start or span.end <= i < span.end + 2
                                 or tokens[head].head == i for i in noun_at)),
        "after": float(before is not None and before.used),
        "same_clause": float(same_clause),
    }
    if tokens[head].pos:
        features |= {
            "tree": _tree_nearness(head, span, tokens),
            "noun": float(tokens[head].pos in ("NOUN", "PROPN")),
            "verb": float(tokens[head].pos in ("VERB", "AUX")),
            "appos": float(tokens[head].dep == "appos" or span.start > 1 and tokens[span.start - 1].text == ","
                           and tokens[span.start - 2].used),
        }
    return features


def _head(span: Span, tokens: list[Token]) -> int:
    """The span's word whose head lies outside it (its first word without a parse)."""
    for i in range(span.start, span.end):
        if not span.start <= tokens[i].head < span.end or tokens[i].head == i:
            return i
    return span.start


def _tree_nearness(head: int, span: Span, tokens: list[Token]) -> float:
    """1/(edges from the span's head to the nearest word the question repeats, outside the span)."""
    def path(i):
        chain = [i]
        while tokens[chain[-1]].head != chain[-1] and len(chain) < 40:
            chain.append(tokens[chain[-1]].head)
        return chain
    mine = {node: depth for depth, node in enumerate(path(head))}
    best = 0.0
    for i, token in enumerate(tokens):
        if token.used and not span.start <= i < span.end:
            theirs = path(i)
            meet = next(((d, mine[node]) for d, node in enumerate(theirs) if node in mine), None)
            if meet:
                best = max(best, 1 / (meet[0] + meet[1]))
    return best


def _typed(kind: str, sentence: str, tokens: list[Token], entities) -> list[Span]:
    """Spans of the kind asked, found by patterns (figures, names, clause openings)."""
    chars: list[tuple[int, int]] = []
    if kind == "date":
        chars = [q.span for q in amounts(sentence) if q.kind in ("date", "year")]
        chars += [m.span() for m in DATE_WORDS.finditer(sentence)]
    elif kind == "count":
        chars = [q.span for q in amounts(sentence) if q.kind in ("count", "amount", "percent", "duration")]
        chars += [m.span() for m in NUMBER_WITH_NOUN.finditer(sentence)]
    elif kind in ("person", "name") and not entities:
        chars = _names(tokens)
    elif kind == "place":
        places = [(tokens[a].start, tokens[b - 1].end) for a, b, label in entities if label == "LOC"] or _names(tokens)
        chars = [_with_place_preposition(sentence, span) for span in places]
    elif kind in ("reason", "manner"):
        pattern = REASON if kind == "reason" else MANNER
        chars = [(m.start(), _clause_end(sentence, m.end())) for m in pattern.finditer(sentence)]
    spans = []
    for a, b in chars:
        start, end = _token_range(tokens, a, b)
        if end > start:
            spans.append(Span(start, end, typed=True, entity=kind in ("date", "count", "person", "name", "place")))
    return spans


def _entity_typed(kind: str, label: str) -> bool:
    return label in ENTITY_KINDS.get(kind, ())


def _names(tokens: list[Token]) -> list[tuple[int, int]]:
    """Capitalised sequences ("Bernardo de Gálvez"), not a capitalised first word of the sentence alone."""
    names, i = [], 0
    while i < len(tokens):
        if tokens[i].capital and tokens[i].stem is not None:
            j = i + 1
            while j < len(tokens):
                linked = tokens[j].norm in NAME_LINKS and j + 1 < len(tokens) and tokens[j + 1].capital
                if not (tokens[j].capital and tokens[j].stem is not None or linked):
                    break
                j += 1
            if i > 0 or j > 1:
                names.append((tokens[i].start, tokens[j - 1].end))
            i = j
        else:
            i += 1
    return names


def _balanced(tokens: list[Token]) -> bool:
    """No bracket or quotation mark opened without being closed, or closed without being opened."""
    text = "".join(t.text for t in tokens)
    return all(text.count(a) == text.count(b) for a, b in ("()", "[]", "«»", "“”")) and text.count('"') % 2 == 0


def _with_place_preposition(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    before = PLACE_BEFORE.search(sentence[:span[0]])
    return (before.start(), span[1]) if before else span


def _clause_end(sentence: str, at: int) -> int:
    cut = re.search(r"[,;:.!?()«»]", sentence[at:])
    return at + cut.start() if cut else len(sentence)


def _token_range(tokens: list[Token], start: int, end: int) -> tuple[int, int]:
    inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def _trim(tokens: list[Token], start: int, end: int, keep_preposition: bool = False) -> tuple[int, int]:
    """Without the edge words (articles, prepositions, conjunctions) and signs at either end."""
    while start < end and (tokens[start].cut or tokens[start].norm in EDGE_WORDS and not keep_preposition):
        start += 1
    while end > start and (tokens[end - 1].cut or tokens[end - 1].norm in EDGE_WORDS):
        end -= 1
    return start, end


def _uses(token: Token, stems: set[str]) -> bool:
    """Whether the question uses this word: the same stem, or the same first five letters of a long one."""
    if token.stem is None:
        return False
    return token.stem in stems or len(token.stem) >= 5 and any(len(s) >= 5 and s[:5] == token.stem[:5] for s in stems)


# --- without spaCy: tokens by pattern, runs of words as constituents ---------------------------------

def _tokens(sentence: str) -> list[Token]:
    return [_token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(sentence)]


def _token(text: str, start: int, end: int, pos: str = "", head: int = -1, dep: str = "") -> Token:
    stems = analyze(text)
    stem = stems[0] if stems else None
    return Token(text, start, end, normalize(text).strip(), stem, text[:1].isupper(), pos, head, dep)


def _runs(tokens: list[Token]) -> list[Span]:
    """Runs of words the question does not use, right after or before words it uses, cut at punctuation."""
    spans = []
    for i, token in enumerate(tokens):
        if not token.used:
            continue
        j = i + 1
        while j < len(tokens) and not tokens[j].used and not tokens[j].cut:
            j += 1
        k = i
        while k > 0 and not tokens[k - 1].used and not tokens[k - 1].cut:
            k -= 1
        spans += [Span(i + 1, j), Span(k, i)]
    return spans + [Span(a, b, entity=True) for a, b in
                    (_token_range(tokens, *name) for name in _names(tokens))]


# --- with spaCy: the parse's constituents, noun chunks and entities ----------------------------------

def load_model() -> bool:
    """Load spaCy's model now (about 3 s) rather than on the first plain lead; False when it is not installed."""
    return _parser() is not None


PARSES_CACHED = 4096  # parsed sentences kept (a parse is ~10 ms; the corpus repeats its likeliest sentences)


@lru_cache(maxsize=1)
def _parser():
    """spaCy's French pipeline without its lemmatizer (unused), or None when spaCy or the model is missing."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL, exclude=["lemmatizer"])
    except (ImportError, OSError):
        return None


def _parsed(nlp, sentence: str) -> tuple[list[Token], list[tuple[int, int, str]], list[Span]]:
    """The sentence's tokens with their parse, its entities (start, end, label) and its constituents."""
    # The model splits "l'" but not "l’": the straight apostrophe, same length, keeps every offset.
    doc = _doc(sentence.replace("’", "'"))
    tokens = [_token(sentence[t.idx:t.idx + len(t)], t.idx, t.idx + len(t), t.pos_, t.head.i, t.dep_)
              for t in doc]
    entities = [(e.start, e.end, e.label_) for e in doc.ents]
    return tokens, entities, _constituents(doc)


@lru_cache(maxsize=PARSES_CACHED)
def _doc(sentence: str):
    """spaCy's parse of a sentence; the same passages' sentences come back question after question."""
    return _parser()(sentence)


def _constituents(doc) -> list[Span]:
    """Each word's subtree; for a noun also its words up to itself, for a verb its predicate (itself and
    what follows it in its subtree); the noun chunks: the shapes gold answers take."""
    spans = []
    for token in doc:
        if token.pos_ in ("NOUN", "PROPN", "NUM", "ADJ", "VERB", "PRON", "X"):
            spans.append(Span(token.left_edge.i, token.right_edge.i + 1))
            if token.pos_ in ("NOUN", "PROPN"):
                spans.append(Span(token.left_edge.i, token.i + 1))
            if token.pos_ == "VERB":
                spans.append(Span(token.i, token.right_edge.i + 1))
    return spans + [Span(chunk.start, chunk.end) for chunk in doc.noun_chunks]
