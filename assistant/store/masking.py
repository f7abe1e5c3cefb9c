"""What is stored of a person's text: e-mail addresses and phone numbers replaced by a placeholder, and
no character a store refuses (NUL, which PostgreSQL has no place for; lone surrogates, which are not UTF-8)."""

import re

from assistant.wording import MASKED

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, +33 (0)6…, 0033 6…;
# then any other international number (+ and 8 to 15 digits). Not inside a longer run of digits.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}"
    r"|\+\d(?:[\s.-]?\d){7,14})(?![\d])"
)


def mask(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by a placeholder."""
    if not text:
        return text
    return PHONE.sub(MASKED["phone"], EMAIL.sub(MASKED["email"], text))


NUL = "\x00"
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def storable(text):
    """The text as every store takes it: NUL characters dropped, lone surrogates (a JSON "\\ud800")
    replaced by U+FFFD. Anything that is not a string is returned as it is."""
    if not isinstance(text, str) or not text:
        return text
    return LONE_SURROGATE.sub("\ufffd", text.replace(NUL, ""))


def masked(text):
    """What is stored of a person's text: storable, with e-mail addresses and phone numbers masked."""
    return mask(storable(text))
