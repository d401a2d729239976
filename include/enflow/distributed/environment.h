// Where this process stands in a job of many, read from the environment that torchrun,
// Slurm's srun and `enflow launch` set: no launcher of enflow's own is needed to run on many
// machines.
#pragma once

#include <functional>
#include <string>

namespace enflow::distributed {

/// Rank, world size and the rendezvous address (rank 0 serves the c10d TCPStore there).
struct Environment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  /// TORCHELASTIC_USE_AGENT_STORE=True (torchrun): the launcher's agent serves the TCPStore
  /// at master_addr:master_port, so rank 0 joins it as a client instead of serving one.
  bool agent_store = false;
};

/// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (torchrun); where RANK is absent,
/// SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID (srun, with MASTER_ADDR/MASTER_PORT set by the
/// job script). Neither: one process. Inconsistent values (a WORLD_SIZE without RANK, a rank
/// outside [0, WORLD_SIZE), a port that is no port) throw std::invalid_argument, one line.
/// `get` looks a variable up (nullptr: unset); the default reads the process environment.
Environment environment_from(const std::function<const char*(const char*)>& get);
Environment environment();

/// The collective timeout in seconds: ENFLOW_DIST_TIMEOUT, else 300. Throws on a value
/// that is not a positive number.
double default_timeout_seconds();

}  // namespace enflow::distributed
