# Appended by repo2docker (--appendix) to the Binder image built from binder/: the tools a
# student's container needs in class. nbgitpuller brings the course in with one link;
# nbgrader's student side fetches and submits assignments (the teacher's side is switched
# off, so students see "Assignments" and nothing to grade with).
RUN python -m pip install --no-cache-dir "nbgitpuller==1.3.0" "nbgrader==0.9.6" \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:course-list \
 && jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
 && jupyter server extension disable --sys-prefix nbgrader.server_extensions.course_list \
 && mkdir -p "${NB_PYTHON_PREFIX}/etc/jupyter" \
 && printf 'c = get_config()\nc.CourseDirectory.course_id = "edunet"\nc.Exchange.root = "/srv/nbgrader/exchange"\n' \
    > "${NB_PYTHON_PREFIX}/etc/jupyter/nbgrader_config.py"
