"""The staff's commands: translation sheets, reviews, what people asked that went unanswered,
and how much the bot is used.

``content export`` / ``content import`` take a language's strings to a translator and back,
``content review`` records a native speaker's review, ``report gaps`` and ``unanswered`` show
the questions the bot could not answer, ``report usage`` the messages answered per day.
:func:`register` adds them to ``gfmd-bot``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    content_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``content export|import|review`` and ``report gaps|usage`` to the ``gfmd-bot``
    parser."""
    export = content_commands.add_parser("export", help="a language's strings for a translator")
    export.add_argument("--lang", required=True)
    export.add_argument("--format", choices=["csv", "xlsx", "po"], default=None)
    export.add_argument("--out", type=Path, default=None, help="default: standard output")
    export.add_argument("--content", type=Path, default=None)
    export.set_defaults(func=cmd_content_export)

    load = content_commands.add_parser("import", help="a translated sheet back into content/")
    load.add_argument("file", type=Path, help="a .csv, .xlsx or .po file from content export")
    load.add_argument("--content", type=Path, default=None)
    load.add_argument("--locales", type=Path, default=None)
    load.set_defaults(func=cmd_content_import)

    review = content_commands.add_parser("review", help="record a native speaker's review")
    review.add_argument("lang")
    review.add_argument("topic", nargs="?", default=None, help="default: every translated file")
    review.add_argument("--by", required=True, help="the reviewer's name")
    review.add_argument(
        "--note", default=None, help="what the reviewer compared (required, except in English)"
    )
    review.add_argument("--content", type=Path, default=None)
    review.add_argument("--locales", type=Path, default=None)
    review.set_defaults(func=cmd_content_review)

    report = commands.add_parser("report", help="reports for the content team")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    gaps = report_commands.add_parser("gaps", help="unanswered questions, grouped")
    gaps.add_argument("--since", type=_day, default=None, help="YYYY-MM-DD")
    gaps.add_argument("--lang", default=None)
    gaps.set_defaults(func=cmd_report_gaps)
    usage = report_commands.add_parser("usage", help="messages answered per day, counted")
    period = usage.add_mutually_exclusive_group()
    period.add_argument("--since", type=_day, default=None, metavar="YYYY-MM-DD")
    period.add_argument(
        "--days", type=_count_of_days, default=None, metavar="N", help="the last N days"
    )
    usage.set_defaults(func=cmd_report_usage)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _count_of_days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days like 30")
    return int(text)


def more_hints(locales_dir: Path) -> Callable[[str], str] | None:
    """Each language's own "reply MORE" hint, so the SMS budget is measured as it is sent."""
    from bot.i18n import CatalogError, Catalogs, available_languages

    try:
        catalogs = Catalogs(locales_dir, available_languages(locales_dir))
    except CatalogError:
        return None

    def hint(lang: str) -> str:
        return catalogs.words(lang)("Reply MORE for more.")

    return hint


# -- content export / import / review -------------------------------------------------------


def cmd_content_export(args: argparse.Namespace) -> int:
    from gfmd_info.loader import read_content
    from gfmd_info.store import ENGLISH
    from gfmd_info.translation_sheets import format_of, write_sheet
    from gfmd_info.translation_units import translation_units

    content_dir: Path = args.content or Settings().gfmd_content_dir
    out: Path | None = args.out
    fmt = args.format or (format_of(out) if out is not None else "csv")
    if args.lang == ENGLISH or not (content_dir / args.lang).is_dir():
        why = "is English, the source" if args.lang == ENGLISH else "has no content folder"
        print(f"gfmd-bot content export: {args.lang!r} {why}", file=sys.stderr)
        return 2
    if fmt == "xlsx" and out is None:
        print("gfmd-bot content export: an Excel file needs --out FILE.xlsx", file=sys.stderr)
        return 2
    units = translation_units(read_content(content_dir), args.lang)
    data = write_sheet(units, args.lang, fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
    states = Counter(unit.status for unit in units)
    untranslated = sum(1 for unit in units if not unit.translation)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    print(
        f"{len(units)} strings of {args.lang} ({summary}; {untranslated} not translated)"
        f" written to {out or 'standard output'}",
        file=sys.stderr,
    )
    return 0


def cmd_content_import(args: argparse.Namespace) -> int:
    from gfmd_info.translation_import import import_sheet
    from gfmd_info.translation_sheets import SheetError

    settings = Settings()
    content_dir: Path = args.content or settings.gfmd_content_dir
    locales_dir: Path = args.locales or settings.gfmd_locales_dir
    try:
        result = import_sheet(content_dir, args.file, more_hints(locales_dir))
    except SheetError as error:
        print(error)
        return 1
    if result.problems:
        print("\n".join(result.problems))
        print(f"{len(result.problems)} problem(s): nothing was written")
        return 1
    if not result.written:
        print("No translation changed: nothing was written.")
        return 0
    for rel in result.written:
        print(f"wrote {rel} (status: draft; have it reviewed: gfmd-bot content review ...)")
    print(f"{len(result.written)} file(s) written; run `gfmd-bot content check` to see coverage")
    return 0


def cmd_content_review(args: argparse.Namespace) -> int:
    from gfmd_info.review import record_review

    settings = Settings()
    content_dir: Path = args.content or settings.gfmd_content_dir
    locales_dir: Path = args.locales or settings.gfmd_locales_dir
    today = dt.date.today()
    written = record_review(
        content_dir,
        args.lang,
        args.by,
        topic=args.topic,
        note=args.note,
        today=today,
        more_hint=more_hints(locales_dir),
    )
    for rel in written:
        print(f"reviewed by {args.by.strip()} on {today.isoformat()}: {rel}")
    if not written:
        print("Already recorded: nothing was written.")
    return 0


# -- unanswered questions -------------------------------------------------------------------


def cmd_report_gaps(args: argparse.Namespace) -> int:
    from bot.state_store import open_configured_store
    from gfmd_info.gap_report import format_gaps, group_gaps

    settings = Settings()
    store = open_configured_store(settings)
    try:
        rows = store.unanswered_rows(args.since)
    finally:
        store.close()
    gaps = group_gaps(rows, since=args.since, lang=args.lang)
    print(
        format_gaps(
            gaps,
            retention_days=settings.gfmd_unanswered_retention_days,
            since=args.since,
            lang=args.lang,
            days_listed=True,
        )
    )
    return 0


def cmd_report_usage(args: argparse.Namespace) -> int:
    from bot.state_store import open_configured_store
    from bot.usage_report import format_usage

    since: dt.date | None = args.since
    if args.days is not None:
        since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=args.days - 1)
    store = open_configured_store(Settings())
    try:
        rows = store.usage_rows(since)
    finally:
        store.close()
    print(format_usage(rows, since))
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    from bot.state_store import open_configured_store

    settings = Settings()
    store = open_configured_store(settings)
    try:
        questions = store.unanswered(args.limit)
    finally:
        store.close()
    if not questions:
        print(
            f"No unanswered questions are stored. Questions are kept"
            f" {settings.gfmd_unanswered_retention_days} days"
            " without any user key."
        )
        return 0
    for question in questions:
        print(f"{question.hits:>5}  {question.lang:<4} {question.text}")
    return 0
