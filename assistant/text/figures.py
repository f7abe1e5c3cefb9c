"""Figures in text, defined once: what is a number, an amount, a date, and when two are the same value.

Three precisions for three uses:
- detection (`has_amount`, `has_date`, `has_number`): the extractive answerer's sentence features. Their
  patterns are kept verbatim: the sentence ranker was trained on them, so any change changes answers.
- `figures`: every number as written with every value it may stand for, for the LLM answer check
  (assistant/answering/llm/grounding.py), which accepts a number if one of its readings is in the cited
  passages; read by the same reader as `amounts` (one table of magnitudes, `SCALES`).
- `amounts`: quantities read as values, with kind, unit, range and bound, in `Decimal` and base units,
  so "5 M€" and "5 000 000 €" are one value and "2 à 5 M€" another (`same_value`,
  `disagree`: the conflict notice).
And the two digit normalisations of the evals' match form (`join_digit_groups`, `tight_units`).

`amounts` reads, in French first and in English:
- numbers: 20 000 (space, nbsp or narrow nbsp between groups), 0,20, 1,5, 10,000, 1.5, 1,500,000;
- amounts: €, euros, EUR, k€, M€, Md€, "5 millions d'euros", "60 millions €", "2 milliards" (a bare
  magnitude word is euros, as in the corpus), "€10,000", "€1.5 million", "EUR 5m", "€2bn";
- percents (%, pour cent, percent), durations (ans, années, mois, semaines, jours, years, months, weeks,
  days; "12-month"), counts (a number right before a counted noun: salariés, entreprises, projets...);
- years (1800-2099, standing alone), dates ("22 mai 2024", "1er janvier 2018", "avril 2022",
  "May 22, 2024", "2024-05-22") and day ranges ("22-25 mai 2024");
- ranges: "de 10 000 à 50 000 €", "2 à 5 M€", "entre 2 et 5 M€", "10 000 - 50 000 €", "2-5 M€",
  "from €10,000 to €50,000", "2024-2028"; the unit of the second end applies to a bare first end;
- bounds, before the figure: moins de, plus de, au moins, jusqu'à, plafonné à, d'ici, environ, under,
  up to, <, ≥... (see `BOUNDS_BEFORE`), or after it: "24 mois au maximum", "50 % au moins", "2024 ou
  plus"; "over" bounds an amount, a count or an age ("over 3 years old"), not a term ("over 5 years").

Written-out numbers ("cinq millions", "un salarié", "moins d'un an") only with `written_out=True`. It does not read: a counted noun
after an adjective ("100 jeunes entreprises"); rates ("50/an" and "par an" are not part of the figure);
other units (m², heures); dates without a year ("le 13 juin"), month ranges ("juin-juillet 2024"),
seasons and "fin 2022" as more than the year 2022; temporal bounds ("depuis", "avant"); two-digit or
short years ("2024-25"); a number with no unit or noun ("SMEs (< 250)"). "de X à Y" is always a range, even when it tells a change ("relevé de 15 % à
20 %"). Durations keep the unit written: "24 mois" is not "2 ans". "1,500" alone is one thousand five
hundred, "1,500 M€" one and a half million: a magnitude after a number makes its separator decimal.
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

# --- citation markers -------------------------------------------------------------------------------

# [1], [2, 3] or [2; 3]: what the model writes to cite passages.
MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")

# --- detection: the extractive answerer's features, verbatim (the sentence ranker learnt them) -------

DIGIT = re.compile(r"\d")
AMOUNT = re.compile(
    r"(?:\d[\d  ,.]*\s?(?:à|-|et)\s?)?\d[\d  ,.]*\s?(?:M€|k€|€|%|millions?|milliards?|euros?)", re.IGNORECASE
)
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
MONTH = re.compile(
    r"\b(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)\b",
    re.IGNORECASE,
)


def has_amount(text: str) -> bool:
    """An amount or a percent as the ranker learnt it: loose on purpose ("2 millions" of anything counts)."""
    return bool(AMOUNT.search(text))


def has_date(text: str) -> bool:
    """A year (1800-2099) or a French month name."""
    return bool(YEAR.search(text) or MONTH.search(text))


def has_number(text: str) -> bool:
    """Any digit, citation markers included."""
    return bool(DIGIT.search(text))


# --- figures: every number and the values it may stand for (the LLM answer check) -------------------


@dataclass(frozen=True)
class Figure:
    """A number as written, with the values it may stand for (several when the notation is ambiguous)."""

    text: str
    values: frozenset  # with its magnitude applied: "5 M€" -> {5000000}
    raw: frozenset  # without it: "5 M€" -> {5}


def figures(text: str) -> list[Figure]:
    """Every number in `text`, citation markers excluded, read by the reader of `amounts` (so "2 Mrd €",
    "€2bn" and "2 milliards" are 2e9 here as there), with every value an ambiguous notation allows:
    "20,000" is twenty thousand or twenty."""
    masked = MARKER.sub(lambda m: _BLANK * len(m.group()), text)
    found = []
    for match in _NUMBER.finditer(masked):
        reading = _reading(masked, match.start(), match.end(), match.group())
        digits = re.sub(r"[ \u00a0\u202f]", "", match.group())
        raw: set = set()
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):  # 20,000 / 20.000: thousands, or a decimal
            raw.add(Decimal(re.sub(r"[.,]", "", digits)))
            if len(re.findall(r"[.,]", digits)) == 1:
                raw.add(Decimal(digits.replace(",", ".")))
        elif re.fullmatch(r"\d+(?:[.,]\d+)?", digits):
            raw.add(Decimal(digits.replace(",", ".")))
        else:  # 1.2.3 and the like: compared as written
            raw.add(digits)
        values = {_canonical(v * reading.scale) for v in raw if isinstance(v, Decimal)} if reading.scale != 1 else raw
        found.append(Figure(text[reading.start:reading.end].strip(), frozenset(values), frozenset(raw)))
    return found


# --- the evals' match form --------------------------------------------------------------------------

DIGIT_GROUP = re.compile(r"(?<=\d)[ .,](?=\d{3}\b)")  # 3 500, 3.500, 3,500 -> 3500
BEFORE_UNIT = re.compile(r"(?<=\d) (?=[%€])")  # 10 % -> 10%


def join_digit_groups(text: str) -> str:
    """"3 500", "3.500", "3,500" -> "3500". Plain spaces only (fold nbsp first); "0,200" -> "0200" too."""
    return DIGIT_GROUP.sub("", text)


def tight_units(text: str) -> str:
    """"10 %" -> "10%", "5 €" -> "5€". Plain spaces only."""
    return BEFORE_UNIT.sub("", text)


# --- quantities: figures read as values --------------------------------------------------------------

Kind = Literal["amount", "percent", "duration", "count", "year", "date"]
AMOUNT_KINDS = ("amount", "percent")  # what the conflict notice compares


@dataclass(frozen=True)
class Quantity:
    """A figure read as a value: "2 à 5 M€" -> kind "amount", unit "€", low 2000000, high 5000000.

    `low` == `high` for a single value, `low` < `high` for a range. Amounts are in euros, percents in
    percent, durations and counts in the unit written, singular and French ("an", "mois", "salarié").
    Years and dates are calendar numbers and `unit` says their precision: 2024 ("an"), 202405
    ("mois"), 20240522 ("jour"). `bound` is how the text qualifies the value: "<" moins de, "<="
    jusqu'à, ">" plus de, ">=" au moins, "~" environ, None for none.
    """

    text: str  # as written, from the first figure to the last unit
    kind: Kind
    unit: str
    low: Decimal
    high: Decimal
    bound: str | None = None
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # offsets of `text` in the text read

    @property
    def key(self) -> tuple:
        """What `same_value` compares. The bound is left out: "plafonnée à 50 000 €" and "une
        subvention de 50 000 €" state one amount, not two conflicting ones."""
        return (self.kind, self.unit, self.low, self.high)


