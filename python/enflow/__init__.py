"""enflow: neural networks that keep the laws of physics in discrete time.

The same engine as the ``enflow`` command, called from Python and PyTorch:

* :func:`discrete_gradient` — the exact discrete gradient ∇̄H(u, v) of an energy network
  (:mod:`enflow.nn`), as a tensor in PyTorch's autograd graph;
* :func:`train`, :func:`evaluate`, :func:`predict`, :class:`Model` — learned dynamics
  (DGNet, HNN, HNN++, SRNN, NODE, GGD) from the configs ``enflow train`` reads;
* :func:`solve` — every registered solver (EVNN, committor, Deep Ritz, VMC, SVGD,
  mean-field, potential flow) from a config;
* :func:`generate`, :func:`dataset`, :func:`load_dataset` — data;
* :func:`registries` — what each config may name.

C++ errors arrive as ValueError (bad input) or RuntimeError with the command line's
one-line message; Ctrl-C stops a long run at its next progress report; the GIL is released
while the library works.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

import torch  # first: the extension's tensors are torch's own objects

from . import _core
from . import nn
from ._config import ConfigLike, _value, resolve, to_toml

__version__: str = _core.__version__

# The settings the command line applies to itself (threads, OpenBLAS's threads, glibc's
# allocator kept from returning large buffers; docs/python.md#performance): a run from
# Python computes as `enflow` does. ENFLOW_NUM_THREADS / ENFLOW_MALLOC_TUNING=0 as there.
_core.init_threads()
init_threads = _core.init_threads
runtime_info = _core.runtime_info

Dataset = _core.Dataset
Model = _core.Model
RunResult = _core.RunResult
Progress = _core.Progress

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[Progress], None]

__all__ = ["discrete_gradient", "gradient", "train", "evaluate", "predict", "solve",
           "generate", "dataset", "load_dataset", "systems", "invariants",
           "exact_time_derivative", "registries", "print_progress", "to_toml",
           "init_threads", "runtime_info",
           "Dataset", "Model", "RunResult", "Progress", "nn", "__version__"]


def _tensor(x: Any, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    try:
        return torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError) as e:
        raise TypeError(f"{name} must be a tensor or an array, got {type(x).__name__}") from e


def _energy_of(energy: Any) -> Any:
    if isinstance(energy, (nn.EnergyNet, Model)):
        return energy
    if isinstance(energy, torch.nn.Module):
        raise TypeError("convert a torch.nn module once with enflow.nn.from_torch(module) "
                        "and reuse the EnergyNet")
    raise TypeError(f"energy must be an enflow.nn.EnergyNet or an enflow.Model, "
                    f"got {type(energy).__name__}")


def discrete_gradient(energy: Any, u: Any, v: Any, create_graph: bool = False,
                      return_energies: bool = False):
    """∇̄H(u, v) of an energy network (or a learned model's energy), shape of u.

    Exact: H(u) − H(v) = Σ ∇̄H(u, v)·(u − v) per sample, to rounding; symmetric in (u, v);
    ∇̄H(u, u) = ∇H(u). With ``create_graph`` the result is part of PyTorch's autograd graph
    (with respect to u, v and the parameters), so a loss built on it trains with any
    torch.optim optimizer and second derivatives are right. ``return_energies`` also returns
    H(u) and H(v): ``(dgrad, H_u, H_v)``.
    """
    e = _energy_of(energy)
    d, hu, hv = e.discrete_gradient(_tensor(u, "u"), _tensor(v, "v"), create_graph)
    return (d, hu, hv) if return_energies else d


def gradient(energy: Any, u: Any, create_graph: bool = False) -> torch.Tensor:
    """∇H(u) of an energy network, shape of u."""
    e = _energy_of(energy)
    if isinstance(e, Model):
        raise TypeError("a Model's gradient: use model.time_derivative or discrete_gradient")
    return e.gradient(_tensor(u, "u"), create_graph)


def registries() -> Dict[str, Dict[str, str]]:
    """Every extension point and its entries: {"solvers": {name: help}, "systems": ...,
    "model_types", "energy_networks", "structures", "integrators", "evnn_problems",
    "committor_problems", "svgd_targets"}."""
    return _core.registries()


def print_progress(p: Progress) -> None:
    """A progress callback that keeps one status line on stderr, as the command line does."""
    total = f"/{p.iterations}" if p.iterations else ""
    line = f"\r{p.what} {p.iteration}{total}  {p.loss_name} {p.loss:.4e}"
    if p.metric_name:
        line += f"  {p.metric_name} {p.metric:.4g}"
    if p.eta() > 0:
        line += f"  eta {p.eta():.0f} s"
    end = "\n" if p.iterations and p.iteration >= p.iterations else ""
    sys.stderr.write(line + "\033[K" + end)
    sys.stderr.flush()


# ---- data ----

def generate(system: str, *, protocol: str = "", seed: int = 0, series: Optional[int] = None,
             steps: Optional[int] = None, dt: Optional[float] = None,
             noise: Optional[float] = None, train_fraction: Optional[float] = None,
             params: Optional[Mapping[str, float]] = None,
             progress: Optional[ProgressCallback] = None) -> Dataset:
    """Trajectories of a reference system (``registries()["systems"]``) by its structure-
    preserving solver, with the protocol ``protocol`` ("": the default; ``systems()`` lists
    them) and any field of it overridden; the same arguments give the same data bit for bit
    (``enflow generate``)."""
    return _core.generate(system, protocol, seed, series, steps, dt, noise, train_fraction,
                          dict(params or {}), progress)


def systems() -> Dict[str, Dict[str, Any]]:
    """Reference systems: name → {"help": ..., "protocols": {name: {series, steps, dt, noise,
    train_fraction, source}}}."""
    return _core.system_entries()


def invariants(system: str, u: Any, params: Optional[Mapping[str, float]] = None
               ) -> Dict[str, torch.Tensor]:
    """The reference system's conserved or dissipated quantities (energy, mass, ...) at the
    states u [..., D] (float64), as ``enflow inspect`` computes them."""
    x = _tensor(u, "u").to(torch.float64)
    flat = x.reshape(-1, x.shape[-1])
    out = _core.system_invariants(system, dict(params or {}), flat)
    return {k: v.reshape(x.shape[:-1]) for k, v in out.items()}


def exact_time_derivative(system: str, u: Any, params: Optional[Mapping[str, float]] = None
                    ) -> torch.Tensor:
    """The reference system's exact du/dt at the states u [..., D] (float64)."""
    x = _tensor(u, "u").to(torch.float64)
    return _core.system_time_derivative(system, dict(params or {}),
                                        x.reshape(-1, x.shape[-1])).reshape(x.shape)


def dataset(states: Any, t: Any = None, *, dt: Optional[float] = None,
            train: Optional[Sequence[int]] = None, test: Optional[Sequence[int]] = None,
            system: str = "", params: Optional[Mapping[str, float]] = None) -> Dataset:
    """A dataset from arrays: states [S, T, D] (or [T, D] for one series), time stamps t
    [T] or [S, T] — or a uniform step ``dt`` — and the series of each split (default: all
    for training, none for testing). Series of different lengths come as a list of [T_s, D]
    arrays, with a list of [T_s] time stamps or ``dt``. ``system`` names a reference system
    whose energy and invariants the metrics may use."""
    if t is not None and dt is not None:
        raise ValueError("give either t or dt, not both")
    if t is None and (dt is None or not dt > 0):
        raise ValueError("give the time stamps t or a positive time step dt")
    d = Dataset()
    if isinstance(states, (list, tuple)):  # ragged: one array per series
        xs = [_tensor(x, f"states[{k}]").to(torch.float64) for k, x in enumerate(states)]
        if not xs or any(x.dim() != 2 for x in xs):
            raise ValueError("a list of states needs one [T_s, D] array per series")
        if t is None:
            ts = [torch.arange(x.shape[0], dtype=torch.float64) * dt for x in xs]
        elif isinstance(t, (list, tuple)) and len(t) == len(xs):
            ts = [_tensor(v, f"t[{k}]").to(torch.float64) for k, v in enumerate(t)]
        else:
            raise ValueError("a list of states needs a list of time stamps, one per series, or dt")
        for k, (x, tk) in enumerate(zip(xs, ts)):
            if tk.dim() != 1 or tk.shape[0] != x.shape[0]:
                raise ValueError(f"t[{k}] must have {x.shape[0]} time stamps, got shape "
                                 f"{list(tk.shape)}")
        d.set_series([x.contiguous() for x in xs], [tk.contiguous() for tk in ts])
        steps = torch.cat([tk.diff() for tk in ts])
        uniform = steps.numel() > 0 and bool(
            torch.allclose(steps, steps[0].expand_as(steps), rtol=1e-9, atol=0.0))
        d.dt = float(steps[0]) if uniform else 0.0
        s = d.states
    else:
        s = _tensor(states, "states").to(torch.float64)
        if s.dim() == 2:
            s = s.unsqueeze(0)
        if s.dim() != 3:
            raise ValueError(f"states must be [S, T, D] or [T, D], got shape {list(s.shape)}")
        tt = (torch.arange(s.shape[1], dtype=torch.float64) * dt if t is None
              else _tensor(t, "t").to(torch.float64))
        d.states, d.t = s.contiguous(), tt.contiguous()
        steps = tt.diff(dim=-1) if tt.shape[-1] > 1 else tt
        uniform = tt.dim() == 1 and tt.shape[0] > 1 and bool(
            torch.allclose(steps, steps[0].expand_as(steps), rtol=1e-9, atol=0.0))
        d.dt = float(steps[0]) if uniform else 0.0
    n = s.shape[0]
    d.train = list(range(n)) if train is None else [int(i) for i in train]
    d.test = [] if test is None else [int(i) for i in test]
    d.system = system
    d.params = dict(params or {})
    d.source = "python"
    return d


def load_dataset(path: PathLike) -> Dataset:
    """Reads an HDF5 dataset (``enflow generate`` / ``enflow import`` / Dataset.save)."""
    return _core.load_dataset(os.fspath(path))


# ---- learning ----

def _data_args(data: Any) -> Tuple[str, Optional[Dataset]]:
    if data is None:
        return "", None
    if isinstance(data, Dataset):
        return "", data
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data), None
    raise TypeError(f"data must be a Dataset or an HDF5 path, got {type(data).__name__} "
                    "(enflow.dataset(states, t) makes one from arrays)")


