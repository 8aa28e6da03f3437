// How rows move between dvt and a database.
#pragma once

#include <string>

namespace dvt {

// The database's native protocol, a pipe through its CLI tool, ODBC; kAuto
// tries the tiers in the adapter's order and falls back on failure.
enum class Method { kAuto, kNative, kPipe, kOdbc };
const char* method_name(Method method);
// Throws ConfigError for an unknown name.
Method parse_method(const std::string& name);

}  // namespace dvt
