#!/usr/bin/env python3
"""A fake AWS service for event-stream operations, for the end-to-end tests.

It answers every request with an ``application/vnd.amazon.eventstream`` response made of
the events of one scenario, reads the event-stream frames a client sends (checking their
SigV4 ``AWS4-HMAC-SHA256-PAYLOAD`` signatures), and reports everything it sees as JSON lines
on stdout. Its frame encoder and decoder and its signature check are written here from the
format's description (``struct``, ``binascii.crc32``, ``hmac``, ``hashlib``), independently
of the Rust runtime; ``selftest`` checks the encoder against botocore's decoder.

Needs python3 (3.8+); ``h2`` (PyPI) for ``--h2c``; botocore for ``selftest`` only.

Usage
-----
``python3 event_stream_peer.py serve SCENARIO [--h2c] [--secret-key SK]``
    Binds 127.0.0.1 on a free port and prints ``PORT <n>`` on stdout. Serves HTTP/1.1
    (responses are chunked; keep-alive) or, with ``--h2c``, HTTP/2 with prior knowledge over
    plain TCP (several connections, several streams each). Exits when its stdin is closed,
    so a test that dies leaves no process behind: keep stdin a pipe.
``python3 event_stream_peer.py scenarios``
    Lists the scenarios, one per line: ``<name>: <summary>``.
``python3 event_stream_peer.py selftest``
    Checks the encoder against botocore's ``EventStreamBuffer`` (every header type), the
    decoder and the signature check against known vectors, and every scenario's frames;
    prints ``selftest ok`` (exit 0) or fails with a traceback (exit 1).

Output (stdout, one JSON object a line, flushed after each)
----------------------------------------------------------
``PORT <n>``
    The first line, not JSON.
``{"event": "request", "method": M, "path": P, "http_version": "1.1" | "2", "headers": {...}}``
    One per request. ``headers`` maps lowercased names to values (repeated headers joined
    with ``", "``; HTTP/2 pseudo-headers are left out: ``method`` and ``path`` carry them).
    A request whose body is not an event stream (its ``content-type`` is not
    ``application/vnd.amazon.eventstream``) is printed once its body is complete, with
    ``"body_b64"`` (base64, ``""`` when empty); an event-stream request is printed as soon
    as its headers arrive, without ``body_b64``, and its frames follow as lines of their own.
``{"event": "message", "headers": {...}, "payload_b64": B, "signature_ok": true | false | null}``
    One per event-stream frame the client sends: the headers and payload of the message
    inside a signed frame (or of the frame itself when it is not signed). Header values:
    strings, integers and booleans as themselves, byte arrays as ``{"bytes_b64": ...}``,
    timestamps as ``{"timestamp_ms": n}``, UUIDs as ``{"uuid": "<32 hex digits>"}``.
``{"event": "end-frame", "signature_ok": ...}``
    The client's signed end frame (a signed frame with an empty payload).
``{"event": "client-error", "error": TEXT}``
    A client frame that could not be decoded (bad CRC, bad header, truncated body); the
    peer stops reading that request's frames.

``signature_ok`` is ``null`` without ``--secret-key``. With it, each signed frame is checked
against the chain started by the request's ``authorization`` header (its ``Signature=`` is
the seed; the region and service come from its ``Credential=`` scope): ``true`` when the
frame's ``:chunk-signature`` is right, ``false`` when it is wrong, when the frame is not
signed, or when the request has no SigV4 ``authorization``. Each frame is checked against
the signature the previous frame carried, so one bad frame does not fail the ones after it.

Responses
---------
Every request gets status 200, ``content-type: application/vnd.amazon.eventstream``, an
``x-amzn-requestid`` header and the scenario's headers; its body is the scenario's frames,
each sent as its own HTTP/1.1 chunk or HTTP/2 DATA frame. Except for ``transcribe``, the
peer reads the whole request body before it responds. Event messages carry
``:message-type`` ``event``, ``:event-type`` (the event-stream union's member name) and
``:content-type``; a modeled error is ``:message-type`` ``exception`` with
``:exception-type``; an unmodeled one is ``:message-type`` ``error`` with ``:error-code``,
``:error-message`` and an empty payload.

Scenarios (any path, any method)
--------------------------------
``converse-stream``
    Bedrock Runtime ConverseStream (restJson1): messageStart ``{"role": "assistant"}``,
    contentBlockDelta ``"Hello"``, contentBlockDelta ``" world"`` (``{"contentBlockIndex":
    0, "delta": {"text": ...}}``), contentBlockStop, messageStop ``{"stopReason":
    "end_turn"}``, metadata ``{"usage": {"inputTokens": 5, "outputTokens": 2,
    "totalTokens": 7}, "metrics": {"latencyMs": 42}}``; all ``application/json``.
``converse-stream-throttled``
    messageStart, one contentBlockDelta ``"Hel"``, then the modeled exception
    ``throttlingException`` ``{"message": "Too many tokens, slow down"}``.
``converse-stream-error``
    messageStart, then an unmodeled error: ``:error-code`` ``InternalFailure``,
    ``:error-message`` ``boom``.
``converse-stream-corrupt``
    messageStart, then a contentBlockDelta frame whose message CRC is wrong; the body then
    ends normally.
``converse-stream-truncated``
    messageStart, then the first half of a contentBlockDelta frame; the body then ends
    normally (a clean end of the HTTP body inside an event-stream frame).
``converse-stream-oversized``
    messageStart, then a well-formed frame (CRCs right) whose headers section is 180 000
    bytes, over the 128 KiB limit of the AWS SDKs.
``converse-stream-endless``
    messageStart, then up to 1 500 contentBlockDelta events ``"t0 "``, ``"t1 "``, … sent
    20 ms apart (HTTP/1.1 only): for a client that drops the stream part way. When a write
    fails because the client went away, the peer prints ``{"event": "response-aborted",
    "sent": n}`` (``n``: the frames written before).
``lambda-stream``
    Lambda InvokeWithResponseStream (restJson1): headers ``X-Amz-Executed-Version: 7`` (and
    ``Content-Type``, which the model binds to ResponseStreamContentType, is the event
    stream's); PayloadChunk x3 (raw ``application/octet-stream`` payloads ``{"a":``,
    `` 1}``, ``\\n``), then InvokeComplete ``{"LogResult": "bG9n"}`` (JSON).
``s3-select``
    S3 SelectObjectContent (restXml): Records (``application/octet-stream`` payload
    ``a,b\\n1,2\\n``), Stats and Progress (``text/xml`` payloads
    ``<Stats><BytesScanned>10</BytesScanned><BytesProcessed>10</BytesProcessed>
    <BytesReturned>8</BytesReturned></Stats>`` and the same as ``<Progress>``), Cont, End.
    Cont and End have an empty payload and no ``:content-type``, as S3 sends them. Also
    ``x-amz-request-id`` and ``x-amz-id-2`` headers.
``kinesis-subscribe``
    Kinesis SubscribeToShard (awsJson1_1; the tests use ``--h2c``, as the service requires
    HTTP/2 for it): an ``initial-response`` event (payload ``{}``), then two
    SubscribeToShardEvent events, each with one record (Data base64 of ``r1``/``r2``,
    PartitionKey ``pk``, SequenceNumber ``1``/``2``, ApproximateArrivalTimestamp
    ``1700000000`` / ``1700000001.5`` epoch seconds), ContinuationSequenceNumber
    ``1``/``2`` and MillisBehindLatest ``100``/``0``; then the stream ends.
``logs-live-tail``
    CloudWatch Logs StartLiveTail (awsJson1_1): an ``initial-response`` event (``{}``),
    sessionStart (requestId ``req-1``, sessionId ``session-1``, one log group), one
    sessionUpdate (sampled ``false``; one log event ``GET / 200`` of stream ``web-1``,
    timestamp ``1700000000000`` ms), then the modeled exception ``SessionTimeoutException``
    ``{"message": "the session timed out"}``.
``transcribe``
    Transcribe Streaming StartStreamTranscription (restJson1, full duplex; the tests use
    ``--h2c``): the response headers go out as soon as the request's headers arrive
    (``x-amzn-request-id``, ``x-amzn-transcribe-session-id`` (the request's, else a new
    one), ``x-amzn-transcribe-language-code: en-US``, ``x-amzn-transcribe-sample-rate`` and
    ``x-amzn-transcribe-media-encoding`` (the request's, else ``16000`` and ``pcm``)). For
    each AudioEvent frame the client sends, the peer prints its line and answers at once
    with a TranscriptEvent whose one result's one alternative's Transcript is ``heard <n>
    bytes`` (n: the AudioChunk's length). After the client's end frame (or the end of its
    body) the response ends.
"""

