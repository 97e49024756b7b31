"""Exercise checks for the course notebooks: a learner's answer gets a verdict and a hint.

Each notebook imports its own set, e.g. in "02 Module basics"::

    from edunet.exercises import module_basics as check
    check.parameter_count(my_model)

A check prints a short verdict: what is right, or what is off with a hint towards
the fix. It never shows the solution (that is hidden in the notebook). Checks
raise nothing, so a wrong answer never stops "Run all".
"""

from edunet.exercises.checking import Verdict, verdict

__all__ = ["Verdict", "verdict"]
