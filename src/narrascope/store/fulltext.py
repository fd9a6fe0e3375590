"""Search in every language: the word forms of the second full-text index, ``articles_stem``.

``articles_fts`` (FTS5, ``unicode61 remove_diacritics 2``) finds the words as written; this module
gives the store a second index whose tokens are *index keys*, made in Python, so that

* a word is stemmed in its article's language with the Snowball stemmers (PyStemmer, the C
  library): "Лавров" finds "Лаврова", "Лаврову"; "Regierung" finds "Regierungen";
  Ukrainian, for which Snowball has no stemmer, has a light suffix stripper (``ukrainian_stem``);
  languages with no stemmer here (Belarusian, Bulgarian, Georgian, Hebrew, ...) are folded only;
* scripts written without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) are
  indexed as overlapping character bigrams (and the last character alone), and queried likewise:
  "俄罗斯" finds "俄罗斯外交部";
* letters are folded where readers expect it: Latin and Greek lose their diacritics (after
  stemming, which needs them; ``ł ı đ ø`` too), Cyrillic ``ё`` is ``е`` but ``й`` stays ``й``;
  Arabic loses harakat and tatweel, its alef forms become ``ا``, ``ى`` ``ي``, ``ة`` ``ه`` (as
  Lucene's Arabic normaliser), and the Persian ``ی ک`` are the Arabic ``ي ك``. Combining marks
  are part of a word here (``unicode61`` splits Arabic words with harakat at each mark).

**Why the keys are made in Python, written at commit.** FTS5 tokenizers are C; SQLite triggers
could call a stemmer only through a function registered on every connection, and a write from any
other connection (the sqlite3 shell, another tool) would then fail. So triggers on ``articles``
only note which rows changed (``articles_stem_pending``; a deleted row leaves the index at once),
and ``Store.transaction`` indexes the noted rows just before it commits (``index_pending``): one
batch per transaction, in the same transaction. A row written outside a store transaction is
indexed by the next one, and meanwhile ``articles_fts`` still finds it. SQLite 3.40 has no
contentless-delete FTS5 table, so ``articles_stem`` keeps its keys (a regular FTS5 table, tokenizer
``ascii``: the keys are already lower case and split on spaces only).

**How a query reads both.** The query is parsed once (``query.fts_query``); each term becomes, for
the stem index, the OR of its keys in every candidate language (``query_languages``: the language
given, else the guessed one when the guess is sure, else the store's languages in the query's
script) and unstemmed. Articles matching the query as written (``articles_fts``) come first,
ranked as before; articles matching only the stemmed query follow, ranked by bm25 over the stem
index, with a snippet made here (``snippet``) that marks the original words.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from .schema import statements

__all__ = ["STEMMED_LANGUAGES", "QueryKeys", "index_keys", "index_pending", "query_languages",
           "rebuild", "script_of", "snippet", "ukrainian_stem", "word_spans"]

# When the keys of a text change, a new migration calling ``rebuild`` re-indexes existing stores.

#: ISO 639-1 code -> Snowball algorithm of PyStemmer.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish", "nl": "dutch",
    "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}

#: The script of each word a language's stemmer applies to (other words are folded only).
_STEM_SCRIPTS = {"ru": ("cyrillic",), "uk": ("cyrillic",), "sr": ("cyrillic", "latin"), "ar": ("arabic",),
                 "fa": ("arabic",), "el": ("greek",), "hi": ("devanagari",), "ne": ("devanagari",),
                 "ta": ("tamil",), "hy": ("armenian",), "yi": ("hebrew",)}

#: Languages whose words are stemmed (Snowball, and Ukrainian by ``ukrainian_stem``).
STEMMED_LANGUAGES = tuple(sorted({*SNOWBALL, "uk"}))

#: Scripts of the languages with no stemmer, for choosing a query's candidate languages.
_LANGUAGE_SCRIPTS = {"be": ("cyrillic",), "bg": ("cyrillic",), "mk": ("cyrillic",), "kk": ("cyrillic",),
                     "ky": ("cyrillic",), "mn": ("cyrillic",), "tg": ("cyrillic",), "ur": ("arabic",),
                     "ps": ("arabic",), "ku": ("arabic", "latin"), "he": ("hebrew",), "ka": ("georgian",)}

# Code point ranges of the scripts written without spaces between words.
_UNSPACED = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1100, 0x11FF), (0x1780, 0x17FF), (0x3005, 0x3007),
             (0x3040, 0x30FF), (0x3130, 0x318F), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
             (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F))
_UNSPACED_SUPPLEMENT = "\U00020000-\U0002FA1F"  # CJK extensions B-F and compatibility supplement


@lru_cache(maxsize=1)
def _word_pattern() -> re.Pattern[str]:
    """Runs of unspaced-script characters, or runs of other letters, digits and combining marks."""
    unspaced: list[tuple[int, int]] = []
    spaced: list[tuple[int, int]] = []
    is_unspaced = bytearray(0x10000)
    for lo, hi in _UNSPACED:
        is_unspaced[lo:hi + 1] = b"\x01" * (hi + 1 - lo)
    category = unicodedata.category
    for cp in range(0x10000):
        ch = chr(cp)
        if not ch.isalnum() and category(ch) not in ("Mn", "Mc", "Me"):
            continue  # surrogates are Cs: skipped here
        target = unspaced if is_unspaced[cp] else spaced
        if target and target[-1][1] == cp - 1:
            target[-1] = (target[-1][0], cp)
        else:
            target.append((cp, cp))

    def char_class(ranges: list[tuple[int, int]]) -> str:
        return "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                       for lo, hi in ranges)

    return re.compile(f"(?P<unspaced>[{char_class(unspaced)}{_UNSPACED_SUPPLEMENT}]+)|(?P<word>[{char_class(spaced)}]+)")


#: (first code point, script) of the ranges ``script_of`` tells apart, sorted; "other" between them.
_SCRIPT_RANGES = sorted([
    (0x0000, 0x024F, "latin"), (0x0370, 0x03FF, "greek"), (0x0400, 0x052F, "cyrillic"), (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"), (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x08A0, 0x08FF, "arabic"),
    (0x0900, 0x097F, "devanagari"), (0x0B80, 0x0BFF, "tamil"), (0x10A0, 0x10FF, "georgian"),
    (0x1C80, 0x1C8F, "cyrillic"), (0x1E00, 0x1EFF, "latin"), (0x1F00, 0x1FFF, "greek"), (0xA640, 0xA69F, "cyrillic"),
    (0xFB50, 0xFEFF, "arabic"), (0xFF21, 0xFF5A, "latin"),
    *((lo, hi, "unspaced") for lo, hi in _UNSPACED), (0x20000, 0x10FFFF, "unspaced"),
])
_SCRIPT_STARTS = [lo for lo, _hi, _script in _SCRIPT_RANGES]


def script_of(word: str) -> str:
    """The script of ``word``'s first letter: latin, cyrillic, greek, arabic, hebrew, ... or "other"."""
    for ch in word:
        if ch.isdigit():
            continue
        cp = ord(ch)
        lo, hi, script = _SCRIPT_RANGES[bisect_right(_SCRIPT_STARTS, cp) - 1]
        return script if cp <= hi else "other"
    return "digits"


