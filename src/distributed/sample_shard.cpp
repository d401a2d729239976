#include "enflow/distributed/sample_shard.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <stdexcept>
#include <utility>

#include "enflow/distributed/group.h"

namespace enflow::distributed {

Share share_of(int64_t n, const Group* g, const char* what) {
  const int64_t w = size_of(g), r = rank_of(g);
  if (n < w)
    throw std::invalid_argument(fmt::format(
        "{} {} cannot be shared by {} processes (each needs at least one)", n, what, w));
  return {n * r / w, n * (r + 1) / w - n * r / w};
}

at::Tensor rows_of_share(const at::Tensor& all, const Group* g) {
  if (!g) return all;
  const auto s = share_of(all.size(0), g);
  return all.narrow(0, s.begin, s.count).clone();
}

uint64_t rank_seed(uint64_t seed, const Group* g) {
  const int r = rank_of(g);
  if (r == 0) return seed;
  // splitmix64 of seed + r·golden: streams of neighbouring seeds and ranks do not overlap.
  uint64_t z = seed + static_cast<uint64_t>(r) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (z ^ (z >> 31)) >> 1;  // torch seeds are taken as int64 in places: stay positive
}

void sum_over_ranks(const std::vector<at::Tensor>& tensors, Group* g) {
  if (g) g->allreduce_tensors(tensors);
}

double sum_over_ranks(double value, Group* g) { return g ? g->allreduce_sum({value})[0] : value; }

std::vector<double> sum_over_ranks(std::vector<double> values, Group* g) {
  return g ? g->allreduce_sum(values) : values;
}

at::Tensor gather_rows(const at::Tensor& rows, Group* g) {
  return g ? g->allgather_rows(rows) : rows;
}

void broadcast_from_rank0(const std::vector<at::Tensor>& tensors, Group* g) {
  if (g) g->broadcast(tensors, 0);
}

namespace {

// Sum over ranks forward; the incoming gradient summed over ranks backward (every rank's
// output depends on every rank's input).
struct RankSum : public torch::autograd::Function<RankSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& local,
                            int64_t group) {
    ctx->saved_data["group"] = group;
    auto out = local.detach().clone();
    reinterpret_cast<Group*>(group)->allreduce_tensors({out});
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto g = grads[0].detach().clone();
    reinterpret_cast<Group*>(ctx->saved_data["group"].toInt())->allreduce_tensors({g});
    return {g, at::Tensor()};
  }
};

}  // namespace

at::Tensor differentiable_sum(const at::Tensor& local, Group* g) {
  if (!g) return local;
  return RankSum::apply(local, reinterpret_cast<int64_t>(g));
}

std::function<at::Tensor()> summed_over_ranks(std::function<at::Tensor()> local_loss,
                                              std::vector<at::Tensor> params, Group* g) {
  if (!g) return local_loss;
  return [local_loss = std::move(local_loss), params = std::move(params), g] {
    auto local = local_loss();
    auto grads = torch::autograd::grad({local}, params, {}, /*retain_graph=*/false,
                                       /*create_graph=*/false, /*allow_unused=*/true);
    std::vector<at::Tensor> sums;
    for (size_t i = 0; i < params.size(); ++i)
      sums.push_back(grads[i].defined() ? grads[i].detach() : torch::zeros_like(params[i]));
    auto value = local.detach().reshape({1}).clone();
    sums.push_back(value);
    g->allreduce_tensors(sums);
    // Value: the global sum exactly (s − s.detach() is an exact zero); gradient: the sums.
    auto s = torch::zeros({}, value.options());
    for (size_t i = 0; i < params.size(); ++i) s = s + (params[i] * sums[i]).sum();
    return value.reshape({}) + (s - s.detach());
  };
}

}  // namespace enflow::distributed
