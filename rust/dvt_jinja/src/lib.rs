//! The C ABI between dvt's C++ templating layer (src/template/) and MiniJinja.
//!
//! Only what MiniJinja lacks for a C++ host is written here: environment
//! handles, host objects whose attribute lookups, calls and string form go back
//! to C++ through one table of C callbacks, an early return from a macro call,
//! Python's method and print forms where Jinja2 templates rely on them, and
//! errors with their template and line. dbt's context itself is C++.
//!
//! Values cross the ABI as JSON text. A host object (a C++ object) travels as
//! the one-key object {"\u0000host": <address>}. JSON keeps the ABI to a few
//! functions of (pointer, length) strings, needs no per-value handles to free,
//! and is fast enough: a context is converted once per render and callback
//! arguments are a few short values (bench/template_compile measures it).
//!
//! Ownership: every string this library returns is owned by a DvtJinjaResult
//! and freed by dvt_jinja_result_free. A host address in JSON handed to this
//! library transfers one reference, released through the table's `release`
//! when MiniJinja drops the value; a host address in JSON handed to a callback
//! is borrowed for the duration of that callback. No panic crosses the ABI:
//! every entry point runs under catch_unwind.

use std::cell::RefCell;
use std::ffi::c_void;
use std::fmt;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, ValueKind};
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value,
};
use serde_json::Value as Json;

mod compat;

const HOST_KEY: &str = "\u{0}host";

// Result status codes (dvt_jinja.h mirrors them).
const DVT_JINJA_OK: i32 = 0;
const DVT_JINJA_SYNTAX: i32 = 1;
const DVT_JINJA_UNDEFINED: i32 = 2;
const DVT_JINJA_UNKNOWN: i32 = 3;
const DVT_JINJA_INVALID: i32 = 4;
const DVT_JINJA_HOST: i32 = 5;
const DVT_JINJA_RETURN_OUTSIDE_MACRO: i32 = 6;
const DVT_JINJA_INTERNAL: i32 = 7;

/// The callbacks a host object answers. One table per environment; `object`
/// is the address the host put in the JSON.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct DvtJinjaHostVtable {
    /// Looks up attribute `name`; leaves `out` unset when there is none.
    pub get_attr: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut DvtJinjaOut),
    /// Calls method `name` (or the object itself when `name` is null) with
    /// `{"args": [...], "kwargs": {...}}`.
    pub call: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *mut DvtJinjaOut,
    ),
    /// The object's string form, set with dvt_jinja_out_text.
    pub render: unsafe extern "C" fn(*mut c_void, *mut DvtJinjaOut),
    /// Drops the reference this library held.
    pub release: unsafe extern "C" fn(*mut c_void),
    /// A new reference to the object (a new address), for JSON that outlives
    /// this library's value: the result of dvt_jinja_env_call_macro.
    pub retain: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
}

enum OutStatus {
    Unset,
    Value,
    Text,
    Error,
    Return,
}

/// What a callback answers: filled by one of the dvt_jinja_out_* functions.
pub struct DvtJinjaOut {
    status: OutStatus,
    text: String,
}

/// An API call's outcome. `text` is the output (render), the JSON value
/// (call_macro) or the error message; `template_name` and `line` locate an
/// error (empty and 0 when unknown).
#[repr(C)]
pub struct DvtJinjaResult {
    pub status: i32,
    pub text: *mut c_char,
    pub text_len: usize,
    pub template_name: *mut c_char,
    pub template_name_len: usize,
    pub line: u32,
}

pub struct DvtJinjaEnv {
    env: Environment<'static>,
    vtable: DvtJinjaHostVtable,
    // The semi-strict rule: a condition's undefined operand is false.
    semi_strict: bool,
}

/// A C++ object seen from templates: attributes, calls and string form go to
/// the host's callbacks.
struct HostObject {
    address: *mut c_void,
    vtable: DvtJinjaHostVtable,
}

