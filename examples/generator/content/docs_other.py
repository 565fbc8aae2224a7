"""HTML documents and PDF documents (PDFs as lists of pages of blocks)."""

from .facts import INC37, INCIDENTS, F
from .facts import RESTRICTED as R


def _html(title, body):
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
{body.strip()}
</body>
</html>
"""


HOLIDAYS = [
    ("2026-01-01", "New Year's Day", "All offices"),
    ("2026-01-19", "Martin Luther King Jr. Day", "US"),
    ("2026-02-17", "Chinese New Year (day 2)", "Singapore"),
    ("2026-03-17", "St. Patrick's Day", "Ireland"),
    ("2026-04-03", "Good Friday", "All offices"),
    ("2026-05-25", "Memorial Day", "US"),
    ("2026-07-03", "Independence Day (observed)", "US"),
    ("2026-08-03", "August Bank Holiday", "Ireland"),
    ("2026-08-10", "National Day (observed)", "Singapore"),
    ("2026-09-07", "Labor Day", "US"),
    ("2026-10-26", "October Bank Holiday", "Ireland"),
    ("2026-11-26", "Thanksgiving", "US"),
    ("2026-11-27", "Day after Thanksgiving", "US"),
    ("2026-12-24", "Company winter break starts (through Jan 1)", "All offices"),
]


def html_docs():
    d = {}
    rows = "\n".join(f"<li>{dt} - {name} ({where})</li>" for dt, name, where in HOLIDAYS)
    d["handbook/holidays_2026.html"] = _html(
        "Company Holidays 2026",
        f"""
<h1>Company Holidays 2026</h1>
<p>Public holidays are in addition to your {F["pto_days"]} of PTO. Offices observe their local holidays;
remote employees follow the calendar of the country they are employed in.</p>
<h2>Holiday calendar</h2>
<ul>
{rows}
</ul>
<h2>Winter break</h2>
<p>The whole company is off from <strong>December 24, 2026 through January 1, 2027</strong>. Teams with on-call
duties keep a reduced rotation; on-call engineers working during the break get a day off in lieu for
each day on primary.</p>
<h2>Working on a holiday</h2>
<p>If you must work on a public holiday (for example because of an incident), take a day in lieu within
60 days and record it in Workday as <em>Holiday in lieu</em>.</p>
""",
    )
    d["api/webhooks.html"] = _html(
        "Webhooks - Acme Billing API",
        f"""
<h1>Webhooks</h1>
<p>Acme Cloud sends webhook events to your HTTPS endpoint when things happen in your account, for example
<code>invoice.paid</code>, <code>payment.failed</code> or <code>subscription.canceled</code>.</p>
<h2>Delivery and retries</h2>
<ul>
<li>Your endpoint must return a 2xx status within <strong>{F["webhook_timeout"]}</strong>.</li>
<li>Failed deliveries are retried up to <strong>{F["webhook_attempts"]} over {F["webhook_window"]}</strong> with exponential backoff.</li>
<li>After 50 consecutive failures the endpoint is paused and the account owner gets an email.</li>
<li>Events may arrive out of order and more than once; deduplicate on the event <code>id</code>.</li>
</ul>
<h2>Verifying signatures</h2>
<p>Every request carries an <code>{F["webhook_header"]}</code> header with a timestamp and an HMAC-SHA256 signature
of <code>timestamp + "." + body</code> using your endpoint's signing secret (starts with <code>whsec_</code>).</p>
<p>Reject events whose timestamp is more than <strong>{F["webhook_tolerance"]}</strong> away from your server time to
protect against replay attacks.</p>
<h2>Event types</h2>
<ul>
<li><code>customer.created</code>, <code>customer.updated</code></li>
<li><code>invoice.finalized</code>, <code>invoice.paid</code>, <code>invoice.voided</code></li>
<li><code>payment.succeeded</code>, <code>payment.failed</code></li>
<li><code>subscription.created</code>, <code>subscription.canceled</code></li>
</ul>
<h2>Testing</h2>
<p>Use Dashboard &gt; Developers &gt; Webhooks &gt; <em>Send test event</em>, or replay any event from the last 30 days.</p>
""",
    )
    d["api/changelog.html"] = _html(
        "API Changelog - Acme Billing API",
        f"""
