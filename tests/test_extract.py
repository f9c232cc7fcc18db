"""Targeted extractor rules on sentences written for these tests (codebook close pairs,
actor naming, dates, counts). Each would fail if its rule were removed."""

from __future__ import annotations

from datetime import date

import pytest


def one(pipeline, text, published=date(2021, 6, 10)):
    evs = pipeline.run_text(text, published)
    assert len(evs) == 1, [(e.sub_event_type, e.actor1) for e in evs]
    return evs[0]


def test_month_march_is_not_a_protest(pipeline):
    ev = one(pipeline, "On 14 March 2021, Taliban fighters attacked an army checkpoint in "
                       "Ghazni city, killing 3 soldiers.")
    assert ev.event_type == "Battles" and ev.actor1 == "Taliban"
    assert ev.actor2.startswith("Military Forces of Afghanistan") and ev.fatalities == 3


def test_repelled_attack_makes_the_attacker_actor1(pipeline):
    ev = one(pipeline, "On 3 June 2021, 7 Taliban militants were killed when Afghan forces "
                       "repulsed their attack in Arghandab district, Kandahar.")
    assert ev.actor1 == "Taliban" and ev.actor2.startswith("Military Forces of Afghanistan")


def test_attribution_clause_is_not_an_actor(pipeline):
    ev = one(pipeline, "Two civilians were killed when a roadside bomb hit their car in "
                       "Kandahar city on Tuesday, police said.")
    assert ev.sub_event_type == "Remote explosive/landmine/IED"
    assert ev.actor1.startswith("Unidentified Armed Group") and ev.actor2.startswith("Civilians")


def test_tribal_militia_named_from_text(pipeline):
    ev = one(pipeline, "On 2 June 2021, Al Jadaan tribesmen clashed with Houthi forces near "
                       "Sirwah, Marib.")
    names = {ev.actor1, ev.actor2}
    assert "Al Jadaan Tribal Militia (Yemen)" in names
    assert ev.inter1 in (1, 4) and ev.interaction == 14


def test_umbrella_operation_is_actor1(pipeline):
    ev = one(pipeline, "Looting: On 5 June 2021, opposition rebels under OPS looted "
                       "shops in Ras al Ain.")
    assert ev.actor1 == "Operation Peace Spring"
    assert ev.sub_event_type == "Looting/property destruction"


def test_off_duty_soldier_killed_at_home_is_an_attack_on_civilians(pipeline):
    ev = one(pipeline, "Suspected Al Shabaab gunmen killed an off-duty soldier at his home "
                       "in Jowhar on Thursday.")
    assert ev.event_type == "Violence against civilians" and ev.actor2.startswith("Civilians")


def test_plans_and_habits_are_not_events(pipeline):
    assert not pipeline.run_text("The army is preparing a large offensive to retake the "
                                 "town of Marte next month.", date(2021, 6, 10))
    assert not pipeline.run_text("Human Rights Watch called on the authorities to investigate "
                                 "last year's killings of protesters.", date(2021, 6, 10))


@pytest.mark.parametrize("text,expected", [
    ("On 2 May 2021, 4 policemen were killed and 5 were missing in Herat.", 4),
    # the subject of an active "killed" did the killing and lived, unless a suicide bomber
    ("A roadside bomb killed three soldiers near Jowhar on Monday.", 3),
    ("An unidentified gunman shot and killed a local commander in Daraa.", 1),
    ("A suicide bomber killed 4 worshippers at a mosque in Peshawar.", 5),
    # "killed and injured four" shares its number (1 dead); a count of the dead before is theirs
    ("The blast left 3 dead and injured 12 near the bus stand in Mardan.", 3),
    ("The raid on the camp left nine people dead and injured ten others.", 9),
    # a vague shared number is a vague number of dead
    ("Rebels shelled the base, killing and wounding dozens of soldiers.", 12),
    # one death told without a number
    ("Gunmen on a motorbike shot a shopkeeper in Tarime. The victim died in hospital.", 1),
    ("Two herders were shot. One man was wounded and the other died.", 1),
    ("Rival factions clashed at the market, resulting in one death.", 1),
    ("The fighting resulted in the death of the village head.", 1),
    ("A 16-year-old teenager was killed by a stray bullet.", 1),
    ("At least 5 militants and 2 soldiers were killed in clashes near Bir al-Abd.", 7),
    ("Eight civilians, including three children, were killed in an air strike in Khost.", 8),
    ("The death toll rose to 20 as three more people died in Kabul.", 20),
    # the toll with where it is from, and the deaths that raised it
    ("The death toll from the bombing of the market in the town of Jamrud climbed to nine "
     "after the deaths of two men in hospital.", 9),
    # a toll across a clause is not the toll ("the number of wounded rose to 30")
    ("Gunmen raided a village near Jamrud; the death toll was not given, but the number of "
     "wounded rose to 30.", 0),
    ("Gunmen killed several villagers and wounded 4 in Tsafe on Saturday.", 3),
    ("Clashes killed or injured 6 fighters near Hajin.", 0),
    # an age is one person, never the count ("killed 23-year-old X" is not 23 dead)
    ("Soldiers killed 23-year-old Ali Musa near Bunia on Monday.", 1),
    ("Police killed 3 protesters, including a 16-year-old boy, in Kisumu.", 3),
    # two sources' figures in one sentence: the lowest, not their sum (CODEBOOK 6)
    ("The army initially said six rebels were killed, but the town's disaster office later "
     "said it had recovered four bodies.", 4),
    ("Police said 3 people were killed in Gao while residents said 7 died.", 3),
    # a singular noun as the subject of a passive "killed", whatever the noun: one dead
    ("Peacekeeper killed in ambush near Bria", 1),
    ("Bangladeshi volunteer killed in Kharkiv - agency", 1),
    ("A veteran paramedic killed, two wounded in Sumy shelling", 1),
    # ... but not a plural, a collective, a pronoun or "no one"
    ("No one killed in Kharkiv blast, officials say", 0),
    ("Villagers fled after the shelling; none killed, officials said.", 0),
    ("Mourners carried the coffins of those killed in the uprising.", 0),
    # headline forms: the present tense, a bare object, a plural with no number (CODEBOOK 6)
    ("Three die in clashes between troops and rebels in Hakkari", 3),
    ("Gunmen kill vaccinator in Kurram: officials", 1),
    ("Insurgents Killed In Kunar Night Raid", 3),
    ("One “militant” killed, another arrested near Tal Afar", 1),
    ("The commander vowed to die for the cause.", 0),
])
def test_conservative_fatality_counts(pipeline, text, expected):
    from sitrep.extract.fatalities import count_casualties

    assert count_casualties(text)[0] == expected


def test_two_dated_incidents_in_one_sentence(pipeline):
    evs = pipeline.run_text(
        "In the past few hours the city of Raqqa has been shaken by new explosions, after those "
        "of last week following a failed attack by the Islamic State against an SDF "
        "headquarters.", date(2019, 4, 2))
    dates = sorted((e.event_date, e.time_precision) for e in evs)
    assert dates[0][0].startswith("2019-03-2") and dates[0][1] == 2
    assert dates[-1] == ("2019-04-02", 1)


