#include "state/state_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/temp_file.h"
#include "state/parquet_identity.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

// A rename is durable once its folder is.
void sync_folder(const fs::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void rename_file(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw Error(fmt::format("cannot rename {} to {}: {}", from.string(), to.string(),
                            std::strerror(errno)));
  }
}

void write_synced(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)));
    }
    written += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void kill_point(const char* point) {
  const char* kill_at = std::getenv("DVT_TEST_KILL_AT");
  if (kill_at && std::strcmp(kill_at, point) == 0) ::raise(SIGKILL);
  const char* interrupt_at = std::getenv("DVT_TEST_INTERRUPT_AT");
  if (interrupt_at && std::strcmp(interrupt_at, point) == 0) {
    ::raise(SIGINT);
    check_interrupted();
  }
}

StateStore::StateStore(fs::path staging_dir, std::string name)
    : dir_(std::move(staging_dir)), name_(std::move(name)) {
  state_dir_ = dir_ / "_state";
  staging_path_ = dir_ / (name_ + ".parquet");
  hashes_path_ = state_dir_ / (name_ + ".hashes.parquet");
  state_path_ = state_dir_ / (name_ + ".state.json");
  next_staging_path_ = state_dir_ / (name_ + ".next.parquet");
  next_hashes_path_ = state_dir_ / (name_ + ".next.hashes.parquet");
  std::error_code error;
  fs::create_directories(state_dir_, error);
  if (error) {
    throw ConfigError(
        fmt::format("cannot create folder {}: {}", state_dir_.string(), error.message()));
  }
  lock_path_ = state_dir_ / (name_ + ".lock");
  // The holder removes the lock file when it ends, so a lock taken on a file
  // that is no longer the one at the path (removed meanwhile) is taken again.
  for (;;) {
    lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
      throw Error(fmt::format("cannot open {}: {}", lock_path_.string(), std::strerror(errno)));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_fd_);
      throw DataError(fmt::format(
          "another dvt job is extracting '{}' into {} (it holds {}); let it finish first", name_,
          dir_.string(), lock_path_.string()));
    }
    struct stat held {
    }, named{};
    if (::fstat(lock_fd_, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      break;
    }
    ::close(lock_fd_);
  }
  try {
    recover();
  } catch (...) {
    ::unlink(lock_path_.c_str());
    ::close(lock_fd_);
    throw;
  }
}

StateStore::~StateStore() {
  std::error_code ignored;
  if (!work_dir_.empty()) fs::remove_all(work_dir_, ignored);
  ::unlink(lock_path_.c_str());
  ::close(lock_fd_);
  // A first extraction that failed leaves no folder behind.
  fs::remove(state_dir_, ignored);
}

void StateStore::recover() {
  for (const fs::path* path :
       {&staging_path_, &hashes_path_, &state_path_, &next_staging_path_, &next_hashes_path_}) {
    TempFile::remove_stale(*path);
  }
  std::error_code error;
  const std::string work_prefix = name_ + ".work-";
  for (const auto& entry : fs::directory_iterator(state_dir_, error)) {
    if (dead_process_in(entry.path().filename().string(), work_prefix))
      fs::remove_all(entry.path(), error);
  }
  if (fs::exists(state_path_)) {
    std::ifstream file(state_path_);
    std::stringstream text;
    text << file.rdbuf();
    try {
      state_ = state_from_json(text.str(), state_path_.string());
    } catch (const DataError& failure) {
      problem_ = failure.what();
    }
  }
  // A commit stopped between the state's rename and the files': finish it.
  auto roll_forward = [&](const fs::path& next, const fs::path& final_path,
                          const FileRecord& recorded) {
    if (parquet_matches(final_path, recorded) || !parquet_matches(next, recorded)) return;
    rename_file(next, final_path);
    sync_folder(final_path.parent_path());
  };
  if (state_) {
    roll_forward(next_staging_path_, staging_path_, state_->staging);
    if (state_->hashes) roll_forward(next_hashes_path_, hashes_path_, *state_->hashes);
  }
  // What is left of them belongs to no committed state.
  fs::remove(next_staging_path_, error);
  fs::remove(next_hashes_path_, error);
}

void StateStore::write_state(const SourceState& next) {
  fs::path temp = state_path_;
  temp += fmt::format(".tmp-{}", ::getpid());
  try {
    write_synced(temp, state_to_json(next));
    kill_point("state-written");
    rename_file(temp, state_path_);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  sync_folder(state_dir_);
}

void StateStore::commit_state(SourceState next) {
  write_state(next);
  state_ = std::move(next);
}

bool StateStore::staging_intact() const {
  return state_ && parquet_matches(staging_path_, state_->staging);
}

bool StateStore::hashes_intact() const {
  return state_ && state_->hashes && parquet_matches(hashes_path_, *state_->hashes);
}

const fs::path& StateStore::work_dir() {
  if (work_dir_.empty()) {
    work_dir_ = state_dir_ / fmt::format("{}.work-{}", name_, ::getpid());
    fs::remove_all(work_dir_);
    fs::create_directories(work_dir_);
  }
  return work_dir_;
}

void StateStore::commit(SourceState next) {
  auto identify = [](const fs::path& path, const std::string& relative, uint64_t rows) {
    std::optional<FileRecord> record = identify_parquet(path, relative, rows);
    if (!record) throw InternalError(path.string() + " is not a complete Parquet file");
    return *record;
  };
  next.staging = identify(next_staging_path_, staging_path_.filename().string(), next.staging.rows);
  if (next.hashes) {
    next.hashes =
        identify(next_hashes_path_, (fs::path("_state") / hashes_path_.filename()).string(),
                 next.hashes->rows);
  }
  const bool had_hashes = state_ && state_->hashes;
  write_state(next);
  // Committed: from here on the next run finishes what this one does not.
  state_ = std::move(next);
  kill_point("committed");
  rename_file(next_staging_path_, staging_path_);
  sync_folder(dir_);
  kill_point("staging-renamed");
  if (state_->hashes) {
    rename_file(next_hashes_path_, hashes_path_);
    sync_folder(state_dir_);
  } else if (had_hashes) {
    std::error_code ignored;
    fs::remove(hashes_path_, ignored);
  }
}

}  // namespace dvt