// The host guarantees its objects may be used from any thread (the C++
// wrapper documents that contract for its HostObject).
unsafe impl Send for HostObject {}
unsafe impl Sync for HostObject {}

impl Drop for HostObject {
    fn drop(&mut self) {
        unsafe { (self.vtable.release)(self.address) }
    }
}

impl fmt::Debug for HostObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<host object {:p}>", self.address)
    }
}

/// The error a host callback reported; kept as the error's source so the
/// status says HOST.
#[derive(Debug)]
struct HostError;

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("host callback failed")
    }
}

impl std::error::Error for HostError {}

/// A callback asked the enclosing macro call to end with this value (dbt's
/// `return()`); carried as an error's source up to dvt_jinja_env_call_macro.
#[derive(Debug)]
struct ReturnSignal(Value);

impl fmt::Display for ReturnSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("return value")
    }
}

impl std::error::Error for ReturnSignal {}

thread_local! {
    // fmt::Display cannot carry an error, so a failed render callback leaves
    // its message here for the error that MiniJinja then raises.
    static RENDER_FAILURE: RefCell<Option<String>> = RefCell::new(None);
}

fn new_out() -> DvtJinjaOut {
    DvtJinjaOut {
        status: OutStatus::Unset,
        text: String::new(),
    }
}

fn host_error(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message).with_source(HostError)
}

impl HostObject {
    fn answer(&self, out: DvtJinjaOut) -> Result<Option<Value>, Error> {
        match out.status {
            OutStatus::Unset => Ok(None),
            OutStatus::Value => json_text_to_value(&out.text, &self.vtable).map(Some),
            OutStatus::Text => Ok(Some(Value::from(out.text))),
            OutStatus::Error => Err(host_error(out.text)),
            OutStatus::Return => {
                let value = json_text_to_value(&out.text, &self.vtable)?;
                Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "return() used outside of a macro call",
                )
                .with_source(ReturnSignal(value)))
            }
        }
    }

    fn invoke(&self, method: Option<&str>, args: &[Value]) -> Result<Value, Error> {
        let args_json = args_to_json(args, method)?;
        let mut out = new_out();
        let (name_ptr, name_len) = match method {
            Some(name) => (name.as_ptr() as *const c_char, name.len()),
            None => (std::ptr::null(), 0),
        };
        unsafe {
            (self.vtable.call)(
                self.address,
                name_ptr,
                name_len,
                args_json.as_ptr() as *const c_char,
                args_json.len(),
                &mut out,
            )
        };
        Ok(self.answer(out)?.unwrap_or(Value::UNDEFINED))
    }
}

impl Object for HostObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        let mut out = new_out();
        unsafe {
            (self.vtable.get_attr)(
                self.address,
                name.as_ptr() as *const c_char,
                name.len(),
                &mut out,
            )
        };
        // An attribute cannot fail here, so a failure becomes an invalid value
        // that fails where the template uses it.
        match self.answer(out) {
            Ok(value) => value,
            Err(err) => Some(Value::from(err)),
        }
    }

    fn call(self: &Arc<Self>, _state: &State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        self.invoke(None, args)
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        self.invoke(Some(method), args)
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = new_out();
        unsafe { (self.vtable.render)(self.address, &mut out) };
        match out.status {
            OutStatus::Text => f.write_str(&out.text),
            OutStatus::Error => {
                RENDER_FAILURE.with(|slot| *slot.borrow_mut() = Some(out.text));
                Err(fmt::Error)
            }
            _ => {
                RENDER_FAILURE.with(|slot| {
                    *slot.borrow_mut() = Some("host object has no string form".to_string())
                });
                Err(fmt::Error)
            }
        }
    }
}

// ---- JSON <-> Value --------------------------------------------------------

fn json_text_to_value(text: &str, vtable: &DvtJinjaHostVtable) -> Result<Value, Error> {
    let json: Json = serde_json::from_str(text).map_err(|err| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the host sent invalid JSON: {err}"),
        )
    })?;
    json_to_value(json, vtable)
}

