{#- Whether an open deal is stalled: in its stage more days than the stage's threshold
    (int_stage_stall_thresholds). The one definition, for today's deals (int_opportunities_enriched) and for
    every past snapshot (fct_pipeline_snapshots). -#}
{% macro is_stalled(is_open, days_in_stage, stalled_after_days) %}
    coalesce({{ is_open }} and {{ days_in_stage }} > {{ stalled_after_days }}, false)
{% endmacro %}
