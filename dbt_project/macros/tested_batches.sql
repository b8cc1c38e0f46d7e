{#-
    Data tests by batch (issue 8). A per-batch relation grows by a batch every night, and a data
    test that reads all of it grows with it: at L (2 M people a batch) the roster mart's grain
    test and the identity-number test took ~0.8 s more together for every batch in the
    warehouse, and the other 33 tests ~0.5 s (node seconds, two threads); a year of nights would
    spend minutes re-checking rows that passed on the night they were built and have not
    changed since.

    So a data test on a per-batch relation checks only the batches it has not yet passed as they
    are now. intermediate.dbt_batches_tested (test_id, batch_date, loaded_at, fingerprint)
    records, in the on-run-end hook record_tested_batches, every such test that passed in the
    run: it then holds for every batch of audit.batches. A batch is still to be tested when that
    ledger has no row for it with the batch's loaded_at (a new or reloaded batch) and the test's
    current fingerprint, and so is every later batch (findings_history's later batches are
    rebuilt when an earlier one is reloaded; ingest loads in date order, so this is the new
    batches on every night but a reload's) (the test's node, its arguments and every model and seed it reads,
    recursively, with the rules and the macros' digest, as for the incremental models: a change
    to any of them tests every batch again). With no ledger yet, under --full-refresh, or with a
    fingerprint the ledger has never seen (a bare `dbt test` without the orchestration's
    macros_digest), every batch is tested. A failed night is discarded whole, ledger included.

    Which tests: those on a model whose config declares `meta: {batch_column: <column>}`, of a
    kind whose result over the whole relation is the conjunction of its results batch by batch:
    not_null, accepted_values, relationships (the parent is read whole), expression_is_true, and
    unique_combination_of_columns when the batch column is one of the columns. Any other test
    (`unique` on a column, a test on a model without the declaration) reads every row, as before.
    A singular test opts in with `meta: {batch_column: ...}` in its own config and filters its
    per-batch reads with tested_batches_filter(column).

    The filter is a subquery, not a list of dates looked up first: DuckDB pushes the semi join's
    few dates (the batches from the earliest one still to test onwards) into the scans (a join filter), so the view chain under marts.roster reads only the
    batches to test (at L, 0.30 s for one batch of two, against 0.78 s for both and 0.28 s with
    the date written out), and a night costs no extra round trip per test.
-#}

{% macro batches_tested_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='intermediate',
        identifier='dbt_batches_tested', type='table')) -}}
{%- endmacro %}

{#- The batch column a test filters on, or none when it reads every row (see above). `node` is a
    test node: the context's `model` (a dict) or a result's node (an object). -#}
{% macro test_batch_column(node) -%}
    {%- set meta = node.config.meta or {} -%}
    {%- if meta.get('batch_column') -%}
        {{- return(meta.get('batch_column')) -}}
    {%- endif -%}
    {%- if not node.attached_node or not node.test_metadata -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set attached = graph.nodes.get(node.attached_node) -%}
    {%- set column = ((attached.config.meta or {}).get('batch_column') if attached else none) -%}
    {%- set kind = node.test_metadata.name -%}
    {%- if not column -%}
        {{- return(none) -}}
    {%- elif kind in ('not_null', 'accepted_values', 'relationships', 'expression_is_true') -%}
        {{- return(column) -}}
    {%- elif kind == 'unique_combination_of_columns'
        and column in node.test_metadata.kwargs.get('combination_of_columns', []) -%}
        {{- return(column) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- The test's fingerprint: the batch fingerprint of its node (its checksum and everything it
    reads), with its arguments and `where` (a generic test's checksum does not cover them). -#}
{% macro test_fingerprint(node) -%}
    {%- set metadata = node.test_metadata.kwargs if node.test_metadata else {} -%}
    {%- set text = batch_fingerprint(node.unique_id) ~ '|args=' ~ tojson(metadata, sort_keys=true)
        ~ '|where=' ~ (node.config.where or '') -%}
    {{- return(local_md5(text)) -}}
{%- endmacro %}

{#- SQL predicate on `column` for the running test: its batches still to test; `true` when it
    tests every batch (parse time, no ledger yet, --full-refresh). -#}
{% macro tested_batches_filter(column) -%}
    {%- set ledger = adapter.get_relation(database=target.database, schema='intermediate',
        identifier='dbt_batches_tested') if execute else none -%}
    {%- if ledger is none or flags.FULL_REFRESH -%}
        true
    {%- else -%}
        {{ column }} in (
            select cast(batch_date as date)
            from {{ audit_batches_relation() }}
            where cast(batch_date as date) >= (
                select min(cast(b.batch_date as date))
                from {{ audit_batches_relation() }} as b
                where {{ not_in_ledger(ledger, 'test_id', model.unique_id,
                    test_fingerprint(model)) }}
            )
        )
    {%- endif -%}
{%- endmacro %}

{#- dbt wraps the `model` argument of every generic test in get_where_subquery: dbt's own
    (the `where` config), and the batches still to test for the tests that check by batch. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set column = test_batch_column(model) if execute else none -%}
    {%- if not where and not column -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }}
        where {{ where if where else 'true' }}
            and {{ tested_batches_filter(column) if column else 'true' }}) dbt_subquery
    {%- endset -%}
    {{- return(filtered) -}}
{%- endmacro %}

{#- on-run-end: every test that checks by batch and passed now holds for every batch of
    audit.batches, under its current fingerprint. One script, one round trip. -#}
{% macro record_tested_batches(results) -%}
    {%- if execute -%}
        {%- set ledger = batches_tested_relation() -%}
        {%- set passed = [] -%}
        {%- for res in results -%}
            {%- if res.node.resource_type == 'test' and res.status == 'pass'
                and test_batch_column(res.node) -%}
                {%- do passed.append("('" ~ res.node.unique_id ~ "', '"
                    ~ test_fingerprint(res.node) ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query(ledger_script(ledger, 'test_id', passed)) -%}
    {%- endif -%}
{%- endmacro %}
