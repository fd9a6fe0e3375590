"""Actors outside the knowledge base: the state the text ties them to, and named entities that are
no actors. The short articles are written for these tests and parse with the real pinned model."""

from __future__ import annotations

from narrascope.analysis.actors import find_actors
from narrascope.analysis.nlp import parse
from narrascope.analysis.types import ActorRecord


def actors(text: str) -> dict[str, ActorRecord]:
    records, _ = find_actors(parse(text))
    return {r.id: r for r in records}


def by_name(records: dict[str, ActorRecord], name: str) -> ActorRecord:
    found = [r for r in records.values() if r.name == name]
    assert found, sorted(records)
    return found[0]


def names(records: dict[str, ActorRecord]) -> set[str]:
    return {r.name for r in records.values()}


# ---------------------------------------------------------------------------------------------
# States from the text


def test_a_possessive_state_in_an_appositive_closed_by_a_dash() -> None:
    text = ("Farmers blocked the roads again on Monday.\n\n"
            "Marco Tellez, Peru's outspoken agriculture minister - who faces a vote of confidence - "
            "promised to meet them.")
    person = by_name(actors(text), "Marco Tellez")
    assert person.country == "PER"


def test_a_state_adjective_in_an_appositive_ending_a_paragraph() -> None:
    text = ('"We are ready to talk," said Tomas Varga, a Hungarian diplomat.\n\n'
            "Talks resume next week in Vienna.")
    person = by_name(actors(text), "Tomas Varga")
    assert (person.country, person.role) == ("HUN", "Hungarian diplomat")


def test_us_legislators_by_abbreviated_title_and_party_state_tag() -> None:
    text = ("U.S. Rep. Joanna Whitfield on Monday criticised the plan.\n\n"
            "Senator Mark Delaney, R-Okla., said the bill would pass, and Carla Benitez (D-Calif.) agreed.")
    records = actors(text)
    assert by_name(records, "Joanna Whitfield").country == "USA"
    assert by_name(records, "Mark Delaney").country == "USA"
    assert by_name(records, "Carla Benitez").country == "USA"


def test_a_party_state_tag_is_not_any_hyphenated_word() -> None:
    text = "Martin Osei, D-Day veteran and author, spoke to pupils in Accra and in Lagos."
    assert by_name(actors(text), "Martin Osei").country is None


def test_a_state_body_after_a_states_possessive() -> None:
    text = "Kenya's Electoral Oversight Commission rejected the complaint on Friday."
    records = actors(text)
    body = by_name(records, "Electoral Oversight Commission")
    assert body.country == "KEN"


def test_a_government_title_takes_the_one_state_the_article_names() -> None:
    text = ("Uzbekistan will open its borders to traders, the government said.\n\n"
            "Speaking in Geneva, Foreign minister Ali Karimov said Uzbekistan wanted more trade.")
    assert by_name(actors(text), "Ali Karimov").country == "UZB"


def test_no_state_when_the_article_names_two_or_one_only_in_a_title() -> None:
    two = ("Greece and Bulgaria met on Monday.\n\n"
           "Among the speakers, Prime Minister Nikos Stavrou asked for patience.")
    assert by_name(actors(two), "Nikos Stavrou").country is None
    qualifier = "President Jean Dubreuil gave a warm welcome to South African leader Thabo Ndlovu."
    assert by_name(actors(qualifier), "Jean Dubreuil").country is None


def test_national_institutions_and_parties_act_for_the_one_state_named() -> None:
    text = ("The United States faces a close vote.\n\n"
            "The Supreme Court will rule before the election, and Democrats and Republicans in Washington "
            "are already campaigning. The Senate Judiciary Committee meets on Monday.")
    records = actors(text)
    for name in ("Supreme Court", "Democrats", "Republicans", "Senate Judiciary Committee"):
        assert by_name(records, name).country == "USA", name


def test_national_institutions_take_no_state_in_an_article_naming_two() -> None:
    text = ("France and Italy disagree about the plan.\n\n"
            "The Supreme Court will rule before the election, and Socialists are already campaigning.")
    records = actors(text)
    assert by_name(records, "Supreme Court").country is None


def test_the_departments_spokeswoman_is_of_the_one_department_named() -> None:
    text = ("The State Department condemned the vote in Caracas and Havana.\n\n"
            '"It is a setback," Laura Pennington, the department\'s spokeswoman, said in a statement.')
    assert by_name(actors(text), "Laura Pennington").country == "USA"


# ---------------------------------------------------------------------------------------------
# Named entities that are no actors


def test_two_letter_abbreviations_are_not_actors() -> None:
    text = ("Investors poured money into AI last year, and AI start-ups in Boston tripled. "
            "The IP address of the server was traced. Read the full Q&A below.")
    assert not {"AI", "IP", "Q&A"} & names(actors(text))


def test_an_adjective_opening_a_sentence_is_not_a_place() -> None:
    text = "Naval bases line the shore near Lima. Peru wants a new port."
    assert "Naval" not in names(actors(text))


