// `enflow launch --nproc N -- <command>`: N local processes of one program with the
// environment torchrun would give them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), so that a job of one machine needs nothing but enflow.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace enflow::distributed {

struct LaunchOptions {
  int nproc = 1;
  int master_port = 0;         ///< 0: a free port of 127.0.0.1
  double timeout_seconds = 0;  ///< > 0: ENFLOW_DIST_TIMEOUT of the ranks
  /// After one rank failed, how long the others may take to stop on their own before
  /// SIGTERM, and after that before SIGKILL.
  double grace_seconds = 3;
  std::string program;               ///< the executable; "": this one (/proc/self/exe)
  std::vector<std::string> command;  ///< its arguments, e.g. {"train", "--config", "x.toml"}
};

/// How the job ended. failure: "" when every rank exited 0; else one line naming the first
/// rank that failed and how (exit status or signal). interrupted_by: the SIGINT/SIGTERM the
/// launcher received and forwarded to every rank (0: none).
struct LaunchResult {
  std::string failure;
  int interrupted_by = 0;
};

/// Starts the ranks, forwards SIGINT/SIGTERM to them, waits for all. When one exits non-zero
/// or dies by a signal, the others get grace_seconds to stop by themselves, then SIGTERM,
/// then SIGKILL: no rank outlives the job. Throws std::invalid_argument (one line) on bad
/// options, std::runtime_error when a process cannot be started.
LaunchResult launch(const LaunchOptions& options);

/// A TCP port of 127.0.0.1 that is free now (the kernel's choice).
int free_port();

}  // namespace enflow::distributed
