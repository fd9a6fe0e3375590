"""A believable small news corpus for the workbench tests, written in code from hand-written sentences.

Six outlets report five foreign-policy stories over the last twelve weeks (``START``, a Monday):

- grain: the Black Sea grain corridor, two articles a week throughout;
- cable: damage to a Baltic undersea cable, two a week in weeks 0-3, then silence (it fades);
- drills: border military exercises, one a week from week 5 and four a week from week 8 (it emerges
  and grows);
- election: interference in an election, two a week in weeks 0-4; from week 5 the coverage
  divides into troll farms (four a week) and campaign money (three a week), (the model may record a split or a merge);
- sanctions: a sanctions package, two a week throughout.

Each sentence is a subject, a claim and a detail drawn from the story's own pools (so two
articles of one story share vocabulary but no long verbatim runs), three sentences a paragraph,
three paragraphs an article. Planted on top, for text reuse, one grain article and three outlets that reuse it:

- ``repost``: republished the next day with a new header and footer (``This article first
  appeared on ...``);
- ``cut``: republished two days later with its middle paragraph cut, under a hostile title
  (``HOSTILE_TITLE``);
- ``partial``: a commentary three days later that quotes its middle paragraph.

``build_store`` ingests the two seed op-eds (full pipeline) and this corpus (the cheap stages),
then runs ``narrascope reuse`` and ``narrascope narratives`` through the real CLI.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from conftest import SEEDS, copy_store, run_cli

WEEKS = 12
#: The corpus ends in the current week, like a live feed (the DW seed has no date, so it counts on
#: its ingest day, today; a corpus in the past would make every narrative "faded").
START = date.today() - timedelta(days=date.today().weekday() + 7 * (WEEKS - 1))  # a Monday
HOSTILE_TITLE = "<script>window.__pwned=1</script> Who pays for the campaign?"

OUTLETS = ("Capital Wire", "Harbour Gazette", "Northern Ledger", "Eastern Review", "Policy Monitor",
           "Riverside Times")

# story -> (subjects, claims, details, title pieces)
STORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "grain": (
        ("The agriculture minister", "Port officials in Odesa", "A spokesman for the shipping insurers",
         "Grain traders in Istanbul", "The head of the farmers' union", "Inspectors at the joint centre",
         "A senior wheat exporter", "The harbour master"),
        ("said the grain corridor", "warned that wheat shipments", "insisted that the export deal",
         "claimed the bulk carriers", "told_reporters the harvest convoys", "argued that the inspection regime",
         "stated that maize cargoes", "confirmed the silo terminals"),
        ("would stay open despite {n} drifting mines off {place}", "had slowed to {n} ships a week at {place}",
         "had been delayed {n} days by insurers near {place}", "could collapse by {day} unless {place} reopens",
         "depended on {n} naval escorts from {place}", "kept bread prices {n} percent lower in {place}",
         "needed {n} new berths at {place}", "faced queues of {n} vessels off {place}"),
        ("Grain corridor", "Wheat convoys", "Black Sea exports", "Harvest shipments"),
    ),
    "cable": (
        ("The Finnish coast guard", "Navy divers", "The cable operator", "Investigators in Helsinki",
         "A NATO maritime official", "Estonian prosecutors", "The telecoms regulator", "A salvage engineer"),
        ("said the undersea cable", "reported that the damaged pipeline", "believed the dragged anchor",
         "told_journalists the seabed trench", "suspected that the cargo ship", "announced the severed fibre link",
         "explained that the repair vessel", "stressed that the gas interconnector"),
        ("had been cut by an anchor {n} kilometres off {place}", "would take {n} weeks to splice near {place}",
         "left scratch marks over {n} kilometres towards {place}", "belonged to a vessel that left {place} on {day}",
         "had lost pressure {n} minutes after midnight near {place}", "had been guarded by {n} patrol boats from {place}",
         "carried {n} percent of the data traffic to {place}", "showed {n} breaks that could not be accidental off {place}"),
        ("Baltic cable", "Seabed sabotage", "Severed link", "Anchor damage"),
    ),
    "drills": (
        ("The defence ministry", "Border guards", "A regional commander", "Military analysts in Warsaw",
         "The general staff", "Villagers near the frontier", "An alliance spokesperson", "Artillery officers"),
        ("said the snap exercises", "warned that armoured columns", "announced that paratroopers",
         "reported the tank brigades", "claimed the rocket batteries", "noted that the mobilised reservists",
         "told_the_press the helicopter squadrons", "insisted the live-fire drills"),
        ("had massed {n} kilometres from {place}", "rehearsed {n} river crossings near {place}",
         "moved into forests around {place} on {day}", "fired {n} salvoes on the range at {place}",
         "would continue for {n} days around {place}", "stretched for {n} kilometres along the railway to {place}",
         "had grown to {n} battalions near {place}", "practised {n} landings on the marshes by {place}"),
        ("Border drills", "Snap exercises", "Troops on the frontier", "Live-fire manoeuvres"),
    ),
    "election": (
        ("The electoral commission", "Opposition leaders", "Independent observers", "The interior minister",
         "A constitutional judge", "Monitors from the observer mission", "Party officials", "Pollsters"),
        ("said the presidential ballot", "warned that the vote count", "claimed the polling stations",
         "alleged that the campaign", "told_reporters the runoff", "argued that the voter rolls",
         "reported that the turnout figures", "insisted the election result"),
        ("had been targeted by foreign interference in {place} since {day}", "had been marred by {n} irregularities in {place}",
         "would be recounted in {n} districts of {place}", "faced pressure from abroad in {place} before {day}",
         "could be annulled in {place} by {day}", "showed {n} signs of meddling in {place}",
         "had to be shielded from {n} hacking attempts in {place}", "had been questioned in {n} complaints from {place}"),
        ("Election interference", "Ballot under pressure", "Disputed vote", "Runoff fears"),
    ),
    "bots": (
        ("Researchers at the disinformation lab", "Platform moderators", "A cybersecurity firm",
         "Fact-checkers", "The media regulator", "Data analysts", "A former troll farm employee",
         "Social media investigators"),
        ("said the bot accounts", "found that the troll farm", "reported the fake profiles",
         "claimed the coordinated hashtags", "revealed that the automated accounts", "showed the sock puppets",
         "warned the network of fake pages", "said the amplification campaign"),
        ("posted {n} identical comments an hour about {place}", "had been run from an office block in {place} with {n} staff",
         "pushed {n} hashtags attacking the candidate from {place}", "used {n} stolen photos of people from {place}",
         "had been deleted on {day} after {n} complaints from {place}", "recycled {n} memes first seen in {place}",
         "targeted young voters in {place} with {n} fabricated videos", "boosted {n} fringe channels based in {place}"),
        ("Troll farm", "Bot network", "Fake accounts", "Hashtag campaign"),
    ),
    "finance": (
        ("Anti-corruption investigators", "The state auditor", "Bank compliance officers",
         "Investigative journalists", "The prosecutor's office", "A leaked ledger", "Tax inspectors",
         "The finance committee"),
        ("said the donations", "found that shell companies", "reported that cash transfers",
         "alleged the campaign accounts", "revealed that offshore payments", "claimed the loans",
         "showed that consulting fees", "said the suspicious invoices"),
        ("had been routed through a bank in {place} in {n} tranches", "paid for {n} billboards and rallies in {place}",
         "exceeded the legal limit {n} times over in {place}", "came from {n} firms registered in {place}",
         "had been split into {n} small sums sent from {place}", "had never been declared, {n} filings from {place} show",
         "flowed through {n} charities in {place} with no staff", "funded a television channel in {place} from {day}"),
        ("Campaign money", "Offshore donations", "Shell companies", "Follow the money"),
    ),
    "sanctions": (
        ("European diplomats", "The foreign ministry", "Treasury officials", "Energy traders",
         "The central bank governor", "Trade lawyers in Brussels", "Exporters of machine tools",
         "A spokesman for the embassy"),
        ("said the sanctions package", "warned that the oil price cap", "claimed the export controls",
         "insisted the asset freezes", "told_reporters the banking restrictions", "argued that the tariffs",
         "noted that the shipping bans", "said the secondary sanctions"),
        ("would target {n} tankers of the shadow fleet near {place}", "had been evaded through {place} {n} times",
         "cut trade with {place} by {n} percent", "would be extended for {n} months from {day}",
         "left {n} loopholes for gas shipped through {place}", "froze {n} billion euros held in {place}",
         "would punish {n} banks in {place} that finance the trade", "cut imports of chips and drones via {place} by {n} percent"),
        ("Sanctions package", "Oil price cap", "Frozen assets", "Shadow fleet"),
    ),
}
SUBSTORIES = {"bots": "election", "finance": "election"}
PLACES = {
    "grain": ("Odesa", "Constanta", "the Bosporus", "Izmail", "Chornomorsk", "Varna", "Alexandria", "Tunis"),
    "cable": ("Hanko", "Tallinn", "Gotland", "Paldiski", "Porkkala", "Klaipeda", "Bornholm", "Saaremaa"),
    "drills": ("Brest", "Grodno", "Pskov", "Suwalki", "Kaliningrad", "Narva", "Vitebsk", "Baltiysk"),
    "election": ("Chisinau", "Balti", "Comrat", "Cahul", "Orhei", "Soroca", "Ungheni", "Tiraspol"),
    "bots": ("Saint Petersburg", "Minsk", "Yerevan", "Dubai", "Almaty", "Belgrade", "Tbilisi", "Baku"),
    "finance": ("Cyprus", "Dubai", "Latvia", "the Seychelles", "Belize", "Montenegro", "Hong Kong", "Panama"),
    "sanctions": ("Turkey", "the Gulf", "Kazakhstan", "Armenia", "Rotterdam", "Belgium", "India", "Georgia"),
}
WHEN = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "this week", "late last night",
        "in a statement", "at a briefing", "in an interview", "once again", "on state television")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "the spring", "the summit")
TITLE_ENDS = ("under scrutiny", "in question", "what officials say", "the latest", "analysts weigh in",
              "a new twist", "questions remain", "explained")


@dataclass
class Corpus:
    items: list[dict[str, Any]]          # JSONL records, in ingest order
    story: dict[str, str]                # url -> story (sub-stories by their own name)
    planted: dict[str, dict[str, Any]]   # repost | cut | partial -> {original, copy (urls), ...}


def _sentence(rng: random.Random, story: str) -> str:
    if story in SUBSTORIES and rng.random() < 1 / 3:
        story = SUBSTORIES[story]
    subjects, claims, details, _ = STORIES[story]
    detail = rng.choice(details).format(n=rng.randint(2, 90), place=rng.choice(PLACES[story]), day=rng.choice(DAYS))
    verb, _, rest = rng.choice(claims).partition(" ")
    return f"{rng.choice(subjects)} {verb.replace('_', ' ')} {rng.choice(WHEN)} {rest} {detail}."


def _article(rng: random.Random, story: str, day: date, outlet: str, n: int) -> dict[str, Any]:
    paragraphs = [" ".join(_sentence(rng, story) for _ in range(3)) for _ in range(3)]
    title = f"{rng.choice(STORIES[story][3])}: {rng.choice(TITLE_ENDS)}"
    slug = outlet.lower().replace(" ", "")
    return {"url": f"https://{slug}.example/{story}/{n}", "title": title, "outlet": outlet,
            "published": day.isoformat(), "text": "\n\n".join(paragraphs)}


def make_corpus(seed: int = 5) -> Corpus:
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    story_of: dict[str, str] = {}
    n = 0
    for week in range(WEEKS):
        monday = START + timedelta(days=7 * week)
        plan = [("grain", 2), ("sanctions", 2)]
        if week < 4:
            plan.append(("cable", 2))
        if week >= 5:
            plan.append(("drills", 1 if week < 8 else 4))
        plan += [("election", 2)] if week < 5 else [("bots", 4), ("finance", 3)]
        for story, count in plan:
            for i in range(count):
                n += 1
                item = _article(rng, story, monday + timedelta(days=i % 5), OUTLETS[n % len(OUTLETS)], n)
                items.append(item)
                story_of[item["url"]] = story

    def pick(story: str, week: int, outlet_not: str | None = None) -> dict[str, Any]:
        day = (START + timedelta(days=7 * week)).isoformat()
        return next(a for a in items if story_of[a["url"]] == story and a["published"] >= day
                    and a["outlet"] != outlet_not)

    planted: dict[str, dict[str, Any]] = {}
    original = pick("grain", 2)
    others = [o for o in OUTLETS if o != original["outlet"]]
    day = date.fromisoformat(original["published"])
    # 1. a straight repost the next day with new boilerplate at the top and bottom
    outlet = others[0]
    copy = {**original, "outlet": outlet, "url": f"https://{outlet.lower().replace(' ', '')}.example/repost/1",
            "published": (day + timedelta(days=1)).isoformat(),
            "text": f"{outlet} brings you the week's shipping news every morning.\n\n" + original["text"]
                    + f"\n\nThis article first appeared on {original['outlet']}.\n\nSubscribe to {outlet} for"
                      " our morning briefing, with analysis you will not find elsewhere."}
    planted["repost"] = {"original": original["url"], "copy": copy["url"]}
    # 2. a repost two days later with its middle paragraph cut, under a hostile title
    outlet2 = others[1]
    paragraphs = original["text"].split("\n\n")
    copy2 = {"url": f"https://{outlet2.lower().replace(' ', '')}.example/repost/2", "title": HOSTILE_TITLE,
             "outlet": outlet2, "published": (day + timedelta(days=2)).isoformat(),
             "text": paragraphs[0] + "\n\n" + paragraphs[2]}
    planted["cut"] = {"original": original["url"], "copy": copy2["url"], "cut": paragraphs[1]}
    # 3. a commentary three days later quoting the original's middle paragraph
    outlet3 = others[2]
    commentary = _article(rng, "grain", day + timedelta(days=3), outlet3, 999)
    own = commentary["text"].split("\n\n")
    commentary["text"] = (own[0] + "\n\nAs a report published earlier this week put it: " + paragraphs[1]
                          + "\n\n" + own[2])
    commentary["title"] = "Grain corridor: a commentary"
    planted["partial"] = {"original": original["url"], "copy": commentary["url"], "quoted": paragraphs[1]}
    for extra in (copy, copy2, commentary):
        items.append(extra)
        story_of[extra["url"]] = "grain"
    return Corpus(items, story_of, planted)


#: The cheap pipeline stages; reuse passages of 35 words or more. With the default 15, articles built
#: from the same small sentence pools share chance passages by the dozen; with 35 a few remain (partial
#: pairs of two same-story articles), beside the three planted ones.
FAST_CONFIG = '[pipeline]\nstages = ["language", "genre"]\n\n[reuse]\nmin_passage_words = 35\n'


def build_store(folder: Path, corpus: Corpus | None = None, seeds: Path | None = None) -> tuple[Path, Corpus]:
    """A store in ``folder`` with the seeds and the corpus, reuse and narratives computed. ``seeds``:
    a store of the seeds ingested with the default settings, to start from a copy of."""
    corpus = corpus or make_corpus()
    db = folder / "workbench.db"
    if seeds is not None:
        copy_store(seeds, db)
    else:
        result = run_cli("ingest", str(SEEDS), "--db", str(db), "--quiet")
        assert result.exit_code == 0, result.output
    config = folder / "fast.toml"
    config.write_text(FAST_CONFIG, encoding="utf-8")
    path = folder / "corpus.jsonl"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in corpus.items), encoding="utf-8")
    result = run_cli("--config", str(config), "ingest", str(path), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    for command in ("reuse", "narratives"):
        result = run_cli("--config", str(config), command, "--db", str(db), "--quiet")
        assert result.exit_code == 0, result.output
    return db, corpus
