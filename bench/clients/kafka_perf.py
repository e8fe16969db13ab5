#!/usr/bin/env python3
"""librdkafka load generator (confluent-kafka-python) for the chronik bench harness.

produce: sends N records of S bytes and measures send->ack latency of every record from the
delivery reports (Message.latency(): time from produce() to the broker's ack), like
kafka-producer-perf-test. --throughput R throttles to R records/s (fixed-rate mode).
consume: reads N records from the start of every partition of a topic and measures throughput.

Prints exactly one JSON object on stdout; progress and errors go to stderr.
"""
import argparse
import json
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

MIB = 1024 * 1024


def percentiles(values_ms):
    if not values_ms:
        return None
    values_ms.sort()
    n = len(values_ms)

    def at(q):
        return values_ms[min(n - 1, max(0, int(q * n + 0.5) - 1))]

    return {
        "avg": sum(values_ms) / n,
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "p999": at(0.999),
        "max": values_ms[-1],
        "count": n,
    }


def client_name():
    return "librdkafka %s (confluent-kafka-python %s)" % (confluent_kafka.libversion()[0], confluent_kafka.version()[0])


def produce(a):
    conf = {
        "bootstrap.servers": a.bootstrap,
        "acks": a.acks,
        "linger.ms": a.linger_ms,
        "batch.size": a.batch_size,
        "compression.type": a.compression,
        # 32 MiB of unsent records, as the Java producer's buffer.memory default: at full speed the
        # send loop waits for room, so latency is the pipeline's rather than an unbounded queue's.
        "queue.buffering.max.messages": 1000000,
        "queue.buffering.max.kbytes": 32768,
        "message.timeout.ms": a.timeout_s * 1000,
        "enable.idempotence": False,
    }
    p = Producer(conf)
    payload = bytes((i * 31 + 7) % 251 for i in range(a.record_size))
    latencies = []
    state = {"errors": 0, "first_error": None, "acked": 0}

    def on_delivery(err, msg):
        if err is not None:
            state["errors"] += 1
            if state["first_error"] is None:
                state["first_error"] = str(err)
            return
        state["acked"] += 1
        latencies.append(msg.latency() * 1000.0)

    topic = a.topic
    n = a.num_records
    rate = a.throughput
    deadline = time.monotonic() + a.timeout_s
    start = time.monotonic()
    i = 0
    while i < n:
        if time.monotonic() > deadline:
            break
        if rate > 0:
            due = start + i / rate
            ahead = due - time.monotonic()
            if ahead > 0.0005:
                p.poll(0)
                time.sleep(ahead)
        try:
            key = str(i % a.keys).encode() if a.keys > 0 else None
            p.produce(topic, payload, key=key, on_delivery=on_delivery)
            i += 1
        except BufferError:
            p.poll(0.001)
            continue
        if i % 1000 == 0:
            p.poll(0)
    remaining = p.flush(max(0.1, deadline - time.monotonic()))
    elapsed = time.monotonic() - start
    acked = state["acked"]
    out = {
        "mode": "produce",
        "client": client_name(),
        "records_sent": i,
        "records_acked": acked,
        "errors": state["errors"],
        "first_error": state["first_error"],
        "unacked_at_end": remaining,
        "seconds": elapsed,
        "records_per_sec": acked / elapsed if elapsed > 0 else 0,
        "mb_per_sec": acked * a.record_size / MIB / elapsed if elapsed > 0 else 0,
        "latency_ms": percentiles(latencies),
        "params": {
            "record_size": a.record_size,
            "acks": a.acks,
            "linger_ms": a.linger_ms,
            "batch_size": a.batch_size,
            "compression": a.compression,
            "target_records_per_sec": rate,
        },
    }
    print(json.dumps(out))
    return 0 if acked == n and state["errors"] == 0 else 1


def consume(a):
    c = Consumer(
        {
            "bootstrap.servers": a.bootstrap,
            "group.id": "chronik-bench-%d" % int(time.time() * 1000),
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "fetch.max.bytes": 52428800,
            "max.partition.fetch.bytes": 4194304,
            "fetch.wait.max.ms": 100,
            "queued.max.messages.kbytes": 262144,
        }
    )
    md = c.list_topics(a.topic, timeout=10)
    t = md.topics.get(a.topic)
    if t is None or t.error is not None or not t.partitions:
        print(json.dumps({"mode": "consume", "client": client_name(), "error": "no metadata for topic %s: %s" % (a.topic, t and t.error)}))
        return 1
    start = time.monotonic()
    c.assign([TopicPartition(a.topic, p, OFFSET_BEGINNING) for p in t.partitions])
    deadline = start + a.timeout_s
    records = 0
    nbytes = 0
    errors = 0
    first_error = None
    while records < a.num_records and time.monotonic() < deadline:
        for m in c.consume(num_messages=10000, timeout=0.5):
            err = m.error()
            if err is not None:
                if err.code() == confluent_kafka.KafkaError._PARTITION_EOF:
                    continue
                errors += 1
                first_error = first_error or str(err)
                continue
            records += 1
            nbytes += len(m.value())
    elapsed = time.monotonic() - start
    c.close()
    print(
        json.dumps(
            {
                "mode": "consume",
                "client": client_name(),
                "records": records,
                "bytes": nbytes,
                "errors": errors,
                "first_error": first_error,
                "seconds": elapsed,
                "records_per_sec": records / elapsed if elapsed > 0 else 0,
                "mb_per_sec": nbytes / MIB / elapsed if elapsed > 0 else 0,
                "partitions": len(t.partitions),
            }
        )
    )
    return 0 if records >= a.num_records else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="mode", required=True)
    pp = sub.add_parser("produce")
    pp.add_argument("--bootstrap", required=True)
    pp.add_argument("--topic", required=True)
    pp.add_argument("--num-records", type=int, required=True)
    pp.add_argument("--record-size", type=int, default=1024)
    pp.add_argument("--acks", default="all")
    pp.add_argument("--linger-ms", type=int, default=5)
    pp.add_argument("--batch-size", type=int, default=1048576)
    pp.add_argument("--compression", default="none")
    pp.add_argument("--throughput", type=float, default=-1, help="records/s; -1 = unthrottled")
    pp.add_argument("--keys", type=int, default=0, help="record i gets key str(i %% keys); 0 = no keys")
    pp.add_argument("--timeout-s", type=int, default=120)
    cp = sub.add_parser("consume")
    cp.add_argument("--bootstrap", required=True)
    cp.add_argument("--topic", required=True)
    cp.add_argument("--num-records", type=int, required=True)
    cp.add_argument("--timeout-s", type=int, default=120)
    a = ap.parse_args()
    return produce(a) if a.mode == "produce" else consume(a)


if __name__ == "__main__":
    sys.exit(main())
