"""Shared machinery of the robustness suite (docs/robustness.md).

Every enflow process runs through run(): a subprocess with a timeout (a timeout is a test
failure reported as "hang"), output captured, LibTorch kept on one thread, and TMPDIR
pointed at a directory of this session so that leftover gnuplot work folders
(enflow-plot-*) can be attributed to the run that left them.

The error contract (assert_error_contract) is what enflow promises for bad input and for
failed writes: a non-zero exit that is not a crash, exactly one line on stderr that starts
with "enflow: error:", naming the input at fault, no LibTorch/HDF5 internals, and nothing
in the case's directory changed, no ".tmp." files, no new gnuplot work folders.
"""
import glob
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 60.0

FORBIDDEN = (
    "terminate called",
    "Exception raised from",
    "frame #",
    "Segmentation",
    "core dumped",
    "HDF5-DIAG",
)
CRASH_CODES = (134, 136, 139)  # SIGABRT, SIGFPE, SIGSEGV through a shell


def pytest_addoption(parser):
    parser.addoption(
        "--enflow-bin",
        default=os.environ.get("ENFLOW_BIN", str(REPO_ROOT / "build" / "enflow")),
        help="enflow executable (default: $ENFLOW_BIN or build/enflow of this checkout)",
    )


# ------------------------------------------------------------------ running enflow

_BIN = None
_SESSION_TMPDIR = None


class Result:
    def __init__(self, argv, rc, stdout, stderr, seconds, pid):
        self.argv, self.rc, self.stdout, self.stderr = argv, rc, stdout, stderr
        self.seconds, self.pid = seconds, pid

    def describe(self):
        err = self.stderr if len(self.stderr) < 3000 else self.stderr[:1500] + "\n...\n" + self.stderr[-1500:]
        return (f"command: {' '.join(map(str, self.argv))}\nrc: {self.rc} ({self.seconds:.1f} s)\n"
                f"stderr:\n{err}")


def enflow_bin():
    return _BIN


def base_env(extra=None):
    env = dict(os.environ)
    env.setdefault("ENFLOW_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env["TMPDIR"] = str(_SESSION_TMPDIR)
    env.pop("ENFLOW_DGNET_ONLY", None)
    if extra:
        env.update(extra)
    return env


def _wait_for_binary():
    """The binary may be rebuilt while the suite runs; wait briefly for it to reappear."""
    deadline = time.monotonic() + float(os.environ.get("ENFLOW_BIN_WAIT", "120"))
    while not os.access(_BIN, os.X_OK):
        if time.monotonic() > deadline:
            pytest.fail(f"enflow binary not found: {_BIN}")
        time.sleep(2)


# Address-space cap of every enflow process: a case that asks for absurd sizes must not
# take the machine down with it (ENFLOW_TEST_MEM_LIMIT_GB, 0 = none).
MEM_LIMIT_GB = float(os.environ.get("ENFLOW_TEST_MEM_LIMIT_GB", "16"))


def _limit_memory():
    if MEM_LIMIT_GB > 0:
        n = int(MEM_LIMIT_GB * (1 << 30))
        resource.setrlimit(resource.RLIMIT_AS, (n, n))


def start(args, cwd=None, env=None):
    """Starts enflow without waiting (signal tests); returns the Popen."""
    _wait_for_binary()
    argv = [_BIN] + [str(a) for a in args]
    return subprocess.Popen(argv, cwd=str(cwd or REPO_ROOT), env=base_env(env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_limit_memory)


def communicate(p, timeout):
    """Waits for a started enflow process; a timeout kills its group and fails as a hang."""
    try:
        return p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"hang: no exit within {timeout:.0f} s: {' '.join(map(str, p.args))}\n"
                    f"stderr tail: {err.decode(errors='replace')[-800:]}")


def run(args, cwd=None, timeout=DEFAULT_TIMEOUT, env=None, check=False, binary=None):
    """Runs enflow ARGS; a timeout fails the test as a hang. check=True: rc must be 0."""
    if binary is None:
        _wait_for_binary()
    argv = [binary or _BIN] + [str(a) for a in args]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=str(cwd or REPO_ROOT), env=base_env(env),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_limit_memory)
    out, err = communicate(p, timeout)
    r = Result(argv, p.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
               time.monotonic() - t0, p.pid)
    if check and r.rc != 0:
        pytest.fail("setup command failed\n" + r.describe())
    return r


