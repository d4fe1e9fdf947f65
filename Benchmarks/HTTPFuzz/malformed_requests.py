#!/usr/bin/env python3
"""Malformed-request generator for Benchmarks/http-fuzz.sh (issue 8 item 15).

Sends a fixed number of generated HTTP/1.1 requests to a running `care-record serve` over raw sockets: garbage, truncated,
oversized, tampered and `alg: none` tokens; bad and huge headers (X-Purpose-Of-Use, X-Access-Reason, X-Request-ID,
X-Correlation-ID, NHSD-End-User-Organisation-ODS, Accept, If-None-Match, ...); odd paths; bad query strings; odd methods;
malformed and deeply nested bodies; and broken framing. Requests are well framed ("clean", sent on kept-alive connections)
or not ("dirty", each on its own connection, where closing without an answer is an acceptable reply). Counts answers by
status class and category; a 5xx answer, or a clean request left without an answer, is a failure. Deterministic for a seed.
Standard library only.
"""
import argparse
import base64
import collections
import hashlib
import hmac
import json
import random
import socket
import sys
import threading
import time

READ_TIMEOUT = 20.0


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Generator:
    """Builds one request at a time from a seeded random source: (category, raw bytes, clean)."""

    def __init__(self, rng, context):
        self.rng = rng
        self.c = context
        self.good = context["tokens"]["doctor"]
        self.nhs = context["nhs"]
        self.consents = context["consents"]

    # -- building blocks

    def pick(self, items):
        return items[self.rng.randrange(len(items))]

    def junk(self, low=0, high=64, alphabet=None):
        n = self.rng.randint(low, high)
        if alphabet is None:
            return bytes(self.rng.randrange(256) for _ in range(n))
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def visible(self, low=0, high=64):
        return self.junk(low, high, [chr(c) for c in range(0x21, 0x7F)])

    def header_safe(self, low=0, high=64):
        """Field-value text the HTTP parser accepts: visible ASCII, spaces, tabs and obs-text."""
        alphabet = [chr(c) for c in range(0x20, 0x7F)] + ["\t"] + [chr(c) for c in range(0x80, 0x100)]
        return self.junk(low, high, alphabet)

    def nhs_number(self):
        return self.pick(self.nhs + ["9434765919", "0000000000", "943476591", "94347659190", "abcdefghij", "", "9434765918",
                                     "943 476 5919", "-1", "1e10", "9" * 200])

    def endpoint(self):
        nhs = self.pick(self.nhs)
        return self.pick([
            f"/Patient/{nhs}", f"/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}", f"/Patient/{nhs}/$everything",
            f"/Condition?patient={nhs}", f"/AllergyIntolerance?patient=Patient/{nhs}", f"/MedicationStatement?patient={nhs}",
            f"/Consent?patient={nhs}", f"/AuditEvent?patient={nhs}", "/AuditEvent/1", "/metadata", "/health",
            f"/Condition?patient={nhs}&_count=2&_offset=1",
        ])

    # -- tokens

    def mutated_token(self):
        token = self.pick(list(self.c["tokens"].values()))
        header, payload, signature = token.split(".")
        kind = self.rng.randrange(16)
        if kind == 0:
            return token[: self.rng.randrange(len(token))]                            # truncated
        if kind == 1:
            i = self.rng.randrange(len(token))
            return token[:i] + self.pick("AZaz09-_.=+/ ") + token[i + 1:]             # one character changed
        if kind == 2:
            return b64url(b'{"alg":"none","typ":"JWT"}') + "." + payload + "."       # alg none
        if kind == 3:
            return b64url(b'{"alg":"none","kid":"' + self.c["kid"].encode() + b'"}') + "." + payload + "." + signature
        if kind == 4:                                                                 # HS256 keyed with the public JWKS
            head = b64url(json.dumps({"alg": "HS256", "kid": self.c["kid"]}).encode())
            mac = hmac.new(self.c["jwks"], f"{head}.{payload}".encode(), hashlib.sha256).digest()
            return f"{head}.{payload}.{b64url(mac)}"
        if kind == 5:                                                                 # claims changed, signature kept
            claims = json.loads(unb64url(payload))
            claims[self.pick(["role", "ods", "sub", "exp", "aud", "iss", "nhs_number"])] = self.pick(
                ["admin", "patient", "RJR", "", None, 99999999999, -1, [], {"a": 1}, "x" * 1000, 1e308])
            return header + "." + b64url(json.dumps(claims).encode()) + "." + signature
        if kind == 6:
            return self.visible(0, 200)                                               # garbage
        if kind == 7:
            return "A" * self.rng.choice([4096, 16384, 65000])                        # oversized
        if kind == 8:
            return ".".join([header, payload, signature, signature])                 # four segments
        if kind == 9:
            return header + ".." + signature
        if kind == 10:                                                                # deeply nested JSON header
            return b64url(b"[" * self.rng.choice([600, 5000, 20000])) + "." + payload + "." + signature
        if kind == 11:
            nested = b'{"alg":"ES256","kid":' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}"
            return b64url(nested) + "." + payload + "." + signature
        if kind == 12:
            return b64url(self.junk(0, 300)) + "." + b64url(self.junk(0, 300)) + "." + b64url(self.junk(0, 300))
        if kind == 13:
            return header + "." + payload + "." + signature[::-1]
        if kind == 14:
            return token + "=" * self.rng.randint(1, 4)
        return " " + token + " "

    def authorization(self):
        kind = self.rng.randrange(8)
        if kind == 0:
            return None
        if kind == 1:
            return self.pick(["Bearer", "Bearer ", "bearer " + self.good, "Basic dXNlcjpwYXNz", "Token " + self.good,
                              "Bearer  " + self.good, "Bearer\t" + self.good, "BEARER " + self.good])
        return "Bearer " + self.mutated_token()

    # -- request assembly

    def request(self, method, target, headers, body=b"", version="HTTP/1.1"):
        lines = [f"{method} {target} {version}".encode("latin-1"), b"Host: 127.0.0.1"]
        for name, value in headers:
            lines.append(name.encode("latin-1") + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: " + str(len(body)).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    def token_case(self):
        auth = self.authorization()
        headers = [("Authorization", auth)] if auth is not None else []
        return "token", self.request("GET", self.endpoint(), headers), True

    def header_case(self):
        headers = [("Authorization", "Bearer " + self.good)]
        for _ in range(self.rng.randint(1, 4)):
            name = self.pick(["X-Purpose-Of-Use", "X-Access-Reason", "X-Request-ID", "X-Correlation-ID",
                              "NHSD-End-User-Organisation-ODS", "Accept", "If-None-Match", "Content-Type", "Prefer",
                              "X-Forwarded-For", "Forwarded", "Origin", "Accept-Encoding", "Cookie", "Range"])
            value = self.pick([
                "", "BTG", "btg", "TREAT", "BTG, BTG", self.header_safe(0, 64), self.header_safe(128, 129),
                "x" * self.rng.choice([127, 128, 129, 1000, 8000, 30000]), "application/fhir+json", "*/*",
                "application/xml", "text/html;q=0.9, application/json;q=0.1", "W/\"abc\"", "*", "RJR", "A81001",
                "\u00e9t\u00e9", "\xff\xfe", "a\tb", "   ", "unconscious, brought in by ambulance",
            ])
            headers.append((name, value))
        if self.rng.random() < 0.3:
            headers.append(("X-Purpose-Of-Use", "BTG"))
        if self.rng.random() < 0.05:
            headers += [("X-Request-ID", str(i)) for i in range(self.rng.choice([50, 500]))]
        return "headers", self.request(self.pick(["GET", "GET", "HEAD"]), self.endpoint(), headers), True

    def path_case(self):
        nhs = self.pick(self.nhs)
        segments = ["Patient", "Condition", "AllergyIntolerance", "MedicationStatement", "Consent", "AuditEvent", "metadata",
                    "health", "Observation", "$everything", "..", ".", "", "%2e%2e", "%00", "%", "%zz", "%2F", "%C3%A9",
                    "%FF%FE", nhs, self.nhs_number(), self.visible(1, 20).replace("?", "%3F").replace("#", "%23"),
                    "x" * 3000, "9" * 40, "-1", "0", "99999999999999999999999"]
        path = "/" + "/".join(self.pick(segments) for _ in range(self.rng.randint(0, 5)))
        if self.rng.random() < 0.2:
            path = self.pick(["//Patient/" + nhs, "/Patient/" + nhs + "/", "/patient/" + nhs, "/Patient/" + nhs + "/_history/1",
                              "/../../etc/passwd", "*", "http://127.0.0.1/Patient/" + nhs, "/Patient/" + nhs + ";x=1",
                              "/Patient/" + nhs + "/$everything/extra", "/AuditEvent/" + "9" * 30, "/AuditEvent/-5",
                              "/" + "a/" * 2000, "/Consent/" + "z" * 500])
        headers = [("Authorization", "Bearer " + self.good)] if self.rng.random() < 0.8 else []
        return "paths", self.request("GET", path, headers), True

    def query_case(self):
        nhs = self.pick(self.nhs)
        base = self.pick(["/Condition", "/AllergyIntolerance", "/MedicationStatement", "/Consent", "/AuditEvent", "/Patient",
                          f"/Patient/{nhs}", f"/Patient/{nhs}/$everything", "/metadata"])
        names = ["patient", "identifier", "_count", "_offset", "_format", "date", "subtype", "_id", "_sort", "", "patient[]",
                 "%70atient", "_COUNT", "outcome", "flag", "altid"]
        values = [nhs, f"Patient/{nhs}", f"https://fhir.nhs.uk/Id/nhs-number|{nhs}", self.nhs_number(), "-1", "0", "200", "201",
                  "99999999999999999999", "2147483647", "2147483648", "1.5", "0x10", "", "json", "xml", "application/fhir+json",
                  "ge2026-11-01", "lt2026-13-01", "eq2026-02-30", "2026-11-25T10:00:00Z", "2026-11-25T25:00:00Z", "gt", "ne2026",
                  "ge2026-11-25T10:00:00.1234567891+14:00", "read,emergency-override", "read,,", "|", "a|b|c|read",
                  "%", "%zz", "%00", "%FF", "%C3%A9", "+", "a+b", "&", "=", "==", self.visible(0, 40).replace("#", "%23"),
                  "9" * 5000]
        parts = []
        for _ in range(self.rng.randint(0, 6)):
            name, value = self.pick(names), self.pick(values).replace("#", "%23").replace(" ", "%20")
            parts.append(self.pick([f"{name}={value}", name, f"{name}=", f"={value}", f"{name}={value}={value}"]))
        query = self.pick(["&", "&&", ";"]).join(parts)
        target = base + self.pick(["?", "?", "??", "?&"]) + query
        headers = [("Authorization", "Bearer " + self.pick([self.good] + list(self.c["tokens"].values())))]
        return "query", self.request("GET", target, headers), True

    def method_body_case(self):
        nhs = self.pick(self.nhs)
        method = self.pick(["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "GET", "FOO", "get", "M-SEARCH",
                            "PROPFIND", "QUERY"])
        target = self.pick(["/Consent", "/Consent", "/Consent", f"/Patient/{nhs}", "/Condition", "/AuditEvent", "/metadata",
                            "/Consent/abc", "/"])
        body = b""
        kind = self.rng.randrange(9)
        if kind == 0:
            body = self.junk(0, 2000)
        elif kind == 1:
            body = self.mutated_consent()
        elif kind == 2:
            body = self.pick(self.consents)
        elif kind == 3:
            body = b"[" * self.rng.choice([1000, 30000, 65000])
        elif kind == 4:
            body = b'{"resourceType":"Consent","provision":' * 2000 + b"{}" + b"}" * 2000
        elif kind == 5:
            body = b"{" + b'"a":1,' * 12000 + b'"resourceType":"Consent"}'
        elif kind == 6:
            body = b"x" * self.rng.choice([65536, 65537, 300000])
        elif kind == 7:
            body = json.dumps({"resourceType": "Consent", "status": "active", "patient": {"reference": f"Patient/{nhs}"},
                               "provision": {"period": {"start": "2026-11-25T10:00:00Z", "end": "9999-12-31T23:59:59Z"}}}).encode()
        headers = [("Authorization", "Bearer " + self.pick([self.good, self.c["tokens"]["gp"], self.mutated_token()])),
                   ("Content-Type", self.pick(["application/fhir+json", "application/json", "text/plain", "", "application/xml"]))]
        if method in ("HEAD", "GET", "DELETE", "OPTIONS", "TRACE") and self.rng.random() < 0.7:
            body = b""
        if method == "HEAD":
            # A body on HEAD confuses keep-alive framing; send it on its own connection.
            return "methods", self.request(method, target, headers, body), not body
        return "methods", self.request(method, target, headers, body), len(body) <= 64 * 1024

    def mutated_consent(self):
        body = bytearray(self.pick(self.consents))
        for _ in range(self.rng.randint(1, 8)):
            op = self.rng.randrange(4)
            i = self.rng.randrange(len(body) + 1)
            if op == 0 and body:
                del body[i:i + self.rng.randint(1, 20)]
            elif op == 1:
                body[i:i] = self.pick([b'"', b"{", b"}", b"[", b"]", b",", b":", b"null", b"1e999", b"\\u0000", b"\xff", b"-0",
                                       b'"2026-11-25T10:00:00Z"', b'"Patient/9434765919"', b'"deny"', b'"collect"'])
            elif op == 2 and body:
                body[min(i, len(body) - 1)] = self.rng.randrange(256)
            else:
                body[i:i] = self.visible(1, 10).encode()
        return bytes(body)

    def framing_case(self):
        nhs = self.pick(self.nhs)
        good = f"GET /Patient/{nhs} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.good}\r\n".encode()
        options = [
            lambda: self.junk(1, 500),                                                             # raw garbage
            lambda: b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + self.junk(32, 160),           # a TLS ClientHello
            lambda: f"GET /Patient/{nhs} HTTP/9.9\r\nHost: x\r\n\r\n".encode(),
            lambda: f"GET /Patient/{nhs}\r\n\r\n".encode(),                                         # HTTP/0.9 style
            lambda: f"GET /Patient/{nhs} HTTP/1.0\r\nAuthorization: Bearer {self.good}\r\n\r\n".encode(),
            lambda: f"GET /Patient/{nhs} HTTP/2.0\r\n\r\n".encode(),
            lambda: b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            lambda: good + b"Bad Header Without Colon\r\n\r\n",
            lambda: good + b"X-Folded: a\r\n b\r\n\r\n",                                          # obs-fold
            lambda: good + b"X-Request-ID: a\x00b\r\n\r\n",
            lambda: good + b"X-Access-Reason: \x01\x02\x7f\r\n\r\n",
            lambda: good + b"Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
            lambda: good + b"Content-Length: -1\r\n\r\n",
            lambda: good + b"Content-Length: 99999999999999999999999\r\n\r\n",
            lambda: good + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            lambda: good + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            lambda: b"POST /Consent HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + self.good.encode()
            + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(b"1\r\n[\r\n" for _ in range(2000)) + b"0\r\n\r\n",
            lambda: b"POST /Consent HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            lambda: good + b"X-Huge: " + b"h" * self.rng.choice([70000, 100000, 200000]) + b"\r\n\r\n",  # past the header limit
            lambda: good + b"".join(b"X-Many-%d: v\r\n" % i for i in range(self.rng.choice([1000, 5000]))) + b"\r\n",
            lambda: good.replace(b"\r\n", b"\n") + b"\n",                                            # bare LF
            lambda: b"GET " + b"/" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            lambda: b"G\x00ET / HTTP/1.1\r\n\r\n",
            lambda: f"GET /Patient/\u00e9\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),                # raw UTF-8 in the target
            lambda: good[: self.rng.randrange(len(good))],                                          # truncated head
            lambda: b"POST /Consent HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + self.good.encode()
            + b"\r\nContent-Length: 500\r\n\r\n" + self.pick(self.consents)[:100],                # truncated body
            lambda: b"\r\n" * 50 + good + b"\r\n",
            lambda: f"{self.visible(1, 300)} / HTTP/1.1\r\n\r\n".encode(),                          # odd method token
            lambda: b"GET /metadata HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n0123456789",
            lambda: b"GET /metadata HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            lambda: b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
        ]
        return "framing", self.pick(options)(), False

    def next(self):
        roll = self.rng.random()
        if roll < 0.25:
            return self.token_case()
        if roll < 0.45:
            return self.header_case()
        if roll < 0.63:
            return self.path_case()
        if roll < 0.83:
            return self.query_case()
        if roll < 0.93:
            return self.method_body_case()
        return self.framing_case()


class Connection:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=READ_TIMEOUT)
        self.buffer = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buffer += data

    def read_until(self, marker, limit=1 << 20):
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise ValueError("answer head too large")
            self.fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def read_exact(self, n):
        while len(self.buffer) < n:
            self.fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self, head_request):
        """Reads one answer: (status, headers, body). Raises EOFError when the server closed first."""
        while True:
            head = self.read_until(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ")[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
            if status != 100:
                break
        if head_request or status in (204, 304) or 100 <= status < 200:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.read_until(b"\r\n").split(b";")[0], 16)
                chunk = self.read_exact(size + 2)[:-2]
                if size == 0:
                    break
                body += chunk
            return status, headers, body
        if "content-length" in headers:
            return status, headers, self.read_exact(int(headers["content-length"]))
        body = b""
        try:
            while True:
                self.fill()
        except (EOFError, OSError):
            body, self.buffer = self.buffer, b""
        return status, headers, body


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_class = collections.Counter()
        self.by_category = collections.defaultdict(collections.Counter)
        self.by_status = collections.Counter()
        self.failures = []
        self.clean_unanswered = 0

    def add(self, category, outcome, request=None, answer=None, clean=True, status=None):
        with self.lock:
            self.by_class[outcome] += 1
            self.by_category[category][outcome] += 1
            if status is not None:
                self.by_status[status] += 1
            failing = outcome == "5xx" or (outcome in ("no answer", "timeout") and clean)
            if failing and outcome != "5xx":
                self.clean_unanswered += 1
            if failing and len(self.failures) < 20:
                self.failures.append({"category": category, "outcome": outcome, "request": request[:600].decode("latin-1"),
                                      "answer": (answer or b"")[:600].decode("latin-1")})


