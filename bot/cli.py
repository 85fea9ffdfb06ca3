"""`gfmd-bot`: serve, chat, match, eval, matcher tune, content check/stamp/export/import/review,
unanswered, report gaps/usage, telegram."""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot import cli_unanswered
from bot.cli_staff import cmd_unanswered as staff_unanswered
from bot.cli_staff import more_hints
from bot.cli_staff import register as register_staff_commands
from bot.settings import Settings


def _settings() -> Settings:
    return Settings()


def _load_knowledge(content_dir: Path) -> object:
    settings = _settings()
    return _load_knowledge_cached(
        content_dir, settings.gfmd_model_cache_dir or settings.gfmd_var_dir / "model-cache"
    )


def _load_knowledge_cached(content_dir: Path, cache: Path) -> object:
    from gfmd_info.knowledge import Knowledge
    from gfmd_info.problems import ContentError

    try:
        return Knowledge.load(content_dir, cache)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


# -- match / eval ---------------------------------------------------------------------------


def cmd_match(args: argparse.Namespace) -> int:
    from gfmd_info.knowledge import Knowledge

    knowledge = _load_knowledge(args.content or _settings().gfmd_content_dir)
    assert isinstance(knowledge, Knowledge)
    matcher = knowledge.matcher
    if args.jsonl:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, lang = str(row.get("text", "")), row.get("lang")
            except (json.JSONDecodeError, AttributeError):
                text, lang = "", None
            result = matcher.match(text, lang if isinstance(lang, str) else None)
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        return 0
    if args.text is None:
        print("gfmd-bot match: give a text, or --jsonl to read lines on stdin", file=sys.stderr)
        return 2
    result = matcher.match(args.text, args.lang)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print(
            f"{result.topic or '-'}  decision={result.decision}  score={result.score:.2f}  "
            f"lang={result.lang}  alternatives={','.join(result.alternatives)}"
            + ("  EMERGENCY" if result.emergency else "")
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from gfmd_info.evaluation import evaluate, format_report, read_labelled
    from gfmd_info.knowledge import Knowledge

    knowledge = _load_knowledge(args.content or _settings().gfmd_content_dir)
    assert isinstance(knowledge, Knowledge)
    with open(args.file, encoding="utf-8") as handle:
        report = evaluate(knowledge.matcher, read_labelled(handle), use_lang=not args.no_lang)
    print(format_report(report))
    if args.misses:
        print("\nmisses:")
        for message, result in report.misses:
            print(
                f"  {message.id} [{message.lang}] expected {','.join(sorted(message.expected))}"
                f" got {result.topic or 'none'} ({result.decision}, {result.score:.2f})"
            )
    return 0


def cmd_matcher_tune(args: argparse.Namespace) -> int:
    import time

    from gfmd_info.knowledge import lexicons
    from gfmd_info.loader import load_content
    from gfmd_info.problems import ContentError
    from gfmd_info.thresholds import THRESHOLDS_FILE
    from gfmd_info.tuning import tune

    try:
        content = load_content(args.content or _settings().gfmd_content_dir)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    started = time.monotonic()
    thresholds = tune(
        lexicons(content),
        progress=lambda line: print(f"{time.monotonic() - started:6.1f}s {line}", flush=True),
    )
    print(json.dumps(thresholds.__dict__, indent=2, sort_keys=True))
    if args.write:
        thresholds.save()
        print(f"written to {THRESHOLDS_FILE}")
    return 0


def cmd_matcher_warm(args: argparse.Namespace) -> int:
    """Train the matcher into its cache now (a Docker build), so that serving starts at once."""
    from gfmd_info.knowledge import Knowledge

    settings = _settings()
    cache = args.cache or settings.gfmd_model_cache_dir or settings.gfmd_var_dir / "model-cache"
    knowledge = _load_knowledge_cached(args.content or settings.gfmd_content_dir, cache)
    assert isinstance(knowledge, Knowledge)
    print(f"matcher {knowledge.matcher.fingerprint} ready in {cache}")
    return 0


# -- content -----------------------------------------------------------------------------------


def cmd_content_check(args: argparse.Namespace) -> int:
    from gfmd_info.content_check import check_content, format_report

    settings = _settings()
    content_dir = args.content or settings.gfmd_content_dir
    locales_dir = args.locales or settings.gfmd_locales_dir
    report = check_content(content_dir, locales_dir, more_hint=more_hints(locales_dir))
    print(format_report(report))
    return 1 if report.errors else 0


def cmd_content_stamp(args: argparse.Namespace) -> int:
    from gfmd_info.content_check import stamp_language

    content_dir = args.content or _settings().gfmd_content_dir
    changed = stamp_language(content_dir, args.lang)
    print(f"{changed} file(s) stamped in {args.lang}")
    return 0


# -- chat / serve / telegram ------------------------------------------------------------------


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.channels.sms import is_twilio_keyword
    from bot.chat import run_chat

    settings = _settings()
    with tempfile.TemporaryDirectory() as tmp:
        # A throwaway store and key for this session: nothing of it outlives the terminal. The
        # trained matcher is no personal data: it stays in the usual cache, shared with serve.
        settings = settings.model_copy(
            update={
                "database_url": f"sqlite:///{tmp}/chat.sqlite3",
                "gfmd_var_dir": Path(tmp),
                "gfmd_bot_secret": secrets.token_hex(16),
                "gfmd_model_cache_dir": settings.gfmd_model_cache_dir
                or settings.gfmd_var_dir / "model-cache",
            }
        )
        return run_chat(
            settings,
            args.channel,
            args.lang,
            args.country,
            sys.stdin,
            sys.stdout,
            provider_keyword=is_twilio_keyword,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.server import serve

    return serve(_settings(), args.host, args.port, args.workers)


def cmd_telegram(args: argparse.Namespace) -> int:
    from bot.channels import telegram

    settings = _settings()
    if args.telegram_command == "set-webhook":
        return telegram.set_webhook_command(settings, args.drop_pending_updates)
    return telegram.poll_command(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gfmd-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the webhooks, health and metrics")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    chat = sub.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--channel", choices=["sms", "telegram", "whatsapp"], default="sms")
    chat.add_argument("--lang", default=None)
    chat.add_argument("--country", default=None)
    chat.set_defaults(func=cmd_chat)

    match = sub.add_parser("match", help="the matcher alone")
    match.add_argument("text", nargs="?")
    match.add_argument("--lang", default=None)
    match.add_argument("--json", action="store_true")
    match.add_argument("--jsonl", action="store_true", help="read {text, lang?} lines on stdin")
    match.add_argument("--content", type=Path, default=None)
    match.set_defaults(func=cmd_match)

    evaluate = sub.add_parser("eval", help="matcher accuracy on a labelled JSONL file")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--no-lang", action="store_true", help="do not pass the language")
    evaluate.add_argument("--misses", action="store_true", help="list every wrong answer")
    evaluate.add_argument("--content", type=Path, default=None)
    evaluate.set_defaults(func=cmd_eval)

    matcher = sub.add_parser("matcher", help="the matcher's thresholds")
    matcher_sub = matcher.add_subparsers(dest="matcher_command", required=True)
    tune = matcher_sub.add_parser(
        "tune", help="choose the thresholds by cross-validation over the content's phrases"
    )
    tune.add_argument("--content", type=Path, default=None)
    tune.add_argument("--write", action="store_true", help="save them for the matcher to use")
    tune.set_defaults(func=cmd_matcher_tune)
    warm = matcher_sub.add_parser("warm", help="train the matcher into its cache now")
    warm.add_argument("--content", type=Path, default=None)
    warm.add_argument("--cache", type=Path, default=None, help="default: GFMD_MODEL_CACHE_DIR")
    warm.set_defaults(func=cmd_matcher_warm)

    content = sub.add_parser("content", help="check or stamp content/")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate content/ and locales/")
    check.add_argument("--content", type=Path, default=None)
    check.add_argument("--locales", type=Path, default=None)
    check.set_defaults(func=cmd_content_check)
    stamp = content_sub.add_parser("stamp", help="mark a language's translations up to date")
    stamp.add_argument("lang")
    stamp.add_argument("--content", type=Path, default=None)
    stamp.set_defaults(func=cmd_content_stamp)

    unanswered = sub.add_parser("unanswered", help="questions the bot could not answer")
    unanswered.add_argument("--limit", type=int, default=50)
    unanswered.set_defaults(func=staff_unanswered)
    cli_unanswered.register(unanswered)

    telegram = sub.add_parser("telegram", help="register the webhook or poll")
    telegram_sub = telegram.add_subparsers(dest="telegram_command", required=True)
    set_webhook = telegram_sub.add_parser("set-webhook")
    set_webhook.add_argument("--drop-pending-updates", action="store_true")
    telegram_sub.add_parser("poll")
    telegram.set_defaults(func=cmd_telegram)

    register_staff_commands(sub, content_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # `gfmd-bot eval ... | head` should end quietly, not with a BrokenPipeError traceback.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    from bot.i18n import CatalogError
    from gfmd_info.problems import ContentError

    # An NGO editor sees what is wrong and where, never a Python traceback.
    try:
        code: int = args.func(args)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except (CatalogError, ValueError, OSError) as error:
        print(f"gfmd-bot: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
