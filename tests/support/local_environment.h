// Test support: the environment of one rank of a job on 127.0.0.1 (what torchrun would set).
#pragma once

#include "enflow/distributed/environment.h"

namespace enflow::distributed {

inline Environment local_environment(int rank, int size, int port) {
  Environment e;
  e.rank = rank;
  e.world_size = size;
  e.master_addr = "127.0.0.1";
  e.master_port = port;
  return e;
}

}  // namespace enflow::distributed
