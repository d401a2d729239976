// Rendezvous variables of torchrun and Slurm (include/enflow/distributed/environment.h).
#include "enflow/distributed/environment.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace enflow::distributed {

namespace {

// A whole decimal integer, or a one-line error naming the variable.
int env_int(const char* name, const char* text, int lo, int hi) {
  const std::string s = text;
  size_t used = 0;
  long v = 0;
  try {
    v = std::stol(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size() || v < lo || v > hi)
    throw std::invalid_argument(std::string(name) + "='" + s + "' must be an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

}  // namespace

Environment environment_from(const std::function<const char*(const char*)>& get) {
  Environment e;
  const char* rank = get("RANK");
  const char* size = get("WORLD_SIZE");
  const char* rank_name = "RANK";
  const char* size_name = "WORLD_SIZE";
  if (!rank && !size && get("SLURM_PROCID") && get("SLURM_NTASKS")) {
    rank = get("SLURM_PROCID"), rank_name = "SLURM_PROCID";
    size = get("SLURM_NTASKS"), size_name = "SLURM_NTASKS";
  }
  if (!rank && !size) return e;  // one process
  if (!rank || !size)
    throw std::invalid_argument(std::string(rank ? size_name : rank_name) + " is unset but " +
                                (rank ? rank_name : size_name) +
                                " is set: a job of many processes needs both");
  constexpr int kMaxWorld = 1 << 20;
  e.world_size = env_int(size_name, size, 1, kMaxWorld);
  e.rank = env_int(rank_name, rank, 0, kMaxWorld);
  if (e.rank >= e.world_size)
    throw std::invalid_argument(std::string(rank_name) + "=" + std::to_string(e.rank) +
                                " is outside [0, " + size_name + "=" +
                                std::to_string(e.world_size) + ")");
  const char* local = get("LOCAL_RANK");
  if (!local && rank_name[0] == 'S') local = get("SLURM_LOCALID");
  e.local_rank = local ? env_int("LOCAL_RANK", local, 0, kMaxWorld) : 0;
  if (const char* addr = get("MASTER_ADDR")) {
    if (*addr == '\0') throw std::invalid_argument("MASTER_ADDR is empty");
    e.master_addr = addr;
  } else if (e.world_size > 1) {
    throw std::invalid_argument(
        "MASTER_ADDR is unset: the address of rank 0's host is needed to meet the others");
  }
  if (const char* port = get("MASTER_PORT"))
    e.master_port = env_int("MASTER_PORT", port, 1, 65535);
  else if (e.world_size > 1)
    throw std::invalid_argument("MASTER_PORT is unset: rank 0 serves the rendezvous on it");
  // torchrun's agent already serves the store on MASTER_PORT (static rendezvous).
  if (const char* agent = get("TORCHELASTIC_USE_AGENT_STORE"))
    e.agent_store = std::string(agent) == "True";
  return e;
}

Environment environment() {
  return environment_from([](const char* name) { return std::getenv(name); });
}

double default_timeout_seconds() {
  const char* t = std::getenv("ENFLOW_DIST_TIMEOUT");
  if (!t || !*t) return 300.0;
  char* end = nullptr;
  const double v = std::strtod(t, &end);
  if (end == t || *end != '\0' || !(v > 0) || !std::isfinite(v))
    throw std::invalid_argument(std::string("ENFLOW_DIST_TIMEOUT='") + t +
                                "' must be a positive number of seconds");
  return v;
}

}  // namespace enflow::distributed
