"""Evaluation: how well narrascope does against gold sets, beside the tools users know.

- ``extraction``: body text and metadata of HTML pages, on the article-extraction-benchmark
  layout or the WCXB layout, scored for narrascope and for trafilatura alone in the same run.
"""

from __future__ import annotations

from .extraction import ExtractionReport, SystemScore, evaluate_extraction

__all__ = ["ExtractionReport", "SystemScore", "evaluate_extraction"]
