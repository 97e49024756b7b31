"""nbgrader's configuration for the edunet course: run nbgrader commands in classroom/.

The assignments in source/ are generated from the course notebooks by
``python classroom/build_assignments.py``; see README.md beside this file.
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.course_id = "edunet"
# The release shows the course's own starting code (``answer = None  # your answer``),
# which sits above the solution region: nothing needs to replace the solution.
c.ClearSolutions.code_stub = {"python": ""}
# Notebook 07 trains a CNN: give a cell minutes, not nbgrader's default 30 s, on a busy
# machine. A learner's endless loop still ends (and scores 0 for what it blocks).
c.Execute.timeout = 300
# Where release_assignment, fetch, submit and collect meet on a one-machine hub. The
# students' image sets the same (hub/image-appendix.Dockerfile); on Kubernetes see README.md.
c.Exchange.root = "/srv/nbgrader/exchange"
