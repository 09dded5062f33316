package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJson;
import io.osapi.core.schedule.ScheduleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link ScheduleStore} on bucket {@code osapi-schedules}: one key per schedule ({@link
 * NatsLayout#scheduleKey}), values in {@link ScheduleJson}, creates and updates by the key's
 * revision (a create where a deleted schedule's marker stands is made over it, as jnats does). The
 * bucket keeps one value per key, has no TTL and a byte bound of {@link
 * NatsLimits#SCHEDULES_PERCENT} % of {@link NatsSettings#maxBytes()}; the controllers create it, workers may neither read nor write it.
 * The bucket handle is opened on first use with each provisioned session (a worker never opens
 * it).
 *
 * <p>A {@link #list} (each controller's scheduler lists a few times a second) makes no consumer:
 * it answers what it read at the same state of the bucket's stream ({@link StreamStateCache}),
 * reading again, keys from the stream's subjects and values by get, only when the state moved.
 * jnats' {@code keys()} made an ephemeral consumer per call, which nats-server kept 5 s after: 4
 * created a second and about 20 standing per idle controller (docs/performance.md).
 */
final class NatsScheduleStore implements ScheduleStore {
  private final NatsLink backend;
  private final SessionBucket handle;
  private final StreamStateCache<List<Versioned<Schedule>>> listing =
      new StreamStateCache<>(NatsLayout.SCHEDULES_KV_STREAM, Duration.ZERO, this::readAll);

  NatsScheduleStore(NatsLink backend) {
    this.backend = backend;
    this.handle = new SessionBucket(backend, NatsLayout.SCHEDULES_BUCKET);
  }

  /** The configuration of the bucket's stream. */
  static StreamConfiguration bucket(NatsSettings settings, StorageType storage) {
    return StreamConfiguration.builder(KeyValueConfiguration.builder()
        .name(NatsLayout.SCHEDULES_BUCKET)
        .description("osapi schedules")
        .maxHistoryPerKey(1)
        .maxBucketSize(NatsLimits.share(settings, NatsLimits.SCHEDULES_PERCENT))
        .storageType(storage)
        .replicas(settings.kvReplicas())
        .build()
        .getBackingConfig())
        .maxMessages(ScheduleStore.MAX_SCHEDULES * 2L) // values and delete markers
        .build();
  }

  private KeyValue kv() throws java.io.IOException {
    return handle.kv();
  }

  @Override
  public long create(Schedule schedule) {
    try {
      return kv().create(NatsLayout.scheduleKey(schedule.name()), ScheduleJson.write(schedule));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictException("schedule " + schedule.name() + " exists", e);
      }
      throw NatsErrors.unavailable("creating schedule " + schedule.name(), e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("creating schedule " + schedule.name(), e);
    }
  }

  @Override
  public Optional<Versioned<Schedule>> get(String name) {
    try {
      KeyValueEntry e = kv().get(NatsLayout.scheduleKey(name));
      return e == null || e.getValue() == null ? Optional.empty() : Optional.of(read(e));
    } catch (CorruptRecordException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading schedule " + name, e);
    }
  }

  @Override
  public List<Versioned<Schedule>> list() {
    try {
      return listing.get(backend.requireSession());
    } catch (CorruptRecordException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing schedules", e);
    }
  }

  private List<Versioned<Schedule>> readAll(NatsSession s) throws Exception {
    KeyValue kv = kv();
    List<Versioned<Schedule>> out = new ArrayList<>();
    for (String key : StreamStateCache.keys(s, NatsLayout.SCHEDULES_KV_STREAM,
        NatsLayout.SCHEDULES_KV_PREFIX, NatsLayout.SCHEDULES_KV_ALL)) {
      KeyValueEntry e = kv.get(key);
      if (e != null && e.getValue() != null) { // a deleted schedule's marker has none
        out.add(read(e));
      }
    }
    out.sort(Comparator.comparing(v -> v.value().name()));
    return List.copyOf(out);
  }

  @Override
  public long update(Schedule schedule, long revision) {
    try {
      return kv().update(NatsLayout.scheduleKey(schedule.name()), ScheduleJson.write(schedule),
          revision);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictException("schedule " + schedule.name()
            + " is no longer at revision " + revision, e);
      }
      throw NatsErrors.unavailable("changing schedule " + schedule.name(), e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("changing schedule " + schedule.name(), e);
    }
  }

  @Override
  public boolean delete(String name) {
    try {
      KeyValue kv = kv();
      KeyValueEntry e = kv.get(NatsLayout.scheduleKey(name));
      if (e == null || e.getValue() == null) {
        return false;
      }
      kv.purge(NatsLayout.scheduleKey(name), e.getRevision());
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        return delete(name); // fired meanwhile: delete what is there now
      }
      throw NatsErrors.unavailable("deleting schedule " + name, e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("deleting schedule " + name, e);
    }
  }

  private static Versioned<Schedule> read(KeyValueEntry e) {
    try {
      return new Versioned<>(ScheduleJson.read(e.getValue()), e.getRevision());
    } catch (RuntimeException x) {
      throw Records.corrupt("schedule " + e.getKey(), x);
    }
  }
}
