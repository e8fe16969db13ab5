CREATE TABLE "brokers" (
	"cluster_id" text NOT NULL,
	"id" integer NOT NULL,
	"incarnation_id" text NOT NULL,
	"state" text NOT NULL,
	"epoch" bigint NOT NULL,
	"listeners" jsonb NOT NULL,
	"raft_address" text NOT NULL,
	"rack" text,
	"version" text NOT NULL,
	"registered_at" bigint NOT NULL,
	"last_heartbeat_at" bigint,
	CONSTRAINT "brokers_cluster_id_id_pk" PRIMARY KEY("cluster_id","id")
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" text PRIMARY KEY NOT NULL,
	"meta_leader_id" integer,
	"meta_term" bigint NOT NULL,
	"meta_commit_index" bigint NOT NULL,
	"voters" integer[] NOT NULL,
	"session_timeout_ms" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mirror_versions" (
	"cluster_id" text PRIMARY KEY NOT NULL,
	"term" bigint NOT NULL,
	"applied_index" bigint NOT NULL,
	"observed_at" bigint NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partitions" (
	"cluster_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"leader" integer,
	"leader_epoch" bigint NOT NULL,
	"replicas" integer[] NOT NULL,
	"isr" integer[] NOT NULL,
	CONSTRAINT "partitions_cluster_id_topic_partition_pk" PRIMARY KEY("cluster_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"cluster_id" text NOT NULL,
	"name" text NOT NULL,
	"topic_id" text NOT NULL,
	"internal" boolean NOT NULL,
	"configs" jsonb NOT NULL,
	CONSTRAINT "topics_cluster_id_name_pk" PRIMARY KEY("cluster_id","name")
);
--> statement-breakpoint
ALTER TABLE "brokers" ADD CONSTRAINT "brokers_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partitions" ADD CONSTRAINT "partitions_cluster_id_topic_topics_cluster_id_name_fk" FOREIGN KEY ("cluster_id","topic") REFERENCES "public"."topics"("cluster_id","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE cascade ON UPDATE no action;