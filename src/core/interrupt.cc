#include "core/interrupt.h"

#include <atomic>
#include <csignal>

#include "core/error.h"

namespace dvt {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) {
  g_interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A pipe-tier child that dies must surface as an error on write, not kill us.
  signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
  return g_interrupted.load(std::memory_order_relaxed);
}

void check_interrupted() {
  if (interrupted()) throw Interrupted();
}

void request_interrupt() {
  g_interrupted.store(true, std::memory_order_relaxed);
}

void clear_interrupt() {
  g_interrupted.store(false, std::memory_order_relaxed);
}

}  // namespace dvt
