"""``narrascope eval``: measure narrascope on gold sets, beside the tools users know."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from .. import api
from .common import Context, current_settings, emit_json, json_option, pass_ctx
from .progress import progress_bar
from .root import cli

#: Which part of a gold set is scored: the held-out part no model saw, the training part, or all.
SPLITS = ("heldout", "train", "all")


@click.group("eval")
def eval_group() -> None:
    """Measure narrascope on gold sets, beside the tools users know.

    \b
    Example:
      narrascope eval extraction ../shared/data/aeb
    """


@eval_group.command("extraction")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N pages (sorted by id).")
@json_option
@pass_ctx
def eval_extraction(obj: Context, folder: str, limit: int | None, as_json: bool) -> None:
    """Score HTML extraction on a gold set: narrascope, trafilatura, trafilatura without comments.

    FOLDER is laid out as the article-extraction-benchmark (html/<id>.html.gz and
    ground-truth.json; 4-token shingle precision, recall, F1) or as WCXB (html/<id>.html.gz and
    ground-truth/<id>.json; bag-of-words precision, recall, F1, and the metadata: title accuracy,
    author exact match, author precision and recall over normalised names, date accuracy, and
    false authors and dates, named on pages whose gold has none). The layout is detected; the
    settings in force apply to narrascope.

    \b
    Example:
      narrascope eval extraction ../shared/data/aeb
      narrascope eval extraction ../shared/data/wcxb --limit 100 --json
    """
    report = api.evaluate_extraction(folder, limit=limit, settings=obj.settings,
                                 progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())



@click.command("actors")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--texts", type=click.Path(exists=True, file_okay=False),
              help="Folder of the raw articles a seeds-shaped gold file names (default: ../seeds beside it).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N records or articles.")
@click.option("--actors-file", "actors_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra knowledge-base file (repeatable); default: the analysis.actors_files setting.")
@click.option("--split", type=click.Choice(SPLITS), default="heldout", show_default=True,
              help="PLOVER records by in_training_split(record id): heldout ones no model saw, train, or all.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_actors_command(path: str, texts: str | None, limit: int | None, actors_files: tuple[str, ...],
                        split: str, as_json: bool) -> None:
    """Score actor resolution: PLOVER records (state linking) or a seeds.json-shaped gold file.

    PLOVER records: a gold actor text is right when a mention overlapping it resolves to the gold
    state code. Seeds shape: every listed surface form must be a mention of its actor, every role
    found, no listed non-actor named. Prints accuracy, precision and coverage per kind of item, at
    the floor in force (analysis.min_confidence.actors), then (PLOVER) the reliability curve of the
    mentions' confidence.

    \b
    Example:
      narrascope eval actors ../shared/data/plover-gsr/records.json
      narrascope eval actors ../shared/data/plover-gsr/records.json --split all
      narrascope eval actors ../shared/gold/seeds.json --texts ../shared/seeds --json
    """
    settings = current_settings()
    report = api.evaluate_actors(path, texts=texts, limit=limit, actors_files=actors_files, split=split,
                                 settings=settings, progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.render())


@click.command("quotes")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--split", type=click.Choice(SPLITS), default="heldout", show_default=True,
              help="Documents by in_training_split(name): heldout ones the confidence model never saw, train, "
                   "or all.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N documents (sorted by name).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Parser processes (spaCy nlp.pipe n_process).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_quotes_command(folder: str, split: str, limit: int | None, jobs: int, as_json: bool) -> None:
    """Score quote attribution on brat standoff gold (text/*.txt, attributions/*.ann, as in PolNeAR).

    A prediction matches a gold attribution when their content spans overlap and the speaker
    span overlaps the gold source. Prints precision, recall and F1 for all attributions and for
    direct quotes (gold content with a quote mark; predictions marked direct), counting the
    quotes kept at the floor in force (analysis.min_confidence.quotes), then the reliability
    curve of the quotes' confidence. The default split is the held-out documents, which the
    shipped confidence model was not fitted on.

    \b
    Example:
      narrascope eval quotes ../shared/data/polnear/train
      narrascope eval quotes ../shared/data/polnear/train --split all --limit 100 --json
    """
    report = api.evaluate_quotes(folder, limit=limit, jobs=jobs, split=split,
                                 settings=current_settings(),
                                 progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())


def _progress(enabled: bool) -> Callable[[int], Iterator[object]] | None:
    if not enabled:
        return None

    def bar(total: int) -> Iterator[object]:
        from tqdm import tqdm

        yield from tqdm(range(total), desc="eval events", unit="record", file=sys.stderr, leave=False,
                        dynamic_ncols=True)

    return bar


@click.command("events")
@click.argument("file", type=click.Path(exists=True))
@click.option("--split", type=click.Choice(SPLITS), default="heldout", show_default=True,
              help="Records by in_training_split(record id): heldout ones the confidence model never saw, train, "
                   "or all.")
@click.option("--floor", type=click.FloatRange(0, 1), default=None,
              help="Keep events of at least this confidence (default: analysis.min_confidence.events).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N records of the split.")
@click.option("--details", is_flag=True, help="With --json: each record's gold and predicted primary event.")
@click.option("--judged", "judged_file", type=click.Path(exists=True, dir_okay=False),
              help="Judged events on real articles (default: the shipped data/plover_judged.jsonl).")
@click.option("--no-judged", is_flag=True, help="Only the PLOVER records, not the judged real articles.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
def eval_events_command(file: str, split: str, floor: float | None, limit: int | None, details: bool,
                        judged_file: str | None, no_judged: bool, as_json: bool) -> None:
    """Score event coding on PLOVER gold records and judged real articles, at the floor in force.

    FILE is the shared data folder (holding plover-gsr/records.json and the polnear, ptc and
    ntrex articles of the judged events) or the PLOVER records file itself (a JSON list of
    records: text, event, source and target lists of actorText and code; the judged articles are
    then read from its folder's parent when they are there). Every PLOVER record of the split is
    parsed, its actors, quotes and events found; its primary event among the events kept at the
    floor is scored for type, source state and target state. Then every event found on the
    judged documents of the split is scored against its judgement. Prints coverage, the
    accuracies, the precision, the reliability curves of the confidence, and the matching rules.

    \b
    Example:
      narrascope eval events ../shared/data
      narrascope eval events ../shared/data --split train --floor 0
      narrascope eval events ../shared/data/plover-gsr/records.json --no-judged --limit 50 --json
    """
    report, judged_report = api.evaluate_events(
        file, split=split, floor=floor, limit=limit, judged=judged_file, with_judged=not no_judged,
        settings=current_settings(),
        progress=_progress(not as_json and sys.stderr.isatty()))
    if as_json:
        data = report.to_dict()
        if not details:
            data.pop("records_detail")
        data["judged"] = judged_report.to_dict() if judged_report is not None else None
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report.format())
        if judged_report is not None:
            click.echo("\n" + judged_report.format())


@click.command("techniques")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N articles (sorted by id).")
@click.option("--split", type=click.Choice(["all", "train", "heldout"]), default="heldout", show_default=True,
              help="PTC's fixed training or held-out part (md5 of the article id; the shipped model and its "
                   "confidence were trained on 'train', so 'heldout' is the honest number).")
@click.option("--cv", "cv", type=click.IntRange(2, 20), default=None, metavar="K",
              help="K-fold cross-validation over all the folder's articles instead: a model and its confidence "
                   "are trained on the other folds for each fold (slow: K trainings); the technique tagger is "
                   "not retrained, each article gets candidates from a tagger that never trained on it.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Keep spans whose confidence reaches this (default: analysis.min_confidence.techniques).")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A model file from `narrascope train techniques` (default: the settings' or the shipped one).")
@click.option("--no-rules", is_flag=True, help="Score the trained model alone, without the rules.")
@click.option("--reports", "reports", type=click.Path(exists=True, file_okay=False), multiple=True,
              help="A folder of pages (article-extraction-benchmark or WCXB layout): print technique density on "
                   "its wire and newspaper news reports next to PTC's, and the share with no technique. "
                   "Repeatable.")
@click.option("--adjudication", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Readers' verdicts on kept spans the gold does not confirm (JSONL, e.g. "
                   "benchmarks/handcheck/ptc_adjudication.jsonl): print precision with them beside the gold's.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output, with per-technique scores.")
def eval_techniques_command(folder: str, limit: int | None, split: str, cv: int | None, min_confidence: float | None,
                            model_path: str | None, no_rules: bool, reports: tuple[str, ...], adjudication: str | None,
                            as_json: bool) -> None:
    """Score persuasion-technique spans on a gold set in the PTC layout.

    FOLDER holds articles/article<ID>.txt and labels/article<ID>.labels (id, technique, start, end;
    PTC classes or SemEval-2023 names). Prints, for the spans kept at the floor in force, span
    precision, recall and F1 (any overlap, any label), technique precision, recall and F1 on
    matched spans, the count of spans on a lone short token, the figures at other floors and at a
    floor chosen on the other half of the articles, how consistently the gold marks recurrences of
    what it marked, the reliability curve of the confidences and the matching rule. With
    --adjudication, also the precision of the kept spans when readers' verdicts decide the spans the
    gold does not confirm, and how the readers took the controls.

    \b
    Example:
      narrascope eval techniques ../shared/data/ptc --split heldout
      narrascope eval techniques ../shared/data/ptc --cv 5
      narrascope eval techniques ../shared/data/ptc --reports ../shared/data/aeb --reports ../shared/data/wcxb
      narrascope eval techniques ../shared/data/ptc --adjudication benchmarks/handcheck/ptc_adjudication.jsonl
    """
    report = api.evaluate_techniques(
        folder, limit=limit, split=split, cv=cv, min_confidence=min_confidence, model_path=model_path,
        rules=not no_rules, reports=reports, settings=current_settings(), adjudication=adjudication,
        progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"),
        say=None if as_json else lambda m: click.echo(f"eval techniques: {m}", err=True))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format())


def _sample_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--data", type=click.Path(exists=True, file_okay=False), default="../shared/data",
                           show_default=True, help="The folder holding the labelled pages (aeb/, wcxb/).")(command)
    return click.argument("samples", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))(command)


def _eval(field_name: str, samples: Sequence[str], data: str, folds: int, as_json: bool) -> None:
    evaluate = api.evaluate_frames if field_name == "frames" else api.evaluate_topics
    report = evaluate(samples, data=data, folds=folds, settings=current_settings(),
                      progress=progress_bar(not as_json and sys.stderr.isatty(), "pages"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())


@click.command("frames")
@_sample_options
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_frames_command(samples: tuple[str, ...], data: str, folds: int, as_json: bool) -> None:
    """Score frames against hand-labelled articles, cross-validated, with the reliability curve.

    SAMPLES are JSONL files of labelled pages (dataset, page, frames); their text is extracted
    from DATA/<dataset>/html by narrascope's HTML extractor (DATA/ptc/articles for PTC).

    \b
    Example:
      narrascope eval frames benchmarks/labels/frames_topics*.jsonl --data ../shared/data
    """
    _eval("frames", samples, data, folds, as_json)


@click.command("topics")
@_sample_options
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_topics_command(samples: tuple[str, ...], data: str, folds: int, as_json: bool) -> None:
    """Score topics against hand-labelled articles, cross-validated, with the reliability curve.

    SAMPLES are JSONL files of labelled pages (dataset, page, topics); their text is extracted
    from DATA/<dataset>/html by narrascope's HTML extractor (DATA/ptc/articles for PTC).

    \b
    Example:
      narrascope eval topics benchmarks/labels/frames_topics*.jsonl --data ../shared/data
    """
    _eval("topics", samples, data, folds, as_json)


@click.command("genre")
@click.argument("sample", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", type=click.Path(exists=True, file_okay=False), default="../shared/data", show_default=True,
              help="Folder holding the gold page folders the sample names (aeb, wcxb).")
@click.option("--split", type=click.Choice(SPLITS), default="heldout", show_default=True,
              help="Pages by in_training_split(dataset/id): heldout ones the confidence never saw, train, or all.")
@click.option("--floor", type=click.FloatRange(0, 1), default=None,
              help="Score at this floor instead of analysis.min_confidence.genre.")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A genre confidence model other than the shipped one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_genre_command(sample: str, data: str, split: str, floor: float | None, model_path: str | None,
                       as_json: bool) -> None:
    """Score the genre on a labelled sample of pages, with the URL visible, hidden, and text only.

    SAMPLE is a TSV of dataset, id, label (opinion, reporting, other) and reason, naming pages of
    the gold folders under --data. Prints accuracy (the genre after the floor equals the label),
    the accuracy on the opinion and reporting pages, per-class precision and recall, the confusion
    table and the reliability curve of the claims, for each view.

    \b
    Example:
      narrascope eval genre benchmarks/genre_sample.tsv --data ../shared/data
      narrascope eval genre benchmarks/genre_sample.tsv --split all --json
    """
    settings = current_settings()
    report = api.evaluate_genre(sample, data=data, split=split, floor=floor, settings=settings,
                                model_path=model_path,
                                progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())


@click.command("stance")
@click.argument("path", type=click.Path(exists=True))
@click.option("--split", type=click.Choice(SPLITS), default="heldout", show_default=True,
              help="Targets by in_training_split(article key): heldout ones the model never saw, train, or all.")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A model from `narrascope train stance -o FILE.npz` (default: the shipped one).")
@click.option("--encoder", "encoder_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="An encoder from `narrascope train stance --encoder -o FILE` (default: the shipped one).")
@click.option("--features-only", is_flag=True, help="Score the feature model alone, without the encoder.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N targets of the split.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_stance_command(path: str, split: str, model_path: str | None, encoder_path: str | None,
                        features_only: bool, limit: int | None, as_json: bool) -> None:
    """Score target-dependent stance on NewsMTSC-format gold (a .jsonl file or a folder with train.jsonl).

    Prints macro-F1 over negative/neutral/positive, accuracy, the precision of non-neutral calls and
    the sign flips, for the model's calls and at the floor in force (analysis.min_confidence.stances),
    article-level figures, then the reliability curve of the confidence.

    \b
    Example:
      narrascope eval stance ../shared/data/newsmtsc/train.jsonl
      narrascope eval stance ../shared/data/newsmtsc --split all --json
    """
    settings = current_settings()
    say = (lambda m: click.echo(m, err=True)) if not as_json and sys.stderr.isatty() else None
    report = api.evaluate_stance(path, split=split, model_path=model_path, encoder_path=encoder_path,
                                 use_encoder=not features_only, limit=limit, settings=settings, say=say)
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())


for command in (eval_actors_command, eval_quotes_command, eval_events_command, eval_techniques_command,
                eval_stance_command, eval_frames_command, eval_topics_command, eval_genre_command):
    eval_group.add_command(command)
cli.add_command(eval_group)
