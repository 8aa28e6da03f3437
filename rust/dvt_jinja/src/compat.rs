//! Where Jinja2 templates of dbt projects rely on Python and MiniJinja differs,
//! and the difference can be closed outside MiniJinja (docs/templating.md
//! lists every difference, closed or not):
//!
//! * Python's lists and dicts are mutable and dbt projects build them with
//!   `{% do xs.append(x) %}` / `{% do d.update(...) %}`; MiniJinja's are not.
//!   List and dict literals of a template become MutableList / MutableMap.
//! * `{{ x if cond }}` without `else` prints '' in Jinja2 (an undefined of the
//!   lenient kind); in MiniJinja it is a strict undefined and fails. The
//!   missing `else ''` is added.
//! * `tojson` prints as Python's json.dumps (sorted keys, ", " and ": ").
//! * `default(value, true)` and `string` behave as in Jinja2.
//!
//! The first two rewrite the template's tokens (MiniJinja's own tokenizer
//! finds them, so strings, comments and raw blocks are never touched); the
//! rewrite only inserts text within lines, so every line number stays.

use std::sync::{Arc, Mutex, MutexGuard};

use minijinja::machinery::{tokenize, Token, WhitespaceConfig};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

/// The function the rewrite wraps list and dict literals in.
pub const MUTABLE_FUNCTION: &str = "__dvt_mutable";

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep using it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn arity(method: &str, args: &[Value], min: usize, max: usize) -> Result<(), Error> {
    if args.len() < min || args.len() > max {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{method}() takes {min} to {max} arguments, got {}",
                args.len()
            ),
        ));
    }
    Ok(())
}

/// A Python list: what `[...]` in a template makes.
#[derive(Debug, Default)]
pub struct MutableList(Mutex<Vec<Value>>);

impl MutableList {
    fn index_of(items: &[Value], len_hint: usize, index: &Value) -> Result<usize, Error> {
        let i = i64::try_from(index.clone())?;
        let len = len_hint as i64;
        let at = if i < 0 { i + len } else { i };
        if at < 0 || at >= len {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("list index {i} out of range (length {})", items.len()),
            ));
        }
        Ok(at as usize)
    }
}

impl Object for MutableList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        key.as_usize().and_then(|i| items.get(i).cloned())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut items = lock(&self.0);
        match method {
            "append" => {
                arity(method, args, 1, 1)?;
                items.push(args[0].clone());
            }
            "extend" => {
                arity(method, args, 1, 1)?;
                let added: Vec<Value> = args[0].try_iter()?.collect();
                items.extend(added);
            }
            "insert" => {
                arity(method, args, 2, 2)?;
                let len = items.len() as i64;
                let i = i64::try_from(args[0].clone())?;
                let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
                items.insert(at as usize, args[1].clone());
            }
            "pop" => {
                arity(method, args, 0, 1)?;
                if items.is_empty() {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "pop from empty list",
                    ));
                }
                let len = items.len();
                let at = match args.first() {
                    Some(index) => MutableList::index_of(&items, len, index)?,
                    None => len - 1,
                };
                return Ok(items.remove(at));
            }
            "remove" => {
                arity(method, args, 1, 1)?;
                match items.iter().position(|item| item == &args[0]) {
                    Some(at) => {
                        items.remove(at);
                    }
                    None => {
                        return Err(Error::new(
                            ErrorKind::InvalidOperation,
                            "list.remove(x): x not in list",
                        ))
                    }
                }
            }
            "index" => {
                arity(method, args, 1, 1)?;
                return items
                    .iter()
                    .position(|item| item == &args[0])
                    .map(Value::from)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidOperation,
                            format!("{} is not in list", args[0]),
                        )
                    });
            }
            "reverse" => {
                arity(method, args, 0, 0)?;
                items.reverse();
            }
            "clear" => {
                arity(method, args, 0, 0)?;
                items.clear();
            }
            "copy" => {
                arity(method, args, 0, 0)?;
                return Ok(Value::from_object(MutableList(Mutex::new(items.clone()))));
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }
}

/// A Python dict: what `{...}` in a template makes. Keys keep insertion order.
#[derive(Debug, Default)]
pub struct MutableMap(Mutex<Vec<(Value, Value)>>);

impl MutableMap {
    fn set(entries: &mut Vec<(Value, Value)>, key: Value, value: Value) {
        match entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key, value)),
        }
    }
}

