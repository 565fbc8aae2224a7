"""Hand-written Slack threads, part A: general, engineering, sre, deploys.

Markup: @@key -> user mention, [[path|label]] -> link to a doc, ("user", "text", "+1d")
marks a reply that lands on a later day (the number is days after the parent).
"""

from .facts import INC14, INC22, INC37, F


def T(channel, key, when, msgs):
    return dict(channel=channel, key=key, when=when, msgs=msgs)


THREADS = [
    # ------------------------------------------------------------------ general
    T(
        "general",
        "gen_kickoff",
        "2026-01-06 16:00",
        [
            (
                "olivia",
                "Happy new year everyone! :tada: Kickoff deck for 2026 is pinned here. Three priorities: ledger correctness, Enterprise expansion in EMEA, and getting the v1 API retired by *September 30*.",
            ),
            (
                "dana",
                "For engineering: the v1 sunset date is locked at "
                + F["v1_sunset"]
                + ". Migration tracking lives in the API overview [[api/overview.md|API overview]].",
            ),
            (
                "carlos",
                "Sales side: EMEA Enterprise target is 40 new logos. Dublin team is hiring 3 AEs.",
            ),
        ],
    ),
    T(
        "general",
        "gen_dublin_move",
        "2026-02-09 10:15",
        [
            (
                "beatriz",
                "Dublin folks: we moved to *2 Grand Canal Square, Floor 4* this week. New badges are at reception, bring photo ID.",
            ),
            ("liam", "Is the old building access still active for picking up stuff from lockers?"),
            (
                "beatriz",
                "Until Friday Feb 13 only. After that facilities clears the lockers and keeps anything left for 30 days.",
            ),
        ],
    ),
    T(
        "general",
        "gen_offsite_date",
        "2026-03-03 15:40",
        [
            (
                "jessica",
                "Do we know when the 2026 company offsite is? Trying to plan a customer trip around it.",
            ),
            (
                "helen",
                "It's *May 12-14 in Lisbon*. Travel booking opens next week in "
                + F["travel_tool"]
                + "; People Ops books the hotel for everyone, you only book flights.",
            ),
            ("jessica", "Perfect, thanks!"),
        ],
    ),
    T(
        "general",
        "gen_wifi_guest",
        "2026-03-19 09:05",
        [
            ("samuel", "I have a candidate coming to Austin today, which wifi do they use?"),
            (
                "omar",
                F["guest_wifi"]
                + ". Password is printed on the visitor badge (it rotates weekly). Details: [[it/wifi_and_printing.txt|wifi & printing]]",
            ),
        ],
    ),
    T(
        "general",
        "gen_allhands_q2",
        "2026-04-15 17:30",
        [
            (
                "olivia",
                "All-hands recording from today is up. Questions I didn't get to: answering them in this thread.",
            ),
            ("tom", "Will there be a postmortem share-out for the April 7 payments outage?"),
            (
                "olivia",
                "Yes, the postmortem for INC-2026-014 is published: [[postmortems/INC-2026-014-payments-outage.md|INC-2026-014 postmortem]]. Priya will walk through it at the next eng all-hands.",
            ),
            (
                "ben",
                "Customers asked whether we changed our release process after it. What can I tell them?",
            ),
            (
                "dana",
                "That canary analysis now checks connection-pool saturation and we load-test ledger with production-shaped traffic before promoting. Both are action items in the postmortem.",
            ),
        ],
    ),
    T(
        "general",
        "gen_referral",
        "2026-05-04 11:20",
        [
            ("aisha", "Do we still pay a referral bonus for engineering hires?"),
            (
                "grace",
                "Yes, "
                + F["referral_bonus"]
                + " for any hire you refer, all departments, paid after the new hire's 90th day. Submit referrals in Workday > Jobs > Refer.",
            ),
            ("aisha", "Does it apply to contractors converting to full-time?", "+1d"),
            ("grace", "No, conversions are not eligible, only external candidates."),
        ],
    ),
    T(
        "general",
        "gen_lisbon_offsite_agenda",
        "2026-05-08 13:00",
        [
            (
                "helen",
                "Lisbon offsite agenda is out. Day 1 is strategy, Day 2 team time, Day 3 hack day. Dress code is casual.",
            ),
            ("kenji", "Is there a remote option for people who can't travel?"),
            (
                "helen",
                "Day 1 sessions are streamed on Zoom and recorded. Team time and hack day are in-person only.",
            ),
        ],
    ),
    T(
        "general",
        "gen_office_singapore",
        "2026-06-22 03:10",
        [
            ("fatima", "Singapore office hours next week? Heard the building has maintenance."),
            (
                "beatriz",
                "80 Robinson Road is closed Saturday June 27 only for electrical work. Weekdays are normal.",
            ),
        ],
    ),
    T(
        "general",
        "gen_open_enrollment",
        "2026-10-19 16:00",
        [
            (
                "helen",
                "Reminder: open enrollment for 2027 benefits runs *"
                + F["open_enrollment"]
                + "*. Everything is in the benefits guide: [[handbook/benefits_guide_2026.pdf|Benefits Guide 2026]].",
            ),
            ("marcus", "If I don't do anything do I keep my current plan?"),
            (
                "helen",
                "Yes, your current medical plan rolls over. But HSA contributions you make yourself reset to $0, so re-elect them if you use the HDHP.",
            ),
        ],
    ),
    T(
        "general",
        "gen_winter_break",
        "2026-10-27 14:25",
        [
            ("raj", "Is the winter break official this year again?"),
            (
                "helen",
                "Yes: the whole company is off December 24, 2026 through January 1, 2027. It's on the holidays page [[handbook/holidays_2026.html|Holidays 2026]].",
            ),
            (
                "lena",
                "On-call still runs with a reduced rotation; primaries get a day in lieu per day on call.",
            ),
        ],
    ),
    # ------------------------------------------------------------- engineering
    T(
        "engineering",
        "eng_review_rules",
        "2026-01-12 10:30",
        [
            (
                "raj",
                "Quick one: how many approvals do I need for a ledger PR? GitHub lets me merge with one.",
            ),
            (
                "sofia",
                "Ledger and auth need *two* approvals, one from the owning team. Branch protection is behind, Victor is fixing it. See [[handbook/engineering_practices.md|Engineering practices]].",
            ),
            (
                "victor",
                "Branch protection updated for ledger and auth repos, GitHub now enforces 2.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_staging_refresh",
        "2026-01-20 14:05",
        [
            ("kenji", "My test customers in staging disappeared overnight, is that expected?"),
            (
                "victor",
                "Yes, staging DB is refreshed from an anonymized prod snapshot every *"
                + F["staging_refresh"]
                + "*. Anything you create in staging is wiped then.",
            ),
            ("kenji", "Is there a way to keep fixtures around?"),
            (
                "victor",
                "Put them in `scripts/staging_seed.py`, the refresh job runs it right after the restore.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_flaky_tests",
        "2026-01-27 11:45",
        [
            (
                "marcus",
                "billing-api CI failing on `test_invoice_finalize_race` again. OK to just hit retry?",
            ),
            (
                "victor",
                "Please don't. Mark it `@flaky` with a ticket so it's quarantined; retrying hides it. Policy is in [[handbook/engineering_practices.md|Engineering practices]].",
            ),
            ("marcus", "Done, BILL-2231."),
        ],
    ),
    T(
        "engineering",
        "eng_idempotency_ttl",
        "2026-02-04 09:50",
        [
            (
                "yuki",
                "A customer asks how long idempotency keys are remembered. I thought it was 7 days?",
            ),
            (
                "marcus",
                "It's "
                + F["idem_retention"]
                + ". After that the same key is treated as a new request. [[api/idempotency.txt|Idempotency doc]]",
            ),
            ("yuki", "Thanks, I'll correct the FAQ."),
        ],
    ),
    T(
        "engineering",
        "eng_pagination_limit",
        "2026-02-11 15:20",
        [
            ("aisha", "Prospect wants to page through invoices 500 at a time, can we allow that?"),
            (
                "marcus",
                "Max `limit` is "
                + F["page_max"]
                + " (default "
                + F["page_default"]
                + "). For big exports they should use the Reporting API. [[api/pagination.md|Pagination]]",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_feature_flags",
        "2026-02-24 13:15",
        [
            ("raj", "Who owns cleaning up old LaunchDarkly flags?"),
            (
                "victor",
                "The flag owner. Flags older than 90 days show up in the weekly flag-debt report here every Monday. Every flag needs a removal ticket when you create it.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_ledger_pool",
        "2026-04-09 10:00",
        [
            (
                "raj",
                "Following up on INC-2026-014: what's the ledger connection pool size per pod today?",
            ),
            (
                "victor",
                INC14["pool"]
                + " per pod, unchanged. The fix was in the code path that held a connection for the whole request, not the pool size.",
            ),
            (
                "sofia",
                "And the canary now fails if pool utilization stays above 85% for 2 minutes.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_api_version_header",
        "2026-04-14 16:40",
        [
            ("kenji", "What's the current API version string we should use in the SDK examples?"),
            (
                "yuki",
                "`Acme-Version: "
                + F["api_version"]
                + "`. It's the current one per the [[api/changelog.html|API changelog]].",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_credit_notes",
        "2026-04-21 11:00",
        [
            ("ben", "Customer asks if they can partially refund a finalized invoice via the API."),
            (
                "marcus",
                "Yes, `POST /v2/credit_notes` since API version "
                + F["api_version"]
                + ". Before that they had to void and recreate.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_python_version",
        "2026-05-06 10:20",
        [
            ("kenji", "Are we allowed to move webhooks to Python 3.12 yet?"),
            (
                "victor",
                "Yes. Base images for 3.12 are published since last week. billing-api and ledger stay on 3.11 until Q4 because of the numeric lib pin.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_money_helper",
        "2026-09-22 14:30",
        [
            (
                "raj",
                "PSA after INC-2026-037: never convert amounts by hand. Use `Money.to_minor_units(amount, currency)` which reads the exponent table. JPY/KRW/VND/CLP are zero-decimal.",
            ),
            ("marcus", "Do we have tests across all currencies now?"),
            (
                "raj",
                "Property-based tests over all "
                + F["currencies"]
                + " supported currencies landed in ledger "
                + INC37["fixed_version"]
                + "+. Postmortem: [[postmortems/INC-2026-037-ledger-drift.pdf|INC-2026-037]]",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_webhook_sig",
        "2026-06-16 09:30",
        [
            ("liam", "Customer says webhook signature verification fails only sometimes. Ideas?"),
            (
                "kenji",
                "Usually clock skew: we reject timestamps more than "
                + F["webhook_tolerance"]
                + " off. Other cause: they verify a re-serialized JSON body instead of the raw bytes. [[api/webhooks.html|Webhooks doc]]",
            ),
            ("liam", "It was the raw body thing. Thanks!", "+1d"),
        ],
    ),
    T(
        "engineering",
        "eng_freeze",
        "2026-10-06 15:00",
        [
            ("yuki", "When is the holiday change freeze this year? Planning the invoicing launch."),
            (
                "dana",
                "Freeze is "
                + F["freeze"]
                + ". Only SEV1 fixes with my approval during that window. [[handbook/release_process.md|Release process]]",
            ),
            ("yuki", "So launch on Nov 17 at the latest to have a week of buffer. Got it."),
        ],
    ),
    T(
        "engineering",
        "eng_migrations",
        "2026-07-08 13:10",
        [
            (
                "raj",
                "Can I drop the `legacy_balance` column in the same release that stops reading it?",
            ),
            (
                "sofia",
                "No, migrations must stay backward compatible for one release so a rollback never needs a schema rollback. Drop it in the release after. [[runbooks/deploy-rollback.md|Rollback runbook]]",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_laptop_spec",
        "2026-03-10 10:40",
        [
            (
                "raj",
                "Docker builds are painfully slow on my 2023 laptop, can engineers get the bigger MacBook?",
            ),
            (
                "nora",
                "The engineering standard is the "
                + F["laptop_eng"]
                + ". Yours is due for refresh in 2026 anyway since we refresh "
                + F["laptop_refresh"]
                + ", open a refresh request in the IT portal.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_rate_limit_growth",
        "2026-08-12 11:25",
        [
            (
                "jessica",
                "What's the API rate limit on Growth? Prospect hitting 429s in their trial.",
            ),
            (
                "marcus",
                F["rl_growth"]
                + " on Growth, account-wide across keys. The 429 comes with `ACME-4001` and `Retry-After`. [[api/rate_limits.md|Rate limits]]",
            ),
            ("jessica", "And if they need more?"),
            (
                "marcus",
                "Enterprise is "
                + F["rl_enterprise"]
                + ", and only Enterprise limits can be raised.",
            ),
        ],
    ),
    T(
        "engineering",
        "eng_v1_traffic",
        "2026-09-28 17:05",
        [
            ("yuki", "How much v1 traffic is left two days before sunset?"),
            (
                "marcus",
                "Six accounts still calling `/v1`, all Starter, all emailed three times. From "
                + F["v1_sunset"]
                + " they'll get `410 Gone`.",
            ),
            ("yuki", "Confirmed this morning: v1 returns 410 for everyone now.", "+3d"),
        ],
    ),
    # --------------------------------------------------------------------- sre
    T(
        "sre",
        "sre_p99_threshold",
        "2026-01-14 09:20",
        [
            (
                "tom",
                "What's the actual threshold on `BillingApiP99High`? It paged me at 3am for what looked like a blip.",
            ),
            (
                "priya",
                "p99 above "
                + F["p99_alert"]
                + " for 10 minutes. If it was a blip it shouldn't fire; check whether a bulk import was running. [[runbooks/billing-api-high-latency.md|latency runbook]]",
            ),
            (
                "tom",
                "Yep, a bulk import from one enterprise customer. Added it to the runbook's common causes.",
            ),
        ],
    ),
    T(
        "sre",
        "sre_ack_times",
        "2026-01-21 10:10",
        [
            ("tom", "New to the rotation: how fast do I have to ack a SEV2 page?"),
            (
                "lena",
                "SEV1 within "
                + F["ack_sev1"]
                + ", SEV2 within "
                + F["ack_sev2"]
                + ". If the primary doesn't ack in "
                + F["escalate_after"]
                + " it escalates to secondary. [[runbooks/oncall.md|On-call handbook]]",
            ),
        ],
    ),
    T(
        "sre",
        "sre_oncall_stipend",
        "2026-02-02 12:00",
        [
            ("tom", "Is on-call paid extra?"),
            (
                "lena",
                "Yes, "
                + F["oncall_stipend"]
                + " per week of primary on-call, through payroll. Secondary isn't paid. It's in the on-call handbook.",
            ),
        ],
    ),
    T(
        "sre",
        "sre_rto_rpo",
        "2026-02-18 14:45",
        [
            (
                "yuki",
                "For an Enterprise security questionnaire: what are our RTO and RPO for the main database?",
            ),
            (
                "priya",
                "RTO "
                + F["rto"]
                + ", RPO "
                + F["rpo"]
                + " for pg-main. [[runbooks/database-failover.md|DB failover runbook]]",
            ),
            ("yuki", "Thanks, and backups retention?"),
            ("priya", F["ret_backups"] + ", per the data retention policy."),
        ],
    ),
    T(
        "sre",
        "sre_switchover",
        "2026-03-05 08:30",
        [
            (
                "priya",
                "Planned Patroni switchover of pg-main tonight at 22:00 UTC for the minor version upgrade. Expect 10-20s of write errors.",
            ),
            ("raj", "Will ledger retry on its own?"),
            (
                "priya",
                "Yes, pools reconnect every 5 seconds. Done, 14s of write errors, no pages.",
                "+1d",
            ),
        ],
    ),
    T(
        "sre",
        "sre_inc14_followup",
        "2026-04-08 09:00",
        [
            (
                "lena",
                "Summary of yesterday's SEV1 INC-2026-014 for those not in the war room: ledger "
                + INC14["bad_version"]
                + " exhausted the ledger DB pool, ~"
                + INC14["failed_share"]
                + " of payment requests got 503 / ACME-5001 for "
                + INC14["minutes"]
                + ". Rolled back to "
                + INC14["good_version"]
                + ".",
            ),
            ("tom", "Who owns the canary pool check action item?"),
            (
                "lena",
                "Victor. Load-testing ledger before promoting is on Raj. Postmortem draft by Friday.",
            ),
            (
                "priya",
                "Postmortem is up: [[postmortems/INC-2026-014-payments-outage.md|INC-2026-014]]",
                "+3d",
            ),
        ],
    ),
    T(
        "sre",
        "sre_webhook_backlog_alert",
        "2026-06-03 10:30",
        [
            ("kenji", "After INC-2026-022, should the backlog alert threshold be lower?"),
            (
                "victor",
                "Backlog alert stays at "
                + F["webhook_backlog_alert"]
                + " events. What we missed was unassigned partitions; that alert is being added. Peak backlog was "
                + INC22["peak_backlog"]
                + " events.",
            ),
            ("kenji", "I'll own the unassigned-partition alert."),
        ],
    ),
    T(
        "sre",
        "sre_kafka_patching",
        "2026-06-10 15:15",
        [
            (
                "tom",
                "Patching kafka-1 and kafka-2 tomorrow 08:00 UTC, announcing 24h ahead as promised in the INC-2026-022 postmortem.",
            ),
            (
                "kenji",
                "Consumers have the rebalance fix now, but I'll watch the partition-assignment panel.",
            ),
            ("tom", "Done, no lag, all 32 partitions assigned within 40s.", "+1d"),
        ],
    ),
    T(
        "sre",
        "sre_saml_cert",
        "2026-08-05 11:00",
        [
            (
                "hannah",
                "After INC-2026-031: the 30-day SAML certificate expiry alert is live. Rotation steps are in [[runbooks/certificate-rotation.txt|certificate rotation runbook]].",
            ),
            ("lena", "How long are internal mTLS certs valid again?"),
            ("hannah", F["mtls_days"] + ", issued by Vault PKI, sidecars reload without restarts."),
        ],
    ),
    T(
        "sre",
        "sre_handoff_time",
        "2026-03-23 09:15",
        [
            (
                "victor",
                "Is handoff 09:00 UTC or 09:00 local? I'm in Dublin and summer time starts this week.",
            ),
            ("lena", "Always Monday 09:00 *UTC*, regardless of DST."),
        ],
    ),
    T(
        "sre",
        "sre_webhook_scale",
        "2026-07-14 18:20",
        [
            ("tom", "Webhook backlog at 40k and climbing, can I scale webhooks to 40 replicas?"),
            (
                "kenji",
                "Don't go above 32, that's the partition count; extra consumers sit idle. Runbook says 16 is usually enough. [[runbooks/webhook-delivery-backlog.md|webhook backlog runbook]]",
            ),
            (
                "tom",
                "Scaled to 16, backlog draining. Root cause was one customer endpoint timing out; circuit breaker paused it.",
            ),
        ],
    ),
    T(
        "sre",
        "sre_recon_rerun",
        "2026-05-19 07:50",
        [
            (
                "priya",
                "ledger-recon flagged every account last night. Settlement file from the processor arrived late.",
            ),
            ("raj", "So a rerun once it's there?"),
            (
                "priya",
                "Yes: `acmectl recon rerun --date 2026-05-18`. Clean now. [[runbooks/ledger-reconciliation-failure.md|recon runbook]]",
            ),
        ],
    ),
    T(
        "sre",
        "sre_slo",
        "2026-07-01 16:30",
        [
            ("ben", "Customer asks what availability we guarantee for the API."),
            (
                "priya",
                "The SLO and the Enterprise SLA are "
                + F["slo_avail"]
                + " monthly. Credits tiers are on the [[support/sla.html|SLA page]].",
            ),
        ],
    ),
    T(
        "sre",
        "sre_inc37_summary",
        "2026-09-19 10:00",
        [
            (
                "priya",
                "INC-2026-037 resolved yesterday 17:00 UTC. "
                + INC37["accounts"]
                + " accounts had drifted balances in zero-decimal currencies; all reconciled. Bad version ledger "
                + INC37["bad_version"]
                + ", fixed in "
                + INC37["fixed_version"]
                + ".",
            ),
            ("lena", "Thanks Priya. Postmortem PDF coming?"),
            (
                "priya",
                "Published: [[postmortems/INC-2026-037-ledger-drift.pdf|INC-2026-037 postmortem]]",
                "+4d",
            ),
        ],
    ),
    T(
        "sre",
        "sre_dns_followup",
        "2026-02-04 10:00",
        [
            (
                "tom",
                "Follow-up on INC-2026-005: CoreDNS config reverted and webhooks pods now use ndots:1. Postmortem: [[postmortems/INC-2026-005-webhook-dns.txt|INC-2026-005]]",
            ),
            ("victor", "Were any webhook events lost?"),
            ("tom", "None, all delivered within the normal retry window."),
        ],
    ),
    T(
        "sre",
        "sre_dashboard_login",
        "2026-08-04 10:10",
        [
            (
                "fatima",
                "Customers can log in to the dashboard again, can I close the P1 tickets from this morning?",
            ),
            (
                "lena",
                "Yes. INC-2026-031 is resolved, logins recovered at 09:46 UTC. Cause was an expired SAML signing certificate.",
            ),
        ],
    ),
    # ------------------------------------------------------------------ deploys
    T(
        "deploys",
        "dep_friday",
        "2026-02-13 14:40",
        [
            ("marcus", "Can I still ship billing-api today? It's a one-line fix."),
            (
                "victor",
                "Until "
                + F["friday_cutoff"]
                + " on Fridays, so you have 20 minutes. After that it waits for Monday unless the on-call SRE approves it as an emergency.",
            ),
        ],
    ),
    T(
        "deploys",
        "dep_canary",
        "2026-03-11 11:10",
        [
            ("kenji", "How long does the canary stage take before full rollout?"),
            (
                "victor",
                "Canary is "
                + F["canary"]
                + " of traffic for "
                + F["canary_minutes"]
                + ", then automatic promotion if error rate and p99 are in SLO. [[handbook/release_process.md|Release process]]",
            ),
        ],
    ),
    T(
        "deploys",
        "dep_rollback_ledger",
        "2026-04-07 13:40",
        [
            (
                "priya",
                "Rolling back ledger to "
                + INC14["good_version"]
                + " for INC-2026-014. Please hold all ledger deploys.",
            ),
            (
                "raj",
                "Holding. Blocked "
                + INC14["bad_version"]
                + " with `acmectl block ledger "
                + INC14["bad_version"]
                + "`.",
            ),
        ],
    ),
    T(
        "deploys",
        "dep_holiday",
        "2026-05-22 16:00",
        [
            ("tom", "Monday is Memorial Day: reminder, no prod deploys on company holidays."),
            ("kenji", "Does that apply to Dublin too? It's not a holiday there."),
            (
                "tom",
                "Prod is shared, so yes: no prod deploys on any US company holiday unless it's an emergency fix.",
            ),
        ],
    ),
]
