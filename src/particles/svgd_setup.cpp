#include "enflow/particles/svgd_setup.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

#include "enflow/io/config.h"
#include "enflow/run_config.h"

namespace enflow::particles {
namespace {

at::Tensor vector_of(const io::Config& cfg, const std::string& key, int64_t size,
                     const std::vector<double>& fallback, const c10::TensorOptions& o) {
  auto v = cfg.get_doubles(key, fallback);
  if (static_cast<int64_t>(v.size()) != size)
    throw std::invalid_argument(cfg.source() + ": " + key + " must have " + std::to_string(size) +
                                " entries, got " + std::to_string(v.size()));
  return torch::tensor(v, o);
}

void set_exact(SvgdSetup& s, Target t) {
  s.dim = t.dim;
  s.log_p = t.log_prob;
  s.exact = std::move(t);
}

const SvgdTargetRegistrar gaussian_entry(
    "gaussian",
    {"N(target.mean, target.cov)",
     [](const io::Config& cfg, const c10::TensorOptions& o, SvgdSetup& s) {
       const auto mean = cfg.get_doubles("target.mean", {0.0});
       const int64_t d = static_cast<int64_t>(mean.size());
       auto eye = torch::eye(d, torch::kDouble).reshape({-1});
       std::vector<double> id(eye.data_ptr<double>(), eye.data_ptr<double>() + d * d);
       set_exact(s, gaussian_target(torch::tensor(mean, o),
                                    vector_of(cfg, "target.cov", d * d, id, o).reshape({d, d})));
     }});
const SvgdTargetRegistrar mixture_entry(
    "mixture",
    {"isotropic Gaussian mixture (target.weights, target.means, target.stds)",
     [](const io::Config& cfg, const c10::TensorOptions& o, SvgdSetup& s) {
       const int64_t d = cfg.get_int("target.dim", 1);
       auto w = torch::tensor(cfg.get_doubles("target.weights", {1.0, 2.0}), o);
       const int64_t k = w.size(0);
       if (d < 1) throw std::invalid_argument(cfg.source() + ": target.dim must be >= 1");
       auto means = vector_of(cfg, "target.means", k * d, {-2.0, 2.0}, o).reshape({k, d});
       auto stds = vector_of(cfg, "target.stds", k, std::vector<double>(k, 1.0), o);
       set_exact(s, mixture_target(w, means, stds));
     }});
const SvgdTargetRegistrar banana_entry(
    "banana", {"x1 ~ N(0, s^2), x2 | x1 ~ N(b x1^2 - 1, 1) (target.s, target.b)",
               [](const io::Config& cfg, const c10::TensorOptions& o, SvgdSetup& s) {
                 set_exact(s, banana_target(cfg.get_double("target.s", 2.0),
                                            cfg.get_double("target.b", 0.25), o));
               }});
const SvgdTargetRegistrar logistic_entry(
    "logistic", {"Bayesian logistic-regression posterior on synthetic data (data.*)",
                 [](const io::Config& cfg, const c10::TensorOptions& o, SvgdSetup& s) {
                   const int64_t features = cfg.get_int("data.features", 4);
                   s.logistic = synthetic_logistic_data(
                       cfg.get_int("data.n_train", 200), cfg.get_int("data.n_test", 2000), features,
                       static_cast<uint64_t>(cfg.get_int("data.seed", 0)), o);
                   s.dim = features + 1;
                   s.log_p = logistic_posterior(s.logistic->x_train, s.logistic->y_train,
                                                cfg.get_double("target.prior_std", 2.0));
                 }});
const SvgdTargetRegistrar potential_flow_entry(
    "potential_flow", {"the density of a trained potential-flow model (target.model)",
                       [](const io::Config& cfg, const c10::TensorOptions& o, SvgdSetup& s) {
                         auto loaded = load_potential_flow(cfg.require_string("target.model"));
                         s.flow = loaded.model;
                         s.flow->to(o.device(), o.dtype().toScalarType());
                         s.dim = s.flow->options().dim();
                         const int64_t steps = cfg.get_int("target.steps", 0);
                         auto flow = s.flow.ptr();
                         s.log_p = [flow, steps](const at::Tensor& x) {
                           return flow->log_prob(x, steps, true);
                         };
                       }});

}  // namespace

std::vector<std::string> svgd_config_keys() {
  return with_run_keys(
      {"target.kind",       "target.mean",        "target.cov",        "target.dim",
       "target.weights",    "target.means",       "target.stds",       "target.s",
       "target.b",          "target.prior_std",   "target.model",      "target.steps",
       "data.n_train",      "data.n_test",        "data.features",     "data.seed",
       "init.mean",         "init.std",           "svgd.particles",    "svgd.iterations",
       "svgd.step",         "svgd.optimizer",     "svgd.momentum",     "svgd.bandwidth",
       "svgd.anneal",       "svgd.anneal_cycles", "svgd.anneal_power", "reference.chains",
       "reference.burn_in", "reference.samples",  "reference.step",    "eval.exact_samples",
       "eval.iid_draws",    "output.snapshots",   "run.seed",          "run.threads"});
}

SvgdSetup svgd_setup(const io::Config& cfg, const c10::TensorOptions& o) {
  cfg.check_known(svgd_config_keys());
  SvgdSetup s;
  s.kind = cfg.require_string("target.kind");
  SvgdTargetRegistry::instance().at(s.kind, cfg.source()).fill(cfg, o, s);
  const int64_t n = cfg.get_int("svgd.particles", 100);
  if (n < 2) throw std::invalid_argument(cfg.source() + ": svgd.particles must be >= 2");
  const double init_std = cfg.get_double("init.std", 1.0);
  if (!(init_std > 0)) throw std::invalid_argument(cfg.source() + ": init.std must be > 0");
  auto init_mean = vector_of(cfg, "init.mean", s.dim, std::vector<double>(s.dim, 0.0), o);
  s.init = init_mean + init_std * torch::randn({n, s.dim}, o);
  s.options = SvgdOptions()
                  .iterations(cfg.get_int("svgd.iterations", 1000))
                  .step(cfg.get_double("svgd.step", 0.1))
                  .optimizer(cfg.get_string("svgd.optimizer", "adagrad"))
                  .momentum(cfg.get_double("svgd.momentum", 0.9))
                  .bandwidth(cfg.get_double("svgd.bandwidth", 0.0))
                  .anneal(cfg.get_int("svgd.anneal", 0))
                  .anneal_cycles(cfg.get_int("svgd.anneal_cycles", 1))
                  .anneal_power(cfg.get_double("svgd.anneal_power", 1.0))
                  .snapshots(cfg.get_ints("output.snapshots", {0}));
  return s;
}

}  // namespace enflow::particles
