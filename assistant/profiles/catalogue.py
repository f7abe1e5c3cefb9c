"""The profiles of one index, looked up by what the question names."""

from assistant.profiles.model import Profile


class Programmes:
    """The corpus's programmes (assistant/profiles/builder.py), by document and name."""

    def __init__(self, profiles: list[Profile]):
        self.profiles = profiles

    def __iter__(self):
        return iter(self.profiles)

    def of(self, source: str | None, name: str | None = None) -> Profile | None:
        """The profile of a subject: its document's, the one of that name when the document holds several."""
        own = [p for p in self.profiles if p.source == source]
        named = [p for p in own if name and name.lower() in (n.lower() for n in (p.name, *p.aliases))]
        return (named or own or [None])[0]

    def matchable(self) -> list[Profile]:
        """The programmes an asker can be checked against: those whose documents state criteria."""
        return [p for p in self.profiles if any(c.dimension != "other" for c in p.criteria)]

    @staticmethod
    def cited_chunks(profile: Profile) -> list[str]:
        """The chunks holding what an answer may cite of a profile: criteria, amounts, status, contact, definition."""
        facts = [c.fact for c in profile.criteria] + [a.fact for a in profile.amounts]
        facts += [f for f in (profile.status_fact, profile.contact, profile.definition) if f]
        return [f.chunk_id for f in facts]
