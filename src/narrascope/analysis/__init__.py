"""Article analysis: actors, quotes, events, persuasion techniques, frames, stance, topics.

Modules (each a plain function of a parsed spaCy ``Doc`` plus what earlier modules found; every
offset is a character offset into the article text):

- ``nlp``: the one spaCy pipeline (pinned PyPI model), loaded once per process.
- ``kb``: the actor knowledge base (data files in ``narrascope/data/actors``) and its gazetteer.
- ``actors``: ``find_actors(doc, kb, published) -> (list[ActorRecord], list[Mention])``.
- ``quotes``: ``find_quotes(doc, mentions, actors, authors=...) -> list[dict]`` (SCHEMA ``quotes``).
- ``events``: ``find_events(doc, mentions, quotes, actors) -> list[dict]`` (SCHEMA ``events``).
- ``techniques``: ``find_techniques(doc, quotes) -> list[dict]``; ``frames``: ``find_frames(doc)``.
- ``stance``: ``find_stances(doc, actors, quotes)``; ``topics``: ``assign_topics(title, text)``.
- ``stages``: the versioned pipeline stages wrapping these, sharing one parse per article.
- ``rerun``: re-runs the stages on stored articles (``narrascope analyze``); ``*_train``: rebuild the
  models; ``render``: the readable ``show`` section.
"""