import base64
import binascii
import collections
import datetime
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import threading
import time
import uuid

EVENT_STREAM = "application/vnd.amazon.eventstream"

# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------

_OUT = threading.Lock()


def emit(obj):
    """One JSON line on stdout, flushed (lines from several threads never interleave)."""
    line = json.dumps(obj, sort_keys=True)
    with _OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


# ---------------------------------------------------------------------------------------
# Framing: prelude (total length u32, headers length u32, CRC32 of those 8 bytes), headers
# (name length u8, name, type u8, value), payload, CRC32 of everything before it. Big-endian.
# ---------------------------------------------------------------------------------------

# Header types by name: (type byte, struct format of a fixed-size value or None).
TYPES = {
    "true": (0, None),
    "false": (1, None),
    "byte": (2, ">b"),
    "short": (3, ">h"),
    "integer": (4, ">i"),
    "long": (5, ">q"),
    "bytes": (6, None),
    "string": (7, None),
    "timestamp": (8, ">q"),
    "uuid": (9, None),
}
FIXED_BY_TYPE = {t: fmt for t, fmt in TYPES.values() if fmt}

MAX_MESSAGE = 16 * 1024 * 1024
MAX_HEADERS = 128 * 1024


class FrameError(Exception):
    """A frame that does not decode."""


def crc32(data):
    return binascii.crc32(data) & 0xFFFFFFFF


def header_bytes(name, kind, value=None):
    """One encoded header. ``kind`` is a key of TYPES; ``bool`` values may use ``true`` /
    ``false`` or ``"bool"`` with a Python bool; timestamps are milliseconds."""
    if kind == "bool":
        kind = "true" if value else "false"
    type_byte, fmt = TYPES[kind]
    raw_name = name.encode("utf-8")
    out = struct.pack(">B", len(raw_name)) + raw_name + struct.pack(">B", type_byte)
    if fmt:
        out += struct.pack(fmt, value)
    elif kind in ("bytes", "string"):
        raw = value.encode("utf-8") if kind == "string" else bytes(value)
        out += struct.pack(">H", len(raw)) + raw
    elif kind == "uuid":
        raw = bytes(value)
        if len(raw) != 16:
            raise ValueError("a UUID is 16 bytes")
        out += raw
    return out


def encode_frame(headers, payload=b""):
    """A message from ``headers`` (a list of ``(name, value)`` for strings or ``(name, kind,
    value)``) and ``payload``."""
    raw_headers = b"".join(
        header_bytes(h[0], "string", h[1]) if len(h) == 2 else header_bytes(*h)
        for h in headers
    )
    payload = bytes(payload)
    total = 16 + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", crc32(prelude))
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", crc32(body))


