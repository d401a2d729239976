"""Shared set-up of the Python package's tests (tests/python, docs/python.md).

The package under test is the one this build assembled (build/python, or $PYTHONPATH as
ctest sets it); the `enflow` executable of the same build ($ENFLOW_BIN) is the reference the
package must agree with. Everything runs on one thread, so runs are bitwise reproducible.
"""
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("ENFLOW_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[2]
if not any(Path(p, "enflow", "_core.py").exists() or list(Path(p, "enflow").glob("_core*.so"))
           for p in sys.path if p):
    sys.path.insert(0, str(REPO_ROOT / "build" / "python"))

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

ENFLOW_BIN = os.environ.get("ENFLOW_BIN", str(REPO_ROOT / "build" / "enflow"))
CLI_TIMEOUT = 300


def cli(*args, check=True, timeout=CLI_TIMEOUT, cwd=None):
    """Runs the enflow executable; returns the CompletedProcess (text)."""
    env = dict(os.environ, ENFLOW_NUM_THREADS="1", OMP_NUM_THREADS="1")
    r = subprocess.run([ENFLOW_BIN] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, env=env, cwd=cwd, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        pytest.fail(f"enflow {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}")
    return r


@pytest.fixture(scope="session")
def mass_spring_h5(tmp_path_factory):
    """6 series x 30 steps of mass-spring (4 train, 2 test) written by `enflow generate`."""
    path = tmp_path_factory.mktemp("data") / "mass-spring.h5"
    cli("generate", "mass-spring", "--series", 6, "--steps", 30, "--seed", 1, "-o", path)
    return path
