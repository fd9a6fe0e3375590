"""Article analysis: actors, quotes, events, persuasion techniques, frames, stance, topics.

Modules (each a plain function of a parsed spaCy ``Doc`` plus what earlier modules found):

- ``kb``: the actor knowledge base (data files in ``narrascope/data/actors``) and its gazetteer.
- ``actors``: ``find_actors(doc, kb, published=None) -> (list[ActorRecord], list[Mention])``.
- ``quotes``: ``find_quotes(doc, mentions) -> list[dict]`` (SCHEMA.md ``quotes``).
- ``events``: ``find_events(doc, mentions, quotes) -> list[dict]`` (SCHEMA.md ``events``).
- ``techniques``: ``find_techniques(doc, quotes) -> list[dict]``; ``frames``: ``find_frames(doc) -> list[dict]``.

The per-article stages in ``narrascope.analysis.stages`` wrap these for the pipeline.
"""
