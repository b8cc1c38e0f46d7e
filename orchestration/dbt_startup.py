"""What dbt's first invocation in a process costs that has nothing to do with the project.

Why: profiling a night's dbt step (S, incremental night, 2026-12-07) found ~0.4 s that dbt
spends in every new process before its first node runs, the same every night:

- dbt validates dbt_project.yml, profiles.yml and its flags against JSON schemas that mashumaro
  builds from dbt's dataclasses on first use: ~0.3 s for the classes a build validates, and the
  same schemas for as long as the installed versions are the same. They are kept in the dbt
  project's target folder beside manifest.json (`json_schemas.json`, keyed by the versions of
  the packages that make them): `orchestration.prepare` writes what its parse built at set-up,
  and a night adds what it had to build; anything not in the file is built as before.
- dbt_common's behaviour flags name the module that declared them from `inspect.stack()`,
  which reads the source lines of every frame on the stack (~0.1 s) for a string in a log
  event. The same module is named here from the frames' globals, without reading any file.

- Jinja compiles every macro, model, test and hook dbt renders into Python again in every
  process (~0.3 s at county scale); the code is kept beside the schemas
  (`orchestration/jinja_code.py`), keyed by each template's source and environment.

All keep dbt's answers: a schema comes from the same dataclass under the same versions, the
flag's source is the same module name, a template's code is what Jinja compiles from the same
source in the same environment. A missing, unreadable or stale cache file is ignored (and
rewritten after the night).
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orchestration import jinja_code
from orchestration.cache_files import package_versions, write_whole

#: The cache file, in the dbt project's target folder (beside manifest.json).
SCHEMA_FILE = "json_schemas.json"
#: The packages whose versions decide what a schema holds.
SCHEMA_PACKAGES = ("dbt-core", "dbt-duckdb", "dbt-adapters", "dbt-common", "mashumaro")

_lock = threading.Lock()
_cached: dict[str, dict[str, Any]] = {}  # read from the file: used before building
_built: dict[str, dict[str, Any]] = {}  # built in this process: written after the night
_build: Callable[[type], dict[str, Any]] | None = None  # dbt's own (lru-cached) builder


@functools.cache
def versions_key() -> str:
    """The installed versions the schemas depend on, as one string (read once a process)."""
    return ";".join(package_versions(SCHEMA_PACKAGES))


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _json_schema(cls: type) -> dict[str, Any]:
    """dbtClassMixin.json_schema: the cached schema of `cls` if there is one, else dbt's."""
    name = class_name(cls)
    schema = _cached.get(name)
    if schema is None:
        assert _build is not None
        schema = _build(cls)
        with _lock:
            _built[name] = schema
    return schema


def flag_source() -> str:
    """BehaviorFlagRendered._default_source: the first module on the stack other than
    dbt_common.behavior_flags (frames without a module, such as Jinja's, are skipped), as
    `inspect.getmodule` would name it."""
    frame = sys._getframe(1)  # noqa: SLF001 - the caller's frame is the question asked
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if name and name != "dbt_common.behavior_flags" and name in sys.modules:
            return name
        frame = frame.f_back
    return "Unknown"


_installed = False


def install() -> None:
    """Route dbt's schema building, the flags' source and Jinja's compilation through this
    module and `jinja_code` (once a process).

    Each is replaced only where dbt still has it in the shape this module was written against
    (dbt-common 1.x: a classmethod `json_schema`, a staticmethod `_default_source`); another
    shape is left as dbt has it, and dbt then simply pays its own start-up."""
    global _build, _installed
    if _installed:
        return
    _installed = True
    jinja_code.install()
    from dbt_common.behavior_flags import BehaviorFlagRendered
    from dbt_common.dataclass_schema import dbtClassMixin

    schema = dbtClassMixin.__dict__.get("json_schema")
    if isinstance(schema, classmethod):
        _build = schema.__func__
        dbtClassMixin.json_schema = classmethod(_json_schema)  # type: ignore[assignment]
    if isinstance(BehaviorFlagRendered.__dict__.get("_default_source"), staticmethod):
        BehaviorFlagRendered._default_source = staticmethod(flag_source)  # type: ignore[method-assign]


def load(cache_dir: Path) -> int:
    """Use the schemas and the templates' code kept in `cache_dir` when they were made under
    these versions; how many schemas were read."""
    jinja_code.load(cache_dir)
    try:
        data = json.loads((cache_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(data, dict) or data.get("versions") != versions_key():
        return 0
    schemas = data.get("schemas")
    if not isinstance(schemas, dict):
        return 0
    with _lock:
        _cached.update(schemas)
    return len(schemas)


def save(cache_dir: Path) -> bool:
    """Keep the schemas this process built in `cache_dir` (merged with what it read), and the
    templates' code (`jinja_code.save`), if there is anything new; whether a file was written.
    Written whole and then renamed, so a reader (another night, another warehouse) never sees
    half a file."""
    code_saved = jinja_code.save(cache_dir)
    with _lock:
        new = {name: schema for name, schema in _built.items() if name not in _cached}
        if not new:
            return code_saved
        schemas = {**_cached, **new}
    payload = {"versions": versions_key(), "schemas": schemas}
    text = json.dumps(payload, sort_keys=True)
    if not write_whole(cache_dir / SCHEMA_FILE, text.encode("utf-8")):
        return code_saved
    with _lock:
        _cached.update(new)
    return True