def test_former_fighter_killed_is_an_attack_on_a_civilian(pipeline):
    ev = one(pipeline, "On 3 May 2021, unknown gunmen shot dead a former FSA commander in "
                       "Tafas, Dar'a countryside.")
    assert ev.event_type == "Violence against civilians"
    assert ev.actor2 == "Civilians (Syria)" and ev.fatalities == 1


@pytest.mark.parametrize("text, injured", [
    # the dead counted before "and wounded" are not wounded too
    ("The blast killed two and wounded 11 others in Quetta.", 11),
    ("The attack left nine people dead and injured ten in Bannu.", 10),
    ("Gunmen killed 3 and injured 4 villagers near Jos.", 4),
])
def test_the_dead_are_not_counted_among_the_injured(text, injured):
    from sitrep.extract.fatalities import count_casualties

    assert count_casualties(text)[1] == injured


@pytest.mark.parametrize("text,expected", [
    ("Angry residents burned a police station in Basra on 15 July 2020 after a man died.", 1),
    ("Police beat demonstrators with batons, leaving four of them in hospital.", 0),
    ("A mob lynched two men suspected of cattle theft near Aligarh.", 2),
    # what killed them is no victim: "a bomb blast that killed two", "a gunman killed a guard"
    ("Police arrested three suspects in connection with a bomb blast that killed two people "
     "at a bus stop in Peshawar.", 2),
    ("An explosion killed four soldiers near Gao.", 4),
    ("A gunman killed a policeman in Kano.", 1),
    # a denied toll is no toll (CODEBOOK 1: denials; issue 15: negation)
    ("The army denied reports that 10 soldiers were killed when insurgents ambushed a convoy "
     "near Damboa.", 0),
    # ... but only the clause denied: the sentence goes on in its own voice
    ("The group denied reports that it was behind the attack, which killed 15 people.", 15),
    ("Officials dismissed claims that the toll was higher, saying 7 people were killed.", 7),
    # a suicide bomber dies too and counts (CODEBOOK 6)
    ("A suicide bomber killed 3 worshippers at a mosque in Kabul.", 4),
    ("A suicide bomber blew himself up at a checkpoint in Mogadishu, killing 3 soldiers.", 4),
    # a family's members
    ("An airstrike hit a house in Rafah, killing a family of five.", 5),
    ("Gunmen killed an entire family of seven in Zamfara.", 7),
    # one dead per singular noun phrase joined
    ("A farmer and his wife were not hurt, but a trader and a driver were killed in Tsafe.", 2),
    ("A soldier, a policeman and a civilian were killed in the blast in Gao.", 3),
    ("Two soldiers and a civilian were killed in the blast in Gao.", 3),
    ("Three members of a family were killed in the raid on Tsafe.", 3),
    ("A bomber blew himself up at a checkpoint, killing 4 people including the bomber.", 4),
])
def test_years_hospital_stays_and_subjects_are_not_counted(text, expected):
    from sitrep.extract.fatalities import count_casualties

    assert count_casualties(text)[0] == expected


def test_next_day_starts_a_new_incident(pipeline):
    evs = pipeline.run_text("On 3 March 2021, JNIM and ISGS fighters clashed near Ansongo, "
                            "leaving dozens dead. The next day, JNIM fighters abducted four "
                            "herders near the town.", date(2021, 3, 6))
    got = sorted((e.event_date, e.sub_event_type) for e in evs)
    assert got == [("2021-03-03", "Armed clash"),
                   ("2021-03-04", "Abduction/forced disappearance")]


def test_bomb_set_off_by_its_planter_is_disrupted_weapons_use(pipeline):
    ev = one(pipeline, "An Al Shabaab fighter was killed on Sunday when the bomb he was "
                       "planting went off near Marka.")
    assert ev.sub_event_type == "Disrupted weapons use"


def test_displaced_or_returning_people_are_actor1_of_other(pipeline):
    ev = one(pipeline, "On 7 May 2021, in Barquisimeto, Lara state, 90 Venezuelan migrants "
                       "returned from Ecuador.")
    assert ev.sub_event_type == "Other" and ev.actor1 == "Civilians (Venezuela)"


def test_single_country_state_actor_decides_the_country(pipeline):
    ev = one(pipeline, "On 28 April 2021, a drone operated by GNA targeted a truck near an "
                       "unnamed farm, killing 2 civilians.")
    assert ev.country == "Libya" and ev.inter1 == 1


# Undated documents resolve against a reference day (their ingest date), into the past.
UNDATED = ("Protest camp in Nairobi\n\nHundreds of traders have camped outside parliament in "
           "Nairobi since December to protest against a new market levy, organisers said.\n\n"
           "Police fired tear gas at traders who marched on State House on Friday, injuring "
           "six of them, witnesses said.")


@pytest.mark.parametrize("ref", [date(2026, 11, 18), date(2026, 12, 1), date(2027, 1, 4)])
def test_undated_text_is_never_dated_after_its_reference_day(pipeline, ref):
    from sitrep.models import Document, content_id

    doc = Document(id=content_id(UNDATED), text=UNDATED, body=UNDATED)
    evs = pipeline.run(doc, ref=ref)
    dates = sorted(date.fromisoformat(e.event_date) for e in evs if e.event_date)
    assert len(dates) == 2, [(e.event_date, e.sub_event_type) for e in evs]
    assert all(d <= ref for d in dates), (ref, dates)
    # "on Friday": the Friday on or before the reference day; "since December": the last one
    friday = max(d for d in dates if d.weekday() == 4 and (ref - d).days < 7)
    assert (ref - friday).days == (ref.weekday() - 4) % 7
    dec = [d for d in dates if d.month == 12]
    assert dec and dec[0].year == (ref.year if ref.month == 12 else ref.year - 1)


@pytest.mark.parametrize("phrase,ref,expected", [
    ("since December", date(2026, 11, 18), date(2025, 12, 15)),
    ("in December", date(2026, 12, 1), date(2026, 12, 1)),     # this month, not past today
    ("in April", date(2020, 4, 5), date(2020, 4, 5)),          # was last year's April
    ("in April", date(2020, 4, 20), date(2020, 4, 15)),
    ("in May", date(2020, 4, 30), date(2019, 5, 15)),
])
def test_month_without_a_year_is_the_latest_not_after_the_reference(phrase, ref, expected):
    from sitrep.extract.dates import find_dates

    (m,) = find_dates(f"Fighting has gone on {phrase} near the town.", ref)
    assert m.date == expected and m.precision == 3


