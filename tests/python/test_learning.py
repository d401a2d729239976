"""Learned dynamics from Python agree with the enflow command: the same config and seed give
the same loss curve and weights, and model files travel both ways."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import enflow
from conftest import ENFLOW_BIN, REPO_ROOT, cli


def _config(data, model, **train):
    t = {"integrator": "discrete_gradient", "lr": 1e-3, "batch": 32, "iterations": 40,
         "log_every": 4, "checkpoint_every": 1000}
    t.update(train)
    return {"data": {"path": str(data)},
            "model": {"type": "dgnet", "structure": "symplectic", "hidden": [16, 16]},
            "train": t,
            "run": {"dtype": "float64", "seed": 3},
            "output": {"model": str(model)}}


def _cli_train(config, tmp_path, name="cli"):
    path = tmp_path / f"{name}.toml"
    path.write_text(enflow.to_toml(config))
    out = cli("train", "--config", path, "--json")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _same_parameters(a, b):
    pa, pb = a.parameters(), b.parameters()
    assert len(pa) == len(pb) and len(pa) > 0
    for x, y in zip(pa, pb):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("in_memory", [False, True])
def test_training_from_python_matches_the_command_line(mass_spring_h5, tmp_path, in_memory):
    ref = _cli_train(_config(mass_spring_h5, tmp_path / "cli.pt"), tmp_path)
    data = enflow.load_dataset(mass_spring_h5) if in_memory else mass_spring_h5
    seen = []
    r = enflow.train(_config(mass_spring_h5, tmp_path / "py.pt"), data,
                     progress=lambda p: seen.append((p.iteration, p.loss)))
    curve = r.metrics["loss_curve"]
    assert isinstance(curve, torch.Tensor) and curve.numel() == 10
    np.testing.assert_allclose(curve.numpy(), ref["loss_curve"], rtol=1e-10, atol=0)
    assert r.metrics["loss_curve"][-1] < r.metrics["loss_curve"][0]
    assert r.number("iterations") == ref["iterations"] == 40
    assert seen and seen[-1][0] == 40
    _same_parameters(r.model, enflow.Model.load(tmp_path / "cli.pt"))


def test_model_files_travel_both_ways(mass_spring_h5, tmp_path):
    cfg = _config(mass_spring_h5, tmp_path / "cli.pt", iterations=20)
    _cli_train(cfg, tmp_path)
    # CLI-trained model → Python: the rollout equals `enflow predict`'s.
    m = enflow.Model.load(tmp_path / "cli.pt")
    assert m.type == "dgnet" and m.has_energy
    cli("predict", "--model", tmp_path / "cli.pt", "--data", mass_spring_h5,
        "-o", tmp_path / "pred.h5", "--plot-dir", tmp_path)
    pred = enflow.load_dataset(tmp_path / "pred.h5")
    data = enflow.load_dataset(mass_spring_h5)
    # predict starts noisy generated data from the noise-free orbit: the same u0 here.
    assert pred.states.shape == data.states[data.test].shape
    ours = m.rollout(pred.states[:, 0], data.t)
    torch.testing.assert_close(ours, pred.states, rtol=1e-12, atol=1e-12)
    # The implicit scheme keeps the learned energy along the rollout.
    H = m.energy(ours.reshape(-1, 2)).reshape(ours.shape[:2])
    assert ((H - H[:, :1]).abs() / H.abs().clamp(min=1)).max() < 1e-9

    # Python-saved model → CLI: `enflow evaluate` gives the metrics Python gives.
    m.save(tmp_path / "py.pt")
    ref = json.loads(cli("evaluate", "--model", tmp_path / "py.pt", "--data", mass_spring_h5,
                         "--json").stdout.strip().splitlines()[-1])
    got = enflow.evaluate(tmp_path / "py.pt", mass_spring_h5).metrics
    for k in ("step_mse", "state_mse", "energy_mse"):
        assert got[k] == pytest.approx(ref[k], rel=1e-12), k

    # An untrained model built in Python from a dict: the CLI reads it.
    fresh = enflow.Model.from_config(cfg, dim=2)
    fresh.save(tmp_path / "fresh.pt")
    r = cli("evaluate", "--model", tmp_path / "fresh.pt", "--data", mass_spring_h5, "--json")
    assert "step_mse" in json.loads(r.stdout.strip().splitlines()[-1])


def test_numpy_arrays_in_and_every_model_type_trains(tmp_path):
    g = enflow.generate("mass-spring", seed=2, series=3, steps=20)
    states = g.states.numpy()  # numpy in, as a researcher's own arrays
    data = enflow.dataset(states, dt=g.dt, train=[0, 1], test=[2])
    for mtype in ("dgnet", "hnn", "srnn", "node"):
        cfg = {"model": {"type": mtype, "hidden": [8, 8]},
               "train": {"iterations": 5, "batch": 16},
               "run": {"dtype": "float64"}}
        r = enflow.train(cfg, data, model=tmp_path / f"{mtype}.pt")
        assert np.isfinite(r.number("train_loss")), mtype
        pred = r.model.rollout(states[2:, 0], g.t.numpy())
        assert pred.shape == (1, 21, 2) and torch.isfinite(pred).all(), mtype
    ev = enflow.evaluate(tmp_path / "dgnet.pt", data)
    assert np.isfinite(ev.number("state_mse"))
    with pytest.raises(ValueError, match="in memory"):
        enflow.evaluate(tmp_path / "dgnet.pt")  # no data.path to fall back on


def test_errors_are_exceptions_with_one_line_messages(mass_spring_h5, tmp_path):
    cfg = _config(mass_spring_h5, tmp_path / "m.pt")
    cfg["train"]["iteratons"] = 3
    with pytest.raises(ValueError, match="iteratons") as e:
        enflow.train(cfg)
    assert "\n" not in str(e.value)
    cfg = _config(mass_spring_h5, tmp_path / "m.pt")
    cfg["model"]["type"] = "transformer"
    with pytest.raises(ValueError, match="unknown model type 'transformer'"):
        enflow.train(cfg)
    with pytest.raises((ValueError, RuntimeError), match="no-such.pt"):
        enflow.Model.load(tmp_path / "no-such.pt")
    with pytest.raises((ValueError, RuntimeError), match="no-such.h5"):
        enflow.load_dataset(tmp_path / "no-such.h5")
    with pytest.raises(ValueError, match="states"):
        enflow.dataset(np.zeros(5), dt=0.1)
    # A Python exception in a callback stops the run and arrives as itself.
    def boom(p):
        raise ZeroDivisionError("from the callback")
    with pytest.raises(ZeroDivisionError, match="from the callback"):
        enflow.train(_config(mass_spring_h5, tmp_path / "m.pt"), progress=boom)


def test_ctrl_c_interrupts_a_long_run(mass_spring_h5, tmp_path):
    script = textwrap.dedent(f"""
        import sys, enflow
        cfg = {{"data": {{"path": {str(mass_spring_h5)!r}}},
               "model": {{"hidden": [64, 64]}},
               "train": {{"iterations": 10000000, "log_every": 1, "checkpoint_every": 100000}},
               "output": {{"model": {str(tmp_path / 'long.pt')!r}}}}}
        def started(p):
            if p.iteration == 2:
                print("started", flush=True)
        try:
            enflow.train(cfg, progress=started)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(7)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline().strip() == "started"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 7, err
    assert "KeyboardInterrupt" in out


