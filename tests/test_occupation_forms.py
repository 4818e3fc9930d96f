"""Normaliser behaviour added in the second pass of issue 11 (each case failed on the first version):
compound heads, agent nouns for fields, noise and place names around the job, English titles, ISCO
unit-group labels, the skill-level tie-break and synonyms that decide their own female forms."""

from __future__ import annotations

import pytest

from placement.occupation_forms import base_forms, core_words, from_english
from placement.occupation_normaliser import resolve


def _top(text: str) -> str | None:
    best = resolve(text).best
    return best.isco if best else None


@pytest.mark.parametrize(("typed", "isco"), [
    ("lunchkok", "5120"),  # a short head ("kok") is a preferred label: the compound is a cook
    ("slagerijmedewerker", "7511"),  # field before "medewerker", in -erij: slagerij → slager
    ("bouwplaatsmedewerker", "9313"),  # unknown field "bouwplaats": its front part "bouw"
    ("keukemedewerker", "9412"),  # a typo in a compound whose ESCO label is "medewerker keuken"
])
def test_compound_heads_and_fields(typed, isco):
    assert _top(typed) == isco


def test_agent_nouns_and_irregular_plurals():
    assert "boomverzorger" in base_forms("boomverzorging")
    assert "veehouder" in base_forms("veehouderij")
    assert "timmerman" in base_forms("timmerlui") and "opperman" in base_forms("oppermannen")
    assert _top("boomverzorging") == "6113" and _top("timmerlui") == "7115"


@pytest.mark.parametrize("typed", [
    "Ervaren kantoorschoonmaker (m/v) 32 uur Zwolle",
    "Vacature: kantoorschoonmaker in Den Haag",  # a place alias, not only official gemeente names
    "kantoorschoonmaker - fulltime - alleen voor inwoners van Nederland",
])
def test_noise_and_place_names_around_the_job_are_ignored(typed):
    assert _top(typed) == "9112"
    assert core_words(typed, 120) == ["kantoorschoonmaker"]


def test_a_place_name_alone_is_still_looked_at():
    # "Best" is a gemeente; typed alone it is the only word, so it is not thrown away unseen.
    assert core_words("Best", 120) == ["best"]


@pytest.mark.parametrize(("typed", "isco"), [
    ("warehouse worker", "9333"), ("public area cleaner", "9112"), ("kitchen helper", "9412"),
    ("Bus Driver", "8331"), ("Heavy truck Driver", "8332"), ("Night shift warehouse workers", "9333"),
])
def test_english_titles(typed, isco):
    assert _top(typed) == isco


def test_english_is_only_a_fallback():
    assert from_english(["magazijnmedewerker"]) is None
    assert from_english(["warehouse", "worker"]) == ["magazijn", "medewerker"]
    assert resolve("bartender").best.how != "engels"  # ESCO's own Dutch labels come first


def test_isco_unit_group_labels_are_names_too():
    assert _top("laders") == "9333"  # ISCO 9333 "Laders en lossers": each name of the list counts
    assert _top("ziekenverzorgers") == "5321"  # ISCO 5321 "Ziekenverzorgers"; ESCO only has dierenverzorger-like labels
    assert _top("boden") == "9621"  # ISCO 9621 "Boden, kruiers en bestellers"
    assert _top("verkopers") == "5223"  # a catch-all group ("niet elders geclassificeerd") does not win


def test_ties_go_to_the_lower_skilled_group_and_synonyms_decide_female_forms():
    assert _top("thuiszorgmedewerkster") == "5322"  # ESCO files the form under 3412 (skill level 3)
    assert _top("inpakster") == "9321"  # our synonym "inpakker" beats ESCO's machine-operator alt label
    assert _top("gastvrouw") == "5131"  # ESCO has gastheer/gastvrouw in 4221 and 5131: label@isco synonym


def test_the_job_named_first_beats_a_later_field_word():
    result = resolve("Schoonmaker kantoren")  # "kantoren" → kantoor (4110) must not make it ambiguous
    assert result.confident and result.best.isco == "9112"


def test_english_plurals_and_one_word_compounds_are_split_before_translation():
    from placement.occupation_forms import english_parts
    assert english_parts("pickers") == ["picker"]  # only "picker" is in the table
    assert english_parts("warehouseworkers") == ["warehouse", "workers"]
    assert from_english(["forklift", "drivers"]) == ["heftruck", "chauffeurs"]


@pytest.mark.parametrize(("typed", "core"), [
    ("Heftruckchauffeur per direct", ["heftruckchauffeur"]),
    ("Schoonmaker avonduren 10 uur, zaterdag", ["schoonmaker"]),
    ("Productiemedewerker 2e ploeg", ["productiemedewerker"]),
    ("Ervaren CE chauffeur met rijbewijs", ["chauffeur"]),
])
def test_shift_licence_and_ordinal_words_are_noise(typed, core):
    assert core_words(typed, 120) == core


@pytest.mark.parametrize(("typed", "isco"), [
    ("Kapper / kapster", "5141"), ("Schoonmaker/schoonmaakster", "9112"), ("kapper of kapster", "5141"),
])
def test_double_forms_of_one_job_are_confident(typed, isco):
    result = resolve(typed)
    assert result.confident and result.best.isco == isco


def test_double_forms_of_two_jobs_read_the_title_as_a_whole():
    result = resolve("chauffeur / bezorger")
    assert [m.isco for m in result.options(2)] == ["8332", "9621"]  # both offered, the first job first
