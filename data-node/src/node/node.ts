import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { parseHostPort } from "../../../shared/config/address.ts";
import { advertisedKafka } from "../../../shared/config/endpoints.ts";
import type { NodeConfig } from "../../../shared/config/schema.ts";
import type { Logger } from "../../../shared/log.ts";
import { GroupCoordinator } from "../groups/coordinator.ts";
import { OffsetsTopicBinding } from "../groups/offsets-topic.ts";
import { createAdminApp } from "../http/admin-app.ts";
import { NodeMetrics } from "../http/metrics.ts";
import type { HandlerTable } from "../kafka/handler-types.ts";
import { createApiVersionsHandler } from "../kafka/handlers/api-versions.ts";
import { createMetadataHandler } from "../kafka/handlers/metadata.ts";
import { KafkaServer } from "../kafka/server.ts";
import { gateHandlers } from "../kafka/serving-gate.ts";
import { abortableSleep } from "../meta/backoff.ts";
import { ConfigResolver } from "../meta/config-resolver.ts";
import { ImageCurrency } from "../meta/image-currency.ts";
import { runBrokerLifecycle } from "../meta/lifecycle.ts";
import { MetaState } from "../meta/meta-state.ts";
import { NODE_READINESS_CONDITIONS, Readiness } from "../meta/readiness.ts";
import type { RegisterBroker } from "../meta/records.ts";
import { type MirrorPublisher, startMirrorPublisher } from "../mirror/publisher.ts";
import type { LeadershipInfo, PartitionReplica } from "../partition/partition.ts";
import { RaftRuntime } from "../raft-runtime/runtime.ts";
import { retentionLimits } from "../storage/cleaner/settings.ts";
import type { DataDirClaim } from "../storage/data-dir.ts";
import { DurableLog } from "../storage/durable-log.ts";
import { GroupCommitter } from "../storage/group-committer.ts";
import { RaftTransport } from "../transport/raft-transport.ts";
import { BrokerServices, OFFSETS_TOPIC } from "./broker-services.ts";
import { runControlledShutdown } from "./controlled-shutdown.ts";
import { SERVED_VERSION_LIMITS } from "./handlers.ts";
import { LeadershipReporter } from "./leadership-reporter.ts";
import { decodeJson, encodeJson, type MetaReply } from "./meta-requests.ts";
import { META_GROUP, MetaService } from "./meta-service.ts";
import { metadataViewOf } from "./metadata-view.ts";
import { ReplicaManager } from "./replica-manager.ts";

const VERSION = "0.1.0";
const CONTROLLER_TICK_MS = 500;
// How long a Kafka request waits for a restarting (or cut-off) node's image to become current before
// it is answered from the stale view, whose answers are all retriable.
const STALE_REQUEST_HOLD_MS = 5000;

export interface NodeOptions {
  config: NodeConfig;
  configFile: string;
  logger: Logger;
  // Extra Kafka handlers (data, admin, groups) registered over the built-in ApiVersions/Metadata.
  handlers?: (services: BrokerServices, logger: Logger) => HandlerTable;
  // The claimed data dir: its lock proves any previous incarnation recorded there is gone.
  dataDir?: DataDirClaim;
}

// The composition root of a data node: wires storage, transport, Raft, __meta, partitions, the
// Kafka listener and the admin HTTP server, and owns the start and stop order.
export class ChronikNode {
  readonly readiness: Readiness;
  readonly metrics: NodeMetrics;
  private readonly abort = new AbortController();
  private transport!: RaftTransport;
  private runtime!: RaftRuntime;
  private metaLog!: DurableLog;
  private kafka!: KafkaServer;
  private http!: ServerType;
  private replicas!: ReplicaManager;
  private mirror: MirrorPublisher | undefined;
  private timers: NodeJS.Timeout[] = [];
  private lifecycle: Promise<void> | undefined;
  private offsets!: OffsetsTopicBinding;
  private electionsCounted = 0;
  // Set on SIGTERM: heartbeats ask to stop, and this node no longer reports itself as a leader.
  private shuttingDown = false;
  private currency!: ImageCurrency;
  private leadership!: LeadershipReporter;
  meta!: MetaService;
  services!: BrokerServices;

  constructor(private readonly o: NodeOptions) {
    this.readiness = new Readiness(NODE_READINESS_CONDITIONS, o.logger);
    this.metrics = new NodeMetrics({ nodeId: o.config.node_id });
  }

