//! One test group per extraction stage, on the shapes news text throws at it:
//! reader, sentence splitter, entities, resolution, attribution, events and
//! time. Each assertion names the shape it protects.

mod common;

use common::{assert_claim, claims};
use newsgraph::extract::{
    EType, Extraction, Extractor, Stance, reader,
    sentences::{split, tokenize},
    time::{Ymd, normalise},
};

fn ex(body: &str) -> Extraction {
    common::article("2025-04-27", body)
}

fn entity<'a>(x: &'a Extraction, name: &str) -> &'a newsgraph::extract::Entity {
    x.entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no entity {name}; have {:?}",
                x.entities.iter().map(|e| &e.name).collect::<Vec<_>>()
            )
        })
}

// ---------------------------------------------------------------- reader

#[test]
fn reader_date_title_dateline_caption_heading_glued() {
    let d = reader::read(
        "date 2025-04-27 Pool via REUTERS\n\n\
         Putin hails victory in Kursk\n\n\
         Russian President Vladimir Putin listens to a report via video link at the residence outside Moscow, Russia April 26, 2025.\n\n\
         MOSCOW, April 26 (Reuters) – Putin said the troops had beenexpelled from the village.\n\n\
         NORTH KOREANS\n\n\
         North Korea sent troops.\n"
            .as_bytes(),
    )
    .unwrap();
    // the dateline's day wins over the header's
    assert_eq!(
        d.date,
        Some(Ymd {
            y: 2025,
            m: 4,
            d: 26
        })
    );
    assert_eq!(
        d.header_date,
        Some(Ymd {
            y: 2025,
            m: 4,
            d: 27
        })
    );
    assert_eq!(d.title.as_deref(), Some("Putin hails victory in Kursk"));
    // dateline removed, glued word repaired
    assert!(
        d.body.contains("Putin said the troops had been expelled"),
        "{}",
        d.body
    );
    assert!(!d.body.contains("(Reuters)"));
    // the credit line and the heading in capitals are not body text
    assert!(!d.body.contains("Pool via REUTERS"));
    assert!(!d.body.contains("NORTH KOREANS"));
    assert!(d.body.contains("North Korea sent troops."));
}

#[test]
fn reader_without_date_or_title_is_best_effort() {
    let d = reader::read(b"Putin said the war was over. Kyiv denied it.\n").unwrap();
    assert_eq!(d.date, None);
    assert!(
        d.body.contains("Kyiv denied it"),
        "a one-paragraph file is body text"
    );
    let x = Extractor::new()
        .extract(
            "n.txt",
            b"Some headline\n\nPutin said the war was over. Kyiv denied it.\n",
        )
        .unwrap();
    assert_eq!(x.date, None);
    assert_claim(&x, "Ukraine", Stance::Deny, "");
}

#[test]
fn reader_rejects_empty_binary_and_non_utf8() {
    assert!(reader::read(b"").is_err());
    assert!(
        reader::read(b"  \n\n ").is_err(),
        "a file of blanks is empty"
    );
    assert!(reader::read(&[0x00, 0x01, 0x02, b'a']).is_err());
    assert!(reader::read(&[b'c', b'a', b'f', 0xe9]).is_err());
}

// ---------------------------------------------------------------- sentences

fn sents(s: &str) -> Vec<String> {
    let t = tokenize(s);
    split(s, &t)
        .iter()
        .map(|x| s[x.start..x.end].to_string())
        .collect()
}

#[test]
fn sentences_abbreviations_initials_decimals() {
    let v = sents(
        "U.S. President Donald Trump met Gen. Valery Gerasimov at the U.N. headquarters. \
         Mr. J. R. Smith paid 3.5 million dollars. It ended.",
    );
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(v[0].ends_with("headquarters."), "U.N. mid-sentence: {v:?}");
    assert!(v[1].starts_with("Mr. J. R. Smith"), "initials: {v:?}");
    assert!(v[1].contains("3.5 million"), "decimal: {v:?}");
}

