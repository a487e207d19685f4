/*
 * Confluent.Kafka 2.15.1 calls a few librdkafka functions that appeared after 2.0.2, the
 * version Debian 12 ships (librdkafka1), on its ordinary consume and offset paths. This
 * library supplies them with the "unknown leader epoch" answer (-1) and depends on the system
 * librdkafka.so.1 for everything else: Confluent.Kafka's P/Invokes are pointed at this file,
 * and symbol lookup falls through to librdkafka through the dependency.
 */
#include <stdint.h>

typedef struct rd_kafka_message_s rd_kafka_message_t;
typedef struct rd_kafka_topic_partition_s rd_kafka_topic_partition_t;

int32_t rd_kafka_message_leader_epoch(const rd_kafka_message_t *rkmessage) {
        (void)rkmessage;
        return -1;
}

int32_t rd_kafka_topic_partition_get_leader_epoch(const rd_kafka_topic_partition_t *rktpar) {
        (void)rktpar;
        return -1;
}

void rd_kafka_topic_partition_set_leader_epoch(rd_kafka_topic_partition_t *rktpar, int32_t leader_epoch) {
        (void)rktpar;
        (void)leader_epoch;
}
