"""Stance: how the author and each quoted speaker lean toward the political actors they write or
speak about, one stance per holder and target, each with the sentences that decided it.

An ordered list of small steps, each there because of an error seen on real articles:

1. **Who holds it.** The author holds the sentences that report nobody's words (no quote, no
   quote mark, no "according to", no verb of saying with a subject: the judgement in "May accused
   her critics of playing politics" is May's); a quoted speaker resolved to an actor holds the
   quote content. A mention inside a quote is never the author's.
2. **Toward whom.** Only political actors: states, persons, organisations and groups. Places
   (actor kind ``location``: "Asia", "the Darien jungle") and anything else get no stance.
3. **Not toward one's own side.** A holder takes no stance toward itself, the state it acts for,
   nor that state's people and bodies (a foreign-ministry spokesman quoting his government is not
   attacking it); the author takes none toward the article's own outlet.
4. **One sentence, one target: trained, target-dependent classifiers**, learned from NewsMTSC.
   They read the sentence from the mention's position, so a word describing an event
   ("contagious") is not read as a judgement of the person next to it. The feature model
   (``stance_model``: the words attached to the mention weigh apart from the rest) reads every
   mention; the encoder (``stance_encoder``: a small transformer with the mention marked) reads
   up to ``ENCODER_BUDGET`` per article, the headline's and the lead's first, then the feature
   model's surest polar calls, and its call replaces the feature model's. Each sentence stance
   has a class (negative, neutral, positive), a calibrated confidence and a strength
   (P(positive) - P(negative)).
5. **Abstain on weak or ambiguous evidence** (``admissible``): a sentence's call counts only
   when the sentence ties it to the target. The author's forecasts, conditions and questions ("if,
   as expected, the Republicans do badly") are no judgement of the actor. When the holder names
   two actors in one sentence, a polar call needs a judging word (an adjective, adverb or noun of
   some valence, ``judging_words``) tied more closely to the target than to the other actor in
   the parse ("a vote for Kavanaugh is a vote to reject the ruthless tactics of the Democrats"
   judges the Democrats); coordinated actors ("the EU and NATO") share what is said of them. A
   neutral call is no evidence of "no attitude" when a judging word is tied to the target ("the
   anger of the Democratic Party") or the target's clause is negated ("the North doesn't see a
   response from the U.S."): the classifier misses the judgement in both.
6. **The headline.** The title is classified too (its words are not in ``text``, so it adds to
   the stance without an evidence span and marks the stance ``headline: true``), and the lead
   sentence weighs double: what an article says in its headline is its main stance.
7. **One stance per holder and target**: the sentence stances aggregated by confidence. Polarity
   is their confidence-weighted mean strength; the class is the sign with the larger confidence
   mass; the confidence is that of the surest sentence agreeing with the class, lowered in
   proportion when less than ``CLEAR_MAJORITY`` of the polar confidence agrees. Evidence: up to
   three agreeing sentences, surest first, each with its own polarity and confidence.

Stances toward persons and organisations come first, then states: a state's stance includes its
people's mentions (the actors stage records "Lavrov" as a mention of Russia too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .nlp import span_text
from .stance_lexicon import lexicon
from .types import ActorRecord, Mention, acts_for

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .stance_encoder import EncoderModel
    from .stance_model import StanceModel

__all__ = ["POLITICAL_KINDS", "find_stances", "lexicon", "own_side"]

#: The actor kinds a stance can target or be held by; ``location`` and anything else cannot.
POLITICAL_KINDS = frozenset({"state", "person", "organization", "group"})
MAX_EVIDENCE = 3
#: The lead sentence (the first of the text) weighs this much more: it says what the article is about.
LEAD_WEIGHT = 2.0
#: The share of the polar confidence mass that must agree with the stance for it to keep the
#: confidence of its surest sentence; below it the confidence shrinks in proportion.
CLEAR_MAJORITY = 0.75
#: An aggregated strength below this in size is reported as neutral (0), never as a sign from noise.
MIN_ABS = 0.05


@dataclass
class Piece:
    """One sentence's stance toward one target: where, which class, how sure, how strong."""

    start: int
    end: int
    label: str
    confidence: float
    strength: float
    weight: float = 1.0
    title: bool = False

    @property
    def sign(self) -> int:
        return {"negative": -1, "neutral": 0, "positive": 1}[self.label]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def own_side(holder: ActorRecord | None, target: ActorRecord, *, outlet: str | None = None) -> bool:
    """True when ``target`` is ``holder`` itself, the state it acts for, or that state's people and
    bodies; for the author (``holder`` None), when ``target`` is the article's own outlet."""
    if holder is None:
        if not outlet:
            return False
        name = _slug(outlet)
        return bool(name) and (_slug(target.name) == name or _slug(target.id.split(":")[-1]) == name)
    if target.id == holder.id:
        return True
    # a party or a private citizen is of a state but does not act for it: a president's attack on
    # the opposition, or the opposition's on the government, is a stance
    side = acts_for(holder)
    if not side:
        return False
    return target.id == side or acts_for(target) == side


