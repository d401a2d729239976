// enflow::distributed::Group on c10d: a TCPStore served by rank 0 for the rendezvous, then
// ProcessGroupGloo (CPU) or ProcessGroupNCCL (CUDA, where this libtorch was built with it and
// enflow with ENFLOW_WITH_NCCL). Debian's libtorch has Gloo inside libtorch_cpu; its headers
// come from libgloo-dev. Without them this file still builds and a world of more than one
// process is refused with a clear error.
#if __has_include(<gloo/context.h>)
#define USE_C10D_GLOO 1
#endif
#if defined(ENFLOW_WITH_NCCL) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#define USE_C10D_NCCL 1
#endif

#include "enflow/distributed/group.h"

#include "distributed/buckets.h"

#include <fmt/core.h>
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <thread>

namespace enflow::distributed {

namespace {

using Clock = std::chrono::steady_clock;
using WorkPtr = c10::intrusive_ptr<c10d::Work>;

// The first line of what c10d or Gloo said (without LibTorch's backtrace).
std::string first_line_of(const std::exception& e) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  std::string s = c10 ? c10->what_without_backtrace() : e.what();
  s = s.substr(0, s.find('\n'));
  return s.empty() ? "no reason given" : s;
}

std::string alive_key(int rank) { return "enflow/alive/" + std::to_string(rank); }

}  // namespace

std::vector<std::vector<size_t>> group_tensors(const std::vector<at::Tensor>& ts, int64_t bytes) {
  std::vector<std::vector<size_t>> groups;
  int64_t filled = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const int64_t b = ts[i].numel() * static_cast<int64_t>(ts[i].element_size());
    const bool same = !groups.empty() && ts[groups.back().back()].dtype() == ts[i].dtype() &&
                      ts[groups.back().back()].device() == ts[i].device();
    if (!same || filled + b > bytes) {
      groups.emplace_back();
      filled = 0;
    }
    groups.back().push_back(i);
    filled += b;
  }
  return groups;
}

struct Group::Impl {
  int rank = 0, size = 1;
  double timeout_seconds = 300;
  std::string backend;
  c10::Device device = c10::kCPU;
  c10::intrusive_ptr<c10d::Store> store;
  // The backend's collectives (ProcessGroupGloo and ProcessGroupNCCL share no base class
  // across libtorch versions, so they are held as calls).
  std::function<WorkPtr(std::vector<at::Tensor>&)> allreduce;
  std::function<WorkPtr(std::vector<at::Tensor>&, int root)> broadcast;
  std::function<WorkPtr(std::vector<std::vector<at::Tensor>>&, std::vector<at::Tensor>&)> allgather;
  std::function<WorkPtr()> barrier;
  Traffic traffic;
  std::vector<WorkPtr> started;  // start_allreduce's collectives in flight
  int64_t started_bytes = 0;

  // Waits for collectives; a failure becomes one line naming the ranks that no longer answer.
  void wait(const std::vector<WorkPtr>& works, const std::string& what, int64_t bytes) {
    const auto t0 = Clock::now();
    try {
      for (const auto& w : works) w->wait();
    } catch (const std::exception& e) {
      throw std::runtime_error(diagnose(what, first_line_of(e), t0));
    }
    traffic.collectives += static_cast<int64_t>(works.size());
    traffic.bytes += bytes;
    traffic.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  }

  // `pieces` packed into flat buckets of at most `bucket_bytes`, each through `collective`
  // (all in flight at once; Gloo overlaps them), then the results cut back into the pieces'
  // shapes (views of the buckets).
  std::vector<at::Tensor> bucketed(
      const std::vector<at::Tensor>& pieces, int64_t bucket_bytes,
      const std::function<WorkPtr(std::vector<at::Tensor>&)>& collective, const std::string& what) {
    const auto groups = group_tensors(pieces, bucket_bytes);
    std::vector<WorkPtr> works;
    std::vector<at::Tensor> flats;
    int64_t bytes = 0;
    for (const auto& g : groups) {
      std::vector<at::Tensor> parts;
      for (auto i : g) parts.push_back(pieces[i].detach().reshape({-1}));
      std::vector<at::Tensor> flat{torch::cat(parts)};
      bytes += flat[0].numel() * static_cast<int64_t>(flat[0].element_size());
      works.push_back(collective(flat));
      flats.push_back(flat[0]);
    }
    wait(works, what, bytes);
    std::vector<at::Tensor> out(pieces.size());
    for (size_t b = 0; b < groups.size(); ++b) {
      int64_t off = 0;
      for (auto i : groups[b]) {
        const int64_t n = pieces[i].numel();
        out[i] = flats[b].narrow(0, off, n).view_as(pieces[i]);
        off += n;
      }
    }
    return out;
  }

