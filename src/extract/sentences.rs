//! Tokens and sentences with byte offsets into the body text.
//!
//! Owns: tokenisation (words, numbers, abbreviations such as `U.S.`,
//! punctuation, possessive `'s`) and sentence boundaries that survive `U.S.`,
//! `U.N.`, `Gen.`, `Mr.`, initials, decimals and closing quotes. Sentence
//! indices are 0-based over the body (the title is not a sentence). May not
//! touch: entities, claims, events or the graph. Linear in the text length.

use super::lexicon::tables;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Token index range in the document's token list.
    pub tok_start: usize,
    pub tok_end: usize,
}

fn is_apos(c: char) -> bool {
    c == '\'' || c == '’'
}

/// The byte length of a clitic `n't` (or `n’t`) at `i`, ending a word.
fn negation_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if !matches!(b.get(i), Some(b'n' | b'N')) {
        return None;
    }
    let rest = &text[i + 1..];
    let a = if rest.starts_with('\'') {
        1
    } else if rest.starts_with('’') {
        '’'.len_utf8()
    } else {
        return None;
    };
    let end = i + 1 + a;
    if !matches!(b.get(end), Some(b't' | b'T')) {
        return None;
    }
    let after = text[end + 1..].chars().next();
    (!after.is_some_and(|x| x.is_alphanumeric())).then_some(end + 1 - i)
}

/// Tokenises `text` (linear, no per-character allocation).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let at = |k: usize| text[k..].chars().next();
    let mut i = 0;
    let n = text.len();
    while i < n {
        let Some(c) = at(i) else { break };
        let s = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if let Some(len) = negation_at(text, i) {
            out.push(Token {
                start: s,
                end: i + len,
                kind: Kind::Word,
            });
            i += len;
            continue;
        }
        if c.is_alphanumeric() {
            let numeric = c.is_ascii_digit();
            let mut j = i + c.len_utf8();
            let mut seg_start = i;
            while j < n {
                let Some(cj) = at(j) else { break };
                if cj.is_alphanumeric() {
                    j += cj.len_utf8();
                    continue;
                }
                let nj = j + cj.len_utf8();
                let next = if nj < n { at(nj) } else { None };
                let next_an = next.is_some_and(|x| x.is_alphanumeric());
                if !next_an {
                    break;
                }
                let ok = match cj {
                    '-' => true,
                    ',' => numeric && next.is_some_and(|x| x.is_ascii_digit()),
                    '.' => {
                        if numeric {
                            next.is_some_and(|x| x.is_ascii_digit())
                        } else {
                            text[seg_start..j].chars().count() == 1
                        }
                    }
                    '\'' | '’' => {
                        // keep O'Brien, split possessive 's and n't
                        let after = if nj < n { at(nj + 1) } else { None };
                        !matches!(next, Some('s') | Some('t'))
                            || after.is_some_and(|x| x.is_alphanumeric())
                    }
                    _ => false,
                };
                if !ok {
                    // "didn't" is "did" + "n't", as the treebanks cut it
                    if is_apos(cj) && j > s + 1 && negation_at(text, j - 1).is_some() {
                        j -= 1;
                    }
                    break;
                }
                if cj == '.' {
                    seg_start = nj;
                }
                j = nj + next.map_or(0, |x| x.len_utf8());
            }
            // trailing period of an abbreviation like U.S. or Gen.
            if j < n && text.as_bytes()[j] == b'.' {
                let w = &text[s..j];
                let with_dot = &text[s..j + 1];
                if (w.contains('.') && !numeric)
                    || tables().abbrevs.contains(with_dot)
                    || (w.len() == 1 && w.chars().all(|c| c.is_uppercase()))
                {
                    j += 1;
                }
            }
            out.push(Token {
                start: s,
                end: j,
                kind: if numeric { Kind::Num } else { Kind::Word },
            });
            i = j;
            continue;
        }
        let cl = c.len_utf8();
        if is_apos(c)
            && text[i + cl..].starts_with('s')
            && !text[i + cl + 1..]
                .chars()
                .next()
                .is_some_and(|x| x.is_alphanumeric())
        {
            out.push(Token {
                start: s,
                end: i + cl + 1,
                kind: Kind::Word,
            });
            i += cl + 1;
            continue;
        }
        out.push(Token {
            start: s,
            end: i + cl,
            kind: Kind::Punct,
        });
        i += cl;
    }
    out
}

