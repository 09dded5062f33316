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
 * ends that reuse, so the next read asks the stream's state again and sees every write made
 * before the forget (this process's own, or another's it must not miss); the value is read again
 * only if the stream moved.
 *
 * @param <T> what is read: immutable, as every caller gets the same
 */
final class StreamStateCache<T> {
  /** Reads the value. */
  interface Reader<T> {
    T read(NatsSession session) throws Exception;
  }

  /** A value and the stream state it was read at; {@code reusable}: not forgotten since. */
  private record Kept<T>(NatsSession session, long first, long last, long count, T value,
      long checked, boolean reusable) {
    Kept<T> forgotten() {
      return new Kept<>(session, first, last, count, value, checked, false);
    }
  }

  private final String stream;
  private final Reader<T> reader;
  private final long reuseNanos;
  private volatile Kept<T> kept;
  private long forgotten; // guarded by this: a read begun before a forget is not reused after it

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
    if (k != null && k.reusable() && k.session() == s && now - k.checked() < reuseNanos) {
      return k.value();
    }
    StreamState st = s.jsm.getStreamInfo(stream).getStreamState();
    if (k != null && k.session() == s && k.first() == st.getFirstSequence()
        && k.last() == st.getLastSequence() && k.count() == st.getMsgCount()) {
      keep(generation, new Kept<>(s, k.first(), k.last(), k.count(), k.value(), now, true));
      return k.value();
    }
    T v = reader.read(s);
    keep(generation, new Kept<>(s, st.getFirstSequence(), st.getLastSequence(), st.getMsgCount(),
        v, now, true));
    return v;
  }

  /**
   * Keeps what a read found; a read begun before a {@link #forget} is kept but not reused
   * unasked: the state it was read at may be older than a write the forget was for.
   */
  private synchronized void keep(long generation, Kept<T> k) {
    kept = generation == forgotten ? k : k.forgotten();
  }

  /**
   * Ends the reuse of the kept value: the next {@link #get} asks the stream's state (one request)
   * and reads again only if it moved, so it sees every write made before this call.
   */
  synchronized void forget() {
    forgotten++;
    Kept<T> k = kept;
    if (k != null) {
      kept = k.forgotten();
    }
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
