"""Bad input, one table: every case must end in the error contract (conftest.py).

A case record: id, argv(ctx) -> arguments, expect (strings or regexes that the one
"enflow: error:" line must contain, or a function of ctx giving them), optional setup(ctx)
run before the snapshot, optional max_seconds (the refusal must come before any work),
optional allow_new (regexes of files the case may create) and post(ctx, result, line)
for extra checks. ctx.work is the case's directory; ctx.data, ctx.model, ctx.ckpt and
ctx.config are copies inside it, so "nothing changed" covers them.
"""
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pytest

import conftest as C

REPO = C.REPO_ROOT


class Ctx:
    def __init__(self, work, tiny_data, tiny_model):
        self.work = work
        self.data = work / "ms.h5"
        shutil.copy(tiny_data, self.data)
        self.model = work / "model.pt"
        shutil.copy(tiny_model, self.model)
        self.ckpt = work / "model.pt.ckpt"
        shutil.copy(str(tiny_model) + ".ckpt", self.ckpt)
        self.out = work / "out.pt"
        self.config = C.write_train_config(work / "ms.toml", self.data, self.out)
        self.file = work / "file.txt"  # a plain file: "file.txt/x" is an unwritable path
        self.file.write_text("not a directory\n")

    def p(self, name):
        return self.work / name


@dataclass
class Case:
    id: str
    argv: Callable
    expect: object
    setup: Optional[Callable] = None
    max_seconds: Optional[float] = None
    allow_new: tuple = ()
    post: Optional[Callable] = None
    timeout: float = C.DEFAULT_TIMEOUT


def sets(*kv):
    out = []
    for s in kv:
        out += ["--set", s]
    return out


def train(*kv, extra=()):
    return lambda c: ["train", "--config", c.config, *sets(*kv), *extra]


def write(name, content):
    """setup: writes a file (bytes or text) into the case directory."""
    def f(c):
        p = c.p(name)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    return f


def truncate_copy(src_attr, name, fraction=0.5):
    def f(c):
        data = Path(getattr(c, src_attr)).read_bytes()
        c.p(name).write_bytes(data[: int(len(data) * fraction)])
    return f


def npy_bytes(arr, **kw):
    import io
    b = io.BytesIO()
    np.save(b, arr, **kw)
    return b.getvalue()


def h5(name, build):
    def f(c):
        import h5py
        with h5py.File(c.p(name), "w") as h:
            build(h)
    return f


def h5_copy_with_nan(c):
    import h5py
    shutil.copy(c.data, c.p("nan.h5"))
    with h5py.File(c.p("nan.h5"), "r+") as h:
        s = h["states"][...]
        s[0, 3, 0] = np.nan
        h["states"][...] = s


def imp(name, columns="q,p", extra=()):
    return lambda c: ["import", c.p(name), "--columns", columns, "--dt", "0.1",
                      "-o", c.p("imported.h5"), *extra]


ROWS = "".join(f"{0.1 * k:.1f} {1.0 - 0.1 * k:.1f}\n" for k in range(10))
ROWS_CSV = "".join(f"{0.1 * k:.1f},{1.0 - 0.1 * k:.1f}\n" for k in range(10))


def replace_line(text, lineno, new):
    lines = text.splitlines(keepends=True)
    lines[lineno - 1] = new
    return "".join(lines)


MEM = re.compile(r"\d\s*([KMGTPE]i?B|bytes)\b")


def resume_setup(c):
    # A finished run with a checkpoint in the case directory: out.pt and out.pt.ckpt.
    C.run(["train", "--config", c.config, "--set", "train.checkpoint_every=1",
           "--set", "train.iterations=2", "--json"], check=True)


def nan_post(expect_ckpt):
    def post(c, r, line):
        ck = c.p("out.pt.ckpt")
        if ck.exists():
            assert str(ck) in line, f"a checkpoint exists ({ck}) but the message does not name it: {line}"
        else:
            assert not expect_ckpt, f"expected a checkpoint to be kept at {ck}\n" + r.describe()
            assert str(ck) not in line or re.search(r"\bno\b|\bnot\b|\bnone\b", line), \
                f"the message names a checkpoint that does not exist: {line}"
            assert re.search(r"\bno\b[^;]*checkpoint|checkpoint[^;]*\b(none|not)\b", line, re.I), \
                f"no checkpoint exists; the message must say so: {line}"
    return post


