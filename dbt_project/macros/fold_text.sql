{#-
    Text folding for name matching (contract: "the same after folding full-width characters and
    removing all spaces"): full-width ASCII U+FF01–U+FF5E → U+0021–U+007E, ideographic and
    no-break spaces → space, then every whitespace character removed.
-#}
{% macro fold_text(expr) -%}
    regexp_replace(translate({{ expr }}, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 ', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  '), '\s', '', 'g')
{%- endmacro %}
