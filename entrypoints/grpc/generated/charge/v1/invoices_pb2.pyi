import datetime

from entrypoints.grpc.generated.charge.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InvoiceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVOICE_KIND_UNSPECIFIED: _ClassVar[InvoiceKind]
    INVOICE_KIND_INVOICE: _ClassVar[InvoiceKind]
    INVOICE_KIND_CREDIT_NOTE: _ClassVar[InvoiceKind]

class InvoiceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVOICE_STATUS_UNSPECIFIED: _ClassVar[InvoiceStatus]
    INVOICE_STATUS_DRAFT: _ClassVar[InvoiceStatus]
    INVOICE_STATUS_OPEN: _ClassVar[InvoiceStatus]
    INVOICE_STATUS_PAID: _ClassVar[InvoiceStatus]
    INVOICE_STATUS_VOID: _ClassVar[InvoiceStatus]
    INVOICE_STATUS_UNCOLLECTIBLE: _ClassVar[InvoiceStatus]
INVOICE_KIND_UNSPECIFIED: InvoiceKind
INVOICE_KIND_INVOICE: InvoiceKind
INVOICE_KIND_CREDIT_NOTE: InvoiceKind
INVOICE_STATUS_UNSPECIFIED: InvoiceStatus
INVOICE_STATUS_DRAFT: InvoiceStatus
INVOICE_STATUS_OPEN: InvoiceStatus
INVOICE_STATUS_PAID: InvoiceStatus
INVOICE_STATUS_VOID: InvoiceStatus
INVOICE_STATUS_UNCOLLECTIBLE: InvoiceStatus

class InvoiceLine(_message.Message):
    __slots__ = ("kind", "description", "quantity", "unit", "unit_code", "unit_price", "net_amount", "vat_category", "vat_rate", "vat_exemption_reason", "session_id", "service_date")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    UNIT_CODE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VAT_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    VAT_RATE_FIELD_NUMBER: _ClassVar[int]
    VAT_EXEMPTION_REASON_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DATE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    description: str
    quantity: str
    unit: str
    unit_code: str
    unit_price: str
    net_amount: _common_pb2.Money
    vat_category: str
    vat_rate: str
    vat_exemption_reason: str
    session_id: str
    service_date: str
    def __init__(self, kind: _Optional[str] = ..., description: _Optional[str] = ..., quantity: _Optional[str] = ..., unit: _Optional[str] = ..., unit_code: _Optional[str] = ..., unit_price: _Optional[str] = ..., net_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., vat_category: _Optional[str] = ..., vat_rate: _Optional[str] = ..., vat_exemption_reason: _Optional[str] = ..., session_id: _Optional[str] = ..., service_date: _Optional[str] = ...) -> None: ...

