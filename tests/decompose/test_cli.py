"""`luoshi decompose` run as the user runs it: a subprocess, exit codes, one-line errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SEED

SAMPLE = "河阳县工作要点\n\n一、重点任务\n1.加快项目建设。全年新建学校3所，确保引进项目**个，年底前完成。\n"


def run(*args, cwd=None):
    code = "import sys; from luoshi.decompose.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=60)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_json_to_stdout(sample):
    result = run(sample, "--date", "2021-01-10")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["schema"] == "decomposition/1" and out["title"] == "河阳县工作要点"
    assert [t["deadlines"][0]["date"] for t in out["tasks"]] == ["2021-12-31"]


def test_xlsx_opens_with_its_header_row(sample, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "plan.xlsx"
    result = run(sample, "--format", "xlsx", "-o", out)
    assert result.returncode == 0, result.stderr
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == ["序号", "所属章节", "任务内容", "目标值", "完成时限", "牵头单位", "责任单位", "依据原文"]
    assert ws.max_row == 2 and ws["D2"].fill.fgColor.rgb.endswith("FFFF00")


def test_markdown(sample):
    result = run(sample, "--format", "md", "--date", "2021-01-10")
    assert result.returncode == 0 and "## 一、重点任务" in result.stdout and "T1" in result.stdout


def test_directory_gives_one_output_per_file_and_a_progress_bar(tmp_path, sample):
    (tmp_path / "second.txt").write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out"
    result = run(tmp_path, "-o", out, "--date", "2021-01-10")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "second.json"]
    assert "2/2" in result.stderr


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02\x03", "binary"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".doc/.wps"),
    ("old.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".doc/.wps"),
])
def test_bad_input_is_one_line_naming_the_file_exit_2(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    result = run(path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and reason in lines[0] and "Traceback" not in result.stderr


def test_missing_and_too_large_files(tmp_path):
    result = run(tmp_path / "nowhere.txt")
    assert result.returncode == 2 and "no such file" in result.stderr and len(result.stderr.splitlines()) == 1
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(21 * 1024 * 1024)
    result = run(big)
    assert result.returncode == 2 and "too large" in result.stderr and len(result.stderr.splitlines()) == 1


def test_no_tasks_is_a_warning_not_a_failure(tmp_path):
    path = tmp_path / "praise.txt"
    path.write_text("今年的工作成绩很大，大家辛苦了。", encoding="utf-8")
    result = run(path, "--date", "2021-01-10")
    assert result.returncode == 0 and json.loads(result.stdout)["tasks"] == []
    assert "no tasks" in result.stderr


def test_bad_date_is_exit_2(sample):
    result = run(sample, "--date", "2021-13-45")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_cli_does_not_import_django():
    code = ("import sys\n"
            "from luoshi.decompose.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "import luoshi.decompose, luoshi.decompose.export\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'openpyxl', 'docx', 'pypdf')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


@pytest.mark.skipif(not SEED.is_file(), reason="sample speech not found beside the repository")
def test_installed_entry_point_on_the_sample_speech(tmp_path):
    luoshi = Path(sys.executable).with_name("luoshi")
    if not luoshi.exists():
        pytest.skip("the luoshi console script is not installed in this environment")
    out = tmp_path / "seed.json"
    result = subprocess.run([str(luoshi), "decompose", str(SEED), "--date", "2020-12-20", "-o", str(out)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["tasks"]) >= 25
