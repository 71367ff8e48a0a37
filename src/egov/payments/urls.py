from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("dossiers/<str:code>/pay/", views.pay, name="pay"),
    path("dossiers/<str:code>/desk/", views.desk, name="desk"),
    path("statement/", views.statement_check, name="statement"),
    path("return/<str:gateway>/", views.gateway_return, name="return"),
    path("ipn/<str:gateway>/", views.ipn, name="ipn"),
    path("receipts/<int:pk>.pdf", views.receipt_pdf, name="receipt"),
    path("refunds/<int:pk>.pdf", views.refund_receipt_pdf, name="refund_receipt"),
    path("<str:reference>/refund/", views.refund, name="refund"),
    path("<str:reference>/", views.status, name="status"),
]
