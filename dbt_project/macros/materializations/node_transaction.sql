{#-
    The hooks and the transaction around a node's statements, shared by the project's `view` and
    `incremental` materializations: as dbt's own materializations run them. `pre_hooks` and
    `post_hooks` are the node's (the materialization's context).
-#}

{#- Pre-hooks outside the transaction, then `BEGIN` and the pre-hooks inside it. -#}
{% macro begin_node() -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
{%- endmacro %}

{#- The relation's docs, the post-hooks inside the transaction, `COMMIT`, the post-hooks after. -#}
{% macro end_node(relation) -%}
  {% do persist_docs(relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do adapter.commit() %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
{%- endmacro %}
