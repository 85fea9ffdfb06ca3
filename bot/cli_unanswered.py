"""`gfmd-bot unanswered --purge [--before DATE]`: staff erase the questions the bot could not
answer, all of them or those asked before a day.

They carry no user key, so a person's DELETE cannot reach them; they also expire on their own
after `GFMD_UNANSWERED_RETENTION_DAYS`. This is for sooner: after someone wrote something
that must not stay, or once the questions have been read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable

from bot.settings import Settings

Command = Callable[[argparse.Namespace], int]


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day as YYYY-MM-DD: {text!r}") from None


def register(unanswered: argparse.ArgumentParser) -> None:
    """Add `--purge` and `--before` to the `unanswered` command; without `--purge` it still
    lists, as before."""
    listing: Command = unanswered.get_default("func")
    unanswered.add_argument(
        "--purge", action="store_true", help="erase the kept questions instead of listing them"
    )
    unanswered.add_argument(
        "--before",
        type=day,
        metavar="YYYY-MM-DD",
        help="with --purge: only those asked before this day (default: all)",
    )

    def run(args: argparse.Namespace) -> int:
        if args.purge:
            return cmd_purge(args)
        if args.before is not None:
            print("gfmd-bot unanswered: --before goes with --purge", file=sys.stderr)
            return 2
        return listing(args)

    unanswered.set_defaults(func=run)


def cmd_purge(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from bot.state_store import open_configured_store

    settings = settings or Settings()
    store = open_configured_store(settings)
    try:
        purge = getattr(store, "purge_unanswered", None)
        if purge is None:
            print("gfmd-bot unanswered: this store cannot purge questions yet", file=sys.stderr)
            return 1
        erased = int(purge(args.before))
    finally:
        store.close()
    which = f"asked before {args.before.isoformat()}" if args.before else "all"
    print(f"erased {erased} unanswered question row(s) ({which})")
    return 0