impl Object for MutableMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        lock(&self.0)
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).iter().map(|(k, _)| k.clone()).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "update" => {
                let mut pairs = Vec::new();
                for arg in args {
                    for key in arg.try_iter()? {
                        let value = arg.get_item(&key)?;
                        pairs.push((key, value));
                    }
                }
                let mut entries = lock(&self.0);
                for (key, value) in pairs {
                    MutableMap::set(&mut entries, key, value);
                }
                Ok(Value::from(()))
            }
            "pop" => {
                arity(method, args, 1, 2)?;
                let mut entries = lock(&self.0);
                match entries.iter().position(|(k, _)| *k == args[0]) {
                    Some(at) => Ok(entries.remove(at).1),
                    None => args.get(1).cloned().ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidOperation,
                            format!("key {} not in dict", args[0]),
                        )
                    }),
                }
            }
            "setdefault" => {
                arity(method, args, 1, 2)?;
                let mut entries = lock(&self.0);
                if let Some((_, v)) = entries.iter().find(|(k, _)| *k == args[0]) {
                    return Ok(v.clone());
                }
                let value = args.get(1).cloned().unwrap_or(Value::from(()));
                entries.push((args[0].clone(), value.clone()));
                Ok(value)
            }
            "copy" => {
                arity(method, args, 0, 0)?;
                Ok(Value::from_object(MutableMap(Mutex::new(
                    lock(&self.0).clone(),
                ))))
            }
            "clear" => {
                arity(method, args, 0, 0)?;
                lock(&self.0).clear();
                Ok(Value::from(()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `__dvt_mutable(literal)`: the list or dict literal as its mutable kind.
pub fn make_mutable(value: Value) -> Result<Value, Error> {
    Ok(match value.kind() {
        ValueKind::Seq => Value::from_object(MutableList(Mutex::new(value.try_iter()?.collect()))),
        ValueKind::Map => {
            let mut entries = Vec::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                entries.push((key, item));
            }
            Value::from_object(MutableMap(Mutex::new(entries)))
        }
        _ => value,
    })
}

// ---- The source rewrite --------------------------------------------------

/// Where a `[` or `{` starts a literal rather than a subscript: after an
/// operator, an opening bracket, a separator, a keyword or the block start.
fn starts_operand(previous: Option<&Token<'_>>) -> bool {
    match previous {
        None => true,
        Some(Token::Ident(word)) => {
            matches!(*word, "in" | "and" | "or" | "not" | "if" | "else" | "is")
        }
        Some(
            Token::Str(_)
            | Token::String(_)
            | Token::Int(_)
            | Token::Int128(_)
            | Token::Float(_)
            | Token::ParenClose
            | Token::BracketClose
            | Token::BraceClose,
        ) => false,
        Some(_) => true,
    }
}

struct Group {
    wrapped: bool,
    // Inline `if`s in this bracket level still waiting for their `else`.
    open_ifs: usize,
}

/// The function the semi-strict rule wraps the operands of a condition in.
pub const TRUTH_FUNCTION: &str = "__dvt_truth";

/// `__dvt_truth(value)`: whether a condition's operand holds; an undefined
/// value is false (the semi-strict rule) instead of an error.
pub fn truth(value: &Value) -> bool {
    !value.is_undefined() && value.is_true()
}

// Insert priorities at one offset: a closing parenthesis before the `else ''`
// of an inline if, before a condition's opening, before a literal's.
const CLOSE: u8 = 0;
const ELSE: u8 = 1;
const OPEN_TRUTH: u8 = 2;
const OPEN_MUTABLE: u8 = 3;

/// What the condition rewrite needs to know of a token.
#[derive(Clone, Copy, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    ParenOpen,
    Open,
    Close,
    Separator,
    Other,
}

impl<'a> Tok<'a> {
    fn of(token: &Token<'a>) -> Tok<'a> {
        match token {
            Token::Ident(word) => Tok::Ident(word),
            Token::ParenOpen => Tok::ParenOpen,
            Token::BracketOpen | Token::BraceOpen => Tok::Open,
            Token::ParenClose | Token::BracketClose | Token::BraceClose => Tok::Close,
            Token::Comma | Token::Colon => Tok::Separator,
            _ => Tok::Other,
        }
    }
}

type Region<'a> = [(Tok<'a>, usize, usize)];

fn is_ident(token: &Tok<'_>, word: &str) -> bool {
    matches!(token, Tok::Ident(w) if *w == word)
}

fn depth_change(token: &Tok<'_>) -> i32 {
    match token {
        Tok::ParenOpen | Tok::Open => 1,
        Tok::Close => -1,
        _ => 0,
    }
}

