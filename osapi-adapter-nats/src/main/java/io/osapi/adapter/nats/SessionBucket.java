package io.osapi.adapter.nats;

import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import java.io.IOException;
import java.util.Objects;

/**
 * The handle of one KV bucket that only some processes use (controllers: schedules, idempotency
 * keys), opened on first use with each provisioned session rather than with every session: a
 * worker never opens it, and a new session (after a reconnect that needed one) gets a new handle.
 */
final class SessionBucket {
  private record Handle(NatsSession session, KeyValue kv) {}

  private final NatsLink backend;
  private final String bucket;
  private volatile Handle handle;

  SessionBucket(NatsLink backend, String bucket) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
  }

  /** The bucket of the current session (opened now if this session has none yet). */
  KeyValue kv() throws IOException {
    NatsSession s = backend.requireSession();
    Handle h = handle;
    if (h == null || h.session() != s) {
      KeyValueOptions o = KeyValueOptions.builder().jetStreamOptions(JetStreamOptions.builder()
          .requestTimeout(s.settings.requestTimeout()).build()).build();
      h = new Handle(s, s.conn.keyValue(bucket, o));
      handle = h;
    }
    return h.kv();
  }
}