#: Verbs that report what someone else said, wrote or did with words: a sentence built on one
#: ("May accused critics of playing politics", "Kavanaugh denied the allegation") carries the
#: speaker's judgement, not the author's.
SPEECH_VERBS = frozenset({
    "say", "tell", "accuse", "deny", "claim", "allege", "warn", "urge", "criticize", "criticise",
    "condemn", "praise", "announce", "state", "insist", "argue", "add", "write", "tweet", "blame",
    "charge", "slam", "blast", "dismiss", "denounce", "call", "describe", "brand", "label", "threaten",
    "vow", "pledge", "promise", "demand", "complain", "lament", "laud", "hail", "attack",
    "suggest", "contend", "assert", "declare", "acknowledge", "admit", "respond", "reply", "question",
    "lash", "rail", "decry", "mock", "ridicule", "defend", "thank", "congratulate", "welcome",
})
#: Quote marks: a sentence holding one reports someone's words.
QUOTE_MARKS = frozenset('"“”«»„') | {"''", "``"}


def _reported(sent: Span) -> bool:
    """True when ``sent`` reports someone's words: a quote mark, "according to", or a verb of
    saying with a subject ("X said", "X accused Y of")."""
    for tok in sent:
        if tok.text in QUOTE_MARKS:
            return True
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor().lower_ == "to":
            return True
        if tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS and any(
                c.dep_ in ("nsubj", "nsubjpass", "agent") for c in tok.children):
            return True
    return False


#: A headline that reports someone's words ("Pelosi calls Kavanaugh 'hysterical'", "Trump says ...").
_REPORTED_TITLE = re.compile(
    r"[\"“”«»]|(?:^|\s)['‘]\w[^'’]*['’](?=\s|$|[,.:;!?])|\b(?:says?|said|tells?|told|calls?|called|accuses?|accused|denies|denied|"
    r"claims?|claimed|warns?|warned|urges?|urged|slams?|slammed|blasts?|blasted|condemns?|condemned|"
    r"criticises?|criticizes?|criticised|criticized|praises?|praised|vows?|vowed|threatens?|threatened|"
    r"denounces?|denounced|brands?|branded|dismisses|dismissed|insists?|insisted|according to)\b",
    re.IGNORECASE)


def reported_title(title: str) -> bool:
    """True when the headline reports someone's words: the stance in it is theirs, not the author's."""
    return bool(_REPORTED_TITLE.search(title))


#: An evaluative word: an adjective or adverb whose valence (``lexicon``, -4..4) is at least this in size.
EVALUATIVE_VALENCE = 1.5
#: Adjectives and adverbs with a valence that in news mostly describe ("a grand jury", "the United
#: Nations", "the Supreme Court", "a special counsel", "free trade", "dead", "tested positive").
NOT_EVALUATIVE = frozenset({
    "grand", "united", "supreme", "special", "free", "clear", "dead", "killed", "low", "huge", "safe",
    "secure", "interested", "positive", "negative", "easy", "popular", "true", "better", "best", "great",
    "greater", "strong", "stronger", "high", "sure", "certain", "likely", "fair", "injured", "wounded",
    "honorable", "intelligent", "worth", "welcome", "ready", "willing", "able", "legal", "illegal",
})


def evaluative(tokens: Iterable[Token]) -> bool:
    """True when the words judge: an adjective or adverb of some valence outside a name ("a
    belligerent rhetoric", "did badly"). "Prosecutors seek the death penalty for the suspect in the
    terror attack" reports a grim event and judges no one: in a news report it is no author stance."""
    words = lexicon()
    for tok in tokens:
        if tok.pos_ in ("ADJ", "ADV") and not tok.ent_type_ and tok.lower_ not in NOT_EVALUATIVE:
            v = words.get(tok.lower_, words.get(tok.lemma_.lower(), 0.0))
            if abs(v) >= EVALUATIVE_VALENCE:
                return True
    return False


