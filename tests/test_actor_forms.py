"""ACLED's actor name forms (CODEBOOK.md section 3) on sentences written for these tests.
Each test fails if the rule or lexicon entry it names is removed."""

from __future__ import annotations

from datetime import date

import pytest


def one(pipeline, text, published=date(2021, 3, 4)):
    evs = pipeline.run_text(text, published)
    assert len(evs) == 1, [(e.sub_event_type, e.actor1) for e in evs]
    return evs[0]


def test_unattributed_front_fire_is_coded_between_the_fronts_two_sides(pipeline):
    # countries.yaml `front_sides`: nobody named, on a front with two known sides
    ev = one(pipeline, "On 3 March 2021, monitors recorded 12 explosions of undetermined "
                       "origin near Avdiivka, Donetsk region.")
    assert ev.country == "Ukraine" and ev.actor1 == "Military Forces of Ukraine (2019-)"
    assert ev.actor2 == ""
    ev = one(pipeline, "On 3 March 2021, monitors reported an exchange of fire near Avdiivka, "
                       "Donetsk region.")
    assert (ev.actor1, ev.actor2) == ("Military Forces of Ukraine (2019-)",
                                      "NAF: United Armed Forces of Novorossiya")
    assert (ev.inter1, ev.inter2) == (1, 2)


def test_unattributed_fire_elsewhere_stays_an_unidentified_armed_group(pipeline):
    ev = one(pipeline, "On 3 March 2021, monitors reported an exchange of fire near Kidal, Mali.")
    assert ev.actor1 == ev.actor2 == "Unidentified Armed Group (Mali)"


def test_governmental_positions_are_the_state_military(pipeline):
    ev = one(pipeline, "On 3 March 2021, NAF fighters fired mortars at the governmental "
                       "positions near Avdiivka, Donetsk region.")
    assert ev.actor1 == "NAF: United Armed Forces of Novorossiya"
    assert ev.actor2 == "Military Forces of Ukraine (2019-)"
    ev = one(pipeline, "On 3 March 2021, rebels fired mortars at government positions near "
                       "Kidal, Mali.")
    assert ev.actor2.startswith("Military Forces of Mali")


def test_either_of_two_groups_is_x_and_or_y(pipeline):
    # CODEBOOK 3: "X or Y" becomes "X and/or Y"
    ev = one(pipeline, "On 3 March 2021, JNIM or ISGS militants kidnapped two herders near "
                       "Djibo, Burkina Faso.")
    assert ev.actor1 == ("JNIM: Group for Support of Islam and Muslims and/or "
                         "Islamic State (Greater Sahara)")


def test_boko_haram_in_cameroon_or_with_is_may_be_either_faction(pipeline):
    both = ("Islamic State (West Africa) and/or Boko Haram - Jamatu Ahli is-Sunnah "
            "lid-Dawatai wal-Jihad")
    ev = one(pipeline, "On 3 March 2021, Boko Haram fighters looted shops in Mora town "
                       "(Mayo-Sava, Extreme-Nord), Cameroon.")
    assert ev.actor1 == both
    ev = one(pipeline, "On 3 March 2021, Boko Haram/ISWAP fighters raided Gwoza town, Borno "
                       "state.")
    assert ev.actor1 == both   # the two parts are not repeated
    ev = one(pipeline, "On 3 March 2021, Boko Haram fighters looted shops in Gwoza, Borno "
                       "state.")
    assert ev.actor1 == "Boko Haram - Jamatu Ahli is-Sunnah lid-Dawatai wal-Jihad"


def test_foreign_nationals_keep_their_own_country(pipeline):
    ev = one(pipeline, "On 3 March 2021, about 40 Sudanese refugees demonstrated outside the "
                       "UNHCR office in Cairo, Egypt, demanding resettlement.")
    assert ev.country == "Egypt" and ev.actor1 == "Protesters (Sudan)"
    assert ev.assoc_actor_1 == "Refugees/IDPs (Sudan)"
    ev = one(pipeline, "On 3 March 2021, Eritreans from a refugee camp protested in Shire, "
                       "Ethiopia, over food rations.")
    assert ev.actor1 == "Protesters (Eritrea)"
    ev = one(pipeline, "On 3 March 2021, Iranian border guards shot dead two Afghan migrants "
                       "near Zahedan, Iran.")
    assert ev.actor2 == "Civilians (Afghanistan)"
    ev = one(pipeline, "On 3 March 2021, about 40 Egyptian workers demonstrated outside the "
                       "ministry in Cairo, Egypt, demanding wages.")
    assert ev.actor1 == "Protesters (Egypt)"