def train(config: ConfigLike, data: Any = None, *, model: Optional[PathLike] = None,
          overrides: Optional[Mapping[str, Any]] = None, resume: bool = False,
          progress: Optional[ProgressCallback] = None,
          log: Optional[Callable[[str], None]] = None) -> RunResult:
    """Trains the experiment of ``config`` (a dict or a TOML file, as ``enflow train
    --config``) on ``data`` (a Dataset, an HDF5 path, or None for the config's data.path)
    and writes the model file ``model`` (default: the config's output.model; for a file
    config, ``results/<stem>.pt`` as the command line). Returns the run's result; its
    ``model`` attribute is the trained :class:`Model`. Same config, same seed: the same loss
    curve and weights as the command line."""
    text, items, source = resolve(config, overrides)
    path, in_memory = _data_args(data)
    if path:
        items.append("data.path=" + _value(path, "data.path"))
    if model is not None:
        items.append("output.model=" + _value(os.fspath(model), "output.model"))
    elif isinstance(config, Mapping) and "model" not in config.get("output", {}) and \
            "output.model" not in (overrides or {}):
        raise ValueError("train: give model='FILE.pt' (or output.model in the config): "
                         "where to write the model")
    result = _core.train(text, items, source, in_memory, resume, progress, log)
    result.model = Model.load(result.metrics["model"])
    return result


