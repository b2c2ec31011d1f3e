"""The ``charge`` command: serve every door, or bring the database schema up to date."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

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

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None), http_port=getattr(args, "http_port", None),
        ocpp_port=getattr(args, "ocpp_port", None), grpc_port=getattr(args, "grpc_port", None),
        database_url=getattr(args, "database_url", None),
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
    print(f"charge: REST http://{settings.host}:{server.http_port}"
          + (f"  OCPP ws://{settings.host}:{server.ocpp_port}/ocpp/{{id}}" if server.ocpp_port else "")
          + (f"  gRPC {settings.host}:{server.grpc_port}" if server.grpc_port else ""), flush=True)
    await server.wait()
    await server.stop()
    return 0


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
        return asyncio.run(_serve(settings, args))
    except ValueError as exc:  # a malformed database URL or setting: one line, no traceback
        print(f"charge: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"charge: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
