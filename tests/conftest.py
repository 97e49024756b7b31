"""Shared test set-up: the ``device`` fixture runs a test on every available device."""

import os

import pytest
from hypothesis import HealthCheck, settings

import edunet

DEVICES = ["cpu"] + (["cuda"] if edunet.cuda.is_available() else [])

# The device fixture is a plain string, so reusing it across Hypothesis examples is safe.
settings.register_profile("edunet", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.load_profile("edunet")

# Exercise checks record a learner's progress in their home folder; the checks the tests
# run (and the notebooks under nbval, whose kernels inherit this) are not a learner's.
os.environ.setdefault("EDUNET_PROGRESS", "off")


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test that takes ``device`` runs once per device: "cpu", and "cuda" with a GPU."""
    return request.param
