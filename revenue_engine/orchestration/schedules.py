"""Schedules: the nightly build and the hourly freshness check (both stopped until turned on)."""

from __future__ import annotations

import dagster as dg

from revenue_engine.orchestration.jobs import nightly_full_build_job, source_freshness_job

NIGHTLY_CRON = "0 5 * * *"  # daily, 05:00 UTC: after the connectors' overnight sync
FRESHNESS_CRON = "30 * * * *"  # hourly, half past

nightly_full_build_schedule = dg.ScheduleDefinition(
    name="nightly_full_build_schedule",
    job=nightly_full_build_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
source_freshness_schedule = dg.ScheduleDefinition(
    name="source_freshness_schedule",
    job=source_freshness_job,
    cron_schedule=FRESHNESS_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
