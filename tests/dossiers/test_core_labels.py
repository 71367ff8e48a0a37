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