def test_coalition_members_are_coded_to_the_coalition(pipeline):
    ev = one(pipeline, "On 3 March 2021, Emirati forces fired artillery at Houthi positions "
                       "near Mocha, Yemen.")
    assert ev.actor1 == "Operation Restoring Hope"
    assert ev.assoc_actor_1.startswith("Military Forces of the United Arab Emirates")
    ev = one(pipeline, "On 3 March 2021, coalition forces carried out airstrikes on IS "
                       "hideouts in the Hamrin mountains, Iraq.")
    assert ev.actor1 == "Global Coalition Against Daesh"
    ev = one(pipeline, "On 3 March 2021, American troops fired artillery at Taliban positions "
                       "near Sangin, Helmand.")
    assert ev.actor1.startswith("Military Forces of the United States")   # no theatre there


def test_with_no_cue_the_subject_is_the_agent():
    from sitrep.extract import load_lexicon
    from sitrep.extract.actors import find_actors
    from sitrep.extract.events import Draft, assign_roles
    from sitrep.extract.text import split_sentences

    lexicon = load_lexicon()
    text = "On 3 March 2021, pro-Houthi forces reportedly sprayed farms in Hays with gunfire."
    sents = split_sentences(text)
    d = Draft(sents, [], [(s, m) for s in sents for m in find_actors(s.text, lexicon)], [],
              sents[0].paragraph)
    agent, patient, _ = assign_roles(d, sents[0].start)
    assert agent is not None and agent.ref.key == "houthis" and patient is None


def test_a_single_country_monitor_names_the_actors_when_no_place_resolves(pipeline):
    ev = one(pipeline, "On 3 March 2021, the OSCE SMM recorded 5 explosions near Zzyxivka.")
    assert ev.actor1 == "Military Forces of Ukraine (2019-)"
    ev = one(pipeline, "On 3 March 2021, five explosions were heard near Zzyxivka.")
    assert ev.actor1 == "Unidentified Armed Group"


def test_suspected_x_is_coded_x(pipeline):
    ev = one(pipeline, "On 3 March 2021, gunmen believed to belong to Al Shabaab shot dead a "
                       "trader in Baidoa, Somalia.")
    assert ev.actor1 == "Al Shabaab"


def test_a_claim_of_responsibility_names_unnamed_attackers(pipeline):
    ev = one(pipeline, "On 3 March 2021, militants attacked a gendarmerie post in Boni, Mali, "
                       "wounding two gendarmes. JNIM claimed responsibility.")
    assert ev.actor1 == "JNIM: Group for Support of Islam and Muslims"


def test_a_state_like_actors_own_arms_are_that_actor(pipeline):
    ev = one(pipeline, "On 3 March 2021, LNA warplanes struck a GNA camp near Gharyan, Libya.")
    assert ev.actor1 == "Military Forces of Libya (2014-) Haftar Faction"
    assert ev.actor2 == "Military Forces of Libya (2016-) Government of National Accord"


def test_two_countries_forces_joined_by_and_are_two_actors(pipeline):
    ev = one(pipeline, "Movement of forces: On 3 March 2021, a joint patrol by Turkish and "
                       "Russian forces took place near Ain Issa, Syria.")
    assert ev.actor1 == "Military Forces of Turkey (2016-)"
    assert ev.assoc_actor_1 == "Military Forces of Russia (2000-)" and ev.actor2 == ""


def test_two_tribes_joined_by_and_are_two_tribal_militias(pipeline):
    ev = one(pipeline, "On 3 March 2021, clashes broke out between Al Awad and Al Saqr "
                       "tribesmen near Marib city, Yemen.")
    assert (ev.actor1, ev.actor2) == ("Al Awad Tribal Militia (Yemen)",
                                      "Al Saqr Tribal Militia (Yemen)")


def test_driven_by_names_an_owner_not_the_doer(pipeline):
    ev = one(pipeline, "On 3 March 2021, Al Shabaab militants ambushed a truck driven by Kenyan "
                       "soldiers near Mandera, Kenya.")
    assert ev.actor1 == "Al Shabaab" and ev.actor2.startswith("Military Forces of Kenya")


def test_a_units_members_are_the_unit(pipeline):
    # CODEBOOK 3: units appended; "forces" after the unit is not a second, military actor
    ev = one(pipeline, "On 3 March 2021, federal police forces seized 40 rifles and ammunition "
                       "from a cartel warehouse in Santos, Sao Paulo, Brazil.")
    assert ev.actor1.startswith("Police Forces of Brazil (2019-")
    assert ev.actor1.endswith(") Federal Police")


def test_a_bare_state_noun_takes_the_unit_named_in_full(pipeline):
    ev = one(pipeline, "On 3 March 2021, police exchanged fire with gang members in Rio de "
                       "Janeiro, Brazil, after Military Police officers entered the favela.")
    assert ev.actor1.startswith("Military Forces of Brazil (2019-")
    assert ev.actor1.endswith(") Military Police")
    ev = one(pipeline, "On 3 March 2021, police exchanged fire with gang members in Rio de "
                       "Janeiro, Brazil.")
    assert ev.actor1.startswith("Police Forces of Brazil (2019-") and "Military" not in ev.actor1


