"""How the assistant phrases things, in French and English: source labels, dates, fixed messages."""

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "en": "January February March April May June July August September October November December".split(),
}

MESSAGES = {
    "fr": {
        "according": "D'après {source} ({date}) :",
        "announcement": "le communiqué de la Région Occitanie",
        "programme": "la fiche « {title} »",
        "document": "le document « {title} »",
        "undated": "date non précisée",
        "disagree": "Les sources ne concordent pas : elles sont citées toutes les deux, avec leur date. "
        "Vérifiez auprès de la Région ou d'AD'OCC avant de vous engager.",
        "abstain": "Je ne trouve pas la réponse à cette question dans mes sources : je préfère ne pas "
        "répondre plutôt que d'inventer.",
        "covers": "Mes documents portent sur les dispositifs d'innovation de la Région Occitanie, par exemple : {titles}.",
        "contact": "Pour un cas particulier, voici qui contacter : « {quote} » [{n}]",
        "empty": "La question est vide : posez une question sur les dispositifs d'innovation de la Région.",
        "too_long": "La question est trop longue ({length} caractères ; maximum {limit}). Reformulez-la plus brièvement.",
    },
    "en": {
        "according": "According to {source} ({date}):",
        "announcement": "the Région Occitanie press release",
        "programme": "the « {title} » sheet",
        "document": "the document « {title} »",
        "undated": "undated",
        "disagree": "The sources disagree: both are quoted, with their dates. Check with the Region or AD'OCC "
        "before relying on either.",
        "abstain": "I cannot find the answer to this question in my sources, so I would rather not answer "
        "than make something up.",
        "covers": "My documents cover the Région Occitanie innovation programmes, for example: {titles}.",
        "contact": "For a specific case, here is who to contact: « {quote} » [{n}]",
        "empty": "The question is empty: ask about the Region's innovation programmes.",
        "too_long": "The question is too long ({length} characters; limit {limit}). Please shorten it.",
    },
}


def message(language: str, key: str, **values) -> str:
    return MESSAGES.get(language, MESSAGES["fr"])[key].format(**values)


def human_date(iso: str | None, language: str) -> str:
    """'2024-05-22' -> 'mai 2024' / 'May 2024'; a partial or unknown date is shown as it is."""
    if not iso:
        return message(language, "undated")
    parts = iso.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        month = MONTHS.get(language, MONTHS["fr"])[int(parts[1]) - 1]
        return f"{month} {parts[0]}"
    return iso


def source_label(kind: str | None, title: str, language: str) -> str:
    key = kind if kind in ("announcement", "programme") else "document"
    return message(language, key, title=title)
