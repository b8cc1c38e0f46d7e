"""Jinja's compiled templates kept between nights (for dbt's first invocation in a process).

Why: dbt turns every macro, model, test and hook it renders into Python with Jinja
(`Environment.compile`: lex, parse, generate Python source, `compile()`), in every new process,
and a night is a new process. At county scale (S, incremental night, 2026-12-08) that was ~300
compilations of the same ~260 templates every night, ~0.3–0.5 s of CPU on the GIL while dbt's
two threads wait for it. Whole S nights, alternated in fresh worktrees (6 rounds, medians): the
dbt step took 2.76 s with the code kept against 3.06 s without on the incremental night, 3.40
against 3.82 s on the first (docs/benchmarks.md).

Jinja's own bytecode cache does the same for templates loaded by name (keyed by name and
source, marshalled code objects); dbt builds its templates from strings
(`Environment.from_string`), which that cache never sees, so the cache sits under
`Environment.compile` itself. A template's code depends on its source and on the environment
that compiles it, so the key is a digest of both: the source, its name, filename and
`defer_init`, and everything of the environment that Jinja's lexer, parser and code generator
read (its class and code generator, extensions, delimiters and whitespace options, `optimized`,
`is_async`, the sandbox's intercepted operators, `finalize`, and every filter and test by name
with how it is passed its context: the generator writes that into the code). `undefined` is not
in the key: the generated code looks it up in the environment when it runs. Anything else
compiles as before: a `raw` compilation, a parsed node instead of source text, and every
template while dbt's `DBT_MACRO_DEBUGGING` is set (dbt then keeps the generated source for
tracebacks, in `_compile`).

The file (`jinja_code.marshal`, beside manifest.json) is keyed by the versions that make the
code (Python's bytecode format, Jinja2, and dbt's packages, which own the environments); a
missing, unreadable or stale file is ignored and rewritten. It holds what the nights use: what
it held plus what a night compiled, or only what the last night used once that passes
MAX_TEMPLATES (a template built from text that changes every night would otherwise grow it).
The file holds code that runs, as the project's macros and Python do: it lives in the project's
own target folder, written only by `make setup` and the nights, and is as trusted as they are.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

from orchestration.cache_files import package_versions, write_whole

#: The cache file, in the dbt project's target folder (beside manifest.json).
CODE_FILE = "jinja_code.marshal"
#: Bump when the key or the file's layout changes.
FORMAT = 1
#: The packages whose versions decide what code a template compiles to.
CODE_PACKAGES = ("jinja2", "markupsafe", "dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb")
#: A file holding more templates than this keeps only those of the last night that used it.
MAX_TEMPLATES = 4096

_lock = threading.Lock()
_kept: dict[str, bytes] = {}  # read from the file: marshalled code objects by key
_codes: dict[str, CodeType] = {}  # compiled or unmarshalled in this process
_used: set[str] = set()  # keys this process compiled or read
_compile: Callable[..., Any] | None = None  # Jinja's own Environment.compile
_installed = False


@functools.cache
def versions_key() -> str:
    """Python's bytecode format and the versions the code depends on (read once a process)."""
    parts = [f"format={FORMAT}", f"python={importlib.util.MAGIC_NUMBER.hex()}"]
    return ";".join(parts + package_versions(CODE_PACKAGES))


def _callable_kind(func: Any) -> str:
    """How Jinja passes a filter, test or finalize its context (the code says it), by name: the
    mark `jinja2.pass_context` and its siblings leave (what `_PassArg.from_obj` reads)."""
    kind = getattr(func, "jinja_pass_arg", None)
    return kind.name if kind is not None else "-"