def same_value(a: Quantity, b: Quantity) -> bool:
    """Same kind, unit and range: "5 M€" is "5 000 000 €", "0,20 %" is "0,2 %", "2 à 5 M€" is not "5 M€"."""
    return a.key == b.key


def disagree(quoted: Mapping[tuple[str, str | None], Iterable[Quantity]]) -> bool:
    """Documents of different dates quote amounts that differ as values.

    `quoted` maps (source, date) to the quantities of the sentences quoted from it. True when at least
    two of them quote amounts or percents, their value sets are not all equal, and their dates are not
    all equal (an undated document counts as one more date). "5 M€" against "5 000 000 €" agrees;
    "2 à 5 M€" against "5 M€" does not.
    """
    values = {key: _amount_values(quantities) for key, quantities in quoted.items()}
    values = {key: found for key, found in values.items() if found}
    return len(values) >= 2 and len(set(values.values())) >= 2 and len({date for _, date in values}) >= 2


def years_named(text: str) -> set[int]:
    """The years a text names, ranges spelt out ("2024-2028" -> 2024 ... 2028), dates' years included."""
    found = set()
    for quantity in amounts(text):
        if quantity.kind in ("year", "date"):
            low, high = (int(str(v)[:4]) for v in (quantity.low, quantity.high))
            found.update(range(low, high + 1))
    return found