def test_a_ggd_model_trains_from_a_shipped_config(tmp_path):
    data = enflow.generate("particle-1d", seed=0, series=4, steps=20, dt=0.003,
                           params={"init_range": 1.0})
    r = enflow.train(REPO_ROOT / "configs" / "ggd" / "particle-1d.toml", data,
                     model=tmp_path / "ggd.pt",
                     overrides={"train.iterations": 3, "train.lbfgs_iterations": 0,
                                "train.batch": 16, "model.entropy_hidden": [4],
                                "model.dissipation_hidden": [4]})
    assert r.model.type == "ggd" and np.isfinite(r.number("train_loss"))


def test_a_float32_model_takes_float64_states():
    m = enflow.Model.from_config({"model": {"hidden": [4]}, "run": {"dtype": "float32"}}, dim=2)
    u = torch.randn(3, 2, dtype=torch.float64)
    assert m.energy(u).dtype == torch.float32
    t = torch.linspace(0, 1, 5, dtype=torch.float64)
    assert m.rollout(u, t).shape == (3, 5, 2)
    with pytest.raises(ValueError, match=r"u0 has shape \[3, 5\] but the model takes states "
                                         "of dimension 2"):
        m.rollout(torch.zeros(3, 5), t)


def test_the_learned_energy_is_visible_for_imported_data(tmp_path):
    """A record enflow knows nothing about (no system): predict writes H_θ along the
    prediction to the file and a plot; the metrics state its law."""
    t = np.arange(40) * 0.1
    q = np.stack([np.cos(2 * t + p) for p in (0.0, 1.0, 2.0)])
    states = np.stack([q, -np.stack([np.sin(2 * t + p) for p in (0.0, 1.0, 2.0)])], 2)
    data = enflow.dataset(states, t=t, train=[0, 1], test=[2])
    cfg = {"model": {"structure": "friction", "friction_init": 0.01, "hidden": [16]},
           "train": {"iterations": 30, "structure_lr": 1e-2}, "run": {"dtype": "float32"}}
    enflow.train(cfg, data, model=tmp_path / "m.pt")
    r = enflow.predict(tmp_path / "m.pt", tmp_path / "p.h5", data, dtype="float64")
    assert r.metrics["learned_energy_max_rel_increase"] <= 1e-12  # dissipative: never up
    pred = enflow.load_dataset(tmp_path / "p.h5")
    assert (tmp_path / "p_learned_energy.png").is_file()
    import h5py
    with h5py.File(tmp_path / "p.h5") as f:
        H = torch.from_numpy(f["learned_energy"][...])
    assert H.shape == pred.states.shape[:2]
    m = enflow.Model.load(tmp_path / "m.pt")
    torch.testing.assert_close(H[0].float(), m.energy(pred.states[0]).detach(), rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="friction_init"):
        enflow.train(dict(cfg, model={"structure": "friction", "friction_init": -1.0}), data,
                     model=tmp_path / "bad.pt")


