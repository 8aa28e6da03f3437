// The pipe tier's child processes: what they inherit, and how a write to a
// child that has stopped reading ends.
#include "connectors/pipe/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/error.h"
#include "core/interrupt.h"

namespace dvt {
namespace {

std::string read_all(ChildProcess& child) {
  std::string out;
  char buffer[4096];
  while (size_t got = child.read(buffer, sizeof(buffer))) out.append(buffer, got);
  return out;
}

TEST(ChildProcess, InheritsOnlyItsStandardStreams) {
  // Client libraries open their sockets without O_CLOEXEC. A child holding
  // one would keep dvt's connection, and its open transaction, alive after
  // dvt itself is gone.
  int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 3);
  ChildOptions options;
  options.argv = {"ls", "/proc/self/fd"};
  ChildProcess child(options);
  // 3 is the directory ls itself opened to list them.
  EXPECT_EQ(read_all(child), "0\n1\n2\n3\n") << "descriptor " << leaked << " leaked";
  child.check_success("ls");
  ::close(leaked);
}

TEST(ChildProcess, CtrlCEndsAWriteToAChildThatReadsNothing) {
  ChildOptions options;
  options.argv = {"sleep", "30"};
  options.pipe_stdin = true;
  options.pipe_stdout = false;
  ChildProcess child(options);
  std::string block(4 << 20, 'x');  // far more than a pipe holds
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    request_interrupt();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(child.write_all(block.data(), block.size()), Interrupted);
  auto waited = std::chrono::steady_clock::now() - start;
  ctrl_c.join();
  clear_interrupt();
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(ChildProcess, CtrlCEndsAReadFromASilentChild) {
  ChildOptions options;
  options.argv = {"sleep", "30"};
  ChildProcess child(options);
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    request_interrupt();
  });
  auto start = std::chrono::steady_clock::now();
  char buffer[64];
  EXPECT_THROW(child.read(buffer, sizeof(buffer)), Interrupted);
  auto waited = std::chrono::steady_clock::now() - start;
  ctrl_c.join();
  clear_interrupt();
  EXPECT_LT(waited, std::chrono::seconds(5));
}

}  // namespace
}  // namespace dvt
