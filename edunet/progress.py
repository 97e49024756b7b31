"""Your progress through the course: which exercises you have done.

Every exercise check records its verdict in a small file of your own, and
``edunet.progress()`` shows the whole course from it::

    import edunet
    edunet.progress()        # 00 Start here   2 of 3 done   ✔ device  ✔ source_file  · mul_gradient

The file is ``$EDUNET_PROGRESS_FILE`` if that is set, else
``$XDG_DATA_HOME/edunet/progress.json`` (``~/.local/share/edunet/progress.json``):
one per user, so on a JupyterHub every student has their own. ``EDUNET_PROGRESS=off``
turns recording off. Recording never stops a notebook: a file that cannot be
written is skipped, a damaged one is started afresh, and every write goes to a
temporary file that then replaces the old one in one step, so a crash never
leaves half a file.

A teacher's view of the whole class is nbgrader's gradebook (classroom/README.md).
"""

import datetime
import importlib
import inspect
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from edunet.i18n import _

EXERCISE_PACKAGE = "edunet.exercises"
NOT_CHECKS = {"checking"}          # modules of edunet.exercises that hold no checks
FORMAT_VERSION = 1


def progress_file():
    """Where this user's progress is kept (a ``Path``), or None when recording is off."""
    if os.environ.get("EDUNET_PROGRESS", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    chosen = os.environ.get("EDUNET_PROGRESS_FILE")
    if chosen:
        return Path(chosen).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "edunet" / "progress.json"


def load():
    """The recorded exercises, ``{"topic.check": {"passed": bool, "attempts": int, ...}}``.

    A missing, unreadable or damaged file reads as no progress yet.
    """
    path = progress_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        exercises = data["exercises"]
        if not isinstance(exercises, dict):
            return {}
        return {name: entry for name, entry in exercises.items() if isinstance(entry, dict)}
    except Exception:              # no file, no permission, not JSON, wrong layout
        return {}


def calling_check():
    """The check a verdict is being made for, as "topic.check", from the call stack.

    The outermost frame inside an ``edunet.exercises.<topic>`` module is the check
    the notebook called (inner frames may be its helpers). None outside a check.
    """
    frame, found = sys._getframe(1), None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(EXERCISE_PACKAGE + "."):
            topic = module.rsplit(".", 1)[1]
            if topic not in NOT_CHECKS:
                found = f"{topic}.{frame.f_code.co_name}"
        frame = frame.f_back
    return found


def record(verdict):
    """Remember ``verdict`` for the check that made it. Never raises.

    Called by every :class:`~edunet.exercises.Verdict` as it is made; does nothing
    for a verdict made outside a check, or when recording is off.
    """
    try:
        name = calling_check()
        path = progress_file()
        if name is None or path is None:
            return
        exercises = load()
        entry = exercises.get(name, {})
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["passed"] = bool(entry.get("passed")) or verdict.passed
        entry["last"] = "passed" if verdict.passed else "failed"
        entry["updated"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
        exercises[name] = entry
        write_atomically(path, {"version": FORMAT_VERSION, "exercises": exercises})
    except Exception:              # a full disk or a read-only home must not stop a lesson
        return


def write_atomically(path, data):
    """Write ``data`` as JSON to ``path`` through a temporary file and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def course_checks():
    """The course's exercises in reading order: ``[(title, topic, [check names])]``.

    Read from the modules of ``edunet.exercises``: each module's docstring names
    its notebook (``Checks for "02 Module basics": ...``), and its public
    functions, in the order they are written, are its checks.
    """
    import pkgutil

    package = importlib.import_module(EXERCISE_PACKAGE)
    topics = []
    for module_info in pkgutil.iter_modules(package.__path__):
        topic = module_info.name
        if topic.startswith("_") or topic in NOT_CHECKS:
            continue
        module = importlib.import_module(f"{EXERCISE_PACKAGE}.{topic}")
        match = re.search(r'"(\d+[^"]*)"', module.__doc__ or "")
        title = match.group(1) if match else topic
        functions = [function for name, function in inspect.getmembers(module, inspect.isfunction)
                     if function.__module__ == module.__name__ and not name.startswith("_")]
        functions.sort(key=lambda function: function.__code__.co_firstlineno)
        topics.append((title, topic, [function.__name__ for function in functions]))
    return sorted(topics)


class Progress:
    """What ``edunet.progress()`` shows: per notebook, which exercises are done.

    ``rows`` is ``[(title, [(check, state)])]`` where state is "done", "tried"
    (checked, not yet right) or "new"; ``done`` and ``total`` count exercises.
    """

    MARKS = {"done": "✔", "tried": "✘", "new": "·"}

    def __init__(self, rows):
        self.rows = rows
        states = [state for _title, checks in rows for _check, state in checks]
        self.done, self.total = states.count("done"), len(states)

    def _summary(self):
        return _("{done} of {total} exercises done").format(done=self.done, total=self.total)

    def _counts(self, checks):
        done = sum(state == "done" for _check, state in checks)
        return _("{done} of {total} done").format(done=done, total=len(checks))

    def __repr__(self):
        width = max((len(title) for title, _checks in self.rows), default=0)
        lines = [_("Your progress: {summary}").format(summary=self._summary())]
        for title, checks in self.rows:
            marks = "  ".join(f"{self.MARKS[state]} {check}" for check, state in checks)
            lines.append(f"  {title:<{width}}  {self._counts(checks):<12}  {marks}")
        lines.append(_("✔ done  ✘ tried, not right yet  · not tried"))
        return "\n".join(lines)

    def _repr_html_(self):
        import html
        rows = []
        for title, checks in self.rows:
            marks = " &nbsp; ".join(
                f'<span title="{html.escape(state)}">{self.MARKS[state]} '
                f"<code>{html.escape(check)}</code></span>" for check, state in checks)
            rows.append(f"<tr><td style='text-align:left'>{html.escape(title)}</td>"
                        f"<td>{html.escape(self._counts(checks))}</td>"
                        f"<td style='text-align:left'>{marks}</td></tr>")
        return (f"<p><b>{html.escape(_('Your progress'))}:</b> {html.escape(self._summary())}</p>"
                f"<table>{''.join(rows)}</table>"
                f"<p><small>{html.escape(_('✔ done  ✘ tried, not right yet  · not tried'))}"
                "</small></p>")


def progress():
    """Show which exercises of the course you have done, notebook by notebook.

    Example::

        >>> edunet.progress()
        Your progress: 4 of 30 exercises done
          00 Start here  2 of 3 done  ✔ device  ✔ source_file  · mul_gradient
          ...
    """
    recorded = load()
    rows = []
    for title, topic, checks in course_checks():
        states = []
        for check in checks:
            entry = recorded.get(f"{topic}.{check}")
            state = "new" if entry is None else "done" if entry.get("passed") else "tried"
            states.append((check, state))
        rows.append((title, states))
    return Progress(rows)