def evaluate(model: PathLike, data: Any = None, *, integrator: str = "",
             step_integrator: str = "", steps: int = 0, all_series: bool = False,
             dtype: str = "") -> RunResult:
    """Metrics of a model file on its test series (``enflow evaluate``): step_mse,
    state_mse, the reference invariants' errors and, for generated data, deriv_mse.
    ``dtype`` ("float32" / "float64") computes in that precision instead of the model's."""
    path, in_memory = _data_args(data)
    return _core.evaluate(os.fspath(model), path, in_memory, integrator, step_integrator,
                          steps, all_series, dtype)


def predict(model: PathLike, output: PathLike, data: Any = None, *, integrator: str = "",
            steps: int = 0, all_series: bool = False,
            plot_dir: Optional[PathLike] = None, dtype: str = "") -> RunResult:
    """Writes the model's prediction from the series' initial states to ``output`` (HDF5)
    with its plots (``enflow predict``)."""
    path, in_memory = _data_args(data)
    return _core.predict(os.fspath(model), path, in_memory, integrator, steps, all_series,
                         os.fspath(output), os.fspath(plot_dir) if plot_dir else "", dtype)


def _model_from_config(config: ConfigLike, dim: int, dx: float = 1.0,
                       overrides: Optional[Mapping[str, Any]] = None) -> Model:
    """An untrained model as ``enflow train`` builds it from ``config`` (same seed, same
    initial weights), for states of dimension ``dim`` (grid spacing ``dx`` for PDE models)."""
    text, items, source = resolve(config, overrides)
    return _core.Model.from_toml(text, items, source, dim, dx)


