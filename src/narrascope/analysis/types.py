"""Shared types of the article analysis: what one analysis module hands to the next.

Every offset is a character offset into ``Article.text`` (end exclusive), so
``text[m.start:m.end] == m.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACTOR_KINDS", "FRAMES", "PLOVER_TYPES", "TECHNIQUES", "Mention", "ActorRecord"]

ACTOR_KINDS = ("state", "person", "organization", "group", "location")

PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")

TECHNIQUES = ("Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice",
              "Flag_Waving", "Causal_Oversimplification", "False_Dilemma-No_Choice",
              "Consequential_Oversimplification", "Straw_Man", "Red_Herring", "Whataboutism", "Slogans",
              "Appeal_to_Time", "Conversation_Killer", "Loaded_Language", "Repetition",
              "Exaggeration-Minimisation", "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling", "Doubt",
              "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation")

FRAMES = ("Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
          "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
          "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
          "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation")


@dataclass(frozen=True)
class Mention:
    """One place in the text that refers to an actor.

    ``how`` says how it was found: "gazetteer" (a name in the knowledge base), "ner" (spaCy's
    entity recogniser), "coref" (a surname or title after the full name: "Kim" after "Kim Jong Un",
    "the US president"), "pronoun" (quotes only: "he said"). ``confidence`` is the calibrated
    probability that the mention refers to ``actor`` (see ``narrascope.analysis.confidence``).
    """

    start: int
    end: int
    text: str
    actor: str
    how: str = "gazetteer"
    confidence: float = 1.0


@dataclass
class ActorRecord:
    """An actor of one article, in the record shape of SCHEMA.md ``actors``."""

    id: str
    name: str
    kind: str
    country: str | None = None
    role: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    #: for a non-state armed group (kind "group"): the state it operates in; ``country`` (the state
    #: an actor acts for) stays None, so its mentions are not the state's
    operates_in: str | None = None

    @property
    def confidence(self) -> float:
        """The actor's confidence: that of its surest mention."""
        return max((m.confidence for m in self.mentions), default=0.0)

    @property
    def own_mentions(self) -> list[Mention]:
        """The mentions that name this actor itself, not one rolled up to it (a state's mentions
        include those of the persons and bodies acting for it: "Lavrov" is a mention of Russia
        too, ``via`` the person)."""
        return [m for m in self.mentions if m.actor == self.id]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "country": self.country, "role": self.role,
                "operates_in": self.operates_in, "confidence": self.confidence,
                "mentions": [{"start": m.start, "end": m.end, "text": m.text, "how": m.how,
                              "confidence": m.confidence, **({"via": m.actor} if m.actor != self.id else {})}
                             for m in self.mentions]}


#: kinds of actor that act for the state in their ``country`` (the state graph rolls them up to it)
ACTING_KINDS = frozenset({"person", "organization"})


def acts_for(record: ActorRecord) -> str | None:
    """The state an actor acts for: a state itself, a state body or a person (their ``country``:
    persons have one only while the text or the knowledge base, on the article's date, ties them
    to a state). A party or other group is of a state (its ``country``) but does not act for it:
    the opposition is not the government, and its mentions are not the state's."""
    if record.kind == "state":
        return record.id
    if record.kind in ACTING_KINDS:
        return record.country
    return None
