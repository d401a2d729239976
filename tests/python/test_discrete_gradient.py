"""The discrete gradient as a PyTorch operation: exact, symmetric, consistent, and
differentiable (gradcheck / gradgradcheck) with respect to states and parameters."""
import pytest
import torch

import enflow
from enflow import nn

F64 = torch.float64


def _pair(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=F64), torch.randn(shape, generator=g, dtype=F64)


def _energies():
    torch.manual_seed(0)
    return {
        "mlp": (nn.mlp(3, [16, 16], dtype=F64), (7, 3)),
        "resnet": (nn.mlp(3, [16, 16, 16], activation="softplus", residual=True, dtype=F64),
                   (7, 3)),
        "conv": (nn.periodic_conv(channels=8, kernel=3, depth=2, dtype=F64), (5, 12)),
        "conv2d": (nn.periodic_conv(channels=6, kernel=3, depth=2, dtype=F64, grid_axes=2),
                   (3, 8, 10)),
        "conv3d": (nn.periodic_conv(channels=4, kernel=3, depth=1, dtype=F64, grid_axes=3),
                   (2, 4, 5, 6)),
        "composed": (nn.energy(nn.Linear(4, 12), nn.Activation("silu"), nn.Linear(12, 6),
                               nn.Activation("sigmoid"), nn.Linear(6, 1)).to("float64"),
                     (6, 4)),
    }


@pytest.mark.parametrize("name", ["mlp", "resnet", "conv", "conv2d", "conv3d", "composed"])
def test_discrete_chain_rule_is_exact(name):
    H, shape = _energies()[name]
    u, v = _pair(shape)
    d, hu, hv = enflow.discrete_gradient(H, u, v, return_energies=True)
    assert d.shape == u.shape and d.dtype == F64
    torch.testing.assert_close(hu, H(u), rtol=0, atol=0)
    lhs = hu - hv
    rhs = (d * (u - v)).flatten(1).sum(1)
    scale = torch.maximum(hu.abs(), hv.abs()).clamp(min=1.0)
    assert ((lhs - rhs).abs() / scale).max() < 1e-12


@pytest.mark.parametrize("name", ["mlp", "conv", "conv2d", "conv3d"])
def test_symmetric_and_consistent_with_the_gradient(name):
    H, shape = _energies()[name]
    u, v = _pair(shape, seed=1)
    torch.testing.assert_close(enflow.discrete_gradient(H, u, v),
                               enflow.discrete_gradient(H, v, u), rtol=1e-12, atol=1e-13)
    # dgrad(u, u) is the gradient, which is torch's autograd gradient of H.
    x = u.clone().requires_grad_(True)
    (g_torch,) = torch.autograd.grad(H(x).sum(), x)
    torch.testing.assert_close(enflow.gradient(H, u), g_torch, rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(enflow.discrete_gradient(H, u, u), g_torch, rtol=1e-9, atol=1e-10)


def _functional_energy(w1, b1, w2, b2):
    return nn.energy(nn.Linear(w1, b1), nn.Activation("tanh"), nn.Linear(w2, b2))


def test_gradcheck_and_gradgradcheck_in_states_and_parameters():
    g = torch.Generator().manual_seed(2)
    w1 = torch.randn(5, 2, generator=g, dtype=F64, requires_grad=True)
    b1 = torch.randn(5, generator=g, dtype=F64, requires_grad=True)
    w2 = torch.randn(1, 5, generator=g, dtype=F64, requires_grad=True)
    b2 = torch.randn(1, generator=g, dtype=F64, requires_grad=True)
    u = torch.randn(3, 2, generator=g, dtype=F64, requires_grad=True)
    v = torch.randn(3, 2, generator=g, dtype=F64, requires_grad=True)

    def dgrad(u, v, w1, b1, w2, b2):
        return enflow.discrete_gradient(_functional_energy(w1, b1, w2, b2), u, v,
                                        create_graph=True)

    inputs = (u, v, w1, b1, w2, b2)
    assert torch.autograd.gradcheck(dgrad, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)
    assert torch.autograd.gradgradcheck(dgrad, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)


def test_gradcheck_of_a_convolutional_energy():
    torch.manual_seed(3)
    H = nn.periodic_conv(channels=4, kernel=3, depth=1, dtype=F64)
    u, v = (t.requires_grad_(True) for t in _pair((2, 6), seed=3))

    def dgrad(u, v):
        return enflow.discrete_gradient(H, u, v, create_graph=True)

    assert torch.autograd.gradcheck(dgrad, (u, v), eps=1e-6, atol=1e-7, rtol=1e-5)
    assert torch.autograd.gradgradcheck(dgrad, (u, v), eps=1e-6, atol=1e-6, rtol=1e-4)


def test_a_torch_optimizer_trains_through_the_discrete_gradient():
    """A hand-written DGNet step: (u1 - u0)/dt = J dgrad(u1, u0) on a harmonic oscillator."""
    torch.manual_seed(4)
    dt = 0.1
    u0 = torch.randn(64, 2, dtype=F64)
    c, s = torch.cos(torch.tensor(dt, dtype=F64)), torch.sin(torch.tensor(dt, dtype=F64))
    u1 = torch.stack([c * u0[:, 0] + s * u0[:, 1], -s * u0[:, 0] + c * u0[:, 1]], 1)
    J = torch.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=F64)
    H = nn.mlp(2, [32, 32], dtype=F64)
    opt = torch.optim.Adam(H.parameters(), lr=3e-3)

    def loss():
        d = enflow.discrete_gradient(H, u1, u0, create_graph=True)
        return ((u1 - u0) / dt - d @ J.T).pow(2).mean()

    first = loss().item()
    for _ in range(150):
        opt.zero_grad()
        l = loss()
        l.backward()
        opt.step()
    assert all(p.grad is not None for p in H.parameters())
    assert loss().item() < 0.1 * first


