"""The ESCO normaliser: the six words of issue 11, forms, compounds, typos, doubt and bad input."""

from __future__ import annotations

import pytest

from placement.occupation_data import ESCO_ATTRIBUTION, esco_occupations, isco_groups, synonyms
from placement.occupation_normaliser import CONFIDENT, resolve


@pytest.mark.parametrize(("typed", "isco"), [
    ("groenvoorziening", "6113"), ("poetsvrouw", "9112"), ("kapster", "5141"), ("orderpicker", "9333"),
    ("verzorgende", "5321"), ("buschauffeur", "8331"),
    ("hoveniers", "6113"),  # plural
    ("schoonmaakster", "9112"),  # female form
    ("Ervaren hovenier (m/v) parttime", "6113"),  # modifiers around the job
    ("medewerker groenvoorziening", "6113"),  # ESCO double-form preferred label
    ("heftruck chauffeur", "8344"),  # split compound
    ("timmerlieden", "7115"),  # irregular plural
])
def test_everyday_words_resolve_confidently(typed, isco):
    result = resolve(typed)
    assert result.confident, result
    assert result.best.isco == isco


def test_typo_is_found_with_lower_confidence():
    result = resolve("magazijnmedewerkr")
    assert result.best.isco == "9333" and result.best.how == "tikfout"
    assert result.best.confidence < 1.0


def test_compound_head_is_found_but_not_certain():
    result = resolve("bouwplaatsschoonmaker")
    assert result.best.isco == "9112"
    assert not result.confident  # the dialogue asks instead of substituting
    assert 1 <= len(result.options()) <= 3


@pytest.mark.parametrize("text", ["", "   ", None, "medewerker", "x" * 500, "qzxv wprt kjhg " * 30, "!!!???"])
def test_bad_input_gives_no_match(text):
    result = resolve(text)
    assert not result.confident
    assert result.best is None or result.best.confidence < CONFIDENT


def test_reference_files_are_complete():
    assert len(esco_occupations()) == 3039
    assert len(isco_groups()) == 619
    assert all(len(o.isco) == 4 and o.isco in isco_groups() for o in esco_occupations())
    assert ESCO_ATTRIBUTION == "Deze dienst gebruikt de ESCO-classificatie van de Europese Commissie."


def test_every_synonym_target_exists():
    resolve("warm")  # builds the index, which raises on an unknown ESCO label
    for syn in synonyms():
        assert syn.target in isco_groups() or not syn.target.isdigit(), syn
        assert resolve(syn.word).best is not None, syn.word


def test_synonyms_do_not_copy_the_frozen_evaluation_set_wholesale():
    import csv
    from pathlib import Path
    frozen = Path(__file__).parent / "occupation_eval" / "job_titles.csv"
    with frozen.open(encoding="utf-8", newline="") as handle:
        typed = {r["typed"].strip().lower() for r in csv.DictReader(handle)}
    overlap = {s.word.lower() for s in synonyms()} & typed
    # Words named in the issue itself (poetsvrouw, groenvoorziening, ...) and common base words may
    # coincide; a copied list would overlap far more.
    assert len(overlap) <= 0.25 * len(synonyms()), sorted(overlap)


def test_compound_head_and_modifier_share_a_group():
    # "bezorgchauffeurs" is no label; the head "chauffeur" alone is a truck driver (8332), but the
    # modifier "bezorg-" only occurs in groups that also have chauffeurs in 8322 (delivery drivers).
    from placement.occupation_compounds import head_and_modifier
    found: dict = {}
    assert head_and_modifier("bezorgchauffeurs", found)
    ranked = sorted(found.values(), key=lambda v: -v[0][0])
    assert [m.isco for _, m in ranked] == ["8322", "8332"]  # our synonym for the head stays an option below
    result = resolve("bezorgchauffeurs")
    assert result.best.isco == "8322" and result.best.how == "samenstelling"
    assert not result.confident  # a split the labels do not spell: the dialogue asks
    assert not head_and_modifier("qqqchauffeur", {})  # an unknown modifier is no evidence


