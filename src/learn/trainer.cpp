#include "enflow/learn/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "enflow/distributed/gradient_overlap.h"
#include "enflow/distributed/group.h"
#include "enflow/interrupt.h"
#include "enflow/io/archive_file.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"

namespace enflow::learn {

at::Tensor PairSet::finite_difference() const { return (u1 - u0) / dt.reshape({-1, 1}); }

PairSet PairSet::index_select(const at::Tensor& index) const {
  return {u0.index_select(0, index), u1.index_select(0, index), dt.index_select(0, index),
          t0.defined() ? t0.index_select(0, index) : t0};
}

PairSet PairSet::narrow(int64_t start, int64_t n) const {
  return {u0.narrow(0, start, n), u1.narrow(0, start, n), dt.narrow(0, start, n),
          t0.defined() ? t0.narrow(0, start, n) : t0};
}

PairSet make_pairs(const io::Dataset& data, const std::vector<int64_t>& series,
                   c10::ScalarType dtype, c10::Device device) {
  if (!data.states.defined() || data.states.dim() != 3) {
    throw std::invalid_argument("dataset states must be [series, steps, dim]");
  }
  std::vector<at::Tensor> u0, u1, dt, t0;
  for (auto s : series) {
    // Each series on its own (ragged records: no pair crosses into padding or the next).
    auto x = io::series_states(data, s);
    auto t = io::series_times(data, s);
    const int64_t T = x.size(0);
    if (T < 2) continue;
    u0.push_back(x.narrow(0, 0, T - 1));
    u1.push_back(x.narrow(0, 1, T - 1));
    dt.push_back(t.narrow(0, 1, T - 1) - t.narrow(0, 0, T - 1));
    t0.push_back(t.narrow(0, 0, T - 1));
  }
  if (u0.empty())
    throw std::invalid_argument("no pairs: the selected series have fewer than 2 time points");
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  PairSet p{torch::cat(u0).to(opts), torch::cat(u1).to(opts), torch::cat(dt).to(opts),
            torch::cat(t0).to(opts)};
  if (!(p.dt > 0).all().item<bool>()) {
    throw std::invalid_argument("time stamps must increase strictly within each series");
  }
  return p;
}

namespace {

// Lines of `a` that are not in `b`, joined by "; " (for naming what changed in a config).
std::string lines_missing_from(const std::string& a, const std::string& b) {
  std::istringstream sa(a);
  std::string line, out;
  while (std::getline(sa, line)) {
    if (line.empty() || ("\n" + b + "\n").find("\n" + line + "\n") != std::string::npos) continue;
    out += (out.empty() ? "" : "; ") + line;
  }
  return out.empty() ? "(nothing)" : out;
}

// Checkpoints: model, optimizer, the iteration reached, the training time so far, the mean
// loss of the current log window and the tag of what the weights depend on. A checkpoint is
// serialized when it is due but committed to disk only once the loss of its state has been
// seen to be finite, so the file always holds a state training can continue from.
// A tag ("key = value" lines, sorted) with old key spellings (io::deprecated_keys) renamed,
// so that checkpoints written before a rename still resume.
std::string current_names(const std::string& tag) {
  std::vector<std::string> lines;
  std::istringstream in(tag);
  for (std::string line; std::getline(in, line);) {
    for (const auto& [from, to] : io::deprecated_keys()) {
      if (line.compare(0, from.size(), from) == 0 &&
          (line.compare(from.size(), 3, " = ") == 0 || line.compare(from.size(), 1, ".") == 0)) {
        line = to + line.substr(from.size());
        break;
      }
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class Checkpoints {
 public:
  // `writes`: this process writes them (rank 0 of a data-parallel job; every rank reads).
  Checkpoints(const TrainOptions& o, bool writes)
      : o_(o), path_(o.checkpoint_path()), writes_(writes) {
    existed_before_ = !path_.empty() && std::filesystem::exists(path_);
  }

  void load(models::DynamicsModelImpl& model, torch::optim::Adam& opt, TrainReport& rep) {
    torch::serialize::InputArchive ar, m, o;
    io::read_archive(path_, ar, "a readable checkpoint; delete it to start afresh");
    c10::IValue tag;
    if (ar.try_read("tag", tag) && tag.isString() && !o_.checkpoint_tag().empty()) {
      // Tags written before a key was renamed (io::deprecated_keys) read in today's names.
      const auto stored = current_names(tag.toStringRef()),
                 now = current_names(o_.checkpoint_tag());
      if (stored != now)
        throw std::runtime_error("cannot resume from '" + path_ + "': it was written for " +
                                 lines_missing_from(stored, now) + ", the config now has " +
                                 lines_missing_from(now, stored));
    }
    const std::string where = "cannot resume from '" + path_ + "'";
    if (!ar.try_read("model", m) || !ar.try_read("optimizer", o))
      throw std::runtime_error(where + ": not an enflow checkpoint");
    io::load_module_checked(model, m, where);
    try {
      opt.load(o);
    } catch (const c10::Error&) {
      throw std::runtime_error(where + ": its optimizer state does not fit the model");
    }
    torch::Tensor it, seconds, loss;
    ar.read("iteration", it);
    rep.start_iteration = rep.iterations = it.item<int64_t>();
    if (ar.try_read("seconds", seconds)) rep.seconds = seconds.item<double>();
    if (ar.try_read("loss", loss)) rep.final_loss = loss.item<double>();
    resumed_ = true;
  }

  bool due(int64_t it) const {
    return writes_ && o_.checkpoint_every() > 0 && !path_.empty() &&
           (it % o_.checkpoint_every() == 0 || it == o_.iterations());
  }

  void stage(models::DynamicsModelImpl& model, torch::optim::Adam& opt, int64_t iteration,
             double seconds, double loss) {
    torch::serialize::OutputArchive ar, m, o;
    model.save(m);
    opt.save(o);
    ar.write("model", m);
    ar.write("optimizer", o);
    ar.write("iteration", torch::tensor(iteration));
    ar.write("seconds", torch::tensor(seconds, torch::kFloat64));
    ar.write("loss", torch::tensor(loss, torch::kFloat64));
    ar.write("tag", c10::IValue(o_.checkpoint_tag()));
    pending_ = io::archive_bytes(ar);  // committed to disk later by write_bytes_atomically
    pending_iteration_ = iteration;
  }

  /// The state of iteration `it` - 1 had a finite loss: its staged checkpoint is good.
  void confirm(int64_t it) {
    if (pending_iteration_ == it - 1) commit();
  }

  void commit() {
    if (pending_iteration_ < 0) return;
    io::write_bytes_atomically(path_, pending_);
    written_iteration_ = pending_iteration_;
    pending_iteration_ = -1;
    pending_.clear();
  }

  /// What a user can continue from, in words.
  std::string describe(int64_t start_iteration) const {
    if (path_.empty()) return "no checkpoint is written (no checkpoint path)";
    if (written_iteration_ >= 0)
      return "the checkpoint '" + path_ + "' holds iteration " +
             std::to_string(written_iteration_) + ", whose loss was finite";
    if (resumed_)
      return "the checkpoint '" + path_ + "' still holds iteration " +
             std::to_string(start_iteration) + ", the one this run resumed from";
    if (existed_before_)
      return "no checkpoint of this run was written; '" + path_ + "' is left from an earlier run";
    return "no checkpoint was written (train.checkpoint_every = " +
           std::to_string(o_.checkpoint_every()) + ")";
  }

 private:
  const TrainOptions& o_;
  std::string path_;
  std::string pending_;
  int64_t pending_iteration_ = -1, written_iteration_ = -1;
  bool writes_ = true, existed_before_ = false, resumed_ = false;
};

// Validation: the score at each log, the parameters of the best one (restored at the end),
// and patience.
class BestParameters {
 public:
  // Scores by the rate MSE of the pairs, or — for multi-step training — by the rollout loss
  // of the windows, throughout (one measure, the long-term one, for every kept model).
  BestParameters(const PairSet& pairs, const WindowSet* windows, models::StepOptions step,
                 int64_t patience)
      : pairs_(pairs), windows_(windows), step_(std::move(step)), patience_(patience) {}

  // Scores the model now; returns whether patience has run out.
  bool score(models::DynamicsModelImpl& model, int64_t it, TrainReport& rep) {
    const double v =
        windows_ ? rollout_mse(model, *windows_, step_) : rate_mse(model, pairs_, step_);
    rep.logged_validation.push_back(v);
    if (std::isfinite(v) && (saved_.empty() || v < rep.validation_loss)) {
      rep.validation_loss = v;
      rep.best_iteration = it;
      saved_.clear();
      torch::NoGradGuard no_grad;
      for (const auto& p : model.parameters()) saved_.push_back(p.detach().clone());
      since_best_ = 0;
      return false;
    }
    ++since_best_;
    return patience_ > 0 && since_best_ >= patience_;
  }

  // Puts the best parameters back, unless the last score was the best.
  void restore(models::DynamicsModelImpl& model) {
    if (saved_.empty() || since_best_ == 0) return;
    torch::NoGradGuard no_grad;
    auto params = model.parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(saved_[i]);
  }

 private:
  const PairSet& pairs_;
  const WindowSet* windows_;
  models::StepOptions step_;
  int64_t patience_;
  int64_t since_best_ = 0;
  std::vector<at::Tensor> saved_;
};

// One group with every parameter, or — with structure_lr — the structure's parameters in a
// group of their own (own rate, no weight decay: decay would pull friction towards zero).
std::vector<torch::optim::OptimizerParamGroup> parameter_groups(models::DynamicsModelImpl& model,
                                                                const TrainOptions& o) {
  if (!(o.structure_lr() > 0)) return {torch::optim::OptimizerParamGroup(model.parameters())};
  const auto structure = model.structure_parameters();
  std::vector<at::Tensor> rest;
  for (const auto& p : model.parameters())
    if (std::none_of(structure.begin(), structure.end(),
                     [&](const at::Tensor& s) { return s.is_same(p); }))
      rest.push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(rest);
  if (!structure.empty()) {
    auto own = std::make_unique<torch::optim::AdamOptions>(o.structure_lr());
    own->weight_decay(0.0);
    groups.emplace_back(structure, std::move(own));
  }
  return groups;
}

// This rank's contiguous share of a global batch of indices.
at::Tensor share_of(const at::Tensor& idx, const distributed::Group* g) {
  const int64_t B = idx.size(0), W = distributed::size_of(g), r = distributed::rank_of(g);
  if (B < W)
    throw std::invalid_argument("the global batch of " + std::to_string(B) +
                                " is smaller than the " + std::to_string(W) +
                                " processes: each needs a share (raise train.batch)");
  const int64_t begin = B * r / W, end = B * (r + 1) / W;
  return idx.narrow(0, begin, end - begin);
}

// The loss of a global batch, summed over the ranks, and whether any rank was interrupted:
// one collective, so that every rank stops (or throws) at the same iteration.
std::pair<double, bool> global_loss(distributed::Group* g, double local) {
  const bool interrupted = interrupt_signal() != 0;
  if (!g) return {local, interrupted};
  const auto s = g->allreduce_sum({local, interrupted ? 1.0 : 0.0});
  return {s[0], s[1] > 0};
}

}  // namespace

TrainReport train(models::DynamicsModelImpl& model, const PairSet& pairs, const TrainOptions& o,
                  const ProgressFn& on_progress) {
  const auto* windows = o.windows().get();  // multi-step training (after rollout_start)
  if (pairs.size() == 0 && !(windows && o.rollout_start() == 0))
    throw std::invalid_argument("no training pairs");
  if (windows && windows->size() == 0) throw std::invalid_argument("no training windows");
  if (o.iterations() < 0) throw std::invalid_argument("iterations must be >= 0");
  if (!(o.lr() > 0)) throw std::invalid_argument("learning rate must be positive");
  InterruptScope interrupt_scope;
  auto* group = o.group().get();
  const bool rank0 = distributed::rank_of(group) == 0;
  torch::optim::Adam opt(parameter_groups(model, o),
                         torch::optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
  TrainReport rep;
  std::optional<BestParameters> best;
  if (o.validation() && rank0)  // rank 0 scores; its verdict on patience is shared
    best.emplace(*o.validation(), o.validation_windows().get(), o.step(), o.patience());
  Checkpoints checkpoints(o, rank0);
  if (o.resume() && !o.checkpoint_path().empty() && std::filesystem::exists(o.checkpoint_path())) {
    checkpoints.load(model, opt, rep);  // every rank: the optimizer state too
  }
  rep.world_size = distributed::size_of(group);
  if (group) group->broadcast(model.parameters());  // one starting point, rank 0's
  if (o.bucket_bytes() < 1) throw std::invalid_argument("train: bucket_bytes must be >= 1");
  std::optional<distributed::GradientOverlap> overlap;
  if (group && o.overlap_allreduce()) overlap.emplace(model.parameters(), *group, o.bucket_bytes());
  const distributed::Traffic traffic_before = group ? group->traffic() : distributed::Traffic();
  auto gen = at::detail::createCPUGenerator(o.seed() + static_cast<uint64_t>(rep.start_iteration));
  auto target = pairs.size() > 0 ? pairs.finite_difference() : at::Tensor();
  const auto t0 = std::chrono::steady_clock::now();
  const double seconds_before = rep.seconds;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  double window_sum = 0.0;
  int64_t window_n = 0;
  model.train();
  for (int64_t it = rep.start_iteration + 1; it <= o.iterations(); ++it) {
    const bool multi = windows && it > o.rollout_start();
    const int64_t N = multi ? windows->size() : pairs.size();
    const int64_t B = (o.batch() <= 0 || o.batch() >= N) ? N : o.batch();
    at::Tensor idx;
    if (B == N) {
      idx = torch::arange(N, torch::TensorOptions().dtype(torch::kLong));
    } else {
      idx = torch::randperm(N, gen, torch::TensorOptions().dtype(torch::kLong)).narrow(0, 0, B);
    }
    idx = idx.to(multi ? windows->states.device() : pairs.u0.device());
    // Data-parallel: every rank drew the same global batch (same generator and seed); each
    // takes its share and divides the sum of its losses by the global count, so that the
    // gradients summed over the ranks are those of the global batch.
    if (group) idx = share_of(idx, group);
    opt.zero_grad();
    at::Tensor loss;
    if (multi) {
      loss = rollout_loss(model, *windows, idx, o.step(), group ? B : 0);
    } else {
      const auto batch = pairs.index_select(idx);
      auto rate = models::model_rate(model, batch.u0, batch.u1, batch.dt, o.step(), batch.t0);
      auto sq = (rate - target.index_select(0, idx)).pow(2);
      loss = group ? sq.sum() / static_cast<double>(B * target.size(1)) : sq.mean();
    }
    const auto [lv, interrupted_somewhere] = global_loss(group, loss.item<double>());
    if (!std::isfinite(lv)) {
      throw std::runtime_error("training diverged at iteration " + std::to_string(it) +
                               ": loss is " +
                               (std::isnan(lv) ? "NaN"
                                : lv > 0       ? "+inf"
                                               : "-inf") +
                               "; " + checkpoints.describe(rep.start_iteration) +
                               "; lower train.lr (and continue with --resume)");
    }
    checkpoints.confirm(it);
    const std::string stopped = "training stopped before iteration " + std::to_string(it) + "; " +
                                checkpoints.describe(rep.start_iteration) +
                                " (continue with --resume)";
    throw_if_interrupted(stopped);
    if (interrupted_somewhere)
      throw Interrupted(SIGTERM, "another rank was interrupted; " + stopped);
    const auto backward_start = std::chrono::steady_clock::now();
    loss.backward();
    rep.backward_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - backward_start).count();
    if (overlap)
      overlap->finish();
    else if (group)
      group->allreduce_gradients(model.parameters(), o.bucket_bytes());
    opt.step();
    window_sum += lv;
    ++window_n;
    rep.iterations = it;
    const bool log_now = o.log_every() > 0 && (it % o.log_every() == 0 || it == o.iterations());
    bool stop = false;
    if (log_now) {
      rep.final_loss = window_sum / window_n;
      rep.logged_iterations.push_back(it);
      rep.logged_loss.push_back(rep.final_loss);
      window_sum = 0.0;
      window_n = 0;
      if (best) stop = best->score(model, it, rep);
      if (group) stop = group->allreduce_sum({stop ? 1.0 : 0.0})[0] > 0;
      if (on_progress && rank0) {
        Progress p;
        p.iteration = it;
        p.iterations = o.iterations();
        p.loss = rep.final_loss;
        if (best) {
          p.metric = rep.logged_validation.back();
          p.metric_name = "validation";
        }
        p.seconds = std::max(elapsed(), 1e-9);
        p.start = rep.start_iteration;
        on_progress(p);
      }
    }
    if (checkpoints.due(it)) {
      checkpoints.stage(model, opt, it, seconds_before + elapsed(),
                        window_n > 0 ? window_sum / window_n : rep.final_loss);
      if (it == o.iterations()) checkpoints.commit();  // the last one: no later loss to see
    }
    if (stop) {
      rep.stopped_early = true;
      break;
    }
  }
  if (best) best->restore(model);
  if (group) {
    rep.comm_bytes = group->traffic().bytes - traffic_before.bytes;
    rep.comm_seconds = group->traffic().seconds - traffic_before.seconds;
    group->broadcast(model.parameters());  // rank 0's kept parameters everywhere
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
    const auto part = pairs.narrow(s, n);
    auto rate = models::model_rate(model, part.u0, part.u1, part.dt, step, part.t0);
    sum += (rate.detach() - target.narrow(0, s, n)).pow(2).sum().item<double>();
  }
  return sum / static_cast<double>(target.numel());
}

}  // namespace enflow::learn