# Settings that make the tiny DGNet diverge within a few iterations.
DIVERGE = ("train.lr=1e300", "train.iterations=50")

CASES = [
    # ---------------------------------------------------------------- configs
    Case("config-missing", lambda c: ["train", "--config", c.p("nope.toml")], lambda c: [str(c.p("nope.toml"))]),
    Case("config-malformed", lambda c: ["train", "--config", c.p("bad.toml")], lambda c: [str(c.p("bad.toml"))],
         setup=write("bad.toml", "[data\npath = 1\n")),
    Case("config-unknown-key", train("train.lerning_rate=1"), ["train.lerning_rate"]),
    Case("config-wrong-type-lr", train("train.lr=abc"), ["train.lr"]),
    Case("config-lr-negative", train("train.lr=-1"), ["train.lr"]),
    Case("config-iterations-negative", train("train.iterations=-1"), ["train.iterations"]),
    Case("config-iterations-zero", train("train.iterations=0"), ["train.iterations"]),
    Case("config-periodic-conv-channels-0", train("model.network=periodic_conv", "model.channels=0"),
         ["model.channels"]),
    Case("config-hidden-zero", train("model.hidden=[0]"), ["model.hidden"]),
    Case("config-hidden-empty-string", train("model.hidden=abc"), ["model.hidden"]),
    Case("config-kernel-zero", train("model.network=periodic_conv", "model.channels=4", "model.kernel=0"),
         ["model.kernel"]),
    Case("config-output-model-empty", train("output.model="), ["output.model"]),
    Case("config-output-model-empty-quoted", train('output.model=""'), ["output.model"]),
    Case("config-lbfgs-iterations-negative", train("train.lbfgs_iterations=-1"), ["train.lbfgs_iterations"]),
    Case("config-lbfgs-history-zero", train("train.lbfgs_iterations=2", "train.lbfgs_history=0"),
         ["train.lbfgs_history"]),
    Case("config-lbfgs-lr-negative", train("train.lbfgs_iterations=2", "train.lbfgs_lr=-1"),
         ["train.lbfgs_lr"]),
    Case("config-batch-negative", train("train.batch=-5"), ["train.batch"]),
    Case("config-data-missing", train("data.path=nope.h5"), ["nope.h5"]),
    # ---------------------------------------------------------------- --set syntax
    Case("set-no-equals", train("foo"), ["foo"]),
    Case("set-empty-key", train("=1"), ["=1"]),
    Case("set-empty-key-part", train("train..lr=1"), ["train..lr"]),
    Case("set-into-non-table", train("train.lr.x=1"), ["train.lr.x"]),
    # ---------------------------------------------------------------- --threads
    Case("threads-1000-info", lambda c: ["info", "--threads", 1000], ["--threads"], max_seconds=10),
    Case("threads-100000-info", lambda c: ["info", "--threads", 100000], ["--threads"], max_seconds=10),
    Case("threads-1000-train", train(extra=("--threads", "1000")), ["--threads"], max_seconds=10),
    Case("threads-100000-train", train(extra=("--threads", "100000")), ["--threads"], max_seconds=10),
    Case("threads-negative-info", lambda c: ["info", "--threads", -1], ["--threads"], max_seconds=10),
    # ---------------------------------------------------------------- text / CSV import
    Case("import-typo-first-row", imp("first.txt"), lambda c: [str(c.p("first.txt")), "line 1"],
         setup=write("first.txt", replace_line(ROWS, 1, "1.0O 1.0\n"))),
    Case("import-typo-first-row-after-header", imp("hfirst.txt"), lambda c: [str(c.p("hfirst.txt")), "line 2"],
         setup=write("hfirst.txt", "q p\n" + replace_line(ROWS, 1, "1.0O 1.0\n"))),
    Case("import-typo-later-row", imp("later.txt"), lambda c: [str(c.p("later.txt")), "line 6"],
         setup=write("later.txt", replace_line(ROWS, 6, "0.5 O.5\n"))),
    Case("import-ragged-row", imp("ragged.txt"), lambda c: [str(c.p("ragged.txt")), "line 4"],
         setup=write("ragged.txt", replace_line(ROWS, 4, "0.3 0.7 0.1\n"))),
    Case("import-empty-file", imp("empty.txt"), lambda c: [str(c.p("empty.txt"))],
         setup=write("empty.txt", "")),
    Case("import-binary-junk", imp("junk.txt"), lambda c: [str(c.p("junk.txt"))],
         setup=write("junk.txt", bytes(range(256)) * 8)),
    Case("import-missing-file", imp("nope.txt"), lambda c: [str(c.p("nope.txt"))]),
    Case("import-csv-typo-first-row", imp("first.csv"), lambda c: [str(c.p("first.csv")), "line 1"],
         setup=write("first.csv", replace_line(ROWS_CSV, 1, "1.0O,1.0\n"))),
    Case("import-csv-typo", imp("typo.csv"), lambda c: [str(c.p("typo.csv")), "line 4"],
         setup=write("typo.csv", "q,p\n" + replace_line(ROWS_CSV, 3, "0.2,abc\n"))),
    Case("import-csv-empty-field", imp("hole.csv"), lambda c: [str(c.p("hole.csv")), "line 5"],
         setup=write("hole.csv", replace_line(ROWS_CSV, 5, "0.4,\n"))),
    Case("import-columns-mismatch", imp("cols.txt", columns="q,p,r"), lambda c: [str(c.p("cols.txt"))],
         setup=write("cols.txt", ROWS)),
    # ---------------------------------------------------------------- .npy
    Case("npy-truncated", imp("trunc.npy", columns=""), lambda c: [str(c.p("trunc.npy"))],
         setup=write("trunc.npy", npy_bytes(np.ones((3, 10, 2)))[:200])),
    Case("npy-header-only", imp("hdr.npy", columns=""), lambda c: [str(c.p("hdr.npy"))],
         setup=write("hdr.npy", npy_bytes(np.ones((3, 10, 2)))[:60])),
    Case("npy-wrong-magic", imp("magic.npy", columns=""), lambda c: [str(c.p("magic.npy"))],
         setup=write("magic.npy", b"\x93NUMPX" + npy_bytes(np.ones((3, 10, 2)))[6:])),
    Case("npy-object-dtype", imp("obj.npy", columns=""), lambda c: [str(c.p("obj.npy"))],
         setup=write("obj.npy", npy_bytes(np.array([{"a": 1}, [1, 2]], dtype=object), allow_pickle=True))),
    Case("npy-1d", imp("flat.npy", columns=""), lambda c: [str(c.p("flat.npy"))],
         setup=write("flat.npy", npy_bytes(np.arange(10.0)))),
    Case("npy-big-endian", imp("be.npy", columns=""), lambda c: [str(c.p("be.npy"))],
         setup=write("be.npy", npy_bytes(np.ones((10, 2), dtype=">f8")))),
    Case("npy-nan", imp("nan.npy", columns=""), lambda c: [str(c.p("nan.npy"))],
         setup=write("nan.npy", npy_bytes(np.array([[0.0, 1.0], [np.nan, 1.0], [0.2, 0.9]])))),
    # ---------------------------------------------------------------- HDF5 datasets
    Case("h5-missing-inspect", lambda c: ["inspect", c.p("nope.h5")], lambda c: [str(c.p("nope.h5"))]),
    Case("h5-truncated-inspect", lambda c: ["inspect", c.p("trunc.h5")], lambda c: [str(c.p("trunc.h5"))],
         setup=truncate_copy("data", "trunc.h5")),
    Case("h5-truncated-train", lambda c: ["train", "--config", c.config, "--set", f"data.path={c.p('trunc.h5')}"],
         lambda c: [str(c.p("trunc.h5"))], setup=truncate_copy("data", "trunc.h5")),
    Case("h5-directory-inspect", lambda c: ["inspect", c.p("adir.h5")], lambda c: [str(c.p("adir.h5"))],
         setup=lambda c: c.p("adir.h5").mkdir()),
    Case("h5-empty-inspect", lambda c: ["inspect", c.p("empty.h5")], lambda c: [str(c.p("empty.h5"))],
         setup=write("empty.h5", b"")),
    Case("h5-not-hdf5-inspect", lambda c: ["inspect", c.p("text.h5")], lambda c: [str(c.p("text.h5"))],
         setup=write("text.h5", "this is not HDF5\n" * 100)),
    Case("h5-no-states-inspect", lambda c: ["inspect", c.p("nostates.h5")], lambda c: [str(c.p("nostates.h5")), "states"],
         setup=h5("nostates.h5", lambda h: h.create_dataset("t", data=np.arange(11.0)))),
    Case("h5-no-states-train", lambda c: ["train", "--config", c.config, "--set", f"data.path={c.p('nostates.h5')}"],
         lambda c: [str(c.p("nostates.h5")), "states"],
         setup=h5("nostates.h5", lambda h: h.create_dataset("t", data=np.arange(11.0)))),
    Case("h5-states-2d-inspect", lambda c: ["inspect", c.p("flat.h5")], lambda c: [str(c.p("flat.h5")), "states"],
         setup=h5("flat.h5", lambda h: (h.create_dataset("states", data=np.ones((11, 2))),
                                        h.create_dataset("t", data=np.arange(11.0))))),
    Case("h5-states-2d-train", lambda c: ["train", "--config", c.config, "--set", f"data.path={c.p('flat.h5')}"],
         lambda c: [str(c.p("flat.h5")), "states"],
         setup=h5("flat.h5", lambda h: (h.create_dataset("states", data=np.ones((11, 2))),
                                        h.create_dataset("t", data=np.arange(11.0))))),
    Case("h5-nan-states-train", lambda c: ["train", "--config", c.config, "--set", f"data.path={c.p('nan.h5')}"],
         lambda c: [str(c.p("nan.h5"))], setup=h5_copy_with_nan),
    # ---------------------------------------------------------------- model / checkpoint files
    Case("model-missing", lambda c: ["evaluate", "--model", c.p("nope.pt")], lambda c: [str(c.p("nope.pt"))]),
    Case("model-truncated", lambda c: ["evaluate", "--model", c.p("trunc.pt")], lambda c: [str(c.p("trunc.pt"))],
         setup=truncate_copy("model", "trunc.pt")),
    Case("model-random-bytes", lambda c: ["evaluate", "--model", c.p("rand.pt")], lambda c: [str(c.p("rand.pt"))],
         setup=write("rand.pt", np.random.default_rng(7).bytes(4096))),
    Case("model-is-hdf5", lambda c: ["evaluate", "--model", c.data], lambda c: [str(c.data)]),
    Case("model-empty", lambda c: ["evaluate", "--model", c.p("empty.pt")], lambda c: [str(c.p("empty.pt"))],
         setup=write("empty.pt", b"")),
    Case("model-zip-no-central-directory", lambda c: ["evaluate", "--model", c.p("zip.pt")],
         lambda c: [str(c.p("zip.pt"))], setup=write("zip.pt", b"PK\x03\x04" + b"\x00" * 26 + b"x" * 2000)),
    Case("model-directory", lambda c: ["evaluate", "--model", c.p("adir.pt")], lambda c: [str(c.p("adir.pt"))],
         setup=lambda c: c.p("adir.pt").mkdir()),
    Case("model-checkpoint-as-model", lambda c: ["evaluate", "--model", c.ckpt], lambda c: [str(c.ckpt)]),
    Case("model-truncated-predict", lambda c: ["predict", "--model", c.p("trunc.pt"), "-o", c.p("pred.h5")],
         lambda c: [str(c.p("trunc.pt"))], setup=truncate_copy("model", "trunc.pt")),
    Case("model-truncated-sample", lambda c: ["sample", "--model", c.p("trunc.pt"), "-o", c.p("s.csv")],
         lambda c: [str(c.p("trunc.pt"))], setup=truncate_copy("model", "trunc.pt")),
    Case("resume-corrupt-ckpt", train(extra=("--resume",)), lambda c: [str(c.p("out.pt.ckpt"))],
         setup=write("out.pt.ckpt", np.random.default_rng(3).bytes(3000))),
    Case("resume-truncated-ckpt", train(extra=("--resume",)), lambda c: [str(c.p("out.pt.ckpt"))],
         setup=lambda c: c.p("out.pt.ckpt").write_bytes(c.ckpt.read_bytes()[: c.ckpt.stat().st_size // 2])),
    Case("resume-model-as-ckpt", train(extra=("--resume",)), lambda c: [str(c.p("out.pt.ckpt"))],
         setup=lambda c: shutil.copy(c.model, c.p("out.pt.ckpt"))),
    Case("resume-changed-hidden", train("model.hidden=[16, 16]", "train.iterations=4", extra=("--resume",)),
         ["model.hidden"], setup=resume_setup),
    Case("resume-changed-type", train("model.type=hnn", "train.iterations=4", extra=("--resume",)),
         ["model.type"], setup=resume_setup),
    # ---------------------------------------------------------------- options out of range
    Case("generate-steps-0", lambda c: ["generate", "mass-spring", "--steps", 0, "-o", c.p("g.h5")], ["--steps"]),
    Case("generate-series-negative", lambda c: ["generate", "mass-spring", "--series", -1, "--steps", 10, "-o", c.p("g.h5")],
         ["--series"], max_seconds=10),
    Case("generate-dt-negative", lambda c: ["generate", "mass-spring", "--series", 2, "--steps", 10, "--dt", -1, "-o", c.p("g.h5")],
         ["--dt"], max_seconds=10),
    Case("generate-noise-negative", lambda c: ["generate", "mass-spring", "--series", 2, "--steps", 10, "--noise", -1, "-o", c.p("g.h5")],
         ["--noise"], max_seconds=10),
    Case("generate-unknown-system", lambda c: ["generate", "nosuchsystem", "-o", c.p("g.h5")], ["nosuchsystem"]),
    Case("demo-steps-negative", lambda c: ["demo", "--steps", -1], ["--steps"]),
    Case("sample-n-zero", lambda c: ["sample", "--model", c.pf, "-n", 0, "-o", c.p("s.csv")], ["-n"]),
    # ---------------------------------------------------------------- unwritable outputs: refused before work
    Case("generate-out-nonexistent-dir",
         lambda c: ["generate", "kdv", "--series", 100, "--steps", 1000, "-o", "/nonexistent/dir/x.h5"],
         ["/nonexistent/dir"], max_seconds=5),
    Case("generate-out-under-file",
         lambda c: ["generate", "kdv", "--series", 100, "--steps", 1000, "-o", c.p("file.txt/x.h5")],
         lambda c: [str(c.p("file.txt"))], max_seconds=5),
    Case("demo-plot-nonexistent-dir",
         lambda c: ["demo", "--steps", 6000, "--plot", "/nonexistent/dir/x.png"], ["/nonexistent/dir"], max_seconds=5),
    Case("demo-plot-under-file",
         lambda c: ["demo", "--steps", 6000, "--plot", c.p("file.txt/x.png")], lambda c: [str(c.p("file.txt"))],
         max_seconds=5),
    Case("sample-out-nonexistent-dir",
         lambda c: ["sample", "--model", c.pf, "-n", 600000, "-o", "/nonexistent/dir/x.csv"],
         ["/nonexistent/dir"], max_seconds=5),
    Case("sample-out-under-file",
         lambda c: ["sample", "--model", c.pf, "-n", 600000, "-o", c.p("file.txt/x.csv")],
         lambda c: [str(c.p("file.txt"))], max_seconds=5),
    Case("sample-plot-under-file",
         lambda c: ["sample", "--model", c.pf, "-n", 600000, "-o", c.p("x.csv"), "--plot", c.p("file.txt/x.png")],
         lambda c: [str(c.p("file.txt"))], max_seconds=5),
    Case("train-model-under-file",
         lambda c: ["train", "--config", c.config, "--set", f"output.model={c.p('file.txt/m.pt')}",
                    "--set", "train.iterations=20000"],
         lambda c: [str(c.p("file.txt"))], max_seconds=5),
    Case("import-out-under-file", lambda c: ["import", c.p("rows.txt"), "--columns", "q,p", "--dt", "0.1",
                                             "-o", c.p("file.txt/x.h5")],
         lambda c: [str(c.p("file.txt"))], setup=write("rows.txt", ROWS)),
    Case("predict-out-under-file",
         lambda c: ["predict", "--model", c.model, "-o", c.p("file.txt/p.h5")], lambda c: [str(c.p("file.txt"))],
         max_seconds=5),
    Case("solve-out-under-file",
         lambda c: ["solve", "--config", C.EVNN_HEAT, *C.EVNN_TINY, "--set", "time.steps=200", "--out", c.p("file.txt/o")],
         lambda c: [str(c.p("file.txt"))], max_seconds=5),
    # ---------------------------------------------------------------- resources
    Case("solve-evnn-quadrature-huge",
         lambda c: ["solve", "--config", C.EVNN_HEAT, "--set", "quadrature.n=100000000", "--out", c.p("o")],
         ["quadrature.n", MEM], max_seconds=10, timeout=30),
    Case("solve-evnn-halton-huge",
         lambda c: ["solve", "--config", C.EVNN_HEAT, "--set", "quadrature.kind=halton",
                    "--set", "quadrature.n=1000000000", "--out", c.p("o")],
         ["quadrature.n", MEM], max_seconds=10, timeout=30),
    # Sizes no machine can hold: refused up front naming the option, not LibTorch's
    # "DefaultCPUAllocator: can't allocate memory" and not after minutes of work.
    Case("demo-width-huge", lambda c: ["demo", "--width", 100000000, "--steps", 2], ["--width"],
         max_seconds=10, timeout=30),
    Case("demo-dim-huge", lambda c: ["demo", "--dim", 2000000000, "--steps", 2], ["--dim"],
         max_seconds=10, timeout=30),
    Case("generate-points-huge",
         lambda c: ["generate", "kdv", "--series", 2, "--steps", 3, "--param", "points=1000000000", "-o", c.p("g.h5")],
         ["points"], max_seconds=10, timeout=30),
    Case("generate-series-huge",
         lambda c: ["generate", "mass-spring", "--series", 1000000000, "--steps", 1000, "-o", c.p("g.h5")],
         ["--series"], max_seconds=10, timeout=20),
    Case("sample-n-huge", lambda c: ["sample", "--model", c.pf, "-n", 10000000000, "-o", c.p("s.csv")],
         ["-n"], max_seconds=10, timeout=20),
    # ---------------------------------------------------------------- divergence
    # lr = 1e300 makes the tiny DGNet's loss inf at iteration 2 (before any state with a
    # finite loss could be checkpointed); the message must match what is on disk.
    Case("nan-training-no-checkpoint", train(*DIVERGE, "train.checkpoint_every=1"), ["checkpoint"],
         post=nan_post(expect_ckpt=False)),
    Case("nan-training-resumed-checkpoint", train(*DIVERGE, extra=("--resume",)),
         lambda c: ["checkpoint", str(c.p("out.pt.ckpt"))], setup=resume_setup, post=nan_post(expect_ckpt=True)),
    Case("nan-training-stale-checkpoint", train(*DIVERGE), lambda c: ["checkpoint", str(c.p("out.pt.ckpt"))],
         setup=resume_setup, post=nan_post(expect_ckpt=True)),
]




@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, tiny_data, tiny_model, request):
    ctx = Ctx(tmp_path, tiny_data, tiny_model)
    if case.id.startswith("sample-"):  # a potential-flow model
        ctx.pf = tmp_path / "pf.pt"
        shutil.copy(request.getfixturevalue("pf_model"), ctx.pf)
    if case.setup:
        case.setup(ctx)
    ws = C.Workspace(tmp_path)
    ws.freeze()
    r = C.run(case.argv(ctx), cwd=tmp_path, timeout=case.timeout)
    errs = [ln for ln in r.stderr.split("\n") if "error" in ln]
    C.log_event(f"bad_input {case.id} rc={r.rc} {r.seconds:.1f}s {errs[-1] if errs else r.stderr.strip()[-200:]}")
    expect = case.expect(ctx) if callable(case.expect) else case.expect
    line = C.assert_error_contract(r, expect, ws, allow_new=case.allow_new)
    if case.max_seconds is not None:
        assert r.seconds < case.max_seconds, \
            f"refused only after {r.seconds:.1f} s (limit {case.max_seconds} s): the check must come before the work\n" + r.describe()
    if case.post:
        case.post(ctx, r, line)


# ---------------------------------------------------------------- positive import cases

def _imported_steps(path):
    return C.h5_states_shape(path)


@pytest.mark.parametrize("name,content,steps", [
    ("bom.txt", "\ufeff" + ROWS, 10),
    ("bom-header.txt", "\ufeffq p\n" + ROWS, 10),
    ("bom.csv", "\ufeff" + ROWS_CSV, 10),
    ("crlf.csv", "q,p\r\n" + ROWS_CSV.replace("\n", "\r\n"), 10),
    ("plain.txt", ROWS, 10),
    ("header.txt", "q p\n" + ROWS, 10),
])
def test_import_keeps_every_row(name, content, steps, tmp_path):
    src = tmp_path / name
    src.write_bytes(content.encode("utf-8"))
    out = tmp_path / "imported.h5"
    r = C.run(["import", src, "--columns", "q,p", "--dt", "0.1", "-o", out, "--json"], cwd=tmp_path)
    assert r.rc == 0, r.describe()
    C.assert_not_crashed(r)
    shape = _imported_steps(out)
    assert shape == (1, steps, 2), f"imported {shape}, want (1, {steps}, 2): rows dropped\n" + r.describe()
    assert not C.tmp_leftovers(tmp_path)
