"""Build the nbgrader course in classroom/source/ from the course notebooks.

    python classroom/build_assignments.py           # (re)write classroom/source/
    python classroom/build_assignments.py --check   # exit 1 if classroom/source/ is stale

Every course notebook that ends with exercises becomes one nbgrader assignment,
``classroom/source/<notebook>/<notebook>.ipynb``: the whole notebook (the lesson is
the context of its exercises), with each exercise turned into nbgrader cells.

An exercise in a course notebook is a code cell that calls a check at top level,
``check.<name>(...)`` (``check`` being the alias of ``from edunet.exercises import
<topic> as check``), followed by a markdown cell with the solution in
``<details>``. It becomes

1. a solution cell: the learner's starting code, then the solution between
   ``### BEGIN SOLUTION`` / ``### END SOLUTION``. ``nbgrader generate_assignment``
   strips the solution, so the release shows the starting code of the course;
2. a locked, autograded test cell with points that runs the same check and fails
   when it fails. Where trying answers against the check would give the answer
   away (a choice among a few letters or names), the check sits between
   ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``: the release shows no
   check, and the grader runs it after submission.

The solution markdown cell is left out. The detection is structural (no English
headings are read), so it works for new notebooks as they are added.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCE = ROOT / "classroom" / "source"

# Checks whose verdict a learner could use to find the answer by trying (a choice
# among a few letters, names or classes): their test is hidden in the release.
HIDDEN = {
    "losses.choose_losses",
    "optimizers.loop_order",
    "training.layers_that_change",
    "gpu.fair_timing",
}
# Points per check where the default does not fit. The default is 1 point, or 2
# when the solution writes a function or a class.
POINTS = {}

IMPORT = re.compile(r"^from edunet\.exercises import (\w+) as (\w+)\s*$", re.MULTILINE)
FENCED_CODE = re.compile(r"```python\n(.*?)```", re.DOTALL)


class ExerciseError(ValueError):
    """A course notebook's exercise that cannot be turned into nbgrader cells."""


