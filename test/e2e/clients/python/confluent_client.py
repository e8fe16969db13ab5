#!/usr/bin/env python3
"""confluent-kafka-python (librdkafka) driver for the end-to-end client tests.

create-topic: AdminClient.create_topics. produce: keyed messages with acks=all, one JSON summary
with every delivery report's partition and offset. member: a consumer-group member that prints
its assignment and the records it receives as JSON lines, committing synchronously after every
batch, until a line (or EOF) on stdin asks it to close. read: all partitions from the beginning,
without a group, until --count records arrived.
"""
import argparse
import sys
import time

from confluent_kafka import Consumer, KafkaError, OFFSET_BEGINNING, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common import build_parser, emit, messages, stop_requested, text


def create_topic(a):
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    futures = admin.create_topics([NewTopic(a.topic, a.partitions, a.rf)], operation_timeout=30, request_timeout=30)
    try:
        futures[a.topic].result(60)
        emit({"created": a.topic})
        return 0
    except Exception as e:  # the test shows the client's own message
        emit({"error": str(e)})
        return 1


def produce(a):
    p = Producer(
        {
            "bootstrap.servers": a.bootstrap,
            "acks": "all",
            "compression.type": a.compression,
            "linger.ms": 5,
            "enable.idempotence": False,
            "message.timeout.ms": 60000,
        }
    )
    state = {"acked": 0, "errors": 0, "first_error": None, "placements": []}

    def on_delivery(err, msg):
        if err is not None:
            state["errors"] += 1
            state["first_error"] = state["first_error"] or str(err)
            return
        state["acked"] += 1
        state["placements"].append([text(msg.value()), msg.partition(), msg.offset()])

    for key, value in messages(a.batch, a.start, a.count, a.keys):
        while True:
            try:
                p.produce(a.topic, key=key, value=value, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    left = p.flush(60)
    state["unacked"] = left
    emit(state)
    return 0 if state["acked"] == a.count else 1


def member(a):
    c = Consumer(
        {
            "bootstrap.servers": a.bootstrap,
            "group.id": a.group,
            "client.id": a.name,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 500,
            "fetch.wait.max.ms": 100,
        }
    )

    def on_assign(consumer, partitions):
        emit({"ev": "assigned", "partitions": sorted(tp.partition for tp in partitions)})

    def on_revoke(consumer, partitions):
        emit({"ev": "revoked", "partitions": sorted(tp.partition for tp in partitions)})

    c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke)
    try:
        while not stop_requested():
            batch = c.consume(num_messages=1000, timeout=0.2)
            records = []
            for m in batch:
                if m.error() is not None:
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        emit({"ev": "error", "error": str(m.error())})
                    continue
                records.append([m.partition(), m.offset(), text(m.key()), text(m.value())])
            if records:
                # Committed before reported: whatever the test has seen is also committed.
                c.commit(asynchronous=False)
                emit({"ev": "records", "records": records})
    finally:
        c.close()
        emit({"ev": "closed"})
    return 0


def read(a):
    c = Consumer(
        {
            "bootstrap.servers": a.bootstrap,
            "group.id": "e2e-read-unused",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 100,
        }
    )
    md = c.list_topics(a.topic, timeout=10)
    parts = sorted(md.topics[a.topic].partitions)
    c.assign([TopicPartition(a.topic, p, OFFSET_BEGINNING) for p in parts])
    records = []
    errors = []
    deadline = time.monotonic() + a.timeout_s
    while len(records) < a.count and time.monotonic() < deadline:
        for m in c.consume(num_messages=1000, timeout=0.2):
            if m.error() is not None:
                if m.error().code() != KafkaError._PARTITION_EOF:
                    errors.append(str(m.error()))
                continue
            records.append([m.partition(), m.offset(), text(m.key()), text(m.value())])
    c.close()
    emit({"records": records, "errors": errors[:5]})
    return 0


def main():
    a = build_parser(argparse).parse_args()
    return {"create-topic": create_topic, "produce": produce, "member": member, "read": read}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