def _language_scripts(language: str) -> tuple[str, ...]:
    return _STEM_SCRIPTS.get(language) or _LANGUAGE_SCRIPTS.get(language) or ("latin",)


# -- folding ------------------------------------------------------------------------------------

_ARABIC_MARKS = str.maketrans({
    "\u0640": None,  # tatweel
    **{chr(cp): None for cp in (*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE))},  # harakat, Quranic marks
})
_ARABIC_LETTERS = str.maketrans({  # after stemming: the Arabic and Persian stemmers read these letters
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alef forms -> alef
    "\u0649": "\u064A", "\u06CC": "\u064A", "\u06D2": "\u064A",  # alef maksura, Farsi yeh -> yeh
    "\u06A9": "\u0643",  # keheh -> kaf
    "\u0629": "\u0647", "\u06C0": "\u0647",  # teh marbuta -> heh
})
_HEBREW_FOLD = str.maketrans({chr(cp): None for cp in range(0x0591, 0x05C8) if cp not in (0x05BE, 0x05C0, 0x05C3, 0x05C6)})
_CYRILLIC_FOLD = str.maketrans({"ё": "е", "ѐ": "е", "ѝ": "и"})
_LATIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ŀ": "l"})


def _strip_marks(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
                                 ).translate(_LATIN_LETTERS)


def _normal(word: str, script: str) -> str:
    """``word`` in lower case, NFKC, with the folding its script needs before stemming."""
    word = unicodedata.normalize("NFKC", word).lower()
    if script == "arabic":
        return word.translate(_ARABIC_MARKS)
    if script == "cyrillic":
        return word.translate(_CYRILLIC_FOLD)
    if script == "hebrew":
        return word.translate(_HEBREW_FOLD)
    return word


def _folded(stem: str, script: str) -> str:
    """The folding done after stemming (the stemmers read diacritics)."""
    if script == "arabic":
        return stem.translate(_ARABIC_LETTERS)
    return _strip_marks(stem) if script in ("latin", "greek") else stem


