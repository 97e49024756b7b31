"""nbgitpuller links that put the course into every student's account on a school's hub.

    python classroom/links.py --hub https://hub.school.example
    python classroom/links.py --hub https://hub.school.example --repository \
        https://github.com/edunet-course/edunet --branch main --markdown

A link opens the hub (logging the student in first), clones the course into
``~/edunet`` the first time, and later merges the teacher's updates into it
without losing the student's own edits; then it opens the notebook. One link
for the whole course, and one per notebook.
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/edunet-course/edunet"
FOLDER = "edunet"


def nbgitpuller_link(hub, path="notebooks", repository=REPOSITORY, branch="main",
                     folder=FOLDER):
    """The link that pulls ``repository`` into ``~/folder`` and opens ``path`` in JupyterLab.

    ``path`` is relative to the repository: a folder opens the file browser there,
    a notebook opens the notebook.
    """
    query = urlencode({"repo": repository, "branch": branch, "targetpath": folder,
                       "urlpath": f"lab/tree/{folder}/{path}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def course_links(hub, repository=REPOSITORY, branch="main", notebooks=ROOT / "notebooks"):
    """``[(title, link)]``: the whole course first, then each notebook in order."""
    links = [("The whole course", nbgitpuller_link(hub, "notebooks", repository, branch))]
    for notebook in sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb")):
        title = notebook.stem.replace("_", " ", 1).replace("_", " ")
        links.append((title, nbgitpuller_link(hub, f"notebooks/{notebook.name}",
                                              repository, branch)))
    return links


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.school.example")
    parser.add_argument("--repository", default=REPOSITORY, help="the course's git repository")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table to paste")
    options = parser.parse_args(arguments)
    links = course_links(options.hub, options.repository, options.branch)
    if options.markdown:
        print("| Open | Link |\n|------|------|")
        for title, link in links:
            print(f"| {title} | [{link}]({link}) |")
    else:
        for title, link in links:
            print(f"{title}:\n  {link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
