// Error kinds dvt raises. Every command catches them at its boundary and turns
// them into one message and an exit code (0 ok, 1 the job failed, 2 usage or
// configuration). Messages say what was being done, to which object, and what
// to do next; they never contain a secret.
#pragma once

#include <stdexcept>
#include <string>

namespace dvt {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return 1; }
  virtual const char* kind() const { return "error"; }
};

// Bad profiles.yml, bad arguments, unknown names: the user must change input.
class ConfigError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 2; }
  const char* kind() const override { return "configuration"; }
};

// A database or tool could not be reached or refused us.
class ConnectionError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "connection"; }
};

// A tier (native protocol, CLI pipe, ODBC) that this machine or server cannot
// serve, while another tier may: tool missing or broken, a feature the server
// lacks. `--method auto` moves on to the next tier on this error only; a
// wrong password or an unreachable host is a plain ConnectionError.
class TierUnavailable : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// A value could not be moved exactly (bad value, type mismatch, constraint).
class DataError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "data"; }
};

// SQL the database could not parse or bind (a syntax error, an unknown table,
// column or function): the user's SQL (a --query, a --where, a model) needs
// fixing, not the data. The message says which SQL and which engine ran it.
class SqlError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "sql"; }
};

// The user interrupted the job (Ctrl-C, SIGTERM).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
  int exit_code() const override { return 130; }
  const char* kind() const override { return "interrupted"; }
};

// A broken invariant inside dvt.
class InternalError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "internal"; }
};

}  // namespace dvt
