"""dbt_like_sql."""
