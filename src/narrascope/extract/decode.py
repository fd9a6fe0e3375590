"""Bytes to text without mojibake.

Order: a byte-order mark; UTF-8 if the bytes are valid UTF-8 (the overwhelming case, and a strict
decode never succeeds by accident on legacy 8-bit text with accents); the charset the input
declares (HTTP header hint, ``<meta charset>``, XML declaration); then charset-normalizer's guess,
preferring the Western code pages where it cannot tell them apart; cp1252 is the last resort
because it maps every byte a latin-1 text uses to the same letter.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import ReadError

__all__ = ["declared_charset", "decode"]

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Latin-1 is read as its superset cp1252, which also has the curly quotes and dashes that
# Windows-written "latin-1" files really contain.
WESTERN = {"latin_1": "cp1252", "iso8859_1": "cp1252", "iso8859_15": "cp1252", "ascii": "utf-8"}
# charset-normalizer's guesses that are confusions with cp1252 on short English text.
CP1252_LOOKALIKES = {
    "cp1250", "cp1254", "cp1257", "cp1258", "mac_roman", "mac_latin2", "iso8859_2", "iso8859_9",
    "cp775", "cp850", "cp852", "cp437", "cp858", "iso8859_4", "iso8859_10", "iso8859_13", "hp_roman8",
}


#: What undeclared legacy text on the web is really written in; DOS and Mac code pages that
#: charset-normalizer would otherwise pick for short Western text are left out.
CANDIDATES = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_8", "iso8859_9", "koi8_r", "koi8_u",
    "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "utf_16", "utf_32",
)


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML or XML document declares in its first 4 KB, if any."""
    head = data[:4096]
    match = XML_ENCODING.search(head) or META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, declared: str | None = None) -> str:
    """Decode ``data`` to text; ``declared`` is an encoding stated outside the bytes (HTTP)."""
    for bom, bom_encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in (declared, declared_charset(data)):
        encoding = _usable(name)
        if encoding and encoding != "utf-8":
            try:
                return data.decode(WESTERN.get(encoding, encoding))
            except UnicodeDecodeError:
                continue
    guess = from_bytes(data[:200_000], cp_isolation=list(CANDIDATES)).best()
    if guess is not None:
        guessed = codecs.lookup(guess.encoding).name.replace("-", "_")
        if guessed in CP1252_LOOKALIKES and _cp1252_ok(data):
            return data.decode("cp1252")
        try:
            return data.decode(WESTERN.get(guessed, guessed))
        except (UnicodeDecodeError, LookupError):
            pass
    if _cp1252_ok(data):
        return data.decode("cp1252")
    raise ReadError("text in an encoding that could not be decoded", code="NS104")


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # base64, rot13, zlib... are codecs too, but not text encodings.
    return info.name.replace("-", "_") if getattr(info, "_is_text_encoding", True) else None


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True
