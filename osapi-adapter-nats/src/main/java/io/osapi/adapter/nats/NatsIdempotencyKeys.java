package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.IdempotencyKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link IdempotencyKeys} on bucket {@code osapi-idempotency}: one key per idempotency key
 * ({@link NatsLayout#idempotencyKey}), values {@link IdempotencyRecord#toJson}, taken by
 * create-if-absent and changed by the key's revision. nats-server 2.9 has no per-message TTL: the
 * bucket's max age is the window ({@link NatsSettings#idempotencyWindow()}), so a key is dropped
 * by the server that long after its last write. The bucket keeps one value per key, has a byte
 * bound of {@link NatsLimits#IDEMPOTENCY_PERCENT} % of {@link NatsSettings#maxBytes()}; the
 * controllers create it, workers may neither read nor write it. The bucket handle is opened on
 * first use with each provisioned session.
 */
final class NatsIdempotencyKeys implements IdempotencyKeys {
  private final NatsLink backend;
  private final Duration window;
  private final SessionBucket handle;

  NatsIdempotencyKeys(NatsLink backend, Duration window) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.handle = new SessionBucket(backend, NatsLayout.IDEMPOTENCY_BUCKET);
    this.window = Objects.requireNonNull(window, "window");
  }

  /** The configuration of the bucket's stream: max age {@code settings}' window. */
  static StreamConfiguration bucket(NatsSettings settings, StorageType storage) {
    return StreamConfiguration.builder(KeyValueConfiguration.builder()
        .name(NatsLayout.IDEMPOTENCY_BUCKET)
        .description("osapi idempotency keys of job creates")
        .maxHistoryPerKey(1)
        .ttl(settings.idempotencyWindow())
        .maxBucketSize(NatsLimits.share(settings, NatsLimits.IDEMPOTENCY_PERCENT))
        .storageType(storage)
        .replicas(settings.kvReplicas())
        .build()
        .getBackingConfig())
        .build();
  }

  @Override
  public Duration window() {
    return window;
  }

  private KeyValue kv() throws java.io.IOException {
    return handle.kv();
  }

  private long bound() {
    try {
      return NatsLimits.share(backend.requireSession().settings, NatsLimits.IDEMPOTENCY_PERCENT);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public long create(String key, IdempotencyRecord record) {
    try {
      return kv().create(NatsLayout.idempotencyKey(key), bytes(record));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictException("idempotency key " + key + " is taken", e);
      }
      throw full("reserving an idempotency key", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("reserving an idempotency key", e);
    }
  }

  @Override
  public Optional<Versioned<IdempotencyRecord>> get(String key) {
    try {
      KeyValueEntry e = kv().get(NatsLayout.idempotencyKey(key));
      return e == null || e.getValue() == null ? Optional.empty() : Optional.of(read(e));
    } catch (CorruptRecordException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading an idempotency key", e);
    }
  }

  @Override
  public long update(String key, IdempotencyRecord record, long revision) {
    try {
      return kv().update(NatsLayout.idempotencyKey(key), bytes(record), revision);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictException("idempotency key " + key
            + " is no longer at revision " + revision, e);
      }
      throw full("storing the answer of an idempotency key", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("storing the answer of an idempotency key", e);
    }
  }

  @Override
  public boolean release(String key, long revision) {
    try {
      kv().purge(NatsLayout.idempotencyKey(key), revision);
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        return false;
      }
      throw NatsErrors.unavailable("releasing an idempotency key", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("releasing an idempotency key", e);
    }
  }

  private RuntimeException full(String what, JetStreamApiException e) {
    RuntimeException r = NatsErrors.failure(what, e, bound());
    if (r instanceof StoreFullException f) {
      return new StoreFullException(f.limit(), f.max(), "the idempotency keys are full ("
          + NatsLayout.IDEMPOTENCY_BUCKET + ", " + NatsLimits.IDEMPOTENCY_PERCENT
          + " % of --nats-max-bytes): " + what + " was refused; send creates without a key, or"
          + " shorten --idempotency-window");
    }
    return r;
  }

  private static byte[] bytes(IdempotencyRecord r) {
    return r.toJson().getBytes(StandardCharsets.UTF_8);
  }

  private static Versioned<IdempotencyRecord> read(KeyValueEntry e) {
    try {
      return new Versioned<>(IdempotencyRecord.fromJson(
          new String(e.getValue(), StandardCharsets.UTF_8)), e.getRevision());
    } catch (RuntimeException x) {
      throw Records.corrupt("idempotency key " + e.getKey(), x);
    }
  }
}
