//! The condition notation of rule files.
//!
//! A list's condition is written the way the law composes it:
//!
//! ```text
//! residents and 2 of [outside_labour, convicted, basic_education, income]
//! udsat_boligomraade and non_western
//! residents and (outside_labour_40 or (residents_5000 and outside_labour_30))
//! ```
//!
//! Names refer to the rule set's criteria or to its other lists. `k of [..]` holds when at least
//! `k` of the items hold. `and` binds tighter than `or`; `not` tighter than both.
//! A hand-written recursive-descent parser: the grammar is five rules, smaller than any parser
//! crate's setup.

use std::fmt;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A criterion of the same rule set holds.
    Criterion(String),
    /// The area is on another list of the same rule set this year.
    List(String),
    /// Negation.
    Not(Box<Expr>),
    /// All hold.
    All(Vec<Expr>),
    /// At least one holds.
    Any(Vec<Expr>),
    /// At least `k` of the items hold ("mindst 2 af følgende 4 kriterier").
    AtLeast {
        /// How many must hold.
        k: usize,
        /// The items.
        of: Vec<Expr>,
    },
}

impl Expr {
    /// Parses a condition, as a rule file's loader does. `is_list(name)` says whether a name is
    /// a list (`Some(true)`), a criterion (`Some(false)`) or unknown (`None`).
    ///
    /// # Errors
    ///
    /// An [`ExprError`] at the offending token, also for a condition nested deeper than
    /// [`MAX_DEPTH`].
    pub fn parse(src: &str, is_list: &dyn Fn(&str) -> Option<bool>) -> Result<Expr, ExprError> {
        parse(src, is_list)
    }

    /// Every criterion id named, in order of appearance.
    pub fn criteria(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Criterion(id) = e {
                out.push(id.as_str());
            }
        });
        out
    }

    /// Every list id named, in order of appearance.
    pub fn lists(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::List(id) = e {
                out.push(id.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Criterion(_) | Expr::List(_) => {}
            Expr::Not(e) => e.walk(f),
            Expr::All(es) | Expr::Any(es) | Expr::AtLeast { of: es, .. } => {
                es.iter().for_each(|e| e.walk(f))
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join(f: &mut fmt::Formatter<'_>, es: &[Expr], sep: &str) -> fmt::Result {
            for (i, e) in es.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                match e {
                    Expr::All(_) | Expr::Any(_) => write!(f, "({e})")?,
                    _ => write!(f, "{e}")?,
                }
            }
            Ok(())
        }
        match self {
            Expr::Criterion(id) | Expr::List(id) => f.write_str(id),
            Expr::Not(e) => match **e {
                Expr::All(_) | Expr::Any(_) => write!(f, "not ({e})"),
                _ => write!(f, "not {e}"),
            },
            Expr::All(es) => join(f, es, " and "),
            Expr::Any(es) => join(f, es, " or "),
            Expr::AtLeast { k, of } => {
                write!(f, "{k} of [")?;
                join(f, of, ", ")?;
                f.write_str("]")
            }
        }
    }
}

/// A syntax error in a condition, at a byte offset into the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the condition.
    pub offset: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Int(usize),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
}

fn tokenize(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        let simple = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            '[' => Some(Tok::OpenBracket),
            ']' => Some(Tok::CloseBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = simple {
            out.push((i, t));
            chars.next();
        } else if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &src[i..end];
            let tok = match word.parse::<usize>() {
                Ok(n) => Tok::Int(n),
                Err(_) => Tok::Word(word.to_string()),
            };
            out.push((i, tok));
        } else {
            return Err(ExprError {
                offset: i,
                message: format!(
                    "unexpected character '{c}'; expected a name, a number, 'and', 'or', 'not', '(', ')', '[', ']' or ','"
                ),
            });
        }
    }
    Ok(out)
}

/// The deepest nesting a condition may have: parentheses, `not`s and `k of [..]` inside each
/// other. The law's conditions nest three or four deep; the bound keeps the recursive parser
/// (and every walk over the result) far from the end of the stack, whatever the input.
pub const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
    depth: usize,
    is_list: &'a dyn Fn(&str) -> Option<bool>,
}

