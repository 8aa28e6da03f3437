#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "core/log.h"

namespace dvt {

Progress::Progress(std::string label, std::optional<uint64_t> estimated_rows)
    : label_(std::move(label)),
      estimated_rows_(estimated_rows.value_or(0)),
      start_(std::chrono::steady_clock::now()) {
  const Logger& logger = Logger::instance();
  if (isatty(STDERR_FILENO) && logger.format() == LogFormat::kText && logger.verbosity() >= 0) {
    thread_ = std::thread([this] { run(); });
  }
}

Progress::~Progress() {
  finish();
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::finish() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drawn_) {
    std::lock_guard lock(Logger::instance().terminal_mutex());
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

void Progress::run() {
  // Short jobs finish before the first draw and never show a line.
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) return;
  while (!stop_) {
    lock.unlock();
    draw();
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; });
  }
}

void Progress::draw() {
  if (poll_) poll_(*this);
  double seconds = elapsed_seconds();
  uint64_t rows = this->rows();
  std::string line = fmt::format("{}: {} rows", label_, human_count(rows));
  if (uint64_t estimate = estimated_rows_.load()) {
    line += fmt::format(" (~{}%)", std::min<uint64_t>(99, rows * 100 / estimate));
  }
  line +=
      fmt::format(", {}/s", human_count(seconds > 0 ? static_cast<uint64_t>(rows / seconds) : 0));
  if (uint64_t bytes = this->bytes()) line += ", " + human_bytes(bytes);
  line += fmt::format(", {:.1f}s", seconds);
  std::lock_guard lock(Logger::instance().terminal_mutex());
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

std::string Progress::human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string Progress::human_count(uint64_t count) {
  if (count >= 10'000'000) return fmt::format("{:.1f}M", count / 1e6);
  if (count >= 100'000) return fmt::format("{:.0f}K", count / 1e3);
  return fmt::format("{}", count);
}

}  // namespace dvt
