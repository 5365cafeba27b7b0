"""The statistics import refuses what the other imports refuse: too big, not an .xlsx, broken."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi import sheets
from luoshi.evaluation import excel


@pytest.mark.parametrize("name, data, message", [
    ("统计.xls", b"\xd0\xcf\x11\xe0", "旧版 .xls"),
    ("统计.csv", b"a,b", "请上传 Excel"),
    ("统计.xlsx", b"PK\x03\x04 broken", "已损坏"),
    ("统计.xlsx", b"x" * 2000, "超过"),
])
def test_bad_files_are_refused_with_a_reason(monkeypatch, name, data, message):
    monkeypatch.setattr(sheets, "MAX_BYTES", 1000)
    with pytest.raises(excel.ImportRejected, match=message):
        excel.read_rows(SimpleUploadedFile(name, data))
