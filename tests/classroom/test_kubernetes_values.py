"""The Zero to JupyterHub values, checked without a cluster.

The chart's own values.schema.json is published with the chart (a Helm repository),
which no package registry reachable here carries. So this is a structural check: the
keys and types below are those documented for the z2jh 4.x chart's values (its
reference, "Configuration Reference"), written out as a JSON schema that refuses any
key it does not know. hub.config, which the chart hands to JupyterHub as traitlets
config, is checked against JupyterHub's real classes instead.
"""

import importlib

import pytest

from classroom_helpers import CLASSROOM

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")

VALUES = CLASSROOM / "kubernetes" / "values.yaml"


def closed(properties, required=()):
    """An object schema with only ``properties`` allowed."""
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": list(required)}


ENABLED = closed({"enabled": {"type": "boolean"}})
QUANTITY = {"type": ["number", "string", "null"]}       # "2G", "1.5Gi", 2, null
IMAGE = closed({"name": {"type": "string"}, "tag": {"type": "string"},
                "pullPolicy": {"enum": [None, "", "IfNotPresent", "Always", "Never"]},
                "pullSecrets": {"type": "array"}}, required=["name", "tag"])
EXEC_HOOK = closed({"exec": closed({"command": {"type": "array", "items": {"type": "string"},
                                                "minItems": 1}}, ["command"])})
# The part of z2jh 4.x's documented values that a course deployment touches. Sections
# the file leaves out keep the chart's defaults.
SCHEMA = closed({
    "hub": {"type": "object", "properties": {
        "config": {"type": "object"},
        "extraConfig": {"type": "object", "additionalProperties": {"type": "string"}},
        "db": closed({"type": {"enum": ["sqlite-pvc", "sqlite-memory", "mysql", "postgres",
                                        "other"]},
                      "pvc": {"type": "object"}, "url": {"type": ["string", "null"]},
                      "upgrade": {"type": ["boolean", "null"]},
                      "password": {"type": ["string", "null"]}}),
        "resources": {"type": "object"},
        "image": IMAGE,
    }, "additionalProperties": False},
    "singleuser": closed({
        "image": IMAGE,
        "lifecycleHooks": closed({"postStart": EXEC_HOOK, "preStop": EXEC_HOOK}),
        "defaultUrl": {"type": ["string", "null"]},
        "memory": closed({"limit": QUANTITY, "guarantee": QUANTITY}),
        "cpu": closed({"limit": {"type": ["number", "null"]},
                       "guarantee": {"type": ["number", "null"]}}),
        "storage": closed({"type": {"enum": ["dynamic", "static", "none"]},
                           "capacity": {"type": "string"},
                           "homeMountPath": {"type": "string"},
                           "dynamic": {"type": "object"}, "static": {"type": "object"},
                           "extraVolumes": {}, "extraVolumeMounts": {},
                           "extraLabels": {"type": "object"}}),
        "startTimeout": {"type": "integer", "minimum": 1},
        "extraEnv": {"type": "object"},
        "cmd": {"type": ["array", "string", "null"]},
        "profileList": {"type": "array"},
    }),
    "cull": closed({"enabled": {"type": "boolean"}, "users": {"type": "boolean"},
                    "adminUsers": {"type": "boolean"}, "removeNamedServers": {"type": "boolean"},
                    "timeout": {"type": "integer", "minimum": 1},
                    "every": {"type": "integer", "minimum": 1},
                    "concurrency": {"type": "integer", "minimum": 1},
                    "maxAge": {"type": "integer", "minimum": 0}}),
    "scheduling": closed({
        "userScheduler": ENABLED, "podPriority": ENABLED,
        "userPlaceholder": closed({"enabled": {"type": "boolean"},
                                   "replicas": {"type": "integer", "minimum": 0}}),
        "corePods": {"type": "object"}, "userPods": {"type": "object"}}),
    "prePuller": closed({"hook": ENABLED, "continuous": ENABLED,
                         "pullProfileListImages": {"type": "boolean"},
                         "extraImages": {"type": "object"}}),
    "proxy": {"type": "object", "properties": {
        "https": {"type": "object"}, "service": {"type": "object"},
        "chp": {"type": "object"}, "secretToken": {"type": ["string", "null"]}},
        "additionalProperties": False},
    "ingress": {"type": "object"},
    "debug": ENABLED,
})


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text())


def test_the_values_have_only_documented_keys_of_the_right_types(values):
    jsonschema.validate(values, SCHEMA)


def test_the_schema_refuses_what_the_chart_would_refuse(values):
    for broken in ({"singleuser": {"memory": {"limt": "2G"}}},       # a typo
                   {"cull": {"timeout": "an hour"}},
                   {"singleuser": {"image": {"name": "edunet"}}},     # no tag
                   {"singleuser": {"lifecycleHooks": {"postStart": {"exec": {"command": []}}}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_the_course_is_pulled_limited_and_culled(values):
    user = values["singleuser"]
    command = user["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and command[-1] == "edunet"
    assert user["defaultUrl"].startswith("/lab/tree/edunet/notebooks/")
    assert user["memory"] == {"limit": "2G", "guarantee": "1G"}
    assert user["cpu"] == {"limit": 2, "guarantee": 0.5}
    assert values["cull"] == {"enabled": True, "timeout": 3600, "every": 300}


def test_the_same_limits_as_the_one_machine_hub(values):
    config = (CLASSROOM / "hub" / "jupyterhub_config.py").read_text()
    user = values["singleuser"]
    assert f'c.Spawner.mem_limit = "{user["memory"]["limit"]}"' in config
    assert f'c.Spawner.mem_guarantee = "{user["memory"]["guarantee"]}"' in config
    assert f"c.Spawner.cpu_limit = {float(user['cpu']['limit'])}" in config
    assert "--timeout=3600" in config


def test_hub_config_names_real_jupyterhub_settings(values):
    """hub.config becomes traitlets config of the hub: every class and setting must exist."""
    pytest.importorskip("jupyterhub")
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator

    classes = {"JupyterHub": JupyterHub, "Authenticator": Authenticator,
               "SharedPasswordAuthenticator": importlib.import_module(
                   "jupyterhub.authenticators.shared").SharedPasswordAuthenticator}
    for class_name, settings in values["hub"]["config"].items():
        assert class_name in classes, f"hub.config.{class_name} is not a JupyterHub class here"
        traits = classes[class_name].class_traits(config=True)
        for name, value in settings.items():
            assert name in traits, f"hub.config.{class_name}.{name} is no JupyterHub setting"
            if name != "authenticator_class":        # an entry-point name, resolved at start
                traits[name].validate(classes[class_name](), value)
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