fn is_closer(s: &str) -> bool {
    matches!(s, "”" | "\"" | "’" | "'" | ")" | "]")
}

/// Splits into sentences; never across paragraph breaks.
pub fn split(text: &str, toks: &[Token]) -> Vec<Sentence> {
    let t = tables();
    let mut out = Vec::new();
    let mut first = 0usize;
    let push = |out: &mut Vec<Sentence>, a: usize, b: usize| {
        if b > a {
            out.push(Sentence {
                start: toks[a].start,
                end: toks[b - 1].end,
                tok_start: a,
                tok_end: b,
            });
        }
    };
    let mut i = 0;
    while i < toks.len() {
        // paragraph break between i-1 and i
        if i > first && text[toks[i - 1].end..toks[i].start].contains('\n') {
            push(&mut out, first, i);
            first = i;
        }
        let tk = toks[i];
        let s = &text[tk.start..tk.end];
        let mut boundary = false;
        let mut end = i + 1;
        if matches!(s, "." | "!" | "?") {
            boundary = true;
        } else if tk.kind == Kind::Word && s.ends_with('.') {
            // abbreviation-final period: a boundary only when it can end a sentence
            let single_initial = s.len() == 2;
            if !t.abbrevs.contains(s) && !single_initial {
                // U.S. / U.N. end a sentence only before a non-name word
                let next_cap = toks
                    .get(i + 1)
                    .map(|n| {
                        text[n.start..n.end]
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_uppercase())
                    })
                    .unwrap_or(true);
                let next_is_func = toks
                    .get(i + 1)
                    .map(|n| {
                        matches!(
                            &text[n.start..n.end],
                            "The"
                                | "It"
                                | "He"
                                | "She"
                                | "They"
                                | "But"
                                | "In"
                                | "A"
                                | "On"
                                | "This"
                                | "We"
                                | "I"
                        )
                    })
                    .unwrap_or(true);
                boundary = !next_cap || next_is_func;
                boundary = boundary && next_cap;
            }
        }
        if boundary {
            while end < toks.len()
                && is_closer(&text[toks[end].start..toks[end].end])
                && toks[end].start == toks[end - 1].end
            {
                end += 1;
            }
            let next_ok = match toks.get(end) {
                None => true,
                Some(n) => {
                    let ns = &text[n.start..n.end];
                    let c = ns.chars().next().unwrap_or('a');
                    n.start > toks[end - 1].end
                        && (c.is_uppercase()
                            || c.is_ascii_digit()
                            || matches!(c, '“' | '"' | '‘' | '(' | '\''))
                }
            };
            if next_ok {
                push(&mut out, first, end);
                first = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push(&mut out, first, toks.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(s: &str) -> Vec<String> {
        let t = tokenize(s);
        split(s, &t)
            .iter()
            .map(|x| s[x.start..x.end].to_string())
            .collect()
    }

    #[test]
    fn abbreviations_and_decimals() {
        let v = sents(
            "U.S. President Donald Trump met Gen. Smith. It cost 3.5 billion. Mr. J. Doe left.",
        );
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v[0].ends_with("Smith."));
    }

    #[test]
    fn quotes_close_sentences() {
        let v = sents("“It failed.” Putin said so. He left the U.N. The end.");
        assert_eq!(
            v,
            vec![
                "“It failed.”",
                "Putin said so.",
                "He left the U.N.",
                "The end."
            ]
        );
    }

    #[test]
    fn tokens_possessive() {
        let s = "Russia’s forces";
        let t = tokenize(s);
        let w: Vec<&str> = t.iter().map(|t| &s[t.start..t.end]).collect();
        assert_eq!(w, vec!["Russia", "’s", "forces"]);
    }

    #[test]
    fn tokens_negation_clitic() {
        let s = "They didn't go, won’t stay and can't; O'Neill isn't Nathan.";
        let t = tokenize(s);
        let w: Vec<&str> = t.iter().map(|t| &s[t.start..t.end]).collect();
        assert_eq!(
            w,
            vec![
                "They", "did", "n't", "go", ",", "wo", "n’t", "stay", "and", "ca", "n't", ";",
                "O'Neill", "is", "n't", "Nathan", "."
            ]
        );
    }
}
