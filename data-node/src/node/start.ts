import type { NodeConfig } from "../../../shared/config/schema.ts";
import type { Logger } from "../../../shared/log.ts";
import { createKafkaHandlers } from "./handlers.ts";
import { tuneHeapForBuffers } from "./heap-tuning.ts";
import { ChronikNode } from "./node.ts";

// Runs a node until SIGTERM/SIGINT, then stops it in order. Resolves with the exit code.
export async function startNode(config: NodeConfig, configFile: string, logger: Logger): Promise<number> {
  tuneHeapForBuffers();
  const node = new ChronikNode({ config, configFile, logger, handlers: createKafkaHandlers });
  try {
    await node.start();
  } catch (err) {
    logger.fatal({ err }, "data node failed to start");
    await node.stop().catch(() => undefined);
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once("SIGTERM", () => res("SIGTERM"));
    process.once("SIGINT", () => res("SIGINT"));
  });
  logger.info({ signal }, "stopping data node");
  await node.transferLeaderships();
  await node.stop();
  logger.info("data node stopped");
  return 0;
}
