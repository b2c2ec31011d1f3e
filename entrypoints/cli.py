"""The ``charge`` command: serve every door, bring the database schema up to date, simulate charge points, or
invoice a month."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from decimal import Decimal

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
    serve.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
    serve.add_argument("--ocpp-tls-cert", help="PEM certificate (chain): OCPP over TLS, wss:// "
                                               "(CHARGE_OCPP_TLS_CERT; needs --ocpp-tls-key)")
    serve.add_argument("--ocpp-tls-key", help="PEM private key of --ocpp-tls-cert (CHARGE_OCPP_TLS_KEY)")

    simulate = sub.add_parser("simulate", help="simulated OCPP charge points (demos, load) against this machine",
                              description="Runs N simulated charge points that boot, send heartbeats and charge "
                                          "with meter values until --duration ends. They must be registered "
                                          "first, as PREFIX1..PREFIXN; loopback servers only.")
    simulate.add_argument("--url", default="ws://127.0.0.1:9000/ocpp", help="the OCPP endpoint, without the "
                                                                           "identity (default %(default)s)")
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

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")

    from entrypoints.invoicing import add_parser as add_invoice_parser

    add_invoice_parser(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None), http_port=getattr(args, "http_port", None),
        ocpp_port=getattr(args, "ocpp_port", None), grpc_port=getattr(args, "grpc_port", None),
        database_url=getattr(args, "database_url", None),
        ocpp_tls_cert=getattr(args, "ocpp_tls_cert", None), ocpp_tls_key=getattr(args, "ocpp_tls_key", None),
    )


async def _migrate(settings: Settings) -> int:
    from adapters.sql.migrate import upgrade

    await upgrade(settings.database_url)
    log.info("database schema is up to date", extra={"database": _redacted(settings.database_url)})
    return 0


async def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.sql.migrate import is_up_to_date, upgrade
    from entrypoints.server import Server

    if settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)  # the embedded default migrates itself
    elif not await is_up_to_date(settings.database_url):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    server = Server(settings, ocpp=not args.no_ocpp, grpc=not args.no_grpc)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    await server.start()
    scheme = "wss" if settings.ocpp_tls_cert else "ws"
    print(f"charge: REST http://{settings.host}:{server.http_port}"
          + (f"  OCPP {scheme}://{settings.host}:{server.ocpp_port}/ocpp/{{id}}" if server.ocpp_port else "")
          + (f"  gRPC {settings.host}:{server.grpc_port}" if server.grpc_port else ""), flush=True)
    await server.wait()
    await server.stop()
    return 0


async def _simulate(args: argparse.Namespace) -> int:
    from entrypoints.simulator import Options, simulate

    options = Options(url=args.url, count=args.count, version=args.version, duration=args.duration,
                      prefix=args.prefix, id_tag=args.id_tag, password=args.password,
                      session_seconds=args.session_seconds, meter_interval=args.meter_interval,
                      power_kw=args.power_kw, ramp_seconds=args.ramp_seconds)
    report = await simulate(options)
    print(f"charge simulate: {report.summary()}", flush=True)
    return 0 if report.connected and not report.failed else 1


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
            return asyncio.run(_simulate(args))
        if args.command == "invoice":
            from entrypoints.invoicing import run_command

            return asyncio.run(run_command(settings, args))
        return asyncio.run(_serve(settings, args))
    except ValueError as exc:  # a malformed database URL or setting: one line, no traceback
        print(f"charge: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"charge: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
