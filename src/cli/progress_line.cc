#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>

#include "core/log.h"

namespace dvt {

ProgressLine::~ProgressLine() {
  if (current_) finished(*current_);
}

void ProgressLine::started(Progress& progress) {
  const Logger& logger = Logger::instance();
  if (!isatty(STDERR_FILENO) || logger.format() != LogFormat::kText || logger.verbosity() < 0)
    return;
  std::lock_guard lock(mutex_);
  if (current_) return;
  current_ = &progress;
  drawn_ = false;
  thread_ = std::thread([this] { run(); });
}

void ProgressLine::finished(Progress& progress) {
  {
    std::lock_guard lock(mutex_);
    if (current_ != &progress) return;
    current_ = nullptr;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drawn_) {
    std::lock_guard lock(Logger::instance().terminal_mutex());
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

void ProgressLine::run() {
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return !current_; })) return;
  while (current_) {
    std::string line = current_->summary_line();
    lock.unlock();
    {
      std::lock_guard terminal(Logger::instance().terminal_mutex());
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
    }
    drawn_ = true;
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return !current_; });
  }
}

}  // namespace dvt