def outcome_of(status):
    if status == 429:
        return "429"
    return f"{status // 100}xx"


def worker(host, port, jobs, tally, progress):
    kept = None  # the kept-alive connection for clean requests; each dirty request gets its own
    for category, raw, clean in jobs:
        head_request = raw.startswith(b"HEAD ")
        conn = None
        try:
            if clean:
                kept = kept or Connection(host, port)
                conn = kept
            else:
                conn = Connection(host, port)
            conn.sock.sendall(raw)
            if not clean:
                try:
                    conn.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            status, headers, body = conn.response(head_request)
            tally.add(category, outcome_of(status), raw, body, clean, status)
            if not clean or headers.get("connection", "").lower() == "close":
                conn.close()
                if conn is kept:
                    kept = None
        except socket.timeout:
            tally.add(category, "timeout", raw, None, clean)
            if conn is not None:
                conn.close()
            if conn is kept:
                kept = None
        except (EOFError, ConnectionError, OSError, ValueError, IndexError):
            tally.add(category, "no answer", raw, None, clean)
            if conn is not None:
                conn.close()
            if conn is kept:
                kept = None
        progress()
    if kept is not None:
        kept.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--context", required=True, help="JSON: tokens, nhs numbers, kid, jwks path, consent example paths")
    parser.add_argument("--report", help="write the tally as JSON here")
    args = parser.parse_args()

    raw = json.load(open(args.context))
    context = {
        "tokens": raw["tokens"], "nhs": raw["nhs"], "kid": raw["kid"],
        "jwks": open(raw["jwks"], "rb").read(),
        "consents": [json.dumps(json.load(open(path)), separators=(",", ":")).encode() for path in raw["consents"]],
    }
    generator = Generator(random.Random(args.seed), context)
    requests = [generator.next() for _ in range(args.requests)]
    shares = [requests[i::args.workers] for i in range(args.workers)]

    tally = Tally()
    done = [0]
    lock = threading.Lock()
    started = time.time()

    def progress():
        with lock:
            done[0] += 1
            if done[0] % 10_000 == 0:
                print(f"  {done[0]:,} requests, {done[0] / (time.time() - started):,.0f}/s", flush=True)

    threads = [threading.Thread(target=worker, args=(args.host, args.port, share, tally, progress)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started

    summary = {
        "requests": args.requests, "seconds": round(elapsed, 1), "per_second": round(args.requests / elapsed),
        "by_class": dict(tally.by_class), "by_category": {k: dict(v) for k, v in tally.by_category.items()},
        "by_status": {str(k): v for k, v in sorted(tally.by_status.items())},
        "server_errors": tally.by_class["5xx"], "clean_unanswered": tally.clean_unanswered, "failures": tally.failures,
    }
    if args.report:
        json.dump(summary, open(args.report, "w"), indent=2)
    print(f"malformed requests: {args.requests:,} in {elapsed:.0f} s ({summary['per_second']:,}/s)")
    for category, counts in sorted(tally.by_category.items()):
        print(f"  {category:8} " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    print("  status codes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.by_status.items())))
    for failure in tally.failures[:5]:
        print("  FAILURE", json.dumps(failure)[:800])
    server_errors = tally.by_class["5xx"]
    print(f"5xx answers: {server_errors}; well-framed requests left unanswered: {tally.clean_unanswered}")
    sys.exit(1 if server_errors or tally.clean_unanswered else 0)


if __name__ == "__main__":
    main()
