"""An uploaded speech or plan → a draft Document: checked, read by the decomposer's reader, decomposed with the
office's keyword → unit table. The upload page calls it for a normal file; a big one goes to the worker
(ledger/jobs.py), which calls the same function."""
import datetime as dt
import os

from django.conf import settings
from django.utils.translation import gettext as _

from luoshi import decompose as decomposer
from luoshi.jobs.services import no_progress

from .models import Document, UnitRule


class UploadProblem(Exception):
    """A document that cannot be read; the message is Chinese and names the file."""


def check_upload(name, size):
    """What can be said before reading the file: its size and kind."""
    if size > settings.LUOSHI_DOCUMENT_MAX_BYTES:
        raise UploadProblem(_("文件“%(name)s”有 %(size).1f MB，超过上限 %(limit)s MB，请删去其中的图片后再上传") % {
            "name": name, "size": size / 1048576, "limit": settings.LUOSHI_DOCUMENT_MAX_BYTES // 1048576})
    if os.path.splitext(name)[1].lower() not in (".txt", ".docx", ".pdf"):
        raise UploadProblem(_("文件“%(name)s”不是 txt、docx 或 pdf 格式") % {"name": name})


def unit_rules():
    """The office's keyword → unit table; None keeps the decomposer's default table when the office has none."""
    rules = [(r.keyword, r.lead_unit.name, [u.name for u in r.co_units.all()])
             for r in UnitRule.objects.select_related("lead_unit").prefetch_related("co_units")]
    return rules or None


def decompose_upload(data, name, doc_date, user, progress=no_progress):
    """Read and decompose the file's bytes and store the draft: (Document, warnings). A draft holds no ledger rows
    yet; publishing goes through services.publish_document."""
    check_upload(name, len(data))
    progress(0, 3, "读取文件")
    try:
        reading = decomposer.read_bytes(data, name)
    except decomposer.DecomposeError as e:
        raise UploadProblem(_("无法读取文件“%(name)s”：%(error)s") % {"name": name, "error": e}) from None
    text, warnings = reading
    if not text.strip():
        raise UploadProblem(_("文件“%(name)s”里没有文字（扫描件请先转成文字）") % {"name": name})
    progress(1, 3, "分解任务")
    # a .docx's Word heading styles carry outline levels its text cannot show
    result = decomposer.decompose(text, doc_date=doc_date, unit_rules=unit_rules(), outline=reading.outline).to_dict()
    progress(2, 3, "保存分解草稿")
    document = Document.objects.create(
        title=(result.get("title") or os.path.splitext(name)[0])[:200],
        doc_date=doc_date or (dt.date.fromisoformat(result["doc_date"]) if result.get("doc_date") else None),
        filename=name[:200], text=text, result=result, uploaded_by=user)
    return document, [*warnings, *result.get("warnings", [])]