@pytest.mark.parametrize("phrase,expected,precision", [
    ("last night", date(2022, 5, 22), 1),      # the part of the day is not cut off first
    ("early this morning", date(2022, 5, 23), 1),
    ("this evening", date(2022, 5, 23), 1),
    ("at the weekend", date(2022, 5, 21), 2),  # the Saturday before a Monday report
    ("on Sunday night", date(2022, 5, 22), 1),
])
def test_news_day_phrases_resolve_against_the_report_day(phrase, expected, precision):
    from sitrep.extract.dates import find_dates

    (m,) = find_dates(f"Gunmen attacked the town {phrase}.", date(2022, 5, 23))   # a Monday
    assert (m.date, m.precision) == (expected, precision)


def test_next_day_after_the_publication_date_is_not_coded_in_the_future(pipeline):
    evs = pipeline.run_text("On 5 March 2021, JNIM and ISGS fighters clashed near Ansongo, "
                            "leaving dozens dead. The next day, JNIM fighters abducted four "
                            "herders near the town.", date(2021, 3, 5))
    assert evs and all(e.event_date <= "2021-03-05" for e in evs)


@pytest.mark.parametrize("text,sub", [
    # two sides trading fire: a fight, whatever the weapons
    ("On 12 June 2021, the monitors counted 40 explosions involving mortars in both directions "
     "of the line of contact near Marinka, Donetsk.", "Armed clash"),
    ("On 12 June 2021, army troops shelled rebel trenches near Marinka, Donetsk, and the rebels "
     "returned fire.", "Armed clash"),
    # infantry weapons fired at armed positions: forces in contact
    ("On 12 June 2021, rebel forces fired mortars and small arms at army positions near "
     "Marinka, Donetsk.", "Armed clash"),
    # ... but not when the fire is aimed at homes: remote violence stays
    ("On 12 June 2021, rebel forces fired mortars and small arms at residential areas of "
     "Marinka, Donetsk.", "Shelling/artillery/missile attack"),
    # a monitor's count of explosions: ground-launched, not a planted device
    ("On 12 June 2021, the monitors counted 9 explosions/bursts of fire involving heavy "
     "machine guns near Marinka, Donetsk.", "Shelling/artillery/missile attack"),
])
def test_two_sided_or_close_range_fire_is_an_armed_clash(pipeline, text, sub):
    assert one(pipeline, text).sub_event_type == sub


@pytest.mark.parametrize("text,sub", [
    ("On 12 June 2021, about 30 nurses held a protest outside the health ministry in Lima over "
     "unpaid wages. Five of them were detained by police.", "Protest with intervention"),
    ("On 12 June 2021, students protested in front of the town hall in Lima against fuel "
     "prices. Police intervened and cleared the square.", "Protest with intervention"),
    # the arrest is the protest's issue or backstory, not something done to the protesters
    ("On 12 June 2021, about 30 journalists protested in Lima against the arrest of a "
     "colleague. He was arrested in connection with a defamation case.", "Peaceful protest"),
    ("On 12 June 2021, relatives rallied in Lima for activists who had been detained in "
     "April.", "Peaceful protest"),
])
def test_arrests_at_a_protest_are_an_intervention(pipeline, text, sub):
    assert one(pipeline, text).sub_event_type == sub


@pytest.mark.parametrize("text,sub", [
    ("On 12 June 2021, four persons beat up a suspected cattle thief with sticks in Kisumu.",
     "Mob violence"),
    # armed or organised doers stay an attack on civilians
    ("On 12 June 2021, four armed men beat up a cattle trader with rifle butts in Kisumu.",
     "Attack"),
])
def test_ordinary_people_beating_someone_is_mob_violence(pipeline, text, sub):
    assert one(pipeline, text).sub_event_type == sub


def test_police_who_did_not_intervene_leave_a_peaceful_protest(pipeline):
    ev = one(pipeline, "On 12 June 2021, thousands of people marched in Lima against the new "
                       "tax; police did not intervene.")
    assert ev.sub_event_type == "Peaceful protest"


@pytest.mark.parametrize("text,sub", [
    ("On 3 May 2021, supporters of two rival parties fought with sticks in Kano.", "Mob violence"),
    # an armed, organised side keeps it a battle
    ("On 3 May 2021, villagers clashed with Fulani herders in Kano, leaving 3 dead.",
     "Armed clash"),
])
def test_ordinary_people_fighting_each_other_is_mob_violence(pipeline, text, sub):
    assert one(pipeline, text).sub_event_type == sub


@pytest.mark.parametrize("tally", [
    "More than 140 villagers have been killed by armed bandits in the district since the "
    "rainy season began, officials say.",
    "In 2019, more than 600 people were killed in such clashes over grazing land, a survey "
    "found.",
    "The monitor documented 2,310 conflict-related civilian casualties, including 640 "
    "killed, the highest figures since 2012.",
    "Insurgents carried out 57 bomb attacks in the province last year, while police "
    "conducted 210 operations in which 96 insurgents were killed.",
    "Rural areas have seen repeated army raids in recent months that have left dozens dead.",
])
def test_tallies_over_a_period_are_not_events(pipeline, tally):
    text = ("On 4 May 2021, gunmen killed three farmers in Dorowa village, Plateau State, "
            "police said.\n\n" + tally)
    evs = pipeline.run_text(text, date(2021, 5, 6))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2021-05-04", 3)]


def test_second_explosion_sentence_is_its_own_incident(pipeline):
    evs = pipeline.run_text(
        "On 2 March 2021, five people were wounded in two separate explosions in Quetta. "
        "The first explosion went off near a bus stand, injuring two passers-by. Second "
        "explosion targeted a police checkpoint in the same area and injured three "
        "policemen.", date(2021, 3, 3))
    assert len(evs) == 2, [(e.sub_event_type, e.actor2) for e in evs]
    assert any(e.actor2.startswith("Police Forces of Pakistan") for e in evs)


def test_later_paragraph_about_the_same_incident_is_not_a_new_event(pipeline):
    text = ("On 9 April 2021, gunmen stormed a police post in Dinga town, Kasai province, "
            "killing four policemen, officials said.\n\n"
            "The death toll from the raid rose to six after two wounded officers died in "
            "hospital.\n\n"
            "Witnesses said the attackers fired on the post for an hour before fleeing into "
            "the forest.")
    evs = pipeline.run_text(text, date(2021, 4, 10))
    assert len(evs) == 1, [(e.sub_event_type, e.fatalities) for e in evs]
    assert evs[0].event_date == "2021-04-09"


def test_later_paragraph_with_its_own_day_stays_a_new_incident(pipeline):
    text = ("On 9 April 2021, gunmen stormed a police post in Dinga town, Kasai province, "
            "killing four policemen, officials said.\n\n"
            "On 12 April 2021, the attackers abducted three traders near Dinga town.")
    evs = pipeline.run_text(text, date(2021, 4, 14))
    assert sorted(e.event_date for e in evs) == ["2021-04-09", "2021-04-12"]


def test_undated_retelling_with_the_same_actor_pair_is_one_event(pipeline):
    text = ("On 4 May 2021, gunmen killed three farmers in Dorowa village, Plateau State, "
            "police said.\n\n"
            "A community leader told reporters that gunmen killed three farmers as they "
            "worked on their fields.")
    evs = pipeline.run_text(text, date(2021, 5, 6))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2021-05-04", 3)]


