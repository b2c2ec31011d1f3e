"""The ``charge`` command: serve every door, bring the database schema up to date, simulate charge points, or
build a demo network on a running server, or invoice a month."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from decimal import Decimal

from entrypoints import http_stack
from entrypoints.collector import SERVER_THRESHOLDS, freeze_startup_heap
from entrypoints.config import Settings
from entrypoints.logs import configure_logging

log = logging.getLogger("charge")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="charge", description="Charge: EV charging platform")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve REST, OCPP and gRPC in one process")
    serve.add_argument("--host", help="address to bind (CHARGE_HOST)")
    serve.add_argument("--http-port", type=int, help="REST port (CHARGE_HTTP_PORT, default 8000; 0 = any)")
    serve.add_argument("--ocpp-port", type=int, help="OCPP port (CHARGE_OCPP_PORT, default 9000; 0 = any)")
    serve.add_argument("--grpc-port", type=int, help="gRPC port (CHARGE_GRPC_PORT, default 50051; 0 = any)")
    serve.add_argument("--no-ocpp", action="store_true", help="do not serve OCPP")
    serve.add_argument("--no-grpc", action="store_true", help="do not serve gRPC")
    serve.add_argument("--workers", type=int, default=1,
                       help="REST in this many processes on one port (needs --no-ocpp: OCPP runs as its own node)")
    serve.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
    serve.add_argument("--ocpp-tls-cert", help="PEM certificate (chain): OCPP over TLS, wss:// "
                                               "(CHARGE_OCPP_TLS_CERT; needs --ocpp-tls-key)")
    serve.add_argument("--ocpp-tls-key", help="PEM private key of --ocpp-tls-cert (CHARGE_OCPP_TLS_KEY)")

    simulate = sub.add_parser("simulate", help="simulated OCPP charge points (demos, load) against this machine",
                              description="Runs N simulated charge points that boot, send heartbeats and charge "
                                          "with meter values until --duration ends. They must be registered "
                                          "first, as PREFIX1..PREFIXN; loopback servers only.")
    simulate.add_argument("--url", help="the OCPP endpoint, without the identity (default "
                                        "ws://CHARGE_HOST:CHARGE_OCPP_PORT/ocpp, i.e. ws://127.0.0.1:9000/ocpp)")
    simulate.add_argument("--count", type=int, default=1, help="charge points (default %(default)s)")
    simulate.add_argument("--ocpp-version", dest="version", choices=["1.6", "2.0.1"], default="1.6")
    simulate.add_argument("--duration", type=float, default=60.0, help="seconds to run (default %(default)s)")
    simulate.add_argument("--prefix", default="SIM-", help="identity prefix (default %(default)s)")
    simulate.add_argument("--id-tag", default="RFID-SIM", help="the tag presented to start sessions")
    simulate.add_argument("--password", help="HTTP Basic password of every charge point (security profile 1)")
    simulate.add_argument("--session-seconds", type=float, default=30.0, help="length of a session")
    simulate.add_argument("--meter-interval", type=float, default=5.0, help="seconds between meter values")
    simulate.add_argument("--power-kw", type=Decimal, default=Decimal(11), help="charging power")
    simulate.add_argument("--ramp-seconds", type=float, help="spread the connections over this long")

    demo = sub.add_parser("demo", help="a populated organization and simulated charge points, on a running server",
                          description="Builds (or finds again) a demo organization through the REST API of a "
                                      "running server (`make run` or `charge serve` in another terminal): a user, "
                                      "locations in two time zones, charge points, a tariff with energy and time "
                                      "components, drivers with id tags. Prints an API key and what to curl, then "
                                      "runs the charge points (OCPP 2.0.1 and 1.6) until --duration ends or Ctrl-C. "
                                      "Loopback servers only.")
    demo.add_argument("--url", help="the server's REST root (default http://CHARGE_HOST:CHARGE_HTTP_PORT, "
                                    "i.e. http://127.0.0.1:8000)")
    demo.add_argument("--duration", type=float, default=600.0, help="seconds to charge (default %(default)g)")
    demo.add_argument("--session-seconds", type=float, default=45.0, help="length of a session (default %(default)g)")
    demo.add_argument("--meter-interval", type=float, default=5.0, help="seconds between meter values "
                                                                        "(default %(default)g)")

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")

    from entrypoints.invoicing import add_parser as add_invoice_parser

    add_invoice_parser(sub)
    from entrypoints.reporting import add_parser as add_report_parser

    add_report_parser(sub)
    from entrypoints.payments_cli import add_parser as add_payments_parser

    add_payments_parser(sub)
    from entrypoints.webhook_worker import add_parser as add_webhooks_parser

    add_webhooks_parser(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None), http_port=getattr(args, "http_port", None),
        ocpp_port=getattr(args, "ocpp_port", None), grpc_port=getattr(args, "grpc_port", None),
        database_url=getattr(args, "database_url", None),
        ocpp_tls_cert=getattr(args, "ocpp_tls_cert", None), ocpp_tls_key=getattr(args, "ocpp_tls_key", None),
    )


async def _migrate(settings: Settings) -> int:
    await _bring_up_to_date(settings.database_url)
    return 0


async def _bring_up_to_date(url: str) -> None:
    """Migrate when behind, and say so in one line (Alembic's own lines are kept below WARNING)."""
    from adapters.sql.migrate import current_revision, head_revision, upgrade

    before, head = await current_revision(url), head_revision()
    if before != head:
        await upgrade(url)
        log.info("database schema migrated", extra={"database": _redacted(url), "from_revision": before,
                                                    "to_revision": head})
    else:
        log.info("database schema is up to date", extra={"database": _redacted(url), "revision": head})


async def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.sql.migrate import is_up_to_date
    from entrypoints.server import Server

    if settings.database_url.startswith("sqlite"):
        await _bring_up_to_date(settings.database_url)  # the embedded default migrates itself (once)
    elif not await is_up_to_date(settings.database_url):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    server = Server(settings, ocpp=not args.no_ocpp, grpc=not args.no_grpc)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    await server.start()
    freeze_startup_heap(SERVER_THRESHOLDS)
    scheme = "wss" if settings.ocpp_tls_cert else "ws"
    print(f"charge: REST http://{settings.host}:{server.http_port}"
          + (f"  OCPP {scheme}://{settings.host}:{server.ocpp_port}/ocpp/{{id}}" if server.ocpp_port else "")
          + (f"  gRPC {settings.host}:{server.grpc_port}" if server.grpc_port else ""), flush=True)
    await server.wait()
    await server.stop()
    return 0


def _serve_workers(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.sql.migrate import is_up_to_date, upgrade
    from entrypoints.server import _bind
    from entrypoints.workers import serve_workers

    if not args.no_ocpp:
        print("charge: --workers serves REST only; add --no-ocpp and serve OCPP from its own node", file=sys.stderr)
        return 2
    if settings.database_url.startswith("sqlite"):
        asyncio.run(upgrade(settings.database_url))
    elif not asyncio.run(is_up_to_date(settings.database_url)):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    return serve_workers(settings, args.workers, grpc=not args.no_grpc, bind=_bind)


async def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from entrypoints.simulator import Options, simulate

    url = args.url or f"ws://{settings.local_host()}:{settings.ocpp_port}/ocpp"
    options = Options(url=url, count=args.count, version=args.version,
                      duration=args.duration, prefix=args.prefix, id_tag=args.id_tag, password=args.password,
                      session_seconds=args.session_seconds, meter_interval=args.meter_interval,
                      power_kw=args.power_kw, ramp_seconds=args.ramp_seconds)
    report = await simulate(options, _stopped_by_signals())
    print(f"charge simulate: {report.summary()}", flush=True)
    return 0 if report.connected and not report.failed else 1


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from entrypoints.demo import DemoError, build_network, introduction, run_charge_points

    url = args.url or f"http://{settings.local_host()}:{settings.http_port}"
    try:
        network = await asyncio.to_thread(build_network, url)
    except DemoError as error:
        print(f"charge demo: {error}", file=sys.stderr)
        return 1
    print(introduction(network, args.duration), flush=True)
    report = await run_charge_points(network, duration=args.duration, session_seconds=args.session_seconds,
                                     meter_interval=args.meter_interval, stop=_stopped_by_signals())
    print(f"charge demo: {report.summary()}", flush=True)
    return 0 if report.connected and not report.failed else 1


def _stopped_by_signals() -> asyncio.Event:
    """Set by Ctrl-C or SIGTERM: simulated charge points then stop their sessions properly and leave."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _redacted(url: str) -> str:
    head, sep, tail = url.rpartition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    return f"{scheme}://{credentials.split(':', 1)[0]}@{tail}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = _settings(args)
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "simulate":
            return asyncio.run(_simulate(args, settings))
        if args.command == "demo":
            return asyncio.run(_demo(args, settings))
        if args.command == "invoice":
            from entrypoints.invoicing import run_command

            return asyncio.run(run_command(settings, args))
        if args.command == "report":
            from entrypoints.reporting import run_command as report_command

            return asyncio.run(report_command(settings, args))
        if args.command == "payments":
            from entrypoints.payments_cli import run_command as run_payments

            return asyncio.run(run_payments(settings, args))
        if args.command == "webhooks":
            from entrypoints import webhook_worker

            return asyncio.run(webhook_worker.run_command(settings, args))
        if args.workers != 1:
            return _serve_workers(settings, args)
        return http_stack.run(_serve(settings, args))
    except ValueError as exc:  # a malformed database URL or setting: one line, no traceback
        print(f"charge: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"charge: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