def _amount_values(quantities: Iterable[Quantity]) -> tuple:
    return tuple(sorted({q.key for q in quantities if q.kind in AMOUNT_KINDS}))


_S = r"[^\S\n]"  # one space of any width (nbsp, narrow nbsp), never a line break: a figure stays on its line
_APOSTROPHE = "['’]"
_BLANK = "\ufffc"  # stands in for what is already read or never read: not a digit, a space or a word
_EURO = r"(?:€|euros?\b|eur\b)"

# unit -> how it is written (IGNORECASE), singular French first
DURATION_UNITS = {
    "an": r"ans?|années?|years?",
    "mois": r"mois|months?",
    "semaine": r"semaines?|weeks?",
    "jour": r"jours?|days?",
}
COUNTED_UNITS = {
    "salarié": r"salari[ée]e?s?|employ[ée]e?s?|employees?|staff",
    "emploi": r"emplois?|jobs?",
    "entreprise": r"entreprises?|sociétés?|companies|company|firms?",
    "start-up": r"start-?ups?",
    "PME": r"PME|SMEs?",
    "TPE": r"TPE",
    "ETI": r"ETI",
    "JEI": r"JEI",
    "projet": r"projets?|projects?",
    "laboratoire": r"laboratoires?|laboratories|laboratory|labs?",
    "chercheur": r"chercheu(?:r|se|rs|ses)|researchers?",
    "ingénieur": r"ingénieure?s?|engineers?",
    "personne": r"personnes?|people|persons?",
    "partenaire": r"partenaires?|partners?",
    "brevet": r"brevets?|patents?",
    "habitant": r"habitants?|inhabitants?",
    "action": r"actions?",
    "thématique": r"thématiques?|themes?",
    "université": r"universités?|universities|university",
    "école": r"écoles?|schools?",
    "implantation": r"implantations?|bureaux|offices?",
    "département": r"départements?|departments?",
    "institut": r"instituts?|institutes?",
    "lauréat": r"lauréate?s?|laureates?|winners?",
}
SCALES = {"k": 1_000, "mille": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000,
          "md": 1_000_000_000, "mrd": 1_000_000_000, "milliard": 1_000_000_000, "billion": 1_000_000_000,
          "bn": 1_000_000_000}


def _alternation(units: dict[str, str]) -> str:
    return "(?:" + "|".join(units.values()) + ")"


def _unit(units: dict[str, str], word: str) -> str:
    return next(unit for unit, pattern in units.items() if re.fullmatch(pattern, word, re.IGNORECASE))


def _scale(word: str) -> int:
    return SCALES[word.lower().rstrip("s")]