def test_undated_paragraph_with_a_new_place_stays_its_own_event(pipeline):
    text = ("On 4 May 2021, gunmen killed three farmers in Dorowa village, Plateau State, "
            "police said.\n\n"
            "Gunmen also killed two farmers in Kwall village, Plateau State, residents said.")
    evs = pipeline.run_text(text, date(2021, 5, 6))
    assert len(evs) == 2


@pytest.mark.parametrize("summary", [
    "Protests have rocked the country since the fuel price rise in March, with thousands "
    "marching in the capital.",
    "Student protests broke out in January and continued for several months in most "
    "provincial towns.",
    "Police also arrested 940 suspected bandits during 2020.",
])
def test_a_movement_or_a_year_summed_up_is_not_an_event(pipeline, summary):
    text = ("On 4 May 2021, gunmen killed three farmers in Dorowa village, Plateau State, "
            "police said.\n\n" + summary)
    evs = pipeline.run_text(text, date(2021, 5, 6))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2021-05-04", 3)]


def test_back_reference_after_an_unlinked_paragraph_is_not_folded(pipeline):
    text = ("On 9 April 2021, a roadside bomb wounded four soldiers near Kalo village, "
            "Ituri province, officials said.\n\n"
            "In nearby Mambasa town, gunmen stopped traders driving to the market.\n\n"
            "Two traders were killed in the attack.")
    evs = pipeline.run_text(text, date(2021, 4, 10))
    bombs = [e for e in evs if e.event_type == "Explosions/Remote violence"]
    assert len(bombs) == 1 and bombs[0].fatalities == 0


# ------------------------------------------------ one incident told over several paragraphs

def test_an_undated_lede_is_the_incident_a_later_paragraph_dates_and_places(pipeline):
    text = ("The army said on its website that nine soldiers were killed when gunmen "
            "attacked a military post in northern Mali.\n\n"
            "The gunmen attacked the post at Boni in the Douentza area on Monday 7 June, "
            "killing nine soldiers, an army statement said.")
    evs = pipeline.run_text(text, date(2021, 6, 10))
    assert len(evs) == 1, [(e.event_date, e.location) for e in evs]
    assert evs[0].event_date == "2021-06-07" and evs[0].fatalities == 9
    assert evs[0].sub_event_type == "Armed clash"


def test_a_demonstration_told_twice_takes_the_sub_type_it_reached(pipeline):
    text = ("Hundreds of students protested against fee increases in Lusaka on Tuesday 8 "
            "June.\n\n"
            "In Lusaka, the protesters later burnt tyres and blocked roads on Tuesday 8 June "
            "before police dispersed them.")
    evs = pipeline.run_text(text, date(2021, 6, 10))
    assert [e.sub_event_type for e in evs] == ["Violent demonstration"], \
        [(e.sub_event_type, e.location) for e in evs]


def test_a_spokesman_retelling_the_raid_is_the_same_incident(pipeline):
    """A later undated paragraph with no new place that tells the incident again in another
    party's words (the army's "insurgents who fired at soldiers", its own toll) shares an
    actor with it: the same incident, the first telling kept (issue 15, item 1)."""
    text = ("Air strikes kill six at camp near Maiduguri\n\n"
            "Nigerian troops killed six people on Monday at a camp outside Maiduguri, local "
            "officials said, as the air force carried out air strikes on the area.\n\n"
            "The director of the city's main hospital said eleven people were being treated "
            "there.\n\n"
            "A military spokesman said the air strikes had targeted insurgents who fired at "
            "soldiers, and that at least five fighters were killed.")
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.actor2, e.fatalities) for e in evs] == [("Civilians (Nigeria)", 6)], \
        [(e.actor1, e.actor2, e.fatalities) for e in evs]


@pytest.mark.parametrize("total", [
    "The region has been the target of bandit attacks since 2018 that have killed more than "
    "3,000 people.",
    # a month before the year, and a year's tally (CODEBOOK 1: totals over a period)
    "The conflict has killed more than 3,000 people since April 2019, a monitoring group said.",
    "Rights groups say security forces in the state killed more than 1,200 people in 2020.",
    "Police killed 41 people in the state last year, according to official figures.",
])
def test_a_toll_summed_up_over_a_period_is_not_an_event(pipeline, total):
    text = f"Gunmen killed three villagers in Dogon Noma on Sunday 6 June.\n\n{total}"
    evs = pipeline.run_text(text, date(2021, 6, 10))
    assert [e.fatalities for e in evs] == [3], [(e.fatalities, e.notes) for e in evs]
    alone = pipeline.run_text("Gunmen attacked Dogon Noma on Sunday 6 June. " + total,
                              date(2021, 6, 10))
    assert [e.fatalities for e in alone] == [0], [(e.fatalities, e.notes) for e in alone]


def test_a_one_country_monitor_gives_the_country_when_the_text_names_none(pipeline):
    ev = one(pipeline, "On 2 June 2021, the OSCE SMM recorded 14 explosions near a village "
                       "east of Novozvanivka, assessed as artillery rounds.")
    assert ev.country == "Ukraine", (ev.country, ev.location)


def _pages(shared_dir):
    from sitrep.bench import examples_dir

    yield from sorted(examples_dir().glob("*.txt"))
    yield from sorted((shared_dir / "gold" / "articles").glob("*.txt"))


def test_actor_evidence_is_the_actor_phrase(pipeline, shared_dir):
    """Every actor1/actor2 evidence span is an actor phrase of its own sentence, also when
    the draft's roles come from a later sentence than its first ("A previous report on
    Thursday put the toll at seven. ... soldiers lost their lives"): a mention's offsets are
    relative to the sentence it was found in."""
    from sitrep.extract.actors import find_actors
    from sitrep.extract.lexicon import load_lexicon
    from sitrep.extract.text import split_sentences
    from sitrep.ingest import make_document

    lex = load_lexicon()
    checked = 0
    for path in _pages(shared_dir):
        doc = make_document(path.read_text(encoding="utf-8"), path=path.name)
        sents = split_sentences(doc.body)
        for ev in pipeline.run(doc):
            for x in ev.evidence:
                if x.field not in ("actor1", "actor2"):
                    continue
                s = next(s for s in sents if s.start <= x.start < s.end)
                phrases = {m.ref.text for m in find_actors(s.text, lex)} | {
                    s.text[m.start:m.end] for m in find_actors(s.text, lex)}
                assert doc.body[x.start:x.end] in phrases, (path.name, x.field, x.text,
                                                             s.text[:120])
                checked += 1
    assert checked > 100


def test_a_day_earlier_counts_back_from_the_incident_just_told(pipeline):
    """'A day earlier', 'two days before': from the previous incident's day, not from the
    day of publication (issue 15: relative days anchored to the wrong day)."""
    text = ("Gunmen killed five villagers in Kaura Namoda on Tuesday, officials said.\n\n"
            "A day earlier, soldiers clashed with bandits in Tsafe, killing three of them.\n\n"
            "Two days before that, police arrested 12 suspects in Gusau.")
    evs = pipeline.run_text(text, date(2021, 6, 10))
    assert [e.event_date for e in evs] == ["2021-06-08", "2021-06-07", "2021-06-05"], \
        [(e.event_date, e.location) for e in evs]


