//! The news schema: the labels and relationship types that extraction writes
//! and that queries and plain questions read. The store itself accepts any
//! label or type; these names are the shared vocabulary.

/// Node labels.
pub mod label {
    pub const PERSON: &str = "Person";
    pub const ORGANIZATION: &str = "Organization";
    pub const PLACE: &str = "Place";
    pub const COUNTRY: &str = "Country";
    pub const ACTOR: &str = "Actor";
    pub const EVENT: &str = "Event";
    pub const CLAIM: &str = "Claim";
    pub const ARTICLE: &str = "Article";
}

/// Relationship types.
pub mod rel {
    pub const SAID: &str = "SAID";
    pub const DENIED: &str = "DENIED";
    pub const CONFIRMED: &str = "CONFIRMED";
    pub const ACCUSED: &str = "ACCUSED";
    pub const PRAISED: &str = "PRAISED";
    pub const CRITICIZED: &str = "CRITICIZED";
    pub const WARNED: &str = "WARNED";
    pub const PROMISED: &str = "PROMISED";
    pub const QUESTIONED: &str = "QUESTIONED";
    pub const ABOUT: &str = "ABOUT";
    pub const PERFORMED: &str = "PERFORMED";
    pub const AFFECTED: &str = "AFFECTED";
    pub const OCCURRED_IN: &str = "OCCURRED_IN";
    pub const PART_OF: &str = "PART_OF";
    pub const HOLDS_ROLE: &str = "HOLDS_ROLE";
    pub const MENTIONED_IN: &str = "MENTIONED_IN";
    /// From an event to each article that reports it.
    pub const REPORTED_IN: &str = "REPORTED_IN";
    pub const CONTRADICTS: &str = "CONTRADICTS";

    /// The relationship types from an actor to a claim, one per stance.
    pub const STANCES: [&str; 9] = [
        SAID, DENIED, CONFIRMED, ACCUSED, PRAISED, CRITICIZED, WARNED, PROMISED, QUESTIONED,
    ];
}

/// Property keys with a meaning to the store's name index.
pub mod key {
    pub const NAME: &str = "name";
    pub const ALIASES: &str = "aliases";
}
