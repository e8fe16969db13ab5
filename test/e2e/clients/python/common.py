"""Shared by the python client drivers: test message generation (mirrors support/records.ts) and
the JSON-lines protocol the vitest side reads from stdout."""
import json
import select
import sys


def messages(batch, start, count, keys):
    for seq in range(start, start + count):
        yield "k%d" % (seq % keys), "%s-%d" % (batch, seq)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def stop_requested():
    """True once the test writes a line to stdin or closes it: the member then commits and leaves."""
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    if not ready:
        return False
    sys.stdin.readline()
    return True


def text(b):
    return None if b is None else b.decode("utf-8")


def add_common(sub, name):
    p = sub.add_parser(name)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    return p


def build_parser(argparse):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = add_common(sub, "create-topic")
    c.add_argument("--partitions", type=int, default=3)
    c.add_argument("--rf", type=int, default=3)
    p = add_common(sub, "produce")
    p.add_argument("--batch", required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--keys", type=int, required=True)
    p.add_argument("--compression", default="none")
    m = add_common(sub, "member")
    m.add_argument("--group", required=True)
    m.add_argument("--name", required=True)
    r = add_common(sub, "read")
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--timeout-s", type=float, default=60)
    return ap