fn json_to_value(json: Json, vtable: &DvtJinjaHostVtable) -> Result<Value, Error> {
    Ok(match json {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Value::from(s),
        Json::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                values.push(json_to_value(item, vtable)?);
            }
            Value::from(values)
        }
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some(address) = map.get(HOST_KEY).and_then(|a| a.as_u64()) {
                    return Ok(Value::from_object(HostObject {
                        address: address as usize as *mut c_void,
                        vtable: *vtable,
                    }));
                }
            }
            let mut pairs = Vec::with_capacity(map.len());
            for (key, item) in map {
                pairs.push((Value::from(key), json_to_value(item, vtable)?));
            }
            Value::from_iter(pairs)
        }
    })
}

/// How host objects appear in JSON for the host: borrowed (callback
/// arguments) or as new references the host then owns (results).
#[derive(Clone, Copy, PartialEq)]
enum HostRefs {
    Borrowed,
    Retained,
}

fn value_to_json(value: &Value, refs: HostRefs) -> Result<Json, Error> {
    if let Some(host) = value.downcast_object_ref::<HostObject>() {
        let address = match refs {
            HostRefs::Borrowed => host.address,
            HostRefs::Retained => unsafe { (host.vtable.retain)(host.address) },
        };
        let mut marker = serde_json::Map::new();
        marker.insert(HOST_KEY.to_string(), Json::from(address as usize as u64));
        return Ok(Json::Object(marker));
    }
    Ok(match value.kind() {
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "an undefined value cannot be passed to the host",
            ))
        }
        ValueKind::None => Json::Null,
        ValueKind::Bool => Json::Bool(value.is_true()),
        ValueKind::Number => {
            if let Ok(i) = i64::try_from(value.clone()) {
                Json::from(i)
            } else if let Ok(u) = u64::try_from(value.clone()) {
                Json::from(u)
            } else {
                let f = f64::try_from(value.clone())?;
                serde_json::Number::from_f64(f)
                    .map(Json::Number)
                    .unwrap_or(Json::Null)
            }
        }
        ValueKind::String => Json::String(value.as_str().unwrap_or_default().to_string()),
        ValueKind::Bytes => {
            Json::String(String::from_utf8_lossy(value.as_bytes().unwrap_or_default()).into_owned())
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let mut items = Vec::new();
            for item in value.try_iter()? {
                items.push(value_to_json(&item, refs)?);
            }
            Json::Array(items)
        }
        ValueKind::Map => {
            let mut map = serde_json::Map::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                map.insert(key.to_string(), value_to_json(&item, refs)?);
            }
            Json::Object(map)
        }
        ValueKind::Invalid => {
            // Using an invalid value raises the error it holds.
            value.try_iter()?;
            return Err(Error::new(ErrorKind::InvalidOperation, "invalid value"));
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "a value of kind {} ({}) cannot be passed to the host",
                    value.kind(),
                    value
                ),
            ))
        }
    })
}

fn args_to_json(args: &[Value], method: Option<&str>) -> Result<String, Error> {
    let mut positional = Vec::with_capacity(args.len());
    let mut keywords = serde_json::Map::new();
    for (index, arg) in args.iter().enumerate() {
        if index + 1 == args.len() && arg.is_kwargs() {
            for key in arg.try_iter()? {
                let item = arg.get_item(&key)?;
                keywords.insert(key.to_string(), value_to_json(&item, HostRefs::Borrowed)?);
            }
        } else {
            positional.push(value_to_json(arg, HostRefs::Borrowed).map_err(|err| {
                Error::new(
                    err.kind(),
                    format!(
                        "argument {} of {}: {}",
                        index + 1,
                        method.unwrap_or("the call"),
                        err.detail().unwrap_or("cannot be passed to the host")
                    ),
                )
            })?);
        }
    }
    let mut call = serde_json::Map::new();
    call.insert("args".to_string(), Json::Array(positional));
    call.insert("kwargs".to_string(), Json::Object(keywords));
    Ok(Json::Object(call).to_string())
}