#: Modal auxiliaries of forecasts and hypotheses ("they will be weakened", "it would be embarrassing
#: for him"); not "should", "must" or "can", whose judgements ("X should resign") are stances.
FORECAST_MODALS = frozenset({"will", "would", "could", "might", "may", "shall", "'ll", "’ll", "'d", "’d", "wo"})
#: Subordinators of a condition: "if Republicans do badly" says nothing of what the writer thinks of them.
CONDITION_MARKS = frozenset({"if", "unless", "whether"})
#: How closely an evaluative word must attach to a mention to contradict a neutral call: the word
#: itself or its noun ("the ruthless tactics of X", "X's belligerent rhetoric", "X is corrupt").
LINK_HOPS = 2
#: Word classes that judge: adjectives, adverbs and nouns ("the anger of X"). Verbs mostly tell
#: what happened ("suffered", "attacked", "rejected") and do not tie a judgement to a mention.
JUDGING_POS = frozenset({"ADJ", "ADV", "NOUN"})
#: Nouns with a valence that name what happens, not what anyone thinks of it ("the fight over the
#: nominee", "since the war began", "the deal with Iran"): no judging words (lemmas).
EVENT_NOUNS = frozenset({
    "war", "fight", "fighting", "battle", "attack", "conflict", "crisis", "death", "killing", "murder", "violence",
    "disaster", "accident", "emergency", "struggle", "dispute", "protest", "terror", "terrorism", "threat", "risk",
    "problem", "victory", "win", "defeat", "loss", "collapse", "damage", "injury", "casualty", "victim", "tragedy",
    "support", "help", "aid", "peace", "deal", "agreement", "competition", "challenge", "opposition", "penalty",
    "sanction", "punishment", "prison", "arrest", "charge", "unemployment", "poverty", "debt", "cancer", "disease",
    "pandemic", "hope", "care", "security", "freedom", "rights", "justice", "protection", "benefit", "interest",
    "opportunity", "breakthrough", "progress", "growth", "recovery", "reform", "award", "prize",
})


def hops(a: Token, b: Token) -> int:
    """The length of the dependency path between two tokens of one sentence, a preposition or a
    possessive marker on the way not counted ("the tactics of the party": one hop, as in collapsed
    dependencies). Tokens of different sentences are 99 hops apart."""
    up = [a, *a.ancestors]
    at = {t.i: n for n, t in enumerate(up)}
    down: list[Token] = []
    for t in [b, *b.ancestors]:
        if t.i in at:
            path = [*up[:at[t.i] + 1], *reversed(down)]
            return len(path) - 1 - sum(1 for x in path[1:-1] if x.pos_ == "ADP" or x.dep_ == "case")
        down.append(t)
    return 99


def judging_words(sent: Span, names: Sequence[Span] = ()) -> list[Token]:
    """The words of ``sent`` that judge (``JUDGING_POS`` with a valence of at least
    ``EVALUATIVE_VALENCE``, outside names and the ``names`` given)."""
    words = lexicon()
    taken = {t.i for span in names for t in span}
    out = []
    for tok in sent:
        if (tok.pos_ in JUDGING_POS and not tok.ent_type_ and tok.i not in taken
                and tok.lower_ not in NOT_EVALUATIVE and not (tok.pos_ == "NOUN" and tok.lemma_.lower() in EVENT_NOUNS)
                and abs(words.get(tok.lower_, words.get(tok.lemma_.lower(), 0.0))) >= EVALUATIVE_VALENCE):
            out.append(tok)
    return out


def coordinated(a: Span, b: Span) -> bool:
    """True when two mentions are conjuncts of one coordination ("El Salvador, the Dominican
    Republic and Panama"): what the sentence says, it says of each."""
    def first(tok: Token) -> Token:
        while tok.dep_ == "conj" and tok.head is not tok:
            tok = tok.head
        return tok

    return first(a.root) == first(b.root)


