{#-
    Text folding for name matching (contract: "the same after folding full-width characters and
    removing all spaces"): full-width ASCII U+FF01–U+FF5E → U+0021–U+007E, ideographic and
    no-break spaces → space, then every whitespace character removed.

    Only text holding one of those characters is translated: DuckDB's translate() costs ~3 µs a
    name with this 96-character map (2 M names took 6.7 s; the check 0.15 s), and almost every
    name has none of them. The check's class is the translated characters and the `\s` removed
    afterwards, so a name it passes over is one the fold would return unchanged.
-#}
{% macro fold_text(expr) -%}
    {#- block sets: their text is taken as it is (no escapes, nothing trimmed) -#}
    {% set wide %}！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 {% endset %}
    {% set narrow %}!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  {% endset %}
    case
        when regexp_matches({{ expr }}, '[\s{{ wide }}]')
            then regexp_replace(translate({{ expr }}, '{{ wide }}', '{{ narrow }}'), '\s', '', 'g')
        else {{ expr }}
    end
{%- endmacro %}