fn json_args_to_values(
    args_json: &str,
    kwargs_json: &str,
    vtable: &DvtJinjaHostVtable,
) -> Result<Vec<Value>, Error> {
    let args = json_text_to_value(args_json, vtable)?;
    let mut values: Vec<Value> = match args.kind() {
        ValueKind::Seq => args.try_iter()?.collect(),
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "macro arguments must be a JSON array",
            ))
        }
    };
    let kwargs = json_text_to_value(kwargs_json, vtable)?;
    if kwargs.kind() == ValueKind::Map && kwargs.len().unwrap_or(0) > 0 {
        let mut pairs = Vec::new();
        for key in kwargs.try_iter()? {
            let item = kwargs.get_item(&key)?;
            pairs.push((key.to_string(), item));
        }
        values.push(Value::from(Kwargs::from_iter(pairs)));
    }
    Ok(values)
}

// ---- Python's print forms and methods -------------------------------------

/// Writes `value` as Python's str() would: True/False/None, and lists and dicts
/// in repr form. Jinja2 prints Python objects; MiniJinja would print
/// true/false/none and JSON-like lists.
pub(crate) fn python_str(value: &Value, out: &mut String) {
    match value.kind() {
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::None => out.push_str("None"),
        ValueKind::Seq | ValueKind::Iterable | ValueKind::Map
            if value.downcast_object_ref::<HostObject>().is_none() && !value.is_kwargs() =>
        {
            python_repr(value, out)
        }
        _ => out.push_str(&value.to_string()),
    }
}

fn python_repr(value: &Value, out: &mut String) {
    if value.downcast_object_ref::<HostObject>().is_some() {
        out.push_str(&value.to_string());
        return;
    }
    match value.kind() {
        ValueKind::String => python_repr_str(value.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            if let Ok(items) = value.try_iter() {
                for (index, item) in items.enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    python_repr(&item, out);
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            if let Ok(keys) = value.try_iter() {
                for (index, key) in keys.enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    python_repr(&key, out);
                    out.push_str(": ");
                    python_repr(&value.get_item(&key).unwrap_or_default(), out);
                }
            }
            out.push('}');
        }
        _ => python_str(value, out),
    }
}

fn python_repr_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn python_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    match value.kind() {
        ValueKind::Bool
        | ValueKind::None
        | ValueKind::Seq
        | ValueKind::Iterable
        | ValueKind::Map
            if value.downcast_object_ref::<HostObject>().is_none() =>
        {
            let mut text = String::new();
            python_str(value, &mut text);
            out.write_str(&text).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Python's str.format for the forms templates use: `{}`, `{0}`, `{name}` and
/// `{{`/`}}`; a format spec is an error rather than a wrong string.
fn python_format(template: &str, args: &[Value]) -> Result<Value, Error> {
    let (positional, keywords): (&[Value], Option<&Value>) = match args.last() {
        Some(last) if last.is_kwargs() => (&args[..args.len() - 1], Some(last)),
        _ => (args, None),
    };
    let mut out = String::new();
    let mut next_auto = 0usize;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => field.push(c),
                        None => {
                            return Err(Error::new(
                                ErrorKind::InvalidOperation,
                                "str.format: single '{' encountered in format string",
                            ))
                        }
                    }
                }
                if field.contains(':') || field.contains('!') {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        format!("str.format: the field {{{field}}} has a format spec, which is not supported"),
                    ));
                }
                let value = if field.is_empty() {
                    next_auto += 1;
                    positional.get(next_auto - 1).cloned()
                } else if let Ok(index) = field.parse::<usize>() {
                    positional.get(index).cloned()
                } else {
                    keywords
                        .and_then(|k| k.get_item(&Value::from(field.as_str())).ok())
                        .filter(|v| !v.is_undefined())
                };
                match value {
                    Some(value) => python_str(&value, &mut out),
                    None => {
                        return Err(Error::new(
                            ErrorKind::InvalidOperation,
                            format!("str.format: no argument for the field {{{field}}}"),
                        ))
                    }
                }
            }
            '}' => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "str.format: single '}' encountered in format string",
                ))
            }
            c => out.push(c),
        }
    }
    Ok(Value::from(out))
}

