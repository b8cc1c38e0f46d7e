"""orchestration/dbt_startup.py: dbt's JSON schemas kept between nights, and the behaviour
flags' source named without `inspect.stack()`.

The schema cache is process-wide state, so its cases run in a fresh interpreter each
(`_in_fresh_process`): what one case loads must not leak into the dbt runs of other tests.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from fresh_process import in_fresh_process

from orchestration import dbt_startup


def _in_fresh_process(code: str, target: Path) -> dict:
    return in_fresh_process(code, target, header="from orchestration import dbt_startup\n")


VALIDATE_FLAGS = """
dbt_startup.install()
read = dbt_startup.load(target)
from dbt.contracts.project import ProjectFlags
try:
    ProjectFlags.validate({"send_anonymous_usage_stats": False})
    valid = True
except Exception:
    valid = False
print(json.dumps({"read": read, "valid": valid, "saved": dbt_startup.save(target),
                  "schema": ProjectFlags.json_schema()}))
"""


def test_a_night_keeps_the_schemas_it_built_and_the_next_uses_them(tmp_path: Path) -> None:
    first = _in_fresh_process(VALIDATE_FLAGS, tmp_path)
    assert first["read"] == 0 and first["valid"] and first["saved"]
    kept = json.loads((tmp_path / dbt_startup.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert kept["versions"] == dbt_startup.versions_key()
    name = "dbt.contracts.project.ProjectFlags"
    assert kept["schemas"][name] == first["schema"]  # what dbt built, through JSON and back
    second = _in_fresh_process(VALIDATE_FLAGS, tmp_path)
    assert second["read"] == len(kept["schemas"]) and second["valid"]
    assert not second["saved"]  # nothing new: the file is not rewritten


def _plant(target: Path, versions: str) -> None:
    """A cached ProjectFlags schema that accepts nothing: if it is used, validation fails."""
    target.mkdir(parents=True, exist_ok=True)
    payload = {"versions": versions, "schemas": {"dbt.contracts.project.ProjectFlags": {"not": {}}}}
    (target / dbt_startup.SCHEMA_FILE).write_text(json.dumps(payload), encoding="utf-8")


def test_the_cached_schema_is_the_one_dbt_validates_with(tmp_path: Path) -> None:
    _plant(tmp_path, dbt_startup.versions_key())
    got = _in_fresh_process(VALIDATE_FLAGS, tmp_path)
    assert got["read"] == 1 and not got["valid"]


def test_schemas_of_other_versions_are_not_used(tmp_path: Path) -> None:
    _plant(tmp_path, "dbt-core==0.0.1")
    got = _in_fresh_process(VALIDATE_FLAGS, tmp_path)
    assert got["read"] == 0 and got["valid"] and got["saved"]
    kept = json.loads((tmp_path / dbt_startup.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert kept["versions"] == dbt_startup.versions_key()  # rewritten for these versions
    assert kept["schemas"]["dbt.contracts.project.ProjectFlags"] != {"not": {}}


def test_an_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / dbt_startup.SCHEMA_FILE).write_text("{not json", encoding="utf-8")
    got = _in_fresh_process(VALIDATE_FLAGS, tmp_path)
    assert got["read"] == 0 and got["valid"] and got["saved"]


def _source_as_dbt_common_names_it() -> str:
    """dbt_common's own answer: the first module on the stack other than behavior_flags."""
    for frame in inspect.stack():
        module = inspect.getmodule(frame[0])
        if module and module.__name__ != "dbt_common.behavior_flags":
            return module.__name__
    return "Unknown"


def test_the_flag_source_is_the_module_dbt_common_would_name() -> None:
    from dbt_common.behavior_flags import BehaviorFlagRendered

    dbt_startup.install()
    flag = BehaviorFlagRendered({"name": "some_flag", "default": False, "docs_url": "x"}, {})
    assert flag._behavior_change_event.flag_source == __name__  # noqa: SLF001
    assert dbt_startup.flag_source() == _source_as_dbt_common_names_it() == __name__


def test_a_dbt_of_another_shape_is_left_as_it_is(tmp_path: Path) -> None:
    """Where `json_schema` is not the classmethod this module expects, install() leaves it
    (and validation) to dbt, and nothing is kept."""
    got = _in_fresh_process(
        """
        from dbt_common.dataclass_schema import dbtClassMixin
        own = dbtClassMixin.__dict__["json_schema"].__func__
        class Schema:  # another shape of the same answer: a descriptor, not a classmethod
            def __get__(self, obj, cls):
                return lambda: own(cls)
        dbtClassMixin.json_schema = Schema()
        replaced = dbtClassMixin.__dict__["json_schema"]
        dbt_startup.install()
        from dbt.contracts.project import ProjectFlags
        ProjectFlags.validate({"send_anonymous_usage_stats": False})
        print(json.dumps({"untouched": dbtClassMixin.__dict__["json_schema"] is replaced,
                          "saved": dbt_startup.save(target)}))
        """,
        tmp_path,
    )
    assert got == {"untouched": True, "saved": False}
