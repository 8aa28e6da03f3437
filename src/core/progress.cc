#include "core/progress.h"

#include <algorithm>

#include <fmt/format.h>

namespace dvt {

Progress::Progress(std::string label, std::optional<uint64_t> estimated_rows)
    : label_(std::move(label)),
      estimated_rows_(estimated_rows.value_or(0)),
      start_(std::chrono::steady_clock::now()) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::summary_line() {
  poll();
  double seconds = elapsed_seconds();
  uint64_t rows = this->rows();
  std::string line = fmt::format("{}: {} rows", label_, human_count(rows));
  if (uint64_t estimate = estimated_rows()) {
    line += fmt::format(" (~{}%)", std::min<uint64_t>(99, rows * 100 / estimate));
  }
  line +=
      fmt::format(", {}/s", human_count(seconds > 0 ? static_cast<uint64_t>(rows / seconds) : 0));
  if (uint64_t bytes = this->bytes()) line += ", " + human_bytes(bytes);
  line += fmt::format(", {:.1f}s", seconds);
  return line;
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
