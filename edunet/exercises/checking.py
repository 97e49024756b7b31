"""The machinery shared by every exercise check: a verdict that prints nicely.

Hints come in tiers: ``hint`` is one string or a list of strings, from a gentle
nudge to almost the answer. The first tier shows at once; the others sit folded
under "More help" so a learner opens them only when stuck.
"""

from edunet.i18n import _
from edunet.progress import record


class Verdict:
    """The result of a check: ``passed`` plus the message shown to the learner.

    In a notebook it displays as a short line starting with a tick or a cross;
    ``bool(verdict)`` is ``passed``, so tests can assert on it.
    """

    def __init__(self, passed, message, hint=None):
        self.passed = bool(passed)
        self.message = message
        self.hints = [hint] if isinstance(hint, str) else list(hint or [])
        record(self)       # the learner's progress (edunet.progress()); never raises

    @property
    def hint(self):
        """The first hint tier (None when there is none)."""
        return self.hints[0] if self.hints else None

    def __bool__(self):
        return self.passed

    def __repr__(self):
        if self.passed:
            return f"✔ {_('Correct.')} {self.message}"
        text = f"✘ {_('Not yet.')} {self.message}"
        for number, hint in enumerate(self.hints, start=1):
            label = _("Hint") if number == 1 else _("More help")
            text += f"\n  {label}: {hint}"
        return text

    def _repr_markdown_(self):
        if self.passed:
            return f"✔ **{_('Correct.')}** {self.message}"
        text = f"✘ **{_('Not yet.')}** {self.message}"
        if self.hints:
            text += f"<br>*{_('Hint')}:* {self.hints[0]}"
        for hint in self.hints[1:]:
            text += f"\n<details><summary>{_('More help')}</summary>\n\n{hint}\n</details>"
        return text


def verdict(condition, success, failure, hint=None):
    """A :class:`Verdict`: ``success`` when ``condition`` holds, else ``failure`` and the hint(s)."""
    return Verdict(True, success) if condition else Verdict(False, failure, hint)
