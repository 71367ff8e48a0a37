"""The hub: accept, deliver, statuses, recall/update/replace, refusals, evidence, pushes."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from lxml import etree

from egov.core.models import AuditEntry, OutboxMessage
from egov.core.signing import verify_xml
from egov.exchange import edxml, trail
from egov.exchange.models import Delivery, Evidence, Mailbox, Package
from egov.exchange.services import evidence, outbox
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import deliveries, packages, statuses
from tests.accounts.officials_support import make_official

from .conftest import make_package, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerks(orgs):
    return {
        "p": make_official("clerk_p", orgs.p, "clerk").user,
        "q": make_official("clerk_q", orgs.q, "clerk").user,
        "a": make_official("clerk_a", orgs.a, "clerk").user,
    }


def status(org, document_id, code, description=""):
    s = edxml.Status(
        response_for=edxml.ResponseFor(document_id.split(",")[0], document_id),
        from_=edxml.Organ(org.code, org.name),
        code=code,
        timestamp=dt.datetime(2026, 11, 28, 10, 0, 0),
        description=description,
    )
    return edxml.sign(edxml.build_status(s), org)


def test_accept_stores_delivers_and_gives_a_signed_receipt(orgs, clerks):
    data = signed(make_package(orgs.p, [orgs.q, orgs.a]), orgs.p)
    result = packages.accept_package(data, actor=clerks["p"])
    assert result.created
    pkg = result.package
    assert pkg.document_id == "000.00.00.H26,2026/11/28,1/QĐ-UBND"
    assert sorted(d.recipient.code for d in pkg.deliveries.all()) == sorted(
        [orgs.a.code, orgs.q.code]
    )
    assert {d.transport_state for d in pkg.deliveries.all()} == {"pending"}
    receipt = verify_xml(result.receipt)
    assert receipt.valid and receipt.signer_code == orgs.hub.code
    assert edxml.parse_status(result.receipt).response_for.document_id == pkg.document_id
    # The delivered copy: hub's TraceHeader last, signed by the hub; the original kept as sent.
    copy = packages.package_bytes(pkg)
    assert verify_xml(copy).signer_code == orgs.hub.code
    assert [t.organ_id for t in edxml.parse(copy).trace] == [orgs.p.code, orgs.hub.code]
    assert packages.package_bytes(pkg, original=True) == data
    assert [e.kind for e in Evidence.objects.all()] == ["package", "receipt"]
    verdict = evidence.verify()
    assert verdict.intact and verdict.length == 2


def test_resend_is_idempotent_and_a_different_package_with_the_same_id_is_refused(orgs, clerks):
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    first = packages.accept_package(data, actor=clerks["p"])
    again = packages.accept_package(data, actor=clerks["p"])
    assert not again.created and again.package.pk == first.package.pk
    assert again.receipt == first.receipt
    assert Package.objects.count() == 1 and Delivery.objects.count() == 1
    other = make_package(orgs.p, [orgs.q])
    other.header.subject = "Khác"
    with pytest.raises(HubError) as info:
        packages.accept_package(signed(other, orgs.p), actor=clerks["p"])
    assert info.value.code == "duplicate_document_id"


def _tamper(data: bytes) -> bytes:
    return data.replace("triển khai".encode(), "thay đổi".encode())


def _with_doctype(data: bytes, doctype: bytes) -> bytes:
    head, rest = data.split(b"?>", 1)
    with_doctype = head + b"?>" + doctype + rest
    assert verify_xml(with_doctype).valid or b"&e;" in with_doctype
    return with_doctype


@pytest.mark.parametrize(
    ("make", "code", "element"),
    [
        (lambda o: b"<edXML:edXMLEnvelope", "invalid_well_formed", "(document)"),
        (
            # Validly signed, then a DOCTYPE added: c14n drops it, so the signature still holds.
            lambda o: _with_doctype(signed(make_package(o.p, [o.q]), o.p), b"<!DOCTYPE x>"),
            "doctype_forbidden",
            "(document)",
        ),
        (
            lambda o: _with_doctype(
                signed(make_package(o.p, [o.q]), o.p),
                b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
            ),
            "doctype_forbidden",
            "(document)",
        ),
        (
            # XXE: an external entity used in a text.
            lambda o: _with_doctype(
                signed(make_package(o.p, [o.q]), o.p),
                b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            ).replace("Về việc".encode(), b"&e;", 1),
            "doctype_forbidden",
            "(document)",
        ),
        (
            lambda o: signed(make_package(o.p, [o.q]), o.p).replace(
                b"http://www.mic.gov.vn/TBT/QCVN_102_2016", b"urn:other"
            ),
            "invalid_namespace",
            "edXMLEnvelope",
        ),
        (lambda o: _tamper(signed(make_package(o.p, [o.q]), o.p)), "signature_invalid", None),
        (
            lambda o: edxml.to_bytes(edxml.build(make_package(o.p, [o.q]))),
            "signature_missing",
            None,
        ),
        (lambda o: signed(make_package(o.p, [o.q]), o.q), "signer_mismatch", None),
        (
            lambda o: signed(make_package(o.p, [o.q, o.unknown]), o.p),
            "unknown_recipient",
            "MessageHeader/To[2]/OrganId",
        ),
        (
            lambda o: signed(make_package(o.p, [o.q], attachment=b"x" * 3000), o.p),
            "attachment_too_large",
            "edXMLEnvelope/AttachmentEncoded/Attachment/Value",
        ),
        (
            lambda o: signed(make_package(o.p, [o.q], confidentiality=2), o.p),
            "secret_document",
            "MessageHeader/OtherInfo/Confidentiality",
        ),
        (lambda o: signed(make_package(o.q, [o.p]), o.q), "not_your_organisation", None),
    ],
)
def test_bad_input_is_refused_precisely_logged_and_nothing_stored(
    orgs, clerks, settings, caplog, make, code, element
):
    settings.EGOV_EXCHANGE_MAX_ATTACHMENT = 2000
    orgs.unknown = type(orgs.q)(code="000.00.00.H99", name="Không có")
    with pytest.raises(HubError) as info:
        packages.accept_package(make(orgs), actor=clerks["p"])
    assert info.value.code == code, info.value.message
    if element:
        assert info.value.element == element
    assert "refused" in caplog.text
    assert Package.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert AuditEntry.objects.filter(action="exchange.package_refused").count() == 1


def test_statuses_follow_the_rules(orgs, clerks):
    pkg = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q, orgs.a]), orgs.p), actor=clerks["p"]
    ).package
    doc = pkg.document_id
    q = Delivery.objects.get(package=pkg, recipient=orgs.q)
    deliveries.acknowledge(q, actor=clerks["q"])
    q.refresh_from_db()
    assert (q.transport_state, q.status) == ("delivered", "01")
    for code in ["03", "05", "06"]:
        statuses.accept_status(status(orgs.q, doc, code), actor=clerks["q"])
    q.refresh_from_db()
    assert q.status == "06"
    with pytest.raises(HubError) as info:
        statuses.accept_status(status(orgs.q, doc, "03", "again"), actor=clerks["q"])
    assert info.value.code == "illegal_sequence"
    # A recipient rejects with a reason; nothing may follow a rejection.
    statuses.accept_status(status(orgs.a, doc, "02", "Sai thẩm quyền"), actor=clerks["a"])
    with pytest.raises(HubError) as info:
        statuses.accept_status(status(orgs.a, doc, "03"), actor=clerks["a"])
    assert info.value.code == "illegal_sequence"
    # Status from an organisation that never received the document.
    with pytest.raises(HubError) as info:
        statuses.accept_status(status(orgs.p, doc, "03"), actor=clerks["p"])
    assert info.value.code == "not_received"
    # A status for a document that never went through the hub.
    with pytest.raises(HubError) as info:
        statuses.accept_status(
            status(orgs.q, "000.00.00.H26,2026/11/28,99/CV", "03"), actor=clerks["q"]
        )
    assert info.value.code == "unknown_document"
    assert evidence.verify().intact
    assert Evidence.objects.filter(kind="status").count() == 4


def test_recall_asks_the_recipients_who_agree_or_refuse(orgs, clerks):
    pkg = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q, orgs.a]), orgs.p), actor=clerks["p"]
    ).package
    doc = pkg.document_id
    # 15 before any recall is an illegal sequence; a recall by a recipient is refused.
    with pytest.raises(HubError) as info:
        statuses.accept_status(status(orgs.q, doc, "15"), actor=clerks["q"])
    assert info.value.code == "illegal_sequence"
    with pytest.raises(HubError) as info:
        statuses.accept_status(status(orgs.q, doc, "13"), actor=clerks["q"])
    assert info.value.code == "not_your_document"
    statuses.accept_status(status(orgs.p, doc, "13", "Thu hồi do sai sót"), actor=clerks["p"])
    assert set(Delivery.objects.values_list("recall_status", flat=True)) == {"13"}
    statuses.accept_status(status(orgs.q, doc, "15"), actor=clerks["q"])
    pkg.refresh_from_db()
    assert pkg.recalled_at is None
    statuses.accept_status(status(orgs.a, doc, "15"), actor=clerks["a"])
    pkg.refresh_from_db()
    assert pkg.recalled_at is not None


def test_update_and_replace_reference_the_earlier_document(orgs, clerks):
    first = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"]
    )
    earlier = first.package.document_id
    replacement = make_package(
        orgs.p,
        [orgs.q],
        number=2,
        business=edxml.Business(
            edxml.REPLACE, "Sai số liệu", replacements=[edxml.Replacement(earlier, [orgs.q.code])]
        ),
    )
    second = packages.accept_package(signed(replacement, orgs.p), actor=clerks["p"]).package
    assert second.replaces_id == first.package.pk and second.business_type == 3
    # Updating a document nobody sent, or somebody else's, is refused.
    unknown = make_package(
        orgs.p,
        [orgs.q],
        number=3,
        business=edxml.Business(
            edxml.UPDATE, replacements=[edxml.Replacement("000.00.00.H26,2026/01/01,9/CV", [])]
        ),
    )
    with pytest.raises(HubError) as info:
        packages.accept_package(signed(unknown, orgs.p), actor=clerks["p"])
    assert info.value.code == "unknown_document"
    foreign = make_package(
        orgs.q,
        [orgs.p],
        number=4,
        business=edxml.Business(edxml.UPDATE, replacements=[edxml.Replacement(earlier, [])]),
    )
    with pytest.raises(HubError) as info:
        packages.accept_package(signed(foreign, orgs.q), actor=clerks["q"])
    assert info.value.code == "not_your_document"


def test_trail_exports_and_verifies_offline(orgs, clerks, tmp_path, shared_pki):
    pkg = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"]
    ).package
    other = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q], number=2), orgs.p), actor=clerks["p"]
    ).package
    statuses.accept_status(status(orgs.q, pkg.document_id, "03"), actor=clerks["q"])
    path = tmp_path / "trail.json"
    call_command("exchange", "export", pkg.document_id, "--output", str(path))
    data = json.loads(path.read_text())
    assert [e["kind"] for e in data["entries"]] == ["package", "receipt", "status"]
    assert trail.check(data, (shared_pki / "ca.pem").read_bytes()) == []
    assert trail.main([str(path)]) == 0
    # Leaving an entry out, editing one, or swapping the XML is detected.
    dropped = dict(data, entries=[data["entries"][0], data["entries"][2]])
    assert any("does not follow" in p for p in trail.check(dropped))
    edited = json.loads(path.read_text())
    edited["entries"][2]["organ_id"] = orgs.a.code
    assert any("does not match its hash" in p for p in trail.check(edited))
    swapped = json.loads(path.read_text())
    swapped["entries"][0]["content"] = evidence.export(other.document_id)["entries"][0]["content"]
    assert any("SHA-256" in p for p in trail.check(swapped))
    call_command("exchange", "verify")


def test_verify_command_finds_an_edited_row(orgs, clerks):
    packages.accept_package(signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As an attacker with database access would: past the append-only trigger.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE exchange_evidence SET organ_id = %s WHERE seq = 1", [orgs.q.code])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seq=1"):
        call_command("exchange", "verify")


def test_verify_command_finds_a_removed_receipt_against_the_kept_anchor(orgs, clerks, capsys):
    packages.accept_package(signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"])
    call_command("exchange", "verify")
    kept = capsys.readouterr().out.split("Anchor: ")[1].split()[0]
    assert kept == f"2:{Evidence.objects.get(kind='receipt').hash}"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        # The last row, and the anchors recorded in the database: what is left links up.
        cursor.execute("DELETE FROM exchange_evidence WHERE kind = 'receipt'")
        cursor.execute("DELETE FROM core_chainanchor")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 rows but the anchor given says it had 2"):
        call_command("exchange", "verify", "--anchor", kept)


def test_postgres_refuses_update_delete_and_truncate_of_evidence_rows(orgs, clerks):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is a PostgreSQL feature")
    packages.accept_package(signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"])
    for sql in (
        "UPDATE exchange_evidence SET organ_id = 'x'",
        "DELETE FROM exchange_evidence",
        "TRUNCATE exchange_evidence",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert Evidence.objects.count() == 2
    verdict = evidence.verify()
    assert verdict.intact and verdict.length == 2


def test_push_retries_with_backoff_then_delivers(orgs, clerks, django_capture_on_commit_callbacks):
    Mailbox.objects.create(organisation=orgs.q, webhook_url="https://q.example/hook")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pkg = packages.accept_package(
            signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"]
        ).package
    assert len(callbacks) == 1  # the push is enqueued after commit only
    message = OutboxMessage.objects.get()
    answers = iter([500, 200])
    seen = []

    def handler(request):
        seen.append(request.headers["Idempotency-Key"])
        return httpx.Response(next(answers))

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with django_capture_on_commit_callbacks(execute=False):
        assert outbox.send(message.pk, client=client) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_error == "HTTP 500"
    assert message.next_attempt_at > message.created_at
    assert outbox.send(message.pk, client=client) == "sent"
    assert seen == [f"package:{message.payload['delivery']}"] * 2
    delivery = Delivery.objects.get(package=pkg)
    assert (delivery.transport_state, delivery.status) == ("delivered", "01")
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(3)


def test_push_fails_after_the_last_attempt(orgs, clerks, settings):
    Mailbox.objects.create(organisation=orgs.q, webhook_url="https://q.example/hook")
    packages.accept_package(signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerks["p"])
    message = OutboxMessage.objects.get()
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.send(message.pk, client=client)
    message.refresh_from_db()
    assert message.state == "failed"
    assert Delivery.objects.get().transport_state == "failed"
    etree  # noqa: B018


def test_an_attachment_over_libxml2s_text_limit_goes_through(orgs, clerks):
    # 7.6 MB in base64 is one text node over libxml2's 10 MB default limit (huge_tree).
    big = b"%PDF-1.7\n" + bytes(7_600_000)
    data = signed(make_package(orgs.p, [orgs.q], attachment=big), orgs.p)
    pkg = packages.accept_package(data, actor=clerks["p"]).package
    copy = packages.package_bytes(pkg)
    assert verify_xml(copy, huge=True).signer_code == orgs.hub.code
    assert edxml.parse(edxml.load(copy, huge=True)).attachments[0].data == big
    # Without the caller's say-so, the default limits stay.
    assert not verify_xml(copy).valid


def test_verification_keeps_no_garbage_and_the_chain_cache_keeps_refusing(orgs):
    import gc

    from signxml.util import X509CertChainVerifier

    def alive():
        gc.collect()
        # type(), not isinstance(): isinstance on a dead weak proxy raises ReferenceError.
        return sum(type(o) is X509CertChainVerifier for o in gc.get_objects())

    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    before = alive()
    for _ in range(20):
        assert verify_xml(data).valid
    assert alive() - before <= 1  # one per ca.pem version, not one per signature
    # The chain is cached now; a changed document or signature value still fails.
    assert not verify_xml(_tamper(data)).valid


def test_a_comment_inserted_in_a_signed_text_neither_breaks_nor_cuts_it(orgs, clerks):
    # Comments are outside the signature (c14n without comments, as xmlsec1): the package
    # still verifies, and the hub must read the whole signed subject, not the text up to the
    # comment.
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    subject = "Về việc triển khai".encode()
    assert subject in data
    commented = data.replace(subject, "Về việc <!-- x -->triển khai".encode())
    assert verify_xml(commented).valid
    result = packages.accept_package(commented, actor=clerks["p"])
    assert result.package.subject == "Về việc triển khai trục liên thông văn bản"
    copy = packages.package_bytes(result.package)
    assert b"<!--" not in copy and verify_xml(copy).signer_code == orgs.hub.code


@pytest.mark.parametrize("pretty", [False, True])
def test_the_hubs_copy_is_rebuilt_from_the_original_and_what_the_hub_added(orgs, clerks, pretty):
    # Only the hub's TraceHeader and signature are kept beside the sender's bytes: the copy a
    # recipient takes is rebuilt from them, the same bytes every time, and verifies as the
    # hub's whatever whitespace the sender's document has around its elements.
    root = edxml.build(make_package(orgs.p, [orgs.q, orgs.a]))
    if pretty:
        root = etree.fromstring(etree.tostring(root, pretty_print=True))
    data = edxml.sign(root, orgs.p)
    assert (b"\n  <" in data) is pretty
    pkg = packages.accept_package(data, actor=clerks["p"]).package
    assert not pkg.delivered and len(pkg.hub_part) < 4000
    copy = packages.package_bytes(pkg)
    assert packages.package_bytes(Package.objects.get(pk=pkg.pk)) == copy
    checked = verify_xml(copy)
    assert checked.valid and checked.signer_code == orgs.hub.code
    parsed = edxml.parse(copy)
    assert [t.organ_id for t in parsed.trace] == [orgs.p.code, orgs.hub.code]
    assert parsed.attachments[0].data == make_package(orgs.p, []).attachments[0].data
    signatures = etree.fromstring(copy).findall("{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert len(signatures) == 1  # the hub's; the sender's is not in the copy
    # Tampering with what the hub added breaks its signature.
    pkg.hub_part = pkg.hub_part.replace(orgs.hub.code, orgs.p.code, 1)
    assert not verify_xml(packages.package_bytes(pkg)).valid


def test_a_copy_kept_whole_by_an_earlier_version_is_served_as_kept(orgs, clerks, tmp_path):
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    pkg = packages.accept_package(data, actor=clerks["p"]).package
    whole = packages.package_bytes(pkg)
    pkg.delivered = packages._save(f"exchange/old/{pkg.sha256}.hub.xml", whole)
    pkg.hub_part = ""
    pkg.save(update_fields=["delivered", "hub_part"])
    assert packages.package_bytes(Package.objects.get(pk=pkg.pk)) == whole
    assert packages.package_bytes(pkg, original=True) == data


def test_a_doctype_stored_by_an_earlier_version_is_never_served(orgs, clerks):
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    pkg = packages.accept_package(data, actor=clerks["p"]).package
    with_doctype = _with_doctype(data, b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">')
    pkg.original = packages._save(f"exchange/old/{pkg.sha256}.xml", with_doctype)
    pkg.save(update_fields=["original"])
    for original in (True, False):
        served = packages.package_bytes(pkg, original=original)
        assert b"DOCTYPE" not in served and verify_xml(served).valid
    assert verify_xml(packages.package_bytes(pkg)).signer_code == orgs.hub.code


def test_a_refused_delivery_is_not_taken_later(orgs, clerks):
    # The recipient's side refused it (final: the sender sees why); an acknowledgement after
    # that is refused and changes nothing. A delivery whose push failed can still be taken.
    pkg = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q, orgs.a]), orgs.p), actor=clerks["p"]
    ).package
    to_q = pkg.deliveries.get(recipient=orgs.q)
    deliveries.refuse(to_q, code="not_inward", reason="not ours", actor=clerks["q"])
    with pytest.raises(HubError) as refused:
        deliveries.acknowledge(to_q, actor=clerks["q"])
    assert (refused.value.code, refused.value.status) == ("already_refused", 409)
    to_q.refresh_from_db()
    assert to_q.acknowledged_at is None and to_q.transport_state == "failed"
    assert "not_inward" in to_q.transport_error
    to_a = pkg.deliveries.get(recipient=orgs.a)
    Delivery.objects.filter(pk=to_a.pk).update(transport_state="failed")  # push gave up
    assert deliveries.acknowledge(to_a, actor=clerks["a"]).transport_state == "delivered"
