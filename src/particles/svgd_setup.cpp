#include "enflow/particles/svgd_setup.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/run_config.h"

namespace enflow::particles {
namespace {

at::Tensor vector_of(const io::KeyReader& keys, const std::string& key, int64_t size,
                     const std::vector<double>& fallback, const c10::TensorOptions& o) {
  auto v = keys.get_doubles(key, fallback);
  if (static_cast<int64_t>(v.size()) != size)
    throw std::invalid_argument(keys.config().source() + ": " + key + " must have " +
                                std::to_string(size) + " entries, got " + std::to_string(v.size()));
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
     [](const io::KeyReader& keys, const c10::TensorOptions& o, SvgdSetup& s) {
       const auto mean = keys.get_doubles("target.mean");
       const int64_t d = static_cast<int64_t>(mean.size());
       auto eye = torch::eye(d, torch::kDouble).reshape({-1});
       std::vector<double> id(eye.data_ptr<double>(), eye.data_ptr<double>() + d * d);
       set_exact(s, gaussian_target(torch::tensor(mean, o),
                                    vector_of(keys, "target.cov", d * d, id, o).reshape({d, d})));
     }});
const SvgdTargetRegistrar mixture_entry(
    "mixture",
    {"isotropic Gaussian mixture (target.weights, target.means, target.stds)",
     [](const io::KeyReader& keys, const c10::TensorOptions& o, SvgdSetup& s) {
       const int64_t d = keys.get_int("target.dim");
       auto w = torch::tensor(keys.get_doubles("target.weights"), o);
       const int64_t k = w.size(0);
       if (d < 1) throw std::invalid_argument(keys.config().source() + ": target.dim must be >= 1");
       auto means = vector_of(keys, "target.means", k * d, keys.get_doubles("target.means"), o)
                        .reshape({k, d});
       auto stds = vector_of(keys, "target.stds", k, std::vector<double>(k, 1.0), o);
       set_exact(s, mixture_target(w, means, stds));
     }});
const SvgdTargetRegistrar banana_entry(
    "banana", {"x1 ~ N(0, s^2), x2 | x1 ~ N(b x1^2 - 1, 1) (target.s, target.b)",
               [](const io::KeyReader& keys, const c10::TensorOptions& o, SvgdSetup& s) {
                 set_exact(
                     s, banana_target(keys.get_double("target.s"), keys.get_double("target.b"), o));
               }});
const SvgdTargetRegistrar logistic_entry(
    "logistic", {"Bayesian logistic-regression posterior on synthetic data (data.*)",
                 [](const io::KeyReader& keys, const c10::TensorOptions& o, SvgdSetup& s) {
                   const int64_t features = keys.get_int("data.features");
                   s.logistic = synthetic_logistic_data(
                       keys.get_int("data.n_train"), keys.get_int("data.n_test"), features,
                       static_cast<uint64_t>(keys.get_int("data.seed")), o);
                   s.dim = features + 1;
                   s.log_p = logistic_posterior(s.logistic->x_train, s.logistic->y_train,
                                                keys.get_double("target.prior_std"));
                 }});
const SvgdTargetRegistrar potential_flow_entry(
    "potential_flow", {"the density of a trained potential-flow model (target.model)",
                       [](const io::KeyReader& keys, const c10::TensorOptions& o, SvgdSetup& s) {
                         auto loaded = load_potential_flow(keys.get_string("target.model"));
                         s.flow = loaded.model;
                         s.flow->to(o.device(), o.dtype().toScalarType());
                         s.dim = s.flow->options().dim();
                         const int64_t steps = keys.get_int("target.steps");
                         auto flow = s.flow.ptr();
                         s.log_p = [flow, steps](const at::Tensor& x) {
                           return flow->log_prob(x, steps, true);
                         };
                       }});

}  // namespace

