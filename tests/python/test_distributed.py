"""A Python script launched with torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT) trains data-parallel through the library's train path, as `enflow train` does:
2 processes on 127.0.0.1 give the 1-process parameters and loss curve of the same global
batch (float64, to 1e-12), and every rank returns the model rank 0 wrote. Also as under
torchrun's own agent, which serves the rendezvous store itself
(TORCHELASTIC_USE_AGENT_STORE=True): here this test plays the agent."""
import json
import os
import socket
import subprocess
import sys

import pytest
import torch.distributed as dist

import enflow

SCRIPT = """
import json, sys
import pytest
import torch.distributed as dist

import enflow
r = enflow.train(json.loads(sys.argv[1]))
print(json.dumps({"curve": r.metrics["loss_curve"].tolist(),
                  "world_size": int(r.metrics.get("world_size", 1)),
                  "params": [p.detach().flatten().tolist() for p in r.model.parameters()]}))
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _train(config, world, agent_store=False):
    """Runs SCRIPT as `world` processes with torchrun's variables; their JSON results."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(enflow.__file__)))
    env = dict(os.environ, ENFLOW_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([package, os.environ.get("PYTHONPATH", "")]))
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    port = _free_port()
    # torchrun's agent: a TCPStore served by the launcher, which rank 0 must join as a client.
    agent = dist.TCPStore("127.0.0.1", port, world, True, wait_for_workers=False) \
        if agent_store else None
    port = str(port)
    procs = []
    for rank in range(world):
        e = dict(env)
        if world > 1:
            e.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                     MASTER_ADDR="127.0.0.1", MASTER_PORT=port, ENFLOW_DIST_TIMEOUT="60",
                     TORCHELASTIC_USE_AGENT_STORE=str(agent_store))
        procs.append(subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(config)], env=e,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, text=True))
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    del agent
    return results


def _rel(a, b):
    scale = max(max(abs(x) for x in a), max(abs(x) for x in b), 1e-300)
    return max(abs(x - y) for x, y in zip(a, b)) / scale


def _flat(result):
    return [x for p in result["params"] for x in p]


@pytest.mark.parametrize("agent_store", [False, True])
def test_two_processes_under_torchrun_train_the_one_process_model(mass_spring_h5, tmp_path,
                                                                   agent_store):
    def config(model):
        return {"data": {"path": str(mass_spring_h5)},
                "model": {"type": "dgnet", "hidden": [16, 16]},
                "train": {"iterations": 20, "batch": 16, "log_every": 1,
                          "checkpoint_every": 1000},
                "run": {"dtype": "float64", "seed": 3},
                "output": {"model": str(model)}}
    (one,) = _train(config(tmp_path / "one.pt"), 1)
    two = _train(config(tmp_path / "two.pt"), 2, agent_store)
    assert one["world_size"] == 1 and [r["world_size"] for r in two] == [2, 2]
    params = _rel(_flat(one), _flat(two[0]))
    curve = _rel(one["curve"], two[0]["curve"])
    print(f"2 processes (agent store: {agent_store}) vs 1: parameters {params:.2e}, loss curve {curve:.2e} "
          f"({len(one['curve'])} points, {len(_flat(one))} parameters)")
    assert len(one["curve"]) == len(two[0]["curve"]) == 20
    assert params <= 1e-12 and curve <= 1e-12
    # Rank 1 returns the model rank 0 wrote.
    assert _flat(two[1]) == _flat(two[0])
