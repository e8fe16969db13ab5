// KIP-430 authorized operations, as Kafka answers them without an authorizer: a bit (1 << code) for
// every ACL operation the resource type supports, and this value when the client did not ask.

export const OPERATIONS_NOT_REQUESTED = -2147483648;

// Kafka's AclOperation codes.
const READ = 3;
const WRITE = 4;
const CREATE = 5;
const DELETE = 6;
const ALTER = 7;
const DESCRIBE = 8;
const CLUSTER_ACTION = 9;
const DESCRIBE_CONFIGS = 10;
const ALTER_CONFIGS = 11;
const IDEMPOTENT_WRITE = 12;

const bits = (...ops: number[]) => ops.reduce((field, op) => field | (1 << op), 0);

export const TOPIC_OPERATIONS = bits(
  READ,
  WRITE,
  CREATE,
  DESCRIBE,
  DELETE,
  ALTER,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
);
export const CLUSTER_OPERATIONS = bits(
  CREATE,
  CLUSTER_ACTION,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
  IDEMPOTENT_WRITE,
  ALTER,
  DESCRIBE,
);
