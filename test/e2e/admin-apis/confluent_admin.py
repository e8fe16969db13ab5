#!/usr/bin/env python3
"""confluent-kafka-python (librdkafka) AdminClient calls for the admin API tests. Each command prints
one JSON object; an error the broker answered is data: {"error": {"code", "name", "message"}}.

create-assigned: create_topics with a manual replica assignment (--assignment '[[1, 2], [2, 3]]':
partition i on those brokers, the first its preferred leader).
metadata: list_topics (Metadata) as {"controller_id", "cluster_id", "brokers", "topics": {name:
[{"id", "leader", "replicas"}]}}.
confluent-kafka-python 1.7.0 has no delete_consumer_groups, list_consumer_group_offsets or
describe_cluster.
"""
import argparse
import json
import os
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from common import emit  # noqa: E402


def create_assigned(admin, a):
    assignment = json.loads(a.assignment)
    # librdkafka sends partitions and replication factor as -1 with an assignment.
    topic = NewTopic(a.topic, len(assignment), replica_assignment=assignment)
    future = admin.create_topics([topic], request_timeout=30)[a.topic]
    try:
        future.result(60)
    except KafkaException as e:
        err = e.args[0]
        emit({"error": {"code": err.code(), "name": err.name(), "message": err.str()}})
        return
    emit({"created": a.topic})


def metadata(admin, _):
    md = admin.list_topics(timeout=30)
    emit(
        {
            "controller_id": md.controller_id,
            "cluster_id": md.cluster_id,
            "brokers": sorted(md.brokers),
            "topics": {
                name: [
                    {"id": p.id, "leader": p.leader, "replicas": list(p.replicas)}
                    for p in sorted(t.partitions.values(), key=lambda p: p.id)
                ]
                for name, t in md.topics.items()
            },
        }
    )


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("create-assigned")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--assignment", required=True)
    p = sub.add_parser("metadata")
    p.add_argument("--bootstrap", required=True)
    a = ap.parse_args()
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    {"create-assigned": create_assigned, "metadata": metadata}[a.cmd](admin, a)


if __name__ == "__main__":
    main()
