{#- The columns that identify a record of each raw table (<source>.<table> -> key columns), as staging
    deduplicates it ("latest load wins" per key). The audit models use it to count superseded rows and to
    name a record: its record_id is the key, cast to text, parts joined by '|'. -#}
{% macro raw_table_keys() %}
    {{ return({
        'salesforce.account': ['id'],
        'salesforce.user': ['id'],
        'salesforce.lead': ['id'],
        'salesforce.contact': ['id'],
        'salesforce.opportunity': ['id'],
        'salesforce.opportunity_history': ['id'],
        'salesforce.opportunity_contact_role': ['id'],
        'salesforce.task': ['id'],
        'salesforce.campaign': ['id'],
        'salesforce.campaign_member': ['id'],
        'google_ads.campaign_stats': ['campaign_id', 'date'],
        'linkedin_ads.ad_analytics_by_campaign': ['campaign_id', 'day'],
        'facebook_ads.basic_campaign': ['campaign_id', 'date'],
        'finance.expenses': ['id'],
        'finance.fx_rates': ['currency_code', 'date'],
        'billing.subscription': ['id'],
    }) }}
{% endmacro %}
