"""Every area's solvers run from Python (toy sizes), the registries are listable, and every
reference system generates data as tensors."""
import math
from pathlib import Path

import pytest
import torch

import enflow
from conftest import REPO_ROOT

CONFIGS = REPO_ROOT / "configs"

# One solver of each area at toy size: (config, overrides, a metric that must be finite).
CASES = {
    "evnn": ("evnn/heat_2d.toml",
             {"network.width": 4, "quadrature.n": 6, "time.steps": 2, "optimizer.max_iter": 3,
              "optimizer.fit_iter": 5, "output.error_every": 1}, None),
    "committor": ("variational/committor_double_well.toml", {"train.iterations": 3}, None),
    "deep_ritz": ("variational/deep_ritz_10d.toml",
                  {"train.iterations": 3, "train.eval_points": 100}, "rel_l2_error"),
    "vmc": ("variational/vmc_tfim_20.toml",
            {"train.iterations": 2, "sampler.samples": 20, "sampler.final_samples": 20}, None),
    "svgd": ("particles/svgd_banana.toml",
             {"svgd.iterations": 3, "svgd.particles": 10, "eval.exact_samples": 100,
              "reference.burn_in": 5, "reference.samples": 5}, None),
    "mean_field": ("particles/mean_field_teacher_student.toml",
                   {"flow.steps": 3, "student.particles": 10, "data.n_test": 50}, None),
    "potential_flow": ("particles/potential_flow_two_moons.toml",
                       {"train.iterations": 2, "flow.width": 4, "data.test_size": 50,
                        "eval.steps": [2], "eval.grid": 11, "eval.reference_samples": 100},
                       None),
}


@pytest.mark.parametrize("area", sorted(CASES))
def test_one_solver_of_each_area_runs(area, tmp_path):
    config, overrides, metric = CASES[area]
    if area != "evnn":  # EVNN writes no plots unless asked
        overrides = dict(overrides, **{"output.plot": False})
    if area == "potential_flow":
        overrides["output.model"] = str(tmp_path / "pf.pt")
    reports = []
    r = enflow.solve(CONFIGS / config, out_dir=tmp_path, overrides=overrides,
                     progress=reports.append)
    assert r.name and r.metrics, area
    assert r.files and all(Path(f).is_file() for f in r.files), r.files
    numbers = [v for v in r.metrics.values() if isinstance(v, float)]
    assert numbers, r.metrics
    if metric:
        assert math.isfinite(r.number(metric))
    histories = [v for v in r.metrics.values() if isinstance(v, torch.Tensor)]
    assert all(h.dtype == torch.float64 for h in histories)
    assert r.to_json().startswith("{")


def test_a_solver_from_a_dict_and_its_errors(tmp_path):
    cfg = {"problem": {"kind": "no-such-solver"}}
    with pytest.raises(ValueError, match="unknown problem.kind 'no-such-solver'"):
        enflow.solve(cfg, out_dir=tmp_path)
    with pytest.raises(ValueError, match="iteratons"):
        enflow.solve(CONFIGS / "variational/committor_double_well.toml", out_dir=tmp_path,
                     overrides={"train.iteratons": 3})
    with pytest.raises(ValueError, match="cannot read config"):
        enflow.solve(tmp_path / "missing.toml", out_dir=tmp_path)


def test_registries_list_every_extension_point():
    reg = enflow.registries()
    assert {"dgnet", "hnn", "hnn++", "srnn", "node", "ggd"} <= set(reg["model_types"])
    assert {"discrete_gradient", "rk4", "dopri5"} <= set(reg["integrators"])
    assert {"mass-spring", "pendulum", "kdv", "cahn-hilliard"} <= set(reg["systems"])
    for name in ("solvers", "energy_networks", "structures", "evnn_problems",
                 "committor_problems", "svgd_targets"):
        assert reg[name], name
        assert all(isinstance(h, str) and h for h in reg[name].values()), name


def test_every_reference_system_generates_tensors():
    for name in enflow.registries()["systems"]:
        d = enflow.generate(name, seed=0, series=2, steps=3)
        assert isinstance(d.states, torch.Tensor) and d.states.dtype == torch.float64, name
        assert d.states.shape[:2] == (2, 4), name
        assert torch.isfinite(d.states).all(), name
        again = enflow.generate(name, seed=0, series=2, steps=3)
        assert torch.equal(d.states, again.states), name
