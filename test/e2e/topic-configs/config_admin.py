#!/usr/bin/env python3
"""confluent-kafka-python AdminClient calls on topic and broker configs, for the topic config tests.

Each command prints one JSON object. An error the broker answered is data, not a failure:
{"error": {"code": int, "name": str, "message": str}}.

create: create_topics with --config k=v (and --validate-only). describe: describe_configs of a topic
or broker, {"configs": {name: {value, source, is_default, read_only, synonyms: [[name, value, source]]}}}.
alter: alter_configs (AlterConfigs: the given configs become the topic's whole override set).
confluent-kafka-python 1.7.0 has no incremental_alter_configs.
"""
import argparse
import os
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from common import emit  # noqa: E402


def configs_of(pairs):
    return dict(p.split("=", 1) for p in pairs or [])


def outcome(future):
    try:
        return future.result(60), None
    except KafkaException as e:
        err = e.args[0]
        return None, {"code": err.code(), "name": err.name(), "message": err.str()}


def create(admin, a):
    topic = NewTopic(a.topic, a.partitions, a.rf, config=configs_of(a.config))
    futures = admin.create_topics([topic], validate_only=a.validate_only, request_timeout=30)
    _, error = outcome(futures[a.topic])
    emit({"error": error} if error else {"created": a.topic})


def describe(admin, a):
    kind = ConfigResource.Type.BROKER if a.broker is not None else ConfigResource.Type.TOPIC
    resource = ConfigResource(kind, a.broker if a.broker is not None else a.topic)
    entries, error = outcome(admin.describe_configs([resource], request_timeout=30)[resource])
    if error:
        emit({"error": error})
        return
    emit(
        {
            "configs": {
                name: {
                    "value": e.value,
                    "source": e.source,
                    "is_default": e.is_default,
                    "read_only": e.is_read_only,
                    "synonyms": [[s.name, s.value, s.source] for s in e.synonyms.values()],
                }
                for name, e in entries.items()
            }
        }
    )


def alter(admin, a):
    resource = ConfigResource(ConfigResource.Type.TOPIC, a.topic, set_config=configs_of(a.config))
    _, error = outcome(admin.alter_configs([resource], request_timeout=30)[resource])
    emit({"error": error} if error else {"altered": a.topic})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["create", "describe", "alter"])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic")
    ap.add_argument("--broker")
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--rf", type=int, default=3)
    ap.add_argument("--config", action="append")
    ap.add_argument("--validate-only", action="store_true")
    a = ap.parse_args()
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    {"create": create, "describe": describe, "alter": alter}[a.cmd](admin, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
