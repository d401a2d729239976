#include "enflow/learn/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "enflow/io/atomic_file.h"

namespace enflow::learn {

at::Tensor PairSet::finite_difference() const { return (u1 - u0) / dt.reshape({-1, 1}); }

PairSet make_pairs(const io::Dataset& data, const std::vector<int64_t>& series,
                   c10::ScalarType dtype, c10::Device device) {
  if (!data.states.defined() || data.states.dim() != 3) {
    throw std::invalid_argument("dataset states must be [series, steps, dim]");
  }
  const int64_t S = data.states.size(0), T = data.states.size(1);
  if (T < 2) throw std::invalid_argument("dataset needs at least 2 time steps per series");
  std::vector<at::Tensor> u0, u1, dt;
  for (auto s : series) {
    if (s < 0 || s >= S) {
      throw std::invalid_argument("series index " + std::to_string(s) + " out of range [0, " +
                                  std::to_string(S) + ")");
    }
    auto x = data.states[s];
    u0.push_back(x.narrow(0, 0, T - 1));
    u1.push_back(x.narrow(0, 1, T - 1));
    auto t = data.t.dim() == 2 ? data.t[s] : data.t;
    dt.push_back(t.narrow(0, 1, T - 1) - t.narrow(0, 0, T - 1));
  }
  if (u0.empty()) throw std::invalid_argument("no series selected");
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  PairSet p{torch::cat(u0).to(opts), torch::cat(u1).to(opts), torch::cat(dt).to(opts)};
  if (!(p.dt > 0).all().item<bool>()) {
    throw std::invalid_argument("time stamps must increase strictly within each series");
  }
  return p;
}

namespace {

// A checkpoint: model, optimizer, the iteration reached, the training time so far and the
// mean loss of the current log window (so a resumed run reports totals, and a finished one
// its final loss; older checkpoints lack the two).
void save_checkpoint(const std::string& path, models::DynamicsModelImpl& model,
                     torch::optim::Adam& opt, int64_t iteration, double seconds, double loss) {
  io::write_atomically(path, [&](const std::string& tmp) {
    torch::serialize::OutputArchive ar, m, o;
    model.save(m);
    opt.save(o);
    ar.write("model", m);
    ar.write("optimizer", o);
    ar.write("iteration", torch::tensor(iteration));
    ar.write("seconds", torch::tensor(seconds, torch::kFloat64));
    ar.write("loss", torch::tensor(loss, torch::kFloat64));
    ar.save_to(tmp);
  });
}

void load_checkpoint(const std::string& path, models::DynamicsModelImpl& model,
                     torch::optim::Adam& opt, TrainReport& rep) {
  torch::serialize::InputArchive ar, m, o;
  ar.load_from(path);
  ar.read("model", m);
  ar.read("optimizer", o);
  model.load(m);
  opt.load(o);
  torch::Tensor it, seconds, loss;
  ar.read("iteration", it);
  rep.start_iteration = rep.iterations = it.item<int64_t>();
  if (ar.try_read("seconds", seconds)) rep.seconds = seconds.item<double>();
  if (ar.try_read("loss", loss)) rep.final_loss = loss.item<double>();
}

}  // namespace

TrainReport train(models::DynamicsModelImpl& model, const PairSet& pairs, const TrainOptions& o,
                  const std::function<void(const TrainProgress&)>& on_progress) {
  const int64_t N = pairs.size();
  if (N == 0) throw std::invalid_argument("no training pairs");
  if (o.iterations() < 0) throw std::invalid_argument("iterations must be >= 0");
  if (!(o.lr() > 0)) throw std::invalid_argument("learning rate must be positive");
  torch::optim::Adam opt(model.parameters(),
                         torch::optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
  TrainReport rep;
  if (o.resume() && !o.checkpoint_path().empty() && std::filesystem::exists(o.checkpoint_path())) {
    load_checkpoint(o.checkpoint_path(), model, opt, rep);
  }
  auto gen = at::detail::createCPUGenerator(o.seed() + static_cast<uint64_t>(rep.start_iteration));
  const int64_t B = (o.batch() <= 0 || o.batch() >= N) ? N : o.batch();
  auto target = pairs.finite_difference();
  const auto t0 = std::chrono::steady_clock::now();
  const double seconds_before = rep.seconds;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  double window_sum = 0.0;
  int64_t window_n = 0;
  model.train();
  for (int64_t it = rep.start_iteration + 1; it <= o.iterations(); ++it) {
    at::Tensor idx;
    if (B == N) {
      idx = torch::arange(N, torch::TensorOptions().dtype(torch::kLong));
    } else {
      idx = torch::randperm(N, gen, torch::TensorOptions().dtype(torch::kLong)).narrow(0, 0, B);
    }
    idx = idx.to(pairs.u0.device());
    auto u0 = pairs.u0.index_select(0, idx), u1 = pairs.u1.index_select(0, idx);
    auto dt = pairs.dt.index_select(0, idx);
    opt.zero_grad();
    auto rate = models::model_rate(model, u0, u1, dt, o.step());
    auto loss = (rate - target.index_select(0, idx)).pow(2).mean();
    const double lv = loss.item<double>();
    if (!std::isfinite(lv)) {
      throw std::runtime_error(
          "training diverged at iteration " + std::to_string(it) + ": loss is " +
          std::to_string(lv) +
          (o.checkpoint_path().empty()
               ? std::string("; lower the learning rate")
               : "; the last good checkpoint is kept at " + o.checkpoint_path()));
    }
    loss.backward();
    opt.step();
    window_sum += lv;
    ++window_n;
    rep.iterations = it;
    const bool log_now = o.log_every() > 0 && (it % o.log_every() == 0 || it == o.iterations());
    if (log_now) {
      rep.final_loss = window_sum / window_n;
      rep.logged_iterations.push_back(it);
      rep.logged_loss.push_back(rep.final_loss);
      window_sum = 0.0;
      window_n = 0;
      if (on_progress) {
        TrainProgress p;
        p.iteration = it;
        p.total = o.iterations();
        p.loss = rep.final_loss;
        p.seconds = elapsed();
        p.rate = (it - rep.start_iteration) / std::max(p.seconds, 1e-9);
        p.eta = (o.iterations() - it) / std::max(p.rate, 1e-9);
        on_progress(p);
      }
    }
    if (o.checkpoint_every() > 0 && !o.checkpoint_path().empty() &&
        (it % o.checkpoint_every() == 0 || it == o.iterations())) {
      save_checkpoint(o.checkpoint_path(), model, opt, it, seconds_before + elapsed(),
                      window_n > 0 ? window_sum / window_n : rep.final_loss);
    }
  }
  if (window_n > 0) rep.final_loss = window_sum / window_n;
  rep.seconds = seconds_before + elapsed();
  return rep;
}

double rate_mse(models::DynamicsModelImpl& model, const PairSet& pairs,
                const models::StepOptions& step, int64_t chunk) {
  const int64_t N = pairs.size();
  if (N == 0) throw std::invalid_argument("no pairs to evaluate");
  double sum = 0.0;
  auto target = pairs.finite_difference();
  for (int64_t s = 0; s < N; s += chunk) {
    const int64_t n = std::min(chunk, N - s);
    auto rate = models::model_rate(model, pairs.u0.narrow(0, s, n), pairs.u1.narrow(0, s, n),
                                   pairs.dt.narrow(0, s, n), step);
    sum += (rate.detach() - target.narrow(0, s, n)).pow(2).sum().item<double>();
  }
  return sum / static_cast<double>(target.numel());
}

}  // namespace enflow::learn
