"""Markdown and plain-text documents. Rendered from canonical facts."""

from .facts import ERROR_CODES, INC14, INC22, INCIDENTS, SERVICES, F
from .facts import RESTRICTED as R


def _inc(n):
    return INCIDENTS[n]


def docs():
    d = {}
    d["handbook/welcome.md"] = f"""# Welcome to Acme Cloud

Acme Cloud builds the **Acme Billing API** and the **Acme Dashboard**: subscription billing, invoicing
and payment collection for B2B software companies. We were founded in {F["founded"]} and are
{F["employees"]} people across {F["offices"]}.

## What we sell

- **Acme Billing API** - REST API for subscriptions, invoices, payments and credit notes.
- **Acme Dashboard** - the web app our customers' finance teams use to manage billing.
- Plans: Starter, Growth and Enterprise (see the pricing page in `sales/pricing.html`).

## How we work

### Core hours
We are remote-friendly. Everyone is expected to be reachable during core hours,
{F["core_hours"]}. Outside core hours, async is the default.

### Where things live
- Company handbook: this folder (`handbook/`).
- Runbooks for on-call: `runbooks/`.
- Policies (security, expenses, travel, data retention): `policies/`.
- IT how-tos (VPN, laptops, SSO, MFA): `it/`.
- Ask questions in Slack: `#it-help`, `#hr-questions`, `#engineering`, `#sre`.

## Values

1. **Customers' money is sacred.** Ledger correctness beats shipping speed, every time.
2. **Write it down.** If you answered the same question twice, it belongs in a doc.
3. **Own the outcome.** You build it, you run it, you write the postmortem.

## Offices

| Office | Address | Notes |
|---|---|---|
| Austin (HQ) | 500 Congress Ave, Floor 9 | Badge pickup at reception |
| Dublin | 2 Grand Canal Square, Floor 4 | EMEA sales and support |
| Singapore | 80 Robinson Road, #12-01 | APAC sales and support |
"""
    d["handbook/pto.md"] = f"""# Paid Time Off

## Allowance
Full-time employees receive **{F["pto_days"]} of paid time off per calendar year**, accrued monthly.
Public holidays are separate and listed on the holidays page (`handbook/holidays_2026.html`).

## Sick leave
Sick leave is tracked separately: {F["sick_days"]} per year, no doctor's note needed for absences of
up to 3 consecutive days.

## Carryover
You may carry over up to **{F["pto_carryover"]}** of unused PTO into the next year. Carried-over days
expire on **{F["pto_carryover_expiry"]}** of that year if not used. Anything above {F["pto_carryover"]} is
forfeited on January 1; we do not pay out unused PTO except where local law requires it.

## Requesting time off
1. Request in Workday under *Time Off > Request*.
2. For absences of 3 or more working days, request at least **{F["pto_notice"]}** in advance.
3. Add an out-of-office to your calendar and set your Slack status.
4. If you are on call, swap your shift first (see `runbooks/oncall.md`).

## Questions
Ask in `#hr-questions` or contact your HR business partner.
"""
    d["handbook/remote_work.md"] = f"""# Remote Work

## Eligibility
All roles at Acme Cloud are remote-eligible within countries where we have a legal entity
(US, Ireland, Singapore, UK, Germany, Canada).

## Home office stipend
New hires receive a one-time **home office stipend of {F["home_office"]}** for a desk, chair, monitor or
similar. Claim it in {F["expense_tool"]} within your first 90 days under the category *Home Office*.

## Internet
We reimburse home internet up to **{F["internet"]}**. Submit the monthly bill in {F["expense_tool"]}.

## Working from another country
You can work from a country other than your home country for up to 30 days per year.
Longer stays need approval from People Ops because of tax and immigration rules.

## Coworking
If you prefer not to work from home, coworking day passes are reimbursable up to $300 per
quarter. Our offices in {F["offices"]} are always open to employees.
"""
    d["handbook/onboarding.md"] = f"""# New Hire Onboarding

## Before day one
- IT ships your laptop so it arrives at least 2 business days before your start date.
  Engineers get a {F["laptop_eng"]}; everyone else gets a {F["laptop_other"]}.
- You receive your Okta activation email at your personal address.

## Day one
1. Activate Okta at {F["okta_url"]} and enrol your {F["yubikey"]} (shipped with the laptop).
2. Install {F["vpn_client"]} and request your VPN device certificate at {F["vpn_portal"]}.
3. Join `#general`, `#it-help` and `#hr-questions`, plus your team channels.
4. Complete security awareness training in Workday (due within 14 days).

## First week
- Meet your onboarding buddy (assigned by your manager).
- Read the company handbook in `handbook/` and the information security policy.
- Engineers: get a first PR merged (see `handbook/engineering_practices.md`).

## First 90 days
- Claim your {F["home_office"]} home office stipend.
- Complete your 30/60/90-day plan with your manager.
"""
    d["handbook/engineering_practices.md"] = (
        """# Engineering Practices

## Code review
- Every change to `main` needs **one approving review**.
- Changes to **ledger** and **auth** need **two approving reviews**, one of them from the owning team.
- Reviewers should respond within one business day.

## CI
- All services build in GitHub Actions; the pipeline must be green before merge.
- Flaky tests are quarantined with the `@flaky` marker and a ticket, never just retried.

## Environments
- `dev` (per-engineer), `staging` (shared) and `prod`.
- Staging uses an anonymized copy of production data.

## Feature flags
We use LaunchDarkly. Every flag has an owner and a removal ticket. Flags older than 90 days
show up in the weekly flag-debt report in `#engineering`.

## Service ownership
| Service | Owning team | Tier |
|---|---|---|
"""
        + "\n".join(f"| {s[0]} | {s[1]} | {s[2]} |" for s in SERVICES)
        + """

## Deploys
See `handbook/release_process.md` for deploy windows, canaries and the change freeze.
"""
    )
    d["handbook/release_process.md"] = f"""# Release Process

## Deploy pipeline
1. Merge to `main` builds an image and deploys to staging automatically.
2. Promote to prod with `acmectl deploy <service> --version vX.Y.Z`.
3. Prod deploys start as a **{F["canary"]} canary for {F["canary_minutes"]}**. The canary is promoted
   automatically if error rate and p99 latency stay within SLO.
4. deploybot posts every prod deploy and rollback in `#deploys`.

## Deploy windows
- Prod deploys are allowed Monday to Thursday any time, and **Friday until {F["friday_cutoff"]}**.
- No prod deploys on company holidays.
- Emergency fixes outside the window need approval from the on-call SRE.

## Change freeze
The holiday change freeze for 2026 runs **{F["freeze"]}** (Black Friday / Cyber Monday week).
Only SEV1 fixes are deployed during the freeze, with VP Engineering approval.

## Rollbacks
Roll back first, debug later. See `runbooks/deploy-rollback.md`.

## Versioning
Services use semantic versioning. The public API is versioned by date (current version
`{F["api_version"]}`), independent of service versions.
"""
    d["runbooks/billing-api-high-latency.md"] = f"""# Runbook: billing-api high latency

## Alert
`BillingApiP99High` fires when billing-api **p99 latency is above {F["p99_alert"]} for 10 minutes**.
The availability SLO for billing-api is **{F["slo_avail"]}** per calendar month.

## Triage
1. Check the *billing-api overview* Grafana dashboard: is it all endpoints or one?
2. Check `#deploys`: was anything deployed in the last hour? If yes, roll back first
   (`runbooks/deploy-rollback.md`).
3. Check ledger latency. billing-api waits on ledger for every write; slow ledger = slow billing-api.
4. Check Postgres: `pg_stat_activity` for long-running queries and lock waits.

## Common causes
- **Ledger connection pool saturation** (see INC-2026-014). Symptom: 503s with `ACME-5001`.
- A single enterprise customer doing a bulk invoice import. Check the top-talkers panel.
- Card processor slowness: shows up as `ACME-5002` timeouts and high latency on `/v2/payments`.

## Mitigation
- Scale billing-api: `acmectl scale billing-api --replicas 24` (default is 12).
- Rate-limit a noisy customer with a temporary override in the api-gateway config.

## Escalation
If not mitigated within 30 minutes, page the payments on-call (`oncall payments`).
"""
    d["runbooks/ledger-reconciliation-failure.md"] = """# Runbook: ledger reconciliation failure

## What the job does
`ledger-recon` runs nightly at 03:00 UTC and compares ledger balances with processor
settlement files. Any mismatch over $1.00 on an account raises `LedgerReconMismatch`.

## First steps
1. Open the recon report linked from the alert.
2. Group mismatches by currency. Mismatches only in JPY, KRW or other zero-decimal
   currencies point at rounding (see INC-2026-037).
3. Check whether the settlement file arrived. A missing file produces mismatches on
   every account; re-run with `acmectl recon rerun --date YYYY-MM-DD` after it lands.

## Do not
- Do not manually edit ledger rows. All corrections go through `ledger-adjust` with
  a ticket id and two approvals.

## Escalation
Page the payments on-call. Ledger is tier-1: a confirmed balance error is at least a SEV2.
"""
    d["runbooks/webhook-delivery-backlog.md"] = f"""# Runbook: webhook delivery backlog

## Alert
`WebhookBacklogHigh` fires when more than **{F["webhook_backlog_alert"]} events** are queued for
delivery for 5 minutes.

## Background
Webhooks are delivered by the `webhooks` service from Kafka topic `events.outbound`.
Failed deliveries are retried up to **{F["webhook_attempts"]} over {F["webhook_window"]}** with exponential
backoff. Endpoints must answer within **{F["webhook_timeout"]}**.

## Triage
1. Is the backlog growing for all customers or one endpoint? Check the per-endpoint panel.
2. One endpoint: it is usually a customer endpoint that is slow or down. The circuit breaker
   pauses it automatically after 50 consecutive failures. Nothing to do besides telling Support.
3. All customers: check consumer lag on `events.outbound`. After a partition rebalance the
   consumer group can stall (INC-2026-022). Restart consumers one at a time:
   `acmectl restart webhooks --rolling`.

## Scaling
`acmectl scale webhooks --replicas 16` (default 8). Do not exceed the partition count (32).
"""
    d["runbooks/database-failover.md"] = f"""# Runbook: Postgres failover

## Targets
For the primary Postgres cluster (`pg-main`), our recovery targets are
**RTO {F["rto"]}** and **RPO {F["rpo"]}**.

## Architecture
- Patroni-managed cluster with one primary and two synchronous-capable replicas across
  three availability zones.
- Backups: nightly base backups plus continuous WAL archiving. Backups are retained
  for {F["ret_backups"]} (see `policies/data_retention.md`).

## Planned switchover
```
patronictl -c /etc/patroni.yml switchover --master pg-main-0 --candidate pg-main-1
```
Announce in `#sre` and `#deploys` 30 minutes before. Expect 10-20 seconds of write errors.

## Unplanned failover
1. Patroni promotes a replica automatically if the primary is unreachable for 30 seconds.
2. Verify the new primary: `patronictl list`.
3. Check that billing-api and ledger reconnected (their pools retry every 5 seconds).
4. Open an incident if write errors lasted more than 1 minute.
"""
    d["runbooks/oncall.md"] = f"""# On-call Handbook

## Rotations
We run weekly rotations for **sre**, **payments** and **it**. Shifts hand off every
**Monday at 09:00 UTC**. The schedule lives in the on-call tool; ask it `who is on call`.

## Response times
| Severity | Acknowledge within | Work on it |
|---|---|---|
| SEV1 | {F["ack_sev1"]} | Immediately, 24/7 |
| SEV2 | {F["ack_sev2"]} | Immediately, 24/7 |
| SEV3 | next business day | Business hours |

If the primary does not acknowledge within **{F["escalate_after"]}**, the page escalates to the
secondary, and then to the SRE manager.

## Swapping shifts
Swap directly with a teammate and update the schedule; post the swap in `#sre`.

## Compensation
On-call engineers receive an on-call stipend of **{F["oncall_stipend"]} per week** of primary on-call,
paid through payroll.

## Handoff checklist
- Open incidents and their status.
- Silenced alerts and why.
- Any deploys planned during the coming week.
"""
    d["runbooks/deploy-rollback.md"] = f"""# Runbook: roll back a deploy

## When
Roll back when a deploy correlates with errors or latency, even if you are not yet sure
it is the cause. Rolling back is cheap; debugging in prod is not.

## How
```
acmectl rollback <service> --to <previous-version>
```
Example from INC-2026-014: `acmectl rollback ledger --to {INC14["good_version"]}`.

deploybot posts the rollback in `#deploys` and the deployment is recorded as `rolled_back`.

## After a rollback
1. Post in `#deploys` with the reason.
2. Open a ticket for the owning team and link the dashboards.
3. Block the bad version: `acmectl block <service> <version>`.

## Database migrations
Migrations must be backward compatible for one release, so rolling back the code never
requires rolling back the schema.
"""
    d["runbooks/incident-response.md"] = """# Incident Response

## Severity levels
- **SEV1** - Customer-facing outage or data correctness problem for many customers
  (e.g. payments failing, wrong ledger balances). Status page update within 15 minutes.
- **SEV2** - Degraded service or a tier-1 feature broken for some customers.
- **SEV3** - Minor issue, internal tooling or a tier-3 service; no customer impact.

## Roles
- **Incident commander (IC)** - coordinates, decides, keeps the timeline.
- **Comms lead** - status page and customer updates (Support team lead for SEV1).
- **Subject matter experts** - do the fixing.

## Process
1. Declare: `/incident declare` in Slack. It creates an `INC-2026-NNN` id and a channel.
2. For SEV1, a private war-room channel is created (e.g. `#incident-2026-payments-outage`).
3. Mitigate first. Roll back if a deploy is involved.
4. Resolve, then write the postmortem within 5 business days in `postmortems/`.

## Postmortems
Blameless. Every postmortem has a timeline, root cause, impact and action items with owners.
"""
    d["api/overview.md"] = f"""# Acme Billing API - Overview

## Base URL
All requests go to `{F["api_base"]}` over HTTPS (TLS 1.2+).

## Authentication
Use a secret key as a bearer token: `Authorization: Bearer sk_live_...`. Test keys start with
`sk_test_`. Keys are managed in Dashboard > Developers > API keys.

## Versioning
The API is versioned by date. Send `Acme-Version: {F["api_version"]}` to pin a version; the
current version is **{F["api_version"]}**. The legacy **v1 API was sunset on {F["v1_sunset"]}**;
requests to `/v1` now return `410 Gone`.

## Resources
- `POST /v2/customers`, `GET /v2/customers/{{id}}`
- `POST /v2/subscriptions`, `POST /v2/subscriptions/{{id}}/cancel`
- `POST /v2/invoices`, `POST /v2/invoices/{{id}}/finalize`, `POST /v2/invoices/{{id}}/void`
- `POST /v2/payments`, `GET /v2/payments/{{id}}`
- `POST /v2/credit_notes`

## Related pages
- Errors: `api/errors.md`
- Rate limits: `api/rate_limits.md`
- Pagination: `api/pagination.md`
- Webhooks: `api/webhooks.html`
- Idempotency: `api/idempotency.txt`
"""
    rows = "\n".join(f"| `{c}` | {h} | `{n}` | {m} | {fx} |" for c, h, n, m, fx in ERROR_CODES)
    d["api/errors.md"] = f"""# Error Codes

## Error format
Errors return a JSON body:
```json
{{"error": {{"code": "ACME-2001", "type": "card_declined", "message": "...", "request_id": "req_..."}}}}
```
Always log the `request_id`; Support needs it to look up the request.

## Error code reference

| Code | HTTP | Type | Meaning | What to do |
|---|---|---|---|---|
{rows}

## Supported currencies
The API supports **{F["currencies"]} currencies**. Zero-decimal currencies (JPY, KRW, VND, CLP)
take amounts in whole units, all others in minor units (cents). The minimum charge is
**{F["min_amount"]}** or the equivalent in the charge currency.

## Retrying
Errors in the `ACME-5xxx` range are safe to retry with the same `Idempotency-Key`.
`ACME-2xxx` errors are final for that payment method.
"""
    d["api/rate_limits.md"] = f"""# Rate Limits

## Limits per plan
Rate limits are applied per account across all API keys, in live mode:

| Plan | Limit |
|---|---|
| Starter | {F["rl_starter"]} |
| Growth | {F["rl_growth"]} |
| Enterprise | {F["rl_enterprise"]} |

Test mode has a separate monthly quota of 50,000 requests (`ACME-4002` when exceeded).

## What happens when you exceed the limit
The API returns HTTP `429` with error code `ACME-4001` and a `Retry-After` header (seconds).
Clients should back off and retry after that many seconds.

## Headers
Every response includes `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.

## Raising limits
Enterprise customers can request a higher limit through their account team; Support files
the request with the payments team. Limits are not raised for Starter or Growth; those
customers should upgrade.
"""
    d["api/pagination.md"] = f"""# Pagination

## Cursor pagination
List endpoints return at most `limit` objects. The default `limit` is **{F["page_default"]}** and the
maximum is **{F["page_max"]}**.

## Parameters
- `limit` - number of objects, 1 to {F["page_max"]}.
- `starting_after` - object id to start after (next page).
- `ending_before` - object id to end before (previous page).

## Response
```json
{{"object": "list", "data": [...], "has_more": true}}
```
Keep requesting with `starting_after` set to the last id until `has_more` is `false`.

## Tips
- Do not use offset-style paging; it is not supported.
- For exports of more than 100,000 objects, use the Reporting API instead of paging.
"""
    d[
        "postmortems/INC-2026-014-payments-outage.md"
    ] = f"""# Postmortem: INC-2026-014 - Payments API returning 503s after ledger deploy

## Summary
On {_inc(14)["start"][:10]} from {_inc(14)["start"][11:]} to {_inc(14)["end"][11:]} UTC ({INC14["minutes"]}), about
**{INC14["failed_share"]} of payment requests** failed with HTTP 503 and error code `ACME-5001`
(ledger_unavailable). Severity: **SEV1**. Incident commander: Priya Raman.

## Root cause
Ledger **{INC14["bad_version"]}** introduced a per-request balance lookup that held a database
connection for the whole request. Under normal afternoon load the ledger connection pool
(**{INC14["pool"]}** per pod) was exhausted, and billing-api received timeouts from ledger.

## Timeline (UTC)
- 13:05 ledger {INC14["bad_version"]} promoted from canary (canary did not see peak traffic).
- 13:12 `BillingApiP99High` and 503 error-rate alerts fire; Priya acknowledges.
- 13:31 correlation with the ledger deploy identified.
- 13:38 `acmectl rollback ledger --to {INC14["good_version"]}`.
- 14:08 error rates back to baseline; incident resolved.

## What went well
- Alert fired within 7 minutes of the deploy.
- Rollback took under 5 minutes once started.

## What went wrong
- The canary ran during low traffic, so it did not exercise pool limits.
- We spent 19 minutes looking at Postgres before checking `#deploys`.

## Action items
1. Add a connection-pool saturation check to the canary analysis (owner: Victor Ivanov).
2. Load test ledger with production-shaped traffic before promoting (owner: Raj Patel).
3. Runbook update: check recent deploys first (done, `runbooks/billing-api-high-latency.md`).
"""
    d[
        "postmortems/INC-2026-022-webhook-delays.md"
    ] = f"""# Postmortem: INC-2026-022 - Webhook delivery delays

## Summary
On {_inc(22)["start"][:10]} between {_inc(22)["start"][11:]} and {_inc(22)["end"][11:]} UTC, webhook events were delivered late
for all customers. The worst delay was **{INC22["max_delay"]}** and the backlog peaked at
**{INC22["peak_backlog"]} events**. Severity: SEV2. Incident commander: Victor Ivanov.
No events were lost.

## Root cause
A Kafka broker restart triggered a partition rebalance on `events.outbound`. A bug in the
consumer's rebalance listener left 11 of 32 partitions unassigned, so those events were not
consumed until the consumers were restarted.

## Timeline (UTC)
- 07:40 broker `kafka-3` restarted for patching.
- 08:15 `WebhookBacklogHigh` fires (backlog above {F["webhook_backlog_alert"]}).
- 09:20 unassigned partitions found.
- 09:25 rolling restart of webhooks consumers.
- 10:50 backlog drained; resolved.

## Action items
1. Alert on unassigned partitions, not only on backlog size (owner: Kenji Watanabe).
2. Upgrade the Kafka client to fix the rebalance listener (owner: Kenji Watanabe).
3. Broker patching to be announced in `#sre` 24 hours in advance.
"""
    d["policies/expense_policy.md"] = f"""# Expense Policy

## Submitting expenses
- Submit all expenses in **{F["expense_tool"]}** within **{F["expense_days"]}** of the purchase date.
- Attach an itemized receipt for any expense over **{F["receipt_over"]}**.
- Your manager approves expenses in {F["expense_tool"]}; Finance reimburses in the next payroll run.

## Meals
- While travelling for work: up to **{F["per_diem"]}** for your own meals.
- Client or candidate meals: up to **{F["client_dinner"]}** including tax and tip. List attendees.
- Team celebrations need your manager's approval in advance.

## What is not reimbursed
- Alcohol when no client is present.
- Traffic or parking fines.
- Upgrades on flights or hotels not allowed by the travel policy.

## Related
- Travel rules: `policies/travel_policy.html`.
- Home office and internet: `handbook/remote_work.md`.
- Learning budget ({F["learning_budget"]} per year): see the benefits guide.
"""
    d["policies/data_retention.md"] = f"""# Data Retention Policy

## Purpose
We keep data only as long as we need it for the service, legal obligations or security.

## Retention schedule

| Data | Retention |
|---|---|
| Payment and transaction records (ledger) | {F["ret_payments"]} |
| API request logs | {F["ret_api_logs"]} |
| Application logs | {F["ret_api_logs"]} |
| Database backups | {F["ret_backups"]} |
| Closed support tickets | {F["ret_tickets"]} |
| Slack messages | {F["ret_slack"]} |

## Customer account deletion
When a customer closes their account, their non-financial data is purged within
**{F["ret_purge"]}**. Payment and transaction records are kept for {F["ret_payments"]} to meet
financial record-keeping obligations.

## Legal hold
Legal can place a hold that suspends deletion. Holds are tracked by the Security team.

## Owner
Security (Hannah Schmidt) reviews this policy annually.
"""
    d["it/vpn.md"] = f"""# VPN

## Overview
Acme VPN uses WireGuard through the **{F["vpn_client"]}** client. You need it for staging,
internal dashboards and the admin console. Only the internal range `{F["vpn_subnet"]}` goes
through the tunnel (split tunnelling); everything else uses your normal connection.

## Setting up
1. Install {F["vpn_client"]} from Self Service (macOS) or the IT portal.
2. Sign in with Okta.
3. Request a device certificate at {F["vpn_portal"]}.

## Certificate lifetime
VPN device certificates are valid for **{F["vpn_cert_days"]}**. {F["vpn_client"]} reminds you
{F["vpn_reminder"]} before expiry. To renew, open {F["vpn_portal"]}, choose *Renew device
certificate* and reconnect.

## Troubleshooting
- *"handshake did not complete"*: your certificate has probably expired. Renew it.
- Connected but internal sites do not load: run `acmeconnect doctor` and share the output in `#it-help`.
- Hotel or airport Wi-Fi blocking UDP: switch {F["vpn_client"]} to *TCP fallback* in settings.

## Getting help
Post in `#it-help`. Outside business hours, page the IT on-call only if you are blocked from
an incident response.
"""
    d["it/laptop.md"] = f"""# Laptops

## Standard hardware
- Engineering, SRE and Security: **{F["laptop_eng"]}**.
- Everyone else: **{F["laptop_other"]}**.

## Refresh cycle
Laptops are refreshed **{F["laptop_refresh"]}**. IT contacts you when yours is due; you can
also request a refresh in the IT portal ({F["it_portal"]}) if yours is older than that.

## Broken or stolen laptop
1. Stolen: report in `#it-help` and to Security immediately; IT remote-wipes the device.
2. Broken: open a ticket in the IT portal. IT ships a loaner within 2 business days.

## Returning a laptop
When you leave, IT sends a prepaid return box. Do not wipe the laptop yourself.

## Security requirements
FileVault encryption, automatic updates and the endpoint agent are mandatory. The screen must
lock after {F["screen_lock"]} of inactivity (see the information security policy).
"""
    d["it/mfa.md"] = f"""# Multi-factor authentication

## Requirements
- Okta MFA is required for everyone. Okta Verify push is accepted for most apps.
- A **{F["yubikey"]}** hardware key is **required** for production access (AWS, Kubernetes, the
  admin console) and for Okta admin roles.

## Enrolling a YubiKey
1. Go to {F["okta_url"]} > Settings > Security methods > Security key.
2. Insert the key and touch it when it blinks.
3. Enrol your backup key too; IT hands out two keys to everyone with production access.

## Lost or stolen key
Report a lost key in `#it-help` within **{F["lost_key_hours"]}**. IT revokes it and you use your
backup key until a replacement arrives.

## New phone
Before wiping your old phone, add the new phone in Okta. If you already wiped it, ask in
`#it-help`; IT verifies your identity on a video call before resetting MFA.
"""
    d["it/software_requests.md"] = f"""# Software Requests

## Approved software
Anything in Self Service (macOS) can be installed without a request: browsers, Slack, Zoom,
VS Code, JetBrains Toolbox, Docker Desktop, 1Password, {F["vpn_client"]}.

## Requesting new software
1. Open a *Software Request* in the IT portal ({F["it_portal"]}).
2. Include what it is for, who needs it and whether it will touch customer data.
3. Tools that process customer data go through a vendor security review by Security
   (allow 10 business days).

## SaaS apps and SSO
New SaaS apps must use Okta SSO. See `it/sso.html` for how app access is granted.

## Browser extensions
Only extensions in the approved list are allowed on Chrome; others are blocked by policy.
"""
    d["sales/discount_approval.md"] = f"""# Discount Approval

## Who can approve what
Discounts are measured off list price over the contract term.

| Discount | Approver |
|---|---|
| Up to {F["disc_ae"]} | Account Executive (no approval needed) |
| Over {F["disc_ae"]} up to {F["disc_vp"]} | VP Sales (Carlos Mendes) |
| Over {F["disc_vp"]} up to {F["disc_cfo"]} | CFO (Daniel Wright) |
| Over {F["disc_cfo"]} | CEO (Olivia Grant) |

The standard **{F["annual_discount"]} annual prepay discount** is not counted toward these thresholds.

## How to request
1. In Salesforce, open the opportunity and click *Discount Request*.
2. Give the reason (competitive deal, multi-year, strategic logo).
3. Post the link in `#sales` so deal desk can review the same day.

## Non-standard terms
Payment terms longer than net 30, custom SLAs or uncapped liability always go to deal desk,
regardless of discount.
"""
    d["support/escalation_process.md"] = f"""# Support Escalation Process

## When to escalate to Engineering
- The customer sees an `ACME-5xxx` error that persists after retries.
- Data looks wrong (balances, invoice totals).
- A P1 ticket cannot be resolved with a runbook or macro within 30 minutes.

## How
1. Post in `#support-escalations` with: ticket id, customer, plan, error code and `request_id`.
2. Tag the owning team's on-call (the bot replies with who is on call).
3. For suspected incidents, page the SRE on-call; they decide whether to declare an incident.

## First-response targets
| Plan | P1 | P2 | Other |
|---|---|---|---|
| Enterprise | {F["sla_ent_p1"]} (24/7) | {F["sla_ent_p2"]} | 1 business day |
| Growth | {F["sla_growth_p1"]} (business hours) | 1 business day | 1 business day |
| Starter | {F["sla_starter"]} (email only) | {F["sla_starter"]} | {F["sla_starter"]} |

## Ticket priorities
P1 = production down or payments failing, P2 = major feature broken, P3 = question or minor bug,
P4 = feature request.
"""
    # ------------------------------------------------------------ restricted
    d["hr/parental_leave.md"] = f"""# Parental Leave Policy (HR internal)

## Scope
Applies to all employees regardless of gender, including adoption and surrogacy.
This page is maintained by the People team; employees receive the details from their HR
business partner when they notify us.

## Leave
- **Primary caregiver: {R["parental_primary"]}** of fully paid leave.
- **Secondary caregiver: {R["parental_secondary"]}** of fully paid leave.
- Leave can be taken in up to two blocks within 12 months of the birth or placement.

## Return to work
- A 4-week phased return at 60% schedule with full pay.
- Managers may not schedule performance reviews during leave.

## Process for HRBPs
1. Confirm expected dates and caregiver status with the employee.
2. Create the leave in Workday and notify payroll before the next cutoff.
3. Agree coverage with the manager; on-call shifts are removed for the leave period.
"""
    d[
        "hr/performance_review_calendar.md"
    ] = f"""# Performance Review Calendar - H2 2026 (HR internal)

## Timeline
| Step | Date |
|---|---|
| Review cycle opens in Lattice | 2026-10-26 |
| Self reviews due | {R["self_review_due"]} |
| Peer feedback due | 2026-11-13 |
| Manager reviews due | 2026-11-20 |
| Calibration sessions | {R["calibration"]} to 2026-12-04 |
| Promotion decisions final | 2026-12-11 |
| Compensation letters | 2027-01-15 |

## Calibration
Calibrations are run by HR business partners per department. Engineering calibration is
facilitated by Grace Kim.

## Notes for HRBPs
- Employees who joined after 2026-09-01 are excluded from ratings this cycle.
- Employees on leave are reviewed on return.
"""
    d["finance/budget_fy2026.md"] = f"""# FY2026 Budget (Finance internal)

## Summary
The board approved a total operating expense budget of **{R["opex_budget"]}** for FY2026
(January to December 2026).

## By department
| Department | Budget |
|---|---|
| Engineering (incl. SRE, Security) | {R["eng_budget"]} |
| Sales | $14.6M |
| Marketing | $7.9M |
| Customer Success and Support | $5.4M |
| G&A (Finance, People, IT, Legal) | $10.8M |

## Cloud spend
Cloud infrastructure is budgeted at $6.1M within Engineering. Monthly variance above 10%
is reviewed with the VP Engineering.

## Process
Budget owners review actuals monthly with FP&A (Samuel Osei). Reallocations above $250,000
need CFO approval.
"""
    return d


