"""The default criteria set: the 12-criterion satisfaction form some provinces use.

Source (docs/ratings.md): the public satisfaction page of Thừa Thiên Huế's public service portal
(dichvucong.thuathienhue.gov.vn, "Mức độ hài lòng": "Tiêu chí 1" to "Tiêu chí 12", rated per
dossier code). Its criteria follow the evaluation contents of Decree 61/2018/NĐ-CP on the
one-stop mechanism (time taken against the legal limit, number of contacts and of agencies to
deal with, officials' conduct, publicity, handling of feedback, online service). The wording
below is ours, kept close to the published one; the scale is the five levels (1 very
dissatisfied .. 5 very satisfied) provincial systems report as RKHL/KHL/BT/HL/RHL.

A new version of the form is a new CriteriaSet row (same code, next version) with
``in_force=True``, and the old one set to ``in_force=False``: ratings keep the set they were
given on.
"""

from django.db import migrations

CODE = "tthc-12"
CRITERIA = [
    ("overall", "Đánh giá chung về dịch vụ"),
    (
        "convenience",
        "Mức độ thuận tiện khi sử dụng dịch vụ (dễ sử dụng, thời gian phản hồi của hệ thống)",
    ),
    ("on_time", "Mức độ đúng hẹn trong xử lý và trả kết quả"),
    (
        "attitude",
        "Thái độ của cán bộ, công chức, viên chức (nhiệt tình, không gây phiền hà, cách giao "
        "tiếp khi hướng dẫn và xử lý hồ sơ)",
    ),
    ("time_vs_law", "Thời gian giải quyết so với thời hạn pháp luật cho phép"),
    ("time_vs_schedule", "Thời gian thực hiện giải quyết so với quy định"),
    ("contacts", "Số lần phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ"),
    ("agencies", "Số cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ"),
    ("one_stop_desk", "Việc tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa"),
    ("publicity", "Mức độ công khai thủ tục hành chính"),
    ("feedback", "Việc tiếp thu, giải trình ý kiến phản ánh, kiến nghị của tổ chức, cá nhân"),
    ("online_service", "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"),
]
SOURCE = (
    "Phiếu đánh giá 12 tiêu chí, trang Mức độ hài lòng, Cổng dịch vụ công tỉnh Thừa Thiên Huế "
    "(dichvucong.thuathienhue.gov.vn); nội dung đánh giá theo Nghị định 61/2018/NĐ-CP."
)


def load(apps, schema_editor):
    CriteriaSet = apps.get_model("ratings", "CriteriaSet")
    Criterion = apps.get_model("ratings", "Criterion")
    if CriteriaSet.objects.filter(code=CODE, version=1).exists():
        return
    criteria_set = CriteriaSet.objects.create(
        code=CODE,
        version=1,
        name="Đánh giá mức độ hài lòng về giải quyết thủ tục hành chính (12 tiêu chí)",
        source=SOURCE,
        max_score=5,
        in_force=True,
    )
    Criterion.objects.bulk_create(
        Criterion(criteria_set=criteria_set, number=i, code=code, name=name)
        for i, (code, name) in enumerate(CRITERIA, start=1)
    )


def unload(apps, schema_editor):
    apps.get_model("ratings", "CriteriaSet").objects.filter(code=CODE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
