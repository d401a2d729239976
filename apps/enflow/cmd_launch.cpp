// `enflow launch --nproc N -- <command>`: N local ranks of an enflow command (training on
// many processes; docs/distributed.md). The launching is the library's.
#include <memory>
#include <stdexcept>

#include "commands.h"
#include "enflow/distributed/launch.h"
#include "enflow/interrupt.h"

namespace enflow::cli {
namespace {

const CommandRegistrar launch_reg(
    "launch", "Run an enflow command as N local processes (torchrun's environment)",
    [](CLI::App& app, Common&) -> Action {
      auto o = std::make_shared<distributed::LaunchOptions>();
      app.add_option("--nproc", o->nproc, "Number of processes (ranks)")->required();
      app.add_option("--master-port", o->master_port,
                     "Rendezvous port of 127.0.0.1 (default: a free one)");
      app.add_option("--dist-timeout", o->timeout_seconds,
                     "Seconds a rank waits for the others (ENFLOW_DIST_TIMEOUT of the ranks; "
                     "default 300)")
          ->check(kPositive);
      app.add_option("command", o->command, "-- then the enflow command and its options")
          ->required();
      app.footer("\nExample: enflow launch --nproc 2 -- train --config configs/x.toml");
      return [o] {
        const auto r = distributed::launch(*o);
        if (r.interrupted_by)
          throw Interrupted(r.interrupted_by, "interrupted by " + signal_name(r.interrupted_by) +
                                                  "; it was forwarded to every rank");
        if (!r.failure.empty()) throw std::runtime_error(r.failure);
        return 0;
      };
    });

}  // namespace
}  // namespace enflow::cli
