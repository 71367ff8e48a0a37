"""The printed one-stop forms (Circular 01/2018/TT-VPCP, mẫu số 01–06), always in Vietnamese:
``data`` (what a form shows, as plain data), ``content`` (that data read from a dossier or an
agency's book), ``layout`` (fonts, styles, blocks, paper), ``pdf`` (each form as a signed PDF,
:func:`~egov.dossiers.printed.pdf.render_form`) and ``xlsx`` (the tracking book as a workbook).
Issuing forms 01–04 once and keeping them is a service: egov.dossiers.services.printed_forms."""
