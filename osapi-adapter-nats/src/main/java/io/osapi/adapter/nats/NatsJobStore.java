package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PurgeResponse;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link JobStore} on KV bucket {@code osapi-jobs}.
 *
 * <p>Keys: {@code jobs.<id>} (the record), {@code status.<id>.<event>.<worker>.<nanos>} and {@code
 * responses.<id>.<worker>.<nanos>} ({@code <worker>} sanitised), each key written once, and
 * {@code claims.<id>} (which worker runs an {@code _any} job, written by the queue). {@link
 * #create} is a synchronous create-if-absent. Events and results are asynchronous JetStream
 * publishes to the bucket's subjects ({@code $KV.osapi-jobs.<key>}) that return a future at once,
 * pipelined, except that a terminal event waits for the same thread's result of that job (see
 * {@link #write}), so a worker can issue a result and the terminal event back to back and wait for
 * both. Listings read the subjects of one job ({@code
 * status.<id>.>}) or key names only ({@code jobs.*}, {@code status.>} for {@link #index()}),
 * never the whole bucket's values.
 */
final class NatsJobStore implements JobStore {
  private static final System.Logger LOG = System.getLogger(NatsJobStore.class.getName());
  private static final java.util.concurrent.ScheduledExecutorService RETRY =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "osapi-nats-write-retry");
            t.setDaemon(true);
            return t;
          });

  /**
   * Sends writes that waited for an earlier one, off the jnats thread that completed it (a
   * publish may block briefly when the outgoing queue is full; that thread must not).
   */
  private static final java.util.concurrent.Executor CHAINED =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "osapi-nats-chained-write");
            t.setDaemon(true);
            return t;
          });

  private final NatsBackend backend;
  /** Records whose create failed with an unknown outcome, with when: see {@link #create}. */
  private final java.util.Map<JobId, Long> maybeStored =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean removalScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  /** The calling thread's latest event or result write. */
  private final ThreadLocal<Last> lastWrite = new ThreadLocal<>();

  NatsJobStore(NatsBackend backend) {
    this.backend = backend;
  }

  @Override
  public void create(Job job) {
    NatsSession s = backend.requireSession();
    try {
      s.jobsKv.create(NatsLayout.jobKey(job.id()), Records.job(job));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        throw new IllegalStateException("job " + job.id() + " exists already", e);
      }
      throw NatsErrors.unavailable("storing job " + job.id(), e);
    } catch (Exception e) {
      if (NatsErrors.outcomeUnknown(e)) {
        // The server may have stored it (the answer was lost as NATS went away) although the
        // caller hears "failed" and will not publish it: removed later, see removeUnconfirmed.
        maybeStored.put(job.id(), System.nanoTime());
        scheduleRemoval();
      }
      throw NatsErrors.unavailable("storing job " + job.id(), e);
    }
  }

  private void scheduleRemoval() {
    if (removalScheduled.compareAndSet(false, true)) {
      RETRY.schedule(this::removeUnconfirmed, 500, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Deletes the records whose create failed with an unknown outcome, so that a refused job does
   * not stay "submitted" for ever. Runs on the retry thread, every 500 ms while there are any,
   * once connected: first a flush (a round trip that a create jnats still held across the
   * reconnect has reached the server before), then the deletes. Gives up on a record after ten
   * minutes.
   */
  private void removeUnconfirmed() {
    removalScheduled.set(false);
    if (backend.isGone()) {
      return;
    }
    long now = System.nanoTime();
    if (backend.isConnected()) {
      try {
        NatsSession s = backend.requireSession();
        s.conn.flush(backend.settings().requestTimeout());
        for (JobId id : List.copyOf(maybeStored.keySet())) {
          if (delete(id)) {
            LOG.log(Level.INFO, "removed job record {0}: its create was answered with a failure"
                + " but had been stored", id);
          }
          maybeStored.remove(id);
        }
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "removing job records of failed creates, trying again: {0}",
            e.getMessage());
      }
    }
    maybeStored.values().removeIf(t -> now - t > TimeUnit.MINUTES.toNanos(10));
    if (!maybeStored.isEmpty()) {
      scheduleRemoval();
    }
  }

  @Override
  public Optional<Job> find(JobId id) {
    NatsSession s = backend.requireSession();
    KeyValueEntry entry;
    try {
      entry = s.jobsKv.get(NatsLayout.jobKey(id));
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading job " + id, e);
    }
    if (entry == null || entry.getValue() == null) {
      return Optional.empty();
    }
    return Optional.of(Records.job(id, entry.getValue()));
  }

  @Override
  public CompletableFuture<Void> appendEvent(StatusEvent event) {
    String key =
        NatsLayout.eventKey(event.jobId(), event.type().wire(), event.worker(), keyNanos(event.time()));
    if (event.type() == EventType.RELEASED) {
      return writeWhenConnected(key, Records.event(event), "writing event released", event.jobId());
    }
    return write(
        key,
        Records.event(event),
        "writing event " + event.type().wire(),
        event.jobId(),
        event.type().terminal());
  }

  @Override
  public CompletableFuture<Void> putResult(JobResult result) {
    String key = NatsLayout.resultKey(result.jobId(), result.worker(), keyNanos(result.time()));
    return write(key, Records.result(result), "writing result", result.jobId(), false);
  }

  /**
   * Publishes one write of {@code job}; a {@code terminal} event only once the calling thread's
   * previous write, if it was for the same job (its result), is confirmed.
   *
   * <p>Publishes on one connection reach the server in order while the connection lasts, but not
   * across a reconnect: jnats loses what was being written when the socket broke and resends what
   * was still queued, so a later write could be stored while an earlier one is lost. Most writes do
   * not mind (an {@code acknowledged} or {@code started} event lost beside a stored result changes
   * nothing, statuses go by priority), so they go out at once, pipelined. The one order that
   * matters is a result before its terminal event (a terminal event without its result would
   * report a job finished with nothing to show), so a terminal event issued while the same
   * thread's previous write is unconfirmed is sent only once that one is confirmed, and fails
   * without being sent if that one failed. A write issued while the connection is down fails at
   * once.
   */
  private CompletableFuture<Void> write(
      String key, byte[] value, String what, JobId job, boolean terminal) {
    Last last = lastWrite.get();
    CompletableFuture<Void> prev =
        terminal && last != null && last.job().equals(job) ? last.write() : null;
    CompletableFuture<Void> next;
    if (!backend.isConnected()) {
      // Not even queued behind an earlier write: a result finished during an outage must not be
      // stored after it, when the server may already have handed the job to another worker.
      next = CompletableFuture.failedFuture(unavailableNow(what));
    } else if (prev == null || (prev.isDone() && !prev.isCompletedExceptionally())) {
      next = publish(key, value, what);
    } else {
      next =
          prev.handle((v, err) -> err)
              .thenComposeAsync(
                  err ->
                      err == null
                          ? publish(key, value, what)
                          : CompletableFuture.failedFuture(
                              new BackendUnavailableException(
                                  "NATS " + what + " not sent: the job's result was not stored",
                                  NatsErrors.unwrap(err))),
                  CHAINED);
    }
    lastWrite.set(new Last(job, next));
    return next;
  }

  /** A thread's last write: for which job, and its outcome. */
  private record Last(JobId job, CompletableFuture<Void> write) {}

  /**
   * Publishes one key with {@code Nats-Msg-Id} = the key. While the connection is up, a write whose
   * outcome is unknown (no answer in time, no responders or JetStream unavailable during a
   * cluster fail-over) is sent again until twice the request timeout has passed: the bucket's
   * duplicate window makes a retry of a write that was stored after all a no-op, so a lost
   * acknowledgement does not turn into a "failed" write that in fact happened. Without a
   * connection, or once the connection went down and came back since the write was issued, it
   * fails: the worker then hands the job back rather than finish it late, after the server may
   * already have given it to another worker.
   */
  /**
   * A {@code released} event (the worker hands the job back) is the one write worth sending late:
   * it says the worker is no longer on the job, so without it a worker that lost its connection
   * would look busy with the job for ever. Issued while disconnected, it waits (up to a minute)
   * for the connection instead of failing; like every write it carries {@code Nats-Msg-Id}.
   */
  private CompletableFuture<Void> writeWhenConnected(
      String key, byte[] value, String what, JobId job) {
    if (backend.isConnected()) {
      return write(key, value, what, job, false);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    Runnable[] poll = new Runnable[1];
    poll[0] =
        () -> {
          if (backend.isConnected()) {
            publish(key, value, what).whenComplete((v, e) -> {
              if (e == null) {
                done.complete(null);
              } else {
                done.completeExceptionally(e);
              }
            });
          } else if (System.nanoTime() > deadline || !backend.wasReady() || backend.isGone()) {
            done.completeExceptionally(unavailableNow(what));
          } else {
            RETRY.schedule(poll[0], 250, TimeUnit.MILLISECONDS);
          }
        };
    RETRY.schedule(poll[0], 250, TimeUnit.MILLISECONDS);
    return done;
  }

  private BackendUnavailableException unavailableNow(String what) {
    try {
      backend.requireSession();
      return new BackendUnavailableException("NATS " + what + " failed: not connected", null);
    } catch (BackendUnavailableException e) {
      return e;
    }
  }

  private CompletableFuture<Void> publish(String key, byte[] value, String what) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + backend.settings().requestTimeout().multipliedBy(2).toNanos();
    attempt(key, value, what, deadline, backend.connectionEpoch(), 0, done);
    return done;
  }

  private void attempt(
      String key,
      byte[] value,
      String what,
      long deadline,
      long epoch,
      int n,
      CompletableFuture<Void> done) {
    CompletableFuture<io.nats.client.api.PublishAck> f;
    try {
      NatsSession s = backend.requireSession();
      f =
          s.js.publishAsync(
                  NatsLayout.JOBS_KV_PREFIX + key,
                  value,
                  PublishOptions.builder()
                      .expectedStream(NatsLayout.JOBS_KV_STREAM)
                      .messageId(key)
                      .build())
              .orTimeout(s.settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (ack, err) -> {
          Throwable e =
              err != null
                  ? NatsErrors.unwrap(err)
                  : ack.hasError() ? new IllegalStateException(ack.getError()) : null;
          if (e == null) {
            done.complete(null);
          } else if (NatsErrors.outcomeUnknown(e)
              && backend.isConnected()
              && backend.connectionEpoch() == epoch
              && System.nanoTime() < deadline) {
            long delay = Math.min(500L, 100L << Math.min(3, n));
            LOG.log(Level.DEBUG, "{0} of {1}: retrying in {2} ms after {3}", what, key, delay,
                NatsErrors.describe(e));
            RETRY.schedule(
                () -> attempt(key, value, what, deadline, epoch, n + 1, done),
                delay,
                TimeUnit.MILLISECONDS);
          } else {
            done.completeExceptionally(NatsErrors.unavailable(what, e));
          }
        });
  }

  /**
   * The time part of a key: the record's own time, nothing added, so that writing the same record
   * again (a worker retrying an outcome whose first write timed out) gives the same key and is
   * stored once. Two different records of one job, kind and worker at the same nanosecond do not
   * happen (the clock resolves microseconds here, and a worker's records of one job are apart).
   */
  private static long keyNanos(java.time.Instant time) {
    return Records.nanos(time);
  }

  @Override
  public List<StatusEvent> events(JobId id) {
    List<StatusEvent> out = new ArrayList<>();
    readJobKeys(id, "status.", "events", m -> out.add(Records.event(m.getData())));
    return out;
  }

  @Override
  public List<JobResult> results(JobId id) {
    List<JobResult> out = new ArrayList<>();
    readJobKeys(id, "responses.", "results", m -> out.add(Records.result(m.getData())));
    return out;
  }

  /**
   * Events and results in one pass ({@code *.<id>.>}: status and responses keys, not the record or
   * the claim), instead of one pass for each: the last look-up of a pass scans the bucket from the
   * job's record to its end, which is what a job's detail costs in a large bucket.
   */
  @Override
  public io.osapi.core.domain.JobHistory history(JobId id) {
    List<StatusEvent> events = new ArrayList<>();
    List<JobResult> results = new ArrayList<>();
    String status = NatsLayout.JOBS_KV_PREFIX + "status.";
    String responses = NatsLayout.JOBS_KV_PREFIX + "responses.";
    readJobKeys(id, "*.", "events and results", m -> {
      if (m.getSubject().startsWith(status)) {
        events.add(Records.event(m.getData()));
      } else if (m.getSubject().startsWith(responses)) {
        results.add(Records.result(m.getData()));
      }
    });
    return new io.osapi.core.domain.JobHistory(events, results);
  }

  /**
   * Reads the values under {@code <kind><id>.>} one by one, starting at the job record's sequence
   * (a job's events and results are written after it), so no consumer is needed.
   */
  private void readJobKeys(
      JobId id,
      String kind,
      String what,
      java.util.function.Consumer<io.nats.client.api.MessageInfo> parse) {
    NatsSession s = backend.requireSession();
    try {
      io.nats.client.api.MessageInfo rec =
          s.last(NatsLayout.JOBS_KV_STREAM, NatsLayout.JOBS_KV_PREFIX + NatsLayout.jobKey(id));
      long from = rec == null ? 1 : rec.getSeq();
      s.readEach(
          NatsLayout.JOBS_KV_STREAM,
          NatsLayout.JOBS_KV_PREFIX + kind + id.value() + ".>",
          from,
          m -> {
            try {
              parse.accept(m);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "skipping unreadable value {0}: {1}", m.getSubject(),
                  e.getMessage());
            }
          });
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading " + what + " of job " + id, e);
    }
  }

  @Override
  public Map<JobId, List<EventKey>> index() {
    NatsSession s = backend.requireSession();
    List<String> jobSubjects;
    List<String> statusSubjects;
    try {
      jobSubjects = s.scanSubjects(NatsLayout.JOBS_KV_STREAM, NatsLayout.JOBS_KV_PREFIX + "jobs.*");
      statusSubjects =
          s.scanSubjects(NatsLayout.JOBS_KV_STREAM, NatsLayout.JOBS_KV_PREFIX + "status.>");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("listing jobs", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing jobs", e);
    }
    int jobsPrefix = NatsLayout.JOBS_KV_PREFIX.length() + "jobs.".length();
    TreeMap<JobId, List<EventKey>> sorted = new TreeMap<>(Comparator.reverseOrder());
    for (String subject : jobSubjects) {
      JobId id = jobId(subject.substring(jobsPrefix));
      if (id != null) {
        sorted.put(id, new ArrayList<>());
      }
    }
    Map<String, JobId> ids = new HashMap<>();
    sorted.keySet().forEach(id -> ids.put(id.value(), id));
    int statusPrefix = NatsLayout.JOBS_KV_PREFIX.length() + "status.".length();
    for (String subject : statusSubjects) {
      // status.<id>.<event>.<worker>.<nanos>
      String[] t = subject.substring(statusPrefix).split("\\.");
      if (t.length != 4) {
        continue;
      }
      JobId id = ids.get(t[0]);
      if (id == null) {
        continue; // events of a deleted (or not yet visible) job
      }
      EventType type;
      try {
        type = EventType.fromWire(t[1]);
      } catch (InvalidInputException e) {
        LOG.log(Level.DEBUG, "skipping unknown event key {0}", subject);
        continue;
      }
      long nanos;
      try {
        nanos = Long.parseLong(t[3]);
      } catch (NumberFormatException e) {
        nanos = 0L;
      }
      sorted.get(id).add(new EventKey(type, t[2], nanos));
    }
    Map<JobId, List<EventKey>> out = new LinkedHashMap<>();
    sorted.forEach((id, keys) -> out.put(id, List.copyOf(keys)));
    return out;
  }

  private static JobId jobId(String token) {
    try {
      return JobId.parse(token);
    } catch (InvalidInputException e) {
      LOG.log(Level.DEBUG, "skipping key jobs.{0}: not a job id", token);
      return null;
    }
  }

  @Override
  public boolean delete(JobId id) {
    NatsSession s = backend.requireSession();
    try {
      PurgeResponse job =
          s.jsm.purgeStream(
              NatsLayout.JOBS_KV_STREAM,
              io.nats.client.PurgeOptions.subject(
                  NatsLayout.JOBS_KV_PREFIX + NatsLayout.jobKey(id)));
      s.jsm.purgeStream(
          NatsLayout.JOBS_KV_STREAM,
          io.nats.client.PurgeOptions.subject(
              NatsLayout.JOBS_KV_PREFIX + NatsLayout.claimKey(id)));
      for (String kind : new String[] {"status.", "responses."}) {
        s.jsm.purgeStream(
            NatsLayout.JOBS_KV_STREAM,
            io.nats.client.PurgeOptions.subject(
                NatsLayout.JOBS_KV_PREFIX + kind + id.value() + ".>"));
      }
      return job.getPurged() > 0;
    } catch (Exception e) {
      throw NatsErrors.unavailable("deleting job " + id, e);
    }
  }
}