def test_a_modifier_found_everywhere_is_no_evidence():
    from placement.occupation_compounds import MAX_MODIFIER_GROUPS, _modifier_groups
    assert len(_modifier_groups("onderhouds")) > MAX_MODIFIER_GROUPS  # so "onderhoudsmonteur" keeps its head
    assert "8322" in _modifier_groups("bezorg")


@pytest.mark.parametrize(("typed", "isco"), [
    ("warehouseworker", "9333"), ("kitchenhelper", "9412"), ("productionworker", "9329"),
])
def test_english_compounds_typed_as_one_word(typed, isco):
    from placement.occupation_forms import english_parts
    assert len(english_parts(typed)) == 2
    result = resolve(typed)
    assert result.best.isco == isco and result.best.how == "engels"


def test_english_split_leaves_dutch_words_alone():
    from placement.occupation_forms import english_parts
    assert english_parts("magazijnmedewerker") == ["magazijnmedewerker"]
    assert resolve("magazijnmedewerker").best.how != "engels"


def test_bench_reads_a_dev_file_with_a_comment_line(tmp_path):
    from tools.bench_occupations import score
    path = tmp_path / "dev.csv"
    path.write_text("# a comment line first, as the dev files have\ntyped,isco4,category\n"
                    "kapster,5141,female\nqqqq,9112,typo\n", encoding="utf-8")
    report = score(path)
    assert report["n"] == 2 and report["top1"] == 0.5 and report["misses_by_category"] == {"typo": 1}


def test_a_word_that_names_an_isco_group_decides_a_tie():
    # ESCO files "tandartsassistent(e)" as an alternative label in 3251 and in 3256; ISCO 3251 is
    # "Tandartsassistenten en mondhygiënisten", so the typed word names that group.
    from placement.occupation_index import group_names
    assert "3251" in group_names()["tandartsassistent"]
    assert resolve("tandartsassistentes").best.isco == "3251"


def test_a_shared_generic_ending_is_no_typo_evidence():
    # "kantine" and "kennel" are far apart; only "...medewerker" made them look alike.
    result = resolve("kennelmedewerkr")
    assert result.best is None or "kantine" not in result.best.label
    assert resolve("kantinemedewerker").best.how != "tikfout"
    assert resolve("keukemedewerker").best.isco == "9412"  # a real slip before the generic word still counts


@pytest.mark.parametrize("typed", ["ploegleider productie", "teamleader magazijn"])
def test_a_left_out_job_word_makes_the_part_a_question(typed):
    # Only the field matched; the other word looks like a job of its own: ask, do not substitute.
    result = resolve(typed)
    assert result.best is not None and not result.confident


def test_a_left_out_field_word_keeps_the_job_confident():
    assert resolve("Productiemedewerker metaal").confident
    assert resolve("kitchen porter").best.isco == "9412"  # an untranslated English word is not held against it


def test_a_base_form_that_is_a_preferred_label_competes_with_an_exact_alternative_label():
    assert resolve("onderwijsassistente").best.isco == "5312"  # exact only as an alternative label in 2310
    assert resolve("inpakster").best.isco == "9321"  # the synonym case still holds


def test_isco_group_names_count_in_the_singular_and_uninflected():
    from placement.occupation_index import label_key, uninflected
    assert uninflected("Administratieve medewerkers") == "administratiefmedewerkers"
    assert uninflected("Kelners") == label_key("Kelners")
    assert resolve("administratief medewerkster").best.isco == "4110"  # ISCO 4110 "Administratieve medewerkers, algemeen"
    assert resolve("schoonmaakbedrijf").best.isco == "9112"  # a cut-off part ("Bedrijfs-") is no group name


def test_elliptic_compounds_borrow_the_head_of_the_second_part():
    from placement.occupation_compounds import expand_ellipsis
    assert expand_ellipsis("keuken- en bedieningsmedewerkers") == "keukenmedewerkers / bedieningsmedewerkers"
    assert expand_ellipsis("qqq- en zzz") == "qqq- en zzz"  # no known name: the text as typed
    result = resolve("schoonmaak- en magazijnmedewerker")  # two jobs: the first one first, and a question
    assert [m.isco for m in result.options(2)] == ["9112", "9333"] and not result.confident


