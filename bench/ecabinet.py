"""Scenario ``ecabinet`` (issue 19): signed votes accepted per second, the tally's p95.

The platform as in production (gunicorn, production settings, demo data). The setup makes the
demo Government of 27 members and the secretariat (the demo step skips it in production),
issues ``$BENCH_BALLOTS`` ballots (100) to all 27 members, signs every member's answer to each
in advance (2,700 answer documents, XMLDSig through the development signing service, as a
member's device or remote-signing provider would send them), and makes each member's session.

- Votes: ``POST /api/v1/cabinet/ballots/{number}/answer/`` with the signed document, as the
  member (session + CSRF), 4 processes, one connection per request; each is verified on
  receipt (signature, certificate chain, signer = member), checked against the ballot, chained
  and audited. Members answer in turn across all ballots (13 agree, 13 disagree, 1 other), so
  no ballot is decided before its last answer and every vote is counted.
- The tally: ``/cabinet/{number}/tally/`` (the htmx fragment the ballot page polls) as the
  secretariat, one closed loop during the voting; p95 over its latencies.

``ratio_to_baseline`` is votes/s over the same server's hello-world requests/s (wrk). Targets:
votes ≥ 100/s, tally p95 < 100 ms.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import secrets
import tempfile
import time
from pathlib import Path

from bench import harness

NAME = "ecabinet"
VOTES_TARGET = 100.0
P95_TARGET_MS = 100.0
PROCESSES = 4
CLI_TIMEOUT = 1800

SETUP = r"""
import json, secrets
from importlib import import_module
from egov.cabinet import demo
from egov.core.models import Organisation
from egov.core.services.organisations import OrganisationData, create_organisation
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from egov.accounts.services.login import SESSION_FLAG
from egov.accounts.signing import holder_of_official
from egov.cabinet import answers
from egov.cabinet.models import Member, Secretary
from egov.cabinet.services import ballots
from egov.core.signing import ensure_ca

settings.EGOV_PKI_AUTO_CREATE = True
ensure_ca()
office = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).first()
if office is None:
    office = create_organisation(OrganisationData(settings.EGOV_INSTANCE_ORG_CODE,
                                                  "Văn phòng Chính phủ", "central"))
password = secrets.token_urlsafe(16)
members = demo.government(office, password=password)
demo.staff(office, members[0], password=password)
members = list(Member.objects.select_related("official__user").order_by("rank"))
secretary = Secretary.objects.select_related("official__user").get().official
made = [ballots.issue(secretary, ballots.BallotData("Phiếu thử tải số %%d" %% i,
        ["Thông qua dự thảo số %%d?" %% i], working_days=5)) for i in range(%(ballots)d)]
store_class = import_module(settings.SESSION_ENGINE).SessionStore

def session(user):
    store = store_class()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_FLAG] = "password+totp"
    store.create()
    return store.session_key

votes = []
for i, member in enumerate(members):
    choice = "agree" if i < 13 else "disagree" if i < 26 else "other"
    holder = holder_of_official(member.official)
    key = session(member.official.user)
    for ballot in made:
        question = ballot.questions.get()
        content = ballots.content_for(ballot, question, member, member.official, choice,
                                      "Ý kiến khác" if choice == "other" else "")
        votes.append([ballot.number, key, answers.sign(content, holder).decode()])
out = {"votes": votes, "secretary": session(secretary.user), "ballots": [b.number for b in made],
       "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
       "members": len(members)}
