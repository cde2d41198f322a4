"""Is decoded text plausible for Swedish content? (pure)

A CSV file that is not UTF-8 is read as Windows-1252, which decodes almost any byte. A file
saved as Mac Roman or Shift_JIS then reads without an error but wrongly: ``VŠstra Gštaland``
for ``Västra Götaland`` (Mac Roman's ä and ö are Windows-1252's Š and š), ``Region SkŒne``,
``…stersund``. Such a cell is refused with its row and column, never imported.

Implausible are: control characters (other than tab and line breaks), the letters of
Windows-1252's 0x80–0x9F range that Swedish text does not use (Š š Œ œ Ž ž Ÿ ƒ), its symbols
that never stand in a word (ˆ ˜ † ‡ ‹ ›), and the symbols that may stand in text but not
glued to a letter (€ … ‰ • ™ ¬ ¶ º ª ¿ ¡ ± µ …): Mac Roman's Ö is Windows-1252's ``…``.
"""

import re

# Letters and marks that Windows-1252 gives to bytes which in Mac Roman or Shift_JIS are
# Swedish letters or halves of a Japanese character.
_NEVER = "ŠšŒœŽžŸƒˆ˜†‡‹›\u0081\u008d\u008f\u0090\u009d"
_CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"
# Symbols that may stand alone in text but not inside a word.
_NOT_IN_WORDS = "€…‰•™¬¶ºª¿¡±µ√∞≠≤≥∂∑∏π∫Ω◊ﬁﬂ¢£¥§©®°·"

_CONTROLS = re.compile(rf"[{re.escape(_CONTROL)}]")
_MISREAD = re.compile(
    rf"[{re.escape(_NEVER + _CONTROL)}]"
    rf"|(?<=[^\W\d_])[{re.escape(_NOT_IN_WORDS)}]"
    rf"|[{re.escape(_NOT_IN_WORDS)}](?=[^\W\d_])"
)


def implausible(text: str, *, guessed: bool = True) -> str | None:
    """The first implausible character of ``text``, or None when it reads as text.

    ``guessed``: the encoding was a guess (Windows-1252, which decodes any byte), so letters
    and symbols that a misread file shows count too; text that decoded as UTF-8 is only
    checked for control characters (a Czech ``Š`` in UTF-8 is a real letter)."""
    match = (_MISREAD if guessed else _CONTROLS).search(text)
    return match.group(0) if match else None


def shown(char: str) -> str:
    """A character as the message names it: itself, or its code point when invisible."""
    return char if char.isprintable() else f"U+{ord(char):04X}"