  async start(): Promise<void> {
    const { config, logger } = this.o;
    const started = Date.now();
    const peers = config.peers.filter((p) => p.id !== config.node_id);
    const voters = config.peers.map((p) => p.id);

    const committer = new GroupCommitter(logger);
    this.transport = new RaftTransport({
      nodeId: config.node_id,
      clusterId: config.cluster_id,
      listen: parseHostPort(config.raft.listen)!,
      peers: peers.map((p) => ({
        id: p.id,
        host: parseHostPort(p.addr)!.host,
        port: p.raft_port,
        source: `${this.o.configFile} peers[${config.peers.indexOf(p)}] (id ${p.id})`,
      })),
      logger,
      onMessages: (from, batch) => this.runtime.deliver(from, batch),
      // Quiesced groups led by a node we can no longer reach must run their election timers again.
      onStatus: (peer, status) => {
        if (status === "connected") this.runtime.peerUp(peer);
        else this.runtime.peerDown(peer);
      },
      onForward: async (_from, group, _kind, payload) => {
        if (group !== META_GROUP) throw new Error(`no forwarding handler for group ${group}`);
        return this.meta.handleForwarded(payload);
      },
    });
    this.runtime = new RaftRuntime({
      nodeId: config.node_id,
      bus: this.transport,
      committer,
      tickMs: config.raft.tick_ms,
      timing: {
        electionTicks: config.raft.election_ticks,
        heartbeatTicks: config.raft.heartbeat_ticks,
        maxInflightMsgs: config.raft.max_inflight_appends,
        maxSizePerMsg: config.raft.max_append_bytes,
      },
      logger,
    });

    const metaState = new MetaState({
      nodeId: config.node_id,
      clusterId: config.cluster_id,
      voters,
      sessionTimeoutMs: config.broker.session_timeout_ms,
      readiness: this.readiness,
    });
    const topicConfigs = new ConfigResolver(config);
    this.replicas = new ReplicaManager({
      nodeId: config.node_id,
      dataDir: config.data_dir,
      runtime: this.runtime,
      logger,
      topicConfigs: (overrides) => topicConfigs.effectiveTopicConfigs(overrides),
      logOptions: (configs) => ({
        fsync: config.storage.fsync,
        segmentBytes: Number(configs["segment.bytes"]),
        segmentMs: Number(configs["segment.ms"]),
        ...retentionLimits(configs),
      }),
      onLeadership: (replica, info) => this.onPartitionLeadership(replica, info),
      cleaner: {
        mapBytes: config.storage.cleaner_dedupe_buffer_bytes,
        ioBytesPerSec:
          config.storage.cleaner_io_max_bytes_per_second < 0
            ? Infinity
            : config.storage.cleaner_io_max_bytes_per_second,
      },
    });
    this.meta = new MetaService(metaState, {
      nodeId: config.node_id,
      forwarder: this.transport,
      logger: logger.child({ group: META_GROUP }),
      now: Date.now,
      onApplied: () => {
        void this.replicas
          .reconcile(metaState.image)
          .catch((err) => logger.error({ err }, "replica reconciliation failed"));
        this.mirror?.notifyChange();
      },
    });
    this.currency = new ImageCurrency({
      registered: () => this.readiness.isMet("registered"),
      caughtUp: () => this.readiness.isMet("metadata_caught_up"),
      // Fenced at its own request while shutting down, the image is still current: answer at once
      // (NOT_LEADER_OR_FOLLOWER for what moved away) rather than hold requests until the exit.
      unfenced: () => this.shuttingDown || this.readiness.isMet("unfenced"),
      isMetaLeader: () => metaState.isLeader(),
      sessionTimeoutMs: config.broker.session_timeout_ms,
      now: Date.now,
    });
    this.readiness.onChange(() => this.currency.changed());
    const view = metadataViewOf(metaState, config.cluster_id, () => this.currency.isCurrent());
    this.offsets = new OffsetsTopicBinding({
      replica: (p) => this.replicas.get(OFFSETS_TOPIC, p),
      now: Date.now,
      logger: logger.child({ component: "groups" }),
    });
    const groups = new GroupCoordinator({
      append: this.offsets.append,
      newUuid: randomUUID,
      config: {
        minSessionTimeoutMs: config.groups.min_session_timeout_ms,
        maxSessionTimeoutMs: config.groups.max_session_timeout_ms,
        initialRebalanceDelayMs: config.groups.initial_rebalance_delay_ms,
        offsetsTopicPartitions: config.groups.offsets_partitions,
      },
      logger,
    });
    this.offsets.attach(groups);
    this.leadership = new LeadershipReporter(this.meta, logger);
    this.services = new BrokerServices(config, this.meta, this.replicas, view, groups, logger);
    this.services.onGroupActivity = () => this.offsets.rearm();

    // The Kafka listener first: clients reconnecting to a restarting node are held (gateHandlers) until
    // its image is current, rather than refused, which would grow their reconnect backoff to seconds.
    const handlers = gateHandlers(
      {
        3: createMetadataHandler(view, this.services.onUnknownTopic),
        // Advertises what the server accepts, which it derives from this very table.
        18: createApiVersionsHandler(() => this.kafka.versions),
        ...this.o.handlers?.(this.services, logger),
      },
      this.currency,
      { holdMs: STALE_REQUEST_HOLD_MS, logger },
    );
    const listen = parseHostPort(config.kafka.listen)!;
    this.kafka = new KafkaServer({
      host: listen.host,
      port: listen.port,
      handlers,
      logger,
      maxRequestBytes: config.kafka.max_request_bytes,
      versions: SERVED_VERSION_LIMITS,
    });
    await this.kafka.start();
    this.readiness.set("kafka_listener_bound", true);
    this.startHttp();

    // Then Raft: peers may already be waiting for our votes.
    await this.transport.start();
    this.metaLog = await DurableLog.open({
      dir: join(config.data_dir, META_GROUP),
      recordBatches: false,
      fsync: config.storage.fsync,
      // Small segments: compaction behind an image snapshot removes whole segments.
      segmentBytes: 1024 * 1024,
      logger,
    });
    this.meta.restoreFrom(this.metaLog);
    this.meta.group = await this.runtime.createGroup(
      META_GROUP,
      this.metaLog,
      this.meta,
      { voters, learners: [] },
      // The lowest id (a lone voter included) campaigns at once instead of waiting out a timeout, on a
      // new cluster and on a restart: PreVote and the leader lease keep it from disturbing a live leader.
      { campaign: config.node_id === Math.min(...voters) },
    );

    this.runtime.start();
    this.offsets.start();
    logger.info({ voters }, "waiting for a __meta leader");

    this.startBrokerLifecycle();
    this.timers.push(setInterval(() => this.controllerTick(), CONTROLLER_TICK_MS));
    this.timers.push(setInterval(() => this.refreshLeadership(), 1000));
    const { retention_check_ms, cleaner_backoff_ms } = config.storage;
    this.timers.push(setInterval(() => void this.replicas.enforceRetention(Date.now()), retention_check_ms));
    this.timers.push(setInterval(() => this.replicas.compactLogs(Date.now()), cleaner_backoff_ms));
    void this.readiness.whenReady(this.abort.signal).then(
      () => logger.info({ ms: Date.now() - started }, "node ready"),
      () => undefined,
    );
  }

