"""Plays the demo workshop's follow-up: gut check, team practices, hiring benchmark, employee survey.

Used by the facilitator notebooks opened without a link, the screenshots and
the tests, so the panels and the document have something real to show.
"""

from __future__ import annotations

import random

from workshop.domain import audiences, grouping
from workshop.domain.followup import hiring, stakeholders, survey, teams
from workshop.store import Store

STAKEHOLDERS = [
    ("Sofia (Board)", stakeholders.LANDS, "Short enough to remember, and it promises what we can keep."),
    ("Tom (Operations)", stakeholders.LANDS, ""),
    ("Ravi (Investor)", stakeholders.UNSURE, "“Count on us” is nice, but could any telecom say it?"),
]

PRACTICES = {
    "Honesty": {
        teams.SUPPORT: ("Post outages on the status page within 10 minutes.", "QA score on honesty"),
        teams.SALES: ("Quote the full monthly price, fees included.", "Bill-shock complaints"),
        teams.MARKETING: ("No asterisks on headline prices.", "Complaints to the advertising standards body"),
    },
    "Quality": {
        teams.SUPPORT: ("Check the fix with the customer before closing.", "First Contact Resolution (FCR)"),
        teams.PRODUCT: ("Fix the top three repeat-contact causes each quarter.", "Repeat contact rate"),
    },
    "Autonomy": {
        teams.SUPPORT: ("Turn every repeated answer into a help article.", "Self-service rate"),
        teams.DESIGN: ("Test the troubleshooting assistant with five customers a month.", "Customer Effort Score (CES)"),
    },
    "Speed": {
        teams.SUPPORT: ("Answer chats within two minutes in opening hours.", "First Response Time (FRT)"),
        teams.LEADERSHIP: ("Staff for the Monday-morning peak.", "Service level at peak"),
    },
    "Loyalty": {
        teams.SALES: ("Call long-time customers before their contract ends.", "Customer Retention Rate (CRR)"),
        teams.HR: ("Hire people who like staying in touch with customers.", "Employee retention"),
    },
}

EXEMPLARS = [
    ("Jonas (Support lead)", teams.SUPPORT, [
        "I told a shop owner that the outage would last until Monday, not hours. He was angry, then he planned for it.",
        "I had promised a callback and forgot; I called, said so, and fixed the rest of the problem on the spot.",
    ]),
    ("Aylin (Chat agent)", teams.SUPPORT, [
        "A customer wanted a refund we could not give. I explained why and what we could do instead.",
        "",
    ]),
]

#: Value -> (mean clarity per team, spread): Autonomy is read very differently by support and sales.
SURVEY_PROFILE = {
    "Autonomy": {teams.SUPPORT: 4.6, teams.PRODUCT: 4.2, teams.SALES: 1.8, teams.MARKETING: 2.2},
}

MEANINGS = {
    "Honesty": ["I say what the bill will be before they sign.", "I admit when I do not know yet."],
    "Quality": ["I check that it works before I close the ticket.", "Fewer repeat calls."],
    "Autonomy": ["I link the help article instead of just answering.", "No idea: do we stop helping people?",
                 "Customers fix small things in the app."],
    "Loyalty": ["I remember returning customers.", "We keep customers for years."],
    "Speed": ["Reply to chats fast.", "Urgency when the network is down."],
}

SURVEY_TEAMS = [teams.SUPPORT] * 8 + [teams.SALES] * 5 + [teams.PRODUCT] * 4 + [teams.MARKETING] * 3 + [
    teams.DESIGN, teams.DESIGN, teams.HR, teams.LEADERSHIP, teams.OTHER]


def seed_followup(store: Store, code: str, key: str, employees: int = len(SURVEY_TEAMS),
                  seed: int = 7) -> None:
    """Add the follow-up to a workshop whose values are chosen and vision final (demo stage "published")."""
    rng = random.Random(seed)
    values = grouping.values(store, code, only_chosen=True)
    # Each audience joins with its own link's secret, as its people would.
    secret = {role: audiences.secret(store, code, key, role) for role in audiences.ROLES}
    for name, reaction, comment in STAKEHOLDERS:
        token = stakeholders.join(store, code, name, secret=secret[stakeholders.ROLE]).token
        stakeholders.react(store, code, token, reaction, comment)
    for v in values:
        for team, (actions, metrics) in PRACTICES.get(v.name, {}).items():
            teams.set_practice(store, code, key, v.id, team, actions, metrics)
    for v in values[:3]:
        hiring.add_suggested_questions(store, code, key, v.id)
    asked = hiring.questions(store, code)
    for name, team, answers in EXEMPLARS:
        token = hiring.join(store, code, name, team, secret=secret[hiring.ROLE]).token
        for q, text in zip(asked[0].questions, answers):
            if text:
                hiring.answer(store, code, token, q.id, text)
    for i in range(employees):
        team = SURVEY_TEAMS[i % len(SURVEY_TEAMS)]
        token = survey.join(store, code, f"Employee {i + 1}", team, secret=secret[survey.ROLE]).token
        for v in values:
            mean = SURVEY_PROFILE.get(v.name, {}).get(team, 4.0)
            clarity = min(5, max(1, round(rng.gauss(mean, 0.6))))
            meaning = rng.choice(MEANINGS.get(v.name, [""]) + [""])
            survey.answer(store, code, token, v.id, clarity, meaning)
