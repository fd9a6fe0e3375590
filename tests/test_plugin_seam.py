"""The extension seam, end to end, through the test plugin installed as a separate package.

``tests/plugin_pkg`` (the distribution ``narrascope-exclaim``) registers under the ``narrascope``
entry-point group, as a third party's package would: a stage adding the record field
``extensions.exclaim``, a stage that requires it and fails on purpose, a corpus analysis with its
own table, an exporter and a web page. ``python3 tasks.py test`` installs it
(``pip install -e tests/plugin_pkg``). Everything here is real: the store on disk, the CLI through
click's runner, the web app through Starlette's TestClient.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import SEEDS, run_cli
from narrascope import api
from narrascope.enrich import build_pipeline
from narrascope.errors import SettingsError
from narrascope.settings import load_settings
from narrascope.web.app import create_app

if "exclaim" not in {ep.name for ep in entry_points(group="narrascope")}:
    pytest.fail("the test plugin is not installed: pip install -e tests/plugin_pkg (python3 tasks.py test does it)",
                pytrace=False)

TEXT = ("The ministry said the talks with the delegation would resume in Geneva next week, after months in which"
        " the two sides traded accusations over the border and the fate of the prisoners held on both sides of it. ")

#: Articles written for these tests: two outlets, a known number of "!" in each text.
ARTICLES = [
    {"url": "https://one.example/a", "outlet": "Outlet One", "title": "Talks resume", "published": "2024-03-01",
     "text": TEXT * 2 + "We will not give up! Never! Not now!"},
    {"url": "https://one.example/b", "outlet": "Outlet One", "title": "Talks stall", "published": "2024-03-02",
     "text": TEXT * 2 + "This is outrageous!"},
    {"url": "https://two.example/c", "outlet": "Outlet Two", "title": "A quiet week", "published": "2024-03-03",
     "text": TEXT * 3},
]


def config(tmp_path: Path, stages: list[str]) -> str:
    path = tmp_path / "plugin.toml"
    path.write_text("[pipeline]\nstages = [" + ", ".join(json.dumps(s) for s in stages) + "]\n", encoding="utf-8")
    return str(path)


def inputs(tmp_path: Path, articles: list[dict[str, str]]) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return folder


def test_a_plugin_stage_field_analysis_table_exporter_and_page_work_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "plugin.db"
    settings_file = config(tmp_path, ["language", "genre", "exclaim"])
    result = run_cli("--config", settings_file, "ingest", str(inputs(tmp_path, ARTICLES)), "--db", str(db))
    assert result.exit_code == 0, result.output

    # The stage's field is in the stored record, with offsets into the text, a confidence and a version.
    records = {r["title"]: r for r in map(json.loads, run_cli("export", "--db", str(db)).output.splitlines())}
    assert len(records) == 5  # the two seeds and the three articles
    for record in records.values():
        found = record["extensions"]["exclaim"]
        assert found["count"] == record["text"].count("!") == len(found["marks"])
        assert found["version"] == "exclaim.v1"
        assert record["pipeline"]["stages"]["exclaim"] == "1"
        for mark in found["marks"]:
            assert record["text"][mark["start"]:mark["end"]] == "!" and mark["confidence"] == 1.0
    assert records["Talks resume"]["extensions"]["exclaim"]["count"] == 3
    assert records["A quiet week"]["extensions"]["exclaim"]["count"] == 0

    # show and the CSV export keep it too.
    shown = run_cli("show", "--all", "--db", str(db))
    assert "--- extensions (fields of plugin stages) ---" in shown.output and '"count": 3' in shown.output
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--db", str(db), "--format", "csv").output)))
    assert sorted(json.loads(r["extensions"])["exclaim"]["count"] for r in rows) == [0, 0, 0, 1, 3]

    # The analysis fills its own table, exported like any derived table.
    result = run_cli("export", "--db", str(db), "--table", "exclaim_by_outlet", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    table = {r["outlet"]: r for r in map(json.loads, result.output.splitlines())}
    assert table["Outlet One"] == {"outlet": "Outlet One", "articles": 2, "marks": 4}
    assert table["Outlet Two"] == {"outlet": "Outlet Two", "articles": 1, "marks": 0}
    assert sum(r["articles"] for r in table.values()) == 5

    # The plugin's exporter is a --format like the core's.
    out = tmp_path / "summary.tsv"
    result = run_cli("export", "--db", str(db), "--format", "tsv-summary", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == ["id", "outlet", "exclamation_marks", "title"]
    assert sorted((cells[1], cells[2]) for cells in lines[1:] if cells[1].startswith("Outlet")) == [
        ("Outlet One", "1"), ("Outlet One", "3"), ("Outlet Two", "0")]
    assert len(lines) == 6

    # The plugin's page is mounted, linked from the navigation bar, and shows the table.
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    page = client.get("/plugin/exclaim")
    assert page.status_code == 200, page.text
    assert "<td>Outlet One</td><td>2</td><td>4</td>" in page.text
    assert "content-security-policy" in page.headers  # the app's middleware covers plugin pages
    home = client.get("/")
    assert home.status_code == 200 and '<a href="/plugin/exclaim">Exclaim</a>' in home.text
    # The article page shows the plugin's field.
    article = client.get(f"/articles/{records['Talks resume']['id']}")
    assert article.status_code == 200 and '<b>exclaim</b> <code>{"count": 3' in article.text


def test_a_plugin_page_before_its_analysis_ran_says_what_to_run(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    result = run_cli("--config", config(tmp_path, ["language"]), "ingest", str(SEEDS), "--db", str(db))
    assert result.exit_code == 0, result.output
    page = TestClient(create_app(db), base_url="http://127.0.0.1").get("/plugin/exclaim")
    assert page.status_code == 200 and "narrascope export --table exclaim_by_outlet" in page.text


@pytest.mark.parametrize(("stages", "expected"), [
    (["language", "shout"], "stage shout requires 'extensions.exclaim', which stage exclaim provides: put it in"),
    (["language", "shout", "exclaim"], "which stage exclaim provides later: put exclaim before shout"),
    (["language", "quotes", "actors"], "stage quotes requires 'actors', which stage actors provides later"),
])
def test_unmet_requires_fail_at_start_up_with_ns406_before_any_input_is_read(
        tmp_path: Path, stages: list[str], expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        build_pipeline(load_settings(), stages)
    assert caught.value.code == "NS406" and expected in caught.value.message
    db = tmp_path / "never.db"
    result = run_cli("--config", config(tmp_path, stages), "ingest", str(tmp_path / "missing-input"),
                     "--db", str(db))
    assert result.exit_code != 0 and "NS406" in result.output
    assert not db.exists()  # refused before the store was opened or any input read


def test_requires_met_in_order_build(tmp_path: Path) -> None:
    names = [s.name for s in build_pipeline(load_settings(), ["language", "exclaim", "shout"]).stages]
    assert names == ["language", "exclaim", "shout"]


def test_a_failing_plugin_stage_rejects_its_article_with_ns206_and_the_batch_goes_on(tmp_path: Path) -> None:
    articles = [
        *ARTICLES,
        {"url": "https://two.example/crash", "outlet": "Outlet Two", "title": "Crash",
         "text": TEXT * 2 + "[plugin-crash] Stop!"},
        {"url": "https://two.example/bad", "outlet": "Outlet Two", "title": "Bad return",
         "text": TEXT * 2 + "[plugin-bad-return]"},
        {"url": "https://two.example/refuse", "outlet": "Outlet Two", "title": "Refused",
         "text": TEXT * 2 + "[plugin-refuse]"},
    ]
    db = tmp_path / "plugin.db"
    result = run_cli("--config", config(tmp_path, ["language", "exclaim", "shout"]), "ingest",
                     str(inputs(tmp_path, articles)), "--db", str(db), "--json")
    assert result.exit_code == 3, result.output  # new rejects
    report = json.loads(result.output)
    assert len(report["stored"]) == 5
    rejected = {r["location"].rsplit(":", 1)[-1]: r for r in report["rejected"]}
    assert set(rejected) == {"4", "5", "6"}  # the lines of the three articles the plugin stage refused
    assert [rejected[line]["code"] for line in ("4", "5", "6")] == ["NS206", "NS206", "NS201"]
    assert {r["stage"] for r in rejected.values()} == {"shout"}
    assert "ZeroDivisionError" in rejected["4"]["reason"] and "returned list" in rejected["5"]["reason"]
    # The rejects are in the store, with their bytes, for `reprocess --rejects` once the plugin is fixed.
    stored_rejects = api.list_rejects(db=db, include_skipped=False)
    assert sorted(r["code"] for r in stored_rejects) == ["NS201", "NS206", "NS206"]
    # The rest is stored with both plugin fields.
    records = [a.to_record() for a in api.list_articles(db=db)]
    assert {r["title"] for r in records} >= {"Talks resume", "Talks stall", "A quiet week"}
    shouting = {r["title"]: r["extensions"]["shout"]["shouting"] for r in records}
    assert shouting["Talks resume"] is True and shouting["Talks stall"] is False


def test_a_failing_plugin_stage_in_analyze_keeps_the_old_record(tmp_path: Path) -> None:
    db = tmp_path / "plugin.db"
    crash = {"url": "https://two.example/crash", "outlet": "Outlet Two", "title": "Crash",
             "text": TEXT * 2 + "[plugin-crash] Stop!"}
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in [ARTICLES[0], crash]), encoding="utf-8")
    assert run_cli("--config", config(tmp_path, ["language"]), "ingest", str(source), "--db", str(db)).exit_code == 0
    report = api.analyze(db=db, stages=["exclaim", "shout"], settings=load_settings())
    assert len(report.updated) == 1 and [f["code"] for f in report.failed] == ["NS206"]
    crashed = next(a for a in api.list_articles(db=db) if a.title == "Crash")
    assert crashed.extensions == {} and "exclaim" not in crashed.pipeline["stages"]


def test_only_stages_outside_the_narrascope_package_are_treated_as_third_party() -> None:
    from narrascope.enrich import is_core
    from narrascope.plugins import registry

    stages = registry().stages
    assert is_core(stages["quotes"]) and not is_core(stages["exclaim"])
