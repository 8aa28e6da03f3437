// The engine's spill folder: its own while the job runs, gone afterwards, and
// those of jobs killed outright removed by the next job.
#include "core/scratch_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "support/run_dvt.h"

namespace dvt {
namespace {

namespace fs = std::filesystem;

// Points $TMPDIR at a folder of the test's own while it lives.
class TmpdirOverride {
 public:
  explicit TmpdirOverride(const std::string& path) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", path.c_str(), 1);
  }
  ~TmpdirOverride() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(ScratchDirectory, RemovesTheFoldersOfJobsThatNoLongerRun) {
  test::TempDir dir;
  TmpdirOverride tmpdir(dir.path());
  // pid 2^22+1 is above Linux's pid_max default and cannot be running; this
  // process and pid 1 are.
  fs::create_directories(dir.file("dvt-4194305/spill"));
  test::write_file(dir.file("dvt-4194305/spill/block.tmp"), "spilled");
  const std::string parent_job = "dvt-" + std::to_string(::getppid());
  fs::create_directories(dir.file(parent_job));
  fs::create_directories(dir.file("dvt-1"));
  fs::create_directories(dir.file("dvt-cache"));
  test::write_file(dir.file("dvt-4194306"), "a file, not a folder");
  fs::path own;
  {
    ScratchDirectory scratch;
    own = scratch.path();
    EXPECT_EQ(own, fs::path(dir.file("dvt-" + std::to_string(::getpid()))));
    EXPECT_TRUE(fs::is_directory(own));
    EXPECT_FALSE(fs::exists(dir.file("dvt-4194305")));
    EXPECT_TRUE(fs::exists(dir.file(parent_job)));
    EXPECT_TRUE(fs::exists(dir.file("dvt-1")));
    EXPECT_TRUE(fs::exists(dir.file("dvt-cache")));
    EXPECT_TRUE(fs::exists(dir.file("dvt-4194306")));
    test::write_file((own / "spilled.block").string(), "x");
  }
  EXPECT_FALSE(fs::exists(own));
}

}  // namespace
}  // namespace dvt