def decode_headers(raw):
    """Headers as an ordered dict ``{name: (type byte, value)}``."""
    headers = collections.OrderedDict()
    i = 0
    while i < len(raw):
        n = raw[i]
        if i + 1 + n + 1 > len(raw):
            raise FrameError("header runs past the headers section")
        try:
            name = raw[i + 1:i + 1 + n].decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("header name is not UTF-8")
        i += 1 + n
        t = raw[i]
        i += 1
        if t in (0, 1):
            value = t == 0
        elif t in FIXED_BY_TYPE:
            size = struct.calcsize(FIXED_BY_TYPE[t])
            if i + size > len(raw):
                raise FrameError("header runs past the headers section")
            (value,) = struct.unpack_from(FIXED_BY_TYPE[t], raw, i)
            i += size
        elif t in (6, 7):
            if i + 2 > len(raw):
                raise FrameError("header runs past the headers section")
            (size,) = struct.unpack_from(">H", raw, i)
            if i + 2 + size > len(raw):
                raise FrameError("header runs past the headers section")
            value = bytes(raw[i + 2:i + 2 + size])
            if t == 7:
                try:
                    value = value.decode("utf-8")
                except UnicodeDecodeError:
                    raise FrameError("string header is not UTF-8")
            i += 2 + size
        elif t == 9:
            if i + 16 > len(raw):
                raise FrameError("header runs past the headers section")
            value = bytes(raw[i:i + 16])
            i += 16
        else:
            raise FrameError("unknown header type %d" % t)
        headers[name] = (t, value)
    return headers


def decode_frame(frame):
    """Exactly one message: ``(headers, payload)``; FrameError when it does not decode."""
    frame = bytes(frame)
    if len(frame) < 16:
        raise FrameError("truncated frame: %d bytes" % len(frame))
    total, headers_len, prelude_crc = struct.unpack_from(">III", frame, 0)
    if crc32(frame[:8]) != prelude_crc:
        raise FrameError("prelude CRC mismatch")
    if total != len(frame):
        raise FrameError("frame length %d, declared %d" % (len(frame), total))
    if total > MAX_MESSAGE or headers_len > MAX_HEADERS or 16 + headers_len > total:
        raise FrameError("bad lengths: total %d, headers %d" % (total, headers_len))
    (message_crc,) = struct.unpack_from(">I", frame, total - 4)
    if crc32(frame[:total - 4]) != message_crc:
        raise FrameError("message CRC mismatch")
    headers = decode_headers(frame[12:12 + headers_len])
    return headers, frame[12 + headers_len:total - 4]


