"""Evaluation: how well narrascope does against gold sets, beside the tools users know.

- ``extraction``: body text and metadata of HTML pages, on the article-extraction-benchmark
  layout or the WCXB layout, scored for narrascope and for trafilatura alone in the same run.
- ``actors``: state linking on PLOVER records, or a seeds-shaped gold file.
- ``quotes``: quote attribution on brat standoff data (PolNeAR).
- ``events``: PLOVER event coding on gold-standard records.
- ``techniques``: persuasion-technique spans on PTC-format data.
"""

from __future__ import annotations

from .extraction import ExtractionReport, SystemScore, evaluate_extraction

__all__ = ["ExtractionReport", "SystemScore", "evaluate_extraction"]