def hypothetical(span: Span) -> bool:
    """True when the clause holding ``span`` is a question, a condition or a forecast ("if, as
    expected, the Republicans do badly", "bowing to the US would be embarrassing for Xi"): the
    writer says what may happen, not what they think of the actor."""
    sent = span.sent
    if span_text(sent).rstrip().rstrip("\"'”’)").endswith("?"):
        return True
    for tok in [span.root, *span.root.ancestors]:
        for child in tok.children:
            if child.dep_ == "mark" and child.lower_ in CONDITION_MARKS:
                return True
            if child.dep_ in ("aux", "auxpass") and child.tag_ == "MD" and child.lower_ in FORECAST_MODALS:
                return True
    return False


def negated(span: Span) -> bool:
    """True when the clause holding ``span`` is negated ("the North doesn't see a response from the
    U.S."): saying what an actor did not do is a complaint or a defence more often than a plain report."""
    return any(child.dep_ == "neg" for tok in [span.root, *span.root.ancestors] for child in tok.children)


def admissible(call: tuple[str, float, float], span: Span, rivals: Sequence[Span], *, author: bool) -> bool:
    """Whether a sentence's call toward the mention ``span`` is evidence of a stance, or the
    sentence is abstained on (step 5). ``rivals``: the mentions of the other actors the holder
    could be judging in the same sentence."""
    if author and hypothetical(span):
        return False
    rivals = [r for r in rivals if not coordinated(r, span)]
    words = judging_words(span.sent, [span, *rivals])
    mine = [min(hops(w, t) for t in span) for w in words]
    if rivals and call[0] != "neutral":
        # Two actors in one sentence (not coordinated: "the EU and NATO" share what is said of them):
        # a polar call counts only when a judging word is tied more closely to this one than to any
        # other ("a vote for Kavanaugh is a vote to reject the ruthless tactics of the Democrats"
        # judges the Democrats); with no judging word, nothing ties the call to either.
        theirs = [min(hops(w, t) for r in rivals for t in r) for w in words]
        if not any(m < t for m, t in zip(mine, theirs, strict=True)):
            return False
    # "No attitude" is not shown when a judging word is tied to the mention or its clause is negated.
    return not (call[0] == "neutral" and (any(m <= LINK_HOPS for m in mine) or negated(span)))


def _sentences_outside_quotes(doc: Doc, quotes: Sequence[dict[str, Any]]) -> list[Span]:
    """The author's sentences: not mostly quote content and not reporting anyone's words (the
    judgement in "May accused her critics of playing politics" is May's, not the reporter's)."""
    quoted = [(q["start"], q["end"]) for q in quotes]
    out = []
    for sent in doc.sents:
        inside = any(s < sent.end_char and e > sent.start_char for s, e in quoted)
        if not inside and not _reported(sent):
            out.append(sent)
    return out


#: The encoder (``stance_encoder``) reads at most this many mentions per article: the headline's,
#: the lead's, then those the feature model calls polar most surely. One pass costs about 2% of
#: the parse of an 800-word article; the rest keep the feature model's call.
ENCODER_BUDGET = 8


def judge(doc: Doc, spans: Sequence[tuple[int, int]], *, title: str = "", title_doc: Doc | None = None,
          title_spans: Sequence[tuple[int, int]] = (), model: StanceModel | None = None,
          encoder: EncoderModel | None = None,
          budget: int = ENCODER_BUDGET) -> dict[tuple[bool, int, int], tuple[str, float, float]]:
    """(class, confidence, strength) of each mention: character spans of ``doc``, keyed
    (False, start, end), and of ``title``, keyed (True, start, end). The feature model reads
    every mention of a parsed text; the encoder reads up to ``budget`` of them, title mentions
    first (the title needs no parse when the encoder reads it)."""
    from .stance_model import load_stance_model, mention_features

    model = model or load_stance_model()
    out: dict[tuple[bool, int, int], tuple[str, float, float]] = {}
    where: dict[tuple[bool, int, int], tuple[str, int, int]] = {}
    for in_title, d, items in ((False, doc, spans), (True, title_doc, title_spans)):
        if d is None:
            continue
        shared: dict[int, Any] = {}
        for start, end in items:
            span = d.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            key = (in_title, start, end)
            out[key] = model.predict(mention_features(d, span.start, span.end, cache=shared))
            sent = d[span.start].sent
            where[key] = (span_text(sent), span.start_char - sent.start_char, span.end_char - sent.start_char)
    if encoder is None or budget <= 0:
        return out
    heads = [(True, s, e) for s, e in title_spans]
    for key in heads:
        where[key] = (title, key[1], key[2])
    lead = next(iter(doc.sents), None)
    lead_end = lead.end_char if lead is not None else 0

    def priority(key: tuple[bool, int, int]) -> tuple[int, float, int]:
        label, confidence, _s = out[key]
        rank = 0 if key[1] < lead_end else 1 if label != "neutral" else 2
        return rank, -confidence, key[1]

    chosen = [*heads, *sorted((k for k in out if not k[0]), key=priority)][:budget]
    for key, result in zip(chosen, encoder.predict([where[k] for k in chosen]), strict=True):
        out[key] = result
    return out