def _russian_stem(stemmer: Callable[[str], str]) -> Callable[[str], str]:
    """Snowball Russian, then a surname's "-ов/-ев" dropped: Snowball reads "Лавров" as a genitive
    plural ("лавр") but "Лаврова" as "лавров"; without this the base form would not find its cases."""

    def stem(word: str) -> str:
        out = stemmer(word)
        return out[:-2] if len(out) > 4 and out.endswith(("ов", "ев")) else out

    return stem


_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل")


def _arabic_stem(stemmer: Callable[[str], str]) -> Callable[[str], str]:
    """Snowball Arabic, after a conjunction or preposition fused with the article ("والحكومة",
    "بالحكومة": Snowball strips "ال" alone) is dropped, as Lucene's Arabic stemmer does."""

    def stem(word: str) -> str:
        if word.startswith(_ARABIC_PREFIXES) and len(word) - len("وال") >= 3:
            word = word[3:] if not word.startswith("لل") else word[2:]
        return stemmer(word)

    return stem


# -- stemming -----------------------------------------------------------------------------------

_UK_REFLEXIVE = ("ся", "сь")
_UK_ENDINGS = {k: frozenset(e for e in (
    "іями", "ями", "ами", "ими", "іми", "ого", "ому", "ої", "ою", "ею", "єю", "ією", "ів", "їв", "ов", "ев", "єв",
    "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ий", "ій", "им", "ім", "их", "іх", "ія", "ію", "ії", "іям", "іях",
    "ає", "ує", "ють", "ують", "ають", "ла", "ли", "ло", "а", "я", "у", "ю", "і", "ї", "и", "о", "е", "є", "ь", "в",
) if len(e) == k) for k in (4, 3, 2, 1)}
#: A stem's last syllable with a vowel that comes and goes (випадок/випадку, жовтень/жовтня,
#: республіканець/республіканця, злочинність/злочинності): its form without it.
_UK_ALTERNATING = (("ість", "ост"), ("іст", "ост"), ("ець", "ц"), ("ень", "н"), ("ок", "к"), ("ец", "ц"),
                   ("ен", "н"))


def ukrainian_stem(word: str) -> str:
    """A light Ukrainian stemmer (Snowball has none): strip a reflexive ``-ся/-сь`` and the longest
    inflectional ending that leaves at least three letters, then a surname's ``-ов/-ев/-єв`` (as
    for Russian). Recall for case forms of nouns, adjectives and names ("Лаврова", "уряду",
    "України") and for a verb's past forms ("сказав", "сказала"; its infinitive, "сказати",
    finds them through the query, ``_uk_infinitive``: in the text "-ти" is also a plural,
    "солдати"); a vowel that comes and goes in the last syllable is dropped ("випадок",
    "випадку"); no derivational morphology."""
    if word.endswith(_UK_REFLEXIVE) and len(word) > 5:
        word = word[:-2]
    for k in (4, 3, 2, 1):
        if len(word) - k >= 3 and word[-k:] in _UK_ENDINGS[k]:
            word = word[:-k]
            break
    if len(word) > 4 and word.endswith(("ов", "ев", "єв")):
        return word[:-2]
    for ending, plain in _UK_ALTERNATING:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)] + plain
    return word


def _uk_infinitive(word: str) -> str | None:
    """The key of a Ukrainian infinitive ``word`` read as the stem of its past forms ("сказати" ->
    the key of "сказа", as "сказав", "сказала"), or None if ``word`` is no infinitive in form."""
    normal = _normal(word, "cyrillic")
    for ending in ("тися", "тись", "ти"):
        if normal.endswith(ending) and len(normal) - len(ending) >= 3:
            return normal[:-len(ending)]  # as ``ukrainian_stem`` leaves "сказав", "сказала": "сказа"
    return None


_local = threading.local()  # PyStemmer objects are not thread-safe: one set per thread


def _stemmer(language: str) -> Callable[[str], str] | None:
    stemmers: dict[str, Callable[[str], str] | None] = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        if language == "uk":
            stemmers[language] = ukrainian_stem
        elif language in SNOWBALL:
            snowball = Stemmer.Stemmer(SNOWBALL[language]).stemWord
            stemmers[language] = (_russian_stem(snowball) if language == "ru" else
                                  _arabic_stem(snowball) if language == "ar" else snowball)
        else:
            stemmers[language] = None
    return stemmers[language]


# -- keys ---------------------------------------------------------------------------------------

def word_spans(text: str) -> Iterable[tuple[int, int, bool]]:
    """(start, end, unspaced) of each word run of ``text``; an unspaced run is a run of CJK/Thai/... characters."""
    for match in _word_pattern().finditer(text):
        yield match.start(), match.end(), match.lastgroup == "unspaced"