def log_event(text):
    """Appends a line to $ENFLOW_ROBUSTNESS_LOG when set (docs/robustness.md's result column)."""
    path = os.environ.get("ENFLOW_ROBUSTNESS_LOG")
    if path:
        with open(path, "a") as f:
            f.write(text.replace("\n", " | ") + "\n")


# ------------------------------------------------------------------ checks

def assert_not_crashed(r):
    assert r.rc >= 0, f"killed by signal {-r.rc} ({signal.Signals(-r.rc).name})\n" + r.describe()
    assert r.rc not in CRASH_CODES and r.rc < 128, "crash exit code\n" + r.describe()
    for bad in FORBIDDEN:
        assert bad not in r.stderr, f"stderr contains {bad!r}\n" + r.describe()


def error_line(r):
    """The single "enflow: error:" line of stderr (asserts there is exactly one, alone)."""
    assert "\renflow: error" not in r.stderr, \
        "error printed after a \\r progress segment on the same line\n" + r.describe()
    lines = r.stderr.split("\n")
    hits = [ln for ln in lines if "enflow: error:" in ln]
    assert len(hits) == 1, f"want exactly one 'enflow: error:' line, got {len(hits)}\n" + r.describe()
    assert hits[0].startswith("enflow: error:"), \
        "the error is not on a line of its own\n" + r.describe()
    return hits[0]


def _expect_list(expect):
    if expect is None:
        return []
    if isinstance(expect, (str, re.Pattern)):
        return [expect]
    return list(expect)


def assert_error_message(r, expect):
    """Non-zero, no crash, one error line containing every expected string/regex."""
    assert r.rc != 0, "exit 0 on bad input\n" + r.describe()
    assert_not_crashed(r)
    line = error_line(r)
    for e in _expect_list(expect):
        if isinstance(e, re.Pattern):
            assert e.search(line), f"error line does not match {e.pattern!r}: {line}\n" + r.describe()
        else:
            assert str(e) in line, f"error line does not name {str(e)!r}: {line}\n" + r.describe()
    return line


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def snapshot(root):
    """{relative path: sha256} of every regular file under root (hidden ones too)."""
    root = Path(root)
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            p = Path(dirpath) / n
            if p.is_file() and not p.is_symlink():
                snap[str(p.relative_to(root))] = sha256(p)
    return snap


