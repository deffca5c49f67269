"""HJ 212-2017 (tolerating HJ/T 212-2005), the pure protocol: bytes <-> typed packets.

No I/O, no database and nothing of other eco263 domains: only the standard library and the
modules of this package, so it is fast to test and runs anywhere unchanged. Where to look:

* :mod:`.errors` — the typed :class:`Hj212Error` family (a stable ``reason``, a byte position);
* :mod:`.packet` — :class:`Packet`, :class:`Flag`, :class:`DecodeOptions`, the answer codes;
* :mod:`.cp` — the CP data area: :class:`Cp`, :class:`Item`, typed values, parsing;
* :mod:`.decode` — :func:`decode`, one frame to a :class:`Packet`;
* :mod:`.encode` — :func:`encode`, answers (9011/9012/9013/9014) and commands;
* :mod:`.crc` — the standard's CRC and the Modbus variants met in the wild (C, pure fallback);
* :mod:`.framer` — stream framing of a TCP connection and PNUM/PNO reassembly.

The package re-exports the public API, so ``from eco263.monitoring.hj212 import decode`` is the
function; the functions :func:`decode` and :func:`encode` shadow their modules' names on the
package (``import eco263.monitoring.hj212.decode as m`` gives the function too), so reach a
module's private helpers with ``from eco263.monitoring.hj212.decode import …``.

The gateway server that speaks this protocol over TCP lives in :mod:`eco263.gateway`.
See ``/work/shared/reference/HJ212.md`` for the protocol summary (§n in docstrings).
"""

from eco263.monitoring.hj212.cp import Cp, CpValue, Item, build_cp, parse_time, split_name
from eco263.monitoring.hj212.decode import decode
from eco263.monitoring.hj212.encode import (
    CpGroup,
    CpScalar,
    data_answer,
    encode,
    encode_packet,
    execution_result,
    format_cp,
    format_time,
    format_value,
    frame,
    make_qn,
    notification_answer,
    request_answer,
    standard_dialect,
    time_query,
    time_set,
)
from eco263.monitoring.hj212.errors import (
    BadCrcError,
    BadFieldError,
    BadHeaderError,
    BadLengthError,
    BadLengthFieldError,
    BufferOverflowError,
    FramingError,
    GarbageError,
    Hj212Error,
    LengthMismatchError,
    OversizeError,
    ReassemblyError,
    ReassemblyEvictedError,
    ReassemblyTimeoutError,
    SegmentError,
    TruncatedError,
    UnterminatedFrameError,
)
from eco263.monitoring.hj212.framer import Framer, Message, Reassembler
from eco263.monitoring.hj212.packet import (
    DEFAULT_OPTIONS,
    FLAGS,
    MAX_LENGTH_FIELD,
    MAX_STANDARD_LENGTH,
    SHANGHAI,
    STANDARD_DIALECT,
    CrcMode,
    CrcVariant,
    DecodeOptions,
    Dialect,
    ExeRtn,
    Flag,
    Packet,
    QnRtn,
)

__all__ = [
    "DEFAULT_OPTIONS",
    "FLAGS",
    "MAX_LENGTH_FIELD",
    "MAX_STANDARD_LENGTH",
    "SHANGHAI",
    "STANDARD_DIALECT",
    "BadCrcError",
    "BadFieldError",
    "BadHeaderError",
    "BadLengthError",
    "BadLengthFieldError",
    "BufferOverflowError",
    "Cp",
    "CpGroup",
    "CpScalar",
    "CpValue",
    "CrcMode",
    "CrcVariant",
    "DecodeOptions",
    "Dialect",
    "ExeRtn",
    "Flag",
    "Framer",
    "FramingError",
    "GarbageError",
    "Hj212Error",
    "Item",
    "LengthMismatchError",
    "Message",
    "OversizeError",
    "Packet",
    "QnRtn",
    "Reassembler",
    "ReassemblyError",
    "ReassemblyEvictedError",
    "ReassemblyTimeoutError",
    "SegmentError",
    "TruncatedError",
    "UnterminatedFrameError",
    "build_cp",
    "data_answer",
    "decode",
    "encode",
    "encode_packet",
    "execution_result",
    "format_cp",
    "format_time",
    "format_value",
    "frame",
    "make_qn",
    "notification_answer",
    "parse_time",
    "request_answer",
    "split_name",
    "standard_dialect",
    "time_query",
    "time_set",
]