# A number as written; its value is decided by `_decimal` once we know whether a magnitude follows.
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)*)(?!\d)")
# What may follow a number and make it a quantity, tried in this order.
_SUFFIX = re.compile(
    rf"{_S}?(?P<symbol>mds?|mrds?|m|k){_S}?{_EURO}"
    rf"|{_S}?(?P<word>mille|thousand|millions?|milliards?|billions?)\b"
    rf"(?:{_S}+(?:de|d{_APOSTROPHE}|of){_S}*(?P<word_noun>{_alternation(COUNTED_UNITS)})\b"
    rf"|{_S}*(?:(?:de|d{_APOSTROPHE}|of){_S}*)?{_EURO})?"
    rf"|{_S}?(?P<euro>{_EURO})"
    rf"|{_S}?(?P<percent>%|pour{_S}?cents?\b|per{_S}?cent\b|percent\b)"
    rf"|(?:{_S}?|-)(?P<duration>{_alternation(DURATION_UNITS)})\b"
    rf"|{_S}(?P<noun>{_alternation(COUNTED_UNITS)})\b",
    re.IGNORECASE,
)
# "€10,000", "EUR 5m": a currency written before the number, English style, and its magnitude after it;
# not the € that ends the figure before ("60 M€ 2024-2028").
_CURRENCY_BEFORE = re.compile(rf"(?:€|\bEUR){_S}?$")
_UNIT_OF_PREVIOUS = re.compile(rf"\d{_S}?(?:mds?|m|k)?{_S}?$", re.IGNORECASE)
_ENGLISH_SCALE = re.compile(rf"{_S}?(?P<scale>thousand|millions?|billions?|bn|m|k)\b", re.IGNORECASE)
# Between the two ends of a range. "et"/"and" only after "entre"/"between": "3 et 5 ans" lists two values.
_TO = re.compile(rf"{_S}*(?:à|-|–|to){_S}*", re.IGNORECASE)
_AND = re.compile(rf"{_S}*(?:et|and){_S}*", re.IGNORECASE)
_BETWEEN = re.compile(rf"\b(?:entre|between){_S}+$", re.IGNORECASE)

_DE = rf"(?:de|d{_APOSTROPHE})"
_A = r"(?:à|au|aux)"
# bound -> the words right before a figure that set it; checked in this order, so that "au moins" is
# not read as "moins de", "no more than" not as "more than".
BOUNDS_BEFORE = {
    ">=": rf"au{_S}+moins|pas{_S}+moins{_S}+{_DE}|at{_S}+least|no{_S}+less{_S}+than|(?:au{_S}+)?minimum(?:{_S}+{_DE})?"
          rf"|minimale?{_S}+{_DE}|à{_S}+partir{_S}+{_DE}|≥|>=",
    "<=": rf"jusqu{_APOSTROPHE}{_S}?(?:{_A}|en)|up{_S}+to|plafonnée?s?{_S}+{_A}|plafond{_S}+{_DE}|capped{_S}+at"
          rf"|au{_S}+plus|pas{_S}+plus{_S}+{_DE}|at{_S}+most|no{_S}+more{_S}+than|not{_S}+exceeding"
          rf"|(?:au{_S}+)?maximum(?:{_S}+{_DE})?|maximale?{_S}+{_DE}|dans{_S}+la{_S}+limite{_S}+{_DE}"
          rf"|d{_APOSTROPHE}ici|sous|within|≤|<=",
    "<": rf"moins{_S}+{_DE}|less{_S}+than|fewer{_S}+than|under|below|inférieure?s?{_S}+{_A}|<",
    # "en plus de 5 M€" adds, it does not bound
    ">": rf"(?<!\ben\s)plus{_S}+{_DE}|more{_S}+than|over|above|supérieure?s?{_S}+{_A}|>",
    "~": rf"environ|près{_S}+{_DE}|about|around|approximately|autour{_S}+{_DE}|quelque",
}
BOUNDS_AFTER = {  # "24 mois au maximum", "50 % au moins"
    "<=": rf"au{_S}+maximum|maximum|au{_S}+plus|max\b\.?|at{_S}+most|or{_S}+less|ou{_S}+moins(?!{_S}+{_DE})",
    ">=": rf"au{_S}+moins|au{_S}+minimum|minimum|at{_S}+least|or{_S}+more|ou{_S}+plus(?!{_S}+{_DE})",
}
_OVER = re.compile(rf"(?<!\w)over{_S}*$", re.IGNORECASE)
_OLD = re.compile(rf"{_S}+old\b", re.IGNORECASE)
_BOUND_BEFORE = [(b, re.compile(rf"(?<![\w'’])(?:{words}){_S}*$", re.IGNORECASE)) for b, words in BOUNDS_BEFORE.items()]
_BOUND_AFTER = [(b, re.compile(rf"{_S}*(?:{words})(?![\w])", re.IGNORECASE)) for b, words in BOUNDS_AFTER.items()]

FRENCH_MONTHS = {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
                 "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
                 "décembre": 12, "decembre": 12}