#[test]
fn sentences_quotes_spanning_sentences() {
    let v = sents("“It failed. We won,” Putin said. Then he left.");
    assert_eq!(v.len(), 3, "{v:?}");
    assert_eq!(v[1], "We won,” Putin said.");
}

#[test]
fn tokens_have_byte_offsets() {
    let s = "Kyiv’s forces – 3.5 km.";
    let t = tokenize(s);
    let w: Vec<&str> = t.iter().map(|t| &s[t.start..t.end]).collect();
    assert_eq!(w[0], "Kyiv");
    assert_eq!(w[1], "’s");
    assert!(w.contains(&"3.5"));
    for tk in &t {
        assert!(s.is_char_boundary(tk.start) && s.is_char_boundary(tk.end));
    }
}

// ---------------------------------------------------------------- entities

#[test]
fn entities_title_patterns_and_gazetteers() {
    let x = ex(
        "Chief of the General Staff of Russian Armed Forces Valery Gerasimov reported to Putin. \
         U.S. President Donald Trump met him in Rome.",
    );
    let g = entity(&x, "Valery Gerasimov");
    assert_eq!(g.etype, EType::Person);
    assert_eq!(
        entity(&x, "Russian Armed Forces").etype,
        EType::Organization
    );
    let t = entity(&x, "Donald Trump");
    assert_eq!(t.etype, EType::Person);
    let us = x
        .entities
        .iter()
        .position(|e| e.name == "United States")
        .unwrap();
    assert!(t.roles.iter().any(|(r, c)| r == "President" && *c == us));
    assert_eq!(entity(&x, "Rome").etype, EType::Place);
}

#[test]
fn entities_title_phrases_are_not_people() {
    let x = ex(
        "The Prime Minister spoke on National Day. Every Member State agreed; the member states met and the day passed.",
    );
    for bad in ["Prime Minister", "National Day", "Member State"] {
        assert!(
            !x.entities
                .iter()
                .any(|e| e.name == bad && e.etype == EType::Person),
            "{bad} typed as a person"
        );
    }
}

#[test]
fn entities_groups_and_acronyms() {
    let x = ex(
        "The bombing was blamed on Houthi rebels. The town was recaptured from Houthis in 2017. \
         The European Court of Justice (ECJ) ruled on Thursday. The ECJ said so.",
    );
    let h = entity(&x, "Houthi");
    assert_eq!(h.etype, EType::Organization);
    assert!(
        !x.entities
            .iter()
            .any(|e| e.name == "Houthis" && e.etype == EType::Place)
    );
    let ecj = entity(&x, "European Court of Justice");
    assert!(ecj.aliases.iter().any(|a| a == "ECJ"), "{:?}", ecj.aliases);
    assert!(!x.entities.iter().any(|e| e.name == "ECJ"));
}

#[test]
fn entities_containment_from_text() {
    let x = ex(
        "Gerasimov said the last settlement in the Kursk region, the village of Gornal, had been liberated.",
    );
    let gornal = entity(&x, "Gornal");
    let kursk = x
        .entities
        .iter()
        .position(|e| e.name == "Kursk region")
        .unwrap();
    assert!(gornal.part_of.contains(&kursk), "Gornal ⊂ Kursk region");
    let russia = x.entities.iter().position(|e| e.name == "Russia").unwrap();
    assert!(
        x.entities[kursk].part_of.contains(&russia),
        "Kursk region ⊂ Russia"
    );
}

// ---------------------------------------------------------------- resolution

