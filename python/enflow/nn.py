"""Energy networks whose discrete gradient is exact: built here, or converted from torch.nn.

Every network is an :class:`EnergyNet`: ``H(u)`` gives one energy per sample,
``H.gradient(u)`` the ordinary gradient and :func:`enflow.discrete_gradient` the discrete
gradient ∇̄H(u, v) with H(u) − H(v) = Σ ∇̄H·(u − v) to rounding. Parameters are ordinary
``torch.Tensor`` objects shared with the network: any ``torch.optim`` optimizer trains them.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import torch

from . import _core

EnergyNet = _core.EnergyNet
Layer = _core.Layer
Linear = _core.Linear
PeriodicConv1d = _core.PeriodicConv1d
Activation = _core.Activation
Unsqueeze = _core.Unsqueeze
SumPerSample = _core.SumPerSample
Sequential = _core.Sequential
Residual = _core.Residual

__all__ = ["EnergyNet", "Layer", "Linear", "PeriodicConv1d", "Activation", "Unsqueeze",
           "SumPerSample", "Sequential", "Residual", "mlp", "periodic_conv", "energy",
           "from_torch", "activation_names"]


def _dtype_name(dtype: Optional[torch.dtype]) -> Optional[str]:
    if dtype is None:
        return None
    names = {torch.float32: "float32", torch.float64: "float64"}
    if dtype not in names:
        raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
    return names[dtype]


def _with_dtype(net: EnergyNet, dtype: Optional[torch.dtype]) -> EnergyNet:
    name = _dtype_name(dtype)
    if name is not None:
        net.to(name)
    return net


def activation_names() -> List[str]:
    """Elementwise functions with a discrete rule (Activation(name))."""
    return list(_core.activation_names())


def mlp(input_dim: int, hidden: Sequence[int] = (200, 200), activation: str = "tanh",
        init: str = "orthogonal", residual: bool = False,
        dtype: Optional[torch.dtype] = None) -> EnergyNet:
    """input_dim → hidden... → 1 (DGNet's and HNN's ODE network: 2 × 200 tanh, orthogonal).

    ``residual=True`` wraps each hidden layer after the first in a skip (ResNet); ``dtype``
    defaults to torch's default dtype.
    """
    return _with_dtype(_core.mlp_energy(input_dim, list(hidden), activation, init, residual),
                       dtype)


def periodic_conv(channels: int = 200, kernel: int = 3, depth: int = 2,
                  activation: str = "tanh", init: str = "orthogonal",
                  dtype: Optional[torch.dtype] = None, grid_axes: int = 1) -> EnergyNet:
    """Energy of states on a periodic grid: circular conv (k, k×k or k×k×k), 1×1 convs, sum
    over the grid (DGNet's PDE network: kernel 3, 200 channels). States are [B, L] for
    grid_axes = 1, [B, ny, nx] for 2 and [B, nz, ny, nx] for 3 (docs/grids.md)."""
    return _with_dtype(_core.periodic_conv_energy(channels, kernel, depth, activation, init,
                                                  grid_axes), dtype)


def energy(*layers: Layer) -> EnergyNet:
    """An energy from enflow layers applied in order, summed per sample at the end."""
    return EnergyNet(Sequential(list(layers) + [SumPerSample()]))


_ACTIVATIONS = {
    torch.nn.Tanh: "tanh",
    torch.nn.Sigmoid: "sigmoid",
    torch.nn.ReLU: "relu",
    torch.nn.SiLU: "silu",
}
_SUPPORTED = ("Linear, Conv1d (odd kernel, padding=kernel//2, padding_mode='circular' unless 1x1, "
              "stride 1), Tanh, "
              "Sigmoid, Softplus (beta=1), ReLU, ELU (alpha=1), SiLU, Identity, Sequential")


def _convert(module: torch.nn.Module, path: str, out: List[Layer]) -> None:
    def unsupported(why: str = "") -> ValueError:
        return ValueError(f"from_torch: unsupported layer {type(module).__name__} at '{path}'"
                          f"{': ' + why if why else ''} (supported: {_SUPPORTED})")

    if isinstance(module, torch.nn.Sequential):
        for name, child in module.named_children():
            _convert(child, f"{path}.{name}" if path else name, out)
    elif isinstance(module, torch.nn.Identity):
        pass
    elif isinstance(module, torch.nn.Linear):
        out.append(Linear(module.weight, module.bias))
    elif isinstance(module, torch.nn.Conv1d):
        k = module.kernel_size[0]
        if module.padding_mode != "circular" and k > 1:  # 1x1: no padding to speak of
            raise unsupported("padding_mode must be 'circular' (periodic grids)")
        if module.stride != (1,) or module.dilation != (1,) or module.groups != 1:
            raise unsupported("stride, dilation and groups must be 1")
        if k % 2 == 0 or module.padding != (k // 2,):
            raise unsupported("the kernel must be odd with padding = kernel // 2")
        out.append(PeriodicConv1d(module.weight, module.bias))
    elif isinstance(module, torch.nn.Softplus):
        if module.beta != 1:
            raise unsupported("beta must be 1")
        out.append(Activation("softplus"))
    elif isinstance(module, torch.nn.ELU):
        if module.alpha != 1.0:
            raise unsupported("alpha must be 1")
        out.append(Activation("elu"))
    elif type(module) in _ACTIVATIONS:
        out.append(Activation(_ACTIVATIONS[type(module)]))
    else:
        raise unsupported()


def from_torch(module: torch.nn.Module) -> EnergyNet:
    """Converts a torch.nn.Sequential of supported layers, once, into an EnergyNet that
    shares its parameters (training either trains both).

    H(u) is the sum of the module's outputs per sample, so a ``... → Linear(n, 1)`` MLP gives
    its scalar output, and a convolutional stack ending in one channel sums over the grid
    (DGNet's PDE energy). A stack that starts with a Conv1d takes states [B, L] of a periodic
    grid: the channel dimension is inserted. An unsupported layer is a ValueError naming it.
    (torch's Softplus is linear above its threshold, 20; enflow's is exact: they differ there
    by less than 2e-9.)
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    layers: List[Layer] = []
    _convert(module, "", layers)
    if not layers:
        raise ValueError("from_torch: the module has no layers")
    if isinstance(layers[0], PeriodicConv1d):
        layers.insert(0, Unsqueeze(1))
    return energy(*layers)