/// Wraps every operand of the condition `tokens` (split at `and` and `or`,
/// leading `not`s left outside, a parenthesized operand entered) in
/// `__dvt_truth(...)`, so that testing an undefined value is false.
fn wrap_condition(tokens: &Region<'_>, inserts: &mut Vec<(usize, u8, &'static str)>) {
    let mut operands: Vec<&Region<'_>> = Vec::new();
    let mut depth = 0;
    let mut begin = 0;
    for (index, (token, _, _)) in tokens.iter().enumerate() {
        if depth == 0 && (is_ident(token, "and") || is_ident(token, "or")) {
            operands.push(&tokens[begin..index]);
            begin = index + 1;
        }
        depth += depth_change(token);
    }
    operands.push(&tokens[begin..]);
    for mut operand in operands {
        while let Some((token, _, _)) = operand.first() {
            if !is_ident(token, "not") {
                break;
            }
            operand = &operand[1..];
        }
        let (Some(first), Some(last)) = (operand.first(), operand.last()) else {
            continue;
        };
        if first.0 == Tok::ParenOpen && operand.len() >= 2 {
            // `( ... )` as a whole: its inside is a condition of its own.
            let mut depth = 0;
            let mut closes_at_end = false;
            for (index, (token, _, _)) in operand.iter().enumerate() {
                depth += depth_change(token);
                if depth == 0 {
                    closes_at_end = index + 1 == operand.len();
                    break;
                }
            }
            if closes_at_end {
                wrap_condition(&operand[1..operand.len() - 1], inserts);
                continue;
            }
        }
        inserts.push((first.1, OPEN_TRUTH, "__dvt_truth("));
        inserts.push((last.2, CLOSE, ")"));
    }
}

