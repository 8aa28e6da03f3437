// Python's text of template values: str() (what {{ value }} prints in
// Jinja2) and repr() (how Python writes a value inside a list or dict, and
// what dbt hashes into a generic test's unique_id).
#pragma once

#include <string>

#include "template/value.h"

namespace dvt::jinja {

// str(value): strings as they are, True/False/None, numbers as Python
// prints them, lists and dicts as their repr, host objects as they print.
std::string python_str(const Value& value);

// repr(value): strings quoted as Python quotes them ('a', "it's").
std::string python_repr(const Value& value);

// Python's repr of a float (1.0, 0.1, 1e-05, 1e+16).
std::string python_float(double value);

}  // namespace dvt::jinja