open("%(path)s", "w").write(json.dumps(out))
print(json.dumps({"votes": len(votes), "members": len(members)}))
"""


def _headers(data: dict, session: str) -> dict[str, str]:
    token = secrets.token_hex(16)
    return {
        "Cookie": f"{data['session_cookie']}={session}; {data['csrf_cookie']}={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/json",
        "Accept-Language": "vi",
    }


def _request(host, port, method, path, headers, body=None) -> tuple[int, float]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started
    finally:
        connection.close()


def _voter(host, port, data, offset, barrier, results):
    barrier.wait()
    counted: dict[str, int] = {}
    for number, session, document in data["votes"][offset::PROCESSES]:
        status, _ = _request(
            host,
            port,
            "POST",
            f"/api/v1/cabinet/ballots/{number}/answer/",
            _headers(data, session),
            json.dumps({"document": document}).encode(),
        )
        counted[str(status)] = counted.get(str(status), 0) + 1
    results.put(counted)


def _poller(host, port, data, stop, results):
    headers = _headers(data, data["secretary"])
    latencies, statuses, i = [], {}, 0
    while not stop.is_set():
        number = data["ballots"][i % len(data["ballots"])]
        status, seconds = _request(host, port, "GET", f"/cabinet/{number}/tally/", headers)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        latencies.append(seconds)
        i += 1
    results.put((latencies, statuses))


def measure_votes(server, data) -> dict:
    barrier = multiprocessing.Barrier(PROCESSES + 1)
    results, polled, stop = (
        multiprocessing.Queue(),
        multiprocessing.Queue(),
        multiprocessing.Event(),
    )
    voters = [
        multiprocessing.Process(
            target=_voter, args=(server.host, server.port, data, i, barrier, results)
        )
        for i in range(PROCESSES)
    ]
    poller = multiprocessing.Process(
        target=_poller, args=(server.host, server.port, data, stop, polled)
    )
    for w in voters:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    poller.start()
    answers: dict[str, int] = {}
    for _ in voters:
        for status, n in results.get().items():
            answers[status] = answers.get(status, 0) + n
    elapsed = time.perf_counter() - started
    stop.set()
    latencies, tally_statuses = polled.get()
    for w in [*voters, poller]:
        w.join()
    accepted = answers.get("201", 0)
    ordered = sorted(latencies)
    return {
        "votes_per_s": round(accepted / elapsed, 1),
        "elapsed_s": round(elapsed, 2),
        "answers": answers,
        "tally": {
            "requests": len(ordered),
            "statuses": tally_statuses,
            "p50_ms": _ms(ordered, 50),
            "p95_ms": _ms(ordered, 95),
            "p99_ms": _ms(ordered, 99),
        },
    }


def _ms(ordered, q):
    return round(harness.percentile(ordered, q) * 1000, 3) if ordered else None


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_BALLOTS", "100"))
    with tempfile.TemporaryDirectory(prefix="egov-bench-ecabinet-") as tmp:
        workdir = Path(tmp)
        env = harness.production_env(workdir)
        if env["DATABASE_URL"].startswith(("postgres", "pgsql")):
            raise harness.BenchError(f"{NAME}: runs on its own SQLite database; unset DATABASE_URL")
        for args in (["migrate", "--noinput"], ["load-demo"], ["collectstatic", "--noinput"]):
            harness.run_egov([*args, "--verbosity", "0"], env, workdir, timeout=CLI_TIMEOUT)
        path = workdir / "votes.json"
        started = time.monotonic()
        out = harness.run_egov(
            ["shell", "-c", SETUP % {"ballots": count, "path": path}], env, workdir, timeout=3600
        )
        harness.log(f"{NAME}: {out.strip().splitlines()[-1]} in {time.monotonic() - started:.0f} s")
        data = json.loads(path.read_text())
        extra = {k: env[k] for k in ("DATABASE_URL", "EGOV_VAR_DIR", "EGOV_SECRET_KEY")}
        extra |= {k: v for k, v in env.items() if k.startswith("EGOV_PKI")}
        with harness.running_server(extra_env=extra, prepare=False) as server:
            baseline = harness.run_baseline(quick, server)
            votes = measure_votes(server, data)
            harness.log(f"{NAME}: {votes}")
            database, workers = server.database, server.workers
    per_s, p95 = votes["votes_per_s"], votes["tally"]["p95_ms"]
    return {
        "scenario": NAME,
        "database": database,
        "ballots": count,
        "members": data["members"],
        "votes": votes,
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "targets": {"votes_per_s": VOTES_TARGET, "tally_p95_ms": P95_TARGET_MS},
        "within_targets": bool(per_s >= VOTES_TARGET and p95 is not None and p95 < P95_TARGET_MS),
        "config": {
            "workers": workers,
            "load_generator": "python http.client: 4 voting processes, 1 tally poller",
            "baseline_load_generator": "wrk",
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "votes_per_s": per_s,
        "tally_p95_ms": p95,
        "ratio_to_baseline": round(per_s / baseline["rps"], 4) if baseline.get("rps") else None,
    }
