// Ctrl-C and SIGTERM handling. The first signal sets a flag that readers,
// writers and the engine poll, so the job unwinds through its destructors
// (temp files removed, transactions rolled back, children reaped). A second
// signal while unwinding is ignored for the same reason.
#pragma once

namespace dvt {

// Installs the SIGINT/SIGTERM handlers. Call once at start-up.
void install_interrupt_handlers();

// True once a SIGINT or SIGTERM has arrived.
bool interrupted();

// Throws dvt::Interrupted when interrupted() is true.
void check_interrupted();

// Marks the process as interrupted (tests, and the signal handler).
void request_interrupt();

// Clears the mark again (tests only: a job never resumes after Ctrl-C).
void clear_interrupt();

}  // namespace dvt