def test_from_torch_matches_the_torch_module_and_shares_its_parameters():
    torch.manual_seed(5)
    m = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16),
                            torch.nn.Softplus(), torch.nn.Linear(16, 16), torch.nn.ELU(),
                            torch.nn.Linear(16, 16), torch.nn.SiLU(), torch.nn.Linear(16, 1)
                            ).double()
    H = nn.from_torch(m)
    u, v = _pair((9, 2), seed=5)
    torch.testing.assert_close(H(u), m(u).squeeze(-1), rtol=1e-12, atol=1e-12)
    d, hu, hv = enflow.discrete_gradient(H, u, v, return_energies=True)
    assert ((hu - hv) - (d * (u - v)).sum(1)).abs().max() < 1e-12 * max(1.0, hu.abs().max())
    with torch.no_grad():
        m[0].weight.mul_(2.0)  # the same tensors: the EnergyNet sees the change
    torch.testing.assert_close(H(u), m(u).squeeze(-1), rtol=1e-12, atol=1e-12)


def test_from_torch_circular_conv1d_is_the_grid_energy():
    torch.manual_seed(6)
    m = torch.nn.Sequential(
        torch.nn.Conv1d(1, 8, 3, padding=1, padding_mode="circular"), torch.nn.Tanh(),
        torch.nn.Conv1d(8, 8, 1), torch.nn.ReLU(), torch.nn.Conv1d(8, 1, 1)).double()
    H = nn.from_torch(m)
    u, v = _pair((4, 10), seed=6)
    torch.testing.assert_close(H(u), m(u.unsqueeze(1)).sum((1, 2)), rtol=1e-12, atol=1e-12)
    d, hu, hv = enflow.discrete_gradient(H, u, v, return_energies=True)
    assert ((hu - hv) - (d * (u - v)).sum(1)).abs().max() < 1e-12 * max(1.0, hu.abs().max())


@pytest.mark.parametrize("module, named", [
    (torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout(), torch.nn.Linear(4, 1)),
     "Dropout at '1'"),
    (torch.nn.Sequential(torch.nn.Conv1d(1, 4, 3, padding=1), torch.nn.Tanh()),
     "Conv1d at '0': padding_mode must be 'circular'"),
    (torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Softplus(beta=2.0)), "Softplus at '1'"),
])
def test_from_torch_refuses_an_unsupported_layer_by_name(module, named):
    with pytest.raises(ValueError, match="unsupported layer " + named):
        nn.from_torch(module)


def test_bad_input_is_an_exception_with_the_libraries_message():
    H = nn.mlp(2, [4], dtype=F64)
    u = torch.zeros(3, 2, dtype=F64)
    with pytest.raises((ValueError, RuntimeError), match="shape"):
        enflow.discrete_gradient(H, u, torch.zeros(4, 2, dtype=F64))
    with pytest.raises(ValueError, match="activation .swishy."):
        nn.Activation("swishy")
    with pytest.raises(TypeError, match="from_torch"):
        enflow.discrete_gradient(torch.nn.Linear(2, 1), u, u)