def _tensor_args(method: Callable, names: Sequence[str]) -> Callable:
    # States (not time stamps) in the model's dtype and device: a float32 model takes the
    # float64 arrays a dataset holds, as `enflow predict` does.
    def state(self: Model, x: Any, name: str) -> torch.Tensor:
        x = _tensor(x, name)
        params = self.parameters()
        if name != "t" and params and x.is_floating_point():
            x = x.to(dtype=params[0].dtype, device=params[0].device)
        return x

    def wrapped(self: Model, *args: Any, **kwargs: Any) -> Any:
        args = tuple(state(self, a, names[i]) if i < len(names) else a
                     for i, a in enumerate(args))
        for n in names:
            if n in kwargs:
                kwargs[n] = state(self, kwargs[n], n)
        return method(self, *args, **kwargs)

    wrapped.__doc__ = method.__doc__
    wrapped.__name__ = method.__name__
    return wrapped


def _path_args(method: Callable, static: bool = False) -> Callable:
    def wrapped(*args: Any) -> Any:
        args = tuple(os.fspath(a) if isinstance(a, os.PathLike) else a for a in args)
        return method(*args)

    wrapped.__doc__ = method.__doc__
    wrapped.__name__ = method.__name__
    return staticmethod(wrapped) if static else wrapped


Model.from_config = staticmethod(_model_from_config)
Model.load = _path_args(Model.load, static=True)
Model.save = _path_args(Model.save)
Dataset.save = _path_args(Dataset.save)
for _name, _names in (("energy", ["u"]), ("time_derivative", ["u"]), ("step", ["u"]),
                      ("rollout", ["u0", "t"]), ("discrete_gradient", ["u", "v"])):
    setattr(Model, _name, _tensor_args(getattr(Model, _name), _names))


# ---- solvers ----

def solve(config: ConfigLike, *, out_dir: PathLike = ".",
          overrides: Optional[Mapping[str, Any]] = None, threads: int = 0,
          progress: Optional[ProgressCallback] = None,
          log: Optional[Callable[[str], None]] = None) -> RunResult:
    """Runs the solver that the config's problem.kind names (``registries()["solvers"]``),
    writing ``<out_dir>/<name>.metrics.toml`` and its plots (``enflow solve``)."""
    text, items, source = resolve(config, overrides)
    return _core.solve(text, items, source, os.fspath(out_dir), threads, progress, log)
