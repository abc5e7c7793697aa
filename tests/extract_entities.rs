//! Which names an article's entity list holds, on sentences written for
//! these tests: clocks, laws, days and storms are not entities; a country
//! seen only through a modifying demonym is not listed; a capital is its
//! government where it acts and the city where it is a place, and a person's last
//! name that is also a capital stays the person.

use newsgraph::extract::Extraction;

mod common;

fn ex(body: &str) -> Extraction {
    common::article("2024-03-05", body)
}

/// (name, type) of every listed entity, as `extract --format json` prints.
fn listed(x: &Extraction) -> Vec<(String, String)> {
    x.to_json()["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or("").to_string(),
                e["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(x: &Extraction, name: &str) -> bool {
    listed(x).iter().any(|(n, _)| n == name)
}

#[test]
fn time_zones_and_diseases_are_not_organisations() {
    let x = ex(
        "The ferry left Harwich at 10:40 UTC on Tuesday. Officials said COVID-19 cases had doubled and GDP had fallen.",
    );
    for n in ["UTC", "COVID-19", "GDP"] {
        assert!(!has(&x, n), "{n} listed: {:?}", listed(&x));
    }
}

#[test]
fn laws_days_and_storms_are_not_entities() {
    let x = ex(
        "The Clean Harbours Act was passed before Harvest Day. Hurricane Delia struck the coast a week later, and Operation Northern Lantern began.",
    );
    let l = listed(&x);
    for n in [
        "Clean Harbours Act",
        "Harvest Day",
        "Hurricane Delia",
        "Operation Northern Lantern",
    ] {
        assert!(
            !l.iter().any(|(name, _)| name.contains(n)),
            "{n} listed: {l:?}"
        );
    }
}

#[test]
fn a_modifying_demonym_does_not_list_its_country() {
    let x =
        ex("The museum holds Spanish colonial maps. The British were never popular in the port.");
    assert!(!has(&x, "Spain"), "Spain listed: {:?}", listed(&x));
    assert!(
        has(&x, "United Kingdom"),
        "the British as actors: {:?}",
        listed(&x)
    );
}

#[test]
fn a_capital_that_acts_is_its_government_and_a_place_is_the_city() {
    let x = ex("Kyiv said the talks had failed. The fair opened in Vienna on Monday.");
    assert!(has(&x, "Ukraine"), "{:?}", listed(&x));
    assert!(!has(&x, "Kyiv"), "Kyiv said → Ukraine: {:?}", listed(&x));
    assert!(has(&x, "Vienna"), "{:?}", listed(&x));
    assert!(
        !has(&x, "Austria"),
        "Vienna as a place is not Austria: {:?}",
        listed(&x)
    );
}

#[test]
fn a_last_name_that_is_a_capital_stays_the_person() {
    let x =
        ex("The driver, named as Pieter Amman, was arrested on Friday. Amman was held overnight.");
    assert!(has(&x, "Pieter Amman"), "{:?}", listed(&x));
    assert!(
        !has(&x, "Jordan"),
        "Amman the man is not Jordan: {:?}",
        listed(&x)
    );
}

#[test]
fn a_party_before_a_name_is_an_affiliation_not_part_of_it() {
    let x = ex("Democrat Ellen Marsh and Republican Tom Ridley both voted against the bill.");
    assert!(has(&x, "Ellen Marsh"), "{:?}", listed(&x));
    assert!(has(&x, "Tom Ridley"), "{:?}", listed(&x));
    assert!(
        !listed(&x)
            .iter()
            .any(|(n, _)| n.starts_with("Democrat") || n.starts_with("Republican")),
        "{:?}",
        listed(&x)
    );
}

#[test]
fn a_bare_title_of_a_body_names_the_body() {
    let x = ex(
        "Anna Berg, CEO of Velmora, said sales fell. The runway was closed, according to the Directorate General of Harbour Aviation.",
    );
    let l = listed(&x);
    assert!(has(&x, "Velmora"), "{l:?}");
    assert!(!l.iter().any(|(n, _)| n.contains("CEO")), "{l:?}");
    assert!(
        l.iter()
            .any(|(n, t)| n == "Directorate General of Harbour Aviation" && t == "organization"),
        "{l:?}"
    );
}

#[test]
fn an_acronym_title_after_a_party_leaves_the_party() {
    let x = ex("A Labour MP said the vote was close.");
    assert!(!has(&x, "Labour MP"), "{:?}", listed(&x));
}
