#include "enflow/systems/formula_energy.h"

#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#if ENFLOW_WITH_MUPARSER
#include <muParser.h>
#endif

namespace enflow::systems {

namespace {

std::invalid_argument bad(const std::string& formula, const std::string& why) {
  return std::invalid_argument("data.energy: " + why + " in '" + formula + "'");
}

#if ENFLOW_WITH_MUPARSER
class FormulaEnergySystem : public System {
 public:
  FormulaEnergySystem(std::string formula, int64_t dim, Params params)
      : formula_(std::move(formula)), dim_(dim), params_(std::move(params)), values_(dim, 0.0) {
    try {
      for (auto& [k, v] : params_) parser_.DefineConst(k, v);
      for (int64_t i = 0; i < dim_; ++i) parser_.DefineVar("u" + std::to_string(i), &values_[i]);
      if (dim_ % 2 == 0) {
        const int64_t n = dim_ / 2;
        for (int64_t i = 0; i < n; ++i) {
          parser_.DefineVar("q" + std::to_string(i + 1), &values_[i]);
          parser_.DefineVar("p" + std::to_string(i + 1), &values_[n + i]);
        }
        if (n == 1) {
          parser_.DefineVar("q", &values_[0]);
          parser_.DefineVar("p", &values_[1]);
        }
      }
      parser_.SetExpr(formula_);
      parser_.Eval();  // parses now: a typo fails before any training
    } catch (const mu::Parser::exception_type& e) {
      throw bad(formula_, e.GetMsg());
    }
  }

  std::string name() const override { return "formula"; }
  int64_t dim() const override { return dim_; }
  Params parameters() const override { return params_; }
  at::Tensor time_derivative(const at::Tensor&) const override {
    throw std::invalid_argument("a formula energy (data.energy) gives no dynamics");
  }
  at::Tensor sample_initial(int64_t, uint64_t) const override {
    throw std::invalid_argument("a formula energy (data.energy) has no initial states");
  }
  at::Tensor reference_step(const at::Tensor&, double) const override {
    throw std::invalid_argument("a formula energy (data.energy) has no reference solver");
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    auto x = u.to(torch::kCPU, torch::kFloat64).contiguous().reshape({-1, dim_});
    auto out = torch::empty({x.size(0)}, torch::kFloat64);
    const double* in = x.data_ptr<double>();
    double* e = out.data_ptr<double>();
    try {
      for (int64_t r = 0; r < x.size(0); ++r) {
        std::copy(in + r * dim_, in + (r + 1) * dim_, values_.begin());
        e[r] = parser_.Eval();
      }
    } catch (const mu::Parser::exception_type& err) {
      throw bad(formula_, err.GetMsg());
    }
    return {{"energy", out.reshape(u.sizes().slice(0, u.dim() - 1))}};
  }

 private:
  std::string formula_;
  int64_t dim_;
  Params params_;
  mutable std::vector<double> values_;  // the variables muParser reads
  mutable mu::Parser parser_;
};
#endif

}  // namespace

std::unique_ptr<System> formula_energy_system(const std::string& formula, int64_t dim,
                                              const Params& params) {
  if (formula.empty()) throw bad(formula, "empty formula");
#if ENFLOW_WITH_MUPARSER
  return std::make_unique<FormulaEnergySystem>(formula, dim, params);
#else
  (void)dim;
  (void)params;
  throw bad(formula, "enflow was built without muParser (install libmuparser-dev and rebuild)");
#endif
}

}  // namespace enflow::systems
