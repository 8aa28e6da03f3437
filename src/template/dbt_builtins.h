// The parts of dbt's Jinja context that need no project: env_var, return,
// log, print, exceptions, run_started_at, invocation_id, flags, fromjson /
// tojson / fromyaml / toyaml, set, zip, local_md5 and the filters as_text,
// as_bool, as_number, as_native. profiles.yml, dbt_project.yml and every
// model, macro and test see them (project/ adds ref, source, config, this,
// var, target, adapter and the macros).
#pragma once

#include <chrono>
#include <string>

#include "template/environment.h"

namespace dvt::jinja {

struct BuiltinsOptions {
  // dbt's invocation_id (a UUID) and run_started_at (UTC).
  std::string invocation_id;
  std::chrono::system_clock::time_point run_started_at;
  // dbt's `flags` (FULL_REFRESH, STORE_FAILURES, WHICH, ...).
  Value::Map flags;
};

// Registers the builtins in `env`. env_var(name) of a variable that is not
// set, with no default, raises a TemplateError naming the variable.
// REQUIRES: no render is running on `env`.
void add_dbt_builtins(Environment& env, const BuiltinsOptions& options);

// A new random UUID (version 4), as dbt's invocation_id.
std::string new_invocation_id();

}  // namespace dvt::jinja
