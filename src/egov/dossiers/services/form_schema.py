"""The application form a dossier is checked against: the version's form without the file
fields that ask again for one of the procedure's required documents.

The bundled forms (egov.catalog.forms) carry file fields ("Giấy chứng sinh") while the imported
catalogue lists the same papers as required documents (thành phần hồ sơ): the citizen was asked
for the birth certificate twice, once in the form, once in the document list. The document list
is the one place a document is given (uploaded, checked by content, or reused from the data
store), so such a field is left out of the form, and a required one makes its document required.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.catalog.forms import documents_asked_again, without_data, without_fields


def effective(version, documents=None) -> tuple[dict, dict]:
    """(schema, {path: (document, required)}) of ``version``'s form; ``documents``: its required
    documents when the caller has them."""
    schema = version.application_form or {}
    if not schema:
        return schema, {}
    if documents is None:
        documents = list(version.required_documents.only("pk", "name", "version_id"))
    again = documents_asked_again(schema, documents)
    return (without_fields(schema, again) if again else schema), again


def without_documents(form_data, again: dict):
    """The submitted form data without the fields the document list asks for (an integration
    sending the old form's file reference is not refused for it)."""
    return without_data(form_data, again) if again else form_data


def check_documents_given(again: dict, uploads, reuse) -> None:
    """A document whose form field was required must be given (uploaded or reused)."""
    given = {u.required_document_id for u in uploads} | {r.required_document_id for r in reuse}
    missing = {
        f"documents.{doc.pk}": [_("Attach this document: %(name)s.") % {"name": doc.name[:120]}]
        for doc, required in again.values()
        if required and doc.pk not in given
    }
    if missing:
        raise ValidationError(missing)
