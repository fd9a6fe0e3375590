"""Calibrated confidence: the shared pieces every field's confidence is fitted, measured and applied with."""

from __future__ import annotations

import random

import pytest

from narrascope.analysis.confidence import (
    Calibration,
    ConfidenceModel,
    calibration_report,
    choose_floor,
    in_training_split,
    keep,
    precision_above,
)
from narrascope.errors import SettingsError
from narrascope.settings import Settings


def _noisy(n: int = 3000, seed: int = 1) -> tuple[list[float], list[bool]]:
    rng = random.Random(seed)
    scores = [rng.random() for _ in range(n)]
    return scores, [rng.random() < 0.9 * s for s in scores]


def test_isotonic_calibration_is_monotone_and_close_to_the_truth() -> None:
    scores, correct = _noisy()
    cal = Calibration.fit(scores, correct)
    values = [cal(k / 20) for k in range(21)]
    assert values == sorted(values)
    assert all(0.0 <= v <= 1.0 for v in values)
    # The true rate is 0.9 * score.
    assert abs(cal(0.5) - 0.45) < 0.08 and abs(cal(0.9) - 0.81) < 0.08
    assert Calibration.from_dict(cal.to_dict()) == cal


def test_a_tiny_block_does_not_claim_certainty() -> None:
    cal = Calibration.fit([0.9, 0.9, 0.9, 0.1, 0.1, 0.1], [True, True, True, False, False, True])
    assert cal(0.9) < 1.0
    assert cal(0.1) > 0.0


def test_confidence_model_learns_a_readable_feature_and_round_trips() -> None:
    rng = random.Random(3)
    feats, correct, groups = [], [], []
    for i in range(1500):
        direct = rng.random() < 0.5
        feats.append({"direct": 1.0} if direct else {"pronoun_speaker": 1.0})
        correct.append(rng.random() < (0.9 if direct else 0.4))
        groups.append(f"doc{i % 60}")
    model = ConfidenceModel.fit("quotes", feats, correct, groups=groups)
    assert model({"direct": 1.0}) > 0.8 > 0.5 > model({"pronoun_speaker": 1.0})
    assert model.weights["direct"] > model.weights["pronoun_speaker"]
    again = ConfidenceModel.from_dict(model.to_dict())
    assert again({"direct": 1.0}) == model({"direct": 1.0})
    # A feature the model never saw weighs nothing.
    assert model({"direct": 1.0, "brand_new_feature": 1.0}) == model({"direct": 1.0})


def test_report_bins_and_floor_figures_agree_with_counting() -> None:
    conf = [0.95, 0.9, 0.85, 0.6, 0.55, 0.3, 0.2, 0.05]
    ok = [True, True, False, True, False, False, False, False]
    report = calibration_report("events", conf, ok, floor=0.5)
    assert report.kept == 5 and report.precision_at_floor == pytest.approx(3 / 5)
    assert sum(b["facts"] for b in report.bins) == len(conf)
    assert precision_above(conf, ok, 0.8) == (3, pytest.approx(2 / 3))
    text = report.format()
    assert "analysis.min_confidence.events = 0.5" in text and "5 of 8 kept" in text


def test_choose_floor_finds_the_lowest_floor_reaching_the_target() -> None:
    scores, correct = _noisy(4000)
    floor = choose_floor(scores, correct, target=0.8)
    assert floor is not None
    n, p = precision_above(scores, correct, floor)
    assert p is not None and p >= 0.8
    lower = round(floor - 0.05, 2)
    assert (precision_above(scores, correct, lower)[1] or 0) < 0.8
    assert choose_floor([0.9] * 30, [False] * 30) is None


def test_keep_drops_facts_below_the_floor_and_facts_without_confidence() -> None:
    facts = [{"confidence": 0.9}, {"confidence": 0.49}, {"confidence": 0.5}, {}]
    assert keep(facts, 0.5) == [{"confidence": 0.9}, {"confidence": 0.5}]
    assert len(keep(facts[:3], 0.0)) == 3


def test_training_split_is_stable_and_about_seventy_percent() -> None:
    keys = [f"article{i}" for i in range(2000)]
    share = sum(in_training_split(k) for k in keys) / len(keys)
    assert 0.65 < share < 0.75
    assert in_training_split("article42") == in_training_split("article42")


def test_floors_are_settings_checked_as_confidences() -> None:
    settings = Settings().with_overrides({"analysis": {"min_confidence": {"quotes": 0.2}}}, source="t")
    assert settings.analysis.min_confidence.quotes == 0.2
    assert settings.analysis.min_confidence.events == Settings().analysis.min_confidence.events
    with pytest.raises(SettingsError, match="between 0 and 1"):
        Settings().with_overrides({"analysis": {"min_confidence": {"quotes": 1.5}}}, source="t")
    with pytest.raises(SettingsError, match="unknown key analysis.min_confidence.quote"):
        Settings().with_overrides({"analysis": {"min_confidence": {"quote": 0.5}}}, source="t")
    with pytest.raises(SettingsError, match="must be a table"):
        Settings().with_overrides({"analysis": {"min_confidence": 0.5}}, source="t")