def aggregate(holder: str, target: str, pieces: Sequence[Piece]) -> dict[str, Any] | None:
    """The article-level stance of ``holder`` toward ``target`` from its sentence stances (step 7)."""
    if not pieces:
        return None
    mass = sum(p.confidence * p.weight for p in pieces)
    polarity = sum(p.confidence * p.weight * p.strength for p in pieces) / mass if mass else 0.0
    neg = sum(p.confidence * p.weight for p in pieces if p.sign < 0)
    pos = sum(p.confidence * p.weight for p in pieces if p.sign > 0)
    sign = 0 if pos == neg == 0.0 or abs(polarity) < MIN_ABS else 1 if pos > neg else -1
    if sign == 0:
        agreeing = [p for p in pieces if p.sign == 0]
        confidence = max((p.confidence for p in agreeing), default=0.0) * (len(agreeing) / len(pieces))
        polarity = 0.0
    else:
        agreeing = [p for p in pieces if p.sign == sign]
        share = (pos if sign > 0 else neg) / (pos + neg)
        confidence = max(p.confidence for p in agreeing) * min(1.0, share / CLEAR_MAJORITY)
        # The sign decided by confidence mass; the strength keeps that sign.
        polarity = sign * max(abs(polarity), MIN_ABS)
    best = sorted(agreeing, key=lambda p: (-p.confidence * p.weight, p.start))
    evidence = [{"start": p.start, "end": p.end, "polarity": round(p.strength, 3), "confidence": p.confidence}
                for p in best if not p.title][:MAX_EVIDENCE]
    out: dict[str, Any] = {"holder": holder, "target": target, "polarity": round(polarity, 3),
                           "confidence": round(min(1.0, max(0.0, confidence)), 3), "evidence": evidence}
    if any(p.title for p in agreeing):
        out["headline"] = True
    return out


def _title_mentions(title: str, actor: ActorRecord) -> list[tuple[int, int]]:
    """Where the title names ``actor`` by one of the forms the text uses for it (whole words only)."""
    forms = sorted({m.text for m in actor.own_mentions if len(m.text) > 2} | {actor.name}, key=len, reverse=True)
    found: list[tuple[int, int]] = []
    for form in forms:
        for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", title):
            if not any(s < m.end() and m.start() < e for s, e in found):
                found.append((m.start(), m.end()))
    return sorted(found)


