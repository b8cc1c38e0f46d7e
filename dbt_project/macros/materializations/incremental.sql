{#-
    The project's `incremental` materialization for DuckDB: it replaces dbt-duckdb's for every
    incremental model here (a root-project materialization wins over the adapter's), and all of
    them are incremental by batch (macros/incremental_batches.sql).

    Why: dbt-duckdb builds an incremental run into a temporary table and then copies it
    (`delete+insert`): the night's rows are materialized twice. For int_roster_resolved at L
    (2 M rows, 60 columns) that was 5.0 s to build the temporary table and 9.3 s to delete and
    copy it, against 8.1 s for the first night's `create table as`. Here the batch pre-hook has
    already deleted the pending batches (batch_incremental_pre_hook), so the model's query is
    inserted straight into the table, by column name, in the same transaction.

    Otherwise as dbt's: `is_incremental()`, pre- and post-hooks in and out of the transaction,
    contracts (the columns asserted before every insert), `on_schema_change` —
    `append_new_columns` adds the query's new columns to the table, `fail` raises, `ignore`
    leaves them out of the insert; a column the query no longer has is left NULL in the new rows
    (as dbt's append_new_columns does). `sync_all_columns` (no model here uses it) is refused.
    A first run, `--full-refresh` or a view in the table's place builds the table from scratch:
    the old relation is dropped and the table created in one transaction.
-#}
{% materialization incremental, adapter='duckdb' -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set rebuild = existing_relation is none or existing_relation.is_view
      or should_full_refresh() -%}

  {%- do begin_node() -%}  {#- pre-hooks, BEGIN (node_transaction.sql) -#}

  {%- if rebuild -%}
    {%- if existing_relation is not none -%}
      {%- do adapter.drop_relation(existing_relation) -%}
    {%- endif -%}
    {%- set build_sql = create_table_as(False, target_relation, sql) -%}
  {%- else -%}
    {%- if config.get('contract').enforced -%}
      {%- do get_assert_columns_equivalent(sql) -%}
    {%- endif -%}
    {%- set columns = batch_incremental_columns(target_relation, sql) -%}
    {%- set build_sql -%}
      insert into {{ target_relation }} by name
      select {{ columns | join(', ') }} from (
        {{ sql }}
      ) as model_subq
    {%- endset -%}
  {%- endif -%}

  {% call statement('main') -%}
    {{ build_sql }}
  {%- endcall %}

  {%- do end_node(target_relation) -%}  {#- post-hooks, COMMIT (node_transaction.sql) -#}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}

{#- The (quoted) columns to insert, after on_schema_change: the query's columns the table lacks
    are added (append_new_columns), refused (fail) or left out (ignore). One query answers both
    questions, what the query returns and which of it the table has: dbt's own way is two
    (the table's columns, then a DESCRIBE of the query), ~10 ms each at county scale. -#}
{% macro batch_incremental_columns(target_relation, sql) -%}
  {%- set mode = incremental_validate_on_schema_change(config.get('on_schema_change'),
      default='ignore') -%}
  {%- if mode == 'sync_all_columns' -%}
    {{ exceptions.raise_compiler_error("on_schema_change='sync_all_columns' is not supported by"
        ~ " the project's incremental materialization (" ~ this ~ "): use append_new_columns") }}
  {%- endif -%}
  {%- set probe -%}
    select query.column_name, query.column_type, lower(query.column_name) in (
        select lower(column_name) from duckdb_columns()
        where lower(database_name) = lower('{{ target_relation.database }}')
            and lower(schema_name) = lower('{{ target_relation.schema }}')
            and lower(table_name) = lower('{{ target_relation.identifier }}')
    ) as in_table
    from (describe {{ get_empty_subquery_sql(sql, config.get('sql_header', none)) }}) as query
  {%- endset -%}
  {%- set columns = [] -%}
  {%- set added = [] -%}
  {#- `| string`: run_query's agate table guesses each column's type from its values, so a
      column named like a number or a date comes back as one -#}
  {%- for row in run_query(probe).rows -%}
    {%- set name = row[0] | string -%}
    {%- if row[2] -%}
      {%- do columns.append(adapter.quote(name)) -%}
    {%- elif mode == 'append_new_columns' -%}
      {%- do added.append((name, row[1] | string)) -%}
      {%- do columns.append(adapter.quote(name)) -%}
    {%- elif mode == 'fail' -%}
      {{ exceptions.raise_compiler_error("The query of " ~ this ~ " has a column its table has"
          ~ " not: " ~ name ~ " (on_schema_change='fail'); run with --full-refresh") }}
    {%- endif -%}
  {%- endfor -%}
  {%- for name, data_type in added -%}
    {%- do run_query("alter table " ~ target_relation ~ " add column "
        ~ adapter.quote(name) ~ " " ~ data_type) -%}
  {%- endfor -%}
  {{- return(columns) -}}
{%- endmacro %}
