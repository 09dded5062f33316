package io.osapi.adapter.nats;

import io.nats.client.api.StreamInfo;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.StoreUsage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How full bucket {@code osapi-jobs} is, for the create bound: the bytes measured by the last
 * {@link #read()} (the stream's state), plus what this process wrote since. Creates are refused
 * past {@link NatsLimits#createBound} of the bucket's byte bound, so that the runs of the jobs it
 * holds (claims, results, failures) and deletes (purge markers) still fit; a write refused by the
 * server's own storage marks the store full for {@link #SERVER_FULL_NANOS} or until a write
 * succeeds.
 */
final class NatsStoreUsage {
  /** How long a refusal for want of server storage counts as "full" without a newer write. */
  private static final long SERVER_FULL_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** What a stored message costs besides its subject, headers and value (file store record). */
  private static final int OVERHEAD = 48;

  private final NatsLink backend;
  private volatile long measured;
  private final AtomicLong since = new AtomicLong();
  private volatile long serverFullAt;
  private volatile String serverFull;
  private volatile long readAt;
  /** The size of the last create refused by the bound, 0 once a create went in after it. */
  private volatile long refusedSize;
  private final java.util.concurrent.atomic.AtomicBoolean reading =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** How often the bucket is measured at most while creates come near the bound. */
  private static final long NEAR_READ_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  NatsStoreUsage(NatsLink backend) {
    this.backend = backend;
  }

  /** The bytes a message takes in the stream, about. */
  static long size(String subject, int headers, int value) {
    return subject.length() + headers + value + OVERHEAD;
  }

  /** Why a create of {@code size} bytes is refused, or null when it may go on. */
  StoreFullException refuseCreate(long size) {
    long bound = backend.jobBucket().maxBytes();
    if (bound <= 0) {
      return null;
    }
    long limit = NatsLimits.createBound(bound);
    long held = measured + since.get();
    if (held > limit / 2 && size > 0) {
      measureSoon(); // near the bound: the workers' writes count too, and they are not seen here
    }
    if (held + size <= limit) {
      if (size > 0 && refusedSize != 0) {
        refusedSize = 0;
      }
      return null;
    }
    if (size > 0) {
      refusedSize = size;
    }
    return new StoreFullException(StoreFullException.Limit.BUCKET, bound, full(held, bound));
  }

  private static String full(long held, long bound) {
    return "the job store is full: bucket " + NatsLayout.JOBS_BUCKET + " holds about " + held
        + " bytes, and new jobs stop at " + NatsLimits.createBound(bound) + " bytes (" + (100
        - NatsLimits.HEADROOM_PERCENT) + " % of its bound of " + bound + " bytes; the rest is"
        + " kept for the runs of the jobs it holds)";
  }

  /** This process stored {@code size} bytes. */
  void wrote(long size) {
    since.addAndGet(size);
    if (serverFull != null) {
      serverFull = null;
    }
  }

  /** A write was refused for want of room. */
  void refused(StoreFullException e) {
    if (e.limit() == StoreFullException.Limit.SERVER) {
      serverFull = e.getMessage();
      serverFullAt = System.nanoTime();
    } else {
      long bound = backend.jobBucket().maxBytes();
      if (bound > measured) {
        measured = bound; // full until the next read says otherwise
      }
    }
  }

  /** Measures the bucket in the background, unless measured in the last half second. */
  private void measureSoon() {
    if (System.nanoTime() - readAt < NEAR_READ_NANOS || !reading.compareAndSet(false, true)) {
      return;
    }
    try {
      backend.retry().execute(() -> {
        try {
          read();
        } catch (RuntimeException e) {
          // measured again by the next create near the bound, or the controller's refresh
        } finally {
          reading.set(false);
        }
      });
    } catch (RuntimeException e) {
      reading.set(false); // closed
    }
  }

  /** Measures the bucket (one request) and says how full it is. */
  StoreUsage read() {
    long bound = backend.jobBucket().maxBytes();
    long bytes;
    try {
      // writes acknowledged before the request are in the stream's count; those made while it
      // runs may be too, and stay counted here (an overcount refuses early, never late)
      long before = since.get();
      StreamInfo si = backend.requireSession().jsm.getStreamInfo(NatsLayout.JOBS_KV_STREAM);
      since.addAndGet(-before);
      bytes = si.getStreamState().getByteCount();
      measured = bytes;
      readAt = System.nanoTime();
    } catch (Exception e) {
      throw NatsErrors.unavailable("measuring the job store", e);
    }
    String server = serverFull;
    if (server != null && System.nanoTime() - serverFullAt > SERVER_FULL_NANOS) {
      serverFull = null;
      server = null;
    }
    // full while the last create refused would be refused again (or the bucket is past the bound)
    boolean over = bound > 0 && bytes + Math.max(1, refusedSize) > NatsLimits.createBound(bound);
    String reason = server != null ? server : over ? full(bytes, bound) : null;
    return new StoreUsage(bytes, Math.max(0, bound), reason != null, reason);
  }
}