def test_unnamed_islamist_militants_are_the_countrys_islamist_militia(pipeline):
    ev = one(pipeline, "On 3 March 2021, Islamist militants attacked Mocimboa da Praia "
                       "(Cabo Delgado), Mozambique, burning houses and killing two villagers.")
    assert ev.actor1 == "Islamist Militia (Mozambique)" and ev.inter1 == 3


def test_a_mobs_own_victims_are_actor2_not_the_police_who_come_later(pipeline):
    ev = one(pipeline, "On 3 March 2021, a mob beat a man suspected of theft in Kisumu, Kenya, "
                       "before police arrived and arrested three people.")
    assert ev.sub_event_type == "Mob violence" and ev.actor2 == "Civilians (Kenya)"
    ev = one(pipeline, "On 3 March 2021, villagers pelted stones at police officers in Gyumri, "
                       "Armenia, over a land dispute.")
    assert ev.actor2.startswith("Police Forces of Armenia")


def test_a_brawl_between_two_crowds_has_rioters_on_both_sides(pipeline):
    ev = one(pipeline, "On 3 March 2021, a physical fight broke out between members of two "
                       "rival families in Gyumri, Armenia, over a land dispute.")
    assert ev.sub_event_type == "Mob violence"
    assert ev.actor1 == ev.actor2 == "Rioters (Armenia)"


def test_the_pmf_are_a_unit_of_the_iraqi_military(pipeline):
    # ACLED names the PMF as a state force (a unit of the military, CODEBOOK 3), not a militia
    ev = one(pipeline, "On 3 March 2021, Popular Mobilization Forces killed two Islamic State "
                       "militants near Tuz Khurmatu, Saladin province.")
    assert ev.actor1 == "Military Forces of Iraq (2018-2022) Popular Mobilization Forces"
    assert ev.inter1 == 1


def test_the_bla_takes_acleds_name(pipeline):
    ev = one(pipeline, "On 3 March 2021, an IED planted by the BLA hit a Frontier Corps vehicle "
                       "in Turbat, Kech district, Balochistan.")
    assert ev.actor1 == "BLA: Baloch Liberation Army"


@pytest.mark.parametrize("text, actor1", [
    ("On 3 March 2021, Iranian border guards shot dead two Kurdish porters near Baneh, "
     "Kurdistan province.", "Police Forces of Iran (1989-) Islamic Republic of Iran Border "
     "Guard Command"),
    ("On 3 March 2021, the National Intelligence Organization of Turkey killed a PKK commander "
     "in a drone strike in Sinjar, Nineveh.", "Police Forces of Turkey (2016-) National "
     "Intelligence Organization"),
])
def test_state_units_take_acleds_unit_names(pipeline, text, actor1):
    assert one(pipeline, text).actor1 == actor1


def test_dahalo_are_the_dahalo_militia(pipeline):
    # Madagascar's cattle raiders: ACLED's "Dahalo Militia", a political militia (inter 3)
    ev = one(pipeline, "On 3 March 2021, dahalo attacked a village near Ihosy (Ihorombe) and "
                       "stole 40 zebus, killing a herder.")
    assert (ev.actor1, ev.inter1, ev.country) == ("Dahalo Militia", 3, "Madagascar")


@pytest.mark.parametrize("text, day, want", [
    ("The Rapid Support Forces shelled a market in El Fasher on 3 March 2024, killing 12 "
     "people.", "2024-03-05", ("Rapid Support Forces", 2)),
    ("RSF fighters attacked a village near Geneina on 3 April 2023, killing four.",
     "2023-04-05", ("Military Forces of Sudan (2019-) Rapid Support Forces", 1)),
    ("RSF fighters attacked a village near Geneina on 3 May 2023, killing four.",
     "2023-05-05", ("Rapid Support Forces", 2)),
])
def test_a_unit_that_became_a_group_is_named_by_its_years(pipeline, text, day, want):
    """actors.yaml `years`: the RSF is a unit of Sudan's military until the April 2023 war,
    then a group of its own (inter 2)."""
    (ev,) = pipeline.run_text(text, date.fromisoformat(day))
    assert (ev.actor1, ev.inter1) == want


@pytest.mark.parametrize("text", [
    "On 21 January 2024, security force personnel shot dead a man in Sugapa, Papua.",
    "On 21 January 2024, security force members shot dead a man in Sugapa, Papua.",
])
def test_security_force_personnel_are_state_forces(pipeline, text):
    assert one(pipeline, text).actor1 == "Military Forces of Indonesia (2014-2024)"
