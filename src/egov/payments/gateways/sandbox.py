"""How `egov serve` (and the tests) start the development VNPay gateway: a separate program,
sandboxes/vnpay/server.py, which shares no code with the adapter, so that a test of one checks the
other (as xmlsec1 checks the exchange's signatures)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from egov.core.registry import NotStarted


def base_url(host: str, port: int) -> str:
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - the address the sandbox calls back
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def environment(ipn_url: str, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "VNPAY_HOST": "127.0.0.1",
        "VNPAY_PORT": str(port),
        "VNPAY_TMN_CODE": settings.EGOV_VNPAY_TMN_CODE,
        "VNPAY_HASH_SECRET": settings.EGOV_VNPAY_HASH_SECRET,
        "VNPAY_IPN_URL": ipn_url,
    }


def launch(host: str, port: int, *, executable: str):
    directory = Path(settings.EGOV_VNPAY_SANDBOX_DIR)
    program = directory / "server.py"
    if not program.is_file():
        raise NotStarted(f"{program} is missing: online payment is unavailable")
    ipn_url = f"{base_url(host, port)}/payments/ipn/vnpay/"
    env = environment(ipn_url, settings.EGOV_VNPAY_SANDBOX_PORT)
    return [executable, str(program)], env, directory


def dvcqg_environment(base: str, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DVCQG_HOST": "127.0.0.1",
        "DVCQG_PORT": str(port),
        "DVCQG_PARTNER": settings.EGOV_DVCQG_PAY_PARTNER,
        "DVCQG_SECRET": settings.EGOV_DVCQG_PAY_SECRET,
        "DVCQG_TOKEN": settings.EGOV_DVCQG_PAY_TOKEN,
        "DVCQG_CALLBACK_URL": f"{base}/payments/ipn/dvcqg/",
        "DVCQG_RETURN_URL": f"{base}/payments/return/dvcqg/",
    }


def launch_dvcqg(host: str, port: int, *, executable: str):
    program = Path(settings.EGOV_DVCQG_PAY_SANDBOX_DIR) / "server.py"
    if not program.is_file():
        raise NotStarted(f"{program} is missing: the national payment platform is unavailable")
    env = dvcqg_environment(base_url(host, port), settings.EGOV_DVCQG_PAY_SANDBOX_PORT)
    return [executable, str(program)], env, program.parent