fn unknown_method(
    state: &State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    match (value.kind(), method) {
        // dict.get(key, default): pycompat takes the key only.
        (ValueKind::Map, "get") if args.len() == 2 => {
            let found = value.get_item(&args[0])?;
            return Ok(if found.is_undefined() {
                args[1].clone()
            } else {
                found
            });
        }
        (ValueKind::Seq, "index") if args.len() == 1 => {
            return value
                .try_iter()?
                .position(|item| item == args[0])
                .map(Value::from)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("{} is not in list", args[0]),
                    )
                });
        }
        (ValueKind::String, "format") => {
            return python_format(value.as_str().unwrap_or_default(), args);
        }
        _ => {}
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args).map_err(
        |err| {
            if err.kind() == ErrorKind::UnknownMethod && err.detail().is_none() {
                Error::new(
                    ErrorKind::UnknownMethod,
                    format!("{} has no method named {}", value.kind(), method),
                )
            } else {
                err
            }
        },
    )
}

// ---- Results and errors ------------------------------------------------------

fn leak(text: String) -> (*mut c_char, usize) {
    let bytes = text.into_bytes().into_boxed_slice();
    let len = bytes.len();
    (Box::into_raw(bytes) as *mut u8 as *mut c_char, len)
}

unsafe fn free_leaked(ptr: *mut c_char, len: usize) {
    if !ptr.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            ptr as *mut u8,
            len,
        )));
    }
}

fn set_result(result: &mut DvtJinjaResult, status: i32, text: String, name: &str, line: u32) {
    let (text_ptr, text_len) = leak(text);
    let (name_ptr, name_len) = leak(name.to_string());
    result.status = status;
    result.text = text_ptr;
    result.text_len = text_len;
    result.template_name = name_ptr;
    result.template_name_len = name_len;
    result.line = line;
}

fn find_source<T: std::error::Error + 'static>(err: &Error) -> Option<&T> {
    let mut source = std::error::Error::source(err);
    while let Some(current) = source {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        source = current.source();
    }
    None
}

fn error_status(err: &Error) -> i32 {
    if find_source::<HostError>(err).is_some() {
        return DVT_JINJA_HOST;
    }
    if find_source::<ReturnSignal>(err).is_some() {
        return DVT_JINJA_RETURN_OUTSIDE_MACRO;
    }
    match err.kind() {
        ErrorKind::SyntaxError | ErrorKind::BadEscape => DVT_JINJA_SYNTAX,
        ErrorKind::UndefinedError => DVT_JINJA_UNDEFINED,
        ErrorKind::UnknownFilter
        | ErrorKind::UnknownTest
        | ErrorKind::UnknownFunction
        | ErrorKind::UnknownMethod
        | ErrorKind::UnknownBlock
        | ErrorKind::TemplateNotFound => DVT_JINJA_UNKNOWN,
        _ => DVT_JINJA_INVALID,
    }
}

/// The message: what failed and, where the error points into the source, the
/// construct itself (MiniJinja's undefined errors do not name the variable).
fn error_message(err: &Error) -> String {
    let mut message = match err.detail() {
        Some(detail) => format!("{}: {}", err.kind(), detail),
        None => err.kind().to_string(),
    };
    if let (Some(source), Some(range)) = (err.template_source(), err.range()) {
        if let Some(snippet) = source.get(range) {
            let snippet = snippet.trim();
            if !snippet.is_empty() && !message.contains(snippet) {
                message.push_str(&format!(" (at `{snippet}`)"));
            }
        }
    }
    message
}

