from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Money(_message.Message):
    __slots__ = ("amount", "currency")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount: str
    currency: str
    def __init__(self, amount: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class Cost(_message.Message):
    __slots__ = ("total", "total_excl_vat", "vat")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EXCL_VAT_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    total: Money
    total_excl_vat: Money
    vat: Money
    def __init__(self, total: _Optional[_Union[Money, _Mapping]] = ..., total_excl_vat: _Optional[_Union[Money, _Mapping]] = ..., vat: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...