def _bigrams(run: str) -> list[str]:
    # NFKC may join a half-width kana and its voicing mark: a snippet's mark may then shift a character
    run = unicodedata.normalize("NFKC", run).lower()
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


@lru_cache(maxsize=262144)  # words repeat (Zipf): most keys of a text are cached
def _word_key(word: str, language: str | None) -> str:
    script = script_of(word)
    normal = _normal(word, script)
    stem = _stemmer(language) if language else None
    if stem is not None and script in _language_scripts(language or ""):
        normal = stem(normal)
    return _folded(normal, script)


def _unit_keys(text: str, language: str | None) -> Iterable[tuple[str, int, int]]:
    """(key, start, end) of each indexed unit of ``text``: a word, or a bigram of an unspaced run."""
    for start, end, unspaced in word_spans(text):
        if unspaced:
            grams = _bigrams(text[start:end])
            for i, gram in enumerate(grams):
                yield gram, start + i, start + i + len(gram)
            if len(grams) > 1:  # the last character alone, so a one-character query finds it too
                yield grams[-1][-1], end - 1, end
        else:
            yield _word_key(text[start:end], language), start, end


def index_keys(text: str, language: str | None) -> str:
    """The keys ``articles_stem`` holds for ``text`` written in ``language``, space-separated
    (the keys of ``_unit_keys``, made without offsets: this runs on every stored article)."""
    out: list[str] = []
    for unspaced, word in _word_pattern().findall(text):
        if word:
            out.append(_word_key(word, language))
        else:
            grams = _bigrams(unspaced)
            out.extend(grams)
            if len(grams) > 1:
                out.append(grams[-1][-1])
    return " ".join(out)


# -- writing the index --------------------------------------------------------------------------

def index_pending(conn: sqlite3.Connection, *, chunk: int = 500) -> int:
    """Index the rows the triggers noted in ``articles_stem_pending``; return how many. Call inside
    the write transaction (``Store.transaction`` does, before it commits). Reads ``chunk``
    articles at a time, so indexing a whole store (a migration) holds little in memory."""
    done = 0
    after = -1
    while True:
        # the title column also holds the dek (the record's subtitle), which articles_fts lacks
        rows = conn.execute("SELECT p.rowid, a.title || COALESCE(char(10) || json_extract(a.record, '$.subtitle'), ''),"
                            " a.text, a.language FROM articles_stem_pending p"
                            " JOIN articles a ON a.rowid = p.rowid WHERE p.rowid > ? ORDER BY p.rowid LIMIT ?",
                            (after, chunk)).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        conn.executemany("DELETE FROM articles_stem WHERE rowid = ?", [(rowid,) for rowid, *_ in rows])
        conn.executemany("INSERT INTO articles_stem (rowid, title, text) VALUES (?, ?, ?)",
                         [(rowid, index_keys(title, (language or "").lower() or None),
                           index_keys(text, (language or "").lower() or None)) for rowid, title, text, language in rows])
        done += len(rows)
    conn.execute("DELETE FROM articles_stem_pending")
    return done


