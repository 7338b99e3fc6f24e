//! A message chosen before its language is known: an id and its arguments. Errors carry
//! these, and the web layer renders them once it knows the request's locale.

/// An argument of a message, borrowed for one formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg<'a> {
    /// Shown as given (the template escapes it).
    Text(&'a str),
    /// A number; Fluent's plural selectors choose on it (`[one]`, `*[other]`).
    Count(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnedArg {
    Text(String),
    Count(i64),
}

/// A message id with owned arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: &'static str,
    args: Vec<(&'static str, OwnedArg)>,
}

impl Message {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    pub fn with_text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, OwnedArg::Text(value.into())));
        self
    }

    pub fn with_count(mut self, name: &'static str, value: i64) -> Self {
        self.args.push((name, OwnedArg::Count(value)));
        self
    }

    pub fn id(&self) -> &'static str {
        self.id
    }

    pub fn args(&self) -> impl Iterator<Item = (&str, Arg<'_>)> {
        self.args.iter().map(|(name, value)| {
            let value = match value {
                OwnedArg::Text(text) => Arg::Text(text),
                OwnedArg::Count(count) => Arg::Count(*count),
            };
            (*name, value)
        })
    }
}
