"""Fault injection: every writer of enflow on a full disk.

A small tmpfs (8 MiB) is mounted per test (root only; skipped with the reason where mount
fails). An old, valid output is copied into it first, then a filler file takes every free
page and N pages (4 KiB) are given back, N swept over PAGES; then the command writes to
the same target. Contract:
  - never a signal, never a hang;
  - exit 0: every output the command reports is complete and valid (HDF5 opens, PNG has
    its signature and IEND chunk, CSV parses with the right row count, a model evaluates,
    a checkpoint resumes, JSON/TOML parse);
  - exit != 0: one "enflow: error:" line naming a path in the full directory, the primary
    target byte-identical to the old file, every other file either byte-identical or a
    complete valid new one, and no ".tmp." file left.
"""
import errno
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import conftest as C

PAGES = [0, 1, 2, 4, 8, 16, 32, 64, 128]
PAGE = 4096
FILLER = "zz-filler.bin"


# ---------------------------------------------------------------- tmpfs

@pytest.fixture
def tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs at {mnt}: {r.stderr.strip() or r.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True, timeout=30)
        if os.path.ismount(str(mnt)):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def fill(mnt, free_pages):
    """Fills the file system, then gives back free_pages pages."""
    path = mnt / FILLER
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for chunk in (b"\0" * (1 << 20), b"\0" * 65536, b"\0" * PAGE, b"\0"):
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    size = path.stat().st_size
    os.truncate(path, max(0, size - free_pages * PAGE))
    st = os.statvfs(mnt)
    return st.f_bavail * st.f_frsize


# ---------------------------------------------------------------- validators

def valid_model(path, tmp):
    r = C.run(["evaluate", "--model", path, "--steps", 2, "--json"])
    return r.rc == 0, r


def valid_checkpoint(path, tmp, data, iterations):
    """A checkpoint is valid when a --resume run loads it and finishes."""
    d = tmp / "ckcheck"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    shutil.copy(path, d / "m.pt.ckpt")
    cfg = C.write_train_config(d / "c.toml", data, d / "m.pt", iterations=iterations)
    r = C.run(["train", "--config", cfg, "--resume", "--json"])
    return r.rc == 0 and (d / "m.pt").is_file(), r


def valid_by_type(path):
    """Structural validity of a file by its extension."""
    p = Path(path)
    ext = p.suffix
    try:
        if ext == ".png":
            return C.png_ok(p)
        if ext == ".h5":
            C.h5_states_shape(p)
            return True
        if ext == ".csv":
            rows = C.csv_rows(p)
            return rows is not None and len(rows) > 0
        if ext == ".json":
            json.loads(p.read_text())
            return True
        if ext == ".toml":
            tomllib.loads(p.read_text())
            return p.stat().st_size > 0
    except Exception:
        return False
    return p.stat().st_size > 0


# ---------------------------------------------------------------- writers

class Writer:
    """cmd(dir, seed, ctx) -> argv writing into dir; primary: the file that must stay
    byte-identical on failure; outputs: files a successful run writes (relative to dir;
    None: whatever the preparing run wrote)."""

    def __init__(self, name, cmd, primary, check=None, outputs=None, timeout=C.DEFAULT_TIMEOUT):
        self.name, self.cmd, self.primary, self.check = name, cmd, primary, check
        self.outputs, self.timeout = outputs, timeout


def train_cmd(checkpoint_every, iterations):
    def cmd(d, seed, ctx):
        cfg = C.write_train_config(ctx["tmp"] / f"train-{seed}.toml", ctx["data"], d / "m.pt",
                                   iterations=iterations, checkpoint_every=checkpoint_every,
                                   extra=f"[run]\nseed = {seed}\n")
        return ["train", "--config", cfg, "--json"]
    return cmd


def check_hdf5(p, ctx):
    return C.h5_states_shape(p) == (4, 11, 2), None


def check_csv(p, ctx):
    rows = C.csv_rows(p)
    return rows is not None and len(rows) == 3000, None


def check_png(p, ctx):
    return C.png_ok(p), None


def check_model_or_ckpt(iterations):
    def check(p, ctx):
        if p.name.endswith(".ckpt"):
            return valid_checkpoint(p, ctx["tmp"], ctx["data"], iterations)
        if p.suffix == ".pt":
            return valid_model(p, ctx["tmp"])
        return valid_by_type(p), None
    return check


