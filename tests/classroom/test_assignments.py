"""The nbgrader course: generated from the notebooks, released without solutions, graded.

The slow tests run the real nbgrader commands of the teacher's guide on a copy of
classroom/: generate_assignment, autograde and generate_feedback.
"""

import ast
import shutil
import subprocess
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

from classroom_helpers import CLASSROOM, ROOT, environment, load_script, nbgrader, new_course  # noqa: E402

build = load_script("build_assignments")


def cells_of(path):
    return nbformat.read(path, as_version=4).cells


def test_the_generated_source_is_up_to_date_with_the_course_notebooks():
    files = build.build()
    assert files, "no course notebook with exercises was found"
    assert build.stale(files) == [], (
        "classroom/source/ is out of date with notebooks/: run "
        "`python classroom/build_assignments.py` and commit the result")


def test_the_documented_check_command_agrees():
    result = subprocess.run([sys.executable, "classroom/build_assignments.py", "--check"],
                            cwd=ROOT, capture_output=True, text=True, env=environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_every_exercise_of_the_course_becomes_a_graded_answer_and_test():
    for path in build.course_notebooks():
        course = cells_of(path)
        alias = next((match.group(2) for cell in course if cell.cell_type == "code"
                      for match in [build.IMPORT.search(cell.source)] if match), None)
        exercises = [call.value.func.attr for cell in course if cell.cell_type == "code"
                     for call in build.check_calls(cell.source, alias or "")]
        source = CLASSROOM / "source" / path.stem / path.name
        if not exercises:
            assert not source.exists()
            continue
        graded = [cell.metadata.nbgrader for cell in cells_of(source) if "nbgrader" in cell.metadata]
        tests = [entry for entry in graded if entry["grade"]]
        answers = [entry for entry in graded if entry["solution"]]
        assert [entry["grade_id"].rsplit("_check")[0] for entry in tests] == exercises
        assert len(answers) == len(exercises)
        assert all(entry["locked"] and entry["points"] > 0 for entry in tests)
        assert all(not entry["locked"] and not entry["grade"] for entry in answers)
        assert len({entry["grade_id"] for entry in graded}) == len(graded)
        text = source.read_text()
        assert "<summary>Solution" not in text and "<summary>解答" not in text


def notebook(cells):
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def test_inline_answers_become_assignments_and_multiple_choice_is_hidden(tmp_path):
    code, markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    solution = "<details><summary>Solution</summary>\n\n```python\n{}\n```\n\n</details>"
    cells = [markdown("# 06"), code("from edunet.exercises import optimizers as check"),
             markdown("**Exercise 1.**"),
             code("order = None  # your letters\n\ncheck.loop_order(order)"),
             markdown(solution.format('check.loop_order("DCEAB")   # the right order')),
             code("def step(w):\n    return w  # your code here\n\ncheck.momentum_step(step)"),
             markdown(solution.format("def step(w):\n    return w - 1\n\ncheck.momentum_step(step)"))]
    nbformat.write(notebook(cells), tmp_path / "06_optimizers.ipynb")
    nbformat.write(notebook([code("print(1)")]), tmp_path / "07_no_exercises.ipynb")
    files = build.build(tmp_path)
    assert list(files) == ["06_optimizers/06_optimizers.ipynb"]
    made = nbformat.reads(files["06_optimizers/06_optimizers.ipynb"], as_version=4).cells
    assert [cell.source for cell in made if cell.cell_type == "markdown"] == ["# 06", "**Exercise 1.**"]
    answer, hidden_test, function, test = made[3:7]
    assert answer.source == ("order = None  # your letters\n### BEGIN SOLUTION\n"
                             'order = "DCEAB"   # the right order\n### END SOLUTION')
    assert "### BEGIN HIDDEN TESTS\nverdict = check.loop_order(order)" in hidden_test.source
    assert hidden_test.metadata.nbgrader["points"] == 1
    assert function.source.endswith("### BEGIN SOLUTION\ndef step(w):\n    return w - 1\n"
                                    "### END SOLUTION")
    assert test.metadata.nbgrader["points"] == 2        # writing a function
    assert "HIDDEN" not in test.source and "check.momentum_step(step)" in test.source
    ast.parse(test.source)


def test_an_exercise_without_a_solution_is_a_clear_error(tmp_path):
    cells = [nbformat.v4.new_code_cell("from edunet.exercises import tensors as check"),
             nbformat.v4.new_code_cell("answer = None\ncheck.broadcast_shape(answer)")]
    nbformat.write(notebook(cells), tmp_path / "01_tensors.ipynb")
    with pytest.raises(build.ExerciseError, match="broadcast_shape.*no <details> solution"):
        build.build(tmp_path)


def test_check_mode_reports_a_stale_source(tmp_path):
    target = tmp_path / "source"
    shutil.copytree(CLASSROOM / "source", target)
    files = build.build()
    first = sorted(files)[0]
    (target / first).write_text("{}")
    (target / "99_gone").mkdir()
    (target / "99_gone" / "99_gone.ipynb").write_text("{}")
    assert build.stale(files, target) == sorted([first, "99_gone/99_gone.ipynb"])
    build.write(files, target)
    assert build.stale(files, target) == [] and not (target / "99_gone").exists()


# ---- the real nbgrader commands --------------------------------------------------------

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder after `nbgrader generate_assignment "*"`."""
    folder = new_course(tmp_path_factory.mktemp("course") / "course")
    nbgrader(folder, "generate_assignment", "*")
    return folder


def solution_lines(source_cells):
    """The code lines of a source notebook's solutions, and the calls of its hidden checks."""
    lines, inside = set(), None
    for cell in source_cells:
        for line in cell.source.split("\n"):
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = line
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = None
            elif inside and ("SOLUTION" in inside or line.startswith("verdict = ")):
                lines.add(line.strip())
    return lines


@pytest.mark.slow
def test_the_release_contains_no_solution_code(course):
    released = sorted((course / "release").glob("*/*.ipynb"))
    assert [path.name for path in released] == sorted(
        path.name for path in (course / "source").glob("*/*.ipynb"))
    for path in released:
        source = course / "source" / path.parent.name / path.name
        course_notebook = ROOT / "notebooks" / path.name
        # A line the lesson itself shows (outside its exercises) is no secret.
        lesson = {line.strip() for cell in cells_of(course_notebook) if cell.cell_type == "code"
                  for line in cell.source.split("\n")}
        secret = {line for line in solution_lines(cells_of(source)) - lesson
                  if len(line) > 3 and not line.startswith("#")}
        assert secret, path.name
        release_cells = cells_of(path)
        shown = {line.strip() for cell in release_cells for line in cell.source.split("\n")}
        assert not secret & shown, f"{path.name} shows solution lines {sorted(secret & shown)}"
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "<details"):
            assert marker not in text, f"{path.name} still has {marker!r}"
        assert all(not cell.get("outputs") for cell in release_cells)