<h1>API Changelog</h1>
<p>The Acme Billing API is versioned by date. The current version is <strong>{F["api_version"]}</strong>.</p>
<h2>{F["api_version"]} (current)</h2>
<ul>
<li>Added <code>POST /v2/credit_notes</code> for partial refunds on finalized invoices.</li>
<li>Invoice line items now include <code>tax_breakdown</code>.</li>
<li>Breaking: <code>payment.amount</code> is always in minor units, except zero-decimal currencies.</li>
</ul>
<h2>2026-01-15</h2>
<ul>
<li>Added <code>idempotency_conflict</code> (ACME-3001) error when a key is reused with a different body.</li>
<li>Webhook signatures moved to the <code>{F["webhook_header"]}</code> header (the legacy header was removed).</li>
</ul>
<h2>v1 sunset</h2>
<p>The legacy v1 API was sunset on <strong>{F["v1_sunset"]}</strong>. All <code>/v1</code> endpoints now return
<code>410 Gone</code>. Migration guide: see the API overview.</p>
""",
    )
    i31 = INCIDENTS[31]
    d["postmortems/INC-2026-031-dashboard-login.html"] = _html(
        "Postmortem INC-2026-031 - Dashboard login failures",
        f"""
<h1>Postmortem: INC-2026-031 - Dashboard login failures</h1>
<h2>Summary</h2>
<p>On {i31["start"][:10]} from {i31["start"][11:]} to {i31["end"][11:]} UTC (41 minutes), customers using SAML single sign-on could
not log in to the Acme Dashboard. API traffic was not affected. Severity: <strong>SEV1</strong>.
Incident commander: Lena Fischer.</p>
<h2>Root cause</h2>
<p>The SAML signing certificate of the <code>auth</code> service expired at 09:00 UTC. The certificate had a one-year
lifetime and its rotation was tracked only in a personal calendar of an engineer who had since left the company.</p>
<h2>Timeline (UTC)</h2>
<ul>
<li>09:00 certificate expires.</li>
<li>09:05 Support escalates the first customer reports in #support-escalations; incident declared.</li>
<li>09:22 expired certificate identified.</li>
<li>09:38 new certificate published in IdP metadata and signing switched.</li>
<li>09:46 logins recovered for all customers.</li>
</ul>
<h2>Action items</h2>
<ul>
<li>Alert 30 days before any SAML certificate expires (owner: Hannah Schmidt) - done.</li>
<li>Document SAML rotation in the certificate rotation runbook (owner: Tom Becker) - done.</li>
<li>Move all certificate expiries into the shared identity team calendar (owner: Lena Fischer).</li>
</ul>
""",
    )
    d["policies/travel_policy.html"] = _html(
        "Travel Policy",
        f"""
<h1>Travel Policy</h1>
<p>This policy covers business travel for all Acme Cloud employees. Expenses are claimed under the
expense policy.</p>
<h2>Booking</h2>
<ul>
<li>Book all flights, hotels and rail through <strong>{F["travel_tool"]}</strong>. Bookings outside {F["travel_tool"]} are not reimbursed unless cheaper and pre-approved.</li>
<li>Book at least 14 days ahead when you can.</li>
<li>Your manager approves the trip in {F["travel_tool"]} before booking.</li>
</ul>
<h2>Flights</h2>
<p>Economy class for flights under <strong>{F["flight_rule"]}</strong>. For flights of {F["flight_rule"]} or longer you may book
premium economy. Business class requires CFO approval.</p>
<h2>Hotels</h2>
<p>Nightly hotel caps (before tax):</p>
<ul>
<li>North America: <strong>{F["hotel_na"]}</strong> per night</li>
<li>EMEA: <strong>{F["hotel_emea"]}</strong> per night</li>
<li>APAC: <strong>{F["hotel_apac"]}</strong> per night</li>
</ul>
<p>New York, San Francisco, London and Zurich have a 30% higher cap.</p>
<h2>Meals and ground transport</h2>
<p>Meals while travelling: up to {F["per_diem"]}. Use public transport or ride-hailing; car rental needs manager approval.</p>
""",
    )
    d["it/sso.html"] = _html(
        "Single Sign-On (Okta)",
        f"""
