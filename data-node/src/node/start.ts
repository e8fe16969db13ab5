import type { NodeConfig } from "../../../shared/config/schema.ts";
import type { Logger } from "../../../shared/log.ts";
import { claimDataDir, type DataDirClaim, DataDirError } from "../storage/data-dir.ts";
import { createKafkaHandlers } from "./handlers.ts";
import { tuneHeapForBuffers } from "./heap-tuning.ts";
import { ChronikNode } from "./node.ts";

// Runs a node until SIGTERM/SIGINT, then stops it in order. Resolves with the exit code.
export async function startNode(config: NodeConfig, configFile: string, logger: Logger): Promise<number> {
  tuneHeapForBuffers();
  // Before anything else touches the dir or binds a port: a second process on it fails here.
  let dataDir: DataDirClaim;
  try {
    dataDir = await claimDataDir(config.data_dir, { clusterId: config.cluster_id, nodeId: config.node_id });
  } catch (err) {
    if (err instanceof DataDirError) logger.fatal({ data_dir: config.data_dir }, err.message);
    else logger.fatal({ err, data_dir: config.data_dir }, "cannot claim the data dir");
    return 1;
  }
  logger.info(
    { data_dir: config.data_dir, previous_incarnation_id: dataDir.previousIncarnationId ?? null },
    "data dir locked",
  );
  const node = new ChronikNode({ config, configFile, logger, handlers: createKafkaHandlers, dataDir });
  try {
    await node.start();
  } catch (err) {
    logger.fatal({ err }, "data node failed to start");
    await node.stop().catch(() => undefined);
    await dataDir.release();
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once("SIGTERM", () => res("SIGTERM"));
    process.once("SIGINT", () => res("SIGINT"));
  });
  logger.info({ signal }, "stopping data node");
  await node.controlledShutdown();
  await node.stop();
  await dataDir.release();
  logger.info("data node stopped");
  return 0;
}