WRITERS = [
    Writer("hdf5-generate",
           lambda d, s, ctx: ["generate", "mass-spring", "--series", 4, "--steps", 10, "--seed", s,
                              "-o", d / "x.h5", "--json"],
           "x.h5", check_hdf5, ["x.h5"]),
    Writer("model-train", train_cmd(checkpoint_every=1000, iterations=3), "m.pt",
           check_model_or_ckpt(3), ["m.pt", "m.pt.ckpt"]),
    Writer("checkpoint-train", train_cmd(checkpoint_every=1, iterations=5), "m.pt",
           check_model_or_ckpt(5), ["m.pt", "m.pt.ckpt"]),
    Writer("csv-sample",
           lambda d, s, ctx: ["sample", "--model", ctx["pf"], "-n", 3000, "--steps", 2, "--seed", s,
                              "-o", d / "s.csv", "--json"],
           "s.csv", check_csv, ["s.csv"]),
    Writer("png-demo",
           lambda d, s, ctx: ["demo", "--steps", 20, "--width", 8, "--seed", s, "--plot", d / "x.png",
                              "--json"],
           "x.png", check_png, ["x.png"]),
    Writer("predict-h5-png",
           lambda d, s, ctx: ["predict", "--model", ctx["model"], "-o", d / "pred.h5", "--steps", 5 + s,
                              "--json"],
           None, None, None),
    Writer("evnn-solve",
           lambda d, s, ctx: ["solve", "--config", C.EVNN_HEAT, *C.EVNN_TINY, "--set", f"run.seed={s}",
                              "--out", d / "evnn", "--json"],
           None, None, None),
    Writer("report-deep-ritz",
           lambda d, s, ctx: ["solve", "--config", C.REPO_ROOT / "configs/variational/deep_ritz_10d.toml",
                              "--set", "train.iterations=3", "--set", "train.eval_points=100",
                              "--set", "output.plot=false", "--set", f"run.seed={s}",
                              "--out", d / "var", "--json"],
           None, None, None),
]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, tiny_data, tiny_model, request):
    tmp = tmp_path_factory.mktemp("diskfull")
    return {"tmp": tmp, "data": tiny_data, "model": tiny_model,
            "pf": lambda: request.getfixturevalue("pf_model")}


_OLD = {}


def old_outputs(w, ctx):
    """The writer's outputs made once in a normal directory: the old valid targets."""
    if w.name not in _OLD:
        d = ctx["tmp"] / f"old-{w.name}"
        d.mkdir()
        r = C.run(w.cmd(d, 1, ctx), timeout=120)
        assert r.rc == 0, "preparing the old target failed\n" + r.describe()
        files = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
        assert files, f"{w.name}: the preparing run wrote nothing in {d}"
        _OLD[w.name] = (d, files)
    return _OLD[w.name]


def file_ok(w, p, ctx):
    if w.check is not None:
        ok, r = w.check(p, ctx)
        return ok, r
    return valid_by_type(p), None


@pytest.mark.parametrize("pages", PAGES)
@pytest.mark.parametrize("w", WRITERS, ids=[w.name for w in WRITERS])
def test_write_on_full_disk(w, pages, tmpfs, ctx, tmp_path):
    if w.name == "csv-sample":
        ctx = dict(ctx, pf=ctx["pf"]())
    old_dir, files = old_outputs(w, ctx)
    for f in files:
        (tmpfs / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(old_dir / f, tmpfs / f)
    old = C.snapshot(tmpfs)
    plots_before = C.plot_dirs()
    free = fill(tmpfs, pages)

    r = C.run(w.cmd(tmpfs, 2, ctx), timeout=w.timeout)
    errs = [ln for ln in r.stderr.split("\n") if "error" in ln]
    C.log_event(f"disk_full {w.name} pages={pages} free={free} rc={r.rc} {errs[-1] if errs else ''}")
    C.assert_not_crashed(r)
    C.assert_no_new_plot_dirs(plots_before, r)
    left = C.tmp_leftovers(tmpfs)
    assert not left, f".tmp. files left on the full disk ({free} bytes free): {left}\n" + r.describe()

    (tmpfs / FILLER).unlink()  # room for the validators (they read only, but be safe)
    now = C.snapshot(tmpfs)
    if r.rc == 0:
        outputs = w.outputs if w.outputs is not None else files
        for f in outputs:
            assert f in now, f"exit 0 but {f} is missing ({free} bytes free)\n" + r.describe()
    else:
        C.error_line(r)
        C.assert_error_message(r, [str(tmpfs)])
        if w.primary is not None:
            assert now.get(w.primary) == old[w.primary], \
                f"failed write changed the old {w.primary} ({free} bytes free)\n" + r.describe()
    bad = []
    for f, h in sorted(now.items()):
        if old.get(f) == h:
            continue  # the old file, untouched
        ok, vr = file_ok(w, tmpfs / f, ctx)
        if not ok:
            bad.append(f + ("" if vr is None else f" (check: rc {vr.rc}: {vr.stderr.strip()[-300:]})"))
    assert not bad, (f"incomplete or invalid files after a {'successful' if r.rc == 0 else 'failed'} "
                     f"write with {free} bytes free: {bad}\n" + r.describe())