/// The conditions of one block or expression (`tokens` between its start and
/// end): `{% if c %}`, `{% elif c %}`, a loop filter `{% for x in xs if c %}`
/// and inline ifs `a if c else b`.
fn condition_inserts(
    tokens: &Region<'_>,
    is_block: bool,
    inserts: &mut Vec<(usize, u8, &'static str)>,
) {
    let Some((head, _, _)) = tokens.first() else {
        return;
    };
    if is_block && (is_ident(head, "if") || is_ident(head, "elif")) {
        wrap_condition(&tokens[1..], inserts);
        return;
    }
    let is_for = is_block && is_ident(head, "for");
    // Inline ifs (and the loop filter): the condition runs from the `if` to
    // its `else`, or to the end of its bracket level.
    let mut depth = 0;
    let mut index = 1;
    while index < tokens.len() {
        let token = &tokens[index].0;
        if is_ident(token, "if") {
            let level = depth;
            let begin = index + 1;
            let mut end = begin;
            let mut inner = level;
            while end < tokens.len() {
                let t = &tokens[end].0;
                if inner == level
                    && (is_ident(t, "else")
                        || is_ident(t, "if")
                        || (is_for && level == 0 && is_ident(t, "recursive"))
                        || *t == Tok::Separator)
                {
                    break;
                }
                inner += depth_change(t);
                if inner < level {
                    break;
                }
                end += 1;
            }
            wrap_condition(&tokens[begin..end], inserts);
            index = end;
            continue;
        }
        depth += depth_change(token);
        index += 1;
    }
}

/// The template with the rewrites applied, or None when nothing changes or
/// the tokenizer fails (MiniJinja then reports the error on the original).
/// `semi_strict` adds the condition rewrite (an undefined operand of a
/// condition is false).
pub fn rewrite_source(source: &str, semi_strict: bool) -> Option<String> {
    const ELSE_EMPTY: &str = " else ''";
    let mut inserts: Vec<(usize, u8, &'static str)> = Vec::new();
    let mut region: Vec<(Tok<'_>, usize, usize)> = Vec::new();
    let mut region_is_block = false;
    let mut groups: Vec<Group> = Vec::new();
    let mut previous: Option<Token<'_>> = None;
    let mut first_in_block = false;
    let mut in_for = false;
    let tokens = tokenize(
        source,
        false,
        SyntaxConfig::default(),
        WhitespaceConfig::default(),
    );
    for item in tokens {
        let (token, span) = item.ok()?;
        let start = span.start_offset as usize;
        let end = span.end_offset as usize;
        let is_first = first_in_block;
        first_in_block = false;
        match token {
            Token::VariableStart | Token::BlockStart => {
                region.clear();
                region_is_block = matches!(token, Token::BlockStart);
                groups = vec![Group {
                    wrapped: false,
                    open_ifs: 0,
                }];
                first_in_block = true;
                in_for = false;
                previous = None;
                continue;
            }
            Token::VariableEnd | Token::BlockEnd => {
                if let Some(group) = groups.first() {
                    for _ in 0..group.open_ifs {
                        inserts.push((start, ELSE, ELSE_EMPTY));
                    }
                }
                if semi_strict {
                    condition_inserts(&region, region_is_block, &mut inserts);
                }
                region.clear();
                groups.clear();
                previous = None;
                continue;
            }
            Token::TemplateData(_) => {
                previous = None;
                continue;
            }
            Token::Ident("for") if is_first => in_for = true,
            Token::Ident("if") if !is_first => {
                // `{% for x in xs if cond %}` filters the loop.
                let loop_filter = in_for && groups.len() == 1;
                if let Some(group) = groups.last_mut() {
                    if !loop_filter {
                        group.open_ifs += 1;
                    }
                }
            }
            Token::Ident("else") => {
                if let Some(group) = groups.last_mut() {
                    group.open_ifs = group.open_ifs.saturating_sub(1);
                }
            }
            Token::Comma | Token::Colon => {
                if let Some(group) = groups.last_mut() {
                    for _ in 0..group.open_ifs {
                        inserts.push((start, ELSE, ELSE_EMPTY));
                    }
                    group.open_ifs = 0;
                }
            }
            Token::BracketOpen | Token::BraceOpen | Token::ParenOpen => {
                let wrapped = !matches!(token, Token::ParenOpen)
                    && !groups.is_empty()
                    && starts_operand(previous.as_ref());
                if wrapped {
                    inserts.push((start, OPEN_MUTABLE, "__dvt_mutable("));
                }
                groups.push(Group {
                    wrapped,
                    open_ifs: 0,
                });
            }
            Token::BracketClose | Token::BraceClose | Token::ParenClose => {
                if groups.len() > 1 {
                    let group = groups.pop()?;
                    for _ in 0..group.open_ifs {
                        inserts.push((start, ELSE, ELSE_EMPTY));
                    }
                    if group.wrapped {
                        inserts.push((end, CLOSE, ")"));
                    }
                }
            }
            _ => {}
        }
        if semi_strict {
            region.push((Tok::of(&token), start, end));
        }
        previous = Some(token);
    }
    if inserts.is_empty() {
        return None;
    }
    inserts.sort_by_key(|(at, priority, _)| (*at, *priority));
    let mut out = String::with_capacity(source.len() + inserts.len() * 16);
    let mut copied = 0;
    for (at, _, text) in inserts {
        out.push_str(source.get(copied..at)?);
        out.push_str(text);
        copied = at;
    }
    out.push_str(&source[copied..]);
    Some(out)
}

// ---- Filters as Jinja2 has them -------------------------------------------

/// Python's json.dumps as Jinja2's tojson calls it: keys sorted, ", " and
/// ": " (or `indent`), non-ASCII as \uXXXX, and <, >, &, ' escaped for HTML.
pub fn tojson(value: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    kwargs.assert_all_used()?;
    let mut out = String::new();
    write_json(value, indent, 0, &mut out)?;
    Ok(Value::from_safe_string(out))
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\'' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn newline(indent: Option<usize>, level: usize, out: &mut String) {
    if let Some(width) = indent {
        out.push('\n');
        out.push_str(&" ".repeat(width * level));
    }
}

fn write_json(
    value: &Value,
    indent: Option<usize>,
    level: usize,
    out: &mut String,
) -> Result<(), Error> {
    let separator = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::Undefined => return Err(Error::from(ErrorKind::UndefinedError)),
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            let text = value.to_string();
            out.push_str(match text.as_str() {
                "NaN" => "NaN",
                "inf" => "Infinity",
                "-inf" => "-Infinity",
                other => other,
            });
        }
        ValueKind::String => write_json_str(value.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(indent, level + 1, out);
                write_json(item, indent, level + 1, out)?;
            }
            if !items.is_empty() {
                newline(indent, level, out);
            }
            out.push(']');
        }
        ValueKind::Map => {
            let mut keys: Vec<Value> = value.try_iter()?.collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(indent, level + 1, out);
                write_json_str(&key.to_string(), out);
                out.push_str(": ");
                write_json(&value.get_item(key)?, indent, level + 1, out)?;
            }
            if !keys.is_empty() {
                newline(indent, level, out);
            }
            out.push('}');
        }
        _ => write_json_str(&value.to_string(), out),
    }
    Ok(())
}

/// Jinja2's default(value, default_value='', boolean=False).
pub fn default(value: &Value, fallback: Option<Value>, boolean: Option<bool>) -> Value {
    let use_fallback = value.is_undefined() || (boolean.unwrap_or(false) && !value.is_true());
    if use_fallback {
        fallback.unwrap_or_else(|| Value::from(""))
    } else {
        value.clone()
    }
}

/// Jinja2's string filter: Python's str().
pub fn string(value: &Value) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if value.kind() == ValueKind::String {
        return Ok(value.clone());
    }
    let mut out = String::new();
    crate::python_str(value, &mut out);
    Ok(Value::from(out))
}
