//! The import graph of `src/`, read from the code as `../shared/tools/layers.py` and
//! `farm-studio look` read it: every `crate::…` and `super::…` path (grouped `use` trees
//! included) names the deepest module that exists, and each file imports the files of the
//! modules it names. Comments and `#[cfg(test)]` modules are left out.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path from the crate root: `["service", "sign_in", "attempt"]`.
pub type Module = Vec<String>;

/// Which modules each module's file imports.
pub struct Graph {
    pub edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    pub fn of(src: &Path) -> Self {
        let files = modules(src);
        let known: BTreeSet<Module> = files.keys().cloned().collect();
        let mut edges = BTreeMap::new();
        for (module, path) in &files {
            let code = without_tests(&std::fs::read_to_string(path).unwrap());
            let mut imports = BTreeSet::new();
            for named in paths_in(&code) {
                if let Some(target) = resolve(module, &named, &known)
                    && &target != module
                {
                    imports.insert(target);
                }
            }
            edges.insert(module.clone(), imports);
        }
        Self { edges }
    }

    /// The modules of `within` (a top-level module name) with each one's imports cut to
    /// top-level modules: the graph `layers.py` draws.
    pub fn top_level(&self) -> Self {
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (from, to) in &self.edges {
            let Some(top) = from.first() else { continue };
            let entry = edges.entry(vec![top.clone()]).or_default();
            for target in to {
                if let Some(target_top) = target.first().filter(|t| *t != top) {
                    entry.insert(vec![target_top.clone()]);
                }
            }
        }
        Self { edges }
    }

    /// Every circle: the strongly connected components of more than one module (Tarjan).
    pub fn circles(&self) -> Vec<Vec<Module>> {
        let mut walk = Tarjan::default();
        for module in self.edges.keys() {
            if !walk.index.contains_key(module) {
                walk.visit(module, &self.edges);
            }
        }
        walk.circles
    }
}

#[derive(Default)]
struct Tarjan {
    next: usize,
    index: BTreeMap<Module, usize>,
    low: BTreeMap<Module, usize>,
    stack: Vec<Module>,
    on_stack: BTreeSet<Module>,
    circles: Vec<Vec<Module>>,
}

impl Tarjan {
    fn visit(&mut self, module: &Module, edges: &BTreeMap<Module, BTreeSet<Module>>) {
        self.index.insert(module.clone(), self.next);
        self.low.insert(module.clone(), self.next);
        self.next += 1;
        self.stack.push(module.clone());
        self.on_stack.insert(module.clone());
        for target in edges.get(module).into_iter().flatten() {
            if !self.index.contains_key(target) {
                self.visit(target, edges);
                let low = self.low[module].min(self.low[target]);
                self.low.insert(module.clone(), low);
            } else if self.on_stack.contains(target) {
                let low = self.low[module].min(self.index[target]);
                self.low.insert(module.clone(), low);
            }
        }
        if self.low[module] == self.index[module] {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack.remove(&member);
                let done = &member == module;
                component.push(member);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.circles.push(component);
            }
        }
    }
}

/// Each module of the crate and its file (`lib.rs` and `main.rs` are the empty path).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    collect(src, &mut Vec::new(), &mut found);
    found
}

fn collect(dir: &Path, at: &mut Vec<String>, found: &mut BTreeMap<Module, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            at.push(name);
            collect(&path, at, found);
            at.pop();
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = match stem {
                "mod" => at.clone(),
                "lib" | "main" if at.is_empty() => continue,
                _ => [at.as_slice(), &[stem.to_string()]].concat(),
            };
            found.insert(module, path);
        }
    }
}

/// The code without comments and without `#[cfg(test)] mod … { … }` blocks.
fn without_tests(text: &str) -> String {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut kept = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find(['{', ';']) else {
            rest = "";
            break;
        };
        if after.as_bytes()[open] == b';' || !after[..open].contains("mod ") {
            // `#[cfg(test)] mod tests;` (a file of its own, not read) or an attribute on an
            // item that is not a module: skip just the attribute.
            rest = &after["#[cfg(test)]".len()..];
            continue;
        }
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    kept.push_str(rest);
    kept
}

/// Every path the code names from `crate::` or `super::`, grouped `use` trees expanded:
/// `use super::{a, b::{c, d}}` names `super::a`, `super::b::c` and `super::b::d`.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let starts_path = (code[i..].starts_with("crate::") || code[i..].starts_with("super::"))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if starts_path && !(i >= 2 && &code[i - 2..i] == "::") {
            let (tree, used) = use_tree(&code[i..]);
            paths.extend(tree);
            i += used.max(1);
        } else {
            i += 1;
        }
    }
    paths
}

/// The paths of one use tree at the start of `text`, and how many bytes it took.
fn use_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = 0;
    loop {
        let ident_len = text[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - i);
        if ident_len > 0 {
            prefix.push(text[i..i + ident_len].to_string());
            i += ident_len;
        }
        if text[i..].starts_with("::{") {
            let (inner, used) = group(&text[i + 3..]);
            let paths = inner
                .into_iter()
                .map(|tail| [prefix.clone(), tail].concat())
                .collect();
            return (paths, i + 3 + used);
        }
        if text[i..].starts_with("::") {
            i += 2;
            continue;
        }
        return (vec![prefix], i);
    }
}

/// The items of a `{ … }` group (its opening brace already taken), each as a path.
fn group(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if c == '}' {
            return (paths, i + 1);
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            let (tree, used) = use_tree(&text[i..]);
            paths.extend(tree);
            i += used.max(1);
            // Skip an `as name` rename up to the next separator.
            while i < text.len() && !matches!(text.as_bytes()[i], b',' | b'}') {
                i += 1;
            }
        } else {
            i += c.len_utf8();
        }
    }
    (paths, i)
}

/// The deepest module a path names, if it is one of the crate's. `super` is the parent of the
/// module, whether its file is `name.rs` or `name/mod.rs`.
fn resolve(from: &Module, named: &[String], known: &BTreeSet<Module>) -> Option<Module> {
    let mut path = from.clone();
    let mut rest = named;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            path.clear();
            rest = &rest[1..];
        }
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                path.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut deepest = known.contains(&path).then(|| path.clone());
    for part in rest {
        path.push(part.clone());
        if !known.contains(&path) {
            break;
        }
        deepest = Some(path.clone());
    }
    deepest
}

#[cfg(test)]
mod reading {
    use super::*;

    fn module(parts: &[&str]) -> Module {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn grouped_use_trees_are_expanded() {
        let paths = paths_in("use super::{a, b::{c, d as e}};\nuse crate::x::y;");
        let strings: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(
            strings,
            ["super::a", "super::b::c", "super::b::d", "crate::x::y"]
        );
    }

    #[test]
    fn super_is_the_parent_module() {
        let known: BTreeSet<Module> = [
            module(&["service"]),
            module(&["service", "error"]),
            module(&["service", "passkeys"]),
            module(&["service", "passkeys", "sign_in"]),
        ]
        .into();
        let file = module(&["service", "passkeys", "sign_in"]);
        let named = module(&["super", "super", "error", "Result"]);
        assert_eq!(
            resolve(&file, &named, &known),
            Some(module(&["service", "error"]))
        );
        let folder = module(&["service", "passkeys"]);
        let named = module(&["super", "error", "Result"]);
        assert_eq!(
            resolve(&folder, &named, &known),
            Some(module(&["service", "error"]))
        );
    }
}