def test_an_army_account_of_the_same_firefight_is_one_incident(pipeline):
    """Once places are known, a later undated paragraph of the same type that day, at the
    same place (a barangay of the city, no place of its own), its actors compatible ("rebels"
    for the NPA), is the incident told again (CODEBOOK 1; fold_placed)."""
    text = ("Clash with rebels leaves 3 dead in Negros\n\n"
            "Soldiers clashed with New People's Army rebels in a village in Kabankalan City, "
            "Negros Occidental, on Saturday, leaving three rebels dead, officials said.\n\n"
            "The Army's 47th Infantry Battalion said troops on patrol were fired upon by about "
            "20 rebels in Barangay Tabugon, triggering an hour-long firefight.\n\n"
            "In Lanao del Sur, unidentified gunmen on Friday ambushed a police car in the town "
            "of Balindong, wounding two officers.")
    evs = pipeline.run_text(text, date(2023, 9, 18))
    assert [(e.event_date, e.location, e.fatalities) for e in evs] == [
        ("2023-09-16", "Kabankalan", 3), ("2023-09-15", "Balindong", 0)], \
        [(e.event_date, e.actor2, e.location) for e in evs]


def test_a_lede_without_day_or_place_is_the_incident_the_next_paragraph_dates(pipeline):
    """A lede that announces a toll with neither a day nor a place of its own, right before
    a telling of that type with both: one incident, with the lede's toll and the later day
    and place (CODEBOOK 1; fold_placed). Both come from their own sentences."""
    from sitrep.extract import fold_placed
    from sitrep.geo.resolve import same_place

    pub = date(2022, 3, 10)
    lede, = pipeline.run_text("The Nigerien army has announced the death of nine soldiers "
                              "following an attack by suspected jihadists on a military post "
                              "in western Niger.", pub)
    told, = pipeline.run_text("On Tuesday, jihadists clashed with soldiers at an army post "
                              "in Banibangou, Tillaberi region, killing six.", pub)
    assert lede.latitude is None and told.location == "Bani Bangou"
    evs = fold_placed([lede, told], pipeline.lexicon, same_place)
    assert [(e.event_date, e.location, e.fatalities) for e in evs] == [
        ("2022-03-08", "Bani Bangou", 9)], [(e.event_date, e.location, e.fatalities) for e in evs]
    # a lede a month after the telling is another matter
    told.event_date = "2022-02-01"
    assert len(fold_placed([lede, told], pipeline.lexicon, same_place)) == 2


def test_a_witness_quoted_after_the_incident_opens_no_incident_and_does_not_retype_it(
        pipeline):
    """“We heard a huge explosion and then gunfire,” said a shopkeeper: the car bomb told
    again in a witness's words, not a clash of its own, and its "gunfire" does not make the
    bombing a battle (issue 15: the lede, details, tolls, quotes)."""
    text = ("Car bomb kills four soldiers in Mogadishu\n\n"
            "A car bomb exploded near a military checkpoint in Mogadishu on Wednesday, killing "
            "four soldiers, police said.\n\n"
            "Al Shabaab claimed responsibility for the blast in a statement.\n\n"
            "\u201cWe heard a huge explosion and then gunfire,\u201d said a shopkeeper nearby.")
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.sub_event_type, e.event_date, e.fatalities) for e in evs] == [
        ("Remote explosive/landmine/IED", "2024-02-28", 4)], \
        [(e.sub_event_type, e.event_date, e.fatalities) for e in evs]
    # a quote with a day of its own is another incident
    later = text + ("\n\n\u201cGunmen attacked our village in Afgooye on Monday,\u201d "
                    "said a farmer.")
    assert len(pipeline.run_text(later, date(2024, 3, 5))) == 2


@pytest.mark.parametrize("aside", [
    # history told by its year alone (CODEBOOK 4: vaguer than a month is dropped)
    "Kaya was also attacked in 2019, when militants killed 14 people at a church.",
    # a toll counted since a month: a tally over a period (CODEBOOK 1)
    "Attacks by armed groups have risen sharply in the region this year, with more than "
    "2,000 people killed since January, according to a monitoring group.",
    # a date that starts a period is no incident's day
    "The country has seen a surge in jihadist attacks since the junta ended talks with "
    "armed groups in November 2022.",
])
def test_history_and_tallies_beside_the_news_are_no_incidents(pipeline, aside):
    text = ("Gunmen kill six in attack on market in northern Burkina Faso\n\n"
            "Suspected jihadists killed six civilians when they attacked a market in the town "
            "of Djibo on Sunday, local sources said.\n\n" + aside)
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.event_date, e.location, e.fatalities) for e in evs] == [
        ("2024-03-03", "Djibo", 6)], [(e.event_date, e.location, e.fatalities) for e in evs]


@pytest.mark.parametrize("text, actor1", [
    ("Russian missiles struck residential buildings in Kharkiv overnight, killing three "
     "people, the regional governor said on Wednesday.", "Military Forces of Russia (2000-)"),
    ("Syrian government airstrikes hit the town of Ariha in Idlib province on Friday, killing "
     "three civilians.", "Military Forces of Syria (2000-2024)"),
])
def test_a_states_weapons_with_its_demonym_are_its_forces(pipeline, text, actor1):
    """generic_actors.yaml `weapons`: what a state's forces fire names them only with the
    demonym before it; the shooter is who fired, not the country it landed in."""
    evs = pipeline.run_text(text, date(2024, 3, 6))
    assert [e.actor1 for e in evs] == [actor1]


def test_who_claims_the_incident_told_is_its_perpetrator(pipeline):
    """A later paragraph that refers back to the incident ("the blast") opens no incident,
    but the group that claims it is its actor1."""
    text = ("Car bomb kills four soldiers in Mogadishu\n\n"
            "A car bomb exploded near a military checkpoint in Mogadishu on Wednesday, killing "
            "four soldiers, police said.\n\n"
            "Al Shabaab claimed responsibility for the blast in a statement.")
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.actor1, e.fatalities) for e in evs] == [("Al Shabaab", 4)]


def test_a_later_paragraph_tells_how_far_a_protest_went(pipeline):
    """The paragraph that continues the incident ("the protesters") types it too: police
    who dispersed them make it a protest with intervention (CODEBOOK 2)."""
    text = ("In Najaf, hundreds of people protested outside the provincial council building on "
            "Wednesday, demanding jobs and better services.\n\n"
            "Police later used tear gas to disperse the protesters, a witness said.")
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.sub_event_type, e.actor2) for e in evs] == [
        ("Protest with intervention", "Police Forces of Iraq (2022-)")]


