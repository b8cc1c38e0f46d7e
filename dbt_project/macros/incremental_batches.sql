{#-
    Incremental by batch (issue 8). Every per-batch model is materialized incremental with
    delete+insert on its batch column and processes only the batches it has not built yet.

    Which batches are "built" is kept in a small bookkeeping table, intermediate.dbt_batches_built
    (model_name, batch_date, loaded_at, fingerprint), written by the on-run-end hook
    record_built_batches for every incremental model that succeeded in the run. A batch is
    pending for a model when audit.batches has it with no matching row there:
      * a new batch (not built yet);
      * a reloaded batch (same date, other loaded_at: the rows were replaced);
      * a changed model: the fingerprint covers the SQL files of the model and of every model and
        seed it reads (node checksums), the rules thresholds (var('rules')) and the bookkeeping
        version below; any change makes every batch pending, so the history is rebuilt with the
        new logic and the new thresholds instead of mixing old and new.
    No bookkeeping rows for a model (first run after this change, or the hook did not run) means
    every batch is pending: the safe direction, never the other way round, because the hook only
    records models that succeeded and after they succeeded.

    A pre-hook (batch_incremental_pre_hook) deletes the pending batches and any batch no longer in
    audit.batches from the existing table, so a reloaded batch that now yields no rows leaves
    none behind; delete+insert then inserts the pending batches.
    findings_history (first_seen reads the earlier batches) rebuilds from its earliest pending
    batch onwards (from_earliest=true), which is the new batches only when batches arrive in
    date order, as ingest enforces.

    A change to a macro alone does not change any node checksum, and dbt gives Jinja no macro
    checksums: the orchestration passes a digest of every macro file as var('macros_digest')
    (orchestration/config.py), which the fingerprint covers. A bare `dbt build` without that var
    fingerprints with an empty digest, so alternating the two rebuilds everything (safe, slow);
    bump batch_logic_version (or run `dbt build --full-refresh`) after a macro change there.
-#}

{% macro batch_logic_version() -%}1{%- endmacro %}

{% macro batch_ledger_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='intermediate',
        identifier='dbt_batches_built', type='table')) -}}
{%- endmacro %}

{#- audit.batches by name, not source(): these macros also run in hooks, where no model
    declares the dependency (every model reading it reaches raw.* through staging anyway) -#}
{% macro audit_batches_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='audit',
        identifier='batches', type='table')) -}}
{%- endmacro %}