def tmp_leftovers(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        out += [os.path.join(dirpath, n) for n in filenames + dirnames if ".tmp." in n]
    return out


def plot_dirs():
    return set(glob.glob(os.path.join(str(_SESSION_TMPDIR), "enflow-plot-*")))


class Workspace:
    """A case's directory with a snapshot taken before the command runs."""

    def __init__(self, root):
        self.root = Path(root)
        self.before = None
        self.plots_before = None

    def freeze(self):
        self.before = snapshot(self.root)
        self.plots_before = plot_dirs()

    def assert_untouched(self, r=None, allow_new=()):
        after = snapshot(self.root)
        where = ("\n" + r.describe()) if r else ""
        changed = [k for k in self.before if k in after and after[k] != self.before[k]]
        removed = [k for k in self.before if k not in after]
        new = [k for k in after if k not in self.before
               and not any(re.fullmatch(p, k) for p in allow_new)]
        assert not changed, f"files changed: {changed}{where}"
        assert not removed, f"files removed: {removed}{where}"
        assert not new, f"new files: {new}{where}"
        left = tmp_leftovers(self.root)
        assert not left, f".tmp. files left: {left}{where}"
        assert_no_new_plot_dirs(self.plots_before, r)


def assert_no_new_plot_dirs(before, r=None):
    new = plot_dirs() - before
    if r is not None and r.pid:
        new |= set(glob.glob(f"/tmp/enflow-plot-{r.pid}-*"))
    where = ("\n" + r.describe()) if r else ""
    assert not new, f"gnuplot work folders left: {sorted(new)}{where}"


def assert_error_contract(r, expect, ws, allow_new=()):
    """The whole contract for a failing command: see the module docstring."""
    line = assert_error_message(r, expect)
    ws.assert_untouched(r, allow_new=allow_new)
    return line


# ------------------------------------------------------------------ validators

PNG_SIG = b"\x89PNG\r\n\x1a\n"
PNG_IEND = bytes.fromhex("0000000049454E44AE426082")


def png_ok(path):
    data = Path(path).read_bytes()
    return data.startswith(PNG_SIG) and data.endswith(PNG_IEND)


def h5_states_shape(path):
    import h5py
    with h5py.File(path, "r") as f:
        return tuple(f["states"].shape)


def csv_rows(path):
    """Rows of numbers of an enflow CSV ('#' comment lines, one header line); None if bad."""
    rows, header = [], None
    for ln in Path(path).read_text().splitlines():
        if ln.startswith("#"):
            continue
        if header is None:
            header = ln.split(",")
            continue
        vals = ln.split(",")
        if len(vals) != len(header):
            return None
        try:
            [float(v) for v in vals]
        except ValueError:
            return None
        rows.append(vals)
    return None if header is None else rows


# ------------------------------------------------------------------ fixtures

def pytest_configure(config):
    global _BIN
    _BIN = str(Path(config.getoption("--enflow-bin")).resolve())


@pytest.fixture(scope="session", autouse=True)
def session_tmpdir(tmp_path_factory):
    global _SESSION_TMPDIR
    _SESSION_TMPDIR = tmp_path_factory.mktemp("tmpdir")
    yield _SESSION_TMPDIR


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory, session_tmpdir):
    """4 series x 10 steps of mass-spring, made once."""
    d = tmp_path_factory.mktemp("data")
    path = d / "ms.h5"
    run(["generate", "mass-spring", "--series", 4, "--steps", 10, "--seed", 1, "-o", path],
        check=True)
    return path


def write_train_config(path, data, model, iterations=3, hidden=(8, 8), checkpoint_every=1000,
                       extra=""):
    Path(path).write_text(
        f'[data]\npath = "{data}"\n[model]\ntype = "dgnet"\nhidden = [{", ".join(map(str, hidden))}]\n'
        f"[train]\niterations = {iterations}\nbatch = 16\ncheckpoint_every = {checkpoint_every}\n"
        f'{extra}[output]\nmodel = "{model}"\n')
    return Path(path)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tiny_data):
    """A DGNet trained 3 iterations on tiny_data, with its checkpoint (model.pt.ckpt)."""
    d = tmp_path_factory.mktemp("model")
    cfg = write_train_config(d / "ms.toml", tiny_data, d / "model.pt", checkpoint_every=1)
    run(["train", "--config", cfg, "--json"], check=True)
    assert (d / "model.pt").is_file() and (d / "model.pt.ckpt").is_file()
    return d / "model.pt"


PF_CONFIG = REPO_ROOT / "configs" / "particles" / "potential_flow_two_moons.toml"


def pf_solve_args(model, out_dir):
    return ["solve", "--config", PF_CONFIG, "--set", "train.iterations=2", "--set", "flow.width=4",
            "--set", "data.test_size=50", "--set", "eval.steps=[2]", "--set", "eval.grid=11",
            "--set", "eval.reference_samples=100", "--set", "output.plot=false",
            "--set", f"output.model={model}", "--out", out_dir, "--json"]


@pytest.fixture(scope="session")
def pf_model(tmp_path_factory, session_tmpdir):
    """A potential-flow model (2 iterations, width 4) for `enflow sample`."""
    d = tmp_path_factory.mktemp("pf")
    run(pf_solve_args(d / "pf.pt", d / "out"), check=True, timeout=120)
    assert (d / "pf.pt").is_file()
    return d / "pf.pt"


EVNN_HEAT = REPO_ROOT / "configs" / "evnn" / "heat_2d.toml"
EVNN_TINY = ["--set", "network.width=4", "--set", "quadrature.n=6", "--set", "time.steps=2",
             "--set", "optimizer.max_iter=3", "--set", "optimizer.fit_iter=5",
             "--set", "output.error_every=1"]
