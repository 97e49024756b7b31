"""The machinery shared by every exercise check: a verdict that prints nicely."""


class Verdict:
    """The result of a check: ``passed`` plus the message shown to the learner.

    In a notebook it displays as a short line starting with a tick or a cross;
    ``bool(verdict)`` is ``passed``, so tests can assert on it.
    """

    def __init__(self, passed, message, hint=None):
        self.passed = bool(passed)
        self.message = message
        self.hint = hint

    def __bool__(self):
        return self.passed

    def __repr__(self):
        if self.passed:
            return f"✔ Correct. {self.message}"
        text = f"✘ Not yet. {self.message}"
        return text + (f"\n  Hint: {self.hint}" if self.hint else "")

    def _repr_markdown_(self):
        if self.passed:
            return f"✔ **Correct.** {self.message}"
        text = f"✘ **Not yet.** {self.message}"
        return text + (f"<br>*Hint:* {self.hint}" if self.hint else "")


def verdict(condition, success, failure, hint=None):
    """A :class:`Verdict`: ``success`` when ``condition`` holds, else ``failure`` and the hint."""
    return Verdict(True, success) if condition else Verdict(False, failure, hint)