std::vector<io::KeySpec> svgd_key_specs() {
  auto specs = with_run_specs({
      {"target.kind", "string", "", "gaussian | mixture | banana | logistic | potential_flow"},
      {"target.mean", "[float]", "[0.0]", "gaussian: mean (its length is the dimension)"},
      {"target.cov", "[float]", "identity", "gaussian: covariance, d x d row-major"},
      {"target.dim", "int", "1", "mixture: dimension"},
      {"target.weights", "[float]", "[1.0, 2.0]", "mixture: component weights"},
      {"target.means", "[float]", "[-2.0, 2.0]", "mixture: means, k x d row-major"},
      {"target.stds", "[float]", "ones", "mixture: component stds"},
      {"target.s", "float", "2", "banana: std of x1"},
      {"target.b", "float", "0.25", "banana: curvature"},
      {"target.prior_std", "float", "2", "logistic: prior std of the weights"},
      {"target.model", "string", "", "potential_flow: the trained model file"},
      {"target.steps", "int", "0", "potential_flow: RK4 steps of its density (0: the model's)"},
      {"data.n_train", "int", "200", "logistic: training points"},
      {"data.n_test", "int", "2000", "logistic: test points"},
      {"data.features", "int", "4", "logistic: features (the weights have one more)"},
      {"data.seed", "int", "0", "logistic: seed of the synthetic data"},
      {"init.mean", "[float]", "zeros", "mean of the initial particles"},
      {"init.std", "float", "1", "std of the initial particles"},
      {"svgd.particles", "int", "100", "particles"},
      {"svgd.iterations", "int", "1000", "iterations"},
      {"svgd.step", "float", "0.1", "step size (adagrad: master step size)"},
      {"svgd.optimizer", "string", "adagrad", "step rule: adagrad | plain"},
      {"svgd.momentum", "float", "0.9", "adagrad: momentum of the squared-gradient average"},
      {"svgd.bandwidth", "float", "0", "kernel bandwidth (0: median heuristic every step)"},
      {"svgd.anneal", "int", "0", "annealed SVGD: iterations of the ramps (0: off)"},
      {"svgd.anneal_cycles", "int", "1", "annealed SVGD: ramps"},
      {"svgd.anneal_power", "float", "1", "annealed SVGD: ramp shape"},
      {"reference.chains", "int", "32", "logistic: MALA chains of the reference"},
      {"reference.burn_in", "int", "2000", "logistic: MALA burn-in"},
      {"reference.samples", "int", "2000", "logistic: MALA samples per chain"},
      {"reference.step", "float", "0.01", "logistic: MALA step"},
      {"eval.exact_samples", "int", "10000", "exact samples the particles are compared with"},
      {"eval.iid_draws", "int", "5", "i.i.d. draws of the same size for the noise floor"},
      {"output.snapshots", "[int]", "[0]", "iterations whose particles are plotted"},
  });
  specs.push_back(run_threads_spec());
  return specs;
}

SvgdSetup svgd_setup(const io::Config& cfg, const c10::TensorOptions& o) {
  const io::KeyReader keys(cfg, svgd_key_specs());
  SvgdSetup s;
  s.kind = keys.get_string("target.kind");
  SvgdTargetRegistry::instance().at(s.kind, cfg.source()).fill(keys, o, s);
  const int64_t n = keys.get_int("svgd.particles");
  if (n < 2) throw std::invalid_argument(cfg.source() + ": svgd.particles must be >= 2");
  const double init_std = keys.get_double("init.std");
  if (!(init_std > 0)) throw std::invalid_argument(cfg.source() + ": init.std must be > 0");
  auto init_mean = vector_of(keys, "init.mean", s.dim, std::vector<double>(s.dim, 0.0), o);
  s.init = init_mean + init_std * torch::randn({n, s.dim}, o);
  s.options = SvgdOptions()
                  .iterations(keys.get_int("svgd.iterations"))
                  .step(keys.get_double("svgd.step"))
                  .optimizer(svgd_step_rule_from_string(keys.get_string("svgd.optimizer"),
                                                        "svgd.optimizer"))
                  .momentum(keys.get_double("svgd.momentum"))
                  .bandwidth(keys.get_double("svgd.bandwidth"))
                  .anneal(keys.get_int("svgd.anneal"))
                  .anneal_cycles(keys.get_int("svgd.anneal_cycles"))
                  .anneal_power(keys.get_double("svgd.anneal_power"))
                  .snapshots(keys.get_ints("output.snapshots"));
  return s;
}

}  // namespace enflow::particles