{#- checksums of the node and everything it reads (models, seeds), recursively -#}
{% macro _collect_checksums(unique_id, seen, parts) -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is not none -%}
        {%- do parts.append(unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- for parent in node.depends_on.nodes -%}
            {%- if parent not in seen -%}
                {%- do seen.append(parent) -%}
                {%- do _collect_checksums(parent, seen, parts) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro batch_fingerprint(unique_id) -%}
    {%- set seen = [unique_id] -%}
    {%- set parts = [] -%}
    {%- do _collect_checksums(unique_id, seen, parts) -%}
    {%- set text = (parts | sort | join('|')) ~ '|rules=' ~ tojson(var('rules'), sort_keys=true)
        ~ '|macros=' ~ var('macros_digest', '') ~ '|v=' ~ batch_logic_version() -%}
    {{- return(local_md5(text)) -}}
{%- endmacro %}

{#- A query of the batch dates this model has to (re)build (one column, a date per row). The
    model's SQL runs it once (pending_batches) and the pre-hook uses it as a subquery
    (batch_incremental_pre_hook): both read the same ledger, which only the on-run-end hook
    writes, so they agree, and a night costs one round trip to DuckDB per model, not two. -#}
{% macro pending_batches_sql(from_earliest=false) -%}
    {%- set ledger = adapter.get_relation(database=target.database, schema='intermediate',
        identifier='dbt_batches_built') -%}
    {%- set batches = audit_batches_relation() -%}
    {%- if ledger is none -%}
        {%- set sql = "select distinct cast(batch_date as date) as batch_date from " ~ batches -%}
    {%- else -%}
        {%- set sql -%}
            select distinct cast(b.batch_date as date) as batch_date
            from {{ batches }} as b
            where {{ not_in_ledger(ledger, 'model_name', model.name,
                batch_fingerprint(model.unique_id)) }}
        {%- endset -%}
    {%- endif -%}
    {%- if from_earliest -%}
        {%- set sql -%}
            select distinct cast(batch_date as date) as batch_date from {{ batches }}
            where cast(batch_date as date) >= (select min(batch_date) from ({{ sql }}) as pending)
        {%- endset -%}
    {%- endif -%}
    {{- return(sql) -}}
{%- endmacro %}

{#- The batch dates this model has to (re)build, as ISO strings; none when not incremental. -#}
{% macro pending_batches(from_earliest=false) -%}
    {%- if not execute or not is_incremental() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set dates = run_query(pending_batches_sql(from_earliest)).columns[0].values()
        | map('string') | sort | list -%}
    {{- return(dates) -}}
{%- endmacro %}

{#- SQL predicate: `column` is one of the pending batches (true on a full build).
    Written as `=` for one batch, and with the batches' range before the list for several:
    DuckDB carries an equality or a range across an equi-join on the column to the other side's
    scan, but not an IN list. The models reading the int_roster_resolved view rely on it: the
    view joins every batch's unit references, and only the carried filter keeps a night's join
    to that night's references instead of the whole history's. -#}
{% macro in_pending_batches(column, pending) -%}
    {%- if pending is none -%}
        true
    {%- elif pending | length == 0 -%}
        false
    {%- elif pending | length == 1 -%}
        {{ column }} = date '{{ pending[0] }}'
    {%- else -%}
        ({{ column }} between date '{{ pending | first }}' and date '{{ pending | last }}'
        and {{ column }} in ({% for d in pending %}date '{{ d }}'{{ ', ' if not loop.last }}{% endfor %}))
    {%- endif -%}
{%- endmacro %}

{#- The model's config: incremental, delete+insert on the batch column, stale batches removed. -#}
{% macro incremental_by_batch(key='batch_date', from_earliest=false) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key,
        on_schema_change='append_new_columns',
        pre_hook="{{ batch_incremental_pre_hook('" ~ key ~ "', " ~ (from_earliest | string | lower) ~ ") }}",
    ) }}
{%- endmacro %}

{% macro batch_incremental_pre_hook(key, from_earliest) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in ({{ pending_batches_sql(from_earliest) }})
            or {{ key }} not in (select cast(batch_date as date) from {{ audit_batches_relation() }})
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: every incremental model that succeeded now holds every batch of audit.batches
    (built now or before), with its current fingerprint. One round trip: the statements go to
    DuckDB as one script (a night ran 40 of them, one query each, ~0.3 s at county scale). -#}
{% macro record_built_batches(results) -%}
    {%- if execute -%}
        {%- set ledger = batch_ledger_relation() -%}
        {%- set built = [] -%}
        {%- for res in results -%}
            {%- if res.node.resource_type == 'model'
                and res.node.config.materialized == 'incremental'
                and res.status == 'success' -%}
                {%- do built.append("('" ~ res.node.name ~ "', '"
                    ~ batch_fingerprint(res.node.unique_id) ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query(ledger_script(ledger, 'model_name', built)) -%}
    {%- endif -%}
{%- endmacro %}

{#- SQL predicate on a row `b` of audit.batches: `ledger` has no row for it under `key` (in
    `key_column`) with its date, its loaded_at (a reloaded batch differs) and `fingerprint`.
    What "recorded" means for both ledgers: built models and passed tests. -#}
{% macro not_in_ledger(ledger, key_column, key, fingerprint) -%}
    not exists (
        select 1
        from {{ ledger }} as k
        where k.{{ key_column }} = '{{ key }}'
            and k.batch_date = cast(b.batch_date as date)
            and k.loaded_at is not distinct from cast(b.loaded_at as timestamp)
            and k.fingerprint = '{{ fingerprint }}'
    )
{%- endmacro %}

{#- The script that records, in `ledger` (key_column, batch_date, loaded_at, fingerprint), that
    each of `entries` ("('key', 'fingerprint')" strings) now holds for every batch of
    audit.batches: created where absent, the entries' old rows replaced. Shared by the ledger of
    built models and the ledger of passed tests (macros/tested_batches.sql). -#}
{% macro ledger_script(ledger, key_column, entries) -%}
    create schema if not exists {{ ledger.schema }};
    create table if not exists {{ ledger }}
        ({{ key_column }} varchar, batch_date date, loaded_at timestamp, fingerprint varchar);
    {%- if entries %}
    delete from {{ ledger }}
    where {{ key_column }} in (select entry_key from (values {{ entries | join(', ') }})
        as entries (entry_key, fingerprint));
    insert into {{ ledger }}
    select entries.entry_key, cast(b.batch_date as date), cast(b.loaded_at as timestamp),
        entries.fingerprint
    from (values {{ entries | join(', ') }}) as entries (entry_key, fingerprint)
    cross join {{ audit_batches_relation() }} as b;
    {%- endif %}
{%- endmacro %}
