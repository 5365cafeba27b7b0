"""Malformed uploads to the document upload page: every one gets a page with a clear error (or a draft for what is
readable), never a server error. Hypothesis builds damaged .docx packages, random bytes and bad encodings."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, given, settings, strategies as st

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def real_docx(text="一、加快推进项目建设\n县发改委要在6月底前完成10个项目开工。"):
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX = real_docx()


def zip_of(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def upload(client, name, data):
    response = client.post("/documents/upload/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:  # the form again: it must say what is wrong
        errors = response.context["form"].errors
        assert errors.get("file"), "a rejected upload without a message"
    return response


@pytest.fixture
def office_client(client, county):
    client.force_login(county.office)
    return client


@FUZZ
@given(data=st.binary(max_size=4000))
def test_random_bytes_as_docx(office_client, data):
    upload(office_client, "讲话.docx", data)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(DOCX) - 1),
       flips=st.lists(st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)), max_size=8))
def test_truncated_or_damaged_docx(office_client, cut, flips):
    data = bytearray(DOCX)
    for at, byte in flips:
        data[at] = byte
    upload(office_client, "讲话.docx", bytes(data[:cut] if cut else data))


@FUZZ
@given(xml=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda t: t.encode("utf-8", "replace"))),
       parts=st.sets(st.sampled_from(["[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
                                      "word/styles.xml", "word/numbering.xml"])))
def test_zip_with_malformed_document_xml(office_client, xml, parts):
    with zipfile.ZipFile(io.BytesIO(DOCX)) as z:
        files = {name: z.read(name) for name in z.namelist() if name in parts}
    files["word/document.xml"] = xml
    upload(office_client, "讲话.docx", zip_of(files))


@FUZZ
@given(data=st.binary(min_size=1, max_size=3000), encoding=st.sampled_from(["gb18030", "utf-16", "big5", "latin-1"]))
def test_text_in_any_encoding_or_none(office_client, data, encoding):
    upload(office_client, "讲话.txt", data)
    payload = "要加快推进项目建设，6月底前完成。".encode(encoding, "replace")
    if encoding != "utf-16":
        payload += data[:50]
    upload(office_client, "讲话.txt", payload)


@pytest.mark.parametrize("data", [b"\xff\xfe\x00", "要加快推进".encode("utf-16") + b"\x00",
                                  "要加快推进".encode("utf-16") + b"\x00\xd8"])
def test_utf16_bom_with_odd_bytes(office_client, data):
    upload(office_client, "讲话.txt", data)


@pytest.mark.parametrize("name", ["讲话.exe", "讲话.html", "讲话", "讲话.doc", "讲话.xls"])
def test_wrong_types_are_named(office_client, name):
    response = upload(office_client, name, b"MZ\x90\x00 not a document")
    assert response.status_code == 200


def test_a_pdf_that_is_not_one(office_client):
    upload(office_client, "讲话.pdf", b"%PDF-1.4\n%%EOF garbage")


def test_zip_bomb_docx_is_refused_before_parsing(office_client, monkeypatch):
    """A 64 KB .docx whose document.xml inflates to 512 MB must be refused from the ZIP directory alone."""
    import docx

    reached = []

    def parsing(*args, **kwargs):  # stands in for the parser (a damaged-file error afterwards, not 512 MB of XML)
        reached.append(True)
        raise ValueError("the bomb reached the XML parser")

    monkeypatch.setattr(docx, "Document", parsing)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX)) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in z.namelist():
            if name != "word/document.xml":
                bomb.writestr(name, z.read(name))
        with bomb.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(512):
                f.write(chunk)
    assert len(out.getvalue()) < 1 << 20
    response = office_client.post("/documents/upload/", {"file": SimpleUploadedFile("炸弹.docx", out.getvalue())})
    assert response.status_code == 200 and response.context["form"].errors.get("file")
    assert not reached, "the bomb reached the XML parser"