#[test]
fn resolution_last_names_capitals_seats_demonyms_pronouns() {
    let x = ex(
        "Russian President Vladimir Putin spoke on Saturday. Putin said the war was going well. \
         Kyiv denied that its forces had retreated. The Kremlin said talks had stalled. \
         Washington said it was watching. The Ukrainians said they would fight on. \
         Gerasimov met Putin. He said the village had been liberated.",
    );
    let p = entity(&x, "Vladimir Putin");
    assert!(p.aliases.iter().any(|a| a == "Putin"));
    // last name → full name
    assert_claim(&x, "Vladimir Putin", Stance::Assert, "war was going well");
    // capital as government
    assert_claim(&x, "Ukraine", Stance::Deny, "its forces had retreated");
    // seat of government listed with its country
    assert_claim(&x, "Russia", Stance::Assert, "talks had stalled");
    assert_claim(&x, "United States", Stance::Assert, "watching");
    // demonym as actor
    assert_claim(&x, "Ukraine", Stance::Assert, "would fight on");
    // pronoun → last person
    assert!(
        claims(&x)
            .iter()
            .any(|(sp, _, c)| c.contains("liberated") && sp.iter().any(|s| s != "Ukraine")),
        "{:#?}",
        claims(&x)
    );
}

#[test]
fn resolution_definite_heads_and_affiliations() {
    let x = ex(
        "Nick Adderley wrote to the US Embassy in London. The embassy said the family had left. \
         Steve Peers of the University of Essex said the ruling was broad.",
    );
    assert_claim(&x, "US Embassy", Stance::Assert, "family had left");
    assert!(
        !claims(&x)
            .iter()
            .any(|(_, _, c)| c.contains("to the US Embassy")),
        "wrote to X is no claim"
    );
    assert_claim(&x, "Steve Peers", Stance::Assert, "ruling was broad");
}

// ---------------------------------------------------------------- attribution

#[test]
fn attribution_shapes() {
    let x = ex("Putin said the offensive had failed. \
         The troops had been expelled, Gerasimov said. \
         “The enemy is defeated,” said Putin. \
         According to Ukrainian officials, North Korea sent 14,000 troops. \
         Gerasimov told Putin that the village had been liberated. \
         Kyiv denied that its forces had been expelled. \
         Ukraine also denied Gerasimov’s assertion that all sabotage groups had been liquidated. \
         Reuters could not independently verify the battlefield assertions.");
    assert_claim(&x, "Putin", Stance::Assert, "offensive had failed");
    assert_claim(&x, "Gerasimov", Stance::Assert, "troops had been expelled");
    assert_claim(&x, "Putin", Stance::Assert, "The enemy is defeated");
    assert_claim(
        &x,
        "Ukraine",
        Stance::Assert,
        "North Korea sent 14,000 troops",
    );
    assert_claim(
        &x,
        "Gerasimov",
        Stance::Assert,
        "village had been liberated",
    );
    assert_claim(&x, "Ukraine", Stance::Deny, "its forces had been expelled");
    assert_claim(
        &x,
        "Gerasimov",
        Stance::Assert,
        "sabotage groups had been liquidated",
    );
    assert_claim(&x, "Ukraine", Stance::Deny, "assertion");
    assert_claim(&x, "Reuters", Stance::Question, "battlefield assertions");
}

#[test]
fn attribution_multi_sentence_quote_and_two_claims_in_one_sentence() {
    let x = ex(
        "Putin spoke. “The adventure has failed. Our forces will advance further,” Putin said. \
         Kyiv denied that its forces had left and said they were still operating in Belgorod.",
    );
    // a long quote: its first sentence is the content
    assert_claim(&x, "Putin", Stance::Assert, "The adventure has failed");
    assert_claim(&x, "Ukraine", Stance::Deny, "its forces had left");
    assert_claim(&x, "Ukraine", Stance::Assert, "still operating in Belgorod");
    // no claim for "neither confirmed nor denied"
    let y = ex("Russia had previously neither confirmed nor denied the presence of troops.");
    assert!(y.claims.is_empty(), "{:#?}", claims(&y));
}

