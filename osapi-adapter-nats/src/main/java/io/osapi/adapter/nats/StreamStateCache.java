package io.osapi.adapter.nats;

import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.StreamState;
import io.nats.client.api.Subject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A value read from a bucket's stream, kept while the stream's state (first and last sequence,
 * message count) and the session are those it was read at: each {@link #get} asks the stream for
 * its state (one request, no consumer) and reads again only when a write, delete, purge or limit
 * moved it. The state is taken before the read, so a write during the read makes the next get read
 * again. For listings that are read far more often than the bucket changes (schedules, drain
 * requests), where jnats' {@code keys()} made an ephemeral consumer per call.
 *
 * <p>With a {@code reuseFor} above zero, a value checked less than that long ago is answered
 * without asking (so a read is at most that stale, for another process's writes); {@link #forget}
 * drops the value, for this process's own writes, which the next read then sees.
 *
 * @param <T> what is read: immutable, as every caller gets the same
 */
final class StreamStateCache<T> {
  /** Reads the value. */
  interface Reader<T> {
    T read(NatsSession session) throws Exception;
  }

  private record Kept<T>(NatsSession session, long first, long last, long count, T value,
      long checked) {}

  private final String stream;
  private final Reader<T> reader;
  private final long reuseNanos;
  private volatile Kept<T> kept;
  private long forgotten; // guarded by this: a read begun before a forget does not keep its value

  /**
   * @param stream the bucket's stream
   * @param reuseFor how long a value checked against the stream is answered without asking again
   *     (zero: every read asks)
   * @param reader what reads the value when the stream moved
   */
  StreamStateCache(String stream, Duration reuseFor, Reader<T> reader) {
    this.stream = stream;
    this.reuseNanos = reuseFor.toNanos();
    this.reader = reader;
  }

  /** The value as of the stream's state now, read again only if that moved since the last. */
  T get(NatsSession s) throws Exception {
    long generation;
    synchronized (this) {
      generation = forgotten;
    }
    Kept<T> k = kept;
    long now = System.nanoTime();
    if (k != null && k.session() == s && now - k.checked() < reuseNanos) {
      return k.value();
    }
    StreamState st = s.jsm.getStreamInfo(stream).getStreamState();
    if (k != null && k.session() == s && k.first() == st.getFirstSequence()
        && k.last() == st.getLastSequence() && k.count() == st.getMsgCount()) {
      keep(generation, new Kept<>(s, k.first(), k.last(), k.count(), k.value(), now));
      return k.value();
    }
    T v = reader.read(s);
    keep(generation, new Kept<>(s, st.getFirstSequence(), st.getLastSequence(), st.getMsgCount(),
        v, now));
    return v;
  }

  private synchronized void keep(long generation, Kept<T> k) {
    if (generation == forgotten) {
      kept = k;
    }
  }

  /** Drops the kept value: the next {@link #get} reads (after this process wrote the bucket). */
  synchronized void forget() {
    forgotten++;
    kept = null;
  }

  /**
   * The keys of bucket stream {@code stream} whose subjects match {@code filter} (under {@code
   * prefix}, the bucket's subject prefix), from the stream's subjects: no consumer. A deleted key
   * is listed while its marker stands; its get has no value.
   */
  static List<String> keys(NatsSession s, String stream, String prefix, String filter)
      throws Exception {
    List<Subject> subjects = s.jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects(filter))
        .getStreamState().getSubjects();
    List<String> out = new ArrayList<>();
    if (subjects != null) {
      for (Subject subject : subjects) {
        out.add(subject.getName().substring(prefix.length()));
      }
    }
    return out;
  }
}
