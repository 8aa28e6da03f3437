// The progress line on a terminal: while a job runs, one line on stderr
// (rows, rows/s, bytes, elapsed) redrawn a few times a second. Jobs shorter
// than half a second never show one. Nothing is drawn when stderr is not a
// terminal, in json mode, or with -q.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/progress.h"

namespace dvt {

class ProgressLine : public ProgressObserver {
 public:
  ProgressLine() = default;
  ~ProgressLine() override;
  // Draws `progress` until finished(). One job at a time: a second job
  // started while one is drawn is not drawn.
  void started(Progress& progress) override;
  void finished(Progress& progress) override;

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  Progress* current_ = nullptr;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace dvt
