// A connected kafkajs admin client for the length of `fn`, shared by the e2e tests and the bench.
import { type Admin, Kafka, logLevel } from "kafkajs";

export async function withAdmin<T>(
  brokers: string[],
  clientId: string,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