/// Finds where the error happened: MiniJinja nests an error raised inside an
/// included or imported template as the source of the outer one.
fn innermost_location(err: &Error) -> (String, u32) {
    let mut name = err.name().unwrap_or_default().to_string();
    let mut line = err.line().unwrap_or(0) as u32;
    let mut source = std::error::Error::source(err);
    while let Some(current) = source {
        if let Some(inner) = current.downcast_ref::<Error>() {
            if let (Some(n), Some(l)) = (inner.name(), inner.line()) {
                name = n.to_string();
                line = l as u32;
            }
        }
        source = current.source();
    }
    (name, line)
}

fn set_error(result: &mut DvtJinjaResult, err: &Error) {
    let status = error_status(err);
    let mut message = error_message(err);
    let mut source = std::error::Error::source(err);
    while let Some(current) = source {
        if let Some(inner) = current.downcast_ref::<Error>() {
            message.push_str(": ");
            message.push_str(&error_message(inner));
        }
        source = current.source();
    }
    let render_failure = RENDER_FAILURE.with(|slot| slot.borrow_mut().take());
    let status = match render_failure {
        Some(text) if err.kind() == ErrorKind::WriteFailure => {
            message = text;
            DVT_JINJA_HOST
        }
        _ => status,
    };
    let (name, line) = innermost_location(err);
    set_result(result, status, message, &name, line);
}

unsafe fn str_arg<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Ok("");
    }
    let bytes = std::slice::from_raw_parts(ptr as *const u8, len);
    std::str::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "text is not UTF-8"))
}

fn null_environment() -> Error {
    Error::new(ErrorKind::InvalidOperation, "null environment")
}

/// Runs one entry point: a panic or an error becomes the result's status.
fn guarded<F>(result: *mut DvtJinjaResult, body: F) -> i32
where
    F: FnOnce(&mut DvtJinjaResult) -> Result<(), Error>,
{
    if result.is_null() {
        return DVT_JINJA_INTERNAL;
    }
    let result = unsafe { &mut *result };
    *result = DvtJinjaResult {
        status: DVT_JINJA_OK,
        text: std::ptr::null_mut(),
        text_len: 0,
        template_name: std::ptr::null_mut(),
        template_name_len: 0,
        line: 0,
    };
    match catch_unwind(AssertUnwindSafe(|| body(result))) {
        Ok(Ok(())) => {}
        Ok(Err(err)) => set_error(result, &err),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_result(
                result,
                DVT_JINJA_INTERNAL,
                format!("template engine panicked: {what}"),
                "",
                0,
            );
        }
    }
    result.status
}

// ---- Entry points -----------------------------------------------------------

/// Creates an environment whose host objects answer through `vtable`.
/// Returns null when `vtable` is null.
#[no_mangle]
pub extern "C" fn dvt_jinja_env_new(vtable: *const DvtJinjaHostVtable) -> *mut DvtJinjaEnv {
    if vtable.is_null() {
        return std::ptr::null_mut();
    }
    catch_unwind(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_debug(true);
        env.set_formatter(python_formatter);
        env.set_unknown_method_callback(unknown_method);
        env.add_function(compat::MUTABLE_FUNCTION, compat::make_mutable);
        env.add_function(compat::TRUTH_FUNCTION, |value: &Value| compat::truth(value));
        env.add_filter("tojson", compat::tojson);
        env.add_filter("default", compat::default);
        env.add_filter("d", compat::default);
        env.add_filter("string", compat::string);
        Box::into_raw(Box::new(DvtJinjaEnv {
            env,
            vtable: unsafe { *vtable },
            semi_strict: false,
        }))
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Frees an environment (null is ignored). REQUIRES: no call on it is running.
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_free(env: *mut DvtJinjaEnv) {
    if !env.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(env))));
    }
}

