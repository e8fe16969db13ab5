import type { JsClientName } from "../clients/js-producer.ts";
import type { Profile } from "../profile.ts";

export interface BenchContext {
  profile: Profile;
  jsClient: JsClientName;
  // Where baselines write; the same filesystem as the clusters' temp data dirs.
  dataDir: string;
  // Undefined when librdkafka (confluent-kafka-python) loads; otherwise why not.
  librdkafkaMissing?: string;
  log: (line: string) => void;
  // Epoch milliseconds after which no further step starts (the run's time budget).
  deadline: number;
}