class FrameReader:
    """Splits a byte stream pushed in pieces of any size into decoded frames."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        """The frames completed by ``data``: a list of ``(headers, payload)``."""
        self.buffer += data
        frames = []
        while len(self.buffer) >= 12:
            total, headers_len, prelude_crc = struct.unpack_from(">III", self.buffer, 0)
            if crc32(bytes(self.buffer[:8])) != prelude_crc:
                raise FrameError("prelude CRC mismatch")
            if total < 16 or total > MAX_MESSAGE:
                raise FrameError("bad frame length %d" % total)
            if len(self.buffer) < total:
                break
            frames.append(decode_frame(self.buffer[:total]))
            del self.buffer[:total]
        return frames

    def leftover(self):
        return len(self.buffer)


def json_header_value(type_byte, value):
    if type_byte == 6:
        return {"bytes_b64": b64(value)}
    if type_byte == 8:
        return {"timestamp_ms": value}
    if type_byte == 9:
        return {"uuid": bytes(value).hex()}
    return value


def json_headers(headers):
    return {name: json_header_value(t, v) for name, (t, v) in headers.items()}


# ---------------------------------------------------------------------------------------
# Event-stream signatures (AWS4-HMAC-SHA256-PAYLOAD)
# ---------------------------------------------------------------------------------------


def _hmac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def amz_date(millis):
    when = datetime.datetime.fromtimestamp(millis // 1000, datetime.timezone.utc)
    return when.strftime("%Y%m%dT%H%M%SZ")


def frame_signature(secret, region, service, prior_hex, date_ms, payload):
    """The hex signature of a signed frame with ``:date`` ``date_ms`` around ``payload``."""
    stamp = amz_date(date_ms)
    day = stamp[:8]
    date_header = header_bytes(":date", "timestamp", date_ms)
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256-PAYLOAD",
        stamp,
        "%s/%s/%s/aws4_request" % (day, region, service),
        prior_hex,
        hashlib.sha256(date_header).hexdigest(),
        hashlib.sha256(bytes(payload)).hexdigest(),
    ])
    key = ("AWS4" + secret).encode("utf-8")
    for part in (day, region, service, "aws4_request"):
        key = _hmac(key, part.encode("utf-8"))
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_frame(secret, region, service, prior_hex, date_ms, payload):
    """A signed frame around ``payload`` (bytes of an encoded message, or ``b""`` for the end
    frame) and its hex signature: what a client sends. Used by the selftest."""
    signature = frame_signature(secret, region, service, prior_hex, date_ms, payload)
    frame = encode_frame(
        [(":date", "timestamp", date_ms), (":chunk-signature", "bytes", bytes.fromhex(signature))],
        payload,
    )
    return frame, signature


def parse_authorization(value):
    """``(seed signature, region, service)`` of a SigV4 ``authorization`` header, or None."""
    if not value or not value.startswith("AWS4-HMAC-SHA256 "):
        return None
    fields = {}
    for part in value[len("AWS4-HMAC-SHA256 "):].split(","):
        name, _, v = part.strip().partition("=")
        fields[name] = v
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or not fields.get("Signature"):
        return None
    return fields["Signature"], scope[2], scope[3]


class SignatureChain:
    """Checks the signed frames of one request, in order."""

    def __init__(self, secret, authorization):
        self.secret = secret
        parsed = parse_authorization(authorization)
        self.prior, self.region, self.service = parsed if parsed else (None, None, None)

    def verify(self, headers, payload):
        """True / False (None without --secret-key) for one frame; moves the chain on."""
        if self.secret is None:
            return None
        date = headers.get(":date")
        carried = headers.get(":chunk-signature")
        if date is None or carried is None or date[0] != 8 or carried[0] != 6:
            return False
        carried_hex = bytes(carried[1]).hex()
        if self.prior is None:
            return False
        expected = frame_signature(
            self.secret, self.region, self.service, self.prior, date[1], payload
        )
        self.prior = carried_hex
        return hmac.compare_digest(expected, carried_hex)


class ClientFrames:
    """The event-stream body of one request: decodes frames as bytes arrive, prints a line
    for each, and returns what the scenario reacts to."""

    def __init__(self, request, secret):
        self.reader = FrameReader()
        self.chain = SignatureChain(secret, request["headers"].get("authorization"))
        self.secret = secret
        self.failed = False

    def feed(self, data):
        """A list of ``("message", headers, payload)`` and ``("end",)`` items."""
        if self.failed or not data:
            return []
        out = []
        try:
            for headers, payload in self.reader.feed(data):
                out.append(self._frame(headers, payload))
        except FrameError as e:
            self.failed = True
            emit({"event": "client-error", "error": str(e)})
        return out

    def _frame(self, headers, payload):
        if ":chunk-signature" not in headers:
            ok = None if self.secret is None else False
            emit({
                "event": "message",
                "headers": json_headers(headers),
                "payload_b64": b64(payload),
                "signature_ok": ok,
            })
            return ("message", headers, payload)
        ok = self.chain.verify(headers, payload)
        if not payload:
            emit({"event": "end-frame", "signature_ok": ok})
            return ("end",)
        inner_headers, inner_payload = decode_frame(payload)
        emit({
            "event": "message",
            "headers": json_headers(inner_headers),
            "payload_b64": b64(inner_payload),
            "signature_ok": ok,
        })
        return ("message", inner_headers, inner_payload)

    def finish(self):
        if not self.failed and self.reader.leftover():
            self.failed = True
            emit({
                "event": "client-error",
                "error": "the body ended inside a frame (%d bytes)" % self.reader.leftover(),
            })


# ---------------------------------------------------------------------------------------
# Server messages
# ---------------------------------------------------------------------------------------


def event(event_type, payload=b"", content_type=None):
    headers = [(":message-type", "event"), (":event-type", event_type)]
    if content_type is not None:
        headers.append((":content-type", content_type))
    return encode_frame(headers, payload)


def json_event(event_type, obj):
    return event(event_type, json.dumps(obj, separators=(",", ":")).encode(), "application/json")


def blob_event(event_type, data):
    return event(event_type, data, "application/octet-stream")


def xml_event(event_type, xml):
    return event(event_type, xml.encode("utf-8"), "text/xml")


def json_exception(exception_type, obj):
    return encode_frame(
        [
            (":message-type", "exception"),
            (":exception-type", exception_type),
            (":content-type", "application/json"),
        ],
        json.dumps(obj, separators=(",", ":")).encode(),
    )


def error_message(code, message):
    return encode_frame(
        [(":message-type", "error"), (":error-code", code), (":error-message", message)]
    )


def with_bad_crc(frame):
    """The frame with its message CRC flipped (the prelude stays valid)."""
    frame = bytearray(frame)
    frame[-1] ^= 0xFF
    return bytes(frame)


# ---------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------


class Scenario:
    """What the peer answers. ``events(request)`` gives the body's pieces (each sent as its
    own chunk) once the request body is complete; a duplex scenario instead answers each
    client message with ``reply(request, headers, payload)``."""

    def __init__(self, name, summary, events=None, headers=None, reply=None, pace=None):
        self.name = name
        # Seconds between the response's pieces (HTTP/1.1), or None to send them at once.
        self.pace = pace
        self.summary = summary
        self.events = events or (lambda request: [])
        self.headers = headers or (lambda request: [])
        self.reply = reply
        self.duplex = reply is not None


def message_start():
    return json_event("messageStart", {"role": "assistant"})


def text_delta(text):
    return json_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}})


def converse_stream(request):
    return [
        message_start(),
        text_delta("Hello"),
        text_delta(" world"),
        json_event("contentBlockStop", {"contentBlockIndex": 0}),
        json_event("messageStop", {"stopReason": "end_turn"}),
        json_event("metadata", {
            "usage": {"inputTokens": 5, "outputTokens": 2, "totalTokens": 7},
            "metrics": {"latencyMs": 42},
        }),
    ]


def converse_stream_throttled(request):
    return [
        message_start(),
        text_delta("Hel"),
        json_exception("throttlingException", {"message": "Too many tokens, slow down"}),
    ]


def converse_stream_error(request):
    return [message_start(), error_message("InternalFailure", "boom")]


def converse_stream_corrupt(request):
    return [message_start(), with_bad_crc(text_delta("corrupt"))]


def converse_stream_truncated(request):
    frame = text_delta("truncated")
    return [message_start(), frame[:len(frame) // 2]]


def converse_stream_oversized(request):
    """messageStart, then a well-formed frame whose headers (three 60 000-byte strings,
    180 000 bytes) exceed the 128 KiB the AWS SDKs allow."""
    big = [(":message-type", "event"), (":event-type", "contentBlockDelta")]
    big += [("x-pad-%d" % i, "string", "p" * 60000) for i in range(3)]
    return [message_start(), encode_frame(big, b"{}")]


def converse_stream_endless(request):
    return [message_start()] + [text_delta("t%d " % i) for i in range(1500)]


def lambda_headers(request):
    return [("X-Amz-Executed-Version", "7")]


def lambda_stream(request):
    return [
        blob_event("PayloadChunk", b'{"a":'),
        blob_event("PayloadChunk", b" 1}"),
        blob_event("PayloadChunk", b"\n"),
        json_event("InvokeComplete", {"LogResult": "bG9n"}),
    ]


def s3_headers(request):
    return [("x-amz-request-id", "4442587FB7D0A2F9"), ("x-amz-id-2", "peer-id-2")]


def s3_details(root):
    return (
        "<%s><BytesScanned>10</BytesScanned><BytesProcessed>10</BytesProcessed>"
        "<BytesReturned>8</BytesReturned></%s>" % (root, root)
    )


def s3_select(request):
    return [
        blob_event("Records", b"a,b\n1,2\n"),
        xml_event("Stats", s3_details("Stats")),
        xml_event("Progress", s3_details("Progress")),
        event("Cont"),
        event("End"),
    ]


def kinesis_record(data, sequence, arrival):
    return {
        "Data": b64(data),
        "PartitionKey": "pk",
        "SequenceNumber": sequence,
        "ApproximateArrivalTimestamp": arrival,
    }


def kinesis_subscribe(request):
    return [
        event("initial-response", b"{}", "application/json"),
        json_event("SubscribeToShardEvent", {
            "Records": [kinesis_record(b"r1", "1", 1700000000)],
            "ContinuationSequenceNumber": "1",
            "MillisBehindLatest": 100,
        }),
        json_event("SubscribeToShardEvent", {
            "Records": [kinesis_record(b"r2", "2", 1700000001.5)],
            "ContinuationSequenceNumber": "2",
            "MillisBehindLatest": 0,
        }),
    ]


def logs_live_tail(request):
    return [
        event("initial-response", b"{}", "application/json"),
        json_event("sessionStart", {
            "requestId": "req-1",
            "sessionId": "session-1",
            "logGroupIdentifiers": ["arn:aws:logs:us-east-1:123456789012:log-group:app"],
        }),
        json_event("sessionUpdate", {
            "sessionMetadata": {"sampled": False},
            "sessionResults": [{
                "logStreamName": "web-1",
                "logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:app",
                "message": "GET / 200",
                "timestamp": 1700000000000,
                "ingestionTime": 1700000000500,
            }],
        }),
        json_exception("SessionTimeoutException", {"message": "the session timed out"}),
    ]


def transcribe_headers(request):
    h = request["headers"]
    return [
        ("x-amzn-request-id", request["id"]),
        ("x-amzn-transcribe-session-id", h.get("x-amzn-transcribe-session-id", str(uuid.uuid4()))),
        ("x-amzn-transcribe-language-code", "en-US"),
        ("x-amzn-transcribe-sample-rate", h.get("x-amzn-transcribe-sample-rate", "16000")),
        ("x-amzn-transcribe-media-encoding", h.get("x-amzn-transcribe-media-encoding", "pcm")),
    ]


def transcribe_reply(request, headers, payload):
    """One TranscriptEvent per AudioEvent."""
    event_type = headers.get(":event-type", (7, None))[1]
    if event_type != "AudioEvent":
        return []
    request["audio_events"] = request.get("audio_events", 0) + 1
    n = request["audio_events"]
    return [json_event("TranscriptEvent", {"Transcript": {"Results": [{
        "ResultId": "result-%d" % n,
        "StartTime": float(n - 1),
        "EndTime": float(n),
        "IsPartial": False,
        "Alternatives": [{"Transcript": "heard %d bytes" % len(payload), "Items": []}],
    }]}})]


SCENARIOS = collections.OrderedDict((s.name, s) for s in [
    Scenario("converse-stream", "Bedrock ConverseStream: a two-delta assistant message",
             converse_stream),
    Scenario("converse-stream-throttled",
             "ConverseStream: messageStart, one delta, a throttlingException exception",
             converse_stream_throttled),
    Scenario("converse-stream-error",
             "ConverseStream: messageStart, an unmodeled error (InternalFailure, boom)",
             converse_stream_error),
    Scenario("converse-stream-corrupt",
             "ConverseStream: messageStart, a frame with a wrong message CRC",
             converse_stream_corrupt),
    Scenario("converse-stream-truncated",
             "ConverseStream: messageStart, half a frame, then the body ends",
             converse_stream_truncated),
    Scenario("converse-stream-oversized",
             "ConverseStream: messageStart, a frame whose headers exceed 128 KiB",
             converse_stream_oversized),
    Scenario("converse-stream-endless",
             "ConverseStream: messageStart, then a delta every 20 ms (HTTP/1.1), for a "
             "client that drops the stream",
             converse_stream_endless, pace=0.02),
    Scenario("lambda-stream",
             "Lambda InvokeWithResponseStream: PayloadChunk x3, InvokeComplete",
             lambda_stream, headers=lambda_headers),
    Scenario("s3-select", "S3 SelectObjectContent: Records, Stats, Progress, Cont, End",
             s3_select, headers=s3_headers),
    Scenario("kinesis-subscribe",
             "Kinesis SubscribeToShard (h2c): initial-response, two SubscribeToShardEvent",
             kinesis_subscribe),
    Scenario("logs-live-tail",
             "CloudWatch Logs StartLiveTail: initial-response, sessionStart, sessionUpdate, "
             "a SessionTimeoutException exception",
             logs_live_tail),
    Scenario("transcribe",
             "Transcribe StartStreamTranscription (h2c, duplex): a TranscriptEvent per "
             "AudioEvent, until the end frame",
             headers=transcribe_headers, reply=transcribe_reply),
])


# ---------------------------------------------------------------------------------------
# Requests (shared by both transports)
# ---------------------------------------------------------------------------------------


def new_request(method, path, version, header_pairs):
    headers = {}
    for name, value in header_pairs:
        name = name.lower()
        if name.startswith(":"):
            continue
        headers[name] = headers[name] + ", " + value if name in headers else value
    return {
        "method": method,
        "path": path,
        "http_version": version,
        "headers": headers,
        "id": str(uuid.uuid4()),
    }


def is_event_stream(request):
    return request["headers"].get("content-type", "").split(";")[0].strip() == EVENT_STREAM


def request_line(request, body=None):
    line = {k: request[k] for k in ("method", "path", "http_version", "headers")}
    line["event"] = "request"
    if body is not None:
        line["body_b64"] = b64(body)
    return line


def response_headers(scenario, request):
    return [("content-type", EVENT_STREAM), ("x-amzn-requestid", request["id"])] + list(
        scenario.headers(request)
    )


class Exchange:
    """One request/response, independent of the transport. The transport makes one when a
    request's headers are in, then calls ``data`` with body bytes as they arrive and
    ``ended`` when the body is complete; both return the response pieces to send now.
    ``respond_now`` says the response headers go out at once (duplex), ``finished`` that the
    response may end (after ``ended``, or a duplex scenario's end frame)."""

    def __init__(self, scenario, secret, request):
        self.scenario = scenario
        self.request = request
        self.streaming = is_event_stream(request)
        self.frames = ClientFrames(request, secret) if self.streaming else None
        self.body = bytearray()
        self.finished = False
        # Duplex scenarios answer before the request body is in.
        self.respond_now = scenario.duplex
        if self.streaming:
            emit(request_line(request))

    def data(self, data):
        if not self.streaming:
            self.body += data
            return []
        out = []
        for item in self.frames.feed(data):
            if item[0] == "end":
                if self.scenario.duplex:
                    self.finished = True
            elif self.scenario.duplex and not self.finished:
                out += self.scenario.reply(self.request, item[1], item[2])
        return out

    def ended(self):
        """The request body is complete: the rest of the response (all of it for a
        scenario that is not duplex)."""
        if self.streaming:
            self.frames.finish()
        else:
            emit(request_line(self.request, bytes(self.body)))
        self.finished = True
        return [] if self.scenario.duplex else self.scenario.events(self.request)


# ---------------------------------------------------------------------------------------
# HTTP/1.1
# ---------------------------------------------------------------------------------------


def serve_http1(scenario, secret):
    import http.server
    import socketserver

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_any(self):
            request = new_request(
                self.command, self.path, self.request_version.replace("HTTP/", ""),
                self.headers.items(),
            )
            exchange = Exchange(scenario, secret, request)
            started = done = False
            if exchange.respond_now:
                self.start(exchange)
                started = True
            for piece in self.read_body():
                out = exchange.data(piece)
                if started and not done:
                    self.send_chunks(out)
                    if exchange.finished:
                        # A duplex scenario saw the end frame: the response ends; the rest
                        # of the body is still read (and its frames printed).
                        self.wfile.write(b"0\r\n\r\n")
                        done = True
            out = exchange.ended()
            if not started:
                self.start(exchange)
            if not done:
                try:
                    self.send_chunks(out, scenario.pace)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError) as e:
                    emit({"event": "response-aborted", "sent": getattr(e, "sent", None)})
                    self.close_connection = True
                    return
            self.wfile.flush()

        def start(self, exchange):
            self.send_response(200)
            for name, value in response_headers(scenario, exchange.request):
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def send_chunks(self, pieces, pace=None):
            """Writes the pieces as chunks, ``pace`` seconds apart when given. A failed
            write's exception carries ``sent``, the pieces written before it."""
            sent = 0
            for piece in pieces:
                if not piece:
                    continue
                if pace and sent:
                    time.sleep(pace)
                try:
                    self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError) as e:
                    e.sent = sent
                    raise
                sent += 1

        def read_body(self):
            """The request body as it arrives, chunked or with a Content-Length."""
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                while True:
                    line = self.rfile.readline(65537)
                    if not line:
                        return
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                            pass
                        return
                    data = self.rfile.read(size)
                    self.rfile.readline(65537)
                    yield data
            else:
                remaining = int(self.headers.get("Content-Length") or 0)
                while remaining > 0:
                    data = self.rfile.read1(min(remaining, 65536))
                    if not data:
                        return
                    remaining -= len(data)
                    yield data

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

        def handle_error(self, request, client_address):
            # A client that hangs up mid-response is part of the tests, not a peer failure.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server.server_address[1]


