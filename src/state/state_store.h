// The three files of one staging name, and the one way they change together:
//
//   <staging>/<name>.parquet                 the staging file
//   <staging>/_state/<name>.hashes.parquet   its rows' keys and hashes (--delta)
//   <staging>/_state/<name>.state.json       the commit record (state_file.h)
//
// A run writes the new staging and hashes files beside the old ones, as
// _state/<name>.next.parquet and _state/<name>.next.hashes.parquet (each
// under a temp name renamed when complete), then commits: the new state,
// which names both files by size and footer digest, is renamed over the old
// one (the one atomic step), and the two files are renamed into place. So a
// run stopped anywhere before that rename (killed, interrupted, failed)
// leaves the previous three files exactly as they were, and its next files
// are removed by the next run; a run stopped after it is finished by the
// next run on that name, which renames the next files into place before it
// reads anything. Every dvt run reading the state goes through here, so
// none ever sees a staging file with another run's state or hashes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "state/state_file.h"

namespace dvt {

class StateStore {
 public:
  // Opens the state of `name` (a plain file name) in `staging_dir` and holds
  // its lock until destroyed; finishes a commit that an interrupted run left
  // half done, and removes what runs that no longer run left behind. Throws
  // DataError when another job holds the lock.
  StateStore(std::filesystem::path staging_dir, std::string name);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The committed state; nullopt when there is none or it cannot be read
  // (then problem() says why).
  const std::optional<SourceState>& state() const { return state_; }
  const std::string& problem() const { return problem_; }

  const std::filesystem::path& staging_path() const { return staging_path_; }
  const std::filesystem::path& hashes_path() const { return hashes_path_; }
  const std::filesystem::path& state_path() const { return state_path_; }
  // Where a run writes the files it commits.
  const std::filesystem::path& next_staging_path() const { return next_staging_path_; }
  const std::filesystem::path& next_hashes_path() const { return next_hashes_path_; }

  // Whether the staging (hashes) file on disk is the one the state names.
  bool staging_intact() const;
  bool hashes_intact() const;

  // A folder for this run's intermediate files, removed with the store.
  const std::filesystem::path& work_dir();

  // Makes `next` the state. REQUIRES: the next staging file is written, and
  // the next hashes file when next.hashes is set (its rows are taken from
  // next.hashes->rows, the staging's from next.staging.rows; sizes and
  // digests are filled in here). Throws Error when a file cannot be renamed;
  // a failure before the state's rename leaves the previous state in place.
  void commit(SourceState next);
  // Makes `next` the state, keeping the staging and hashes files. REQUIRES:
  // `next` names the same files as the current state.
  void commit_state(SourceState next);

 private:
  void recover();
  // Writes `next` over the state file: the commit point.
  void write_state(const SourceState& next);

  std::filesystem::path dir_;
  std::string name_;
  std::filesystem::path state_dir_;
  std::filesystem::path staging_path_, hashes_path_, state_path_;
  std::filesystem::path next_staging_path_, next_hashes_path_;
  std::filesystem::path work_dir_;
  std::filesystem::path lock_path_;
  int lock_fd_ = -1;
  std::optional<SourceState> state_;
  std::string problem_;
};

// Test hooks: when $DVT_TEST_KILL_AT names `point`, the process kills itself
// (SIGKILL) there, as a crash or `kill -9` would; when
// $DVT_TEST_INTERRUPT_AT does, it gets a SIGINT there, as from Ctrl-C.
void kill_point(const char* point);

}  // namespace dvt