def _spinning_pendulum(turns=0, series=6, steps=30, dt=0.1, seed=0):
    g = torch.Generator().manual_seed(seed)
    u = torch.stack([(2 * torch.rand(series, generator=g, dtype=torch.float64) - 1) * np.pi,
                     2.2 + 0.6 * torch.rand(series, generator=g, dtype=torch.float64)], 1)
    f = lambda x: torch.stack([x[:, 1], -torch.sin(x[:, 0])], 1)  # noqa: E731
    states, h = [u], dt / 20
    for _ in range(steps):
        for _ in range(20):
            k1 = f(u); k2 = f(u + h / 2 * k1); k3 = f(u + h / 2 * k2); k4 = f(u + h * k3)  # noqa: E702
            u = u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        states.append(u)
    s = torch.stack(states, 1)
    s[:, :, 0] += 2 * np.pi * turns
    return enflow.dataset(s, dt=dt, train=list(range(series - 2)), test=[series - 2, series - 1])


def test_angles_are_compared_to_the_nearest_turn(tmp_path):
    cfg = {"model": {"angles": [0], "hidden": [16]}, "train": {"iterations": 50},
           "run": {"dtype": "float64"}}
    enflow.train(cfg, _spinning_pendulum(), model=tmp_path / "m.pt")
    here = enflow.evaluate(tmp_path / "m.pt", _spinning_pendulum()).number("state_mse")
    later = enflow.evaluate(tmp_path / "m.pt", _spinning_pendulum(turns=5)).number("state_mse")
    assert later == pytest.approx(here, rel=1e-6)
    with pytest.raises(ValueError, match="model.angles"):
        enflow.train(dict(cfg, model={"angles": [0], "type": "node"}), _spinning_pendulum(),
                     model=tmp_path / "bad.pt")