/// Sets Jinja2's whitespace options (all off by default, as in Jinja2 and dbt).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_set_whitespace(
    env: *mut DvtJinjaEnv,
    trim_blocks: bool,
    lstrip_blocks: bool,
    keep_trailing_newline: bool,
) {
    if let Some(env) = env.as_mut() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            env.env.set_trim_blocks(trim_blocks);
            env.env.set_lstrip_blocks(lstrip_blocks);
            env.env.set_keep_trailing_newline(keep_trailing_newline);
        }));
    }
}

/// Chooses the undefined rule for templates added from now on: strict (every
/// use of an undefined value but `is defined`, `default` and `get` fails) or
/// semi-strict (as strict, but an undefined operand of a condition, in
/// `if`, `elif`, an inline if or a loop filter, is false).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_set_semi_strict(env: *mut DvtJinjaEnv, semi_strict: bool) {
    if let Some(env) = env.as_mut() {
        env.semi_strict = semi_strict;
    }
}

/// Compiles `source` as template `name` (replacing one of that name).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_add_template(
    env: *mut DvtJinjaEnv,
    name: *const c_char,
    name_len: usize,
    source: *const c_char,
    source_len: usize,
    result: *mut DvtJinjaResult,
) -> i32 {
    guarded(result, |_| {
        let env = env.as_mut().ok_or_else(null_environment)?;
        let name = str_arg(name, name_len)?.to_string();
        let source = str_arg(source, source_len)?.to_string();
        // Jinja2 reads every newline as \n; so does dvt.
        let source = source.replace("\r\n", "\n").replace('\r', "\n");
        match compat::rewrite_source(&source, env.semi_strict) {
            Some(rewritten) => {
                if env.env.add_template_owned(name.clone(), rewritten).is_ok() {
                    return Ok(());
                }
                // The rewrite must never break a template: the original
                // compiles, or reports its own error.
                env.env.add_template_owned(name, source)
            }
            None => env.env.add_template_owned(name, source),
        }
    })
}

/// Adds a global visible to every template: a JSON value (host objects included).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_add_global(
    env: *mut DvtJinjaEnv,
    name: *const c_char,
    name_len: usize,
    json: *const c_char,
    json_len: usize,
    result: *mut DvtJinjaResult,
) -> i32 {
    guarded(result, |_| {
        let env = env.as_mut().ok_or_else(null_environment)?;
        let name = str_arg(name, name_len)?.to_string();
        let value = json_text_to_value(str_arg(json, json_len)?, &env.vtable)?;
        env.env.add_global(name, value);
        Ok(())
    })
}

/// Adds a filter: `value | name(args)` calls the host object in the JSON
/// `json` with the arguments (value, args...).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_add_filter(
    env: *mut DvtJinjaEnv,
    name: *const c_char,
    name_len: usize,
    json: *const c_char,
    json_len: usize,
    result: *mut DvtJinjaResult,
) -> i32 {
    guarded(result, |_| {
        let env = env.as_mut().ok_or_else(null_environment)?;
        let name = str_arg(name, name_len)?.to_string();
        let callee = json_text_to_value(str_arg(json, json_len)?, &env.vtable)?;
        if callee.downcast_object_ref::<HostObject>().is_none() {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "a filter must be a host object",
            ));
        }
        env.env.add_filter(
            name,
            move |state: &State, value: Value, rest: minijinja::value::Rest<Value>| {
                let mut args = Vec::with_capacity(rest.len() + 1);
                args.push(value);
                args.extend(rest.iter().cloned());
                callee.call(state, &args)
            },
        );
        Ok(())
    })
}

/// Renders template `name` with the JSON object `context`; the output is the
/// result's text.
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_render(
    env: *const DvtJinjaEnv,
    name: *const c_char,
    name_len: usize,
    context: *const c_char,
    context_len: usize,
    result: *mut DvtJinjaResult,
) -> i32 {
    guarded(result, |result| {
        let env = env.as_ref().ok_or_else(null_environment)?;
        // The context first: its host references are released even when the
        // template is missing.
        let context = json_text_to_value(str_arg(context, context_len)?, &env.vtable)?;
        let template = env.env.get_template(str_arg(name, name_len)?)?;
        let output = template.render(context)?;
        set_result(result, DVT_JINJA_OK, output, "", 0);
        Ok(())
    })
}

