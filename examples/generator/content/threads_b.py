"""Hand-written Slack threads, part B: it-help, hr-questions, sales, support, private channels."""

from .facts import INC14, F
from .facts import PRIVATE as P


def T(channel, key, when, msgs):
    return dict(channel=channel, key=key, when=when, msgs=msgs)


THREADS = [
    # ------------------------------------------------------------------ it-help
    T(
        "it-help",
        "it_vpn_expired",
        "2026-01-15 08:55",
        [
            (
                "samuel",
                'VPN stopped working this morning: "handshake did not complete". Anyone else?',
            ),
            (
                "omar",
                "That's almost always an expired device certificate. They're valid for "
                + F["vpn_cert_days"]
                + ". Renew at "
                + F["vpn_portal"]
                + " > *Renew device certificate*, then reconnect. [[it/vpn.md|VPN doc]]",
            ),
            ("samuel", "Worked, thanks. Didn't see any reminder though."),
            (
                "omar",
                F["vpn_client"]
                + " shows a reminder "
                + F["vpn_reminder"]
                + " before expiry, but only if notifications are allowed for it in macOS settings.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_vpn_hotel",
        "2026-02-26 19:30",
        [
            ("jessica", "At a hotel in Frankfurt, VPN connects but times out constantly."),
            (
                "omar",
                "Hotel wifi often blocks UDP. Switch "
                + F["vpn_client"]
                + " to *TCP fallback* in settings.",
            ),
            ("jessica", "That fixed it!"),
        ],
    ),
    T(
        "it-help",
        "it_vpn_split",
        "2026-03-04 11:00",
        [
            ("aisha", "Does all my traffic go through the VPN? Zoom gets choppy when it's on."),
            (
                "nora",
                "No, split tunnelling: only "
                + F["vpn_subnet"]
                + " goes through the tunnel. Zoom shouldn't be affected; run `acmeconnect doctor` and post the output.",
            ),
            ("aisha", "Turned out to be my home router. All good."),
        ],
    ),
    T(
        "it-help",
        "it_yubikey_lost",
        "2026-01-29 16:20",
        [
            ("marcus", "I think I left my YubiKey in a coworking space. What do I do?"),
            (
                "omar",
                "Report it here within "
                + F["lost_key_hours"]
                + " (you just did). I've revoked it in Okta. Use your backup key; a replacement "
                + F["yubikey"]
                + " ships today. [[it/mfa.md|MFA doc]]",
            ),
            (
                "marcus",
                "Found the old one at the coworking lost and found. Can I re-enrol it?",
                "+1d",
            ),
            (
                "omar",
                "No, revoked keys stay revoked. Keep the new one as primary and drop the old one in the IT bin.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_new_phone",
        "2026-02-16 10:05",
        [
            ("jessica", "Getting a new phone tomorrow, anything to do for Okta Verify?"),
            (
                "omar",
                "Add the new phone in Okta *before* wiping the old one: "
                + F["okta_url"]
                + " > Settings > Security methods. If you wipe first, we need a video call to verify you.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_laptop_refresh",
        "2026-03-16 13:30",
        [
            ("liam", "My laptop is from 2022 and the battery is dying. Am I due a new one?"),
            (
                "nora",
                "Laptops are refreshed "
                + F["laptop_refresh"]
                + ", so yes. Open a refresh request in the IT portal "
                + F["it_portal"]
                + ". Non-engineering roles get the "
                + F["laptop_other"]
                + ". [[it/laptop.md|Laptop doc]]",
            ),
        ],
    ),
    T(
        "it-help",
        "it_laptop_stolen",
        "2026-04-27 21:10",
        [
            ("carlos", "My laptop bag was stolen from the car in San Jose. Laptop was inside."),
            (
                "omar",
                "Sorry Carlos. I've triggered a remote wipe and disabled the device in Okta. Security is informed. A replacement ships tomorrow to your hotel; send me the address in DM.",
            ),
            (
                "hannah",
                "Please also file a police report, we need the number for insurance. Per the security policy, report within 1 hour; you did, thank you.",
                "+1d",
            ),
        ],
    ),
    T(
        "it-help",
        "it_screen_lock",
        "2026-03-24 15:45",
        [
            (
                "kenji",
                "Can I extend the screen lock timeout? It locks while I'm reading long docs.",
            ),
            (
                "hannah",
                "No, "
                + F["screen_lock"]
                + " is required by the information security policy, and enforced by MDM. Moving the mouse now and then is the workaround :slightly_smiling_face:",
            ),
        ],
    ),
    T(
        "it-help",
        "it_password_length",
        "2026-02-06 09:40",
        [
            (
                "samuel",
                "Okta says my new password is too short, it's 12 characters. What's the rule?",
            ),
            (
                "hannah",
                "Minimum is "
                + F["password_min"]
                + ". Let 1Password generate one. We don't force periodic rotation. [[it/password_manager.html|1Password]]",
            ),
        ],
    ),
    T(
        "it-help",
        "it_app_access",
        "2026-04-02 10:25",
        [
            ("mei", "I need access to Looker for the Q1 close, how do I get it?"),
            (
                "omar",
                "Open an *Access Request* in the IT portal. Looker's owner (Samuel for finance dashboards) approves, then we provision within 1 business day. [[it/sso.html|SSO doc]]",
            ),
            ("mei", "Approved and working, thanks.", "+1d"),
        ],
    ),
    T(
        "it-help",
        "it_offboarding",
        "2026-05-12 17:00",
        [
            ("grace", "For a termination effective today, how fast is access cut?"),
            (
                "nora",
                "Okta access is revoked within "
                + F["offboard_revoke"]
                + " of the termination being entered in Workday. For urgent cases ping IT here and we suspend immediately.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_software_figma",
        "2026-05-20 14:15",
        [
            ("yuki", "Can I install Figma desktop? Not in Self Service."),
            (
                "omar",
                "Open a Software Request in the IT portal. Figma doesn't touch customer data so no vendor security review, usually approved the same day. [[it/software_requests.md|Software requests]]",
            ),
        ],
    ),
    T(
        "it-help",
        "it_ai_tool",
        "2026-06-08 11:50",
        [
            ("ethan", "Can I paste customer ticket text into an AI tool to summarize it?"),
            (
                "hannah",
                "Only approved tools. Customer data must never go into unapproved AI tools (acceptable use policy). The approved list is in the IT portal; currently only the enterprise workspace of our chat assistant.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_printer_austin",
        "2026-06-18 10:00",
        [
            ("olivia", "How do I print the board deck in color in Austin?"),
            (
                "omar",
                "Print to *Acme-Print*, then tap your badge at AUS-9F-Color near the kitchen. [[it/wifi_and_printing.txt|Printing]]",
            ),
        ],
    ),
    T(
        "it-help",
        "it_yubikey_prod",
        "2026-07-06 09:15",
        [
            ("ethan", "Why do I get a YubiKey prompt when opening the admin console?"),
            (
                "nora",
                "The admin console is production access, which requires a "
                + F["yubikey"]
                + ". If you don't have one, request one in the IT portal. Support engineers with admin console access get two (primary + backup).",
            ),
        ],
    ),
    T(
        "it-help",
        "it_mfa_lockout",
        "2026-07-21 08:20",
        [
            ("beatriz", "Locked out of Okta after too many wrong MFA codes :("),
            ("omar", "Joining a Zoom with you for a quick identity check, then I'll unlock you."),
            ("beatriz", "Unlocked, thank you Omar!"),
        ],
    ),
    T(
        "it-help",
        "it_vpn_cert_lifetime_again",
        "2026-08-18 12:30",
        [
            ("ben", "How often do I need to renew the VPN cert? Feels like every month."),
            (
                "omar",
                "Every "
                + F["vpn_cert_days"]
                + ". You get a reminder "
                + F["vpn_reminder"]
                + " before. If it really expires monthly, your device may be enrolled twice; I'll check.",
            ),
            ("omar", "You had two device certs (old laptop + new). Removed the old one.", "+1d"),
        ],
    ),
    T(
        "it-help",
        "it_guest_wifi_phone",
        "2026-09-02 13:40",
        [
            ("jessica", "Which wifi should my personal phone use in the office?"),
            (
                "omar",
                F["guest_wifi"] + ". Acme-Corp is for company laptops only (802.1X certificate).",
            ),
        ],
    ),
    T(
        "it-help",
        "it_browser_ext",
        "2026-09-14 16:05",
        [
            ("aisha", "Chrome blocked the Grammarly extension?"),
            (
                "hannah",
                "It reads everything you type, including customer data, so it's not on the approved list. Request a review through the IT portal if you need it.",
            ),
        ],
    ),
    T(
        "it-help",
        "it_dev_vpn_staging",
        "2026-10-13 10:45",
        [
            ("raj", "Can't reach staging admin console from home."),
            (
                "omar",
                "Staging is only reachable over "
                + F["vpn_client"]
                + ". Are you connected? `acmeconnect doctor` will tell you.",
            ),
            ("raj", "Wasn't connected, cert had expired. Renewed, works."),
        ],
    ),
    # ------------------------------------------------------------- hr-questions
    T(
        "hr-questions",
        "hr_pto_carryover",
        "2026-01-08 10:00",
        [
            ("tom", "I had 9 days left at the end of 2025. How many carry over?"),
            (
                "grace",
                F["pto_carryover"]
                + " carry over; the rest were forfeited on January 1. Carried-over days expire on "
                + F["pto_carryover_expiry"]
                + ", so use them soon. [[handbook/pto.md|PTO policy]]",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_pto_allowance",
        "2026-01-13 14:20",
        [
            ("ethan", "How many PTO days do we get per year? My offer letter is vague."),
            (
                "beatriz",
                F["pto_days"]
                + " per calendar year, accrued monthly, plus public holidays and "
                + F["sick_days"]
                + " of sick leave.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_pto_notice",
        "2026-02-19 11:35",
        [
            ("kenji", "How far in advance do I need to request a week off?"),
            (
                "grace",
                "For 3+ working days, at least "
                + F["pto_notice"]
                + " ahead in Workday. If you're on call that week, swap your shift first.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_401k",
        "2026-02-25 15:10",
        [
            ("raj", "What's the 401k match and when does it vest?"),
            (
                "beatriz",
                F["k401_match"]
                + " match, vests immediately. Details on page 3 of the [[handbook/benefits_guide_2026.pdf|Benefits Guide]].",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_learning_budget",
        "2026-03-09 09:25",
        [
            ("tom", "Can I use the learning budget for the CKA exam?"),
            (
                "beatriz",
                "Yes, certifications count. You have "
                + F["learning_budget"]
                + " per calendar year; claim it in "
                + F["expense_tool"]
                + " under *Learning*. Unused budget doesn't roll over.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_wellness",
        "2026-03-30 12:45",
        [
            ("aisha", "Does the wellness allowance cover a climbing gym membership?"),
            ("beatriz", "Yes, gyms and classes are covered, up to " + F["wellness"] + " per year."),
        ],
    ),
    T(
        "hr-questions",
        "hr_parental_leave_question",
        "2026-04-16 10:10",
        [
            (
                "kenji",
                "My partner and I are expecting in September. Where can I read about parental leave?",
            ),
            (
                "grace",
                "Congratulations! The details depend on your situation, so I'll set up a call and walk you through it; I've sent you a calendar invite. Please also let your manager know when you're comfortable.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_home_office",
        "2026-05-05 16:30",
        [
            ("ethan", "Is there a budget for a standing desk? I started 3 weeks ago."),
            (
                "beatriz",
                "Yes, the one-time home office stipend of "
                + F["home_office"]
                + ". Claim it in "
                + F["expense_tool"]
                + " within your first 90 days under *Home Office*. [[handbook/remote_work.md|Remote work]]",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_internet",
        "2026-05-13 09:50",
        [
            ("jessica", "Do we get internet reimbursed?"),
            (
                "beatriz",
                "Up to "
                + F["internet"]
                + ". Upload the bill in "
                + F["expense_tool"]
                + " each month.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_work_abroad",
        "2026-06-01 13:00",
        [
            ("marcus", "Can I work from Portugal for 6 weeks this summer?"),
            (
                "grace",
                "Working from another country is allowed up to 30 days per year without approval. Six weeks is longer, so People Ops needs to approve it because of tax rules. Send me the dates and I'll start the check.",
            ),
            (
                "grace",
                "Tax check came back fine: approved for 6 weeks from July 6. Confirmation is in your email.",
                "+2d",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_sick_note",
        "2026-06-24 08:40",
        [
            ("liam", "Do I need a doctor's note for 2 sick days?"),
            (
                "beatriz",
                "No, only for more than 3 consecutive days. Just log it in Workday as sick leave.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_hsa",
        "2026-07-15 11:20",
        [
            ("tom", "How much does Acme put into the HSA?"),
            (
                "beatriz",
                F["hsa"]
                + " per year if you're on the HDHP, split across payroll runs. Page 2 of the benefits guide.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_review_cycle_public",
        "2026-09-09 14:00",
        [
            ("marcus", "When does the H2 review cycle start? Want to plan my self review."),
            (
                "grace",
                "The cycle opens in Lattice on October 26. I'll share the rest of the dates with managers first and then in the announcement.",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_holiday_lieu",
        "2026-08-05 09:30",
        [
            (
                "lena",
                "Tom worked the August bank holiday on an incident. How does he get the day back?",
            ),
            (
                "grace",
                "Day in lieu within 60 days, recorded in Workday as *Holiday in lieu*. [[handbook/holidays_2026.html|Holidays page]]",
            ),
        ],
    ),
    T(
        "hr-questions",
        "hr_gifts",
        "2026-09-23 15:30",
        [
            ("jessica", "A customer sent me a bottle of whisky, am I allowed to keep it?"),
            (
                "beatriz",
                "Gifts up to $100 per year from any single customer or vendor are fine. Above that, decline or report to Legal. [[handbook/code_of_conduct.txt|Code of conduct]]",
            ),
        ],
    ),
    # -------------------------------------------------------------------- sales
    T(
        "sales",
        "sales_discount_25",
        "2026-02-10 15:00",
        [
            ("jessica", "Northwind wants 25% off a 2-year Growth deal. Who needs to approve?"),
            (
                "carlos",
                "Above "
                + F["disc_vp"]
                + " and up to "
                + F["disc_cfo"]
                + " goes to the CFO, so Daniel. File the Discount Request in Salesforce and I'll back it. [[sales/discount_approval.md|Discount approval]]",
            ),
            ("daniel", "Approved at 22% with the 2-year commitment.", "+1d"),
        ],
    ),
    T(
        "sales",
        "sales_annual_discount",
        "2026-02-17 10:10",
        [
            ("jessica", "Does the annual prepay discount count toward my 10% limit?"),
            (
                "carlos",
                "No, the "
                + F["annual_discount"]
                + " annual prepay discount is separate. You can still give up to "
                + F["disc_ae"]
                + " on top without approval.",
            ),
        ],
    ),
    T(
        "sales",
        "sales_enterprise_price",
        "2026-03-02 09:45",
        [
            ("aisha", "What's the floor price for Enterprise now?"),
            (
                "carlos",
                "Enterprise starts at "
                + F["price_enterprise"]
                + "/month on an annual contract, platform fee from "
                + F["fee_enterprise"]
                + ". [[sales/pricing.html|Pricing]]",
            ),
        ],
    ),
    T(
        "sales",
        "sales_pilot_length",
        "2026-03-18 16:20",
        [
            ("aisha", "Globex wants a 45-day Enterprise pilot. Can we do that?"),
            (
                "carlos",
                "Standard pilot is up to "
                + F["enterprise_pilot"]
                + ". Going longer needs my approval. Let's do 30 days with a mid-point check-in, and extend if they hit the success criteria.",
            ),
        ],
    ),
    T(
        "sales",
        "sales_security_questionnaire",
        "2026-04-06 11:15",
        [
            (
                "jessica",
                "Prospect sent a 300-question custom security questionnaire, how long will that take?",
            ),
            (
                "aisha",
                "Route it through me to Security; allow 10 business days. First send them the Trust Center package, it usually answers 80%.",
            ),
        ],
    ),
    T(
        "sales",
        "sales_starter_fee",
        "2026-04-22 14:00",
        [
            ("jessica", "Remind me the platform fee on Starter vs Growth?"),
            (
                "aisha",
                "Starter "
                + F["fee_starter"]
                + ", Growth "
                + F["fee_growth"]
                + " of billed volume, Enterprise from "
                + F["fee_enterprise"]
                + ".",
            ),
        ],
    ),
    T(
        "sales",
        "sales_sla_credit",
        "2026-05-14 10:30",
        [
            (
                "ben",
                "Customer asking how much credit they'd get if availability dropped to 99.7% in a month.",
            ),
            (
                "aisha",
                "That's below "
                + F["slo_avail"]
                + " but above 99.5%, so 10% of that month's platform fee. [[support/sla.html|SLA page]]",
            ),
        ],
    ),
    T(
        "sales",
        "sales_trial_length",
        "2026-06-04 15:40",
        [
            ("jessica", "How long is the free trial on Growth?"),
            (
                "aisha",
                F["trial_days"]
                + " for Starter and Growth. Enterprise gets a guided pilot instead.",
            ),
        ],
    ),
    T(
        "sales",
        "sales_handoff",
        "2026-07-09 12:10",
        [
            ("jessica", "Just closed Initech Enterprise! When do I hand off to CS?"),
            (
                "ben",
                "Within 2 business days: fill in the handoff form and intro me. Kickoff within 10 business days. Congrats!",
            ),
        ],
    ),
    T(
        "sales",
        "sales_meddpicc",
        "2026-08-20 09:30",
        [
            ("jessica", "Do I need MEDDPICC filled for a $15k ARR deal?"),
            (
                "carlos",
                "Only above $20,000 ARR. It's in the [[sales/sales_playbook.pdf|Sales playbook]].",
            ),
        ],
    ),
    T(
        "sales",
        "sales_client_dinner",
        "2026-09-10 18:00",
        [
            ("jessica", "Taking the Hooli finance team out to dinner in London, what's the limit?"),
            (
                "mei",
                "Client meals up to "
                + F["client_dinner"]
                + " including tax and tip, list the attendees in "
                + F["expense_tool"]
                + ". [[policies/expense_policy.md|Expense policy]]",
            ),
        ],
    ),
    T(
        "sales",
        "sales_commission",
        "2026-10-08 11:40",
        [
            ("jessica", "When is commission paid on a new Enterprise deal?"),
            ("carlos", "On first-year ACV, after the customer's first invoice is paid."),
        ],
    ),
    # ---------------------------------------------------------- support-escalations
    T(
        "support-escalations",
        "sup_webhook_paused",
        "2026-03-12 10:20",
        [
            ("liam", "A Growth customer says their webhooks stopped entirely yesterday."),
            (
                "kenji",
                "Their endpoint failed 50 times in a row so it was paused automatically. They can re-enable it in Dashboard > Developers > Webhooks once their endpoint is fixed. [[api/webhooks.html|Webhooks doc]]",
            ),
            ("liam", "Re-enabled, events flowing. Closing."),
        ],
    ),
    T(
        "support-escalations",
        "sup_inc14_tickets",
        "2026-04-07 13:25",
        [
            (
                "fatima",
                "Getting a wave of P1s: payments failing with ACME-5001. Is there an incident?",
            ),
            (
                "priya",
                "Yes, INC-2026-014 is declared. Tell customers requests are safe to retry with the same Idempotency-Key. Updates on the status page every 15 minutes.",
            ),
            (
                "fatima",
                "Status page says resolved at 14:08 UTC, closing tickets with the standard macro.",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_dashboard_login",
        "2026-08-04 09:07",
        [
            (
                "ethan",
                "Several Enterprise customers can't log in to the dashboard via SSO. API seems fine.",
            ),
            ("lena", "Declaring INC-2026-031 (SEV1). Looking at the auth service now."),
            (
                "lena",
                "Fixed at 09:46 UTC, expired SAML signing certificate. Postmortem to follow: [[postmortems/INC-2026-031-dashboard-login.html|INC-2026-031]]",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_ledger_balance",
        "2026-09-15 11:10",
        [
            (
                "liam",
                "Two JPY customers report balances 100x too high on invoices generated today.",
            ),
            (
                "priya",
                "Matches last night's recon mismatches in JPY/KRW. Declaring a SEV1 (INC-2026-037). Please don't let customers pay those invoices yet.",
            ),
            ("fatima", "Corrected invoices sent to all affected customers.", "+3d"),
        ],
    ),
    T(
        "support-escalations",
        "sup_rate_limit_raise",
        "2026-05-26 14:50",
        [
            ("ethan", "Growth customer asks us to raise their rate limit to 1,500/min."),
            (
                "marcus",
                "We only raise limits for Enterprise. Growth is fixed at "
                + F["rl_growth"]
                + ". They'd need to upgrade; loop in their AE.",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_test_quota",
        "2026-06-29 09:35",
        [
            (
                "ethan",
                "Customer in test mode getting ACME-4002. They say they're nowhere near the rate limit.",
            ),
            (
                "marcus",
                "ACME-4002 is the monthly test-mode quota (50,000 requests), not the per-minute limit. Resets on the 1st. [[api/errors.md|Error codes]]",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_data_deletion",
        "2026-07-23 16:15",
        [
            ("liam", "Churned customer asks when their data will be deleted."),
            (
                "hannah",
                "Non-financial data is purged within "
                + F["ret_purge"]
                + " of account closure. Payment and transaction records are kept "
                + F["ret_payments"]
                + " by law. [[policies/data_retention.md|Data retention]]",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_ticket_retention",
        "2026-08-26 11:00",
        [
            ("ethan", "How long do we keep closed support tickets? Customer's DPO is asking."),
            ("hannah", F["ret_tickets"] + " after closing, per the data retention policy."),
        ],
    ),
    T(
        "support-escalations",
        "sup_p1_target",
        "2026-02-20 10:40",
        [
            ("ethan", "What's our first-response target for an Enterprise P1 on a weekend?"),
            (
                "fatima",
                F["sla_ent_p1"]
                + ", 24/7 for Enterprise P1. Growth P1 is "
                + F["sla_growth_p1"]
                + " in business hours only. [[support/escalation_process.md|Escalation process]]",
            ),
        ],
    ),
    T(
        "support-escalations",
        "sup_webhook_retries",
        "2026-09-30 15:20",
        [
            (
                "ethan",
                "Customer had a 6-hour outage on their side. Will they get the webhooks they missed?",
            ),
            (
                "kenji",
                "Yes: we retry "
                + F["webhook_attempts"]
                + " over "
                + F["webhook_window"]
                + ", so a 6-hour outage is covered. They can also replay events from the last 30 days in the dashboard.",
            ),
        ],
    ),
    # ------------------------------------------------------------- private: hr-team
    T(
        "hr-team",
        "hrt_salary_adjust",
        "2026-09-16 15:00",
        [
            (
                "helen",
                "Comp planning update: leadership agreed to a *"
                + P["salary_adjust"]
                + " salary band adjustment* across all bands, effective "
                + P["salary_adjust_date"]
                + ". Not to be shared until the all-hands in December.",
            ),
            ("grace", "Does that include Ireland and Singapore, or only US bands?"),
            ("helen", "All geos. The geo factors stay the same, so the adjustment flows through."),
            (
                "beatriz",
                "I'll update the Workday band tables in a draft effective-dated "
                + P["salary_adjust_date"]
                + ".",
                "+1d",
            ),
        ],
    ),
    T(
        "hr-team",
        "hrt_eng_mgr_reqs",
        "2026-10-07 10:30",
        [
            (
                "helen",
                "Hiring freeze exception: Dana got "
                + P["eng_mgr_reqs"]
                + " approved for Payments and Platform.",
            ),
            ("grace", "I'll open them in Greenhouse today. Same band, L6?"),
            ("helen", "Yes, L6. Target start Q1."),
        ],
    ),
    T(
        "hr-team",
        "hrt_review_logistics",
        "2026-10-20 14:00",
        [
            (
                "grace",
                "Calibration rooms for the H2 cycle are booked. Do we exclude people who joined in September?",
            ),
            (
                "helen",
                "Yes, anyone who joined after September 1 is excluded from ratings this cycle.",
            ),
        ],
    ),
    # ------------------------------------------------------- private: finance-leads
    T(
        "finance-leads",
        "fin_q3_forecast",
        "2026-08-27 16:00",
        [
            (
                "samuel",
                "Updated Q3 forecast: revenue *"
                + P["q3_forecast"]
                + "*, driven by platform fees from the three largest Enterprise accounts.",
            ),
            ("daniel", "Thanks. That's what we take to the board on October 14."),
            ("olivia", "Is any of that at risk from the September ledger incident?"),
            (
                "mei",
                "Corrected invoices all went out; no revenue impact expected. Forecast stands.",
                "+1d",
            ),
        ],
    ),
    T(
        "finance-leads",
        "fin_q4_hiring",
        "2026-09-24 11:30",
        [
            (
                "daniel",
                "Q4 hiring plan: we're cutting to *"
                + P["q4_hires"]
                + "* across the company to protect margin.",
            ),
            ("dana", "Engineering keeps its two manager reqs inside that number?"),
            ("daniel", "Yes, they're included."),
        ],
    ),
    T(
        "finance-leads",
        "fin_close_calendar",
        "2026-10-01 09:00",
        [
            ("mei", "Q3 close: books lock October 9, board pack due October 12."),
            ("carlos", "Bookings report from Sales will be in by October 7."),
        ],
    ),
    # ------------------------------------------------ private: incident war room
    T(
        "incident-2026-payments-outage",
        "incw_declare",
        "2026-04-07 13:14",
        [
            (
                "priya",
                "Declaring SEV1 INC-2026-014. Payments returning 503 / ACME-5001. I'm IC. Tom on comms with Support.",
            ),
            ("tom", "Status page posted at 13:20."),
            ("marcus", "billing-api pods healthy, they're timing out on ledger calls."),
            ("raj", "Ledger pool at 100% on every pod since about 13:06."),
            ("priya", "Rolling back ledger to " + INC14["good_version"] + " now."),
        ],
    ),
    T(
        "incident-2026-payments-outage",
        "incw_credits",
        "2026-04-09 15:30",
        [
            (
                "sofia",
                "Customer credits for INC-2026-014: finance approved *"
                + P["credits_total"]
                + " in service credits* across *"
                + P["credits_customers"]
                + " Enterprise customers*.",
            ),
            ("lena", "Applied to next invoices?"),
            ("sofia", "Yes, on the May invoices. CSMs notify each customer this week."),
        ],
    ),
    T(
        "incident-2026-payments-outage",
        "incw_timeline",
        "2026-04-08 10:00",
        [
            ("priya", "Drafting the timeline. Anyone have the exact time the canary promoted?"),
            (
                "victor",
                "13:05 UTC. The canary ran 13:45-13:05 the previous... no, 12:45-13:05, during low traffic.",
            ),
            ("priya", "Thanks, that's the key finding for the postmortem."),
        ],
    ),
]
