// Counts rows and bytes of a running job. Readers, writers and the engine
// advance it from any thread; whoever shows progress (a terminal line, a
// run's per-model display) watches it through a ProgressObserver. Nothing
// here draws.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace dvt {

class Progress {
 public:
  // `label` names the job ("sqlite:main.orders -> orders.parquet").
  explicit Progress(std::string label, std::optional<uint64_t> estimated_rows = std::nullopt);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  const std::string& label() const { return label_; }
  void set_estimate(std::optional<uint64_t> rows) { estimated_rows_.store(rows.value_or(0)); }
  // 0 when unknown.
  uint64_t estimated_rows() const { return estimated_rows_.load(); }
  void add_rows(uint64_t rows) { rows_.fetch_add(rows, std::memory_order_relaxed); }
  void set_rows(uint64_t rows) { rows_.store(rows, std::memory_order_relaxed); }
  void set_bytes(uint64_t bytes) { bytes_.store(bytes, std::memory_order_relaxed); }
  uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  // A function an observer calls before it reads the counts (e.g. to read
  // the engine's own progress when rows flow inside DuckDB). Set before the
  // job starts.
  void set_poll(std::function<void(Progress&)> poll) { poll_ = std::move(poll); }
  void poll() {
    if (poll_) poll_(*this);
  }

  double elapsed_seconds() const;

  // One line: "label: 12K rows (~40%), 30K/s, 1.2 MiB, 0.4s".
  std::string summary_line();

  static std::string human_bytes(uint64_t bytes);
  static std::string human_count(uint64_t count);

 private:
  std::string label_;
  std::atomic<uint64_t> estimated_rows_{0};  // 0: unknown
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> bytes_{0};
  std::function<void(Progress&)> poll_;
  std::chrono::steady_clock::time_point start_;
};

// Watches jobs as they run. started() and finished() are called once per
// job, from the thread that runs it; several jobs may run at once.
class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  virtual void started(Progress& progress) = 0;
  // REQUIRES: started(progress). The job is over (done or failed).
  virtual void finished(Progress& progress) = 0;
};

// Tells an observer (if any) that a job started, and that it finished when
// the scope ends, however it ends.
class ObservedJob {
 public:
  ObservedJob(ProgressObserver* observer, Progress& progress)
      : observer_(observer), progress_(progress) {
    if (observer_) observer_->started(progress_);
  }
  ~ObservedJob() { finish(); }
  ObservedJob(const ObservedJob&) = delete;
  ObservedJob& operator=(const ObservedJob&) = delete;
  // Idempotent.
  void finish() {
    if (observer_) observer_->finished(progress_);
    observer_ = nullptr;
  }

 private:
  ProgressObserver* observer_;
  Progress& progress_;
};

}  // namespace dvt