def test_a_validation_split_keeps_the_best_model(mass_spring_h5, tmp_path):
    cfg = _config(mass_spring_h5, tmp_path / "v.pt", iterations=40, validation=0.34, patience=3)
    r = enflow.train(cfg)
    curve = r.metrics["validation_curve"]
    assert r.metrics["validation_loss"] == pytest.approx(float(curve.min()), rel=0, abs=0)
    assert 0 < r.metrics["best_iteration"] <= r.metrics["iterations"]
    if r.metrics["stopped_early"]:
        assert r.metrics["iterations"] == r.metrics["best_iteration"] + 3 * 4
    with pytest.raises(ValueError, match="train.validation"):
        enflow.train(_config(mass_spring_h5, tmp_path / "w.pt", validation=1.0))


def test_a_users_energy_formula_scores_imported_records(tmp_path):
    """data.energy: the true energy of a record enflow knows nothing about (muParser), with
    the dataset's parameters as constants, in the metrics and the plots."""
    t, k = np.arange(60) * 0.1, 2.4
    w = np.sqrt(2 * k)
    states = np.stack([np.stack([a * np.cos(w * t), -a * w / 2 * np.sin(w * t)], 1)
                       for a in (0.5, -0.8, 1.0, 0.3)])
    data = enflow.dataset(states, t=t, train=[0, 1, 2], test=[3], params={"k": k})
    cfg = {"data": {"energy": "p^2 + k*(1 - cos(q))"}, "model": {"hidden": [16]},
           "train": {"iterations": 20}, "run": {"dtype": "float64"}}
    enflow.train(cfg, data, model=tmp_path / "m.pt")
    ev = enflow.evaluate(tmp_path / "m.pt", data)
    r = enflow.predict(tmp_path / "m.pt", tmp_path / "p.h5", data)
    assert (tmp_path / "p_energy.png").is_file()
    pred = enflow.load_dataset(tmp_path / "p.h5").states.numpy()
    energy = lambda s: s[..., 1] ** 2 + k * (1 - np.cos(s[..., 0]))  # noqa: E731
    want = np.mean((energy(pred) - energy(states[3:])) ** 2)
    assert ev.number("energy_mse") == pytest.approx(want, rel=1e-9)
    assert r.number("state_mse") > 0
    bad = dict(cfg, data={"energy": "p^2 + k*(1 - cos(q)"})
    with pytest.raises(ValueError, match="data.energy: .* in 'p\\^2"):
        enflow.train(bad, data, model=tmp_path / "bad.pt")


def test_ragged_series_train_and_predict_over_their_own_lengths(tmp_path):
    """Trials of different lengths and irregular stamps, as lists of arrays: the dataset
    pads and records their lengths; the prediction file keeps them; the state MSE is the
    point-weighted mean of each test series scored alone."""
    rng = np.random.default_rng(1)
    lengths = [50, 31, 44, 19, 27]
    xs, ts = [], []
    for n in lengths:
        t = np.cumsum(rng.uniform(0.05, 0.15, n)) - 0.1  # irregular stamps
        phase, r = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 1.0)
        xs.append(np.stack([r * np.cos(2 * t + phase), -r * np.sin(2 * t + phase)], 1))
        ts.append(t)
    data = enflow.dataset(xs, t=ts, train=[0, 1, 2], test=[3, 4])
    assert list(data.lengths) == lengths and data.states.shape == (5, 50, 2)
    torch.testing.assert_close(data.states[3, 30], data.states[3, 18])  # padding: last row
    cfg = {"model": {"hidden": [16, 16]}, "train": {"iterations": 150, "lr": 3e-3},
           "run": {"dtype": "float64"}}
    enflow.train(cfg, data, model=tmp_path / "m.pt")
    r = enflow.predict(tmp_path / "m.pt", tmp_path / "p.h5", data)
    pred = enflow.load_dataset(tmp_path / "p.h5")
    assert list(pred.lengths) == [19, 27]
    alone = []
    for s in (3, 4):
        one = enflow.dataset([xs[s]], t=[ts[s]], train=[], test=[0])
        alone.append(enflow.evaluate(tmp_path / "m.pt", one).metrics["state_mse"])
    weighted = (19 * alone[0] + 27 * alone[1]) / 46
    assert r.metrics["state_mse"] == pytest.approx(weighted, rel=1e-10)
    with pytest.raises(ValueError, match="t\\[1\\] must have 31 time stamps"):
        enflow.dataset(xs, t=[ts[0], ts[0]] + ts[2:])
