"""The e-Cabinet's acts: every change of state is a function here (one transaction, one audit
row). ``ballots``: issue, answer, decide; ``members``: the Government's members and staff;
``reminders`` and ``report``: the outbox kinds."""
