#!/usr/bin/env python3
"""kafka-python driver for the end-to-end client tests (same commands as confluent_client.py).

Only gzip of the four codecs works here: kafka-python compresses and decompresses snappy, lz4 and
zstd through the python-snappy, lz4 and zstandard modules, which this machine does not have.
"""
import argparse
import logging
import sys
import time

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from common import build_parser, emit, messages, stop_requested, text


def create_topic(a):
    admin = KafkaAdminClient(bootstrap_servers=a.bootstrap.split(","), client_id="e2e-kafka-python-admin")
    try:
        res = admin.create_topics([NewTopic(a.topic, a.partitions, a.rf)], timeout_ms=30000)
        errors = [list(t) for t in getattr(res, "topic_errors", []) if t[1] != 0]
        emit({"created": a.topic} if not errors else {"error": str(errors)})
        return 0 if not errors else 1
    except Exception as e:
        emit({"error": "%s: %s" % (type(e).__name__, e)})
        return 1
    finally:
        admin.close()


def produce(a):
    p = KafkaProducer(
        bootstrap_servers=a.bootstrap.split(","),
        acks="all",
        compression_type=None if a.compression == "none" else a.compression,
        linger_ms=5,
        key_serializer=str.encode,
        value_serializer=str.encode,
    )
    futures = [(value, p.send(a.topic, key=key, value=value)) for key, value in messages(a.batch, a.start, a.count, a.keys)]
    p.flush(60)
    placements = []
    errors = 0
    first_error = None
    for value, f in futures:
        try:
            md = f.get(timeout=60)
            placements.append([value, md.partition, md.offset])
        except Exception as e:
            errors += 1
            first_error = first_error or "%s: %s" % (type(e).__name__, e)
    p.close()
    emit({"acked": len(placements), "errors": errors, "first_error": first_error, "placements": placements})
    return 0 if errors == 0 else 1


class Rebalance(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({"ev": "revoked", "partitions": sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({"ev": "assigned", "partitions": sorted(tp.partition for tp in assigned)})


def member(a):
    c = KafkaConsumer(
        bootstrap_servers=a.bootstrap.split(","),
        group_id=a.group,
        client_id=a.name,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=10000,
        heartbeat_interval_ms=500,
        fetch_max_wait_ms=100,
    )
    c.subscribe([a.topic], listener=Rebalance())
    try:
        while not stop_requested():
            polled = c.poll(timeout_ms=200, max_records=1000)
            records = []
            for tp, msgs in polled.items():
                for m in msgs:
                    records.append([tp.partition, m.offset, text(m.key), text(m.value)])
            if records:
                # Committed before reported: whatever the test has seen is also committed.
                c.commit()
                emit({"ev": "records", "records": records})
    finally:
        c.close()
        emit({"ev": "closed"})
    return 0


def read(a):
    c = KafkaConsumer(bootstrap_servers=a.bootstrap.split(","), enable_auto_commit=False, fetch_max_wait_ms=100)
    parts = sorted(c.partitions_for_topic(a.topic) or [])
    tps = [TopicPartition(a.topic, p) for p in parts]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    records = []
    errors = []
    deadline = time.monotonic() + a.timeout_s
    while len(records) < a.count and time.monotonic() < deadline:
        try:
            for tp, msgs in c.poll(timeout_ms=200).items():
                for m in msgs:
                    records.append([tp.partition, m.offset, text(m.key), text(m.value)])
        except Exception as e:
            errors.append("%s: %s" % (type(e).__name__, e))
            break
    c.close()
    emit({"records": records, "errors": errors[:5]})
    return 0


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    a = build_parser(argparse).parse_args()
    return {"create-topic": create_topic, "produce": produce, "member": member, "read": read}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
