"""JupyterHub for a class on one machine: log in, get the course, work in your own container.

Run it as root on the school's server (classroom/README.md, "A hub on one machine")::

    export EDUNET_CLASS_PASSWORD=...  EDUNET_TEACHER_PASSWORD=...
    jupyterhub -f classroom/hub/jupyterhub_config.py

What a student gets:
- logs in with their name and the class password (the teacher, "teacher", has their own);
- lands in the course: the hub's default URL is an nbgitpuller link, so the first
  login clones the course into their home and every later one merges the teacher's
  updates without losing the student's edits;
- works in a container of the image built from this repository's binder/ by
  repo2docker (the same image as Binder, plus nbgitpuller and nbgrader's student
  tools), with memory and CPU limits from the course's measured needs;
- is stopped after an hour without activity (jupyterhub-idle-culler); their files stay.

The tests (tests/classroom/test_hub.py) load this file and swap in a dummy
authenticator and local processes, so everything but Docker is checked for real.
"""

import os
import sys

c = get_config()  # noqa: F821 (JupyterHub provides get_config)

COURSE_REPOSITORY = os.environ.get("EDUNET_COURSE_REPOSITORY",
                                   "https://github.com/edunet-course/edunet")
COURSE_BRANCH = os.environ.get("EDUNET_COURSE_BRANCH", "main")
IMAGE = os.environ.get("EDUNET_IMAGE", "edunet-classroom:latest")
TEACHER = os.environ.get("EDUNET_TEACHER", "teacher")

# ---- logging in --------------------------------------------------------------------
# One class password for the students, a separate one for the teacher (an admin, who
# can see and stop every student's server). Swap in the school's single sign-on
# (OAuthenticator, LDAPAuthenticator) when there is one.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("EDUNET_CLASS_PASSWORD", "")
c.SharedPasswordAuthenticator.admin_password = os.environ.get("EDUNET_TEACHER_PASSWORD", "")
c.Authenticator.admin_users = {TEACHER}
c.Authenticator.allow_all = True           # or allowed_users = {names from the class list}

# ---- the course, through nbgitpuller ----------------------------------------------------
# Logging in opens this link: the first time it clones the course into ~/edunet, later it
# pulls the teacher's updates and merges them with the student's own edits.
c.Spawner.default_url = (
    f"/git-pull?repo={COURSE_REPOSITORY}&branch={COURSE_BRANCH}&targetpath=edunet"
    "&urlpath=lab/tree/edunet/notebooks/00_start_here.ipynb")

# ---- each student's container -----------------------------------------------------------
# Built from binder/ by repo2docker (classroom/README.md, "The image"):
#   jupyter-repo2docker --no-run --image-name edunet-classroom:latest \
#       --appendix "$(cat classroom/hub/image-appendix.Dockerfile)" .
c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = IMAGE
c.DockerSpawner.remove = True              # containers go; the home volume stays
c.DockerSpawner.notebook_dir = "/home/jovyan"
c.DockerSpawner.volumes = {
    "edunet-home-{username}": "/home/jovyan",
    # nbgrader's exchange: release, fetch, submit and collect meet here
    "/srv/nbgrader/exchange": "/srv/nbgrader/exchange",
}
c.JupyterHub.hub_ip = "0.0.0.0"            # the containers reach the hub over Docker's bridge
c.JupyterHub.hub_connect_ip = os.environ.get("EDUNET_HUB_CONNECT_IP", "172.17.0.1")

# Limits from the course's measured needs (classroom/README.md, "What the course needs"):
# the heaviest notebook's kernel peaks at about 260 MB (07, training a CNN), the others at
# 120-200 MB, and JupyterLab itself takes about 200 MB; 1 GB is a student with three
# notebooks open, 2 GB leaves room for more. Every notebook runs in well under a minute
# on one core; a second one speeds training up when the machine has it to spare.
c.Spawner.mem_limit = "2G"
c.Spawner.mem_guarantee = "1G"
c.Spawner.cpu_limit = 2.0
c.Spawner.cpu_guarantee = 0.5
c.Spawner.http_timeout = 120               # a cold container start on a busy server

# ---- idle culling -----------------------------------------------------------------------
# Stop servers an hour after their last activity, so a forgotten tab does not hold a
# seat for the next class. Students' files stay in their home volume.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600",
                "--cull-every=300"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]

# ---- the hub itself ---------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("EDUNET_HUB_URL", "http://:8000")
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
