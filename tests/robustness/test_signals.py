"""Signals during training and during writes.

(a) kill -9 at seeded random moments of a training that checkpoints every iteration:
    `train --resume` must then finish, and leave no ".tmp." file (stale ".tmp.<pid>" files
    of dead processes are removed by the next run).
(b) kill -9 around the end of a short training that replaces an existing model: the
    model file is then either the old one or the new one, and it evaluates.
(c) SIGINT / SIGTERM during training: a clean non-zero exit (not death by the signal),
    a line "enflow: ... interrupted" on stderr, an intact checkpoint (--resume works),
    no ".tmp." file.
"""
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

import conftest as C

SEED = 20261203


def wait(p, timeout):
    out, err = C.communicate(p, timeout)
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def wait_for_file(path, p, timeout=30):
    t0 = time.monotonic()
    while not Path(path).exists():
        if p.poll() is not None:
            return False
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.02)
    return True


def kill9(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.communicate()


# ---------------------------------------------------------------- (a)

@pytest.mark.parametrize("trial", range(3))
def test_kill9_during_training_then_resume(trial, tmp_path, tiny_data):
    rng = random.Random(SEED + trial)
    out = tmp_path / "m.pt"
    # Checkpointing every iteration makes the run long (>= 3 ms an iteration) and puts most
    # of its time into checkpoint writes, where a kill hurts most.
    cfg = C.write_train_config(tmp_path / "c.toml", tiny_data, out, iterations=3000, checkpoint_every=1)
    p = C.start(["train", "--config", cfg])
    # Wait for the first checkpoint, then kill at a random later moment.
    wait_for_file(str(out) + ".ckpt", p)
    time.sleep(rng.uniform(0.0, 1.5))
    killed_pid = p.pid
    finished = p.poll() is not None
    kill9(p)
    real_tmp = C.tmp_leftovers(tmp_path)
    C.log_event(f"signals kill9-train trial={trial} finished={finished} tmp_left_by_kill={bool(real_tmp)}")
    assert not finished, "training finished before the kill; make it longer"
    # A stale temporary of a dead process, as a kill during a write leaves one.
    stale = tmp_path / f".m.pt.ckpt.tmp.{killed_pid}"
    if not stale.exists():
        stale.write_bytes(b"PK\x03\x04 half a checkpoint")
    # Continue with sparser checkpoints (not part of what the weights depend on), to keep it short.
    r = C.run(["train", "--config", cfg, "--resume", "--set", "train.checkpoint_every=100", "--json"],
              cwd=tmp_path, timeout=120)
    C.assert_not_crashed(r)
    assert r.rc == 0, "resume after kill -9 failed\n" + r.describe()
    assert out.is_file()
    left = C.tmp_leftovers(tmp_path)
    assert not left, f"stale .tmp. files not removed by the next run: {left}\n" + r.describe()
    ev = C.run(["evaluate", "--model", out, "--steps", 2, "--json"])
    assert ev.rc == 0, "the resumed model does not evaluate\n" + ev.describe()


# ---------------------------------------------------------------- (b)

@pytest.fixture(scope="module")
def short_train_seconds(tmp_path_factory, tiny_data):
    d = tmp_path_factory.mktemp("timing")
    cfg = C.write_train_config(d / "c.toml", tiny_data, d / "m.pt", iterations=30, checkpoint_every=1000)
    r = C.run(["train", "--config", cfg, "--json"], check=True)
    return r.seconds


@pytest.mark.parametrize("trial", range(5))
def test_kill9_during_model_write(trial, tmp_path, tiny_data, tiny_model, short_train_seconds):
    rng = random.Random(SEED + 100 + trial)
    out = tmp_path / "m.pt"
    shutil.copy(tiny_model, out)
    old = C.sha256(out)
    cfg = C.write_train_config(tmp_path / "c.toml", tiny_data, out, iterations=30, checkpoint_every=1000,
                               extra=f"[run]\nseed = {trial + 5}\n")
    delay = short_train_seconds * rng.uniform(0.75, 1.05)
    p = C.start(["train", "--config", cfg, "--json"])
    time.sleep(delay)
    finished = p.poll() is not None
    kill9(p)
    ev = C.run(["evaluate", "--model", out, "--steps", 2, "--json"])
    state = "old" if C.sha256(out) == old else "new"
    C.log_event(f"signals kill9-model-write trial={trial} delay={delay:.2f}s finished={finished} "
                f"model={state} evaluate_rc={ev.rc} tmp_left_by_kill={bool(C.tmp_leftovers(tmp_path))}")
    assert ev.rc == 0, (f"after kill -9 at {delay:.2f} s (finished: {finished}) the model file "
                        f"({state}) does not load\n" + ev.describe())
    C.assert_not_crashed(ev)
    # The next run removes what the dead one left.
    r = C.run(["train", "--config", cfg, "--json"], cwd=tmp_path)
    assert r.rc == 0, r.describe()
    left = C.tmp_leftovers(tmp_path)
    assert not left, f"stale .tmp. files not removed by the next run: {left}"


# ---------------------------------------------------------------- (c)

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_training(sig, tmp_path, tiny_data):
    out = tmp_path / "m.pt"
    cfg = C.write_train_config(tmp_path / "c.toml", tiny_data, out, iterations=1500, checkpoint_every=5)
    p = C.start(["train", "--config", cfg])  # not --json: the progress line is on
    assert wait_for_file(str(out) + ".ckpt", p), "training ended before its first checkpoint"
    time.sleep(0.3)
    assert p.poll() is None, "training finished before the signal; make it longer"
    os.kill(p.pid, sig)
    rc, so, se = wait(p, 30)
    desc = f"rc {rc}\nstderr:\n{se[-2000:]}"
    msg = [ln for ln in se.split("\n") if "interrupted" in ln]
    C.log_event(f"signals {sig.name} rc={rc} {msg[-1] if msg else ''}")
    assert rc >= 0, f"killed by {signal.Signals(-rc).name}: the handler must exit cleanly\n" + desc
    assert rc != 0, "exit 0 after an interrupt\n" + desc
    assert rc not in C.CRASH_CODES, desc
    for bad in C.FORBIDDEN:
        assert bad not in se, f"stderr contains {bad!r}\n" + desc
    lines = [ln for ln in se.split("\n") if ln.startswith("enflow:") and "interrupted" in ln]
    assert lines, "no line starting with 'enflow:' saying 'interrupted' (on a line of its own)\n" + desc
    left = C.tmp_leftovers(tmp_path)
    assert not left, f".tmp. files left after {sig.name}: {left}\n" + desc
    r = C.run(["train", "--config", cfg, "--resume", "--json"], cwd=tmp_path, timeout=120)
    assert r.rc == 0, f"--resume after {sig.name} failed\n" + r.describe()
    assert not C.tmp_leftovers(tmp_path)
