"""Measure what each course notebook needs: wall time and peak memory, run top to bottom.

    python classroom/measure_notebooks.py            # all course notebooks
    python classroom/measure_notebooks.py notebooks/07_training_a_cnn.ipynb

Each notebook runs in a fresh ``jupyter nbconvert --execute`` (its own kernel); the
peak resident memory is the largest of that run's processes, the kernel's in
practice. The hub's memory and CPU limits in classroom/hub/ come from these numbers.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(notebook, output_folder):
    """``(seconds, peak MiB)`` of one run of ``notebook`` in a fresh child process."""
    wrapper = ("import resource, subprocess, sys; "
               "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    command = [sys.executable, "-c", wrapper, sys.executable, "-m", "jupyter", "nbconvert",
               "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
               "--output-dir", str(output_folder), str(notebook)]
    start = time.perf_counter()
    peak_kib = int(subprocess.run(command, check=True, capture_output=True, text=True,
                                  env=dict(os.environ, EDUNET_PROGRESS="off")).stdout)
    return time.perf_counter() - start, peak_kib / 1024


def main(paths):
    notebooks = [Path(path) for path in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"{'notebook':<45} {'seconds':>8} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for notebook in notebooks:
            seconds, peak = measure(notebook, folder)
            print(f"{notebook.name:<45} {seconds:8.1f} {peak:9.0f}", flush=True)
    print(f"(on {os.cpu_count()} cores; this process itself: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
