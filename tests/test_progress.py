"""edunet.progress(): exercise checks record their verdicts per user, safely."""

import importlib
import json

import pytest

import edunet
from edunet.exercises import Verdict, verdict
from edunet.exercises import optimizers, tensors

# edunet.progress is the function; the module of the same name holds the machinery.
progress_module = importlib.import_module("edunet.progress")


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    """Recording on, into a fresh file of this test's own."""
    path = tmp_path / "home" / "progress.json"
    monkeypatch.setenv("EDUNET_PROGRESS", "on")
    monkeypatch.setenv("EDUNET_PROGRESS_FILE", str(path))
    return path


def states(shown, topic):
    """``{check: state}`` of one notebook's row of ``edunet.progress()``."""
    titles = {topic_name: title for title, topic_name, _checks in progress_module.course_checks()}
    return dict(dict(shown.rows)[titles[topic]])


def test_checks_record_passes_and_failures_per_exercise(progress_file):
    assert not tensors.cube_gradient(None)
    assert tensors.broadcast_shape((4, 3))
    assert not optimizers.loop_order("ABCDE")
    assert optimizers.loop_order("DCEAB")          # a later pass counts
    recorded = json.loads(progress_file.read_text())["exercises"]
    assert recorded["tensors.cube_gradient"]["passed"] is False
    assert recorded["tensors.broadcast_shape"] | {"updated": None} == {
        "attempts": 1, "passed": True, "last": "passed", "updated": None}
    assert recorded["optimizers.loop_order"]["attempts"] == 2
    assert recorded["optimizers.loop_order"]["passed"] is True

    shown = edunet.progress()
    assert states(shown, "tensors") == {"broadcast_shape": "done", "ones_tensor": "new",
                                        "cube_gradient": "tried"}
    assert states(shown, "optimizers")["loop_order"] == "done"
    assert shown.done == 2 and shown.total >= 9 * 3
    text = repr(shown)
    assert text.startswith(f"Your progress: 2 of {shown.total} exercises done")
    assert "✔ broadcast_shape" in text and "✘ cube_gradient" in text and "· ones_tensor" in text
    assert "<table>" in shown._repr_html_()


def test_a_pass_is_not_undone_by_a_later_failure(progress_file):
    tensors.broadcast_shape((4, 3))
    tensors.broadcast_shape((4, 1))
    entry = json.loads(progress_file.read_text())["exercises"]["tensors.broadcast_shape"]
    assert entry["passed"] is True and entry["last"] == "failed" and entry["attempts"] == 2


def test_every_exercise_module_is_listed_in_course_order():
    topics = progress_module.course_checks()
    titles = [title for title, _topic, _checks in topics]
    assert titles == sorted(titles) and titles[0].startswith("00")
    assert ("01 Tensors and autograd", "tensors",
            ["broadcast_shape", "ones_tensor", "cube_gradient"]) in topics
    assert all(checks for _title, _topic, checks in topics)


def test_verdicts_made_outside_a_check_are_not_recorded(progress_file):
    verdict(True, "yes", "no")
    Verdict(False, "no")
    assert not progress_file.exists()


def test_a_damaged_file_reads_as_no_progress_and_is_replaced(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json")
    assert edunet.progress().done == 0
    assert tensors.broadcast_shape((4, 3))
    assert json.loads(progress_file.read_text())["exercises"]["tensors.broadcast_shape"]["passed"]
    progress_file.write_text('{"exercises": ["a list, not a mapping"]}')
    assert edunet.progress().done == 0


def test_a_file_that_cannot_be_written_never_stops_the_check(tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("EDUNET_PROGRESS", "on")
    monkeypatch.setenv("EDUNET_PROGRESS_FILE", str(blocker / "progress.json"))
    result = tensors.broadcast_shape((4, 3))
    assert result and repr(result).startswith("✔")
    assert edunet.progress().done == 0


def test_writes_are_atomic_a_failed_write_keeps_the_old_file(progress_file):
    tensors.broadcast_shape((4, 3))
    before = progress_file.read_text()
    with pytest.raises(TypeError):
        progress_module.write_atomically(progress_file, {"not JSON": object()})
    assert progress_file.read_text() == before
    assert sorted(path.name for path in progress_file.parent.iterdir()) == ["progress.json"]


def test_recording_can_be_turned_off(progress_file, monkeypatch):
    monkeypatch.setenv("EDUNET_PROGRESS", "off")
    tensors.broadcast_shape((4, 3))
    assert not progress_file.exists() and progress_module.progress_file() is None


def test_the_default_file_is_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("EDUNET_PROGRESS", raising=False)
    monkeypatch.delenv("EDUNET_PROGRESS_FILE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert progress_module.progress_file() == tmp_path / "data" / "edunet" / "progress.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "student"))
    assert progress_module.progress_file() == (
        tmp_path / "student" / ".local" / "share" / "edunet" / "progress.json")
