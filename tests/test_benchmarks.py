"""The benchmark suite's machinery works: a smoke run of one tiny round, never timed."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

RUN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "run.py")
FRAMEWORKS = ["edunet"] + (["edunet,torch"] if importlib.util.find_spec("torch") else [])


@pytest.mark.parametrize("frameworks", FRAMEWORKS)
def test_one_round_of_one_workload_writes_json(tmp_path, frameworks):
    path = tmp_path / "results.json"
    command = [sys.executable, RUN, "--workloads", "E-train", "--rounds", "1", "--quick",
               "--threads", "1", "--frameworks", frameworks, "--json", str(path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr

    results = json.loads(path.read_text())
    [row] = results["workloads"]
    assert row["name"] == "E-train" and "| E-train |" in completed.stdout
    for framework in frameworks.split(","):
        assert len(row[framework]["rounds_ms"]) == 1 and row[framework]["median_ms"] > 0
        assert row[framework]["peak_rss_mb"] > 0
    if "torch" in frameworks:
        assert row["same_starting_loss"], "both frameworks must start from the same weights and data"
        assert row["ratio_of_medians"] > 0 and isinstance(row["met"], bool)
    assert results["import_edunet"]["best_ms"] > 0