  private startHttp(): void {
    const { config } = this.o;
    const app = createAdminApp({
      readiness: this.readiness,
      getSnapshot: () => this.meta.state.registrySnapshot(Date.now()),
      now: Date.now,
      metrics: this.metrics,
      refreshMetrics: () => this.refreshMetrics(),
    });
    const listen = parseHostPort(config.http.listen)!;
    this.http = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port });
  }

  private startBrokerLifecycle(): void {
    const { config, logger } = this.o;
    const adv = advertisedKafka(config);
    const own = config.peers.find((p) => p.id === config.node_id)!;
    const record: RegisterBroker = {
      type: "register_broker",
      nodeId: config.node_id,
      incarnationId: randomUUID(),
      ...(this.o.dataDir?.previousIncarnationId
        ? { previousIncarnationId: this.o.dataDir.previousIncarnationId }
        : {}),
      listeners: [{ name: "PLAINTEXT", host: adv.host, port: adv.port }],
      raftAddress: `${parseHostPort(own.addr)!.host}:${own.raft_port}`,
      rack: config.broker.rack ?? null,
      version: VERSION,
      timestamp: Date.now(),
    };
    const state = this.meta.state;
    const forward = async (leaderId: number, kind: string, body: unknown): Promise<MetaReply> =>
      decodeJson<MetaReply>(await this.transport.forward(leaderId, META_GROUP, kind, encodeJson(body), 5000));
    const toOutcome = (r: MetaReply) =>
      r.ok
        ? { ok: true as const, brokerEpoch: r.brokerEpoch!, index: r.index! }
        : { ok: false as const, error: r.error, message: r.message };
    const heartbeatReply = (r: MetaReply) => {
      if (r.ok && r.heartbeat) return r.heartbeat;
      throw new Error(r.ok ? "empty heartbeat reply" : `${r.error}${r.message ? `: ${r.message}` : ""}`);
    };
    this.lifecycle = runBrokerLifecycle({
      signal: this.abort.signal,
      readiness: this.readiness,
      onRegistered: ({ epoch }) => {
        this.services.brokerEpoch = epoch;
        this.currency.noteLeaderContact();
        // The next incarnation on this dir names this one, so it can replace it without waiting.
        void this.o.dataDir
          ?.recordIncarnation(record.incarnationId)
          .catch((err) => logger.warn({ err }, "could not record this incarnation in the data dir"));
      },
      registration: {
        record,
        getMetaLeader: () => state.leader.get(),
        isLocalLeader: () => state.isLeader(),
        proposeLocal: async (r) => toOutcome(await this.meta.handle({ kind: "register", record: r })),
        forward: async (leaderId, r) =>
          toOutcome(await forward(leaderId, "register", { kind: "register", record: r })),
        waitForLeaderChange: (signal) => state.leader.waitForChange(signal),
        waitForApplied: (index, signal) => state.applied.waitFor(index, signal),
        random: Math.random,
        sleep: abortableSleep,
        logger,
      },
      heartbeats: {
        getAppliedIndex: () => state.applied.current,
        getMetaLeader: () => state.leader.get(),
        isLocalLeader: () => state.isLeader(),
        sendLocal: async (hb) => heartbeatReply(await this.meta.handle({ kind: "heartbeat", heartbeat: hb })),
        forward: async (leaderId, hb) =>
          heartbeatReply(await forward(leaderId, "heartbeat", { kind: "heartbeat", heartbeat: hb })),
        waitForLeaderChange: (signal) => state.leader.waitForChange(signal),
        wantShutDown: () => this.shuttingDown,
        onReply: () => this.currency.noteLeaderContact(),
        sleep: abortableSleep,
        logger,
        intervalMs: config.broker.heartbeat_interval_ms,
      },
    }).catch((err) => {
      if (!this.abort.signal.aborted) logger.error({ err }, "broker lifecycle failed");
    });
  }

  // On the meta leader: fencing decisions, and the mirror publisher while leading.
  private controllerTick(): void {
    const { config, logger } = this.o;
    const state = this.meta.state;
    if (state.isLeader()) {
      const records = state.tick(Date.now());
      if (records.length > 0) {
        void this.meta.propose(records).catch((err) => logger.warn({ err }, "controller proposal failed"));
      }
      if (!this.mirror && config.control_plane) {
        this.mirror = startMirrorPublisher({
          url: config.control_plane.url,
          clusterId: config.cluster_id,
          secret: config.control_plane.secret,
          intervalMs: config.control_plane.push_interval_ms,
          backoff: { maxMs: config.control_plane.push_interval_ms },
          getSnapshot: () => state.registrySnapshot(Date.now()),
          logger,
        });
      }
    } else if (this.mirror) {
      void this.mirror.stop();
      this.mirror = undefined;
    }
  }

  private onPartitionLeadership(replica: PartitionReplica, info: LeadershipInfo): void {
    if (info.isLeader && !this.shuttingDown) this.reportLeadership(replica);
    if (replica.topic === OFFSETS_TOPIC)
      void this.offsets.onLeadership(replica.partition, info.isLeader, replica);
  }

  private reportLeadership(replica: PartitionReplica): void {
    this.leadership.report({
      type: "partition_change",
      topic: replica.topic,
      partition: replica.partition,
      leader: this.o.config.node_id,
      leaderEpoch: replica.leaderEpoch,
      isr: replica.inSyncReplicas(),
    });
  }

  // Re-report partitions whose image disagrees with this node's Raft view (lost report, ISR change).
  private refreshLeadership(): void {
    if (this.shuttingDown) return;
    const image = this.meta.state.image;
    for (const r of this.replicas.all()) {
      if (!r.isLeader) continue;
      const p = image.topic(r.topic)?.partitions[r.partition];
      if (!p) continue;
      const isr = r.inSyncReplicas();
      if (
        p.leader !== this.o.config.node_id ||
        p.leaderEpoch !== r.leaderEpoch ||
        isr.join() !== [...p.isr].sort((a, b) => a - b).join()
      ) {
        this.reportLeadership(r);
      }
    }
  }

  private refreshMetrics(): void {
    this.metrics.updateFromSnapshot(this.meta.state.registrySnapshot(Date.now()), this.o.config.node_id);
    const stats = this.runtime.stats();
    this.metrics.setRaft(stats);
    for (; this.electionsCounted < stats.elections; this.electionsCounted++) this.metrics.electionStarted();
  }

  // SIGTERM: move this node's leaderships away and let __meta fence it before stopping (bounded by
  // broker.shutdown_timeout_ms), so clients move on after one metadata refresh and a restart
  // registers at once.
  async controlledShutdown(): Promise<void> {
    this.shuttingDown = true;
    await runControlledShutdown({
      nodeId: this.o.config.node_id,
      brokerEpoch: this.services.brokerEpoch,
      meta: this.meta,
      metaGroup: this.meta.group,
      partitionGroups: () => this.replicas.all().map((r) => r.group),
      timeoutMs: this.o.config.broker.shutdown_timeout_ms,
      logger: this.o.logger,
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    await this.mirror?.stop();
    this.offsets?.stop();
    await this.kafka?.stop();
    this.http?.close();
    await this.runtime?.stop();
    await this.transport?.stop();
    await this.lifecycle;
    await this.replicas?.closeAll();
    await this.metaLog?.close().catch(() => undefined);
  }
}