@pytest.mark.parametrize("text, expected", [
    # a past year beside a lede that is the news (no incident told before it)
    ("Gunmen killed five villagers in Djibo, a town under blockade since 2022.",
     [("Violence against civilians", 5)]),
    # "since" before a day: the day is the incident's
    ("Fighters who have held the town since 2019 attacked an army post in Djibo on Monday, "
     "killing four soldiers.", [("Battles", 4)]),
    # a scare-quoted name opening a sentence of its own incident is no witness's quote
    ("Gunmen killed two herders near Gao on Monday, officials said.\n\n"
     "\"Islamic State\" fighters also attacked an army post in Dori on Monday, killing four "
     "soldiers.", [("Battles", 2), ("Battles", 4)]),
])
def test_history_period_and_quote_rules_leave_the_news_alone(pipeline, text, expected):
    evs = pipeline.run_text(text, date(2024, 3, 6))
    assert [(e.event_type, e.fatalities) for e in evs] == expected


def test_a_group_that_never_claimed_it_is_not_the_perpetrator(pipeline):
    text = ("Car bomb kills four soldiers in Mogadishu\n\n"
            "A car bomb exploded near a military checkpoint in Mogadishu on Wednesday, killing "
            "four soldiers, police said.\n\n"
            "Al Shabaab never claimed responsibility for the blast.")
    assert [e.actor1 for e in pipeline.run_text(text, date(2024, 3, 5))] != ["Al Shabaab"]


def test_weapons_name_who_fired_them_not_where_they_came_from(pipeline):
    from sitrep.extract.actors import find_actors

    refs = [m.ref for m in find_actors("American and British jets struck targets near Hodeidah.",
                                       pipeline.lexicon)]
    assert {(r.kind, r.country) for r in refs} == {("military", "US"), ("military", "GB")}
    evs = pipeline.run_text("Houthi rebels fired Iranian missiles at a ship off Hodeidah on "
                            "Monday.", date(2024, 3, 6))
    assert "Iran" not in evs[0].actor1 + evs[0].actor2


def test_an_incident_the_one_told_came_a_day_after_is_the_day_before(pipeline):
    """"The strikes came a day after rebels shelled ...": the shelling was the day before the
    strikes (CODEBOOK 4)."""
    text = ("Government airstrikes hit the town of Ariha in Idlib province on Friday, killing "
            "three civilians, a monitor said.\n\n"
            "The strikes came a day after rebels shelled army positions near Saraqeb, "
            "wounding two soldiers.")
    evs = pipeline.run_text(text, date(2024, 3, 5))
    assert [(e.event_date, e.location) for e in evs] == [("2024-03-01", "Ariha"),
                                                         ("2024-02-29", "Saraqib")]


def test_a_toll_that_rose_is_the_incidents_figure_now(pipeline):
    """"The death toll from the blast rose to 40 on Tuesday": the incident told, counted
    again the next day; not an incident of its own, and not a source that differs (the
    lowest-figure rule is for those)."""
    text = ("A car bomb exploded at a market in Mogadishu on Monday, killing 20 people, police "
            "said.\n\n"
            "The death toll from the blast rose to 40 on Tuesday, hospital officials said.")
    evs = pipeline.run_text(text, date(2024, 3, 6))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2024-03-04", 40)]


def test_dozens_of_strikes_this_year_is_a_tally_not_an_incident(pipeline):
    text = ("Turkish drone strike kills two near Zakho\n\n"
            "A Turkish drone strike hit a vehicle near Zakho on Monday, killing two PKK "
            "fighters, local officials said.\n\n"
            "A day earlier, a roadside bomb exploded near an army patrol in Tarmiyah, wounding "
            "three soldiers. Officials blamed the Islamic State.\n\n"
            "Turkey has carried out dozens of drone strikes in the Kurdistan Region this year, "
            "according to a monitoring group.")
    evs = pipeline.run_text(text, date(2024, 8, 20))
    assert [e.sub_event_type for e in evs] == ["Air/drone strike",
                                               "Remote explosive/landmine/IED"], \
        [(e.sub_event_type, e.actor1, e.location) for e in evs]


def test_an_incident_dated_long_before_the_report_is_background_beside_a_recent_one(pipeline):
    # codebook.yaml `background_days`: history told beside the news is not coded again
    text = ("On 3 June 2021, gunmen killed four farmers in Kauru, Kaduna State. The village was "
            "first attacked on 12 February 2021, when bandits killed two herders there.")
    evs = pipeline.run_text(text, date(2021, 6, 4))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2021-06-03", 4)]
    # a late report of an old incident alone is still coded
    evs = pipeline.run_text("On 12 February 2021, bandits killed two herders in Kauru, Kaduna "
                            "State.", date(2021, 6, 4))
    assert [e.event_date for e in evs] == ["2021-02-12"]
    # a month named without a year may be anchored to the wrong year: kept
    evs = pipeline.run_text("On 3 June 2021, gunmen killed four farmers in Kauru, Kaduna State. "
                            "In February, bandits killed two herders there.", date(2021, 6, 4))
    assert len(evs) == 2
    # within background_days of the report: news too
    evs = pipeline.run_text("On 3 June 2021, gunmen killed four farmers in Kauru, Kaduna State. "
                            "On 5 May 2021, bandits had killed two herders in Zangon Kataf, "
                            "Kaduna State.", date(2021, 6, 4))
    assert sorted(e.event_date for e in evs) == ["2021-05-05", "2021-06-03"]


# ------------------------------------------------ which incident a dated sentence belongs to

def test_a_dated_sentence_in_a_new_place_is_another_incident_that_day(pipeline):
    # CODEBOOK 1: several places give one event each, even on the same day and paragraph
    text = ("Militants attacked an army post in Dera Ismail Khan on Monday, killing two "
            "soldiers. On Monday evening, gunmen also ambushed a police patrol in Bannu, "
            "killing one policeman, officials said.")
    evs = pipeline.run_text(text, date(2023, 5, 10))
    got = sorted((e.location, e.event_date, e.fatalities) for e in evs)
    assert got == [("Bannu", "2023-05-08", 1), ("Dera Ismail Khan", "2023-05-08", 2)], got


def test_a_dated_sentence_at_the_incidents_own_place_stays_that_incident(pipeline):
    text = ("Gunmen attacked a bus in Kauru, Kaduna State, on Sunday, killing six passengers. "
            "On Sunday, the gunmen also set the bus on fire in Kauru before fleeing.")
    evs = pipeline.run_text(text, date(2023, 5, 10))
    assert [(e.location, e.event_date) for e in evs] == [("Kauru", "2023-05-07")], \
        [(e.sub_event_type, e.location) for e in evs]


def test_a_toll_given_by_an_earlier_report_is_not_an_incident_of_its_own(pipeline):
    text = ("The army said 14 soldiers were killed when militants attacked a base in Diapaga "
            "on Wednesday.\n\n"
            "An earlier count on Wednesday from hospital sources put the death toll at nine.\n"
            "On Thursday morning, gunmen attacked a truck near Kantchari, killing its driver, "
            "residents said.")
    evs = pipeline.run_text(text, date(2023, 5, 12))
    got = sorted((e.event_date, e.sub_event_type, e.fatalities) for e in evs)
    assert got == [("2023-05-10", "Armed clash", 14), ("2023-05-11", "Attack", 1)], got