class InvoiceSession(_message.Message):
    __slots__ = ("session_id", "started_at", "stopped_at", "location", "charge_point_id", "energy_kwh", "net_amount")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    started_at: _timestamp_pb2.Timestamp
    stopped_at: _timestamp_pb2.Timestamp
    location: str
    charge_point_id: str
    energy_kwh: str
    net_amount: _common_pb2.Money
    def __init__(self, session_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., energy_kwh: _Optional[str] = ..., net_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class VatSubtotal(_message.Message):
    __slots__ = ("category", "rate", "exemption_reason", "taxable_amount", "vat")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    EXEMPTION_REASON_FIELD_NUMBER: _ClassVar[int]
    TAXABLE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    category: str
    rate: str
    exemption_reason: str
    taxable_amount: _common_pb2.Money
    vat: _common_pb2.Money
    def __init__(self, category: _Optional[str] = ..., rate: _Optional[str] = ..., exemption_reason: _Optional[str] = ..., taxable_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., vat: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("id", "amount", "date", "reference", "method")
    ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    id: str
    amount: _common_pb2.Money
    date: str
    reference: str
    method: str
    def __init__(self, id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., date: _Optional[str] = ..., reference: _Optional[str] = ..., method: _Optional[str] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("line1", "line2", "postal_code", "city", "country")
    LINE1_FIELD_NUMBER: _ClassVar[int]
    LINE2_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    line1: str
    line2: str
    postal_code: str
    city: str
    country: str
    def __init__(self, line1: _Optional[str] = ..., line2: _Optional[str] = ..., postal_code: _Optional[str] = ..., city: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Party(_message.Message):
    __slots__ = ("name", "address", "vat_id", "email", "iban", "bic")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: Address
    vat_id: str
    email: str
    iban: str
    bic: str
    def __init__(self, name: _Optional[str] = ..., address: _Optional[_Union[Address, _Mapping]] = ..., vat_id: _Optional[str] = ..., email: _Optional[str] = ..., iban: _Optional[str] = ..., bic: _Optional[str] = ...) -> None: ...

class Invoice(_message.Message):
    __slots__ = ("id", "kind", "number", "status", "customer_id", "period_start", "period_end", "currency", "lines", "sessions", "vat_breakdown", "total_excl_vat", "vat", "total", "amount_paid", "amount_due", "credited", "issue_date", "due_date", "payment_reference", "seller", "buyer", "payments", "corrects", "corrects_number", "reason", "credit_note_ids", "created_at", "finalized_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    VAT_BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EXCL_VAT_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PAID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_FIELD_NUMBER: _ClassVar[int]
    CREDITED_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTE_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FINALIZED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: InvoiceKind
    number: str
    status: InvoiceStatus
    customer_id: str
    period_start: str
    period_end: str
    currency: str
    lines: _containers.RepeatedCompositeFieldContainer[InvoiceLine]
    sessions: _containers.RepeatedCompositeFieldContainer[InvoiceSession]
    vat_breakdown: _containers.RepeatedCompositeFieldContainer[VatSubtotal]
    total_excl_vat: _common_pb2.Money
    vat: _common_pb2.Money
    total: _common_pb2.Money
    amount_paid: _common_pb2.Money
    amount_due: _common_pb2.Money
    credited: _common_pb2.Money
    issue_date: str
    due_date: str
    payment_reference: str
    seller: Party
    buyer: Party
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    corrects: str
    corrects_number: str
    reason: str
    credit_note_ids: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    finalized_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[InvoiceKind, str]] = ..., number: _Optional[str] = ..., status: _Optional[_Union[InvoiceStatus, str]] = ..., customer_id: _Optional[str] = ..., period_start: _Optional[str] = ..., period_end: _Optional[str] = ..., currency: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[InvoiceLine, _Mapping]]] = ..., sessions: _Optional[_Iterable[_Union[InvoiceSession, _Mapping]]] = ..., vat_breakdown: _Optional[_Iterable[_Union[VatSubtotal, _Mapping]]] = ..., total_excl_vat: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., vat: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., amount_paid: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., amount_due: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credited: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., issue_date: _Optional[str] = ..., due_date: _Optional[str] = ..., payment_reference: _Optional[str] = ..., seller: _Optional[_Union[Party, _Mapping]] = ..., buyer: _Optional[_Union[Party, _Mapping]] = ..., payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., corrects: _Optional[str] = ..., corrects_number: _Optional[str] = ..., reason: _Optional[str] = ..., credit_note_ids: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finalized_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListInvoicesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "customer_id", "status", "period", "kind")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    customer_id: str
    status: InvoiceStatus
    period: str
    kind: InvoiceKind
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., customer_id: _Optional[str] = ..., status: _Optional[_Union[InvoiceStatus, str]] = ..., period: _Optional[str] = ..., kind: _Optional[_Union[InvoiceKind, str]] = ...) -> None: ...

class ListInvoicesResponse(_message.Message):
    __slots__ = ("invoices", "next_page_token")
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invoices: _containers.RepeatedCompositeFieldContainer[Invoice]
    next_page_token: str
    def __init__(self, invoices: _Optional[_Iterable[_Union[Invoice, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetInvoiceRequest(_message.Message):
    __slots__ = ("invoice_id",)
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    def __init__(self, invoice_id: _Optional[str] = ...) -> None: ...

class GetInvoiceResponse(_message.Message):
    __slots__ = ("invoice",)
    INVOICE_FIELD_NUMBER: _ClassVar[int]
    invoice: Invoice
    def __init__(self, invoice: _Optional[_Union[Invoice, _Mapping]] = ...) -> None: ...
