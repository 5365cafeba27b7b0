"""`luoshi decompose FILE|DIR … [--date D] [--format json|xlsx|md] [-o OUT]`.

One file: the output goes to OUT (a file, or a directory) or to stdout (json, md).
A directory or several files: a progress bar on stderr and one output per file
in the OUT directory. Bad input: one line on stderr naming the file and the
reason, exit code 2. A document without tasks: a warning, exit code 0.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from .pipeline import decompose
from .reader import DecomposeError, read_file

SUFFIXES = {".txt", ".docx", ".pdf", ".doc", ".wps", ".text", ".md"}


def _parser():
    p = argparse.ArgumentParser(prog="luoshi decompose",
                                description="讲话/工作报告/工作要点 → 任务分解 (decomposition/1 JSON, 任务分解表 xlsx, md)")
    p.add_argument("inputs", nargs="+", metavar="FILE|DIR")
    p.add_argument("--date", help="文件日期 YYYY-MM-DD（用于推算“明年”“年底”等）")
    p.add_argument("--format", choices=("json", "xlsx", "md"), default="json")
    p.add_argument("-o", "--output", help="输出文件或目录（多个输入时为目录）")
    return p


def _inputs(args):
    files = []
    for raw in args:
        path = Path(raw)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            files.append(path)
    return files


def render(result, fmt: str, source: str) -> bytes:
    if fmt == "json":
        out = result.to_dict()
        return (json.dumps(out, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "md":
        from .export import to_markdown

        return to_markdown(result, source).encode("utf-8")
    from .export import to_xlsx

    return to_xlsx(result, source)


def _progress(done, total, name):
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"luoshi decompose: --date 不是 YYYY-MM-DD 日期 (bad date): {args.date}", file=sys.stderr)
        return 2
    files = _inputs(args.inputs)
    if not files:
        print(f"luoshi decompose: 目录中没有可读的文件 (no readable files): {' '.join(args.inputs)}",
              file=sys.stderr)
        return 2
    many = len(files) > 1 or any(Path(i).is_dir() for i in args.inputs)
    out = Path(args.output) if args.output else None
    if many:
        out = out or Path(".")
        out.mkdir(parents=True, exist_ok=True)
    elif args.format == "xlsx" and out is None:
        out = Path(files[0].stem + ".xlsx")
    status = 0
    for i, path in enumerate(files):
        try:
            reading = read_file(path)
            text, warnings = reading
            result = decompose(text, doc_date=date, outline=reading.outline)
        except (DecomposeError, OSError) as e:
            reason = e if isinstance(e, DecomposeError) else f"无法读取 (cannot read): {e.strerror}"
            print(f"{chr(10) if many else ''}luoshi decompose: {path}: {reason}", file=sys.stderr)
            status = 2
            continue
        except Exception as e:  # a bug must still not print a traceback at a clerk
            print(f"luoshi decompose: {path}: 内部错误 (internal error: {type(e).__name__}: {e})", file=sys.stderr)
            status = 2
            continue
        for w in warnings + [w for w in result.warnings if not w.startswith("未识别出任务")]:
            if not many:
                print(f"luoshi decompose: {path}: {w}", file=sys.stderr)
        if not result.tasks:
            print(f"luoshi decompose: {path}: 警告：未识别出任务 (warning: no tasks found)", file=sys.stderr)
        data = render(result, args.format, path.name)
        if many:
            (out / f"{path.stem}.{args.format}").write_bytes(data)
            _progress(i + 1, len(files), path.name)
        elif out is None:
            sys.stdout.buffer.write(data)
        else:
            target = out / f"{path.stem}.{args.format}" if out.is_dir() else out
            try:
                target.write_bytes(data)
            except OSError as e:
                print(f"luoshi decompose: {target}: 无法写入 (cannot write): {e.strerror}", file=sys.stderr)
                return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