STEM_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS articles_stem USING fts5(title, text, tokenize='ascii');
CREATE TABLE IF NOT EXISTS articles_stem_pending (rowid INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS articles_stem_insert AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO articles_stem_pending (rowid) VALUES (new.rowid);
END;
CREATE TRIGGER IF NOT EXISTS articles_stem_update AFTER UPDATE OF title, text, language, record ON articles
WHEN old.title IS NOT new.title OR old.text IS NOT new.text OR old.language IS NOT new.language
    OR json_extract(old.record, '$.subtitle') IS NOT json_extract(new.record, '$.subtitle') BEGIN
    DELETE FROM articles_stem WHERE rowid = old.rowid;
    INSERT OR IGNORE INTO articles_stem_pending (rowid) VALUES (new.rowid);
END;
CREATE TRIGGER IF NOT EXISTS articles_stem_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_stem WHERE rowid = old.rowid;
    DELETE FROM articles_stem_pending WHERE rowid = old.rowid;
END;
"""


def rebuild(conn: sqlite3.Connection) -> None:
    """Create the stem index (if missing) and index every stored article anew (a migration step)."""
    for statement in statements(STEM_SQL):
        conn.execute(statement)
    conn.execute("DELETE FROM articles_stem")
    conn.execute("INSERT OR IGNORE INTO articles_stem_pending (rowid) SELECT rowid FROM articles")
    index_pending(conn)


# -- querying -----------------------------------------------------------------------------------

@dataclass
class QueryKeys:
    """Turns the terms of a query into stem-index terms for ``languages`` and remembers the keys
    (for ``snippet``)."""

    languages: tuple[str | None, ...]
    keys: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def term(self, words: str, star: bool) -> str | None:
        """The FTS5 term of the stem index for a term or phrase ``words`` (``star``: a prefix)."""
        alternatives: list[str] = []
        spans = list(word_spans(words))
        for language in self.languages:
            keys: list[str] = []
            variant: list[str] = []  # Ukrainian: an infinitive also as the stem of its past forms
            for start, end, unspaced in spans:
                word = words[start:end]
                if unspaced:
                    keys.extend(_bigrams(word))
                    variant.extend(_bigrams(word))
                    continue
                keys.append(_word_key(word, language))
                infinitive = _uk_infinitive(word) if language == "uk" and script_of(word) == "cyrillic" else None
                variant.append(infinitive or keys[-1])
            if not keys:
                continue
            # one character of an unspaced script: every bigram it starts, and itself at a run's end
            one_char = len(spans) == 1 and spans[0][2] and spans[0][1] - spans[0][0] == 1
            for form in (keys, variant) if variant != keys else (keys,):
                phrase = self._phrase(form, star or one_char)
                if phrase not in alternatives:
                    alternatives.append(phrase)
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"

    def _phrase(self, keys: list[str], star: bool) -> str:
        self.keys.update(keys[:-1] if star else keys)
        if star:
            self.prefixes.add(keys[-1])
        return '"' + " ".join(k.replace('"', '""') for k in keys) + '"' + ("*" if star else "")

    def matches(self, key: str) -> bool:
        return key in self.keys or any(key.startswith(p) for p in self.prefixes)


def query_languages(query: str, *, language: str | None, stored: dict[str, int],
                    guess: Callable[[str], tuple[str, float]] | None = None) -> tuple[str | None, ...]:
    """The languages to stem ``query`` in, then None (unstemmed).

    ``language`` given: that one. Else the stored languages (``stored``: code -> articles) that
    write the query's script and have a stemmer, most articles first (at most eight); of these,
    only the guessed one (``guess`` -> (code, probability)) when there are several, the query
    has at least three words and the guess is sure (>= 0.9).
    """
    if language:
        return (language.strip().lower(), None)
    words = [query[s:e] for s, e, _ in word_spans(query)]
    scripts = {script_of(w) for w in words} - {"digits", "unspaced"}
    if not scripts:
        return (None,)
    candidates = [code for code, _n in sorted(stored.items(), key=lambda item: -item[1])
                  if code and code in STEMMED_LANGUAGES and scripts & set(_language_scripts(code))]
    if guess is not None and len(words) >= 3 and len(candidates) > 1:  # no guess (nor its model) needed for one
        code, probability = guess(query)
        if probability >= 0.9 and code in candidates:
            return (code, None)
    return (*candidates[:8], None)


def snippet(text: str, language: str | None, query: QueryKeys, *, marks: tuple[str, str], ellipsis: str = " … ",
            tokens: int = 24) -> str:
    """A fragment of ``text`` of about ``tokens`` units around the most query keys, those marked (as
    FTS5's ``snippet``, for an article the stem index alone matched)."""
    units = list(_unit_keys(text, language))
    if not units:
        return ""
    keys = query.keys
    hits = [key in keys for key, _s, _e in units] if not query.prefixes else [query.matches(k) for k, _s, _e in units]
    at = [i for i, hit in enumerate(hits) if hit]
    best, best_score = 0, (-1, -1)
    for h in at:  # windows starting a little before a hit: the one with the most keys, then the most hits
        first = max(0, min(h - 2, len(units) - tokens))
        inside = at[bisect_left(at, first):bisect_left(at, first + tokens)]
        score = (len({units[i][0] for i in inside}), len(inside))
        if score > best_score:
            best, best_score = first, score
    last = min(len(units), best + tokens) - 1
    start, end = units[best][1], units[last][2]
    out: list[str] = []
    cursor = start
    marked_until = start
    for i in range(best, last + 1):
        _key, s, e = units[i]
        if not hits[i] or e <= marked_until:
            continue
        s = max(s, marked_until)
        out.append(text[cursor:s] + marks[0] + text[s:e] + marks[1])
        cursor = marked_until = e
    out.append(text[cursor:end])
    fragment = "".join(out)
    # adjacent marked bigrams of one run read as one mark
    fragment = fragment.replace(marks[1] + marks[0], "")
    return (ellipsis if best > 0 else "") + fragment + (ellipsis if last < len(units) - 1 else "")
