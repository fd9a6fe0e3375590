"""Direct quotes in languages other than English: quote marks with a speech verb beside them.

The languages: Russian, Ukrainian, German, French and Spanish (``SPEECH_VERBS``); the marks
``« »``, ``„ “``, ``“ ”``, ``» «`` and straight double quotes.

``find_quotes_in(text, language, mentions, actors)`` returns quotes in the record shape of the
English analysis (SCHEMA.md ``quotes``), for the two shapes the press of these languages writes:

- the quote first: ``«Мы не добиваемся смены режима», — подчеркнул Тиллерсон.`` (also „…“ and “…”,
  with or without the dash), the speaker after the verb;
- the speaker first: ``Тиллерсон заявил: «…»``, the speaker before the verb, a colon before the quote;
- the same with an auxiliary before the participle: ``« … », a déclaré Lavrov``, ``X ha dicho: "…"``.

The verb must be one of ``SPEECH_VERBS`` of the article's language, next to the quote (only the
comma and dash between), and the speaker must be next to the verb: an actor mention found by the
actors stage (its canonical id in ``speaker_actor``), else a run of capitalised words in the
nominative after the verb ("— сказал Майкл Кофман") with no id. Anything else (scare quotes,
titles in quotes, a quote without a verb) is no quote: precision first. Offsets index ``text``;
``content`` is what stands inside the marks. In Russian and Ukrainian a line of dialogue opened
by a dash is read too, when the dash that closes the speech is followed by a speech verb and a
speaker: ``— Мы готовы к диалогу, — заявил Лавров.`` (content: "Мы готовы к диалогу"; a pronoun
"— сказал он" has no speaker here and is left out). Confidence is fixed per speaker kind
(``CONFIDENCE``), not calibrated (no gold set in these languages yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .languages import WORD, word_set
from .types import ActorRecord, Mention

__all__ = ["CONFIDENCE", "SPEECH_VERBS", "find_quotes_in"]

#: Speech verbs per language, as written in the past (and the present of reporting).
SPEECH_VERBS: dict[str, frozenset[str]] = {
    "ru": word_set("""заявил заявила заявили заявляет заявляют сказал сказала сказали отметил отметила
        отметили подчеркнул подчеркнула подчеркнули сообщил сообщила сообщили добавил добавила добавили
        пояснил пояснила пояснили указал указала указали написал написала написали говорит говорят
        признал признала признали ответил ответила ответили заметил заметила заметили напомнил
        напомнила напомнили предупредил предупредила предупредили утверждает утверждают"""),
    "uk": word_set("""заявив заявила заявили заявляє сказав сказала сказали зазначив зазначила зазначили
        наголосив наголосила наголосили підкреслив підкреслила підкреслили повідомив повідомила
        повідомили додав додала додали пояснив пояснила пояснили написав написала написали каже
        кажуть визнав визнала визнали відповів відповіла відповіли нагадав нагадала нагадали
        попередив попередила попередили стверджує"""),
    "de": word_set("""sagte sagten sagt sagen erklärte erklärten erklärt betonte betonten betont schrieb schreibt
        meinte meint warnte warnt versicherte versichert unterstrich unterstreicht"""),
    "fr": word_set("""déclaré dit affirmé souligné expliqué ajouté estimé indiqué assuré précisé écrit averti
        déclare affirme souligne explique ajoute estime indique assure précise écrit avertit"""),
    "es": word_set("""dijo dijeron declaró afirmó señaló aseguró explicó añadió agregó subrayó indicó sostuvo escribió
        advirtió dice afirma declara señala asegura explica añade subraya indica sostiene escribe advierte
        dicho declarado afirmado señalado asegurado explicado añadido subrayado indicado escrito"""),
}
#: Auxiliaries before a participle that is the speech verb ("a déclaré", "ha dicho").
AUXILIARIES: dict[str, frozenset[str]] = {"fr": frozenset({"a", "ont", "avait", "avaient"}),
                                          "es": frozenset({"ha", "han", "había", "habían"})}
#: Confidence by what the speaker is (fixed, not calibrated).
CONFIDENCE = {"person": 0.85, "actor": 0.75, "name": 0.65}
#: Quote marks: opening -> closing.
MARKS = {"«": "»", "„": "“", "“": "”"}
QUOTED = re.compile(r"«\s*([^«»]{2,}?)\s*»|„([^„“”]{2,}?)[“”]|“([^“”]{2,}?)”|»([^»«]{2,}?)«|\"([^\"\n]{2,}?)\"")
#: between a quote's end and the verb after it: a comma and/or a dash, spaces
AFTER_QUOTE = re.compile(r"\s*,?\s*(?:[—–-]\s*)?$")
#: Languages whose press writes dialogue after a dash: "— Мы готовы, — заявил Лавров."
DASH_SPEECH = frozenset({"ru", "uk"})
#: a line of dialogue: a dash opens the line, ", —" (or "!", "?", "…" and a dash) closes the speech
DASH_LINE = re.compile(r"^[ \t]*[—–][ \t\u00a0]*(?P<content>[^\n—–]{2,}?)[,!?…]?[ \t\u00a0]+[—–][ \t\u00a0]+", re.MULTILINE)
#: a capitalised title before a name (German nouns are capitalised)
TITLE_WORD = re.compile(r"(?:minister|ministerin|präsident|präsidentin|chef|chefin|sprecher|sprecherin|kanzler|kanzlerin"
                        r"|sekretär|sekretärin|berater|beraterin)$", re.IGNORECASE)
#: a run of capitalised words (a name) right after the verb
NAME_AFTER = re.compile(r"\s+((?:[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’\-]+)(?:\s+[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’\-]+){1,2})")


def find_quotes_in(text: str, language: str, mentions: Iterable[Mention], actors: Sequence[ActorRecord]
                   ) -> list[dict[str, Any]]:
    """The direct quotes of ``text`` whose speaker stands next to a speech verb of ``language``."""
    verbs = SPEECH_VERBS.get(language)
    if not verbs:
        return []
    by_id = {a.id: a for a in actors}
    spans = sorted(mentions, key=lambda m: (m.start, m.end))
    auxiliaries = AUXILIARIES.get(language, frozenset())
    candidates: list[tuple[int, int, tuple[str, Any, str] | None]] = []
    for match in QUOTED.finditer(text):
        group = next(g for g in range(1, 6) if match.group(g) is not None)
        candidates.append((match.start(group), match.end(group),
                           _after(text, match.end(), verbs, auxiliaries, spans, by_id)
                           or _before(text, match.start(), verbs, auxiliaries, spans, by_id)))
    if language in DASH_SPEECH:
        for match in DASH_LINE.finditer(text):
            start, end = match.start("content"), match.end("content")
            if not any(s <= start < e or start <= s < end for s, e, _f in candidates):
                candidates.append((start, end, _speaker_after_verb(text, match.end(), verbs, spans, by_id)))
    out = []
    for start, end, found in sorted(candidates, key=lambda c: c[0]):
        if found is not None:
            out.append(_record(text, start, end, found, by_id))
    return out


def _record(text: str, start: int, end: int, found: tuple[str, Any, str], by_id: dict[str, ActorRecord]
            ) -> dict[str, Any]:
    cue, speaker, kind = found
    actor = by_id.get(speaker.actor) if isinstance(speaker, Mention) else None
    return {
        "speaker": actor.name if actor else speaker[2] if isinstance(speaker, tuple) else speaker.text,
        "speaker_actor": actor.id if actor else None,
        "speaker_role": actor.role if actor else None,
        "speaker_span": ({"start": speaker.start, "end": speaker.end} if isinstance(speaker, Mention)
                         else {"start": speaker[0], "end": speaker[1]}),
        "cue": cue,
        "content": text[start:end],
        "start": start,
        "end": end,
        "direct": True,
        "partial": False,
        "anonymous": False,
        "confidence": CONFIDENCE[kind],
    }


def _speaker_after_verb(text: str, at: int, verbs: frozenset[str], spans: list[Mention],
                        by_id: dict[str, ActorRecord]) -> tuple[str, Any, str] | None:
    """After the dash that closes a line of dialogue: the speech verb first, then the speaker."""
    verb = WORD.match(text, at)
    if verb is None or verb.group().lower() not in verbs:
        return None
    return _speaker_after(text, verb.end(), spans, by_id, verb.group())


def _after(text: str, quote_end: int, verbs: frozenset[str], auxiliaries: frozenset[str], spans: list[Mention],
           by_id: dict[str, ActorRecord]) -> tuple[str, Any, str] | None:
    """``«…», — заявил X``: the verb right after the closing mark (after its auxiliary: "a déclaré",
    "ha dicho"), the speaker right after the verb."""
    tail = text[quote_end:quote_end + 200]
    verb = WORD.search(tail)
    if verb is None or not AFTER_QUOTE.match(tail[:verb.start()]) or "\n" in tail[:verb.start()]:
        return None
    first = verb
    if verb.group().lower() in auxiliaries:
        verb = WORD.search(tail, verb.end())
        if verb is None or tail[first.end():verb.start()].strip():
            return None
    if verb.group().lower() not in verbs:
        return None
    at = quote_end + verb.end()
    return _speaker_after(text, at, spans, by_id, tail[first.start():verb.end()])


def _speaker_after(text: str, at: int, spans: list[Mention], by_id: dict[str, ActorRecord], cue: str
                   ) -> tuple[str, Any, str] | None:
    # the clause after the verb, up to its end: a title may come first ("— сказал госсекретарь США Рекс Тиллерсон")
    clause_end = min((i for i in (text.find(c, at) for c in ".,;!?\n") if i >= 0), default=len(text))
    inside = [m for m in spans if at <= m.start and m.end <= clause_end]
    person = next((m for m in inside if _kind(by_id, m) == "person"), None)
    if person is not None:
        return cue, person, "person"
    if inside and text[at:inside[0].start].strip() == "":
        return cue, inside[0], "actor"
    name = NAME_AFTER.match(text, at)
    if name is None or name.end() > clause_end:
        return None
    start, written = name.start(1), name.group(1)
    title = re.match(r"\S+\s+", written)
    if title is not None and TITLE_WORD.search(title.group().strip()):  # "Außenminister Tillerson"
        if len(written[title.end():].split()) < 2:
            return None
        start, written = start + title.end(), written[title.end():]
    return cue, (start, start + len(written), written), "name"


def _before(text: str, quote_start: int, verbs: frozenset[str], auxiliaries: frozenset[str], spans: list[Mention],
            by_id: dict[str, ActorRecord]) -> tuple[str, Any, str] | None:
    """``X заявил: «…»``: a colon before the opening mark, the verb before it (and its auxiliary),
    the speaker before the verb."""
    head = text[max(0, quote_start - 200):quote_start]
    colon = re.search(r"([^\W\d_]+)\s*:\s*$", head)
    if colon is None:
        return None
    if colon.group(1).lower() not in verbs:
        return _inverted(text, quote_start - len(head) + colon.end(1), verbs, spans, by_id)
    verb_start = quote_start - len(head) + colon.start(1)
    cue = colon.group(1)
    auxiliary = re.search(r"([^\W\d_]+)\s+$", text[max(0, verb_start - 20):verb_start])
    if auxiliary is not None and auxiliary.group(1).lower() in auxiliaries:
        cue = f"{auxiliary.group(1)} {cue}"
        verb_start -= len(auxiliary.group(0))
    sentence_start = max(text.rfind(c, 0, verb_start) for c in ".!?\n»“") + 1
    before = [m for m in spans if sentence_start <= m.start and m.end <= verb_start]
    person = next((m for m in reversed(before) if _kind(by_id, m) == "person"), None)
    if person is not None:
        return cue, person, "person"
    if before and text[before[-1].end:verb_start].strip() == "":
        return cue, before[-1], "actor"
    return None


def _inverted(text: str, name_end: int, verbs: frozenset[str], spans: list[Mention], by_id: dict[str, ActorRecord]
              ) -> tuple[str, Any, str] | None:
    """``заявил Лавров: «…»``, ``sagte Trump: „…“``: the speaker between the verb and the colon."""
    speaker = next((m for m in spans if m.end == name_end), None)
    if speaker is None:
        return None
    verb = re.search(r"([^\W\d_]+)\s+$", text[max(0, speaker.start - 40):speaker.start])
    if verb is None or verb.group(1).lower() not in verbs:
        return None
    return verb.group(1), speaker, "person" if _kind(by_id, speaker) == "person" else "actor"


def _kind(by_id: dict[str, ActorRecord], mention: Mention) -> str | None:
    actor = by_id.get(mention.actor)
    return actor.kind if actor else None
