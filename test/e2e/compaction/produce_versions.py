#!/usr/bin/env python3
"""confluent-kafka-python (librdkafka) producer for the compaction test: for seq in [--from, --to),
key k<seq % keys> with value v-<seq>, or a tombstone (null value) for each of the first
--tombstones keys; each key always to partition (key number % --partitions), acks=all. Prints one
JSON summary: how many were acknowledged, and the first error.
"""
import argparse
import json
import sys

from confluent_kafka import Producer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--from", dest="start", type=int, default=0)
    ap.add_argument("--to", dest="end", type=int, default=0)
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--tombstones", type=int, default=0)
    ap.add_argument("--compression", default="gzip")
    a = ap.parse_args()
    p = Producer(
        {
            "bootstrap.servers": a.bootstrap,
            "acks": "all",
            "compression.type": a.compression,
            "linger.ms": 5,
            "message.timeout.ms": 60000,
        }
    )
    state = {"acked": 0, "errors": 0, "first_error": None}

    def on_delivery(err, msg):
        if err is not None:
            state["errors"] += 1
            state["first_error"] = state["first_error"] or str(err)
        else:
            state["acked"] += 1

    sends = [("k%d" % (seq % a.keys), "v-%d" % seq) for seq in range(a.start, a.end)]
    sends += [("k%d" % k, None) for k in range(a.tombstones)]
    for key, value in sends:
        while True:
            try:
                part = int(key[1:]) % a.partitions
                p.produce(a.topic, key=key, value=value, partition=part, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    state["unacked"] = p.flush(60)
    sys.stdout.write(json.dumps(state) + "\n")
    return 0 if state["acked"] == len(sends) else 1


if __name__ == "__main__":
    sys.exit(main())
