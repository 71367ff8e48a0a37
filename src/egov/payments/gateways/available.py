"""The gateways this installation speaks, by the payment's method."""

from __future__ import annotations

from . import national, vnpay

FACTORIES = {"vnpay": vnpay.from_settings, "dvcqg": national.from_settings}


def gateway(method: str):
    return FACTORIES[method]()


def all_gateways() -> dict:
    return {name: factory() for name, factory in FACTORIES.items()}
