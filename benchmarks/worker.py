"""One framework's side of the benchmark; run.py starts one per framework and workload.

    python benchmarks/worker.py edunet|torch

A separate process per framework keeps imports, threads and allocator state apart. The
worker reads one JSON command per line on stdin and answers one JSON line on stdout:

    {"do": "setup", "workload": "A-train", "device": "cpu", "data": PATH, "warmup": 3}
        edunet builds the model (seed 0) and saves its weights and the data to PATH;
        torch loads them, so both start alike. Answers {"starting_loss": ...}.
    {"do": "round", "steps": 10}   runs the step 10 times: {"ms": milliseconds per step}
    {"do": "gemm", "gemms": [...], "repeats": 3}   the best time of each matrix product
        of the list (see workloads.cifar_cnn_gemms), summed: {"ms": ..., "gflop": ...}
    {"do": "info"}   versions, threads and the peak resident memory so far
"""

import importlib
import json
import os
import sys
import time
import traceback

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPOSITORY)  # benchmark this checkout's edunet, not an installed one

import numpy  # noqa: E402

import workloads  # noqa: E402


def peak_rss_mb():
    """The most resident memory this process has used, in MiB (None if unknown)."""
    try:
        import resource
    except ImportError:  # Windows: psutil knows the peak working set, if installed
        try:
            import psutil
            return psutil.Process().memory_info().peak_wset / 2**20
        except (ImportError, AttributeError):
            return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, else KiB


def openblas_core():
    """Which kernel OpenBLAS chose for this CPU (e.g. "SkylakeX"), or None if unknown."""
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in paths:
        library = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                     "openblas_get_corename64_", "openblas_get_corename"):
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return None


class Worker:
    """One framework's model and timed step; each method answers the command of its name."""

    def __init__(self, framework):
        self.framework = framework
        self.lib = importlib.import_module(framework)
        if framework == "torch":  # NumPy reads the same number from OMP_NUM_THREADS & co
            self.lib.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))
        self.step, self.device = None, "cpu"

    def synchronize(self):
        if self.device == "cuda":
            self.lib.cuda.synchronize()

    def setup(self, workload, device, data, warmup):
        lib, workload, self.device = self.lib, workloads.BY_NAME[workload], device
        if device == "cuda" and not lib.cuda.is_available():
            raise RuntimeError(f"--device cuda: {self.framework} sees no GPU here")
        lib.manual_seed(0)
        model = workload.build(lib.nn)
        if self.framework == "edunet":
            inputs, targets = workloads.make_data(workload)
            state = {name: value.numpy() for name, value in model.state_dict().items()}
            numpy.savez(data, __inputs__=inputs, __targets__=targets, **state)
        else:
            with numpy.load(data) as saved:
                state = {name: saved[name] for name in saved.files}
            inputs, targets = state.pop("__inputs__"), state.pop("__targets__")
            model.load_state_dict({name: lib.from_numpy(value) for name, value in state.items()})
        model.to(device)
        inputs, targets = lib.from_numpy(inputs).to(device), lib.from_numpy(targets).to(device)
        loss = workloads.starting_loss(lib, workload, model, inputs, targets)
        self.step = workloads.make_step(lib, workload, model, inputs, targets)
        for _ in range(warmup):
            self.step()
        self.synchronize()
        return {"starting_loss": loss}

    def round(self, steps):
        self.synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        self.synchronize()
        return {"ms": (time.perf_counter() - start) * 1000 / steps}

    def gemm(self, gemms, repeats):
        """NumPy's (or CuPy's) own speed on the matrix products a workload needs."""
        xp = numpy
        if self.device == "cuda":
            from edunet import backend
            xp = backend.array_module_for("cuda")
        total_ms = 0.0
        for rows, inner, columns, transposed in gemms:
            left = xp.ones((inner, rows) if transposed else (rows, inner), dtype=xp.float32)
            left = left.T if transposed else left
            right = xp.ones((inner, columns), dtype=xp.float32)
            best = float("inf")
            for _ in range(repeats):
                self.synchronize()
                start = time.perf_counter()
                left @ right
                self.synchronize()
                best = min(best, time.perf_counter() - start)
            total_ms += best * 1000
        flop = sum(2 * rows * inner * columns for rows, inner, columns, _ in gemms)
        return {"ms": total_ms, "gflop": flop / 1e9}

    def info(self):
        answer = {"version": self.lib.__version__, "numpy": numpy.__version__,
                  "peak_rss_mb": peak_rss_mb(), "threads": os.environ.get("OMP_NUM_THREADS")}
        if self.framework == "torch":
            answer["threads"] = self.lib.get_num_threads()
        else:
            try:
                answer["blas"] = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
            except (TypeError, KeyError):
                pass  # NumPy 1.x has no dict form
            answer["blas_core"] = openblas_core()
        return answer


def main():
    answers = sys.stdout
    sys.stdout = sys.stderr  # a stray print() must not break the protocol
    worker = Worker(sys.argv[1])
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = getattr(worker, command.pop("do"))(**command)
        except Exception:
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