def submit(course, student, folder):
    """Put the notebooks of ``folder/<assignment>/`` where nbgrader finds a submission."""
    for assignment in sorted(folder.iterdir()):
        shutil.copytree(assignment, course / "submitted" / student / assignment.name)


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Two classes graded side by side (two cores): the untouched release and the solutions.

    ``{student: (course folder, {assignment: (score, max_score)})}``.
    """
    from nbgrader.api import Gradebook

    students = {"untouched": course / "release", "solver": course / "source"}
    runs = {}
    for student, notebooks in students.items():
        folder = tmp_path_factory.mktemp(student) / "course"
        shutil.copytree(course, folder)
        submit(folder, student, notebooks)
        runs[student] = (folder, subprocess.Popen(
            [sys.executable, "-m", "nbgrader", "autograde", "*"], cwd=folder, env=environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    results = {}
    for student, (folder, process) in runs.items():
        output, _ = process.communicate(timeout=900)
        assert process.returncode == 0, output[-3000:]
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
            scores = {assignment.name: (gradebook.find_submission(assignment.name, student).score,
                                        gradebook.find_submission(assignment.name, student).max_score)
                      for assignment in gradebook.assignments}
        results[student] = (folder, scores)
    return results


@pytest.mark.slow
def test_autograding_the_untouched_release_scores_nothing(graded):
    _folder, scores = graded["untouched"]
    assert len(scores) == len(list((CLASSROOM / "source").iterdir()))
    for assignment, (score, max_score) in scores.items():
        assert 0 == score < max_score, f"{assignment}: {score} of {max_score}"


@pytest.mark.slow
def test_autograding_the_solutions_scores_full_marks(graded):
    _folder, scores = graded["solver"]
    for assignment, (score, max_score) in scores.items():
        assert score == max_score > 0, f"{assignment}: {score} of {max_score}"


@pytest.mark.slow
def test_generate_feedback_writes_each_students_report(graded):
    for student, (folder, scores) in graded.items():
        nbgrader(folder, "generate_feedback", "*")
        for assignment, (score, max_score) in scores.items():
            reports = list((folder / "feedback" / student / assignment).glob("*.html"))
            assert len(reports) == 1, f"no feedback for {student} on {assignment}"
            html = reports[0].read_text()
            assert f"Score: {score:g} / {max_score:g}" in html.replace(".0 ", " ")
        # the teacher's class view: nbgrader's gradebook as a table
        nbgrader(folder, "export", "--to", str(folder / "grades.csv"))
        rows = (folder / "grades.csv").read_text().splitlines()
        assert rows[0].startswith("assignment,") and len(rows) == 1 + len(scores)


def test_nbgrader_config_is_the_one_the_guide_uses():
    config = (CLASSROOM / "nbgrader_config.py").read_text()
    assert 'c.ClearSolutions.code_stub = {"python": ""}' in config
    assert "c.Execute.timeout" in config
