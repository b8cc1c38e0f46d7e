{#-
    The project's `view` materialization for DuckDB: it replaces dbt's default for every view
    here (the staging models and marts.roster).

    Why: dbt builds a view under a temporary name, renames the old one out of the way, renames
    the new one into place and drops the old one: five statements and as many round trips, ~95 ms
    a view at county scale for a statement DuckDB answers in a few milliseconds. DuckDB's
    `create or replace view` does the same in one statement, inside the node's transaction, so
    a reader never sees the view missing.

    Otherwise as dbt's: pre- and post-hooks in and out of the transaction, an enforced contract
    is asserted before anything changes, and a table in the view's place (an earlier release's
    marts.roster) is dropped first, in the same transaction.
-#}
{% materialization view, adapter='duckdb' -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}

  {%- do begin_node() -%}  {#- pre-hooks, BEGIN (node_transaction.sql) -#}

  {%- if config.get('contract').enforced -%}
    {%- do get_assert_columns_equivalent(sql) -%}
  {%- endif -%}
  {%- if existing_relation is not none and not existing_relation.is_view -%}
    {%- do adapter.drop_relation(existing_relation) -%}
  {%- endif -%}
  {%- set sql_header = config.get('sql_header', none) -%}

  {% call statement('main') -%}
    {{ sql_header if sql_header is not none }}
    create or replace view {{ target_relation }} as (
      {{ sql }}
    );
  {%- endcall %}

  {%- do end_node(target_relation) -%}  {#- post-hooks, COMMIT (node_transaction.sql) -#}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