def find_stances(doc: Doc, actors: Sequence[ActorRecord], quotes: Sequence[dict[str, Any]], *,
                 title: str = "", title_doc: Doc | None = None, outlet: str | None = None,
                 model: StanceModel | None = None, encoder: EncoderModel | None | bool = True,
                 budget: int = ENCODER_BUDGET, genre: str | None = None) -> list[dict[str, Any]]:
    """Stances of the author and of quoted speakers toward the article's political actors (SCHEMA
    ``stances``, each with ``confidence`` and evidence). ``encoder`` True loads the shipped encoder
    (which reads the title unparsed), False or None runs the feature model alone (the title is then
    parsed here unless ``title_doc`` is given). Unless ``genre`` is "opinion", the author holds only
    the sentences (and the headline) that judge (``evaluative``): a news report's author voice
    describes, and a grim event is not the reporter's stance toward the people in it."""
    from .stance_encoder import load_encoder

    by_id = {a.id: a for a in actors}
    targets = [a for a in actors if a.kind in POLITICAL_KINDS]
    if not targets:
        return []
    author_sents = _sentences_outside_quotes(doc, quotes)
    opinion = genre == "opinion"
    if not opinion:
        author_sents = [sent for sent in author_sents if evaluative(sent)]
    quoted = [(q["start"], q["end"]) for q in quotes]
    lead = next(iter(doc.sents), None)
    enc = load_encoder() if encoder is True else encoder or None
    if title.strip() and title_doc is None and enc is None:
        from .nlp import parse

        title_doc = parse(title)
    # A headline reporting someone's words gives the author no stance (the words are the speaker's).
    own_title = bool(title.strip()) and not reported_title(title)
    if own_title and not opinion:
        from .nlp import parse

        own_title = evaluative(title_doc if title_doc is not None else parse(title))
    title_spans = {a.id: _title_mentions(title, a) for a in targets} if own_title else {}
    spans = sorted({(m.start, m.end) for a in targets for m in a.own_mentions})
    calls = judge(doc, spans, title=title, title_doc=title_doc,
                  title_spans=sorted({s for v in title_spans.values() for s in v}), model=model, encoder=enc,
                  budget=budget)

    def best(results: list[tuple[str, float, float]]) -> tuple[str, float, float]:
        return max(results, key=lambda r: r[1] if r[0] != "neutral" else r[1] / 2)

    # Where each mention is in the parse, and which actors each sentence names (step 5).
    where: dict[tuple[int, int], Span] = {}
    named: dict[int, list[tuple[ActorRecord, Span]]] = {}
    for a in targets:
        for m in a.own_mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                where[(m.start, m.end)] = span
                named.setdefault(span.sent.start, []).append((a, span))

    def call(actor: ActorRecord, m: Mention, holder: ActorRecord | None,
             quote: dict[str, Any] | None = None) -> tuple[str, float, float] | None:
        """The sentence's call toward mention ``m`` of ``actor`` (in the words of ``holder``: the
        author's or those of ``quote``), None when abstained on."""
        result = calls.get((False, m.start, m.end))
        span = where.get((m.start, m.end))
        if result is None or span is None:
            return None
        # The rivals: the other actors the holder names in the same sentence (the quote's words for a
        # speaker, the words outside quotes for the author), but not those on the target's side.
        def holders_words(at: int) -> bool:
            if quote is not None:
                return bool(quote["start"] <= at < quote["end"])
            return not any(s <= at < e for s, e in quoted)

        rivals = [s for other, s in named.get(span.sent.start, []) if other.id != actor.id
                  and holders_words(s.start_char)
                  and not own_side(other, actor) and not own_side(actor, other)
                  and not own_side(holder, other, outlet=outlet)]
        return result if admissible(result, span, rivals, author=holder is None) else None

    ordered = sorted(targets, key=lambda a: (a.kind == "state", a.id))
    out: list[dict[str, Any]] = []
    for actor in ordered:
        mine = actor.own_mentions
        # The author: sentences outside quotes, mentions outside quotes, and the title.
        pieces: list[Piece] = []
        if not own_side(None, actor, outlet=outlet):
            for sent in author_sents:
                found = [c for m in mine if sent.start_char <= m.start < sent.end_char
                         and not any(s <= m.start < e for s, e in quoted) and (c := call(actor, m, None)) is not None]
                if found:
                    weight = LEAD_WEIGHT if lead is not None and sent.start == lead.start else 1.0
                    pieces.append(Piece(sent.start_char, sent.end_char, *best(found), weight))
            found = [calls[k] for s, e in title_spans.get(actor.id, []) if (k := (True, s, e)) in calls]
            if found:
                pieces.append(Piece(0, 0, *best(found), LEAD_WEIGHT, title=True))
        stance = aggregate("author", actor.id, pieces)
        if stance is not None:
            out.append(stance)
        # Quoted speakers: the quote content that mentions the actor.
        by_speaker: dict[str, list[Piece]] = {}
        for quote in quotes:
            speaker = quote.get("speaker_actor")
            holder = by_id.get(speaker) if speaker else None
            if holder is None or holder.kind not in POLITICAL_KINDS or own_side(holder, actor):
                continue
            found = [c for m in mine if quote["start"] <= m.start < quote["end"]
                     and (c := call(actor, m, holder, quote)) is not None]
            if found:
                by_speaker.setdefault(holder.id, []).append(Piece(quote["start"], quote["end"], *best(found)))
        for speaker, speaker_pieces in sorted(by_speaker.items()):
            stance = aggregate(speaker, actor.id, speaker_pieces)
            if stance is not None:
                out.append(stance)
    return out
