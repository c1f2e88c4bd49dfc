"""A realistic, deterministic demo: ``python -m app seed-demo`` on an empty, migrated database
holding the catalog (``python -m app migrate && python -m app load-catalog``).

It sits above the domains, like the CLI, and writes nothing itself: users, requisitions,
candidates, applications and their moves, interviews, kits and scorecards are all made by the
domains' service functions, called as the REST routers call them (a recruiter schedules and
moves, each interviewer saves and submits their own scorecard). Business times (``opened_at``,
``applied_at``, ``occurred_at``, ``scheduled_at``, ``status_changed_at``) are set from the plan,
anchored to the ``--as-of`` day (default: today, UTC); times of receipt (``created_at``,
``recorded_at``, a scorecard's ``submitted_at``) are the run's own. The same ``--as-of`` and
``--seed`` give the same data, ids included, on SQLite and PostgreSQL; only the tokens differ.

Users, in this order (the keys name them below): admin A1; recruiters R1, R2; hiring managers
H1, H2; interviewers I1 .. I6, each with one token. The plan: :mod:`app.demo.seed`.

The fixed scenarios, for browser end-to-end tests; their ids are in the printed JSON under
``scenarios``:

(a) ``peer_scorecards_hidden``: an interview two days before the as-of day whose panel is I1 and
    I2; I2 has submitted, I1 has not started. I1 sees I2's scorecard withheld (blind review)
    until they submit their own. Keys: ``interview_id``, ``application_id``,
    ``interviewer_id`` (I1), ``submitted_interviewer_id`` (I2).
(b) ``upcoming_interview``: a phone screen at 10:00 UTC the day after the as-of day, panel I1 and
    I3, nothing saved (no draft, no kit drawn). Keys: ``interview_id``, ``application_id``,
    ``interviewer_id`` (I1).
(c) ``advance_needs_override``: an application in On-site/Final whose interview (three days
    before) has one scorecard submitted (I3) and one a draft (I4): an advance by a recruiter
    (R1 sees every application) is refused, 409 ``scorecards_pending``, until sent with
    ``override_pending_scorecards`` and a reason. Keys: ``application_id``, ``interview_id``,
    ``stage``, ``recruiter_id`` (R1), ``pending_scorecards`` (1).
(d) ``hired_for_hiring_manager``: an application hired into the filled requisition H1 manages.
    Keys: ``application_id``, ``requisition_id``, ``hiring_manager_id`` (H1).
"""
