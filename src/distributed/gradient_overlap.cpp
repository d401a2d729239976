#include "enflow/distributed/gradient_overlap.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

#include "distributed/buckets.h"

namespace enflow::distributed {

struct GradientOverlap::State {
  struct Bucket {
    std::vector<size_t> members;  // parameter indices
    std::vector<int64_t> offsets;
    at::Tensor flat;
    size_t arrived = 0;
  };
  Group* group = nullptr;
  std::vector<at::Tensor> params;
  std::vector<Bucket> buckets;
  std::vector<size_t> bucket_of, slot_of;
  std::vector<char> arrived, frozen;  // frozen: no gradient ever (requires_grad false)
  size_t next = 0;                    // the next bucket to start
  int64_t early = 0;
  std::mutex mutex;  // hooks run on the autograd engine's threads
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, uintptr_t>> hooks;

  at::Tensor slice(size_t i) {
    const auto& b = buckets[bucket_of[i]];
    return b.flat.narrow(0, b.offsets[slot_of[i]], params[i].numel());
  }
  void copy_in(size_t i) {
    const auto& g = params[i].grad();
    if (g.defined())
      slice(i).copy_(g.reshape({-1}));
    else
      slice(i).zero_();
  }
  // A gradient is complete (its accumulator ran): copy it, start the buckets now full.
  void arrive(size_t i) {
    torch::NoGradGuard no_grad;
    std::lock_guard<std::mutex> lock(mutex);
    if (arrived[i]) return;  // one backward pass per finish(); later calls change nothing
    arrived[i] = 1;
    copy_in(i);
    ++buckets[bucket_of[i]].arrived;
    while (next < buckets.size() && buckets[next].arrived == buckets[next].members.size()) {
      group->start_allreduce(buckets[next++].flat);
      ++early;
    }
  }
  // Before a backward pass: nothing arrived but the frozen parameters (counted as zero).
  void rearm() {
    for (auto& b : buckets) b.arrived = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      arrived[i] = frozen[i];
      if (frozen[i]) {
        slice(i).zero_();
        ++buckets[bucket_of[i]].arrived;
      }
    }
    next = 0;
  }
};

GradientOverlap::GradientOverlap(std::vector<at::Tensor> parameters, Group& group,
                                 int64_t bucket_bytes)
    : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.group = &group;
  // Reverse order: the last layers' gradients come first in the backward pass.
  s.params.assign(parameters.rbegin(), parameters.rend());
  s.bucket_of.resize(s.params.size());
  s.slot_of.resize(s.params.size());
  s.arrived.assign(s.params.size(), 0);
  s.frozen.assign(s.params.size(), 0);
  for (const auto& members : group_tensors(s.params, bucket_bytes)) {
    State::Bucket b;
    int64_t n = 0;
    for (size_t slot = 0; slot < members.size(); ++slot) {
      s.bucket_of[members[slot]] = s.buckets.size();
      s.slot_of[members[slot]] = slot;
      b.offsets.push_back(n);
      n += s.params[members[slot]].numel();
    }
    b.members = members;
    b.flat = torch::zeros({n}, s.params[members.front()].options());
    s.buckets.push_back(std::move(b));
  }
  std::weak_ptr<State> weak = state_;
  for (size_t i = 0; i < s.params.size(); ++i) {
    if (!s.params[i].requires_grad()) {
      s.frozen[i] = 1;
      continue;
    }
    if (!s.params[i].is_leaf())
      throw std::invalid_argument("GradientOverlap: parameters must be leaf tensors");
    // The accumulator is held here: the tensor keeps it only weakly, and a new one (without
    // the hook) would be made for the next graph once the last graph holding it is gone.
    auto acc = torch::autograd::impl::grad_accumulator(s.params[i]);
    const auto key = acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [weak, i](const torch::autograd::variable_list& outputs,
                  const torch::autograd::variable_list&) {
          if (auto st = weak.lock()) st->arrive(i);
          return outputs;
        }));
    s.hooks.emplace_back(std::move(acc), key);
  }
  torch::NoGradGuard no_grad;
  s.rearm();
}

GradientOverlap::~GradientOverlap() {
  for (auto& [acc, key] : state_->hooks) acc->del_post_hook(key);
}

void GradientOverlap::finish() {
  torch::NoGradGuard no_grad;
  auto& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  for (; s.next < s.buckets.size(); ++s.next) {
    for (auto i : s.buckets[s.next].members)
      if (!s.arrived[i]) s.copy_in(i);
    s.group->start_allreduce(s.buckets[s.next].flat);
  }
  s.group->wait_started();
  for (size_t i = 0; i < s.params.size(); ++i) {
    if (s.frozen[i]) continue;
    auto& p = s.params[i];
    auto sum = s.slice(i).view_as(p);
    if (p.grad().defined())
      p.mutable_grad().copy_(sum);
    else if (sum.ne(0).any().item<bool>())
      p.mutable_grad() = sum.clone();
  }
  s.rearm();
}

int64_t GradientOverlap::started_early() const { return state_->early; }
int64_t GradientOverlap::buckets() const { return static_cast<int64_t>(state_->buckets.size()); }

}  // namespace enflow::distributed
