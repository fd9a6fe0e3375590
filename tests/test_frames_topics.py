"""Frames and topics: calibrated confidences, the floor, and eval/train on a hand-labelled sample."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import run_cli
from narrascope.analysis.confidence import ConfidenceModel, load_confidence_model
from narrascope.analysis.frames import frame_confidences
from narrascope.analysis.topics import assign_topics
from narrascope.settings import load_settings

FLOORS = load_settings().analysis.min_confidence

SECURITY = ("The defence ministry said the military would deploy more troops to the border after the missile"
            " attack. Security forces raised the threat level, and the army moved air defence systems north."
            " Officials called it the gravest security threat in years, and the armed forces prepared for"
            " further attacks on military bases.\n\nThe defence minister said troops and soldiers would stay"
            " as long as the threat lasted.")
SANCTIONS = ("New sanctions on Freedonia\n\nThe European Union imposed new sanctions on Freedonia on Monday,"
             " freezing assets of its central bank and widening an embargo on oil.\n\nThe sanctions follow an"
             " earlier round of export controls. Officials said more sanctions could follow if Freedonia does"
             " not change course.\n\nFreedonia called the sanctions illegal.")
SPORT = ("The home side won 2-1 on Saturday after a late goal.\n\nThe coach said the players had shown energy"
         " and that the price war over tickets had not hurt attendance.\n\nThe culture war of words between the"
         " two managers went on after the final whistle.")


def test_every_frame_has_a_confidence_and_a_framed_article_keeps_its_frame() -> None:
    frames = frame_confidences(SECURITY)
    assert frames and all(0.0 <= f["confidence"] <= 1.0 for f in frames)
    by_name = {f["name"]: f["confidence"] for f in frames}
    assert by_name["Security_and_defense"] >= FLOORS.frames
    assert max(by_name.values()) == by_name["Security_and_defense"]


def test_a_stray_cue_is_not_a_frame() -> None:
    frames = frame_confidences(SPORT)
    assert all(f["confidence"] < FLOORS.frames for f in frames if f["name"] != "Economic")


def test_topic_confidence_follows_how_much_the_article_is_about_it() -> None:
    topics = {t.id: t for t in assign_topics("New sanctions on Freedonia", SANCTIONS)}
    assert topics["sanctions"].confidence is not None and topics["sanctions"].confidence >= FLOORS.topics
    assert topics["sanctions"].in_title and topics["sanctions"].in_lead
    assert all(0.0 <= (t.confidence or 0.0) <= 1.0 for t in topics.values())


def test_phrases_that_are_not_the_topic_count_nothing() -> None:
    # "price war", "war of words" and "culture war" hold the word "war" but are not about war.
    topics = {t.id: t for t in assign_topics("Late goal wins it", SPORT, min_score=0.5)}
    assert "war" not in topics
    energy = topics.get("energy")
    assert energy is None or (energy.confidence or 0.0) < FLOORS.topics


def test_the_stage_keeps_only_topics_and_frames_above_their_floors(tmp_path: Path) -> None:
    from narrascope.analysis.stages import FramesStage, TopicsStage
    from narrascope.model import Article

    article = Article(id="t", source={"kind": "text", "location": "t"}, title="New sanctions on Freedonia",
                      text=SANCTIONS)
    settings = load_settings()
    topics = TopicsStage().compute(article, settings)
    assert "sanctions" in topics["topics"]
    assert all(t["confidence"] >= FLOORS.topics for t in topics["topic_evidence"])
    assert [t["id"] for t in topics["topic_evidence"]] == topics["topics"]
    frames = FramesStage().compute(article, settings)["frames"]
    assert all(f["confidence"] >= FLOORS.frames for f in frames)
    everything = FramesStage().compute(article, settings.with_overrides(
        {"analysis": {"min_confidence": {"frames": 0.0}}}, source="test"))["frames"]
    assert len(everything) >= len(frames)


# -- eval and train on a labelled sample of pages written here ---------------------------------------

PAGE = """<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>
{paragraphs}</article></body></html>"""


def _sample(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    (data / "wcxb" / "html").mkdir(parents=True)
    (data / "wcxb" / "ground-truth").mkdir()
    articles = [("sanctions-1", "New sanctions on Freedonia", SANCTIONS, ["Economic"], ["sanctions"]),
                ("security-1", "Troops sent north", SECURITY, ["Security_and_defense"], []),
                ("sport-1", "Late goal wins it", SPORT, [], [])]
    labels = []
    for i, (page, title, text, frames, topics) in enumerate(articles * 3):
        page = f"{page}-{i}"
        paragraphs = "\n".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        html = PAGE.format(title=title, paragraphs=paragraphs)
        (data / "wcxb" / "html" / f"{page}.html.gz").write_bytes(gzip.compress(html.encode()))
        (data / "wcxb" / "ground-truth" / f"{page}.json").write_text(json.dumps(
            {"url": f"https://example.org/{page}", "ground_truth": {"title": title, "main_content": text}}))
        labels.append({"dataset": "wcxb", "page": page, "url": None, "frames": frames, "topics": topics})
    sample = tmp_path / "labels.jsonl"
    sample.write_text("".join(json.dumps(x) + "\n" for x in labels))
    return sample, data


def test_eval_topics_cross_validates_on_a_labelled_sample(tmp_path: Path) -> None:
    sample, data = _sample(tmp_path)
    result = run_cli("eval", "topics", str(sample), "--data", str(data), "--folds", "3", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["articles"] == 9 and report["gold"] == 3
    assert report["kept"] >= report["right"] >= 0
    calibration = report["calibration"]
    assert calibration["field"] == "topics" and sum(b["facts"] for b in calibration["bins"]) == calibration["facts"]
    text = run_cli("eval", "frames", str(sample), "--data", str(data), "--folds", "3")
    assert text.exit_code == 0, text.output
    assert "3-fold cross-validation" in text.output and "confidence   facts  mean conf" in text.output
    assert "analysis.min_confidence.frames" in text.output


def test_train_writes_a_model_the_stage_can_load(tmp_path: Path) -> None:
    sample, data = _sample(tmp_path)
    target = tmp_path / "topics.confidence.json"
    result = run_cli("train", "topics", str(sample), "--data", str(data), "-o", str(target))
    assert result.exit_code == 0, result.output
    model = ConfidenceModel.from_dict(json.loads(target.read_text()))
    assert model.field == "topics" and model.meta["articles"] == 9
    assert load_confidence_model("topics", str(target)) == model
    ranked = assign_topics("New sanctions on Freedonia", SANCTIONS, model=model)
    assert ranked[0].id == "sanctions" and ranked[0].confidence is not None


def test_train_gives_the_same_model_whatever_the_order_of_the_samples(tmp_path: Path) -> None:
    sample, data = _sample(tmp_path)
    lines = sample.read_text().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:4]))
    second.write_text("".join(lines[4:]))
    written = []
    for n, order in enumerate(([first, second], [second, first, tmp_path / "." / "b.jsonl"])):
        target = tmp_path / f"frames{n}.confidence.json"
        result = run_cli("train", "frames", *map(str, order), "--data", str(data), "-o", str(target))
        assert result.exit_code == 0, result.output
        written.append(target.read_text())
    assert written[0] == written[1]
    assert json.loads(written[0])["meta"]["data"] == "a.jsonl, b.jsonl"
