"""``narrascope train``: rebuild narrascope's trained models from your own data."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .. import api
from ..analysis.confidence import TECHNIQUES_MODEL
from ..analysis.events_judged import JUDGED
from .common import current_settings
from .evaluate import _sample_options
from .root import cli


@click.group("train")
def train_group() -> None:
    """Rebuild narrascope's trained models from your own data.

    \b
    Example:
      narrascope train techniques ../shared/data/ptc -o my-techniques.joblib
      narrascope train stance ../shared/data/newsmtsc
    """


@click.command("actors")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the model (default: the shipped data/models/actors.confidence.json).")
@click.option("--check", type=click.Path(exists=True, dir_okay=False),
              help="A hand-built check of the same shape as the shipped data/actors/check.jsonl.")
def train_actors_command(path: str, output: str | None, check: str | None) -> None:
    """Fit the confidence model of actor mentions on PLOVER records (training split) and the check.

    PATH is the PLOVER gold records file (a JSON list). Only records whose id falls in the
    training split are used; ``narrascope eval actors`` reports on the others.

    \b
    Example:
      narrascope train actors ../shared/data/plover-gsr/records.json
      narrascope train actors ../shared/data/plover-gsr/records.json -o my-actors.confidence.json
    """
    api.train_actors(path, output=output, check=check, say=lambda line: click.echo(line, err=True))


@click.command("quotes")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of the shipped model.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parser processes (spaCy nlp.pipe n_process).")
def train_quotes_command(folder: str, output: str | None, jobs: int) -> None:
    """Fit the confidence model of quotes on brat attribution gold (PolNeAR layout), training split.

    FOLDER holds text/*.txt and attributions/*.ann. Only documents whose name falls in the
    training split are learnt from; `narrascope eval quotes` reports on the others.

    \b
    Example:
      narrascope train quotes ../shared/data/polnear/train
      narrascope train quotes ../shared/data/polnear/train -o my-quotes.confidence.json
    """
    api.train_quotes(folder, output=output, jobs=jobs, say=lambda line: click.echo(line, err=sys.stderr.isatty()))


@click.command("events")
@click.argument("path", type=click.Path(exists=True))
@click.option("--judged", type=click.Path(exists=True, dir_okay=False),
              help=f"Judged events on real articles (default: the shipped data/{JUDGED}).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the model (default: the shipped data/models/events.confidence.json).")
def train_events_command(path: str, judged: str | None, output: str | None) -> None:
    """Fit the confidence model of PLOVER events on gold records and judged real articles.

    PATH is the shared data folder (holding plover-gsr/records.json and the polnear, ptc and
    ntrex articles the judged events are read from) or the PLOVER records file (its folder's
    parent is then the data folder). Only the training splits are used: PLOVER records and
    judged documents whose id falls in the training split; ``narrascope eval events`` reports
    on the others. A PLOVER record's primary event is right when its type, source state and
    target state match the gold; a judged event when its type, source and target match the
    judgement of its cue.

    \b
    Example:
      narrascope train events ../shared/data
      narrascope train events ../shared/data -o my-events.confidence.json
    """
    api.train_events(path, judged=judged, output=output,
                     settings=current_settings(),
                     say=lambda line: click.echo(line, err=sys.stderr.isatty()))


class _Steps:
    """Progress: a bar over the training steps on a terminal, else one line per step on stderr."""

    def __init__(self, *, enabled: bool) -> None:
        from ..analysis.train import FOLDS  # here, not at the top: it imports spaCy and numpy

        self.total = 1 + FOLDS + 2 + 1
        self.bar: Any = None
        self.lines = enabled and not sys.stderr.isatty()
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc="train", unit="step", file=sys.stderr, leave=False,
                            dynamic_ncols=True)

    def __call__(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(message, refresh=False)
            self.bar.update(1)
        elif self.lines:
            click.echo(f"train techniques: {message}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command("techniques")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help=f"Where to write the model (default: the shipped model file, {TECHNIQUES_MODEL.name}); its "
                   "confidence model goes beside it as <stem>.confidence.json.")
@click.option("--all", "all_articles", is_flag=True,
              help="Train on every article instead of the fixed training split (no held-out scores then).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N articles of the split.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes for spaCy parsing.")
@click.option("--encoder", "with_encoder", is_flag=True,
              help="Fine-tune the technique tagger first (needs the training extra: pip install -e '.[train]'; "
                   "about 20 minutes on two cores).")
@click.option("--epochs", type=click.IntRange(1), default=5, show_default=True, help="Tagger training epochs.")
@click.option("--json", "as_json", is_flag=True, help="Print the model card (with held-out metrics) as JSON.")
def train_techniques_command(folder: str, output: str | None, all_articles: bool, limit: int | None, jobs: int,
                             with_encoder: bool, epochs: int, as_json: bool) -> None:
    """Train the persuasion-techniques model and its calibrated confidence on PTC-layout data.

    FOLDER holds articles/article<ID>.txt and labels/article<ID>.labels. The model learns from
    the fixed training split (md5 of the article id, about 70%); its confidence model is fitted
    on out-of-fold predictions of those articles only. The technique tagger (a small transformer,
    techniques_encoder.onnx beside the model) is kept as it is, or fine-tuned first with
    --encoder (its out-of-fold candidates feed the confidence model). The held-out rest is then scored with
    `narrascope eval techniques` at the floor in force (analysis.min_confidence.techniques).
    Deterministic: the same data gives the same model. Use a new file with the
    analysis.techniques_model setting.

    \b
    Example:
      narrascope train techniques ../shared/data/ptc -o my-techniques.joblib
      narrascope train techniques ../shared/data/ptc --encoder
    """
    from ..analysis.techniques import confidence_path

    steps = _Steps(enabled=not as_json)
    trained = api.train_techniques(folder, output=output, all_articles=all_articles, limit=limit, jobs=jobs,
                                   settings=current_settings(), progress=steps, encoder=with_encoder,
                                   epochs=epochs)
    steps.close()
    card, metrics, floor = trained["card"], trained["metrics"], trained["floor"]
    out = Path(card["file"])
    if as_json:
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
        return
    click.echo(f"wrote {out} ({out.stat().st_size // 1024} KiB) and {confidence_path(out).name}, trained on "
               f"{card['articles']} articles ({card['split']} split)")
    if metrics:
        s, t = metrics["span"], metrics["technique"]
        cal = metrics["calibration"]
        click.echo(f"held out ({metrics['articles']} articles, {metrics['gold_spans']} gold spans), "
                   f"confidence >= {floor:g}: {metrics['predicted_spans']} spans")
        click.echo(f"  spans (any overlap, any label)  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
        click.echo(f"  technique on matched spans      P {t['precision']:.3f}  R {t['recall']:.3f}  F1 {t['f1']:.3f}")
        at = "-" if cal["precision_at_floor"] is None else f"{cal['precision_at_floor']:.3f}"
        click.echo(f"  precision of the kept spans (right technique) {at}; lowest floor reaching 0.80: "
                   f"{cal['suggested_floor']}")


@click.command("stance")
@click.argument("folder", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the feature model here (FILE.npz and FILE.json) instead of the shipped one; the "
                   "encoder goes beside it (stance_encoder.onnx, .vocab, .json).")
@click.option("--c", "c", type=float, default=0.3, show_default=True, help="Inverse regularisation strength.")
@click.option("--encoder", "with_encoder", is_flag=True,
              help="Fine-tune the encoder too (needs the training extra: pip install -e '.[train]').")
@click.option("--epochs", type=click.IntRange(1), default=4, show_default=True, help="Encoder training epochs.")
def train_stance_command(folder: str, output: str | None, c: float, with_encoder: bool, epochs: int) -> None:
    """Rebuild the stance models from NewsMTSC (FOLDER with train.jsonl, or the file).

    Trains on the training split only (``in_training_split`` of each sentence's article), so
    ``narrascope eval stance FILE`` measures on sentences they never saw. The feature model
    takes a few minutes; ``--encoder`` also fine-tunes the encoder with torch (about an hour on
    two CPU cores). Deterministic on one machine.

    \b
    Example:
      narrascope train stance ../shared/data/newsmtsc
      narrascope train stance ../shared/data/newsmtsc --encoder
      narrascope train stance ../shared/data/newsmtsc/train.jsonl -o /tmp/stance.npz
    """
    say = lambda m: click.echo(m, err=True)  # noqa: E731
    trained = api.train_stance(folder, output=output, c=c, encoder=with_encoder, epochs=epochs, say=say)
    meta, info = trained["features"], trained["encoder"]
    click.echo(f"trained on {meta['targets']} targets ({meta['articles']} articles), {meta['features']} features; "
               f"out-of-fold accuracy {meta['out_of_fold_accuracy']:.3f}")
    if info is not None:
        click.echo(f"encoder: accuracy {info['calibration_accuracy']:.3f} on the calibration part of the training split")


def _train(field_name: str, samples: Sequence[str], data: str, output: str | None) -> None:
    train = api.train_frames if field_name == "frames" else api.train_topics
    model, target = train(samples, data=data, output=output,
                          settings=current_settings(),
                          say=lambda line: click.echo(line, err=True))
    click.echo(f"{field_name} confidence model ({len(model.weights)} weights, fitted on"
               f" {model.meta.get('facts')} facts) written to {target}")


@click.command("frames")
@_sample_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of the shipped model.")
def train_frames_command(samples: tuple[str, ...], data: str, output: str | None) -> None:
    """Fit the frames confidence model on hand-labelled articles.

    \b
    Example:
      narrascope train frames benchmarks/labels/frames_topics*.jsonl --data ../shared/data
    """
    _train("frames", samples, data, output)


@click.command("topics")
@_sample_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of the shipped model.")
def train_topics_command(samples: tuple[str, ...], data: str, output: str | None) -> None:
    """Fit the topics confidence model on hand-labelled articles.

    \b
    Example:
      narrascope train topics benchmarks/labels/frames_topics*.jsonl --data ../shared/data
    """
    _train("topics", samples, data, output)


@click.command("genre")
@click.argument("sample", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", type=click.Path(exists=True, file_okay=False), default="../shared/data", show_default=True,
              help="Folder holding the gold page folders the sample names (aeb, wcxb).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the model here instead of the shipped data/models/genre.confidence.json.")
def train_genre_command(sample: str, data: str, output: str | None) -> None:
    """Fit the genre confidence on the training split of a labelled genre sample.

    \b
    Example:
      narrascope train genre benchmarks/genre_sample.tsv --data ../shared/data
      narrascope train genre benchmarks/genre_sample.tsv -o my-genre.confidence.json
    """
    api.train_genre(sample, data=data, output=output, settings=current_settings(),
                    say=lambda line: click.echo(line, err=True))


for command in (train_actors_command, train_quotes_command, train_events_command, train_techniques_command,
                train_stance_command, train_frames_command, train_topics_command, train_genre_command):
    train_group.add_command(command)
cli.add_command(train_group)