def test_a_separate_generic_word_is_no_part_of_the_compound():
    # "tuinverzorging" → tuin + verzorger(ing): a gardener, not a carer ("medewerkertuinverzorging"
    # would end in "verzorger" alone).
    assert resolve("medewerker tuinverzorging").best.isco == "6113"


@pytest.mark.parametrize("typed", ["installateur", "installateurs"])
def test_curated_synonym_beats_a_tied_group_label(typed):
    # "Installateurs" is also an ISCO group label (7413, 7421, 7422): our synonym decides, without a question.
    result = resolve(typed)
    assert result.best.isco == "7126"
    assert result.confident, result


@pytest.mark.parametrize(("typed", "isco"), [("W-monteur", "7126"), ("E-monteur", "7411"), ("e-monteurs", "7411"),
                                             ("Ervaren E-monteur Zwolle", "7411")])
def test_one_letter_prefix_stays_part_of_the_word(typed, isco):
    # Losing the letter left "monteur" (7233) for both.
    result = resolve(typed)
    assert result.best.isco == isco and result.confident, result


@pytest.mark.parametrize(("typed", "wrong"), [
    ("beroepschauffeurs", "2320"),  # "instructeur beroepschauffeurs": the job there is instructeur
    ("elektrotechnisch onderhoudsmonteur", "2152"),  # an adjective is no front of a compound
])
def test_a_word_of_a_professional_label_does_not_pull_in_its_group(typed, wrong):
    result = resolve(typed)
    assert wrong not in [m.isco for m in result.options(3)], result
    assert not result.confident  # a guess from parts of the title: the dialogue asks


@pytest.mark.parametrize(("typed", "isco"), [
    ("verpleegster", "2221"), ("verpleegsters", "2221"), ("arts", "2211"), ("begeleiders", "3412"),
    ("grondwerker", "9312"), ("uitvoerder", "3123"), ("werkvoorbereider", "3123"), ("gastouder", "5311"),
    ("sjouwer", "9333"), ("bijrijders", "9621"), ("technieker", "7233"), ("vleesverwerkers", "7511"),
    ("sales advisor", "5223"),  # English advisor → adviseur, "verkoopadviseur" is ours
    ("pick & pack", "9333"),  # English pick → orderpicken: the first job named counts most
])
def test_general_vocabulary_esco_lacks(typed, isco):
    result = resolve(typed)
    assert result.best.isco == isco and result.confident, result


@pytest.mark.parametrize(("typed", "isco"), [
    ("kantinemedewerker", "5246"), ("medewerker kantine", "5246"), ("kantinehulp", "5246"),
    ("restaurantmedewerkers", "5131"), ("hotelmedewerker", "9112"), ("tankstationmedewerker", "5245"),
])
def test_field_word_with_a_generic_head(typed, isco):
    result = resolve(typed)
    assert result.best.isco == isco and result.confident, result


def test_a_field_word_is_no_job_next_to_a_job():
    # "hotel" is a compound part of our "medewerker hotel", not a job that beats the kok of the title.
    result = resolve("parttime lunchkok in een hotel")
    assert result.best.isco == "5120"


@pytest.mark.parametrize(("typed", "options"), [("bejaardenverzorgende", {"5321", "5322"}),
                                                ("bezorgchauffeur", {"8322", "8332"})])
def test_a_compound_guess_keeps_our_synonym_for_its_head_as_an_option(typed, options):
    result = resolve(typed)
    assert not result.confident
    assert options <= {m.isco for m in result.options(3)}, result


@pytest.mark.parametrize("typed", ["metselaarshulp", "timmermanshulp"])
def test_the_helper_of_a_job_is_a_question(typed):
    # A metselaarshulp helps a metselaar (ISCO 93xx): the job before "hulp" is a guess, not the answer.
    assert not resolve(typed).confident


def test_a_field_before_a_helper_word_is_still_sure():
    assert resolve("keukenhulp").confident
