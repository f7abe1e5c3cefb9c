"""SQuAD-format data sets (PIAF) as a corpus: one text file per paragraph, questions with gold spans."""

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answer: str  # the gold span (PIAF gives one per question)
    source: str  # the file of the gold paragraph
    history: list[dict] = field(default_factory=list)  # always empty: SQuAD questions stand alone
    out_of_scope = False  # every question is answered by its paragraph

    @property
    def sources(self) -> list[str]:
        """The expected documents, as for the eval set: the gold paragraph."""
        return [self.source]

    def record(self) -> dict:
        """What results-squad.json keeps of the question."""
        return {"question": self.question, "gold": self.answer, "source": self.source}


def load_squad(path: Path, corpus_dir: Path, limit: int | None = None) -> list[SquadQuestion]:
    """Write each paragraph to `corpus_dir` and return the questions (the first `limit`, if set)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    corpus_dir.mkdir(parents=True, exist_ok=True)
    questions = []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article["paragraphs"]):
            source = f"{a:03d}-{p:02d}.md"
            title = article.get("title", "").replace("_", " ")
            (corpus_dir / source).write_text(f"# {title}\n\n{paragraph['context']}\n", encoding="utf-8")
            for qa in paragraph["qas"]:
                answers = qa.get("answers") or [{"text": ""}]
                questions.append(SquadQuestion(qa["id"], qa["question"], answers[0]["text"], source))
    return questions[:limit] if limit else questions


def held_out(question: SquadQuestion) -> bool:
    """Questions of odd-numbered articles: never used to train the sentence ranker (evals/train_ranker.py)."""
    return int(question.source[:3]) % 2 == 1