# ---------------------------------------------------------------------------------------
# HTTP/2 (h2c, prior knowledge)
# ---------------------------------------------------------------------------------------


class H2Connection:
    """One HTTP/2 connection, served on its own thread; its streams interleave."""

    def __init__(self, sock, scenario, secret):
        import h2.config
        import h2.connection

        self.sock = sock
        self.scenario = scenario
        self.secret = secret
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.streams = {}  # stream id -> H2Stream

    def run(self):
        import h2.events
        import h2.exceptions

        self.conn.initiate_connection()
        self.flush()
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                try:
                    events = self.conn.receive_data(data)
                except h2.exceptions.ProtocolError:
                    self.flush()
                    break
                for ev in events:
                    if isinstance(ev, h2.events.RequestReceived):
                        self.on_request(ev)
                    elif isinstance(ev, h2.events.DataReceived):
                        self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                        self.on_data(ev.stream_id, ev.data)
                    elif isinstance(ev, h2.events.StreamEnded):
                        self.on_end(ev.stream_id)
                    elif isinstance(ev, h2.events.StreamReset):
                        self.streams.pop(ev.stream_id, None)
                    elif isinstance(ev, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                        for stream_id in list(self.streams):
                            self.pump(stream_id)
                    elif isinstance(ev, h2.events.ConnectionTerminated):
                        self.flush()
                        return
                self.flush()
        except OSError:
            pass
        finally:
            self.sock.close()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def on_request(self, ev):
        pseudo = dict((k, v) for k, v in ev.headers if k.startswith(":"))
        request = new_request(pseudo.get(":method"), pseudo.get(":path"), "2", ev.headers)
        stream = H2Stream(Exchange(self.scenario, self.secret, request))
        self.streams[ev.stream_id] = stream
        if stream.exchange.respond_now:
            self.start(ev.stream_id)

    def on_data(self, stream_id, data):
        stream = self.streams.get(stream_id)
        if stream is None or stream.body_done:
            return
        self.send(stream_id, stream.exchange.data(data))
        if stream.exchange.finished:
            # A duplex scenario saw the end frame: the response ends (the client's frames
            # after it are still read and printed).
            self.end(stream_id)

    def on_end(self, stream_id):
        """The client's half of the stream ended."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.body_done:
            return
        stream.body_done = True
        out = stream.exchange.ended()
        if not stream.started:
            self.start(stream_id)
        self.send(stream_id, out)
        self.end(stream_id)

    def start(self, stream_id):
        stream = self.streams[stream_id]
        headers = [(":status", "200")] + [
            (name.lower(), value)
            for name, value in response_headers(self.scenario, stream.exchange.request)
        ]
        self.conn.send_headers(stream_id, headers)
        stream.started = True

    def send(self, stream_id, pieces):
        stream = self.streams.get(stream_id)
        if stream is not None and not stream.response_done:
            stream.queue.extend(p for p in pieces if p)
            self.pump(stream_id)

    def end(self, stream_id):
        stream = self.streams.get(stream_id)
        if stream is not None:
            stream.end_requested = True
            self.pump(stream_id)

    def pump(self, stream_id):
        """Sends what flow control allows; ends the response once its queue is empty."""
        import h2.exceptions

        stream = self.streams.get(stream_id)
        if stream is None or not stream.started or stream.response_done:
            return
        queue = stream.queue
        try:
            while queue:
                piece = queue[0]
                room = min(
                    len(piece),
                    self.conn.local_flow_control_window(stream_id),
                    self.conn.max_outbound_frame_size,
                )
                if room <= 0:
                    return
                self.conn.send_data(stream_id, piece[:room])
                if room < len(piece):
                    queue[0] = piece[room:]
                else:
                    queue.popleft()
            if stream.end_requested:
                self.conn.end_stream(stream_id)
                stream.response_done = True
                if stream.body_done:
                    del self.streams[stream_id]
        except h2.exceptions.StreamClosedError:
            self.streams.pop(stream_id, None)


class H2Stream:
    """The state of one HTTP/2 request/response."""

    def __init__(self, exchange):
        self.exchange = exchange
        self.queue = collections.deque()  # response pieces flow control has held back
        self.started = False  # response headers sent
        self.end_requested = False  # end the response once the queue drains
        self.response_done = False  # END_STREAM sent
        self.body_done = False  # the client's END_STREAM received


def serve_h2c(scenario, secret):
    import h2  # noqa: F401  (fail early, with a clear message, if h2 is missing)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def accept():
        while True:
            sock, _ = listener.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = H2Connection(sock, scenario, secret)
            threading.Thread(target=connection.run, daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


# ---------------------------------------------------------------------------------------
# Self test
# ---------------------------------------------------------------------------------------


def selftest():
    from botocore.eventstream import ChecksumMismatch, EventStreamBuffer, InvalidHeadersLength

    def botocore_decode(data):
        buf = EventStreamBuffer()
        buf.add_data(data)
        return [(dict(m.headers), bytes(m.payload)) for m in buf]

    # Every header type, alone and together; botocore reads what we wrote.
    cases = [
        ("t", "true", None, True),
        ("f", "false", None, False),
        ("byte", "byte", -7, -7),
        ("short", "short", -30000, -30000),
        ("integer", "integer", -(2 ** 31), -(2 ** 31)),
        ("long", "long", 2 ** 63 - 1, 2 ** 63 - 1),
        ("bytes", "bytes", b"\x00\x01\xff", b"\x00\x01\xff"),
        ("string", "string", "h\u00e9llo", "h\u00e9llo"),
        ("time", "timestamp", -1500, -1500),
        ("uuid", "uuid", b"0123456789abcdef", b"0123456789abcdef"),
    ]
    together = []
    for name, kind, value, expected in cases:
        frame = encode_frame([(name, kind, value)], b"payload")
        [(headers, payload)] = botocore_decode(frame)
        assert headers == {name: expected}, (name, headers)
        assert payload == b"payload"
        mine, my_payload = decode_frame(frame)
        assert mine[name][1] == expected and my_payload == b"payload", (name, mine)
        together.append((name, kind, value))
    stream = encode_frame(together, b'{"x":1}') + encode_frame([]) + encode_frame([], b"\0" * 70000)
    decoded = botocore_decode(stream)
    assert decoded[0] == ({c[0]: c[3] for c in cases}, b'{"x":1}'), decoded[0]
    assert decoded[1] == ({}, b"") and decoded[2] == ({}, b"\0" * 70000)
    reader = FrameReader()
    mine = []
    for i in range(len(stream)):
        mine += reader.feed(stream[i:i + 1])
    assert [p for _, p in mine] == [b'{"x":1}', b"", b"\0" * 70000] and reader.leftover() == 0
    # The smallest message, byte for byte.
    assert encode_frame([]) == bytes.fromhex("000000100000000005c248eb7d98c8ff")

    # Corrupted CRCs are rejected by botocore and by our decoder.
    good = encode_frame([(":event-type", "x")], b"abc")
    for at in (9, len(good) - 5, len(good) - 1):
        bad = bytearray(good)
        bad[at] ^= 0x10
        try:
            botocore_decode(bytes(bad))
            raise AssertionError("botocore accepted a corrupt frame")
        except ChecksumMismatch:
            pass
        try:
            decode_frame(bad)
            raise AssertionError("accepted a corrupt frame")
        except FrameError:
            pass

    # The AWS SDK for Rust's event-stream signing vector (smithy-rs aws-sigv4).
    inner = encode_frame([("some-header", "value")], b"test payload")
    assert hashlib.sha256(inner).hexdigest() == (
        "f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6")
    assert hashlib.sha256(header_bytes(":date", "timestamp", 123456789000)).hexdigest() == (
        "0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e")
    assert amz_date(123456789000) == "19731129T213309Z"

    # A signed chain verifies; a tampered frame, a wrong key or seed does not.
    secret, region, service = "secret/KEY", "us-west-2", "transcribe"
    seed = "ab" * 32
    auth = ("AWS4-HMAC-SHA256 Credential=AKID/20231114/%s/%s/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=%s" % (region, service, seed))
    assert parse_authorization(auth) == (seed, region, service)
    assert parse_authorization("Bearer x") is None
    prior, frames = seed, []
    for i, payload in enumerate([inner, inner, b""]):
        frame, prior = sign_frame(secret, region, service, prior, 1700006399000 + i * 1000, payload)
        frames.append(frame)
    request = new_request("POST", "/", "2", [("authorization", auth)])
    items = []
    lines = _capture(lambda: items.extend(ClientFrames(request, secret).feed(b"".join(frames))))
    assert [l["signature_ok"] for l in lines] == [True, True, True], lines
    assert [l["event"] for l in lines] == ["message", "message", "end-frame"], lines
    assert lines[0]["headers"] == {"some-header": "value"}, lines[0]
    assert base64.b64decode(lines[0]["payload_b64"]) == b"test payload"
    assert [i[0] for i in items] == ["message", "message", "end"]
    chain = SignatureChain(secret, auth)
    h, p = decode_frame(frames[0])
    tampered = bytearray(p)
    tampered[20] ^= 1
    assert chain.verify(h, bytes(tampered)) is False
    assert SignatureChain(secret + "x", auth).verify(h, p) is False
    assert SignatureChain(secret, auth.replace(seed, "cd" * 32)).verify(h, p) is False
    assert SignatureChain(None, auth).verify(h, p) is None
    assert SignatureChain(secret, None).verify(h, p) is False

    # Every scenario's frames decode with botocore (the broken ones up to the break).
    request = new_request("POST", "/", "1.1", [])
    for name, scenario in SCENARIOS.items():
        if scenario.duplex:
            audio = decode_headers(header_bytes(":event-type", "string", "AudioEvent"))
            reply = b"".join(scenario.reply(request, audio, b"1234"))
            [(headers, payload)] = botocore_decode(reply)
            assert headers[":event-type"] == "TranscriptEvent", headers
            [result] = json.loads(payload)["Transcript"]["Results"]
            assert result["Alternatives"][0]["Transcript"] == "heard 4 bytes", result
            continue
        pieces = scenario.events(request)
        body = b"".join(pieces)
        buf = EventStreamBuffer()
        buf.add_data(body)
        seen = []
        try:
            for m in buf:
                seen.append(m)
        except ChecksumMismatch:
            assert name == "converse-stream-corrupt", name
        except InvalidHeadersLength:
            # botocore refuses the oversized headers too.
            assert name == "converse-stream-oversized", name
        if name == "converse-stream-truncated":
            assert len(seen) == 1 and len(buf._data) > 0, name
        elif name in ("converse-stream-corrupt", "converse-stream-oversized"):
            assert len(seen) == 1, name
        else:
            assert len(seen) == len(pieces), name
        for m in seen:
            assert m.headers[":message-type"] in ("event", "exception", "error"), (name, m.headers)
    print("selftest ok")


def _capture(fn):
    """The JSON lines ``fn`` emits, instead of printing them."""
    global emit
    lines = []
    saved = emit
    emit = lines.append
    try:
        fn()
    finally:
        emit = saved
    return lines


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def usage():
    sys.stderr.write(
        "usage: event_stream_peer.py serve SCENARIO [--h2c] [--secret-key SK]\n"
        "       event_stream_peer.py scenarios\n"
        "       event_stream_peer.py selftest\n"
    )
    sys.exit(2)


def main(argv):
    if not argv:
        usage()
    if argv[0] == "scenarios":
        for name, scenario in SCENARIOS.items():
            print("%s: %s" % (name, scenario.summary))
        return
    if argv[0] == "selftest":
        selftest()
        return
    if argv[0] != "serve" or len(argv) < 2:
        usage()
    name, rest = argv[1], argv[2:]
    if name not in SCENARIOS:
        sys.stderr.write("unknown scenario %r; try: %s\n" % (name, ", ".join(SCENARIOS)))
        sys.exit(2)
    h2c, secret = False, None
    while rest:
        if rest[0] == "--h2c":
            h2c, rest = True, rest[1:]
        elif rest[0] == "--secret-key" and len(rest) > 1:
            secret, rest = rest[1], rest[2:]
        else:
            usage()
    scenario = SCENARIOS[name]
    port = serve_h2c(scenario, secret) if h2c else serve_http1(scenario, secret)
    with _OUT:
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
    # Serve until stdin closes (the test's end, or its death).
    while sys.stdin.buffer.read(65536):
        pass
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
