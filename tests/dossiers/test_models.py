"""Status names in Vietnamese are the dossier statuses', not a same-spelled word of another app."""

from django.utils import translation

from egov.dossiers.models import Status


def test_status_labels_in_vietnamese_are_the_national_status_names():
    with translation.override("vi"):
        labels = {status.value: str(status.label) for status in Status}
    # "Received" is also the exchange inbox's column title ("Ngày nhận"), listed earlier.
    assert labels[2] == "Đã tiếp nhận"
    assert labels[1] == "Mới"
    assert labels[10] == "Đã trả kết quả"
    assert len(set(labels.values())) == 10


def test_the_receive_act_in_a_history_is_not_the_exchange_inboxs_column_title():
    # The exchange inbox's "Received" column has its own context ("Ngày nhận"), so every bare
    # "Received" (the history's receive act, the dossier page's date) keeps the dossiers' word.
    from egov.dossiers.acts import ACTS

    with translation.override("vi"):
        assert str(ACTS["receive"].done) == "Đã tiếp nhận"
        assert translation.pgettext("inbox column", "Received") == "Ngày nhận"