<h1>Single Sign-On with Okta</h1>
<p>All company applications use Okta SSO at <a href="{F["okta_url"]}">{F["okta_url"]}</a>.</p>
<h2>Getting access to an app</h2>
<ul>
<li>Apps for your department are assigned automatically based on your Workday department.</li>
<li>For anything else, open an <em>Access Request</em> in the IT portal ({F["it_portal"]}).</li>
<li>The app owner approves the request; IT provisions it within 1 business day.</li>
<li>Production and admin roles also require a {F["yubikey"]} (see the MFA page).</li>
</ul>
<h2>Access reviews</h2>
<p>App owners review who has access <strong>{F["access_review"]}</strong>. Access that is not re-approved is removed.</p>
<h2>Offboarding</h2>
<p>When someone leaves, Okta access is revoked within <strong>{F["offboard_revoke"]}</strong> of the termination
being entered in Workday, which removes access to all SSO apps at once.</p>
<h2>Troubleshooting</h2>
<ul>
<li>"You do not have access to this app": request access as above.</li>
<li>Locked out after failed MFA attempts: ask in #it-help; IT unlocks after a video identity check.</li>
</ul>
""",
    )
    d["sales/pricing.html"] = _html(
        "Pricing - Acme Billing",
        f"""
<h1>Acme Billing Pricing</h1>
<p>All plans include the Acme Billing API and the Acme Dashboard. Prices are in USD.</p>
<h2>Starter</h2>
<ul>
<li><strong>{F["price_starter"]} per month</strong> plus a {F["fee_starter"]} platform fee on billed volume.</li>
<li>API rate limit: {F["rl_starter"]}.</li>
<li>Email support, first response within {F["sla_starter"]}.</li>
</ul>
<h2>Growth</h2>
<ul>
<li><strong>{F["price_growth"]} per month</strong> plus a {F["fee_growth"]} platform fee on billed volume.</li>
<li>API rate limit: {F["rl_growth"]}.</li>
<li>Revenue recognition reports, dunning workflows, SAML SSO for the dashboard.</li>
</ul>
<h2>Enterprise</h2>
<ul>
<li>Starts at <strong>{F["price_enterprise"]} per month</strong> on an annual contract; platform fee from {F["fee_enterprise"]}.</li>
<li>API rate limit: {F["rl_enterprise"]}, can be raised.</li>
<li>24/7 P1 support with a {F["sla_ent_p1"]} first response, dedicated Customer Success Manager, service credits.</li>
</ul>
<h2>Discounts and trials</h2>
<p>Paying annually up front gives a <strong>{F["annual_discount"]} discount</strong> on Starter and Growth. Starter and Growth
include a {F["trial_days"]} free trial.</p>
""",
    )
    d["support/sla.html"] = _html(
        "Service Level Agreement - Service Credits",
        f"""
<h1>Service Level Agreement</h1>
<p>The Enterprise SLA commits to <strong>{F["slo_avail"]}</strong> monthly availability for the Acme Billing API.
Availability is measured as the share of minutes in which the API answered successfully.</p>
<h2>Service credits</h2>
<ul>
<li>Monthly availability below {F["slo_avail"]} but at least 99.5%: 10% of that month's platform fee.</li>
<li>Below 99.5% but at least 99.0%: 25%.</li>
<li>Below 99.0%: 50%.</li>
</ul>
<h2>Claiming credits</h2>
<p>Customers must request credits within 30 days after the end of the affected month through their
Customer Success Manager. Credits are applied to the next invoice and are the sole remedy for
missed availability.</p>
<h2>Exclusions</h2>
<ul>
<li>Scheduled maintenance announced 5 days in advance (at most 4 hours per month).</li>
<li>Errors caused by the customer's code or exceeding rate limits (ACME-4001).</li>
</ul>
""",
    )
    d["it/password_manager.html"] = _html(
        "Password Manager (1Password)",
        f"""
