//! The seed article (`data/articles/2025-04-26-kursk.txt`) written out: the
//! entities, claims (speaker, stance, content) and events extraction must
//! find in it.

use newsgraph::extract::{EType, Extraction, Extractor, Stance};

fn seed() -> Extraction {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/articles/2025-04-26-kursk.txt"
    );
    let bytes = std::fs::read(path).unwrap();
    Extractor::new()
        .extract("2025-04-26-kursk.txt", &bytes)
        .unwrap()
}

#[test]
fn seed_date_and_entities() {
    let x = seed();
    assert_eq!(
        x.date.as_deref(),
        Some("2025-04-26"),
        "dateline wins over the header"
    );
    let expected = [
        ("Vladimir Putin", EType::Person, &["Putin"][..]),
        ("Valery Gerasimov", EType::Person, &["Gerasimov"][..]),
        ("Volodymyr Zelenskiy", EType::Person, &["Zelenskiy"][..]),
        ("Donald Trump", EType::Person, &["Trump"][..]),
        ("Pope Francis", EType::Person, &[][..]),
        ("Russia", EType::Place, &["Russian", "Moscow"][..]),
        ("Ukraine", EType::Place, &["Ukrainian", "Kyiv"][..]),
        ("North Korea", EType::Place, &["North Korean"][..]),
        ("United States", EType::Place, &["U.S."][..]),
        ("Kursk region", EType::Place, &["Kursk"][..]),
        ("Belgorod region", EType::Place, &["Belgorod"][..]),
        ("Gornal", EType::Place, &[][..]),
        ("Rome", EType::Place, &[][..]),
        ("Russian Armed Forces", EType::Organization, &[][..]),
        ("Reuters", EType::Organization, &[][..]),
        ("Telegram", EType::Organization, &[][..]),
        ("White House", EType::Organization, &[][..]),
        ("Kremlin", EType::Organization, &[][..]),
    ];
    for (name, ty, aliases) in expected {
        let e = x
            .entities
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("missing entity {name}"));
        assert_eq!(e.etype, ty, "{name}");
        for a in aliases {
            assert!(
                e.aliases.iter().any(|x| x == a),
                "{name} lacks alias {a}: {:?}",
                e.aliases
            );
        }
    }
    // no title phrase or heading became an entity
    for bad in [
        "NORTH KOREANS",
        "Chief",
        "General Staff of Russian Armed Forces Valery Gerasimov",
    ] {
        assert!(!x.entities.iter().any(|e| e.name == bad), "{bad}");
    }
}

#[test]
fn seed_claims() {
    let x = seed();
    let got: Vec<(Vec<String>, Stance, String)> = x
        .claims
        .iter()
        .map(|c| (x.arg_names(&c.speaker), c.stance, c.content.clone()))
        .collect();
    let expected = [
        (
            "Vladimir Putin",
            Stance::Praise,
            "complete failure of an offensive",
        ),
        ("Russia", Stance::Assert, "expelled from the last village"),
        (
            "Russia",
            Stance::Confirm,
            "North Korean soldiers have been fighting",
        ),
        ("Valery Gerasimov", Stance::Praise, "heroism"),
        (
            "Ukraine",
            Stance::Deny,
            "its forces had been expelled from Kursk",
        ),
        ("Ukraine", Stance::Assert, "still operating in Belgorod"),
        (
            "Vladimir Putin",
            Stance::Assert,
            "expulsion of Ukrainian forces",
        ),
        (
            "Vladimir Putin",
            Stance::Assert,
            "adventure has completely failed",
        ),
        ("Vladimir Putin", Stance::Assert, "full defeat of the enemy"),
        ("Valery Gerasimov", Stance::Assert, "village of Gornal"),
        (
            "Valery Gerasimov",
            Stance::Assert,
            "defeat of the armed formations",
        ),
        ("Ukraine", Stance::Assert, "continuing their operations"),
        ("Ukraine", Stance::Deny, "assertion"),
        ("Valery Gerasimov", Stance::Assert, "sabotage groups"),
        ("Reuters", Stance::Question, "battlefield assertions"),
        ("Valery Gerasimov", Stance::Praise, "contribution in Kursk"),
        ("Ukraine", Stance::Assert, "14,000 troops"),
        ("Russia", Stance::Deny, "weapons transfers"),
        ("North Korea", Stance::Deny, "weapons transfers"),
        ("Volodymyr Zelenskiy", Stance::Assert, "bargaining chip"),
    ];
    for (sp, st, content) in expected {
        assert!(
            got.iter()
                .any(|(s, t, c)| s.iter().any(|x| x == sp) && *t == st && c.contains(content)),
            "missing claim ({sp}, {st:?}, …{content}…); got {got:#?}"
        );
    }
    // no claim for "neither confirmed nor denied"
    assert!(
        !got.iter()
            .any(|(_, _, c)| c.contains("presence of North Korean troops"))
    );
}

#[test]
fn seed_events() {
    let x = seed();
    let name = |a: &Option<newsgraph::extract::Arg>| -> String {
        a.as_ref()
            .map(|a| x.arg_names(a).join("|"))
            .unwrap_or_default()
    };
    let got: Vec<(String, String, String, String, Option<String>)> = x
        .events
        .iter()
        .map(|e| {
            (
                e.etype.clone(),
                name(&e.agent),
                name(&e.patient),
                name(&e.place),
                e.time.clone(),
            )
        })
        .collect();
    // (type, agent contains, patient contains, place contains, time)
    let expected = [
        ("seize", "Ukraine", "", "Kursk", Some("2024-08")),
        ("invade", "Ukraine", "", "Belgorod", Some("2025-03")),
        ("invade", "Russia", "Ukraine", "", Some("2022-02")),
        ("supply", "North Korea", "Russia", "", None),
        ("deploy", "North Korea", "", "", None),
        ("meet", "Zelenskiy", "Trump", "Rome", Some("2025-04-26")),
    ];
    for (ty, ag, pa, pl, tm) in expected {
        assert!(
            got.iter().any(|(t, a, p, l, time)| t == ty
                && a.contains(ag)
                && p.contains(pa)
                && l.contains(pl)
                && (tm.is_none() || time.as_deref() == tm)),
            "missing event ({ty}, {ag}, {pa}, {pl}, {tm:?}); got {got:#?}"
        );
    }
}