# ------------------------------------------------ a wire story's dateline

def test_a_datelines_day_is_when_the_story_was_filed_not_the_incidents_day(pipeline):
    text = ("Gunmen kill five in Kaduna village\n\n"
            "KADUNA, May 10 (Reuters) - Gunmen killed five villagers in Kauru district of "
            "Kaduna State on Sunday, according to police.")
    ev = one(pipeline, text, published=date(2023, 5, 10))
    assert (ev.event_date, ev.time_precision) == ("2023-05-07", 1)
    # an incident dated in the same words after a date that is no dateline keeps the first
    ev = one(pipeline, "On 10 May, gunmen killed five villagers in Kauru district of Kaduna "
                       "State, according to police.", published=date(2023, 5, 12))
    assert ev.event_date == "2023-05-10"


def test_a_reposted_wire_story_counts_yesterday_from_its_dateline(pipeline):
    # the page came out two days after the story was filed
    text = ("Gunmen kill five in Kaduna village\n\n"
            "KADUNA, May 10 (Reuters) - Gunmen killed five villagers in Kauru district of "
            "Kaduna State yesterday, according to police.")
    ev = one(pipeline, text, published=date(2023, 5, 12))
    assert ev.event_date == "2023-05-09"
    # a dateline older than a week is not this page's story: the page's own date holds
    ev = one(pipeline, text, published=date(2023, 5, 30))
    assert ev.event_date == "2023-05-29"


@pytest.mark.parametrize("text,dateline", [
    ("BAGHDAD Nov 3 Two rockets hit the airport.", "BAGHDAD Nov 3"),
    ("HARARE, Zimbabwe, Aug. 2 (Xinhua) -- Police fired", "HARARE, Zimbabwe, Aug. 2 (Xinhua) --"),
    ("Benghazi, 4 July 2021 - Clashes broke out", "Benghazi, 4 July 2021 -"),
    ("ABIDJAN, 7 March (AFP): Soldiers", "ABIDJAN, 7 March (AFP):"),
    ("On 4 July 2021, clashes broke out", ""),
    ("Sunday, July 4 - Clashes broke out", ""),
    ("Police in Benghazi, July 4 - clashes", ""),
])
def test_what_is_a_wire_dateline(text, dateline):
    from sitrep.extract.dates import dateline_end

    assert text[:dateline_end(text)].strip() == dateline


# ------------------------------------------------ the day of the incident, not of its report

@pytest.mark.parametrize("text", [
    "Gunmen killed five villagers in Kauru district of Kaduna State on Sunday, police said on "
    "Tuesday.",
    "The army said on Tuesday that its troops killed five militants near Gwoza on Sunday.",
    "A spokesman told reporters on Tuesday that gunmen killed five villagers in Kauru on "
    "Sunday night.",
])
def test_a_reporting_clauses_day_is_not_the_incidents(pipeline, text):
    ev = one(pipeline, text, published=date(2023, 5, 10))
    assert ev.event_date == "2023-05-07"


def test_a_report_only_date_is_not_dropped_for_a_reporting_verb_in_the_next_sentence(pipeline):
    text = ("Around 3 May 2021 (as reported), militiamen of two rival clans clashed in Matanao, "
            "Davao del Sur, after an attack by one of them in late April. Nobody was hurt, "
            "officials said.")
    ev = one(pipeline, text, published=date(2021, 5, 4))
    assert (ev.event_date, ev.time_precision) == ("2021-05-03", 2)


# ------------------------------------------------ a span of days summed up

def test_a_series_of_attacks_over_a_span_of_days_is_not_an_incident(pipeline):
    # CODEBOOK 1: a multi-day report gives one event per day with reported activity
    text = ("Church leaders condemned a wave of attacks on villages in Kajuru, Kaduna State, "
            "from 2 to 6 March 2022, which left nine people dead.\n\n"
            "Gunmen killed five people in Kajuru on 4 March 2022, residents said.")
    evs = pipeline.run_text(text, date(2022, 3, 9))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2022-03-04", 5)], \
        [(e.event_date, e.sub_event_type, e.fatalities) for e in evs]


@pytest.mark.parametrize("text,phrase,span", [
    ("clashes from 19 to 24 June 2023, which", "24 June 2023", True),
    ("raids between 3 and 5 May in the north", "5 May", True),
    ("fighting on 3-5 May near the border", "5 May", True),
    ("strikes from 30 April to 2 May 2021 hit", "30 April", True),
    ("a raid on 24 June 2023, which", "24 June 2023", False),
    ("marched on 5 May to the parliament", "5 May", False),
])
def test_what_is_a_span_of_days(text, phrase, span):
    from sitrep.extract.dates import spans_days

    i = text.index(phrase)
    assert spans_days(text, i, i + len(phrase)) is span


# ------------------------------------------------ relative days (CODEBOOK 4)

@pytest.mark.parametrize("text,day,precision", [
    ("Soldiers were ambushed the day before yesterday.", "2023-05-08", 1),
    ("Two herders were killed 10 days ago.", "2023-04-30", 1),
    ("A market was shelled a week ago.", "2023-05-03", 2),
    ("A market was shelled two weeks ago.", "2023-04-26", 2),
    ("Protesters marched this past weekend.", "2023-05-06", 2),
])
def test_relative_days_resolve_against_the_report(text, day, precision):
    from sitrep.extract.dates import find_dates

    found = find_dates(text, date(2023, 5, 10))   # a Wednesday
    assert [(str(x.date), x.precision) for x in found] == [(day, precision)]


def test_the_previous_day_counts_back_from_the_incident_just_told():
    from sitrep.extract.dates import days_before

    assert days_before("the previous day") == 1


@pytest.mark.parametrize("recalled,day,precision", [
    ("The previous day, a roadside bomb killed two soldiers near Rann.", "2023-05-07", 1),
    ("Two weeks ago, a roadside bomb killed two soldiers near Rann.", "2023-04-26", 2),
])
def test_a_sentence_opening_with_an_earlier_day_is_an_incident_not_background(
        pipeline, recalled, day, precision):
    # CODEBOOK 1: a recalled earlier incident is its own event, with its own date
    text = "Gunmen killed three villagers in Gubio on Monday, police said. " + recalled
    evs = pipeline.run_text(text, date(2023, 5, 10))
    got = sorted((e.event_date, e.time_precision, e.fatalities) for e in evs)
    assert got == sorted([("2023-05-08", 1, 3), (day, precision, 2)]), got


# ------------------------------------------------ a body found (CODEBOOK 4)