def txt_docs():
    d = {}
    d["handbook/code_of_conduct.txt"] = """ACME CLOUD CODE OF CONDUCT
==========================

1. RESPECT
Treat colleagues, customers and candidates with respect. Harassment and discrimination of
any kind are not tolerated, in the office, online, at offsites or at customer events.

2. CONFLICTS OF INTEREST
Disclose any outside work, investment or relationship that could influence your decisions
at Acme Cloud. Disclosures go to your manager and People Ops via the Workday form.

3. GIFTS
You may accept gifts or hospitality worth up to $100 per year from any single vendor or
customer. Anything above that must be declined or reported to Legal.

4. CUSTOMER DATA
Access customer data only when your job requires it, and only through approved tools.
See the information security policy and the data retention policy.

5. SPEAKING UP
Report concerns to your manager, People Ops, or anonymously through the EthicsLine
portal. We do not tolerate retaliation against anyone who raises a concern in good faith.

6. ACKNOWLEDGEMENT
All employees acknowledge this code during onboarding and again every year in January.
"""
    d["runbooks/certificate-rotation.txt"] = f"""RUNBOOK: CERTIFICATE ROTATION
=============================

PUBLIC TLS CERTIFICATES
- Issued by cert-manager in each Kubernetes cluster (ACME protocol, Let's Encrypt).
- cert-manager renews automatically 30 days before expiry.
- Alert CertExpiringSoon fires if a public certificate has less than 14 days left.

INTERNAL mTLS CERTIFICATES (service to service)
- Issued by the internal CA (Vault PKI).
- Lifetime: {F["mtls_days"]}. Sidecars reload certificates without restarts.

SAML SIGNING CERTIFICATES (auth service)
- Rotated manually once a year. After INC-2026-031 the expiry date is tracked as a
  calendar event for the identity team AND as an alert 30 days before expiry.
- Procedure:
  1. Generate the new keypair in Vault: vault write pki_saml/issue/auth ...
  2. Publish the new certificate in the IdP metadata alongside the old one.
  3. Wait 24 hours for metadata caches to refresh.
  4. Switch signing to the new key: acmectl config set auth saml.signing_key=<new id>
  5. Remove the old certificate from metadata after 7 days.

VPN DEVICE CERTIFICATES
- Not handled by SRE. Owned by IT; see it/vpn.md.
"""
    d["api/idempotency.txt"] = f"""ACME BILLING API - IDEMPOTENCY
==============================

WHY
Network errors happen. Idempotency lets you retry POST requests without creating a second
payment or invoice.

HOW
Send a unique value in the Idempotency-Key header on any POST request:

    curl {F["api_base"]}/payments \\
      -H "Authorization: Bearer sk_test_..." \\
      -H "Idempotency-Key: 5f0c2a9e-order-1042" \\
      -d amount=12000 -d currency=usd -d customer=cus_123

RULES
- Keys are retained for {F["idem_retention"]}. A retry within that window returns the original
  response, including errors.
- Reusing a key with a DIFFERENT request body returns 409 with error ACME-3001
  (idempotency_conflict).
- Keys are scoped to your account and to live/test mode.
- Use a UUID or your own order id. Keys can be up to 255 characters.

WHEN TO RETRY
- ACME-5001 and ACME-5002: retry with the same key.
- ACME-2xxx: do not retry with the same payment method.
"""
    d[
        "postmortems/INC-2026-005-webhook-dns.txt"
    ] = f"""POSTMORTEM: INC-2026-005 - DNS resolution failures for outbound webhooks
========================================================================

SEVERITY: SEV2
DATE: {_inc(5)["start"][:10]}
DURATION: {_inc(5)["start"][11:]} to {_inc(5)["end"][11:]} UTC (34 minutes)
INCIDENT COMMANDER: Tom Becker

SUMMARY
Outbound webhook deliveries failed with DNS resolution errors for customer endpoints on
domains with many labels. Deliveries were retried automatically and all events were
eventually delivered within the normal retry window ({F["webhook_attempts"]} over {F["webhook_window"]}).

ROOT CAUSE
A CoreDNS config change lowered the cache size and, combined with ndots:5 in the webhooks
pods, multiplied DNS queries per delivery by 5. CoreDNS hit its query limit and started
returning SERVFAIL.

RESOLUTION
Reverted the CoreDNS config at 16:49 UTC; set ndots:1 in webhooks pods.

ACTION ITEMS
- Use fully qualified names (trailing dot) in the webhooks HTTP client. Owner: Kenji Watanabe.
- Add CoreDNS SERVFAIL rate alert. Owner: Tom Becker.
"""
    d["policies/acceptable_use.txt"] = f"""ACCEPTABLE USE POLICY
=====================

COMPANY DEVICES
- Company laptops are for work. Light personal use (email, banking) is fine.
- Do not install software outside Self Service without an IT request.
- Do not disable the endpoint agent, FileVault or automatic updates.

ACCOUNTS
- Never share your Okta account, API keys or YubiKey.
- Passwords must be at least {F["password_min"]} and stored in 1Password.

CUSTOMER DATA
- Never copy customer data to personal devices, personal cloud storage or AI tools that
  are not on the approved list.
- Production data must not be used in dev environments; staging uses anonymized data.

NETWORK
- Use {F["vpn_client"]} for internal systems. Guest Wi-Fi ({F["guest_wifi"]}) is for visitors only.

VIOLATIONS
Violations are handled by Security and People Ops and may lead to disciplinary action.
"""
    d["it/wifi_and_printing.txt"] = f"""OFFICE WI-FI AND PRINTING
=========================

WI-FI
- Employees: network "Acme-Corp". Sign in with your Okta credentials (802.1X, certificate
  installed automatically on company laptops).
- Visitors: network "{F["guest_wifi"]}". The password rotates weekly and is printed on the
  visitor badge. Guest Wi-Fi cannot reach internal systems.
- Personal phones: use "{F["guest_wifi"]}", not Acme-Corp.

PRINTING
- Austin: AUS-9F-Color (near the kitchen) and AUS-9F-Mono (near the lifts).
- Dublin: DUB-4F-Color.
- Singapore: SIN-12-Color.
- Printers use follow-me printing: print to "Acme-Print", then tap your badge at any printer.

PROBLEMS
Post in #it-help with the office and printer name.
"""
    d["sales/competitive_faq.txt"] = f"""SALES: COMPETITIVE FAQ
=====================

Q: How does our pricing compare for small customers?
A: Starter is {F["price_starter"]}/month plus a {F["fee_starter"]} platform fee on billed volume. Emphasize that
   invoicing, dunning and the dashboard are included; no add-on fees.

Q: A prospect says a competitor has higher API rate limits.
A: Growth gets {F["rl_growth"]} and Enterprise {F["rl_enterprise"]}, and Enterprise limits can be
   raised. Most customers use less than 10% of their limit.

Q: Do we support multi-currency?
A: Yes, {F["currencies"]} currencies, including zero-decimal currencies like JPY and KRW.

Q: What about uptime?
A: The billing-api availability SLO is {F["slo_avail"]} per month. Enterprise contracts include
   service credits if we miss it. Never promise more than the contract SLA.

Q: Do we offer a free trial?
A: Starter and Growth have a {F["trial_days"]} free trial in test and live mode. Enterprise prospects
   get a guided pilot instead of a self-serve trial.
"""
    d["finance/spend_approval_limits.txt"] = f"""SPEND APPROVAL LIMITS (FINANCE INTERNAL)
========================================

Applies to purchase orders, vendor contracts and renewals (total contract value).
Employee expense reports follow the expense policy instead.

LIMITS
- Manager:   up to $5,000
- Director:  up to {R["approve_director"]}
- VP:        up to {R["approve_vp"]}
- CFO:       up to {R["approve_cfo"]}
- Above {R["approve_cfo"]}: CEO and board approval

RULES
- Split purchases to stay under a limit are not allowed.
- Any contract with a vendor processing customer data also needs Security review.
- Procurement (Mei Tanaka) checks the limit in Coupa before the PO is issued.
"""
    return d
