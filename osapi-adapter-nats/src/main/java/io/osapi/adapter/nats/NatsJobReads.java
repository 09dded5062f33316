package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsJetStreamConstants;
import io.nats.client.support.NatsKeyValueUtil;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.PermanentStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one key of the job bucket: its latest value and revision, or nothing (never written,
 * deleted or purged). With one replica the bucket allows direct gets (see {@link NatsSession};
 * {@link NatsSession.JobBucket#directGets()} as provisioning last found the stream),
 * and a read is one request on subject {@code $JS.API.DIRECT.GET.<stream>.<key's subject>}, its
 * answer taken as nats-server sends it: the value, the revision from {@code Nats-Sequence}, a
 * delete or purge marker from {@code KV-Operation}, status 404 for nothing. jnats' {@code
 * KeyValue.get} sends the same request but formats its subject, splits the answer's subject by a
 * regular expression and parses its time stamp into a {@code ZonedDateTime} on every read, none
 * of which a job read uses. With replicas the reads go through jnats' {@code KeyValue.get}, to the
 * stream leader, as before.
 *
 * <p>{@link #read} keeps trying through a node loss within a bound; {@link #attempt} sends one
 * attempt without taking a thread (many at once: a job's runs), and {@link #readAsync} goes on
 * from a failed one as {@link #read} on the given executor.
 */
final class NatsJobReads {
  /** A key's latest value and its revision. */
  record Entry(byte[] value, long revision) {}

  /**
   * Longest a read keeps trying while connected: a stream leader's election after a node loss,
   * with room.
   */
  static final Duration READ_BOUND = Duration.ofSeconds(10);

  private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int NOT_FOUND = 404;

  private final NatsLink backend;

  NatsJobReads(NatsLink backend) {
    this.backend = backend;
  }

  /**
   * One key's value, or null, read through a node loss within a bound. With replicas the bucket's
   * reads go to its stream leader (see {@link NatsSession}); when the leader's node dies nothing
   * answers until the others elect a new one (2 to 6 s on nats-server 2.9), and the controller's
   * own connection may have been to that node. So an attempt waits at most {@link
   * NatsSession#READ_ATTEMPT}, and a failed one (no answer, no responders, not connected while
   * jnats reconnects) is sent again every 50 ms, for up to {@link #READ_BOUND} while connected,
   * and up to {@link NatsSession#READ_ATTEMPT} from the first while not connected (so with NATS
   * down a read answers 503 after a second, not after the election bound); then {@link
   * BackendUnavailableException}. Reads change nothing, so sending one again is safe.
   *
   * @param what the read, for errors ("reading job ")
   * @param id the job read, for errors
   */
  Entry read(String key, String what, JobId id) {
    requireValid(key, what, id);
    return retried(key, what, id, System.nanoTime());
  }

  /**
   * {@link #read}, its first attempt sent at once without waiting on a thread; a failed one goes
   * on as {@link #read} does on {@code executor}.
   */
  CompletableFuture<Entry> readAsync(String key, String what, JobId id, Executor executor) {
    long start = System.nanoTime();
    CompletableFuture<Entry> first;
    try {
      first = attempt(key, what, id);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // as a read's refusal: in the future, not thrown
    }
    CompletableFuture<Entry> out = new CompletableFuture<>();
    first.whenComplete((e, x) -> {
      if (x == null) {
        out.complete(e);
        return;
      }
      try {
        executor.execute(() -> {
          try {
            out.complete(retried(key, what, id, start));
          } catch (RuntimeException r) {
            out.completeExceptionally(r);
          }
        });
      } catch (RejectedExecutionException r) { // the reader closed: nobody waits for long
        out.completeExceptionally(NatsErrors.unavailable(what + id, r));
      }
    });
    return out;
  }

  /**
   * One attempt of {@link #read}, sent at once without waiting on a thread: completes with the
   * value or null, or exceptionally when it got no answer to keep (then {@link #read} is the way
   * on), at once so when reads are not direct gets (replicas: jnats' reads block) or the request
   * could not be sent. Throws only {@link PermanentStoreException}, for a key NATS cannot take.
   */
  CompletableFuture<Entry> attempt(String key, String what, JobId id) {
    requireValid(key, what, id);
    NatsSession s;
    try {
      s = backend.requireSession();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!backend.jobBucket().directGets()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("not a direct get: read with a thread"));
    }
    try {
      return directGet(s, key);
    } catch (RuntimeException e) { // a connection closed under it: the way on tries again
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The direct get of {@code key}, sent: completes with its {@link #answer}, exceptionally with an
   * {@link UncheckedIOException} for an answer not to keep. Bounded by jnats: a request past its
   * timeout fails at the connection's next cleanup, every half request timeout ({@link
   * NatsOptions}); a timer of its own per read would wake a thread per read.
   */
  private static CompletableFuture<Entry> directGet(NatsSession s, String key) {
    return s.conn.requestWithTimeout(NatsLayout.jobsDirectGet(key), null, null, s.readAttempt)
        .thenApply(m -> {
          try {
            return answer(m, key);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * What {@code first} (an {@link #attempt} of {@code key}) read, waited for; when it got no
   * answer to keep, the key read as {@link #read} reads it.
   */
  Entry awaitOrRead(CompletableFuture<Entry> first, String key, String what, JobId id) {
    try {
      return first.join();
    } catch (CompletionException | CancellationException e) {
      return read(key, what, id);
    }
  }

  private static void requireValid(String key, String what, JobId id) {
    if (!NatsLayout.validKey(key)) {
      throw new PermanentStoreException(what + id + ": key '" + key + "' is not a valid NATS key",
          null);
    }
  }

  private Entry retried(String key, String what, JobId id, long start) {
    while (true) {
      try {
        return once(backend.requireSession(), key);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          throw NatsErrors.unavailable(what + id, e);
        }
        if (NatsErrors.permanent(e)) {
          throw NatsErrors.refused(what + id, e);
        }
        long bound = backend.isConnected() ? READ_BOUND.toNanos()
            : NatsSession.READ_ATTEMPT.toNanos();
        if (backend.isGone() || System.nanoTime() + RETRY_PAUSE_NANOS - start >= bound) {
          throw e instanceof BackendUnavailableException bu ? bu
              : NatsErrors.unavailable(what + id, e);
        }
        LockSupport.parkNanos(RETRY_PAUSE_NANOS);
      }
    }
  }

  /** One attempt: the value, or null; throws when it got no answer to keep. */
  private Entry once(NatsSession s, String key) throws Exception {
    if (!backend.jobBucket().directGets()) {
      KeyValueEntry e = s.jobsKvReads.get(key);
      return e == null || e.getValue() == null ? null : new Entry(e.getValue(), e.getRevision());
    }
    return directGet(s, key).get(s.readAttempt.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * A direct get's answer: null for status 404 (nothing under the key), a delete or purge marker
   * or an empty value (as jnats' {@code KeyValueEntry} has no value then).
   *
   * @throws IOException for another status, or an answer without its sequence
   */
  static Entry answer(Message m, String key) throws IOException {
    if (m.isStatusMessage()) {
      if (m.getStatus().getCode() == NOT_FOUND) {
        return null;
      }
      throw new IOException("direct get of " + key + " answered " + m.getStatus().getCode()
          + " " + m.getStatus().getMessage());
    }
    Headers h = m.getHeaders();
    String op = h == null ? null : h.getFirst(NatsKeyValueUtil.KV_OPERATION_HEADER_KEY);
    byte[] data = m.getData();
    if ((op != null && !op.equals("PUT")) || data == null || data.length == 0) {
      return null;
    }
    String seq = h == null ? null : h.getFirst(NatsJetStreamConstants.NATS_SEQUENCE);
    if (seq == null) {
      throw new IOException("direct get of " + key + " answered without "
          + NatsJetStreamConstants.NATS_SEQUENCE);
    }
    return new Entry(data, Long.parseLong(seq));
  }
}
