// Sample-parallel solvers (EVNN particles, VMC chains, ...): each rank holds a share of the
// samples, draws its own from a random stream of its own, and adds its partial sums to the
// others'. With a null group (one process) every helper is the identity, so a solver that
// calls them runs exactly as before.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace enflow::distributed {

class Group;

/// Rank r's contiguous share [begin, begin + count) of n samples: [n·r/W, n·(r+1)/W).
struct Share {
  int64_t begin = 0, count = 0;
};
/// Throws std::invalid_argument (naming `what`) when n is smaller than the world.
Share share_of(int64_t n, const Group* g, const char* what = "samples");

/// This rank's rows (dim 0) of a tensor that holds all n samples.
at::Tensor rows_of_share(const at::Tensor& all, const Group* g);

/// The seed of this rank's random stream: `seed` itself on rank 0 (one process draws what it
/// drew before), a splitmix64 hash of (seed, rank) on the others.
uint64_t rank_seed(uint64_t seed, const Group* g);

/// Sums over the ranks, in place.
void sum_over_ranks(const std::vector<at::Tensor>& tensors, Group* g);
double sum_over_ranks(double value, Group* g);
std::vector<double> sum_over_ranks(std::vector<double> values, Group* g);

/// Every rank's rows concatenated in rank order (SVGD's kernel couples all particles).
at::Tensor gather_rows(const at::Tensor& rows, Group* g);

/// Copies rank 0's values into `tensors` (parameters at the start).
void broadcast_from_rank0(const std::vector<at::Tensor>& tensors, Group* g);

/// A differentiable sum over the ranks of a tensor that depends on this rank's samples (e.g.
/// an integral inside the loss, not the loss itself): its value is the sum of every rank's
/// `local`, and its backward sums the incoming gradients over the ranks, so that with
/// summed_over_ranks each rank's gradient carries the others' dependence on it. Forward and
/// backward are collectives: every rank must compute it. `local` itself for a null group.
at::Tensor differentiable_sum(const at::Tensor& local, Group* g);

/// A loss that is a sum over samples, evaluated on this rank's share, turned into the loss
/// of all samples: its value is the sum over ranks and its gradient with respect to `params`
/// is the sum of the ranks' gradients (one bucketed allreduce per evaluation). Every rank's
/// optimizer (Adam, L-BFGS with its line search) then sees the same numbers and takes the
/// same step. The loss itself for a null group.
std::function<at::Tensor()> summed_over_ranks(std::function<at::Tensor()> local_loss,
                                              std::vector<at::Tensor> params, Group* g);

}  // namespace enflow::distributed