<h1>1Password</h1>
<p>Every employee gets a 1Password Business account. It is the only approved place to store passwords,
API keys and recovery codes.</p>
<h2>Rules</h2>
<ul>
<li>Passwords must be at least {F["password_min"]}; let 1Password generate them.</li>
<li>Share credentials through shared vaults, never in Slack or email.</li>
<li>Production secrets do not belong in 1Password: they live in Vault.</li>
</ul>
<h2>Setting up</h2>
<p>Install 1Password from Self Service, sign in with Okta and save your Emergency Kit in a safe place.</p>
<h2>Lost access</h2>
<p>If you lose your account password, a 1Password admin in IT can start a recovery. Ask in #it-help.</p>
""",
    )
    return d


def pdf_docs():
    """Each PDF: list of pages; each page a list of (kind, text) with kind h1/h2/p/li."""
    d = {}
    d["handbook/benefits_guide_2026.pdf"] = [
        [
            ("h1", "Acme Cloud Benefits Guide 2026"),
            (
                "p",
                "This guide summarizes the benefits Acme Cloud offers to full-time employees in 2026. "
                "Country-specific details are in the local supplement from People Ops.",
            ),
            ("h2", "Contents"),
            ("li", "Page 2 - Health insurance and HSA"),
            ("li", "Page 3 - Retirement (401k) and learning budget"),
            ("li", "Page 4 - Wellness, time off and open enrollment"),
            (
                "p",
                "Questions? Ask in #hr-questions. Parental leave details are provided by your HR business partner.",
            ),
        ],
        [
            ("h2", "1. Health insurance"),
            (
                "p",
                f"US employees are covered by {F['health_carrier']}. You can choose between a PPO plan and a high-deductible "
                "plan (HDHP). Acme Cloud pays 100% of the employee premium and 80% of dependent premiums for both plans.",
            ),
            ("h2", "Health Savings Account"),
            (
                "p",
                f"If you choose the HDHP, Acme Cloud contributes {F['hsa']} per year to your HSA, paid in equal amounts "
                "with each payroll run. You can add your own pre-tax contributions up to the IRS limit.",
            ),
            (
                "p",
                "Ireland and Singapore employees receive private medical insurance through local providers; see the local supplement.",
            ),
        ],
        [
            ("h2", "2. Retirement"),
            (
                "p",
                f"US employees can join the 401(k) plan from day one. Acme Cloud matches {F['k401_match']} of salary: 100% of "
                f"your contributions up to {F['k401_match']}. The company match vests immediately.",
            ),
            ("h2", "3. Learning budget"),
            (
                "p",
                f"Every employee has a learning budget of {F['learning_budget']} per calendar year for courses, books, "
                "certifications and conferences. Claim it in Expensify under the category Learning. Unused budget does not roll over.",
            ),
        ],
        [
            ("h2", "4. Wellness"),
            (
                "p",
                f"A wellness allowance of {F['wellness']} per year covers gym memberships, fitness classes, therapy apps "
                "and sports equipment.",
            ),
            ("h2", "5. Time off"),
            (
                "p",
                f"{F['pto_days']} of PTO per year plus public holidays and a company-wide winter break. See the PTO policy in the handbook.",
            ),
            ("h2", "6. Open enrollment"),
            (
                "p",
                f"Open enrollment for 2027 benefits runs {F['open_enrollment']}. Changes take effect on January 1, 2027. "
                "Outside open enrollment you can only change plans after a qualifying life event.",
            ),
        ],
    ]
    d["policies/information_security_policy.pdf"] = [
        [
            ("h1", "Information Security Policy"),
            (
                "p",
                "Version 4.2, effective 2026-02-01. Owner: Security (Hannah Schmidt). Approved by the VP Engineering.",
            ),
            ("h2", "1. Purpose and scope"),
            (
                "p",
                "This policy applies to all employees, contractors and systems that store or process Acme Cloud or customer data. "
                "Exceptions must be requested from Security in writing and are reviewed every 6 months.",
            ),
            ("h2", "2. Data classification"),
            ("li", "Public - marketing pages, public API docs."),
            ("li", "Internal - handbook, runbooks, most Slack channels."),
            ("li", "Confidential - customer data, compensation, financial results."),
            ("li", "Restricted - payment credentials, secrets, encryption keys."),
        ],
        [
            ("h2", "3. Identity and access"),
            (
                "p",
                f"All access uses Okta SSO with MFA. Production access requires a {F['yubikey']} hardware key. "
                f"Passwords must be at least {F['password_min']} long and stored in 1Password. We do not force periodic "
                "password changes; change a password immediately if you suspect it was exposed.",
            ),
            (
                "p",
                f"Access to systems holding confidential data is reviewed {F['access_review']} by the system owner. Leavers lose "
                f"access within {F['offboard_revoke']} of termination.",
            ),
            ("h2", "4. Devices"),
            (
                "p",
                f"Company laptops must have disk encryption, the endpoint agent and automatic updates enabled. Screens must "
                f"lock after {F['screen_lock']} of inactivity. Personal devices may only access Slack and email through the managed apps.",
            ),
        ],
        [
            ("h2", "5. Vulnerability management"),
            (
                "p",
                "Vulnerabilities found by scanners, pentests or the bug bounty are triaged by Security and fixed within these deadlines:",
            ),
            ("li", f"Critical: {F['patch_critical']}"),
            ("li", f"High: {F['patch_high']}"),
            ("li", f"Medium: {F['patch_medium']}"),
            ("li", "Low: next planned maintenance"),
            (
                "p",
                "Missed deadlines are escalated to the VP Engineering. An annual external penetration test covers the "
                "Billing API, the Dashboard and the corporate network.",
            ),
        ],
        [
            ("h2", "6. Incident reporting"),
            (
                "p",
                "Report suspected security incidents (phishing you clicked, lost laptops, leaked keys) in #it-help or directly "
                "to Security within 1 hour of noticing. Security decides whether to declare a security incident.",
            ),
            ("h2", "7. Vendors"),
            (
                "p",
                "Vendors that process customer data need a security review before contract signature and a re-review every year.",
            ),
            ("h2", "8. Enforcement"),
            (
                "p",
                "Violations may lead to loss of access and disciplinary action. This policy is reviewed annually.",
            ),
        ],
    ]
    i37 = INCIDENTS[37]
    d["postmortems/INC-2026-037-ledger-drift.pdf"] = [
        [
            ("h1", "Postmortem: INC-2026-037 - Ledger balance drift for zero-decimal currencies"),
            (
                "p",
                f"Severity: SEV1. Started {i37['start']} UTC, resolved {i37['end']} UTC. Incident commander: Priya Raman. "
                "Service: ledger.",
            ),
            ("h2", "Summary"),
            (
                "p",
                f"Ledger {INC37['bad_version']} changed how currency amounts are converted to minor units. For zero-decimal "
                "currencies (JPY, KRW, VND, CLP) amounts were multiplied by 100 in one code path used for partial refunds. "
                f"Account balances drifted for {INC37['accounts']} customer accounts. No money moved incorrectly at the "
                "processor; the error was in ledger balances and the invoices generated from them.",
            ),
        ],
        [
            ("h2", "Detection and timeline (UTC)"),
            (
                "li",
                "2026-09-15 03:00 nightly ledger-recon reports mismatches only in JPY and KRW accounts.",
            ),
            (
                "li",
                "2026-09-15 11:30 SEV1 declared after Support escalated two customers with wrong balances.",
            ),
            (
                "li",
                f"2026-09-15 12:10 refund path disabled by feature flag; {INC37['fixed_version']} fix in review.",
            ),
            ("li", f"2026-09-15 18:40 ledger {INC37['fixed_version']} deployed."),
            (
                "li",
                "2026-09-16 to 2026-09-18 balances corrected with ledger-adjust, reviewed by two engineers each.",
            ),
            ("li", "2026-09-18 17:00 all accounts reconciled; incident resolved."),
        ],
        [
            ("h2", "Root cause"),
            (
                "p",
                "The new Money.toMinorUnits helper ignored the currency exponent table for refunds created through the "
                "credit note endpoint. Unit tests only covered USD and EUR.",
            ),
            ("h2", "Action items"),
            ("li", "Property-based tests over all 42 supported currencies (owner: Raj Patel)."),
            (
                "li",
                "Recon alert on first mismatch per currency, not per account count (owner: Priya Raman).",
            ),
            (
                "li",
                "Customer communication and corrected invoices for affected accounts (owner: Fatima Zahra).",
            ),
        ],
    ]
    d["sales/sales_playbook.pdf"] = [
        [
            ("h1", "Acme Cloud Sales Playbook 2026"),
            (
                "p",
                "For Account Executives, Sales Engineers and Customer Success. Owner: Carlos Mendes.",
            ),
            ("h2", "Ideal customer profile"),
            (
                "p",
                "B2B software companies with 50 to 2,000 employees, recurring revenue between $2M and $200M, and "
                "a finance team that has outgrown spreadsheets or a homegrown billing system.",
            ),
        ],
        [
            ("h2", "Qualification (MEDDPICC)"),
            (
                "p",
                "Every opportunity above $20,000 ARR needs a completed MEDDPICC in Salesforce before the proposal stage.",
            ),
            ("h2", "Trials and pilots"),
            (
                "p",
                f"Starter and Growth prospects self-serve a {F['trial_days']} trial. Enterprise prospects get a guided pilot of "
                f"up to {F['enterprise_pilot']} with a Sales Engineer; extending a pilot beyond {F['enterprise_pilot']} needs VP Sales approval.",
            ),
            ("h2", "Security reviews"),
            (
                "p",
                "Send the security questionnaire package from the Trust Center. Custom questionnaires go to Security through "
                "the Sales Engineer; allow 10 business days.",
            ),
        ],
        [
            ("h2", "Pricing and discounts"),
            (
                "p",
                f"List prices: Starter {F['price_starter']}/month, Growth {F['price_growth']}/month, Enterprise from {F['price_enterprise']}/month. "
                f"AEs can give up to {F['disc_ae']} without approval; see the discount approval page for higher discounts.",
            ),
            ("h2", "Handoff to Customer Success"),
            (
                "p",
                "Within 2 business days of signature the AE fills in the handoff form and introduces the Customer Success "
                "Manager. Enterprise kickoff calls happen within 10 business days.",
            ),
            ("h2", "Commission"),
            (
                "p",
                "Commission is paid on first-year ACV after the first invoice is paid. Details are in your compensation plan.",
            ),
        ],
    ]
    d["hr/compensation_bands_2026.pdf"] = [
        [
            ("h1", "Compensation Bands 2026 (Confidential - People team)"),
            (
                "p",
                "Base salary bands for US-based roles, effective 2026-01-01. Ireland and Singapore bands are derived "
                "with the geo factors on page 3. Do not share outside the People team.",
            ),
            ("h2", "Levels"),
            ("li", "L3 - Engineer / Specialist"),
            ("li", "L4 - Senior"),
            ("li", "L5 - Staff / Lead"),
            ("li", "L6 - Principal / Manager"),
            ("li", "L7 - Director"),
        ],
        [
            ("h2", "Engineering bands (US)"),
            ("li", "L3 Software Engineer: $118,000 - $146,000"),
            ("li", f"L4 Senior Software Engineer: {R['l4_band']}"),
            ("li", f"L5 Staff Engineer: {R['l5_band']}"),
            ("li", "L6 Principal Engineer / Engineering Manager: $205,000 - $255,000"),
            ("li", "L7 Director of Engineering: $240,000 - $300,000"),
            ("h2", "Go-to-market bands (US, base only)"),
            ("li", "L3 Support Engineer: $72,000 - $92,000"),
            ("li", "L4 Account Executive: $95,000 - $120,000 (50/50 base/variable)"),
        ],
        [
            ("h2", "Geo factors"),
            ("li", "Ireland: 0.78 of US band, paid in EUR at the budget rate"),
            ("li", "Singapore: 0.82 of US band, paid in SGD at the budget rate"),
            ("h2", "Rules"),
            (
                "p",
                "Offers above the band midpoint need VP People approval. Offers above the band maximum need CEO approval.",
            ),
        ],
    ]
    d["finance/revenue_h1_2026.pdf"] = [
        [
            ("h1", "H1 2026 Revenue Report (Confidential - Finance)"),
            ("p", "Prepared by FP&A for the exec team. All figures in USD, unaudited."),
            ("h2", "Quarterly revenue"),
            ("li", f"Q1 2026 revenue: {R['q1_revenue']}"),
            ("li", f"Q2 2026 revenue: {R['q2_revenue']}"),
        ],
        [
            ("h2", "ARR and margin"),
            (
                "p",
                f"Annual recurring revenue reached {R['arr_june']} on June 30, 2026. Gross margin for H1 was 78%.",
            ),
            ("h2", "Mix"),
            ("li", "Enterprise: 61% of revenue"),
            ("li", "Growth: 31% of revenue"),
            ("li", "Starter: 8% of revenue"),
        ],
        [
            ("h2", "Notes"),
            (
                "p",
                "Net revenue retention for H1 was 114%. Platform fees grew faster than subscription fees because "
                "of volume growth at three large enterprise customers.",
            ),
        ],
    ]
    return d
