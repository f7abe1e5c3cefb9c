"""The polite refusal: what the documents cover and who to contact, quoted from the corpus; if a
document says it does not know, that quote comes first."""

from assistant.answering.extractive.clauses import first_clause
from assistant.models import Answer, Chunk, Citation
from assistant.question.subjects import title_names
from assistant.text.french import split_sentences
from assistant.wording import message

CONTACT_CHARS = 110  # the contact sentence is quoted up to its first clause boundary within this
COVERED_TITLES = 6  # programmes named as examples of what the documents cover


class Refusal:
    def __init__(self, chunks: list[Chunk], contact_document: str):
        # Computed once: a scan of every chunk.
        # Each programme by the first name its title gives ("JEI", not "Jeune Entreprise Innovante (JEI) : statut national").
        names = {min(title_names(c.title) or [c.title], key=len) for c in chunks if c.kind == "programme"}
        self.titles = sorted(names, key=str.lower)[:COVERED_TITLES]
        self.contact = next((c for c in chunks if c.source == contact_document), None) or next(
            (c for c in chunks if "contact" in c.section.lower()), None
        )

    def compose(self, said: Answer) -> Answer:
        """The refusal for an answer that abstained (keeping its quotes and provenance)."""
        language = said.language
        # What the answerer said (a quote, or "no document describes X"), else the plain refusal.
        lines = [said.answer] if said.citations or said.lead else [message(language, "abstain")]
        citations = list(said.citations)
        if self.titles and not said.citations:
            lines.append(message(language, "covers", titles=", ".join(self.titles)))
        contact = self.contact
        if contact is not None and all(c.source != contact.source for c in citations):
            first = next((contact.text[a:b] for a, b in split_sentences(contact.text)), contact.text)
            quote = first_clause(first, CONTACT_CHARS)
            n = len(citations) + 1
            citations.append(Citation.of(n, contact, quotes=[quote]))
            lines.append(message(language, "contact", quote=quote, n=n))
        return said.model_copy(update={"answer": "\n\n".join(lines), "abstained": True, "citations": citations})
