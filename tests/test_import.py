"""``import edunet`` is light: NumPy and nothing heavy, in well under 150 ms."""

import subprocess
import sys

HEAVY = ["cupy", "torch", "matplotlib", "ipywidgets", "scipy", "IPython", "tqdm", "edunet.viz"]


def test_import_loads_nothing_heavy():
    code = "import sys, edunet; print(' '.join(sorted(m for m in sys.modules)))"
    modules = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout.split())
    assert "numpy" in modules
    assert not [name for name in HEAVY if name in modules]


def test_import_takes_at_most_150_ms():
    code = ("import time; start = time.perf_counter(); import edunet; "
            "print(time.perf_counter() - start)")
    # The best of five runs: these shared machines have noisy moments.
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(5)]
    assert min(times) <= 0.150, f"import edunet took {min(times) * 1000:.0f} ms at best"