def environment_signature(env: Any) -> tuple:
    """Everything of `env` that the lexer, parser and code generator of Jinja 3.1 read."""
    finalize = env.finalize
    return (
        f"{type(env).__module__}.{type(env).__qualname__}",
        f"{env.code_generator_class.__module__}.{env.code_generator_class.__qualname__}",
        tuple(sorted(env.extensions)),
        (env.block_start_string, env.block_end_string),
        (env.variable_start_string, env.variable_end_string),
        (env.comment_start_string, env.comment_end_string),
        (env.line_statement_prefix, env.line_comment_prefix),
        (env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline),
        (env.optimized, env.is_async, env.sandboxed),
        tuple(sorted(getattr(env, "intercepted_binops", ()))),
        tuple(sorted(getattr(env, "intercepted_unops", ()))),
        None if finalize is None else _callable_kind(finalize),
        tuple(sorted((name, _callable_kind(f)) for name, f in env.filters.items())),
        tuple(sorted((name, _callable_kind(f)) for name, f in env.tests.items())),
    )


def template_key(
    env: Any, source: str, name: str | None, filename: str | None, defer_init: bool
) -> str:
    text = repr((environment_signature(env), name, filename, defer_init, source))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _macro_debugging() -> bool:
    module = sys.modules.get("dbt_common.clients.jinja")
    return bool(getattr(module, "MACRO_DEBUGGING", False))


def compile_template(
    env: Any,
    source: Any,
    name: str | None = None,
    filename: str | None = None,
    raw: bool = False,
    defer_init: bool = False,
) -> Any:
    """Environment.compile: the kept code of the same template from the same environment, or
    Jinja's compilation (kept for the next template and the next night)."""
    assert _compile is not None
    if raw or not isinstance(source, str) or _macro_debugging():
        return _compile(env, source, name, filename, raw, defer_init)
    key = template_key(env, source, name, filename, defer_init)
    code = _codes.get(key)
    if code is None:
        data = _kept.get(key)
        if data is not None:
            try:
                code = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                code = None
            if not isinstance(code, CodeType):
                code = None
        if code is None:
            code = _compile(env, source, name, filename, raw, defer_init)
        with _lock:
            _codes[key] = code
    _used.add(key)
    return code


def install() -> None:
    """Route Jinja's `Environment.compile` through `compile_template` (once a process). Left as
    Jinja has it where it is not the plain function this module was written against."""
    global _compile, _installed
    if _installed:
        return
    _installed = True
    import jinja2
    from jinja2.utils import internal_code

    own = jinja2.Environment.__dict__.get("compile")
    if callable(own) and not isinstance(own, staticmethod | classmethod):
        _compile = own
        internal_code.add(compile_template.__code__)  # hidden from template tracebacks, as own
        jinja2.Environment.compile = compile_template  # type: ignore[method-assign]


def load(cache_dir: Path) -> int:
    """Use the code kept in `cache_dir` when it was made under these versions; how many
    templates were read."""
    try:
        data = marshal.loads((cache_dir / CODE_FILE).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return 0
    if not isinstance(data, dict) or data.get("versions") != versions_key():
        return 0
    code = data.get("code")
    if not isinstance(code, dict):
        return 0
    kept = {k: v for k, v in code.items() if isinstance(k, str) and isinstance(v, bytes)}
    with _lock:
        _kept.update(kept)
    return len(kept)


def save(cache_dir: Path) -> bool:
    """Keep the code of the templates this process compiled in `cache_dir`, with what the file
    held (or, past MAX_TEMPLATES, only what this process used), if anything is new; whether
    the file was written. Written whole and then renamed, as the schemas are."""
    with _lock:
        new = {k: marshal.dumps(_codes[k]) for k in _used if k not in _kept and k in _codes}
        if not new:
            return False
        kept = {**_kept, **new}
        if len(kept) > MAX_TEMPLATES:
            kept = {k: kept[k] for k in _used if k in kept}
    payload = marshal.dumps({"versions": versions_key(), "code": kept})
    if not write_whole(cache_dir / CODE_FILE, payload):
        return False
    with _lock:
        _kept.clear()
        _kept.update(kept)
    return True
