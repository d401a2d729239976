// SIGINT and SIGTERM: a long run stops at a safe point with a clean message, and nothing
// half-written is left behind.
//
// Inside an InterruptScope (training, solvers) a first signal only sets a flag that the loop
// polls between steps, so a checkpoint being written completes. Outside one, or on a second
// signal, the handler removes the registered temporary files and ends the process with
// 128 + signal, as a shell expects.
#pragma once

#include <stdexcept>
#include <string>

namespace enflow {

/// Installs the SIGINT/SIGTERM handlers (idempotent). The enflow executable calls it first.
void install_interrupt_handlers();

/// The signal received inside the innermost InterruptScope, or 0.
int interrupt_signal();

/// "SIGINT", "SIGTERM" or "signal N".
std::string signal_name(int sig);

/// While alive, the first SIGINT/SIGTERM is recorded instead of ending the process.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

/// Thrown by a loop that saw interrupt_signal(); its message says what was kept.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int sig, const std::string& what) : std::runtime_error(what), signal_(sig) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

/// Throws Interrupted("interrupted by SIG...; " + what) if a signal was recorded.
void throw_if_interrupted(const std::string& what);

/// A temporary file or directory that is removed when this object dies, and also by the
/// signal handler if the process is interrupted while it exists (a directory is removed
/// with the files registered inside it).
class ScopedTempPath {
 public:
  ScopedTempPath() = default;
  explicit ScopedTempPath(std::string path, bool directory = false);
  ~ScopedTempPath();
  ScopedTempPath(const ScopedTempPath&) = delete;
  ScopedTempPath& operator=(const ScopedTempPath&) = delete;
  const std::string& path() const { return path_; }
  /// Stops tracking the path without removing it (it was renamed into place).
  void release();

 private:
  std::string path_;
  bool directory_ = false;
  int slot_ = -1;
};

}  // namespace enflow