ENGLISH_MONTHS = {name: n for n, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTHS = {**FRENCH_MONTHS, **ENGLISH_MONTHS}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_ENGLISH_MONTH = "(?P<month>" + "|".join(ENGLISH_MONTHS) + ")"
_YEAR = r"(?P<year>(?:1[89]|20)\d{2})(?!\w)"
_DAY = r"(?P<day>\d{1,2})(?:er|ᵉʳ|st|nd|rd|th)?"
# Tried in this order; a later pattern only reads what an earlier one left (its day is not a date).
_DATES = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])",  # 2024-05-22
    rf"(?<!\w)(?P<first>\d{{1,2}})(?:er)?{_S}*(?:-|–|au|à|to){_S}*{_DAY}{_S}+{_MONTH}{_S}+{_YEAR}",  # 22-25 mai 2024
    rf"(?<!\w){_DAY}{_S}+{_MONTH}{_S}+{_YEAR}",  # 22 mai 2024, 1er janvier 2018, 22 May 2024
    rf"(?<!\w){_ENGLISH_MONTH}{_S}+{_DAY},?{_S}+{_YEAR}",  # May 22, 2024
    rf"(?<!\w){_MONTH}{_S}+{_YEAR}",  # avril 2022, May 2024
)]
_CALENDAR_YEAR = re.compile(r"(?:1[89]|20)\d{2}")


@dataclass(frozen=True)
class _Reading:
    """One number with what is written around it, before ranges are joined."""

    start: int
    end: int
    digits: str
    kind: Kind | None = None  # None: a bare number, which only a year or a range's other end can explain
    unit: str = ""
    scale: int = 1
    decimal_separator: bool = False  # a magnitude or a percent follows: "1,500 M€" is 1.5 M€

    def value(self) -> Decimal | None:
        number = _decimal(self.digits, self.decimal_separator)
        return None if number is None else _canonical(number * self.scale)

    @property
    def calendar_year(self) -> bool:
        return self.kind is None and bool(_CALENDAR_YEAR.fullmatch(self.digits))


def amounts(text: str, written_out: bool = False) -> list[Quantity]:
    """Every quantity in `text`, in reading order: amounts, percents, durations, counts, years, dates.

    With `written_out`, numbers written in words count too ("au moins un salarié", "cinq millions
    d'euros", "moins d'un an", "two years"), read by text2num: for criteria and what an asker says of
    themselves, not for the lead, where "une entreprise" would be a count of one.

    Named for its first use, the comparison of amounts: filter on `kind` for one sort. Citation
    markers are never read. A number with no unit, magnitude or counted noun is not a quantity unless
    it is a year; a number tied by a hyphen to another that makes no range ("décret n° 2024-464") is
    an identifier, not a year.
    """
    masked = MARKER.sub(lambda m: _BLANK * len(m.group()), text)
    found: list[tuple[int, int, Kind, str, Decimal, Decimal]] = []
    for start, end, unit, low, high in _dates(masked):
        found.append((start, end, "date", unit, low, high))
        masked = masked[:start] + _BLANK * (end - start) + masked[end:]
    numbers = [(m.start(), m.end(), m.group()) for m in _NUMBER.finditer(masked)]
    if written_out:
        numbers = sorted(numbers + _written_numbers(masked))
    readings = [_reading(masked, start, end, digits) for start, end, digits in numbers]
    hyphenated = {i for i in range(len(readings) - 1) if masked[readings[i].end : readings[i + 1].start] == "-"}
    hyphenated |= {i + 1 for i in hyphenated}
    i = 0
    while i < len(readings):
        reading = readings[i]
        joined = _range(masked, reading, readings[i + 1]) if i + 1 < len(readings) else None
        if joined:
            found.append((reading.start, readings[i + 1].end, *joined))
            i += 2
            continue
        value = reading.value()
        if value is not None and reading.kind:
            found.append((reading.start, reading.end, reading.kind, reading.unit, value, value))
        elif value is not None and reading.calendar_year and i not in hyphenated:
            found.append((reading.start, reading.end, "year", "an", value, value))
        i += 1
    return [
        Quantity(text[start:end], kind, unit, low, high, _bound(masked, start, end, kind), (start, end))
        for start, end, kind, unit, low, high in sorted(found, key=lambda f: f[0])
    ]


