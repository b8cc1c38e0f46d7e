"""orchestration/jinja_code.py: Jinja's compiled templates kept between nights.

What must hold: the kept code is what runs (a planted code under a template's key renders in
its place), only under the versions and environment it was made with, and a key never stands
for two codes: over every macro of the project and of dbt, and every model and test of the
manifest, in each environment dbt compiles with, templates of one key compile to equal code.
Cases that load or install the cache run in a fresh interpreter (`in_fresh_process`): the patch
is process-wide.
"""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import dbt.include.global_project
import jinja2
import pytest
from fresh_process import REPO, in_fresh_process

from orchestration import jinja_code

HEADER = "from orchestration import jinja_code\n"

#: Two templates, rendered in dbt's text environment.
RENDER = """
jinja_code.install()
read = jinja_code.load(target)
calls = []
own = jinja_code._compile
def counted(*args):
    calls.append(1)
    return own(*args)
jinja_code._compile = counted
from dbt_common.clients.jinja import get_environment
text = get_environment(None, False, native=False)
first = text.from_string("{% for x in ['a', 'b'] %}<{{ x | upper }}>{% endfor %}").render({})
second = text.from_string("{{ 1 + 2 }} and {{ 'b' ~ 'c' }}").render({})
print(json.dumps({"read": read, "first": first, "second": second, "compiled": len(calls),
                  "saved": jinja_code.save(target)}))
"""


def _render(target: Path) -> dict:
    return in_fresh_process(RENDER, target, header=HEADER)


def _kept(target: Path) -> dict:
    return marshal.loads((target / jinja_code.CODE_FILE).read_bytes())


def test_a_night_keeps_the_code_it_compiled_and_the_next_compiles_nothing(tmp_path: Path) -> None:
    cold = _render(tmp_path)
    assert cold["read"] == 0 and cold["compiled"] == 2 and cold["saved"]
    assert (cold["first"], cold["second"]) == ("<A><B>", "3 and bc")
    kept = _kept(tmp_path)
    assert kept["versions"] == jinja_code.versions_key() and len(kept["code"]) == 2
    warm = _render(tmp_path)
    assert warm["read"] == 2 and warm["compiled"] == 0 and not warm["saved"]
    assert (warm["first"], warm["second"]) == ("<A><B>", "3 and bc")


def _swap_codes(target: Path, versions: str | None = None) -> None:
    """Put each kept template's code under the other one's key."""
    kept = _kept(target)
    (key_a, code_a), (key_b, code_b) = kept["code"].items()
    kept["code"] = {key_a: code_b, key_b: code_a}
    kept["versions"] = versions or kept["versions"]
    (target / jinja_code.CODE_FILE).write_bytes(marshal.dumps(kept))


def test_the_kept_code_is_the_code_that_runs(tmp_path: Path) -> None:
    _render(tmp_path)
    _swap_codes(tmp_path)
    swapped = _render(tmp_path)
    assert swapped["compiled"] == 0
    assert (swapped["first"], swapped["second"]) == ("3 and bc", "<A><B>")


def test_code_of_other_versions_is_not_used(tmp_path: Path) -> None:
    _render(tmp_path)
    _swap_codes(tmp_path, versions="jinja2==0.0.1")
    got = _render(tmp_path)
    assert got["read"] == 0 and got["compiled"] == 2 and got["saved"]
    assert (got["first"], got["second"]) == ("<A><B>", "3 and bc")
    assert _kept(tmp_path)["versions"] == jinja_code.versions_key()  # rewritten


@pytest.mark.parametrize(
    "content",
    [b"not marshal", marshal.dumps([1, 2]), marshal.dumps({"versions": 1})],
    ids=["not marshal", "a list", "no code"],
)
def test_an_unreadable_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    (tmp_path / jinja_code.CODE_FILE).write_bytes(content)
    got = _render(tmp_path)
    assert got["read"] == 0 and got["compiled"] == 2 and got["first"] == "<A><B>"


def test_dbt_macro_debugging_compiles_as_dbt_does(tmp_path: Path) -> None:
    """With DBT_MACRO_DEBUGGING, dbt keeps the generated source for tracebacks in `_compile`,
    so every template compiles (and nothing is kept)."""
    _render(tmp_path)
    got = in_fresh_process(
        "import dbt_common.clients.jinja as j\nj.MACRO_DEBUGGING = True\n" + RENDER,
        tmp_path,
        header=HEADER,
    )
    assert got["read"] == 2 and got["compiled"] == 2 and not got["saved"]