def course_notebooks(folder=NOTEBOOKS):
    """The course notebooks in reading order: ``NN_name.ipynb`` directly in ``folder``."""
    return sorted(path for path in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def check_calls(source, alias):
    """The top-level statements of ``source`` that call ``alias.<check>(...)``, as ast nodes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:            # IPython magics and the like: not an exercise cell
        return []
    return [statement for statement in tree.body
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and isinstance(statement.value.func.value, ast.Name)
            and statement.value.func.value.id == alias
            and not statement.value.func.attr.startswith("_")]


def without_lines(source, statements):
    """``source`` without the lines of ``statements``, trailing blank lines dropped."""
    dropped = {number for statement in statements
               for number in range(statement.lineno, statement.end_lineno + 1)}
    lines = [line for number, line in enumerate(source.split("\n"), start=1)
             if number not in dropped]
    return "\n".join(lines).strip("\n")


def trailing_comment(source, statement):
    """The ``# comment`` after ``statement`` on its last line ("" if none)."""
    line = source.split("\n")[statement.end_lineno - 1]
    rest = line[statement.end_col_offset:] if statement.lineno == statement.end_lineno else ""
    rest = rest.strip()
    return "   " + rest if rest.startswith("#") else ""


def solution_code(solution, alias, exercise_calls):
    """The solution's code without its check calls, answers given inline made assignments.

    ``check.linear_parameters(10 * 5 + 5)`` in the solution, where the exercise
    cell calls ``check.linear_parameters(answer)``, becomes ``answer = 10 * 5 + 5``.
    """
    called = {call.value.func.attr: call.value for call in exercise_calls}
    lines = solution.split("\n")
    output, line_number = [], 1
    for statement in check_calls(solution, alias):
        output.extend(lines[line_number - 1:statement.lineno - 1])
        line_number = statement.end_lineno + 1
        expected = called.get(statement.value.func.attr)
        if expected is None:
            continue
        given = statement.value
        pairs = list(zip(expected.args, given.args))
        given_keywords = {keyword.arg: keyword.value for keyword in given.keywords}
        pairs += [(keyword.value, given_keywords[keyword.arg]) for keyword in expected.keywords
                  if keyword.arg in given_keywords]
        comment = trailing_comment(solution, statement)
        for name, value in pairs:
            text = ast.get_source_segment(solution, value)
            if isinstance(name, ast.Name) and text != name.id:
                output.append(f"{name.id} = {text}{comment}")
                comment = ""
    output.extend(lines[line_number - 1:])
    return "\n".join(output).strip("\n")


def solution_markdown(cells, start):
    """The code of the first ``<details>`` solution in markdown cells from ``start`` on."""
    for index in range(start, len(cells)):
        cell = cells[index]
        if cell.cell_type == "code":
            return None, None
        if "<details" in cell.source:
            blocks = FENCED_CODE.findall(cell.source)
            if blocks:
                return index, "\n\n".join(block.strip("\n") for block in blocks)
    return None, None


def points_for(key, code):
    """Points of one exercise: POINTS, else 2 for writing a function or class, else 1."""
    if key in POINTS:
        return POINTS[key]
    definitions = (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)
    return 2 if any(isinstance(node, definitions) for node in ast.walk(ast.parse(code))) else 1


def test_source(alias, calls, source, hidden, points):
    """The autograded test cell: run each check, show its verdict, fail when it fails.

    The verdict is displayed rather than returned: nbgrader reads a returned value
    as partial credit.
    """
    unit = "point" if points == 1 else "points"
    lines = []
    for call in calls:
        lines += [f"verdict = {ast.get_source_segment(source, call.value)}",
                  "display(verdict)",
                  'assert verdict, "not yet: see the verdict above"']
    if not hidden:
        return "\n".join([f"# Graded: {points} {unit}. This check fails until your answer "
                          "is right."] + lines)
    return "\n".join([f"# Graded after you submit: {points} {unit}. The check is hidden, "
                      "because trying",
                      "# answers against it would give the answer away.",
                      "### BEGIN HIDDEN TESTS"] + lines + ["### END HIDDEN TESTS"])


def nbgrader_metadata(grade_id, solution, points=None):
    metadata = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
                "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        metadata["points"] = points
    return metadata


def clean(cell):
    """A copy of ``cell`` without outputs and run metadata (nbgrader clears outputs anyway)."""
    cell = nbformat.from_dict(dict(cell))
    cell.metadata = nbformat.from_dict({key: value for key, value in cell.metadata.items()
                                        if key not in ("execution", "nbgrader")})
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def assignment(path):
    """The nbgrader source notebook made from one course notebook (None if it has no exercises)."""
    notebook = nbformat.read(path, as_version=4)
    found = [IMPORT.search(cell.source) for cell in notebook.cells if cell.cell_type == "code"]
    found = [match for match in found if match]
    if not found:
        return None
    topic, alias = found[0].groups()
    cells, used_ids, skip = [], set(), set()
    for index, cell in enumerate(notebook.cells):
        if index in skip:
            continue
        calls = check_calls(cell.source, alias) if cell.cell_type == "code" else []
        if not calls:
            cells.append(clean(cell))
            continue
        where, solution = solution_markdown(notebook.cells, index + 1)
        if solution is None:
            raise ExerciseError(f"{path.name}, cell {index}: it calls "
                                f"{alias}.{calls[0].value.func.attr}(...) but no <details> "
                                "solution with a ```python block follows it.")
        skip.add(where)
        name = calls[0].value.func.attr
        key = f"{topic}.{name}"
        grade_id = name
        while grade_id in used_ids:
            grade_id += "_again"
        used_ids.add(grade_id)
        starting_code = without_lines(cell.source, calls) or "# your code here"
        code = solution_code(solution, alias, calls)
        answer = clean(cell)
        answer.source = f"{starting_code}\n### BEGIN SOLUTION\n{code}\n### END SOLUTION"
        answer.metadata["nbgrader"] = nbgrader_metadata(f"{grade_id}_answer", solution=True)
        points = points_for(key, code)
        test = nbformat.v4.new_code_cell(test_source(alias, calls, cell.source,
                                                     key in HIDDEN, points))
        test.id = f"{grade_id}-check".replace("_", "-")[:64]
        test.metadata["nbgrader"] = nbgrader_metadata(f"{grade_id}_check", solution=False,
                                                      points=points)
        cells += [answer, test]
    notebook.cells = cells
    return notebook


def build(notebooks=NOTEBOOKS):
    """``{relative path: text}`` of every file the nbgrader source folder should hold."""
    files = {}
    for path in course_notebooks(notebooks):
        notebook = assignment(path)
        if notebook is not None:
            files[f"{path.stem}/{path.name}"] = nbformat.writes(notebook) + "\n"
    return files


def stale(files, folder=SOURCE):
    """The relative paths that differ between ``files`` and ``folder`` (missing, extra, changed)."""
    present = {str(path.relative_to(folder)) for path in Path(folder).glob("*/*.ipynb")}
    changed = [name for name, text in files.items()
               if name not in present
               or (Path(folder) / name).read_text(encoding="utf-8") != text]
    return sorted(changed + [name for name in present if name not in files])


def write(files, folder=SOURCE):
    """Write ``files`` into ``folder``, removing generated notebooks that are no longer made."""
    folder = Path(folder)
    for name in stale(files, folder):
        target = folder / name
        if name in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[name], encoding="utf-8")
        else:
            target.unlink()
            if not any(target.parent.iterdir()):
                target.parent.rmdir()


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether classroom/source/ is up to date")
    options = parser.parse_args(arguments)
    files = build()
    changed = stale(files)
    if options.check:
        if changed:
            print("classroom/source/ is out of date with notebooks/: "
                  f"{', '.join(changed)}.\nRun: python classroom/build_assignments.py")
            return 1
        print(f"classroom/source/ is up to date ({len(files)} assignments).")
        return 0
    write(files)
    print(f"Wrote {len(files)} assignments to classroom/source/ ({len(changed)} changed).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
