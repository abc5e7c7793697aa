//! The closed tag sets of the syntax core: UD part-of-speech tags, the Penn
//! Treebank tags that EWT and GUM use as XPOS, and the UD relation labels.
//! Inside the program a tag is a small integer; names appear only at the
//! edges (CoNLL-U in and out, model files).

/// The 17 UD part-of-speech tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum Upos {
    Adj,
    Adp,
    Adv,
    Aux,
    Cconj,
    Det,
    Intj,
    Noun,
    Num,
    Part,
    Pron,
    Propn,
    Punct,
    Sconj,
    Sym,
    Verb,
    #[default]
    X,
}

/// UPOS names in the order of [`Upos`].
pub const UPOS_NAMES: [&str; 17] = [
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
    "PUNCT", "SCONJ", "SYM", "VERB", "X",
];

const UPOS_ALL: [Upos; 17] = [
    Upos::Adj,
    Upos::Adp,
    Upos::Adv,
    Upos::Aux,
    Upos::Cconj,
    Upos::Det,
    Upos::Intj,
    Upos::Noun,
    Upos::Num,
    Upos::Part,
    Upos::Pron,
    Upos::Propn,
    Upos::Punct,
    Upos::Sconj,
    Upos::Sym,
    Upos::Verb,
    Upos::X,
];

impl Upos {
    pub fn name(self) -> &'static str {
        UPOS_NAMES[self as usize]
    }
    pub fn parse(name: &str) -> Option<Upos> {
        UPOS_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| UPOS_ALL[i])
    }
    pub fn from_index(i: usize) -> Option<Upos> {
        UPOS_ALL.get(i).copied()
    }
}

/// Penn Treebank tags as EWT and GUM use them (XPOS). Index = tag id.
pub const XPOS_NAMES: [&str; 50] = [
    "NN", "IN", "DT", "NNP", "JJ", "PRP", ".", "RB", "NNS", ",", "VB", "CC", "VBD", "VBP", "VBZ",
    "CD", "VBN", "VBG", "TO", "MD", "PRP$", "-RRB-", "-LRB-", ":", "WDT", "``", "WRB", "''",
    "HYPH", "POS", "WP", "RP", "UH", "NNPS", "JJR", "JJS", "EX", "RBR", "NFP", "ADD", "SYM", "FW",
    "GW", "$", "PDT", "RBS", "LS", "AFX", "WP$", "XX",
];

/// An XPOS tag id (index into [`XPOS_NAMES`]).
pub type Xpos = u8;

pub fn xpos_parse(name: &str) -> Option<Xpos> {
    XPOS_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| i as Xpos)
}

pub fn xpos_name(x: Xpos) -> &'static str {
    XPOS_NAMES.get(x as usize).copied().unwrap_or("XX")
}

/// UD relation labels (with the subtypes EWT and GUM use). Index = label id;
/// 0 is `root`.
pub const DEPREL_NAMES: [&str; 51] = [
    "root",
    "punct",
    "case",
    "det",
    "nsubj",
    "amod",
    "advmod",
    "obj",
    "obl",
    "nmod",
    "conj",
    "compound",
    "cc",
    "mark",
    "aux",
    "cop",
    "advcl",
    "nmod:poss",
    "xcomp",
    "flat",
    "acl:relcl",
    "ccomp",
    "acl",
    "appos",
    "nummod",
    "aux:pass",
    "parataxis",
    "nsubj:pass",
    "nmod:unmarked",
    "obl:unmarked",
    "discourse",
    "compound:prt",
    "expl",
    "fixed",
    "iobj",
    "list",
    "obl:agent",
    "dep",
    "nmod:desc",
    "csubj",
    "nsubj:outer",
    "det:predet",
    "advcl:relcl",
    "vocative",
    "goeswith",
    "reparandum",
    "cc:preconj",
    "orphan",
    "dislocated",
    "csubj:pass",
    "csubj:outer",
];

/// A relation label id (index into [`DEPREL_NAMES`]).
pub type Deprel = u8;

pub const ROOT: Deprel = 0;

pub fn deprel_parse(name: &str) -> Option<Deprel> {
    DEPREL_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| i as Deprel)
}

pub fn deprel_name(d: Deprel) -> &'static str {
    DEPREL_NAMES.get(d as usize).copied().unwrap_or("dep")
}

/// Entity types of the entity tagger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum EntityType {
    Person,
    Organization,
    Place,
}

impl EntityType {
    pub const ALL: [EntityType; 3] = [
        EntityType::Person,
        EntityType::Organization,
        EntityType::Place,
    ];
    /// The CoNLL/UNER short name: PER, ORG, LOC.
    pub fn short(self) -> &'static str {
        match self {
            EntityType::Person => "PER",
            EntityType::Organization => "ORG",
            EntityType::Place => "LOC",
        }
    }
    pub fn parse_short(s: &str) -> Option<EntityType> {
        match s {
            "PER" => Some(EntityType::Person),
            "ORG" => Some(EntityType::Organization),
            "LOC" => Some(EntityType::Place),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (i, n) in UPOS_NAMES.iter().enumerate() {
            assert_eq!(Upos::parse(n).map(|u| u as usize), Some(i));
            assert_eq!(Upos::from_index(i).map(Upos::name), Some(*n));
        }
        for (i, n) in XPOS_NAMES.iter().enumerate() {
            assert_eq!(xpos_parse(n), Some(i as u8));
        }
        for (i, n) in DEPREL_NAMES.iter().enumerate() {
            assert_eq!(deprel_parse(n), Some(i as u8));
        }
        assert_eq!(deprel_parse("nope"), None);
    }
}
