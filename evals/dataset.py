"""The eval set, one JSON object per line:

{"id": "q001", "question": "...", "fr": "..." (optional: the French translation of an English question,
 for the English parity comparison, evals/parity.py), "history": [{"role": "user", "content": "..."}, ...] (optional),
 "reference": "...", "facts": [["2 à 5 M€", "2 et 5 millions"], ["juillet 2024"]] (every group needed,
 one alternative per group enough; [] out of scope), "sources": ["annonces/....md"] (relative to the
 corpus; [] out of scope), "category": one of CATEGORIES,
 "verdict": "oui" | "non" | "yes" | "no" | "unsure" (optional: a yes/no question's expected verdict),
 "programmes": {"expected": ["programmes/....md"], "excluded": ["programmes/....md"]} (a matching question's
 gold, "which aids fit me?": the programmes its answer should list as eligible or to check, and those a
 stated fact rules out, which it must not list; required for the "matching" category and refused for
 the others in JSON lines; a CSV set has none)}

or a CSV file as a spreadsheet exports it (`,` or `;` between cells, UTF-8 with or without a BOM, or
Windows-1252), one question a row under a header naming the columns (English or French names, see
CSV_COLUMNS): question; facts, the expected facts separated by `|` (each needed; ` / ` separates
accepted alternatives of one fact); sources, the expected documents separated by `|`; category
(default: factual, or out-of-scope when it must abstain); must_abstain (oui/non, yes/no, 1/0, x);
optional id, reference and verdict. Other columns (notes) are ignored. An error names the row as the
spreadsheet numbers it (the header is row 1) and the column as the header names it.
"""

import csv
import io
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.wording import message
from evals.metrics import normal_verdict

log = logging.getLogger("evals.dataset")

# Questions the documents cannot answer: out of scope, or a figure asked of an entity that has none.
ABSTAIN_CATEGORIES = ("out-of-scope", "absent-amount")
CATEGORIES = (
    "factual", "paraphrase", "multi-fact", "follow-up", "english", "date-status", "conflict", "out-of-scope",
    "eligibility", "definition", "status", "total-vs-parts", "follow-up-switch", "absent-amount",
    "matching", "comparison", "story",
)
# A matching question ("à quoi ai-je droit ?") is scored on the programmes its answer lists, so it needs them.
MATCHING = "matching"
DEFAULT_SET = Path(__file__).resolve().parent / "qa.jsonl"


@dataclass(frozen=True)
class ProgrammeGold:
    """What a matching answer should list (`expected`: eligible or to check) and must not list as fitting
    (`excluded`: a fact the asker states rules it out), as documents relative to the corpus."""

    expected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: dict) -> "ProgrammeGold":
        """From the set's {"expected": [...], "excluded": [...]}; refuses other keys, an empty
        `expected` (nothing to recall) and a programme both expected and excluded."""
        if not isinstance(raw, dict) or set(raw) - {"expected", "excluded"}:
            raise ValueError(f"programmes must be {{'expected': [...], 'excluded': [...]}}, not {raw!r}")
        expected, excluded = (tuple(str(s) for s in raw.get(key) or ()) for key in ("expected", "excluded"))
        if not expected:
            raise ValueError("programmes.expected is empty")
        if set(expected) & set(excluded):
            raise ValueError(f"expected and excluded at once: {sorted(set(expected) & set(excluded))}")
        return cls(expected, excluded)

    def record(self) -> dict:
        return {"expected": list(self.expected), "excluded": list(self.excluded)}


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    category: str
    facts: list[list[str]] = field(default_factory=list)  # groups of accepted alternatives, all required
    sources: list[str] = field(default_factory=list)  # expected documents, relative to the corpus
    reference: str = ""
    history: list[dict] = field(default_factory=list)
    verdict: str | None = None  # "yes", "no" or "unsure" (normalised from oui/non) for a yes/no question
    translation: str | None = None  # an English question's French translation (the "fr" field)
    programmes: ProgrammeGold | None = None  # a matching question's expected and excluded programmes

    @property
    def out_of_scope(self) -> bool:
        """The documents do not hold the answer: the right answer is an abstention."""
        return self.category in ABSTAIN_CATEGORIES

    def record(self) -> dict:
        """What results.json keeps of the question (the LLM judge reads `reference`)."""
        record = {"question": self.question, "category": self.category, "reference": self.reference}
        return (record | ({"verdict": self.verdict} if self.verdict else {})
                | ({"fr": self.translation} if self.translation else {})
                | ({"programmes": self.programmes.record()} if self.programmes else {}))


def load_questions(path: Path, language: str = "fr") -> list[EvalQuestion]:
    """The questions of a JSON lines or CSV eval set (by its suffix); `language` is that of the CSV
    errors, written for the people who filled the spreadsheet."""
    if Path(path).suffix.lower() == ".csv":
        return load_csv(path, language)
    questions, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            question = EvalQuestion(
                id=str(raw["id"]),
                question=raw["question"],
                category=raw["category"],
                facts=[list(group) for group in raw.get("facts") or []],
                sources=list(raw.get("sources") or []),
                reference=raw.get("reference", ""),
                history=list(raw.get("history") or []),
                verdict=normal_verdict(raw["verdict"]) if raw.get("verdict") else None,
                translation=raw.get("fr") or None,
                programmes=ProgrammeGold.parse(raw["programmes"]) if "programmes" in raw else None,
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"{path}:{number}: not a valid eval question ({error})") from error
        if question.category not in CATEGORIES:
            raise ValueError(f"{path}:{number}: unknown category {question.category!r} (one of {', '.join(CATEGORIES)})")
        if (question.category == MATCHING) != (question.programmes is not None):
            raise ValueError(f"{path}:{number}: a {MATCHING} question, and only one, has \"programmes\"")
        if question.id in seen:
            raise ValueError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions


# Each field and the header names it goes by, compared without case, accents, spaces or hyphens.
CSV_COLUMNS = {
    "id": ("id", "identifiant"),
    "question": ("question",),
    "facts": ("facts", "expected_facts", "faits", "faits_attendus"),
    "sources": ("sources", "expected_sources", "sources_attendues"),
    "category": ("category", "categorie"),
    "must_abstain": ("must_abstain", "abstain", "abstention", "doit_s_abstenir", "s_abstenir"),
    "reference": ("reference", "expected_answer", "reponse_attendue"),
    "verdict": ("verdict", "verdict_attendu"),
}
YES = {"oui", "yes", "true", "vrai", "1", "x", "o", "y"}
NO = {"non", "no", "false", "faux", "0", "n", ""}
DELIMITERS = ",;\t"


def header_key(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[\s'’_-]+", "_", plain.strip().lower()).strip("_")


FIELD_OF_HEADER = {header_key(alias): name for name, aliases in CSV_COLUMNS.items() for alias in aliases}


def csv_text(path: Path) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel's "CSV (séparateur : point-virgule)" on Windows
        log.warning("%s is not UTF-8: read as Windows-1252", path)
        return data.decode("cp1252")


def split_cell(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def load_csv(path: Path, language: str = "fr") -> list[EvalQuestion]:
    text = csv_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    columns = {FIELD_OF_HEADER[header_key(h)]: (i, h.strip()) for i, h in reversed(list(enumerate(header)))
               if header_key(h) in FIELD_OF_HEADER}
    if "question" not in columns:
        found = ", ".join(f"« {h.strip()} »" for h in header if h.strip()) or "—"
        raise ValueError(message(language, "eval_csv_no_column", path=path, column="question", found=found))

    questions, seen = [], {}
    for row_number, cells in enumerate(_rows(reader, path, language), 2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str) -> str:
            index = columns.get(name, (None,))[0]
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def refuse(name: str, key: str, **values) -> ValueError:
            column = columns.get(name, (None, name))[1]
            problem = message(language, key, **values)
            return ValueError(message(language, "eval_csv_cell", path=path, row=row_number, column=column,
                                      problem=problem))

        questions.append(csv_question(cell, refuse, row_number, seen))
    if not questions:
        raise ValueError(message(language, "eval_csv_no_rows", path=path))
    return questions


def _rows(reader, path: Path, language: str):
    """The reader's rows; a row it cannot read (a cell past its field limit, a stray quote) is a
    ValueError naming the line, not a csv.Error."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ValueError(message(language, "eval_csv_field_limit", path=path, row=reader.line_num,
                                         limit=csv.field_size_limit())) from None
            raise ValueError(message(language, "eval_csv_unreadable", path=path, row=reader.line_num,
                                     reason=str(error))) from None


def csv_question(cell, refuse, row_number: int, seen: dict) -> EvalQuestion:
    """One spreadsheet row as an EvalQuestion; `cell(name)` reads a field, `refuse(name, key)` makes
    the error that names the row and the column."""
    question = cell("question")
    if not question:
        raise refuse("question", "eval_csv_empty")
    flag = cell("must_abstain").lower()
    if flag not in YES | NO:
        raise refuse("must_abstain", "eval_csv_boolean", value=cell("must_abstain"))
    must_abstain = flag in YES if flag else None
    category = cell("category").lower() or ("out-of-scope" if must_abstain else "factual")
    if category not in CATEGORIES:
        raise refuse("category", "eval_csv_category", value=cell("category"), allowed=", ".join(CATEGORIES))
    if must_abstain is True and category not in ABSTAIN_CATEGORIES:
        raise refuse("must_abstain", "eval_csv_expects_answer", category=category)
    if must_abstain is False and category in ABSTAIN_CATEGORIES:
        raise refuse("must_abstain", "eval_csv_expects_abstention", category=category)
    facts = [[alt.strip() for alt in fact.split(" / ") if alt.strip()] for fact in split_cell(cell("facts"))]
    sources = split_cell(cell("sources"))
    if category not in ABSTAIN_CATEGORIES and not facts and not sources:
        raise refuse("facts", "eval_csv_unscorable")
    try:
        verdict = normal_verdict(cell("verdict")) if cell("verdict") else None
    except ValueError:
        raise refuse("verdict", "eval_csv_verdict", value=cell("verdict")) from None
    question_id = cell("id") or f"row-{row_number}"
    if question_id in seen:
        raise refuse("id", "eval_csv_duplicate", value=question_id, first=seen[question_id])
    seen[question_id] = row_number
    return EvalQuestion(id=question_id, question=question, category=category, facts=facts, sources=sources,
                        reference=cell("reference"), verdict=verdict)