/// Calls macro `macro_name` of template `name` (evaluated with the JSON object
/// `context`) with the JSON array `args` and JSON object `kwargs`. The result's
/// text is the JSON of the macro's value: its output as a string, or the value
/// a callback passed to dvt_jinja_out_return during the call.
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_env_call_macro(
    env: *const DvtJinjaEnv,
    name: *const c_char,
    name_len: usize,
    macro_name: *const c_char,
    macro_name_len: usize,
    args: *const c_char,
    args_len: usize,
    kwargs: *const c_char,
    kwargs_len: usize,
    context: *const c_char,
    context_len: usize,
    result: *mut DvtJinjaResult,
) -> i32 {
    guarded(result, |result| {
        let env = env.as_ref().ok_or_else(null_environment)?;
        let context = json_text_to_value(str_arg(context, context_len)?, &env.vtable)?;
        let args = json_args_to_values(
            str_arg(args, args_len)?,
            str_arg(kwargs, kwargs_len)?,
            &env.vtable,
        )?;
        let template_name = str_arg(name, name_len)?;
        let template = env.env.get_template(template_name)?;
        let state = template.eval_to_state(context)?;
        let macro_name = str_arg(macro_name, macro_name_len)?;
        let callee = state
            .lookup(macro_name)
            .filter(|v| !v.is_undefined())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownFunction,
                    format!("template {template_name} defines no macro named {macro_name}"),
                )
            })?;
        let value = match callee.call(&state, &args) {
            Ok(value) => value,
            Err(err) => match find_source::<ReturnSignal>(&err) {
                Some(ReturnSignal(value)) => value.clone(),
                None => return Err(err),
            },
        };
        // A borrowed pass first finds any value the host cannot take, so that
        // no retained reference is made and then lost to an error.
        value_to_json(&value, HostRefs::Borrowed)?;
        let json = value_to_json(&value, HostRefs::Retained)?;
        set_result(result, DVT_JINJA_OK, json.to_string(), "", 0);
        Ok(())
    })
}

/// Frees the strings a result holds and empties it (safe to call twice).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_result_free(result: *mut DvtJinjaResult) {
    if let Some(result) = result.as_mut() {
        free_leaked(result.text, result.text_len);
        free_leaked(result.template_name, result.template_name_len);
        result.text = std::ptr::null_mut();
        result.text_len = 0;
        result.template_name = std::ptr::null_mut();
        result.template_name_len = 0;
    }
}

unsafe fn set_out(out: *mut DvtJinjaOut, status: OutStatus, text: *const c_char, len: usize) {
    if let Some(out) = out.as_mut() {
        let bytes = if text.is_null() {
            &[][..]
        } else {
            std::slice::from_raw_parts(text as *const u8, len)
        };
        out.status = status;
        out.text = String::from_utf8_lossy(bytes).into_owned();
    }
}

/// A callback's answer: a JSON value (host addresses in it are handed over).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_out_value(
    out: *mut DvtJinjaOut,
    json: *const c_char,
    len: usize,
) {
    set_out(out, OutStatus::Value, json, len)
}

/// A callback's answer: a plain string (the render callback's form).
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_out_text(
    out: *mut DvtJinjaOut,
    text: *const c_char,
    len: usize,
) {
    set_out(out, OutStatus::Text, text, len)
}

/// A callback's answer: it failed with this message.
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_out_error(
    out: *mut DvtJinjaOut,
    message: *const c_char,
    len: usize,
) {
    set_out(out, OutStatus::Error, message, len)
}

/// A callback's answer: end the enclosing macro call with this JSON value.
#[no_mangle]
pub unsafe extern "C" fn dvt_jinja_out_return(
    out: *mut DvtJinjaOut,
    json: *const c_char,
    len: usize,
) {
    set_out(out, OutStatus::Return, json, len)
}