def test_the_day_a_body_was_found_is_coded_at_precision_2(pipeline):
    ev = one(pipeline, "On 4 May 2021, the body of a trader was found with gunshot wounds "
                       "near Kauru, Kaduna State.", published=date(2021, 5, 5))
    assert (ev.event_date, ev.time_precision) == ("2021-05-04", 2)
    # the killing's own day is known: a body found in another sentence does not lower it
    ev = one(pipeline, "On 4 May 2021, gunmen shot dead a trader near Kauru, Kaduna State. "
                       "Residents said his body was found in a ditch.",
             published=date(2021, 5, 6))
    assert (ev.event_date, ev.time_precision) == ("2021-05-04", 1)


def test_a_body_found_long_before_a_recent_incident_is_background(pipeline):
    text = ("On 3 June 2021, gunmen killed four farmers in Kauru, Kaduna State. On 12 February "
            "2021, the body of a herder had been found near the same village.")
    evs = pipeline.run_text(text, date(2021, 6, 4))
    assert [(e.event_date, e.fatalities) for e in evs] == [("2021-06-03", 4)], \
        [(e.event_date, e.time_precision) for e in evs]


def test_killing_and_injuring_a_number_of_fighters_on_a_front_is_ten(pipeline):
    # CODEBOOK 6: a vague number of dead in fighting on a front line is coded 10
    ev = one(pipeline, "On 3 June 2021, government forces repelled a rebel attack near Hays, "
                       "Al Hudaydah, killing and injuring a number of fighters.")
    assert ev.event_type == "Battles" and ev.fatalities == 10


def test_a_date_in_a_relative_clause_is_the_recalled_incidents_not_the_sentences(pipeline):
    ev = one(pipeline, "Students rallied at a vigil for Rahel Tesfaye, the student who was "
                       "shot dead by police last month, at Bahir Dar University on Thursday.",
             published=date(2023, 5, 12))
    assert (ev.event_date, ev.time_precision) == ("2023-05-11", 1)
    ev = one(pipeline, "The army, which had withdrawn from Kidal on Monday, shelled the town "
                       "on Wednesday.", published=date(2023, 5, 12))
    assert ev.event_date == "2023-05-10"


def test_a_caption_picture_released_on_a_day_is_dated_as_reported(pipeline):
    # CODEBOOK 4: only the day the picture was put out is known: that day, precision 2
    ev = one(pipeline, "Opposition supporters march against fuel prices in Harare, Zimbabwe, "
                       "in this picture released on May 3, 2023.", published=date(2023, 5, 4))
    assert (ev.event_date, ev.time_precision) == ("2023-05-03", 2)


def test_the_toll_of_an_incident_told_as_a_day_before_is_not_this_ones(pipeline):
    # CODEBOOK 1: "a day after an attack left six dead" recalls another incident, with its toll
    evs = pipeline.run_text("A mob burned two shops in Jos on Tuesday, a day after an attack "
                            "on a nearby village left six people dead.", date(2023, 5, 10))
    riots = [e for e in evs if e.event_type == "Riots"]
    assert [(e.event_date, e.fatalities) for e in riots] == [("2023-05-09", 0)], \
        [(e.sub_event_type, e.event_date, e.fatalities) for e in evs]


def test_a_reporting_verb_in_the_next_sentence_does_not_join_two_dated_incidents(pipeline):
    text = ("Gunmen killed two farmers in Kauru on Monday, and a bomb killed three soldiers in "
            "Bama on Tuesday. Police said the attacks were unrelated.")
    evs = pipeline.run_text(text, date(2023, 5, 10))
    got = sorted((e.event_date, e.fatalities) for e in evs)
    assert got == [("2023-05-08", 2), ("2023-05-09", 3)], got


def test_a_toll_told_the_next_day_belongs_to_the_incident_before_it(pipeline):
    # "said on Monday" dates the telling: the strike of Sunday night, with its toll
    text = ("An airstrike on Sunday night hit a house in Idlib. The strike killed five "
            "civilians, the White Helmets said on Monday.")
    ev = one(pipeline, text, published=date(2023, 5, 10))
    assert (ev.event_date, ev.fatalities) == ("2023-05-07", 5)



@pytest.mark.parametrize("text,phrase,relative", [
    ("Mourners gathered for Ahmed, the student who was shot dead last week, in Homs.",
     "last week", True),
    ("The army, which had withdrawn on Monday, shelled the town.", "on Monday", True),
    # no comma: a restrictive clause, the incident itself
    ("The gunmen who stormed the village on Monday killed four farmers.", "on Monday", False),
])
def test_what_is_a_date_in_a_relative_clause(text, phrase, relative):
    from sitrep.extract.dates import find_dates
    from sitrep.extract.events import _in_relative

    x = next(m for m in find_dates(text, date(2023, 5, 12)) if m.text == phrase)
    assert _in_relative(text, 0, x) is relative


@pytest.mark.parametrize("text,sub", [
    # a march with an object is the captors', not a demonstration
    ("Armed bandits stormed a village near Tsafe on Sunday night and abducted 26 people, "
     "residents said. The gunmen went from house to house and marched their captives into "
     "the forest.", "Abduction/forced disappearance"),
    ("Hundreds of teachers marched to the governor's office in Gusau on Monday over unpaid "
     "salaries.", "Peaceful protest"),
])
def test_marched_with_an_object_is_no_march(pipeline, text, sub):
    assert one(pipeline, text).sub_event_type == sub


def test_a_gathering_whose_purpose_follows_a_long_place_is_a_protest(pipeline):
    # triggers.yaml protest: "gathered at <a place of many words>, to demand"
    text = ("On 3 March 2021, members of the teachers' union gathered outside the provincial "
            "education office on Davis Road in Lahore city, Punjab, Pakistan, to demand the "
            "payment of salaries withheld since January.")
    got = [(e.event_type, e.sub_event_type) for e in pipeline.run_text(text, date(2021, 3, 4))]
    assert got == [("Protests", "Peaceful protest")]


@pytest.mark.parametrize("sentence, place", [
    ("Tripoli's protesters held signs demanding the overthrow of the president.", "Tripoli"),
    ("By noon, Gaza's streets were empty.", "Gaza"),
])
def test_a_towns_crowd_or_streets_say_where(sentence, place):
    # extract.places._CROWD_OF: "X's protesters" is in X; a weekday's protest is no place
    from sitrep.extract.places import find_place_mentions

    assert [(p.text, p.role) for p in find_place_mentions(sentence)
            if p.role == "in"] == [(place, "in")]
    assert find_place_mentions("Friday's protests drew thousands.") == []
    # a person's or a group's rally is whose, not where; "Today's" is no town
    for other in ("Imran Khan's rally drew thousands.", "Today's protesters were calm."):
        assert [p for p in find_place_mentions(other) if p.role == "in"] == []


def test_the_protesters_of_another_town_are_another_protest(pipeline):
    text = ("Thousands marched in Beirut on Sunday against the political class.\n\n"
            "Tripoli's protesters held signs demanding the overthrow of the president, and by "
            "evening the main square was packed.")
    got = sorted(e.location for e in pipeline.run_text(text, date(2019, 12, 2)))
    assert got == ["Beirut", "Tripoli"]
