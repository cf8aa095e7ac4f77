"""Tasks (sales and marketing activities) and campaign members of one chunk."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_DATE,
    NO_TIME,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_MINUTE,
    categories,
    dates,
    table,
    take,
    timestamps,
    to_date,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.crm import Crm
from revenue_engine.generate.ids import record_numbers, salesforce_ids
from revenue_engine.generate.leads import Leads
from revenue_engine.generate.marketing import KIND_PAID, KIND_TRADESHOW, KIND_WEBINAR, Campaigns
from revenue_engine.generate.people import Users

TASK_PREFIX = "00T"
MEMBER_PREFIX = "00v"
CALL, EMAIL, MEETING = 0, 1, 2
SUBJECT = {name: i for i, name in enumerate(vocab.TASK_SUBJECTS)}


def _spread(
    rng: np.random.Generator, start: np.ndarray, end: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`counts[i]` random times in [start[i], end[i]): (owner row index, times)."""
    owner = np.repeat(np.arange(counts.size), counts)
    span = np.maximum(end - start, 0)[owner]
    return owner, start[owner] + (rng.random(owner.size) * span).astype(np.int64)


def task_table(
    rng: np.random.Generator,
    slot: int,
    window: Window,
    leads: Leads,
    lead_ids: pa.Array,
    crm: Crm,
    users: Users,
) -> pa.Table:
    """salesforce/task: first touches, lead follow-ups, marketing emails and deal activities."""
    cutoff = window.cutoff_us
    last = cutoff - US_PER_MINUTE
    parts: list[dict[str, np.ndarray]] = []

    # first sales touch of each worked lead
    touched = np.flatnonzero(leads.touch != NO_TIME)
    first_type = np.where(rng.random(touched.size) < 0.6, CALL, EMAIL)
    parts.append(
        {
            "lead": touched,
            "deal": np.full(touched.size, -1),
            "contact": np.full(touched.size, -1),
            "owner": leads.touch_owner[touched],
            "type": first_type,
            "subject": np.where(first_type == CALL, SUBJECT["Call"], SUBJECT["Email: Intro"]),
            "time": leads.touch[touched],
        }
    )
    # follow-ups until the lead is qualified or given up on (two weeks)
    qualified = leads.sql[touched] != NO_TIME
    counts = rng.poisson(np.where(qualified, 1.8, 1.1))
    stop = np.where(qualified, leads.sql[touched], leads.touch[touched] + 14 * US_PER_DAY)
    stop = np.minimum(stop, last)
    row, time = _spread(rng, leads.touch[touched] + 10 * US_PER_MINUTE, stop, counts)
    keep = time < stop[row]
    row, time = row[keep], time[keep]
    follow_type = rng.choice(3, row.size, p=[0.5, 0.4, 0.1])
    follow_subject = np.choose(
        follow_type,
        [SUBJECT["Follow-up call"], SUBJECT["Email: Follow-up"], SUBJECT["Discovery meeting"]],
    )
    parts.append(
        {
            "lead": touched[row],
            "deal": np.full(row.size, -1),
            "contact": np.full(row.size, -1),
            "owner": leads.owner[touched[row]],
            "type": follow_type,
            "subject": follow_subject,
            "time": time,
        }
    )
    # marketing nurture emails, logged by a marketing user
    nurtured = np.flatnonzero(rng.random(leads.count) < 0.08)
    sent = leads.created[nurtured] + rng.integers(60, 20 * 24 * 60, nurtured.size) * US_PER_MINUTE
    keep = sent < last
    nurtured, sent = nurtured[keep], sent[keep]
    parts.append(
        {
            "lead": nurtured,
            "deal": np.full(nurtured.size, -1),
            "contact": np.full(nurtured.size, -1),
            "owner": users.assign(rng, vocab.DEPT_MARKETING, sent // US_PER_DAY),
            "type": np.full(nurtured.size, EMAIL),
            "subject": np.full(nurtured.size, SUBJECT["Marketing email: nurture"]),
            "time": sent,
        }
    )
    # deal activities: more effort per week for poor-fit deals, less on renewals/expansions
    deals = crm.deals
    end = np.minimum(deals.close_time, last)
    weeks = np.maximum(end - deals.created, 0) / (7 * US_PER_DAY)
    effort = vocab.TASK_EFFORT_PER_WEEK[deals.tier.astype(np.int64)] * np.where(
        deals.kind == vocab.KIND_NEW, 1.0, 0.5
    )
    counts = np.minimum(rng.poisson(weeks * effort + 0.5), 80)
    row, time = _spread(rng, deals.created, end, counts)
    role_start = np.searchsorted(crm.role_deal, np.arange(deals.size), side="left")
    role_count = np.searchsorted(crm.role_deal, np.arange(deals.size), side="right") - role_start
    contact = crm.role_contact[
        role_start[row] + (rng.random(row.size) * role_count[row]).astype(np.int64)
    ]
    deal_type = rng.choice(3, row.size, p=[0.35, 0.4, 0.25])
    meeting_subject = rng.choice(
        [SUBJECT["Discovery meeting"], SUBJECT["Demo"], SUBJECT["Proposal review"]], row.size
    )
    parts.append(
        {
            "lead": np.full(row.size, -1),
            "deal": row,
            "contact": contact,
            "owner": deals.owner[row],
            "type": deal_type,
            "subject": np.choose(
                deal_type, [SUBJECT["Follow-up call"], SUBJECT["Email: Follow-up"], meeting_subject]
            ),
            "time": time,
        }
    )
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    count = cols["time"].size
    who = pa.concat_arrays(
        [
            take(lead_ids, cols["lead"][cols["lead"] >= 0]),
            take(crm.contact_ids, cols["contact"][cols["contact"] >= 0]),
        ]
    )
    # lead tasks come first in `parts`, deal tasks last: `who` lines up with the rows
    synced = np.minimum(cols["time"] + rng.integers(10, 8 * 60, count) * US_PER_MINUTE, cutoff)
    if count:
        synced[np.argmax(synced)] = cutoff
    return table(
        "salesforce/task",
        {
            "id": salesforce_ids(TASK_PREFIX, record_numbers(slot, count)),
            "who_id": who,
            "what_id": take(crm.opportunity_ids, cols["deal"]),
            "owner_id": take(users.ids, cols["owner"]),
            "type": categories(vocab.TASK_TYPES, cols["type"]),
            "subject": categories(vocab.TASK_SUBJECTS, cols["subject"]),
            "status": categories(vocab.TASK_STATUSES, np.zeros(count, np.int64)),
            "activity_date": dates(to_date(cols["time"])),
            "created_date": timestamps(cols["time"]),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(synced),
        },
    )


def member_table(
    rng: np.random.Generator,
    slot: int,
    window: Window,
    leads: Leads,
    lead_ids: pa.Array,
    crm: Crm,
    campaigns: Campaigns,
) -> pa.Table:
    """salesforce/campaign_member: the lead's source campaign, plus webinar invitations."""
    cutoff = window.cutoff_us
    members = np.flatnonzero(leads.campaign >= 0)
    campaign = leads.campaign[members]
    kind = campaigns.kind[campaign]
    event_day = campaigns.start_day[campaign]
    attended = (
        (kind == KIND_WEBINAR) & (event_day < window.end_day) & (rng.random(members.size) < 0.7)
    )
    status = np.select(
        [kind == KIND_PAID, attended, kind == KIND_WEBINAR, kind == KIND_TRADESHOW],
        [0, 2, 1, 3],
        default=0,
    )
    created = leads.created[members]
    responded = np.ones(members.size, bool)
    responded_day = created // US_PER_DAY
    # webinar invitations of existing leads
    invited = np.flatnonzero(rng.random(leads.count) < 0.12)
    invite_time = leads.created[invited] + rng.integers(1, 40, invited.size) * US_PER_DAY
    invite_time += rng.integers(0, 10, invited.size) * US_PER_HOUR
    webinar_days = campaigns.start_day[campaigns.webinars]
    slot_index = np.searchsorted(webinar_days, invite_time // US_PER_DAY, side="left")
    keep = (invite_time < cutoff) & (slot_index < webinar_days.size)
    invited, invite_time, slot_index = invited[keep], invite_time[keep], slot_index[keep]
    invite_campaign = campaigns.webinars[slot_index]
    went = (webinar_days[slot_index] < window.end_day) & (rng.random(invited.size) < 0.5)
    lead = np.concatenate([members, invited])
    campaign_all = np.concatenate([campaign, invite_campaign])
    created_all = np.concatenate([created, invite_time])
    status_all = np.concatenate([status, np.where(went, 2, 4)])
    responded_all = np.concatenate([responded, went])
    responded_day_all = np.concatenate(
        [responded_day, np.where(went, webinar_days[slot_index], NO_DATE)]
    )
    count = lead.size
    synced = np.minimum(created_all + rng.integers(10, 8 * 60, count) * US_PER_MINUTE, cutoff)
    if count:
        synced[np.argmax(synced)] = cutoff
    return table(
        "salesforce/campaign_member",
        {
            "id": salesforce_ids(MEMBER_PREFIX, record_numbers(slot, count)),
            "campaign_id": take(campaigns.ids, campaign_all),
            "lead_id": take(lead_ids, lead),
            "contact_id": take(crm.contact_ids, crm.lead_contact[lead]),
            "status": categories(vocab.MEMBER_STATUSES, status_all),
            "has_responded": pa.array(responded_all),
            "first_responded_date": dates(responded_day_all),
            "created_date": timestamps(created_all),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(synced),
        },
    )
