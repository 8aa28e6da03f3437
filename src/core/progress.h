// Counts rows and bytes of a running job and, on a terminal, redraws one
// progress line on stderr (rows, rows/s, bytes, elapsed) a few times a second.
// Nothing is drawn when stderr is not a terminal, in json mode, or with -q.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dvt {

class Progress {
 public:
  // `label` names the job ("sqlite:main.orders -> orders.parquet").
  Progress(std::string label, std::optional<uint64_t> estimated_rows);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void set_estimate(std::optional<uint64_t> rows) { estimated_rows_.store(rows.value_or(0)); }
  void add_rows(uint64_t rows) { rows_.fetch_add(rows, std::memory_order_relaxed); }
  void set_rows(uint64_t rows) { rows_.store(rows, std::memory_order_relaxed); }
  void set_bytes(uint64_t bytes) { bytes_.store(bytes, std::memory_order_relaxed); }
  uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  // A function polled before each redraw (e.g. to read the engine's own
  // progress when rows flow inside DuckDB). Set before the job starts.
  void set_poll(std::function<void(Progress&)> poll) { poll_ = std::move(poll); }

  double elapsed_seconds() const;
  // Stops redrawing and clears the line. Idempotent.
  void finish();

  static std::string human_bytes(uint64_t bytes);
  static std::string human_count(uint64_t count);

 private:
  void run();
  void draw();

  std::string label_;
  std::atomic<uint64_t> estimated_rows_{0};  // 0: unknown
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> bytes_{0};
  std::function<void(Progress&)> poll_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace dvt
