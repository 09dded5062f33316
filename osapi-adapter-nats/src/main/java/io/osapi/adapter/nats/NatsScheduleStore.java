package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.StreamState;
import io.nats.client.api.Subject;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJson;
import io.osapi.core.schedule.ScheduleStore;
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
 * it asks the bucket's stream for its state and answers what it read at the same state before;
 * only when a write, delete or purge moved the state does it read again, its keys from the
 * stream's subjects and their values by get. jnats' {@code keys()} made an ephemeral consumer
 * per call, which nats-server kept 5 s after: 4 created a second and about 20 standing per idle
 * controller (docs/performance.md).
 */
final class NatsScheduleStore implements ScheduleStore {
  /** What {@link #list} read last, at which session and stream state. */
  private record Listing(NatsSession session, long first, long last, long count,
      List<Versioned<Schedule>> schedules) {
    boolean readAt(NatsSession s, StreamState st) {
      return session == s && first == st.getFirstSequence() && last == st.getLastSequence()
          && count == st.getMsgCount();
    }
  }

  private final NatsLink backend;
  private final SessionBucket handle;
  private volatile Listing listing;

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
      NatsSession s = backend.requireSession();
      // the state first: a write after it and before the reads below makes the next list read
      StreamState st = s.jsm.getStreamInfo(NatsLayout.SCHEDULES_KV_STREAM).getStreamState();
      Listing l = listing;
      if (l != null && l.readAt(s, st)) {
        return l.schedules();
      }
      KeyValue kv = kv();
      List<Subject> subjects = s.jsm.getStreamInfo(NatsLayout.SCHEDULES_KV_STREAM,
          StreamInfoOptions.filterSubjects(NatsLayout.SCHEDULES_KV_ALL)).getStreamState()
          .getSubjects();
      List<Versioned<Schedule>> out = new ArrayList<>();
      for (Subject subject : subjects == null ? List.<Subject>of() : subjects) {
        String key = subject.getName().substring(NatsLayout.SCHEDULES_KV_PREFIX.length());
        KeyValueEntry e = kv.get(key);
        if (e != null && e.getValue() != null) { // a deleted schedule's marker has none
          out.add(read(e));
        }
      }
      out.sort(Comparator.comparing(v -> v.value().name()));
      List<Versioned<Schedule>> read = List.copyOf(out);
      listing = new Listing(s, st.getFirstSequence(), st.getLastSequence(), st.getMsgCount(),
          read);
      return read;
    } catch (CorruptRecordException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing schedules", e);
    }
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
