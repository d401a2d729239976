// enflow.train and enflow.solve under torchrun: the same group as `enflow train` and `enflow
// solve`, made once per process (each rendezvous binds MASTER_PORT on rank 0 anew).
#include <mutex>

#include "bindings.h"
#include "enflow/distributed/group.h"

namespace enflow::python {

std::shared_ptr<distributed::Group> environment_group() {
  static std::mutex mutex;
  static std::shared_ptr<distributed::Group> group;
  static bool made = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (!made) {
    // CPU (Gloo): the package's solvers and training run where their config says; a CUDA
    // job under NCCL goes through the command line.
    group = distributed::init_from_environment(distributed::default_timeout_seconds());
    made = true;
  }
  return group;
}

}  // namespace enflow::python
