"""The apps' periodic jobs (egov.core.registry.periodic) run beside a long-running worker: now,
then every ``seconds``; a failing run is logged and the next one still comes."""

import threading

from egov.core import registry, tasks


def test_the_apps_register_their_periodic_jobs():
    jobs = {job.name: job.seconds for job in registry.periodic_jobs()}
    assert jobs == {"assignments-remind": 3600, "cabinet-close": 300, "petitions-remind": 3600}


def test_a_job_runs_now_and_again_and_survives_a_failure(monkeypatch, caplog):
    runs = []
    again = threading.Event()

    def job():
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database is locked")
        again.set()

    monkeypatch.setattr(registry, "_periodic", {})
    registry.periodic("test-job", job, 0.01)
    stop = threading.Event()
    threads = tasks.start_periodic_jobs(stop)
    try:
        assert again.wait(5), "the job did not run again after failing"
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
    assert len(runs) >= 2 and not any(t.is_alive() for t in threads)
    assert "periodic job test-job failed" in caplog.text
