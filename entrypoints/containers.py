"""The one composition root: containers split by role (core, adapters, use cases).

Tests build an ``Application`` and override adapter providers (never patch). Embedding Charge:

    app = Application(config=Settings.from_env().as_config())
    org = await app.use_cases.create_organization(details, actor)
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.documents import FacturXDocuments
from adapters.documents.receipt import ReceiptPdf
from adapters.documents.statement import StatementPdf
from adapters.mail import build_mailer
from adapters.ocpp.connections import ConnectionRegistry
from adapters.ocpp.gateway import OcppCommandGateway
from adapters.payments import BankTransferProvider, StatementFiles, build_stripe
from adapters.registries import SchwiftyBankAccounts, StdnumTaxIds
from adapters.security.argon2_hasher import Argon2PasswordHasher
from adapters.security.login_throttle import InMemoryLoginThrottle
from adapters.sql.database import Database
from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.meter_sink import SqlMeterSink
from adapters.webhooks import HttpWebhookSender
from application import (
    api_keys,
    authorization_log,
    bank_statements,
    charge_point_events,
    collection,
    commands,
    customers,
    dashboard,
    disputes,
    drivers,
    event_handlers,
    evidence,
    fleets,
    identity,
    invitations,
    invoice_runs,
    invoices,
    ledger,
    live_streams,
    mail_relay,
    members,
    memberships,
    network,
    odometer,
    organizations,
    payment_methods,
    portal,
    portal_access,
    portal_payment_methods,
    projects,
    provider_events,
    reconciliation,
    refunds,
    reports,
    reservations,
    session_facts,
    sessions,
    settings,
    site_owners,
    statement_documents,
    tariff_imports,
    tariffs,
    transactions,
    webhooks,
)
from application.authorization import Actor
from application.charge_point_reads import ChargePointReads
from application.charge_point_writes import ChargePointWrites
from application.credential_cache import CredentialCache
from application.energy_caps import EnergyCaps
from application.event_feed import FeedSequencer
from application.events import EventDispatcher
from application.id_tags import KnownTags
from application.live_sessions import LiveSessions
from application.network import AdmittedChargePoints
from application.open_sessions import OpenSessions
from application.payment_providers import PaymentProviders
from application.portal_access import DriverActor
from application.site_owners import SiteOwnerActor
from entrypoints.background import BackgroundRuns


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=float(value))


def _days(value: float) -> timedelta:
    return timedelta(days=float(value))


class Core(containers.DeclarativeContainer):
    config = providers.Configuration()
    clock = providers.Singleton(SystemClock)


class Adapters(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.DependenciesContainer()

    database = providers.Singleton(Database, url=config.database_url)
    raw_uow_factory = providers.Callable(getattr, database, "unit_of_work")
    # Billing: the embedded payment provider, identifier checks, and the invoice documents (EN 16931 CII
    # XML, and the Factur-X PDF/A-3 that carries it).
    bank_transfer = providers.Singleton(BankTransferProvider)
    # Stripe when CHARGE_STRIPE_SECRET_KEY is set (None otherwise); each organization's setting picks one.
    stripe = providers.Singleton(build_stripe, config.stripe_secret_key, config.stripe_webhook_secret,
                                 config.stripe_api_base)
    payments = providers.Singleton(PaymentProviders, providers.List(bank_transfer, stripe))
    statements = providers.Singleton(StatementFiles)
    tax_ids = providers.Singleton(StdnumTaxIds)
    bank_accounts = providers.Singleton(SchwiftyBankAccounts)
    documents = providers.Singleton(FacturXDocuments)
    # Live streams' watchers in this process: meter updates from the MeterValues path, word of new events.
    live_sessions = providers.Singleton(LiveSessions)
    # Committed events are numbered for the feed live streams read, then the watchers are woken.
    feed_sequencer = providers.Singleton(FeedSequencer, uow_factory=raw_uow_factory,
                                         on_sequenced=providers.List(live_sessions.provided.events_committed))
    # Use cases get units of work whose committed domain events the dispatcher hands to their handlers.
    receipts = providers.Singleton(ReceiptPdf)
    statement_documents = providers.Singleton(StatementPdf)
    events = providers.Singleton(EventDispatcher, uow_factory=raw_uow_factory, clock=core.clock,
                                 handlers=providers.Callable(event_handlers.handlers, core.clock, payments),
                                 lease=providers.Callable(_seconds, config.event_lease_seconds),
                                 on_commit=providers.List(feed_sequencer.provided.request),
                                 in_transaction=providers.Callable(event_handlers.in_transaction, core.clock,
                                                                   payments))
    uow_factory = providers.Callable(getattr, events, "unit_of_work")
    idempotency = providers.Singleton(SqlIdempotencyStore, database=database)
    password_hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=config.argon2_time_cost,
        memory_kib=config.argon2_memory_kib,
        parallelism=config.argon2_parallelism,
    )
    login_throttle = providers.Singleton(
        InMemoryLoginThrottle,
        max_per_email=config.login_max_failures_per_email,
        max_per_address=config.login_max_failures_per_address,
        window_seconds=config.login_window_seconds,
    )
    mailer = providers.Singleton(build_mailer, config=config)
    # The driver portal: magic-link requests counted apart from password sign-ins; checked portal tokens.
    magic_link_throttle = providers.Singleton(
        InMemoryLoginThrottle,
        max_per_email=config.magic_link_max_per_email,
        max_per_address=config.magic_link_max_per_address,
        window_seconds=config.magic_link_window_seconds,
    )
    portal_credential_cache: providers.Singleton[CredentialCache[str, DriverActor]] = providers.Singleton(
        CredentialCache, ttl=providers.Callable(_seconds, config.auth_cache_seconds))
    # Bearer secrets checked recently, by hash: a revocation drops one here at once, other nodes within the ttl.
    site_owner_credential_cache: providers.Singleton[CredentialCache[str, SiteOwnerActor]] = providers.Singleton(
        CredentialCache, ttl=providers.Callable(_seconds, config.auth_cache_seconds))
    credential_cache: providers.Singleton[CredentialCache[str, Actor]] = providers.Singleton(CredentialCache,
                                           ttl=providers.Callable(_seconds, config.auth_cache_seconds))
    # Likewise for charge points: who holds an id tag, and the registrations that admitted a connection.
    known_tags: providers.Singleton[KnownTags] = providers.Singleton(
        CredentialCache, ttl=providers.Callable(_seconds, config.auth_cache_seconds))
    admitted_charge_points: providers.Singleton[AdmittedChargePoints] = providers.Singleton(
        CredentialCache, ttl=providers.Callable(_seconds, config.auth_cache_seconds))
    # Group commit: samples of many charge points share one transaction (see adapters/sql/meter_sink.py).
    meter_sink = providers.Singleton(SqlMeterSink, database=database)
    # Live OCPP connections of this process, and the port that sends them commands.
    ocpp_connections = providers.Singleton(ConnectionRegistry)
    # Sessions of the charge points connected here, as their last meter values left them (the MeterValues path).
    open_sessions = providers.Singleton(OpenSessions)
    charge_point_commands = providers.Singleton(OcppCommandGateway, connections=ocpp_connections,
                                                timeout=config.ocpp_call_timeout_seconds)
    # Outbound webhooks: its own HTTP client, and the SSRF guard (CHARGE_WEBHOOK_ALLOW_PRIVATE_URLS).
    webhook_sender = providers.Singleton(HttpWebhookSender, allow_private=config.webhook_allow_private_urls,
                                         timeout=config.webhook_timeout_seconds)


class UseCases(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    _uow = adapters.uow_factory
    _clock = core.clock

    signup = providers.Coroutine(identity.signup, uow_factory=_uow, hasher=adapters.password_hasher, clock=_clock)
    issue_token = providers.Coroutine(
        identity.issue_token, uow_factory=_uow, hasher=adapters.password_hasher,
        throttle=adapters.login_throttle, clock=_clock,
        lifetime=providers.Callable(_seconds, config.access_token_ttl_seconds),
    )
    authenticate = providers.Coroutine(identity.authenticate, uow_factory=_uow, clock=_clock,
                                       cache=adapters.credential_cache)
    me = providers.Coroutine(identity.me, uow_factory=_uow)

    create_organization = providers.Coroutine(organizations.create_organization, uow_factory=_uow, clock=_clock)
    get_organization = providers.Coroutine(organizations.get_organization, uow_factory=_uow)
    update_organization = providers.Coroutine(organizations.update_organization, uow_factory=_uow, clock=_clock)
    list_my_organizations = providers.Coroutine(organizations.list_my_organizations, uow_factory=_uow)

    list_members = providers.Coroutine(members.list_members, uow_factory=_uow)
    change_member_role = providers.Coroutine(members.change_member_role, uow_factory=_uow)
    remove_member = providers.Coroutine(members.remove_member, uow_factory=_uow)

    invite_member = providers.Coroutine(invitations.invite_member, uow_factory=_uow, clock=_clock)
    accept_invitation = providers.Coroutine(invitations.accept_invitation, uow_factory=_uow, clock=_clock)
    cancel_invitation = providers.Coroutine(invitations.cancel_invitation, uow_factory=_uow, clock=_clock)
    list_invitations = providers.Coroutine(invitations.list_invitations, uow_factory=_uow)

    get_settings = providers.Coroutine(settings.get_settings, uow_factory=_uow)
    update_settings = providers.Coroutine(settings.update_settings, uow_factory=_uow, clock=_clock,
                                          tax_ids=adapters.tax_ids, bank_accounts=adapters.bank_accounts,
                                          payments=adapters.payments)

    create_api_key = providers.Coroutine(api_keys.create_api_key, uow_factory=_uow, clock=_clock)
    list_api_keys = providers.Coroutine(api_keys.list_api_keys, uow_factory=_uow)
    revoke_api_key = providers.Coroutine(api_keys.revoke_api_key, uow_factory=_uow, clock=_clock,
                                         cache=adapters.credential_cache)

    invoice_attachments = providers.Singleton(invoices.InvoiceAttachments, uow_factory=_uow,
                                              documents=adapters.documents)
    relay_due_emails = providers.Coroutine(mail_relay.relay_due_emails, uow_factory=_uow,
                                           mailer=adapters.mailer, clock=_clock, attachments=invoice_attachments)

    # Billing: customers, the ledger, invoices and credit notes, the batch invoicer.
    create_customer = providers.Coroutine(customers.create_customer, uow_factory=_uow, clock=_clock,
                                          tax_ids=adapters.tax_ids)
    update_customer = providers.Coroutine(customers.update_customer, uow_factory=_uow, clock=_clock,
                                          tax_ids=adapters.tax_ids)
    get_customer = providers.Coroutine(customers.get_customer, uow_factory=_uow)
    list_customers = providers.Coroutine(customers.list_customers, uow_factory=_uow)
    customer_balance = providers.Coroutine(customers.customer_balance, uow_factory=_uow)
    list_transactions = providers.Coroutine(ledger.list_transactions, uow_factory=_uow)
    trial_balance = providers.Coroutine(ledger.trial_balance, uow_factory=_uow)
    list_invoices = providers.Coroutine(invoices.list_invoices, uow_factory=_uow)
    get_invoice = providers.Coroutine(invoices.get_invoice, uow_factory=_uow)
    invoice_document = providers.Coroutine(invoices.invoice_document, uow_factory=_uow,
                                           documents=adapters.documents)
    finalize_invoice = providers.Coroutine(invoices.finalize_invoice, uow_factory=_uow, clock=_clock)
    void_invoice = providers.Coroutine(invoices.void_invoice, uow_factory=_uow, clock=_clock)
    mark_uncollectible = providers.Coroutine(invoices.mark_uncollectible, uow_factory=_uow, clock=_clock)
    record_payment = providers.Coroutine(invoices.record_payment, uow_factory=_uow, clock=_clock)
    issue_credit_note = providers.Coroutine(invoices.issue_credit_note, uow_factory=_uow, clock=_clock)
    start_invoice_run = providers.Coroutine(invoice_runs.start_invoice_run, uow_factory=_uow, clock=_clock)
    get_invoice_run = providers.Coroutine(invoice_runs.get_invoice_run, uow_factory=_uow)
    run_invoices = providers.Coroutine(invoice_runs.run_invoices, uow_factory=_uow, clock=_clock)
    run_period = providers.Coroutine(invoice_runs.run_period, uow_factory=_uow, clock=_clock)
    unfinished_invoice_runs = providers.Coroutine(invoice_runs.unfinished_invoice_runs, uow_factory=_uow)
    due_invoice_runs = providers.Coroutine(invoice_runs.due_invoice_runs, uow_factory=_uow, clock=_clock)

    # Reports (revenue from the ledger, usage, peak hours, locations, utilization).
    build_report = providers.Coroutine(reports.build_report, uow_factory=_uow, clock=_clock)
    operator_dashboard = providers.Coroutine(dashboard.operator_dashboard, uow_factory=_uow, clock=_clock)
    rebuild_session_facts = providers.Coroutine(session_facts.rebuild_session_facts, uow_factory=_uow)
    # Collection: saved payment methods, retries, refunds, provider webhooks, statements, reconciliation.
    _payments = adapters.payments
    start_saving_payment_method = providers.Coroutine(payment_methods.start_saving_method, uow_factory=_uow,
                                                      providers=_payments, clock=_clock)
    list_payment_methods = providers.Coroutine(payment_methods.list_methods, uow_factory=_uow, providers=_payments,
                                               clock=_clock)
    detach_payment_method = providers.Coroutine(payment_methods.detach_method, uow_factory=_uow,
                                                providers=_payments, clock=_clock)
    set_default_payment_method = providers.Coroutine(payment_methods.set_default_method, uow_factory=_uow,
                                                     providers=_payments, clock=_clock)
    retry_due_payments = providers.Coroutine(collection.retry_due_collections, uow_factory=_uow,
                                             providers=_payments, clock=_clock)
    attempt_collection = providers.Coroutine(collection.attempt_collection, uow_factory=_uow, providers=_payments,
                                             clock=_clock)
    refund_invoice = providers.Coroutine(refunds.refund_invoice, uow_factory=_uow, providers=_payments,
                                         clock=_clock)
    receive_stripe_event = providers.Coroutine(provider_events.receive_stripe_event, uow_factory=_uow,
                                               providers=_payments, clock=_clock)
    import_bank_statement = providers.Coroutine(bank_statements.import_statement, uow_factory=_uow,
                                                reader=adapters.statements, clock=_clock)
    reconcile = providers.Coroutine(reconciliation.reconcile, uow_factory=_uow)

    # The charging network (operators, over REST and gRPC).
    create_location = providers.Coroutine(network.create_location, uow_factory=_uow, clock=_clock)
    get_location = providers.Coroutine(network.get_location, uow_factory=_uow)
    list_locations = providers.Coroutine(network.list_locations, uow_factory=_uow)
    register_charge_point = providers.Coroutine(network.register_charge_point, uow_factory=_uow,
                                                hasher=adapters.password_hasher, clock=_clock)
    get_charge_point = providers.Coroutine(network.get_charge_point, uow_factory=_uow)
    list_charge_points = providers.Coroutine(network.list_charge_points, uow_factory=_uow)
    create_driver = providers.Coroutine(drivers.create_driver, uow_factory=_uow, clock=_clock,
                                        known=adapters.known_tags)
    update_driver = providers.Coroutine(drivers.update_driver, uow_factory=_uow, clock=_clock,
                                        known=adapters.known_tags)
    get_driver = providers.Coroutine(drivers.get_driver, uow_factory=_uow)
    list_drivers = providers.Coroutine(drivers.list_drivers, uow_factory=_uow)
    # Fleets: their vehicles, who drives what, charging policies, the authorization log (issue 13).
    create_fleet = providers.Coroutine(fleets.create_fleet, uow_factory=_uow, clock=_clock)
    update_fleet = providers.Coroutine(fleets.update_fleet, uow_factory=_uow, clock=_clock)
    get_fleet = providers.Coroutine(fleets.get_fleet, uow_factory=_uow)
    list_fleets = providers.Coroutine(fleets.list_fleets, uow_factory=_uow)
    delete_fleet = providers.Coroutine(fleets.delete_fleet, uow_factory=_uow)
    create_vehicle = providers.Coroutine(fleets.create_vehicle, uow_factory=_uow, clock=_clock)
    update_vehicle = providers.Coroutine(fleets.update_vehicle, uow_factory=_uow, clock=_clock)
    get_vehicle = providers.Coroutine(fleets.get_vehicle, uow_factory=_uow)
    list_vehicles = providers.Coroutine(fleets.list_vehicles, uow_factory=_uow)
    delete_vehicle = providers.Coroutine(fleets.delete_vehicle, uow_factory=_uow)
    assign_vehicle = providers.Coroutine(fleets.assign_vehicle, uow_factory=_uow, clock=_clock,
                                         known=adapters.known_tags)
    unassign_vehicle = providers.Coroutine(fleets.unassign_vehicle, uow_factory=_uow, clock=_clock,
                                           known=adapters.known_tags)
    list_vehicle_assignments = providers.Coroutine(fleets.list_vehicle_assignments, uow_factory=_uow)
    record_odometer_reading = providers.Coroutine(odometer.record_odometer_reading, uow_factory=_uow, clock=_clock)
    list_odometer_readings = providers.Coroutine(odometer.list_odometer_readings, uow_factory=_uow)
    list_authorizations = providers.Coroutine(authorization_log.list_authorizations, uow_factory=_uow)
    # Sessions over their energy cap are stopped from the meter path (one per process: it tracks stops under way).
    energy_caps = providers.Singleton(EnergyCaps, uow_factory=_uow,
                                      commands=adapters.charge_point_commands, clock=_clock)
    list_sessions = providers.Coroutine(sessions.list_sessions, uow_factory=_uow)
    get_session = providers.Coroutine(sessions.get_session, uow_factory=_uow, clock=_clock)
    session_cost = providers.Coroutine(sessions.session_cost, uow_factory=_uow, clock=_clock)
    list_orphan_transactions = providers.Coroutine(sessions.list_orphan_transactions, uow_factory=_uow)
    send_command = providers.Coroutine(commands.send_command, uow_factory=_uow,
                                       commands=adapters.charge_point_commands, clock=_clock,
                                       known=adapters.known_tags)
    stop_session = providers.Coroutine(commands.stop_session, uow_factory=_uow,
                                       commands=adapters.charge_point_commands)
    create_reservation = providers.Coroutine(reservations.create_reservation, uow_factory=_uow,
                                             commands=adapters.charge_point_commands, clock=_clock)
    list_reservations = providers.Coroutine(reservations.list_reservations, uow_factory=_uow, clock=_clock)
    cancel_reservation = providers.Coroutine(reservations.cancel_reservation, uow_factory=_uow,
                                             commands=adapters.charge_point_commands, clock=_clock)
    expire_reservations = providers.Coroutine(reservations.expire_reservations, uow_factory=_uow, clock=_clock)

    # Pricing: tariffs (versioned), assignments, quotes, membership plans and subscriptions.
    create_tariff = providers.Coroutine(tariffs.create_tariff, uow_factory=_uow, clock=_clock)
    get_tariff = providers.Coroutine(tariffs.get_tariff, uow_factory=_uow)
    list_tariffs = providers.Coroutine(tariffs.list_tariffs, uow_factory=_uow)
    update_tariff = providers.Coroutine(tariffs.update_tariff, uow_factory=_uow, clock=_clock)
    assign_tariff_to_charge_point = providers.Coroutine(tariffs.assign_to_charge_point, uow_factory=_uow)
    assign_tariff_to_location = providers.Coroutine(tariffs.assign_to_location, uow_factory=_uow)
    quote = providers.Coroutine(tariffs.quote, uow_factory=_uow)
    import_tariffs = providers.Coroutine(tariff_imports.import_tariffs, uow_factory=_uow, clock=_clock)
    create_plan = providers.Coroutine(memberships.create_plan, uow_factory=_uow, clock=_clock)
    update_plan = providers.Coroutine(memberships.update_plan, uow_factory=_uow)
    get_plan = providers.Coroutine(memberships.get_plan, uow_factory=_uow)
    list_plans = providers.Coroutine(memberships.list_plans, uow_factory=_uow)
    subscribe = providers.Coroutine(memberships.subscribe, uow_factory=_uow, clock=_clock)
    get_subscription = providers.Coroutine(memberships.get_subscription, uow_factory=_uow)
    list_subscriptions = providers.Coroutine(memberships.list_subscriptions, uow_factory=_uow)
    end_subscription = providers.Coroutine(memberships.end_subscription, uow_factory=_uow, clock=_clock)

    # The driver portal (issue 12): access, the driver's reads, disputes, evidence.
    _portal_cache = adapters.portal_credential_cache
    _token_ttl = providers.Callable(_days, config.portal_token_ttl_days)
    issue_portal_token = providers.Coroutine(portal_access.issue_portal_token, uow_factory=_uow, clock=_clock,
                                             lifetime=_token_ttl)
    list_portal_tokens = providers.Coroutine(portal_access.list_portal_tokens, uow_factory=_uow)
    revoke_portal_token = providers.Coroutine(portal_access.revoke_portal_token, uow_factory=_uow, clock=_clock,
                                              cache=_portal_cache)
    request_magic_link = providers.Coroutine(portal_access.request_magic_link, uow_factory=_uow, clock=_clock,
                                             throttle=adapters.magic_link_throttle, public_url=config.public_url)
    exchange_magic_link = providers.Coroutine(portal_access.exchange_magic_link, uow_factory=_uow, clock=_clock,
                                              lifetime=_token_ttl)
    authenticate_driver = providers.Coroutine(portal_access.authenticate_driver, uow_factory=_uow, clock=_clock,
                                              cache=_portal_cache)
    sign_out = providers.Coroutine(portal_access.sign_out, uow_factory=_uow, clock=_clock, cache=_portal_cache)
    whoami = providers.Coroutine(portal.whoami, uow_factory=_uow)
    my_sessions = providers.Coroutine(portal.my_sessions, uow_factory=_uow)
    my_session = providers.Coroutine(portal.my_session, uow_factory=_uow)
    my_places = providers.Coroutine(portal.my_places, uow_factory=_uow)
    my_session_cost = providers.Coroutine(portal.my_session_cost, uow_factory=_uow, clock=_clock)
    my_receipt = providers.Coroutine(portal.my_receipt, uow_factory=_uow, clock=_clock, documents=adapters.receipts)
    my_invoices = providers.Coroutine(portal.my_invoices, uow_factory=_uow)
    my_invoice = providers.Coroutine(portal.my_invoice, uow_factory=_uow)
    my_invoice_pdf = providers.Coroutine(portal.my_invoice_pdf, uow_factory=_uow, documents=adapters.documents)
    my_payment_methods = providers.Coroutine(portal_payment_methods.my_payment_methods, uow_factory=_uow,
                                             providers=_payments, clock=_clock)
    add_my_payment_method = providers.Coroutine(portal_payment_methods.add_my_payment_method, uow_factory=_uow,
                                                providers=_payments, clock=_clock)
    remove_my_payment_method = providers.Coroutine(portal_payment_methods.remove_my_payment_method,
                                                   uow_factory=_uow, providers=_payments, clock=_clock)
    make_my_payment_method_default = providers.Coroutine(portal_payment_methods.make_my_payment_method_default,
                                                         uow_factory=_uow, providers=_payments, clock=_clock)
    file_dispute = providers.Coroutine(disputes.file_dispute, uow_factory=_uow, clock=_clock)
    list_my_disputes = providers.Coroutine(disputes.list_my_disputes, uow_factory=_uow)
    get_my_dispute = providers.Coroutine(disputes.get_my_dispute, uow_factory=_uow)
    withdraw_dispute = providers.Coroutine(disputes.withdraw_dispute, uow_factory=_uow, clock=_clock)
    list_disputes = providers.Coroutine(disputes.list_disputes, uow_factory=_uow)
    get_dispute = providers.Coroutine(disputes.get_dispute, uow_factory=_uow)
    assign_dispute = providers.Coroutine(disputes.assign_dispute, uow_factory=_uow, clock=_clock)
    comment_on_dispute = providers.Coroutine(disputes.comment_on_dispute, uow_factory=_uow, clock=_clock)
    resolve_dispute = providers.Coroutine(disputes.resolve_dispute, uow_factory=_uow, clock=_clock)
    open_card_network_dispute = providers.Coroutine(disputes.open_card_network_dispute, uow_factory=_uow,
                                                    clock=_clock)
    frame_recorder = providers.Singleton(evidence.FrameRecorder, uow_factory=_uow)
    record_frames = providers.Coroutine(evidence.keep_frames, recorder=frame_recorder)
    prune_evidence = providers.Coroutine(evidence.prune_evidence, uow_factory=_uow, clock=_clock,
                                         retention=providers.Callable(_days, config.evidence_retention_days))

    # Site owners and projects (issue 13): invitations, onboarding, projects, statements.
    _site_owner_cache = adapters.site_owner_credential_cache
    invite_site_owner = providers.Coroutine(site_owners.invite_site_owner, uow_factory=_uow, clock=_clock,
                                            public_url=config.public_url)
    list_site_owners = providers.Coroutine(site_owners.list_site_owners, uow_factory=_uow)
    get_site_owner = providers.Coroutine(site_owners.get_site_owner, uow_factory=_uow)
    accept_site_owner_invitation = providers.Coroutine(site_owners.accept_invitation, uow_factory=_uow,
                                                       clock=_clock)
    authenticate_site_owner = providers.Coroutine(site_owners.authenticate_site_owner, uow_factory=_uow,
                                                  clock=_clock, cache=_site_owner_cache)
    site_owner_sign_out = providers.Coroutine(site_owners.sign_out, uow_factory=_uow, clock=_clock,
                                              cache=_site_owner_cache)
    my_site_owner_profile = providers.Coroutine(site_owners.my_profile, uow_factory=_uow)
    update_site_owner_profile = providers.Coroutine(site_owners.update_profile, uow_factory=_uow)
    set_site_owner_payout_details = providers.Coroutine(site_owners.set_payout_details, uow_factory=_uow)
    accept_site_owner_agreement = providers.Coroutine(site_owners.accept_agreement, uow_factory=_uow, clock=_clock)
    complete_site_owner_onboarding = providers.Coroutine(site_owners.complete_onboarding, uow_factory=_uow,
                                                         clock=_clock)
    create_project = providers.Coroutine(projects.create_project, uow_factory=_uow, clock=_clock)
    update_project = providers.Coroutine(projects.update_project, uow_factory=_uow, clock=_clock)
    get_project = providers.Coroutine(projects.get_project, uow_factory=_uow)
    list_projects = providers.Coroutine(projects.list_projects, uow_factory=_uow)
    my_projects = providers.Coroutine(projects.my_projects, uow_factory=_uow)
    project_statement = providers.Coroutine(projects.project_statement, uow_factory=_uow)
    project_statements = providers.Coroutine(projects.project_statements, uow_factory=_uow)
    my_statement = providers.Coroutine(projects.my_statement, uow_factory=_uow)
    statement_document = providers.Coroutine(statement_documents.statement_document, uow_factory=_uow,
                                             documents=adapters.statement_documents)
    my_statement_document = providers.Coroutine(statement_documents.my_statement_document, uow_factory=_uow,
                                                documents=adapters.statement_documents)
    my_statements = providers.Coroutine(projects.my_statements, uow_factory=_uow)
    my_project_months = providers.Coroutine(projects.my_project_months, uow_factory=_uow, clock=_clock)
    issue_statement = providers.Coroutine(projects.issue_statement, uow_factory=_uow, clock=_clock)

    # What charge points report (the OCPP door).
    # Admissions of charge points connecting at the same moment share a read (application/charge_point_reads.py).
    charge_point_reads = providers.Singleton(ChargePointReads, uow_factory=_uow)
    admit_charge_point = providers.Coroutine(network.admit_charge_point, uow_factory=_uow,
                                             hasher=adapters.password_hasher, clock=_clock,
                                             admitted=adapters.admitted_charge_points, reads=charge_point_reads)
    # Group commit of charge points' own changes (application/charge_point_writes.py): a reconnect storm's
    # connections and boots share transactions.
    charge_point_writes = providers.Singleton(ChargePointWrites, uow_factory=_uow, clock=_clock)
    charge_point_connected = providers.Coroutine(charge_point_events.charge_point_connected, uow_factory=_uow,
                                                 clock=_clock, open_sessions=adapters.open_sessions,
                                                 writes=charge_point_writes)
    no_charge_point_connected = providers.Coroutine(charge_point_events.no_charge_point_connected,
                                                    uow_factory=_uow)
    charge_point_disconnected = providers.Coroutine(charge_point_events.charge_point_disconnected,
                                                    uow_factory=_uow, clock=_clock,
                                                    open_sessions=adapters.open_sessions, writes=charge_point_writes)
    boot = providers.Coroutine(charge_point_events.boot, uow_factory=_uow, clock=_clock, writes=charge_point_writes)
    heartbeat = providers.Coroutine(charge_point_events.heartbeat, uow_factory=_uow, clock=_clock,
                                    writes=charge_point_writes)
    status_changed = providers.Coroutine(charge_point_events.status_changed, uow_factory=_uow)
    authorize_id_tag = providers.Coroutine(charge_point_events.authorize, uow_factory=_uow, clock=_clock,
                                           known=adapters.known_tags)
    start_transaction = providers.Coroutine(transactions.start_transaction, uow_factory=_uow, clock=_clock,
                                            known=adapters.known_tags)
    stop_transaction = providers.Coroutine(transactions.stop_transaction, uow_factory=_uow, clock=_clock,
                                           open_sessions=adapters.open_sessions)
    meter_values = providers.Coroutine(transactions.meter_values, uow_factory=_uow, sink=adapters.meter_sink,
                                       open_sessions=adapters.open_sessions, live=adapters.live_sessions,
                                       caps=energy_caps)
    transaction_event = providers.Coroutine(transactions.transaction_event, uow_factory=_uow,
                                            sink=adapters.meter_sink, clock=_clock,
                                            open_sessions=adapters.open_sessions, live=adapters.live_sessions,
                                            caps=energy_caps, known=adapters.known_tags)

    # Outbound webhooks: endpoints, their deliveries and logs, the events; the sender (``deliver_webhooks``).
    create_webhook_endpoint = providers.Coroutine(webhooks.create_endpoint, uow_factory=_uow, clock=_clock,
                                                  sender=adapters.webhook_sender)
    get_webhook_endpoint = providers.Coroutine(webhooks.get_endpoint, uow_factory=_uow)
    list_webhook_endpoints = providers.Coroutine(webhooks.list_endpoints, uow_factory=_uow)
    update_webhook_endpoint = providers.Coroutine(webhooks.update_endpoint, uow_factory=_uow, clock=_clock,
                                                  sender=adapters.webhook_sender)
    delete_webhook_endpoint = providers.Coroutine(webhooks.delete_endpoint, uow_factory=_uow)
    rotate_webhook_secret = providers.Coroutine(webhooks.rotate_secret, uow_factory=_uow, clock=_clock)
    list_webhook_deliveries = providers.Coroutine(webhooks.list_deliveries, uow_factory=_uow)
    list_events = providers.Coroutine(webhooks.list_events, uow_factory=_uow)
    get_event = providers.Coroutine(webhooks.get_event, uow_factory=_uow)
    redeliver_event = providers.Coroutine(webhooks.redeliver, uow_factory=_uow, clock=_clock)
    deliver_webhooks = providers.Coroutine(
        webhooks.deliver_due, uow_factory=_uow, sender=adapters.webhook_sender, clock=_clock,
        first_retry=providers.Callable(_seconds, config.webhook_first_retry_seconds))

    # Live streams (gRPC WatchSessions, WatchStatus): async iterators, read from the event feed and the meter path.
    watch_sessions = providers.Callable(live_streams.watch_sessions, uow_factory=_uow, live=adapters.live_sessions,
                                        clock=_clock, poll_seconds=config.stream_poll_seconds)
    watch_status = providers.Callable(live_streams.watch_status, uow_factory=_uow, live=adapters.live_sessions,
                                      poll_seconds=config.stream_poll_seconds)


class Application(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.Container(Core, config=config)
    adapters = providers.Container(Adapters, config=config, core=core)
    use_cases = providers.Container(UseCases, config=config, core=core, adapters=adapters)
    # Invoice runs accepted over REST, run beside the doors of this process.
    background = providers.Singleton(BackgroundRuns, run=use_cases.run_invoices.provider)