  // Which peers are gone: every rank still alive marks itself in the store and looks, for a
  // few seconds, for the marks of the others. Rank 0 serves the store, so when it cannot be
  // reached rank 0 is the one gone.
  std::string diagnose(const std::string& what, const std::string& reason, Clock::time_point t0) {
    const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
    std::string who;
    try {
      store->setTimeout(std::chrono::milliseconds(3000));
      store->set(alive_key(rank), std::vector<uint8_t>{1});
      const auto deadline = Clock::now() + std::chrono::seconds(3);
      std::vector<int> missing;
      for (;;) {
        missing.clear();
        for (int r = 0; r < size; ++r)
          if (r != rank && !store->check({alive_key(r)})) missing.push_back(r);
        if (missing.empty() || Clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      for (int r : missing) who += (who.empty() ? "" : ", ") + std::to_string(r);
      who = missing.empty() ? "every rank is still alive (a collective mismatch?)"
                            : (missing.size() == 1 ? "rank " : "ranks ") + who +
                                  " stopped answering (died or stalled)";
    } catch (const std::exception&) {
      who = "rank 0 (which serves the rendezvous store) is gone or stalled";
    }
    return fmt::format("rank {}: {} failed after {:.1f} s (timeout {:g} s): {} [{}]", rank, what,
                       waited, timeout_seconds, who, reason);
  }
};

namespace {

// Holds a backend's collectives as calls in the group (both backends alike).
template <class GroupImpl, class ProcessGroup>
void bind_collectives(GroupImpl& impl, const c10::intrusive_ptr<ProcessGroup>& pg,
                      const char* backend) {
  impl.backend = backend;
  impl.allreduce = [pg](std::vector<at::Tensor>& t) { return pg->allreduce(t); };
  impl.broadcast = [pg](std::vector<at::Tensor>& t, int root) {
    c10d::BroadcastOptions bo;
    bo.rootRank = root;
    return pg->broadcast(t, bo);
  };
  impl.allgather = [pg](std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) {
    return pg->allgather(out, in);
  };
  impl.barrier = [pg] { return pg->barrier(); };
}

}  // namespace

Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Group::~Group() = default;

std::shared_ptr<Group> Group::connect(const Environment& env, double timeout_seconds,
                                      c10::Device device) {
  if (!(timeout_seconds > 0) || !std::isfinite(timeout_seconds))
    throw std::invalid_argument("the distributed timeout must be a positive number of seconds");
  auto impl = std::make_unique<Impl>();
  impl->rank = env.rank;
  impl->size = env.world_size;
  impl->timeout_seconds = timeout_seconds;
  impl->device = device;
  const std::chrono::milliseconds timeout(std::llround(timeout_seconds * 1000));
  const std::string where = fmt::format("{}:{}", env.master_addr, env.master_port);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0 && !env.agent_store;
    so.numWorkers = static_cast<std::size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format(
        "rank {}: could not meet the other ranks at {} within {:g} s (MASTER_ADDR, MASTER_PORT, "
        "--dist-timeout): {}",
        env.rank, where, timeout_seconds, first_line_of(e)));
  }
  auto pg_store = c10::make_intrusive<c10d::PrefixStore>("enflow/pg", impl->store);
  try {
#ifdef USE_C10D_NCCL
    if (device.is_cuda()) {
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(pg_store, env.rank, env.world_size, o);
      bind_collectives(*impl, pg, "nccl");
    }
#endif
#ifdef USE_C10D_GLOO
    if (impl->backend.empty()) {
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      // The interface torch uses (GLOO_SOCKET_IFNAME), loopback for a job on one machine,
      // else the address this host's name resolves to.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      const bool local = env.master_addr.rfind("127.", 0) == 0 || env.master_addr == "localhost";
      o->devices.push_back(ifname && *ifname
                               ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                           : local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                   : c10d::ProcessGroupGloo::createDefaultDevice());
      auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(pg_store, env.rank, env.world_size, o);
      bind_collectives(*impl, pg, "gloo");
    }
#endif
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("rank {}: could not form the process group through {}: {}",
                                         env.rank, where, first_line_of(e)));
  }
  if (impl->backend.empty())
    throw std::runtime_error(
        "this enflow was built without a c10d backend (Gloo headers: apt-get install "
        "libgloo-dev, then rebuild): it runs as one process only");
  return std::shared_ptr<Group>(new Group(std::move(impl)));
}