_NUMBER_WORDS = (
    "zéro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingts?"
    "|trente|quarante|cinquante|soixante|cents?|mille"
    "|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand"
)
_WRITTEN = re.compile(rf"(?<![\w-])(?:{_NUMBER_WORDS})(?:(?:-et-|{_S}et{_S}|-|{_S}|{_S}and{_S})(?:{_NUMBER_WORDS}))*(?![\w-])",
                      re.IGNORECASE)


def _written_numbers(masked: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each number written in words, French or English, through text2num."""
    from text_to_num import text2num  # imported on first use: only criteria and questions read words

    found = []
    for match in _WRITTEN.finditer(masked):
        for language in ("fr", "en"):
            try:
                value = text2num(match.group().lower(), language)
            except ValueError:
                continue
            found.append((match.start(), match.end(), str(value)))
            break
    return found


def _dates(masked: str) -> list[tuple[int, int, str, Decimal, Decimal]]:
    """Dates, each read once by the most precise pattern: (start, end, precision, low, high)."""
    dates: list[tuple[int, int, str, Decimal, Decimal]] = []
    for pattern in _DATES:
        for match in pattern.finditer(masked):
            if any(start < match.end() and match.start() < end for start, end, *_ in dates):
                continue
            parts = match.groupdict()
            month = MONTHS.get(parts["month"].lower()) or int(parts["month"])
            year = int(parts["year"])
            days = [int(parts[d]) for d in ("first", "day") if parts.get(d)]
            try:
                calendar = [datetime.date(year, month, day) for day in days or [1]]
            except ValueError:  # 31 février, month 13: not a date
                continue
            if not days:
                dates.append((match.start(), match.end(), "mois", Decimal(year * 100 + month), Decimal(year * 100 + month)))
            elif calendar[0] <= calendar[-1]:
                low, high = (Decimal(d.year * 10000 + d.month * 100 + d.day) for d in (calendar[0], calendar[-1]))
                dates.append((match.start(), match.end(), "jour", low, high))
    return dates


def _reading(masked: str, start: int, end: int, digits: str) -> _Reading:
    """The number `digits` at masked[start:end] with what is written around it."""
    currency = _CURRENCY_BEFORE.search(masked, max(0, start - 5), start)
    if currency and not _UNIT_OF_PREVIOUS.search(masked, max(0, currency.start() - 8), currency.start()):
        scale = _ENGLISH_SCALE.match(masked, end)
        return _Reading(currency.start(), scale.end() if scale else end, digits, "amount", "€",
                        _scale(scale.group("scale")) if scale else 1, bool(scale))
    suffix = _SUFFIX.match(masked, end)
    if not suffix:
        return _Reading(start, end, digits)
    end = suffix.end()
    if suffix.group("symbol"):
        return _Reading(start, end, digits, "amount", "€", _scale(suffix.group("symbol")), True)
    if suffix.group("word_noun"):
        return _Reading(start, end, digits, "count", _unit(COUNTED_UNITS, suffix.group("word_noun")),
                        _scale(suffix.group("word")), True)
    if suffix.group("word"):
        return _Reading(start, end, digits, "amount", "€", _scale(suffix.group("word")), True)
    if suffix.group("euro"):
        return _Reading(start, end, digits, "amount", "€")
    if suffix.group("percent"):
        return _Reading(start, end, digits, "percent", "%", 1, True)
    if suffix.group("duration"):
        return _Reading(start, end, digits, "duration", _unit(DURATION_UNITS, suffix.group("duration")))
    return _Reading(start, end, digits, "count", _unit(COUNTED_UNITS, suffix.group("noun")))


def _range(masked: str, first: _Reading, second: _Reading) -> tuple[Kind, str, Decimal, Decimal] | None:
    """(kind, unit, low, high) when `first` and `second` are the two ends of one range, else None."""
    between = masked[first.end : second.start]
    if not (_TO.fullmatch(between) or (_AND.fullmatch(between) and _BETWEEN.search(masked, max(0, first.start - 12), first.start))):
        return None
    if second.kind is None:  # 2024-2028: a period, two bare years
        if not (first.calendar_year and second.calendar_year):
            return None
        kind, unit = "year", "an"
        ends = [(first.value(), second.value())]
    elif first.kind is None:  # "2 à 5 M€": the second end's unit and magnitude apply to both...
        kind, unit = second.kind, second.unit
        inherited = _Reading(first.start, first.end, first.digits, kind, unit, second.scale, second.decimal_separator)
        # ...unless that makes no range: "de 500 000 à 2 M€" means 500 000 €
        ends = [(inherited.value(), second.value()), (_Reading(0, 0, first.digits, kind, unit).value(), second.value())]
    elif (first.kind, first.unit) == (second.kind, second.unit):
        kind, unit = second.kind, second.unit
        ends = [(first.value(), second.value())]
    else:
        return None
    for low, high in ends:
        if low is not None and high is not None and low < high:
            return kind, unit, low, high
    return None


def _bound(masked: str, start: int, end: int, kind: Kind) -> str | None:
    for bound, pattern in _BOUND_BEFORE:
        if pattern.search(masked, max(0, start - 40), start):
            if kind in ("duration", "year", "date") and _OVER.search(masked, max(0, start - 10), start) \
                    and not _OLD.match(masked, end):
                return None  # "over 5 years", "over 2024-2028" tell a term; "over 3 years old" an age
            return bound
    for bound, pattern in _BOUND_AFTER:
        if pattern.match(masked, end):
            return bound
    return None


def _decimal(digits: str, decimal_separator: bool) -> Decimal | None:
    """The number `digits` writes, or None when it writes none ("1.2.3").

    A single "," or "." before exactly three digits groups thousands ("10,000 €", "1,107 companies"),
    unless a magnitude or a percent follows or the integer part is 0 ("1,500 M€", "0,200 %"); several
    groups are always thousands ("1,500,000", "1.500.000").
    """
    digits = re.sub(r"[ \u00a0\u202f]", "", digits)
    if re.fullmatch(r"\d+", digits):
        return Decimal(digits)
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+", digits):  # 1,500,000.50
        return Decimal(digits.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\.\d{3})+,\d+", digits):  # 1.500.000,50
        return Decimal(digits.replace(".", "").replace(",", "."))
    if re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", digits) and not decimal_separator:
        return Decimal(re.sub(r"[.,]", "", digits))
    if re.fullmatch(r"\d+[.,]\d+", digits):
        return Decimal(digits.replace(",", "."))
    return None


def _canonical(number: Decimal) -> Decimal:
    """One writing per value, so equal values print alike: 0.20 -> 0.2, 5.0E+6 -> 5000000."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


# --- a figure with the words that belong to it -------------------------------------------------------

# After a figure, the words that belong to it: "2 à 5 M€ par an", "60 M€ sur la période 2024-2028".
QUALIFIER = re.compile(
    r"^\s*(?:par an|/an|par projet|par entreprise|par start-up|par dossier|HT|TTC|de dépenses|d'assiette"
    r"|sur (?:la période )?(?:\d{4}\s?-\s?\d{4}|\d+ ans)|(?:dont|avec) \d+ ans? de différé)",
    re.IGNORECASE,
)
BOUND_WORDS = re.compile(
    r"(moins de|plus de|au moins|au plus|jusqu'à|jusqu’à|plafonnée? à|environ|de|entre|à hauteur de|maximum de|up to|at least|less than|more than)\s*$",
    re.IGNORECASE,
)


# Before a figure, the words that say what it is: "à hauteur de 2 M€", "porté à 60 M€", "une dotation de 5 M€".
LEADING = r"à hauteur de|portée?s? à|relevée?s? à|fixée?s? à|dotée?s? de|dotation de|enveloppe de|budget de|subvention de"
LEADING_WORDS = re.compile(rf"({LEADING})\s*$", re.IGNORECASE)  # right before a figure
LEADING_START = re.compile(rf"^({LEADING})\s*", re.IGNORECASE)  # at the start of a span


def figure_span(text: str, quantity: Quantity) -> str:
    """The figure as the sentence writes it, with what it is or its bound before ("à hauteur de 2 M€",
    "moins de 8 ans") and its qualifier after ("2 à 5 M€ par an", "60 M€ sur la période 2024-2028")."""
    start, end = quantity.span
    before = BOUND_WORDS.search(text[:start])
    ranged = quantity.low != quantity.high
    leading = LEADING_WORDS.search(text[:start])
    if leading:
        start = leading.start(1)
    elif before and (quantity.bound is not None or ranged and before.group(1).lower() in ("entre", "de")):
        start = before.start(1)
    after = QUALIFIER.match(text[end:])
    if after:
        end += after.end()
    return text[start:end].strip()