#[test]
fn attribution_stated_tweeted_and_coordinated_verbs() {
    let x = ex(
        "The bomb was placed in a market, stated Minister of Information Moammar al-Eryani. \
         The mayor, Sadiq Khan, tweeted that the march was huge. \
         Dominic Raab urged the embassy to reconsider and spoke with Mike Pompeo.",
    );
    assert_claim(&x, "Moammar al-Eryani", Stance::Assert, "bomb was placed");
    assert_claim(&x, "Sadiq Khan", Stance::Assert, "march was huge");
    assert!(
        !claims(&x).iter().any(|(_, _, c)| c.contains("spoke with")),
        "a second coordinated verb ends the content: {:#?}",
        claims(&x)
    );
}

// ---------------------------------------------------------------- events and time

#[test]
fn events_types_and_arguments() {
    let x = ex(
        "Ukrainian forces seized a swathe of territory in Kursk region last August. \
         Officers shot him dead outside a store. \
         The prime minister signed a government decree banning face veils.",
    );
    let ev = |t: &str| x.events.iter().find(|e| e.etype == t);
    let s = ev("seize").expect("seize");
    assert_eq!(s.time.as_deref(), Some("2024-08"));
    assert!(
        ev("kill").is_some(),
        "shot dead is a killing: {:#?}",
        x.events
    );
    assert!(
        ev("rule").is_some(),
        "signed a decree is a ruling: {:#?}",
        x.events
    );
    assert!(ev("agree").is_none());
}

#[test]
fn time_expressions() {
    let a = Some(Ymd {
        y: 2025,
        m: 4,
        d: 26,
    });
    let n = |s: &str| {
        let w: Vec<&str> = s.split_whitespace().collect();
        normalise(&w, a)
    };
    assert_eq!(n("on Saturday").as_deref(), Some("2025-04-26"));
    assert_eq!(n("last August").as_deref(), Some("2024-08"));
    assert_eq!(n("last month").as_deref(), Some("2025-03"));
    assert_eq!(n("in February 2022").as_deref(), Some("2022-02"));
    assert_eq!(n("by the end of 2023").as_deref(), Some("2023"));
    assert_eq!(n("since 2014").as_deref(), Some("2014"));
}

#[test]
fn attribution_appositive_passive_and_according_to_adjunct() {
    let x = ex(
        "The mayor of London, Sadiq Khan, tweeted, “Enough is enough.” \
         Johnson was questioned about the case by reporters. \
         On Sunday in London, according to witnesses, a man entered a store.",
    );
    assert_claim(&x, "Sadiq Khan", Stance::Assert, "Enough is enough");
    assert!(
        !claims(&x)
            .iter()
            .any(|(_, _, c)| c.contains("mayor of London")),
        "the description is not the content: {:#?}",
        claims(&x)
    );
    assert!(
        !claims(&x).iter().any(|(_, st, _)| *st == Stance::Question),
        "a passive cue is no claim of its subject: {:#?}",
        claims(&x)
    );
    assert_claim(&x, "witnesses", Stance::Assert, "a man entered a store");
}

#[test]
fn events_deaths_and_role_nouns() {
    let x = ex("A collision killed motorcyclist Harry Dunn on August 27. \
         He died from his injuries at John Radcliffe Hospital.");
    let kills: Vec<_> = x.events.iter().filter(|e| e.etype == "kill").collect();
    assert!(
        kills.iter().any(|e| e
            .patient
            .as_ref()
            .is_some_and(|p| x.arg_names(p).iter().any(|n| n == "Harry Dunn"))),
        "{:#?}",
        x.events
    );
    // the death told again is the same happening: one event, not two
    assert_eq!(kills.len(), 1, "{:#?}", x.events);
    let x = ex("Harry Dunn died from his injuries at John Radcliffe Hospital.");
    assert!(
        x.events
            .iter()
            .any(|e| e.etype == "kill" && e.trigger == "died"),
        "died from injuries is a killing: {:#?}",
        x.events
    );
}
