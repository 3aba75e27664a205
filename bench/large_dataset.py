#!/usr/bin/env python3
"""The data side of bench/large-dataset.sh: generates the load as RESP and checks a sample.

  large_dataset.py gen   --keys N --value-size S             # RESP SETs on stdout, for redis-cli --pipe
  large_dataset.py check --keys N --value-size S --sample M --seed X --port P

Key n (0 <= n < N) is "key:<n>"; its value is a pure function of n and S (value_of below), so
any reader can tell a right value from a wrong one without keeping the data set anywhere. The
value is hex text from BLAKE2b of n: every byte is a printable character, and it has 4 bits of
entropy per byte, so a byte-oriented compressor (LZ4) gains little and an entropy coder at most
about half; it is not the best case for compression.

`check` reads the same M keys every time for the same (N, M, seed): a sample drawn without
replacement from range(N) by a seeded generator, so the checks before and after a restart look
at the same keys. It sends GETs pipelined in batches over one connection, compares every reply
with value_of(n), prints one summary line (keys checked, wrong, missing, seconds, keys/s) and
exits 1 if any value is wrong or missing.
"""
import argparse
import hashlib
import random
import socket
import sys
import time


def value_of(n, size):
    # Hash blocks "n:0", "n:1", ... until there are enough hex characters.
    out = bytearray()
    block = 0
    while len(out) < size:
        out += hashlib.blake2b(b"%d:%d" % (n, block), digest_size=32).hexdigest().encode()
        block += 1
    return bytes(out[:size])


def key_of(n):
    return b"key:%d" % n


def gen(args):
    size = args.value_size
    head = b"*3\r\n$3\r\nSET\r\n"
    vhead = b"$%d\r\n" % size
    out = sys.stdout.buffer
    batch = []
    for n in range(args.start, args.keys):
        k = key_of(n)
        batch.append(b"%s$%d\r\n%s\r\n%s%s\r\n" % (head, len(k), k, vhead, value_of(n, size)))
        if len(batch) == 10000:
            out.write(b"".join(batch))
            batch.clear()
    out.write(b"".join(batch))
    out.flush()


class Resp:
    """Just enough of a RESP2 reader for bulk strings, nulls, integers and errors."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            while len(self.buf) - self.pos < length + 2:
                self._fill()
            data = bytes(self.buf[self.pos:self.pos + length])
            self.pos += length + 2
            return data
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("server error: " + rest.decode(errors="replace"))
        raise RuntimeError("unexpected reply: %r" % line)


def command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def check(args):
    sample = random.Random(args.seed).sample(range(args.keys), min(args.sample, args.keys))
    sock = socket.create_connection((args.host, args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    resp = Resp(sock)
    wrong = missing = 0
    examples = []
    started = time.monotonic()
    for i in range(0, len(sample), args.batch):
        batch = sample[i:i + args.batch]
        sock.sendall(b"".join(command(b"GET", key_of(n)) for n in batch))
        for n in batch:
            got = resp.read()
            if got is None:
                missing += 1
                if len(examples) < 5:
                    examples.append("key:%d missing" % n)
            elif got != value_of(n, args.value_size):
                wrong += 1
                if len(examples) < 5:
                    examples.append("key:%d wrong: %r" % (n, got[:40]))
    seconds = time.monotonic() - started
    sock.close()
    rate = len(sample) / seconds if seconds > 0 else 0
    print("checked %d keys in %.2f s (%.0f keys/s): %d wrong, %d missing"
          % (len(sample), seconds, rate, wrong, missing))
    for e in examples:
        print("  " + e)
    return 1 if wrong or missing else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["gen", "check"])
    p.add_argument("--keys", type=int, required=True)
    p.add_argument("--start", type=int, default=0, help="gen: first n")
    p.add_argument("--value-size", type=int, default=100)
    p.add_argument("--sample", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6379)
    p.add_argument("--batch", type=int, default=1000, help="check: GETs per pipelined batch")
    args = p.parse_args()
    if args.mode == "gen":
        try:
            gen(args)
        except BrokenPipeError:
            return 1
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