/// Parses a condition. `is_list(name)` says whether a name is a list (`Some(true)`), a
/// criterion (`Some(false)`) or unknown (`None`).
pub fn parse(src: &str, is_list: &dyn Fn(&str) -> Option<bool>) -> Result<Expr, ExprError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        len: src.len(),
        depth: 0,
        is_list,
    };
    let e = p.or()?;
    if let Some((off, t)) = p.toks.get(p.pos) {
        return Err(ExprError {
            offset: *off,
            message: format!(
                "unexpected {}; expected 'and', 'or' or the end",
                describe(t)
            ),
        });
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Int(n) => format!("number {n}"),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::OpenBracket => "'['".into(),
        Tok::CloseBracket => "']'".into(),
        Tok::Comma => "','".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |(o, _)| *o)
    }

    fn err<T>(&self, expected: &str) -> Result<T, ExprError> {
        let found = self
            .peek()
            .map_or_else(|| "the end of the condition".to_string(), describe);
        Err(ExprError {
            offset: self.offset(),
            message: format!("found {found}; expected {expected}"),
        })
    }

    fn keyword(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w == kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<(), ExprError> {
        if self.peek() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(expected)
        }
    }

    /// Runs `f` one level deeper, refusing a condition nested deeper than [`MAX_DEPTH`] at the
    /// token that would go deeper.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(ExprError {
                offset: self.offset(),
                message: format!(
                    "a condition nested at most {MAX_DEPTH} deep (parentheses, 'not' and 'k of [..]' inside each other)"
                ),
            });
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Expr::Any(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.unary()?];
        while self.keyword("and") {
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Expr::All(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if matches!(self.peek(), Some(Tok::Word(w)) if w == "not") {
            return self.nested(|p| {
                p.pos += 1;
                Ok(Expr::Not(Box::new(p.unary()?)))
            });
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        match self.peek().cloned() {
            Some(Tok::Open) => self.nested(|p| {
                p.pos += 1;
                let e = p.or()?;
                p.expect(Tok::Close, "')'")?;
                Ok(e)
            }),
            Some(Tok::Int(k)) => self.nested(|p| p.at_least(k)),
            Some(Tok::Word(w)) if !matches!(w.as_str(), "and" | "or" | "not" | "of") => {
                let off = self.offset();
                self.pos += 1;
                match (self.is_list)(&w) {
                    Some(true) => Ok(Expr::List(w)),
                    Some(false) => Ok(Expr::Criterion(w)),
                    None => Err(ExprError {
                        offset: off,
                        message: format!(
                            "'{w}' is neither a criterion nor a list of this rule set"
                        ),
                    }),
                }
            }
            _ => self.err("a criterion, a list, 'not', '(' or 'k of [..]'"),
        }
    }

    /// `k of [..]`, after the number `k`.
    fn at_least(&mut self, k: usize) -> Result<Expr, ExprError> {
        self.pos += 1;
        if !self.keyword("of") {
            return self.err("'of' after the number (as in '2 of [a, b, c]')");
        }
        self.expect(Tok::OpenBracket, "'[' after 'of'")?;
        let mut of = vec![self.or()?];
        while self.peek() == Some(&Tok::Comma) {
            self.pos += 1;
            of.push(self.or()?);
        }
        self.expect(Tok::CloseBracket, "',' or ']'")?;
        if k == 0 || k > of.len() {
            return Err(ExprError {
                offset: self.offset(),
                message: format!(
                    "'{k} of' a list of {} items can never be decided; expected 1 to {}",
                    of.len(),
                    of.len()
                ),
            });
        }
        Ok(Expr::AtLeast { k, of })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<bool> {
        match name {
            "a" | "b" | "c" | "d" => Some(false),
            "udsat" => Some(true),
            _ => None,
        }
    }

    #[test]
    fn precedence_and_k_of_n() {
        let e = parse("a and 2 of [b, c, d] or not udsat", &lookup).unwrap();
        assert_eq!(
            e,
            Expr::Any(vec![
                Expr::All(vec![
                    Expr::Criterion("a".into()),
                    Expr::AtLeast {
                        k: 2,
                        of: vec![
                            Expr::Criterion("b".into()),
                            Expr::Criterion("c".into()),
                            Expr::Criterion("d".into())
                        ]
                    }
                ]),
                Expr::Not(Box::new(Expr::List("udsat".into())))
            ])
        );
        assert_eq!(e.to_string(), "(a and 2 of [b, c, d]) or not udsat");
        assert_eq!(e.criteria(), vec!["a", "b", "c", "d"]);
        assert_eq!(e.lists(), vec!["udsat"]);
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let err = parse("a and zz", &lookup).unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(err.message.contains("'zz' is neither"), "{}", err.message);
        let err = parse("5 of [a, b]", &lookup).unwrap_err();
        assert!(err.message.contains("expected 1 to 2"), "{}", err.message);
        let err = parse("a b", &lookup).unwrap_err();
        assert_eq!(err.offset, 2);
        let err = parse("(a and b", &lookup).unwrap_err();
        assert!(err.message.contains("expected ')'"), "{}", err.message);
        let err = parse("a ≥ b", &lookup).unwrap_err();
        assert_eq!(err.offset, 2);
    }

    #[test]
    fn deep_nesting_is_an_error_at_the_token_not_a_stack_overflow() {
        let deep = format!("{}a{}", "(".repeat(20_000), ")".repeat(20_000));
        let err = parse(&deep, &lookup).unwrap_err();
        assert_eq!(err.offset, MAX_DEPTH, "{}", err.message);
        assert!(
            err.message.contains("nested at most 64 deep"),
            "{}",
            err.message
        );
        let nots = format!("{}a", "not ".repeat(100_000));
        let err = parse(&nots, &lookup).unwrap_err();
        assert_eq!(err.offset, 4 * MAX_DEPTH, "{}", err.message);
        let ks = format!("{}a{}", "1 of [".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&ks, &lookup).is_err());
        // As deep as allowed still parses.
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse(&ok, &lookup).unwrap(), Expr::Criterion("a".into()));
        let ok = format!("{}a", "not ".repeat(MAX_DEPTH));
        assert!(parse(&ok, &lookup).is_ok());
    }
}
