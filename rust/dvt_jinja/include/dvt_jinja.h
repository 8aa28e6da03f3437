// The C ABI of rust/dvt_jinja (MiniJinja). Only src/template/ includes it;
// the rest of dvt uses dvt::template_::Environment.
//
// Strings are (pointer, length) pairs of UTF-8 and need no terminator. Values
// are JSON text; a host object is the one-key JSON object
// {"\u0000host": <address>}. An address in JSON given to this library hands
// over one reference (released through the vtable's `release`); an address in
// JSON given to a callback is borrowed for that callback; one in the JSON
// result of dvt_jinja_env_call_macro is a new reference the caller owns.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  DVT_JINJA_OK = 0,
  DVT_JINJA_SYNTAX = 1,                // the template does not parse
  DVT_JINJA_UNDEFINED = 2,             // an undefined name or attribute was used
  DVT_JINJA_UNKNOWN = 3,               // unknown filter, test, function, method or template
  DVT_JINJA_INVALID = 4,               // an operation on values failed (types, arguments)
  DVT_JINJA_HOST = 5,                  // a host callback reported an error
  DVT_JINJA_RETURN_OUTSIDE_MACRO = 6,  // a callback asked to return outside a macro call
  DVT_JINJA_INTERNAL = 7,              // a bug in the library (a caught panic, bad input)
};

typedef struct DvtJinjaEnv DvtJinjaEnv;
// A callback's answer, filled with one dvt_jinja_out_* call (none: undefined).
typedef struct DvtJinjaOut DvtJinjaOut;

// Answers for host objects. Every callback may run on any thread, and must
// not unwind.
typedef struct DvtJinjaHostVtable {
  void (*get_attr)(void* object, const char* name, size_t name_len, DvtJinjaOut* out);
  // method == NULL: the object itself is called. args: {"args":[...],"kwargs":{...}}.
  void (*call)(void* object, const char* method, size_t method_len, const char* args,
               size_t args_len, DvtJinjaOut* out);
  void (*render)(void* object, DvtJinjaOut* out);  // answers with dvt_jinja_out_text
  void (*release)(void* object);
  // A new reference (a new address), for the result of dvt_jinja_env_call_macro.
  void* (*retain)(void* object);
} DvtJinjaHostVtable;

// An API call's outcome. Owned strings: free with dvt_jinja_result_free.
typedef struct DvtJinjaResult {
  int32_t status;
  char* text;  // the output, the JSON value or the error message
  size_t text_len;
  char* template_name;  // where an error happened ("" when unknown)
  size_t template_name_len;
  uint32_t line;  // 1-based; 0 when unknown
} DvtJinjaResult;

DvtJinjaEnv* dvt_jinja_env_new(const DvtJinjaHostVtable* vtable);
void dvt_jinja_env_free(DvtJinjaEnv* env);
void dvt_jinja_env_set_whitespace(DvtJinjaEnv* env, bool trim_blocks, bool lstrip_blocks,
                                  bool keep_trailing_newline);

// Chooses the undefined rule for templates added from now on: strict (the
// default: every use of an undefined value but `is defined`, `default` and
// `get` fails) or semi-strict (as strict, but an undefined operand of a
// condition, in `if`, `elif`, an inline if or a loop filter, is false).
void dvt_jinja_env_set_semi_strict(DvtJinjaEnv* env, bool semi_strict);
int32_t dvt_jinja_env_add_template(DvtJinjaEnv* env, const char* name, size_t name_len,
                                   const char* source, size_t source_len, DvtJinjaResult* result);
int32_t dvt_jinja_env_add_global(DvtJinjaEnv* env, const char* name, size_t name_len,
                                 const char* json, size_t json_len, DvtJinjaResult* result);
// A filter: `value | name(args)` calls the host object in `json` with
// (value, args...).
int32_t dvt_jinja_env_add_filter(DvtJinjaEnv* env, const char* name, size_t name_len,
                                 const char* json, size_t json_len, DvtJinjaResult* result);
int32_t dvt_jinja_env_render(const DvtJinjaEnv* env, const char* name, size_t name_len,
                             const char* context, size_t context_len, DvtJinjaResult* result);
int32_t dvt_jinja_env_call_macro(const DvtJinjaEnv* env, const char* name, size_t name_len,
                                 const char* macro_name, size_t macro_name_len, const char* args,
                                 size_t args_len, const char* kwargs, size_t kwargs_len,
                                 const char* context, size_t context_len, DvtJinjaResult* result);
void dvt_jinja_result_free(DvtJinjaResult* result);

void dvt_jinja_out_value(DvtJinjaOut* out, const char* json, size_t len);
void dvt_jinja_out_text(DvtJinjaOut* out, const char* text, size_t len);
void dvt_jinja_out_error(DvtJinjaOut* out, const char* message, size_t len);
void dvt_jinja_out_return(DvtJinjaOut* out, const char* json, size_t len);

#ifdef __cplusplus
}
#endif
