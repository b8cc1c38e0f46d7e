"""The project's own `view` and `incremental` materializations (dbt_project/macros/
materializations), on a project of a few lines that uses only them.

Why a project of its own: the cases here — a view whose contract no longer matches, a model
whose query gains a column under each `on_schema_change` — are not in the real project, whose
models all agree with their contracts and use `append_new_columns`. The real project's nights
are tested in test_incremental.py.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import duckdb
import pytest
from dbt_harness import DBT_DIR, invoke

PROJECT = """
name: materializations
version: "1.0.0"
config-version: 2
profile: materializations
flags:
  send_anonymous_usage_stats: false
"""

PROFILES = """
materializations:
  target: test
  outputs:
    test:
      type: duckdb
      path: "{path}"
      threads: 1
"""


class Project:
    """A dbt project in a temporary folder with the real project's materializations."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "test.duckdb"
        (root / "models").mkdir(parents=True)
        shutil.copytree(DBT_DIR / "macros" / "materializations", root / "macros")
        (root / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
        (root / "profiles.yml").write_text(PROFILES.format(path=self.db), encoding="utf-8")

    def model(self, name: str, sql: str, yml: str | None = None) -> None:
        (self.root / "models" / f"{name}.sql").write_text(textwrap.dedent(sql), encoding="utf-8")
        if yml is not None:
            (self.root / "models" / f"{name}.yml").write_text(
                textwrap.dedent(yml), encoding="utf-8"
            )

    def build(self) -> tuple[bool, str]:
        """`dbt run` in this process; (success, the statements and errors it logged)."""
        log = self.root / "target" / "dbt.log"
        start = log.stat().st_size if log.exists() else 0
        target = str(self.root / "target")
        args = ["run", "--project-dir", str(self.root), "--profiles-dir", str(self.root)]
        result = invoke([*args, "--target-path", target, "--log-path", target, "--quiet"])
        with log.open("rb") as f:
            f.seek(start)
            logged = f.read().decode("utf-8", errors="replace")
        return bool(result.success), logged

    def rows(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


VIEW_CONTRACT = """
models:
  - name: people
    config:
      materialized: view
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
      - name: name
        data_type: varchar
"""


def test_a_view_is_replaced_in_one_statement(project: Project) -> None:
    """The second build replaces the view with `create or replace view`: no temporary view,
    no rename, and the view answers with the new query."""
    project.model("people", "select 1 as id, 'a' as name", VIEW_CONTRACT)
    ok, _ = project.build()
    assert ok
    project.model("people", "select 2 as id, 'b' as name")
    ok, logged = project.build()
    assert ok
    assert 'create or replace view "test"."main"."people"' in logged
    assert "__dbt_tmp" not in logged and "rename" not in logged
    assert project.rows("select * from people") == [(2, "b")]


def test_a_view_that_breaks_its_contract_is_refused_and_the_old_view_stays(
    project: Project,
) -> None:
    project.model("people", "select 1 as id, 'a' as name", VIEW_CONTRACT)
    assert project.build()[0]
    project.model("people", "select 2 as id, 'b' as name, 3 as extra")
    ok, logged = project.build()
    assert not ok
    assert "contract" in logged.lower()
    assert project.rows("select * from people") == [(1, "a")]


def _table_where_the_view_goes(project: Project) -> None:
    """A table named as the view (as an earlier release or an operator left it)."""
    con = duckdb.connect(str(project.db))
    try:
        con.execute("create table people as select 9 as id, 'z' as name")
    finally:
        con.close()


def _kind_of_people(project: Project) -> list[tuple]:
    return project.rows(
        "select table_type from information_schema.tables where table_name = 'people'"
    )


def test_a_table_in_the_views_place_is_replaced(project: Project) -> None:
    project.model("people", "select 1 as id, 'a' as name", VIEW_CONTRACT)
    _table_where_the_view_goes(project)
    assert project.build()[0]
    kind = _kind_of_people(project)
    assert kind == [("VIEW",)]
    assert project.rows("select * from people") == [(1, "a")]


def test_a_broken_contract_leaves_a_table_in_the_views_place(project: Project) -> None:
    """The contract is asserted before the table in the view's place is dropped."""
    project.model("people", "select 1 as id, 'a' as name, 3 as extra", VIEW_CONTRACT)
    _table_where_the_view_goes(project)
    assert not project.build()[0]
    kind = _kind_of_people(project)
    assert kind == [("BASE TABLE",)]
    assert project.rows("select * from people") == [(9, "z")]


def _incremental(project: Project, mode: str, sql: str) -> None:
    config = f"{{{{ config(materialized='incremental', on_schema_change='{mode}') }}}}\n"
    project.model("events", config + sql)


@pytest.mark.parametrize(
    ("mode", "columns", "second_rows"),
    [
        ("append_new_columns", ["id", "note", "extra"], [(2, "b", "x")]),
        ("ignore", ["id", "note"], [(2, "b")]),
    ],
)
def test_a_column_new_to_the_query(
    project: Project, mode: str, columns: list[str], second_rows: list[tuple]
) -> None:
    """append_new_columns adds the column (earlier rows NULL), ignore leaves it out of the
    insert; either way the night's rows are inserted into the table, not rebuilt."""
    _incremental(project, mode, "select 1 as id, 'a' as note")
    assert project.build()[0]
    _incremental(project, mode, "select 2 as id, 'b' as note, 'x' as extra")
    ok, logged = project.build()
    assert ok
    assert 'insert into "test"."main"."events" by name' in logged
    got = project.rows(
        "select column_name from information_schema.columns "
        "where table_name = 'events' order by ordinal_position"
    )
    assert [c for (c,) in got] == columns
    rows = project.rows(f"select {', '.join(columns)} from events order by id")
    assert rows[0][:2] == (1, "a") and all(v is None for v in rows[0][2:])
    assert rows[1:] == second_rows


def test_a_new_column_named_like_a_number_is_added_by_its_name(project: Project) -> None:
    """The column list comes from a query whose result dbt types by guessing: a column named
    2024 must stay the column "2024", not become a number."""
    _incremental(project, "append_new_columns", "select 1 as id")
    assert project.build()[0]
    _incremental(project, "append_new_columns", 'select 2 as id, 7 as "2024"')
    assert project.build()[0]
    assert project.rows('select id, "2024" from events order by id') == [(1, None), (2, 7)]


def test_a_column_new_to_the_query_fails_under_fail(project: Project) -> None:
    _incremental(project, "fail", "select 1 as id")
    assert project.build()[0]
    _incremental(project, "fail", "select 2 as id, 'x' as extra")
    ok, logged = project.build()
    assert not ok
    assert "has a column its table has not: extra" in logged
    assert project.rows("select * from events") == [(1,)]


def test_sync_all_columns_is_refused(project: Project) -> None:
    _incremental(project, "sync_all_columns", "select 1 as id")
    assert project.build()[0]  # the first build creates the table; the mode matters after
    ok, logged = project.build()
    assert not ok
    assert "sync_all_columns" in logged and "not supported" in logged


@pytest.mark.parametrize("materialized", ["view", "incremental"])
def test_hooks_run_around_the_node(project: Project, materialized: str) -> None:
    """Pre- and post-hooks, in and out of the transaction (node_transaction.sql), on the first
    build and the next."""
    hooks = (
        "pre_hook=[{'sql': \"create table if not exists hook_log (step varchar)\", "
        "'transaction': false}, \"insert into hook_log values ('pre')\"], "
        "post_hook=[\"insert into hook_log values ('post')\", "
        "{'sql': \"insert into hook_log values ('after')\", 'transaction': false}]"
    )
    project.model(
        "hooked", f"{{{{ config(materialized='{materialized}', {hooks}) }}}}\nselect 1 as id"
    )
    assert project.build()[0]
    assert project.build()[0]
    steps = [s for (s,) in project.rows("select step from hook_log")]
    assert steps == ["pre", "post", "after"] * 2