int Group::rank() const { return impl_->rank; }
int Group::size() const { return impl_->size; }
const std::string& Group::backend() const { return impl_->backend; }
double Group::timeout_seconds() const { return impl_->timeout_seconds; }
const Traffic& Group::traffic() const { return impl_->traffic; }

void Group::broadcast(const std::vector<at::Tensor>& tensors, int root) {
  torch::NoGradGuard no_grad;
  const auto got = impl_->bucketed(
      tensors, kBucketBytes, [&](std::vector<at::Tensor>& f) { return impl_->broadcast(f, root); },
      fmt::format("broadcast from rank {}", root));
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].detach().copy_(got[i]);
}

void Group::allreduce_gradients(const std::vector<at::Tensor>& parameters, int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters)
    grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
  const auto sums =
      impl_->bucketed(grads, bucket_bytes, impl_->allreduce, "allreduce of the gradients");
  for (size_t i = 0; i < parameters.size(); ++i) {
    auto p = parameters[i];
    if (p.grad().defined())
      p.mutable_grad().copy_(sums[i]);
    else if (sums[i].ne(0).any().item<bool>())
      p.mutable_grad() = sums[i].clone();
  }
}

void Group::allreduce_tensors(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  const auto sums =
      impl_->bucketed(tensors, bucket_bytes, impl_->allreduce, "allreduce of the sample sums");
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].detach().copy_(sums[i]);
}

void Group::start_allreduce(const at::Tensor& flat) {
  std::vector<at::Tensor> t{flat};
  impl_->started.push_back(impl_->allreduce(t));
  impl_->started_bytes += flat.numel() * static_cast<int64_t>(flat.element_size());
}

void Group::wait_started() {
  auto works = std::move(impl_->started);
  const int64_t bytes = impl_->started_bytes;
  impl_->started.clear();
  impl_->started_bytes = 0;
  impl_->wait(works, "allreduce of the gradients", bytes);
}

at::Tensor Group::allgather_rows(const at::Tensor& tensor) {
  torch::NoGradGuard no_grad;
  // Row counts first (Gloo gathers equal shapes): every rank pads to the largest.
  std::vector<double> counts(static_cast<size_t>(impl_->size), 0.0);
  counts[static_cast<size_t>(impl_->rank)] = static_cast<double>(tensor.size(0));
  counts = allreduce_sum(counts);
  const int64_t most = static_cast<int64_t>(*std::max_element(counts.begin(), counts.end()));
  auto shape = tensor.sizes().vec();
  shape[0] = most;
  std::vector<at::Tensor> in{torch::zeros(shape, tensor.options())};
  in[0].narrow(0, 0, tensor.size(0)).copy_(tensor.detach());
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < impl_->size; ++r) out[0].push_back(torch::empty_like(in[0]));
  impl_->wait({impl_->allgather(out, in)}, "allgather of the samples",
              in[0].numel() * static_cast<int64_t>(in[0].element_size()));
  std::vector<at::Tensor> rows;
  for (int r = 0; r < impl_->size; ++r)
    rows.push_back(out[0][static_cast<size_t>(r)].narrow(
        0, 0, static_cast<int64_t>(counts[static_cast<size_t>(r)])));
  return torch::cat(rows);
}

std::vector<double> Group::allreduce_sum(const std::vector<double>& values) {
  std::vector<at::Tensor> t{
      torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64)).to(impl_->device)};
  impl_->wait({impl_->allreduce(t)}, "allreduce of the metrics",
              static_cast<int64_t>(values.size() * sizeof(double)));
  auto cpu = t[0].cpu();
  return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

void Group::barrier() { impl_->wait({impl_->barrier()}, "barrier", 0); }

std::shared_ptr<Group> init_from_environment(double timeout_seconds, c10::Device device) {
  const auto env = environment();
  if (env.world_size <= 1) return nullptr;
  return Group::connect(env, timeout_seconds, device);
}

}  // namespace enflow::distributed