def test_a_full_file_keeps_only_what_the_last_night_used(tmp_path: Path) -> None:
    _render(tmp_path)
    kept = _kept(tmp_path)
    stale = {f"{i:064x}": marshal.dumps(compile("x = 1", "<t>", "exec")) for i in range(20)}
    kept["code"].update(stale)
    (tmp_path / jinja_code.CODE_FILE).write_bytes(marshal.dumps(kept))
    got = in_fresh_process(
        "jinja_code.MAX_TEMPLATES = 10\n"
        + RENDER.replace('text.from_string("{{ 1 + 2 }}', 'text.from_string("{{ 2 + 2 }}'),
        tmp_path,
        header=HEADER,
    )
    assert got["read"] == 22 and got["compiled"] == 1 and got["saved"]
    assert len(_kept(tmp_path)["code"]) == 2  # the two templates of this night


# --- the key ------------------------------------------------------------------------------------


def _environments() -> dict[str, jinja2.Environment]:
    """The environments dbt compiles with: text and native, with and without macro capture."""
    from dbt_common.clients.jinja import get_environment

    return {
        f"{'native' if native else 'text'}{'+capture' if capture else ''}": get_environment(
            None, capture, native=native
        )
        for native in (False, True)
        for capture in (False, True)
    }


def _project_templates() -> list[str]:
    """Every macro file of the project and of dbt's global project, and the raw code of every
    model, test and hook the manifest holds."""
    roots = [REPO / "dbt_project" / "macros", REPO / "dbt_project" / "tests" / "generic"]
    roots.append(Path(dbt.include.global_project.__file__).parent / "macros")
    sources = [p.read_text(encoding="utf-8") for root in roots for p in sorted(root.rglob("*.sql"))]
    manifest = REPO / "dbt_project" / "target" / "manifest.json"
    if manifest.exists():  # written by `make setup` (orchestration.prepare)
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
        sources += [node["raw_code"] for node in nodes if node.get("raw_code")]
    return sources


def test_one_key_is_one_code_for_every_template_of_the_project() -> None:
    # Jinja's own compilation, not the cache (which another test may have installed)
    compile_ = jinja_code._compile or jinja2.Environment.compile  # noqa: SLF001
    envs = _environments()
    by_key: dict[str, object] = {}
    keys_per_env: dict[str, set[str]] = {name: set() for name in envs}
    templates = _project_templates()
    assert len(templates) > 100
    for source in templates:
        for name, env in envs.items():
            key = jinja_code.template_key(env, source, None, None, False)
            try:
                code = compile_(env, source, None, None, False, False)
            except jinja2.TemplateSyntaxError:
                code = "syntax error"
            assert by_key.setdefault(key, code) == code, (name, source[:200])
            keys_per_env[name].add(key)
    # macro capture changes only `undefined`, which the code looks up when it runs: one key
    assert keys_per_env["text"] == keys_per_env["text+capture"]
    assert keys_per_env["native"] == keys_per_env["native+capture"]
    assert not keys_per_env["text"] & keys_per_env["native"]  # another code generator


def test_the_key_changes_with_what_the_code_depends_on() -> None:
    from dbt_common.clients.jinja import get_environment

    env = get_environment(None, False, native=False)
    source = "{{ x | upper }}{% do y.append(1) %}"

    def key(e: jinja2.Environment = env, **kw: object) -> str:
        args = {"source": source, "name": None, "filename": None, "defer_init": False, **kw}
        return jinja_code.template_key(e, **args)  # type: ignore[arg-type]

    base = key()
    assert key() == base
    assert key(source=source + " ") != base
    assert key(name="m") != base and key(filename="f.sql") != base
    assert key(defer_init=True) != base
    variants = []
    for change in (
        lambda e: setattr(e, "trim_blocks", True),
        lambda e: setattr(e, "variable_start_string", "[["),
        lambda e: setattr(e, "optimized", False),
        lambda e: e.filters.pop("upper"),
        lambda e: e.filters.__setitem__("upper", jinja2.pass_context(lambda c, v: v)),
        lambda e: e.tests.__setitem__("odd", jinja2.pass_environment(lambda e, v: v)),
        lambda e: setattr(e, "finalize", str),
        lambda e: e.extensions.pop("jinja2.ext.ExprStmtExtension"),
    ):
        other = get_environment(None, False, native=False)
        change(other)
        variants.append(key(other))
    assert base not in variants and len(set(variants)) == len(variants)
