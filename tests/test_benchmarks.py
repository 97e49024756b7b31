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
    # The harness checks itself: each framework again, alone in a fresh process.
    assert "Harness check" in completed.stdout and isinstance(row["harness_check_met"], bool)
    for framework in frameworks.split(","):
        alone = row[framework]["standalone"]
        assert alone["median_ms"] > 0
        assert alone["harness_over_standalone"] == pytest.approx(
            row[framework]["median_ms"] / alone["median_ms"])
    assert results["import_edunet"]["best_ms"] > 0


def test_workers_run_without_the_openblas_overrides_unless_asked(monkeypatch):
    """OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE go together, and only for the workers."""
    sys.path.insert(0, os.path.dirname(RUN))
    try:
        import run
    finally:
        sys.path.remove(os.path.dirname(RUN))
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("OPENBLAS_L2_SIZE", "1048576")
    removed = run.thread_environment(2)
    assert "OPENBLAS_CORETYPE" not in removed and "OPENBLAS_L2_SIZE" not in removed
    assert removed["OMP_NUM_THREADS"] == removed["OPENBLAS_NUM_THREADS"] == "2"
    kept = run.thread_environment(1, keep_openblas_env=True)
    assert kept["OPENBLAS_CORETYPE"] == "Haswell" and kept["OPENBLAS_L2_SIZE"] == "1048576"
    assert os.environ["OPENBLAS_CORETYPE"] == "Haswell"      # this process keeps its own


def test_a_standalone_figure_that_misses_is_measured_again_up_to_three_times(monkeypatch):
    """A burst of load during the check passes on a second attempt; a harness figure that
    never agrees fails after STANDALONE_ATTEMPTS, and every attempt is kept."""
    sys.path.insert(0, os.path.dirname(RUN))
    try:
        import run
    finally:
        sys.path.remove(os.path.dirname(RUN))
    standalone = {"edunet": [15.0, 10.5], "torch": [30.0, 30.0, 30.0, 10.0]}
    calls = []

    def fake_standalone_median(framework, *arguments):
        calls.append(framework)
        return standalone[framework][calls.count(framework) - 1]

    monkeypatch.setattr(run, "standalone_median", fake_standalone_median)
    options = type("Options", (), {"frameworks": ["edunet", "torch"], "standalone_rounds": 7})
    result = {"edunet": {"median_ms": 10.0}, "torch": {"median_ms": 10.0}}
    run.check_against_standalone(result, None, options, {}, "", 1)
    assert result["edunet"]["standalone"]["attempts_ms"] == [15.0, 10.5]
    assert result["edunet"]["standalone"]["within"]
    assert result["torch"]["standalone"]["attempts_ms"] == [30.0] * run.STANDALONE_ATTEMPTS
    assert not result["torch"]["standalone"]["within"] and not result["harness_check_met"]
    assert calls.count("torch") == run.STANDALONE_ATTEMPTS == 3