def test_the_north_and_the_south_are_not_places() -> None:
    text = "Relations between the North and the South have improved, Seoul said."
    assert not {"North", "South"} & names(actors(text))


def test_words_of_a_quoted_book_title_are_not_actors() -> None:
    text = ('Her book "Robots: Detroit, Shenzhen and the Great Machine Race" came out this month, '
            "published by Meridian House.")
    assert not {"Great Machine Race", "Detroit", "Shenzhen"} & names(actors(text))


def test_a_name_opening_with_a_states_adjective_used_as_a_modifier() -> None:
    text = "In 1985 his program beat the best American Othello player in a public match."
    records = actors(text)
    assert "American Othello" not in names(records)


def test_events_and_plans_are_not_organizations() -> None:
    text = ("Speaking at the Austin Tribune Festival, she praised the Robotics Challenge. "
            "Beijing unveiled its Next Generation Farming Development Plan, and the Labour Party Conference "
            "opened in Leeds.")
    assert not {"Austin Tribune Festival", "Robotics Challenge", "Next Generation Farming Development Plan",
                "Labour Party Conference"} & names(actors(text))


def test_a_ship_class_is_not_a_place() -> None:
    text = "The navy ordered four Saxony-Anhalt-class frigates from a shipyard in Hamburg."
    assert "Saxony-Anhalt" not in names(actors(text))


def test_america_in_latin_america_is_not_the_united_states() -> None:
    text = "She is one of Latin America's most popular leaders, and Brazil's too."
    assert "USA" not in actors(text)


def test_western_cambodia_is_still_cambodia() -> None:
    text = "Troops retook a village in Western Cambodia after fierce fighting."
    assert "KHM" in actors(text)


# ---------------------------------------------------------------------------------------------
# Kinds and duplicates


def test_names_in_a_list_of_people_are_people() -> None:
    text = ("The attack caused loss to the families of Marcos Ezequiel Valdano, Pieter Janssens, "
            "Ann-Sophie Verlinde, Tom Baker and Julia Moreno.")
    records = actors(text)
    assert by_name(records, "Marcos Ezequiel Valdano").kind == "person"
    assert by_name(records, "Ann-Sophie Verlinde").kind == "person"


def test_a_family_in_the_plural_is_a_group() -> None:
    text = ("Ethel Hartman was arrested in 1950. Both Hartmans were executed three years later. "
            "Critics went after the Hartmans again.")
    records = actors(text)
    assert by_name(records, "Hartmans").kind == "group"
    assert by_name(records, "Ethel Hartman").kind == "person"


def test_an_acronym_of_an_organization_named_in_full_is_that_organization() -> None:
    text = ("The Advanced Marine Research Projects Office funds the work. "
            "Last month AMRPO announced a new challenge for autonomous boats.")
    records = actors(text)
    office = by_name(records, "Advanced Marine Research Projects Office")
    assert {m.text for m in office.mentions} == {"Advanced Marine Research Projects Office", "AMRPO"}
    assert "AMRPO" not in names(records)


def test_a_first_name_left_out_of_a_person_entity_is_the_same_person() -> None:
    text = ('Prosecutors charged Dilshod Rahimov on Monday.\n\n'
            '"Dilshod Bakhtiyorovich Rahimov caused great harm," the notice said.')
    people = [r for r in actors(text).values() if r.kind == "person"]
    assert len(people) == 1


# ---------------------------------------------------------------------------------------------
# What acts for a state: bodies and office holders roll up to it, a party does not


def test_a_party_is_of_its_state_but_its_mentions_are_not_the_states() -> None:
    text = ("The FBI briefed senators in Washington on Monday, and Democrats walked out of the chamber. "
            "The United States has not seen such a fight in decades.")
    records = actors(text)
    democrats = by_name(records, "Democrats")
    assert democrats.kind == "group" and democrats.country == "USA"
    usa = records["USA"]
    assert not any(m.text == "Democrats" for m in usa.mentions), [m.text for m in usa.mentions]
    assert any(m.text == "FBI" and m.actor == "org:fbi" for m in usa.mentions)  # a state body is


def test_a_rolled_up_mention_keeps_the_actor_it_names_through_the_record() -> None:
    from narrascope.analysis.stages import actor_records, mentions_of
    from narrascope.model import Article

    text = "Russian Foreign Minister Sergey Lavrov met the press in Moscow on Friday."
    records, _ = find_actors(parse(text), published="2020-03-01")
    article = Article(id="a", source={"kind": "text", "location": "-"}, text=text,
                      actors=[r.to_dict() for r in records])
    russia = next(r for r in actor_records(article) if r.id == "RUS")
    lavrov = [m for m in russia.mentions if m.text == "Sergey Lavrov"]
    assert lavrov and lavrov[0].actor == "person:sergey-lavrov"
    assert all(m.actor == "RUS" for m in russia.own_mentions)
    spans = [(m.start, m.end) for m in mentions_of(article)]
    assert len(spans) == len(set(spans)), spans
    assert next(m for m in mentions_of(article) if m.text == "Sergey Lavrov").actor == "person:sergey-lavrov"
