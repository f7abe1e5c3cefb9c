"""Follow-up questions: "Quel est son budget ?" is searched together with what the conversation was about.

Only a question that refers back (pronoun, "ce dispositif", ellipsis) is condensed; a question that
names its own subject is taken as it is.
"""

import re

from assistant.models import Message
from assistant.text.french import analyze

REFERS_BACK = re.compile(
    r"\b(son|sa|ses|leur|leurs|il|elle|ils|elles|celui-ci|celle-ci|celui-là|celle-là|ce dispositif|cette aide|"
    r"ce programme|ce prêt|ce pret|ce plan|ce partenariat|ce statut|cet accord|ce projet|y|en|"
    r"its|it|they|their|this scheme|this programme|this program|that scheme|this one|same)\b",
    re.IGNORECASE,
)
ELLIPSIS = re.compile(r"^\s*((ok|okay|d'accord|merci|super|bon|ah|alors)\W+)*(et|and|mais|but|aussi|also|ou|or)\b", re.IGNORECASE)
# Words that ask about an aspect of a subject without naming the subject.
GENERIC = set(
    analyze(
        "budget montant montants conditions condition critères éligibilité éligible date dates durée délai "
        "taux plafond qui quoi contact contacter dossier candidature candidater postuler bénéficier "
        "combien financement aide aides statut ouvert encore toujours objectif objectifs cible "
        "amount budget conditions eligible eligibility deadline open still apply who contact rate funding "
        "mettre place vigueur rôle exemple âge age ans année années durée temps mois entreprise "
        "entreprises boîte société taille salariés minimum maximum max min combien R&D dépenses "
        "how long years old company size minimum maximum"
    )
)


# A question that refers back but names more subject words than this has its own subject.
MAX_SUBJECT_TERMS = 2
MAX_CONTEXT_CHARS = 500  # the conversation searched with a follow-up: its latest words


def own_terms(question: str) -> list[str]:
    """The question's words beyond those that ask about any subject: "qui contacter pour un projet
    d'innovation ?" -> projet, innov; "et son taux ?" -> none."""
    return [t for t in analyze(question) if t not in GENERIC]


def needs_context(question: str, history: list[Message]) -> bool:
    if not any(m.role == "user" for m in history):
        return False
    subject_terms = own_terms(question)
    refers_back = bool(REFERS_BACK.search(question) or ELLIPSIS.search(question))
    return refers_back and len(subject_terms) <= MAX_SUBJECT_TERMS or not subject_terms


def conversation_context(question: str, history: list[Message]) -> str:
    """The earlier user question(s) a follow-up refers to, or "" for a standalone question."""
    if not needs_context(question, history):
        return ""
    previous = [m.content for m in history if m.role == "user"]
    # The latest question that named a subject, and any follow-up after it.
    context = []
    for text in reversed(previous):
        context.insert(0, text)
        if [t for t in analyze(text) if t not in GENERIC]:
            break
    return " ".join(context)[-MAX_CONTEXT_CHARS:]
