package io.osapi.adapter.nats;

import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.ConsumerConfiguration;
import io.osapi.core.concurrent.DaemonThreads;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Reads one durable pull consumer that every subscribed process (the controllers) shares, on a
 * thread of its own, so each message reaches one of them at a time: {@link NatsDeadlineListener}
 * and {@link NatsExhaustedListener}. It waits while the backend is not ready, creates the durable
 * when it is missing (again after the backend provisioned anew), reads it through one pull
 * subscription kept open (jnats' {@link IterableConsumer}: it pulls again before a batch runs out,
 * and makes its subscription anew when the server's heartbeats stop) and hands each message to a
 * {@link MessageHandler}, which acks, naks or terms it, on a pool of {@code threads} (the reading
 * waits while all are busy), so one message whose handling is slow (a job whose store reads time
 * out) never holds up the others. A read that fails is tried again a second later; a handler that
 * throws has its message handed out again a second later.
 *
 * <p>Not a fetch of a batch at a time: a fetch ends, and unsubscribes, when its own clock says its
 * wait is over, which can be before the server's clock does. A message the server sends in
 * between is dropped by the client and counted delivered by the server, so it came back only after
 * its ack wait: a broadcast job's 3 s timeout fired after 30 s that way (FleetIT, 2026-12-07).
 */
final class SharedDurableListener implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SharedDurableListener.class.getName());
  /** How long one wait for the next message lasts before the loop looks at its state again. */
  private static final Duration NEXT_WAIT = Duration.ofSeconds(1);

  /** What a listener does with one message of its durable. */
  interface MessageHandler {
    /** Settles {@code m} (ack, nak with a delay, or term); a throw hands it out again. */
    void handle(NatsSession s, Message m) throws IOException, JetStreamApiException;
  }

  private final NatsLink backend;
  private final String stream;
  private final ConsumerConfiguration durable;
  private final int batch;
  private final Semaphore free;
  private final ExecutorService pool;
  private final String what;
  private final MessageHandler handler;
  private final Consumer<SharedDurableListener> onClose;
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param stream the stream the durable reads
   * @param durable its configuration, durable name included
   * @param batch messages per pull
   * @param threads messages handled at the same time
   * @param what what is read, for the log and the thread's name ({@code deadlines})
   * @param onClose called once closed
   */
  SharedDurableListener(NatsLink backend, String stream, ConsumerConfiguration durable,
      int batch, int threads, String what, MessageHandler handler,
      Consumer<SharedDurableListener> onClose) {
    this.backend = backend;
    this.stream = stream;
    this.durable = durable;
    this.batch = batch;
    this.free = new Semaphore(threads);
    this.pool = Executors.newFixedThreadPool(threads,
        DaemonThreads.named("osapi-nats-" + what.replace(' ', '-')));
    this.what = what;
    this.handler = handler;
    this.onClose = onClose;
    this.thread =
        DaemonThreads.single("osapi-nats-" + what.replace(' ', '-')).newThread(this::run);
  }

  void start() {
    thread.start();
  }

  private void run() {
    IterableConsumer reader = null;
    NatsSession readerSession = null;
    long epoch = -1;
    try {
      while (!closed) {
        try {
          if (!backend.isReady()) {
            Thread.sleep(250);
            continue;
          }
          NatsSession s = backend.requireSession();
          if (reader == null || epoch != backend.provisionEpoch() || readerSession != s) {
            stop(reader);
            reader = null;
            epoch = backend.provisionEpoch();
            ensureDurable(s.jsm);
            reader = s.js.getConsumerContext(stream, durable.getDurable())
                .iterate(ConsumeOptions.builder().batchSize(batch).build());
            readerSession = s;
          }
          Message m = reader.nextMessage(NEXT_WAIT);
          if (m != null) {
            free.acquire();
            pool.execute(() -> handleOne(s, m));
          }
        } catch (InterruptedException e) {
          break;
        } catch (Exception e) {
          stop(reader);
          reader = null;
          if (!closed) {
            LOG.log(Level.DEBUG, "reading {0}, trying again: {1}", what, NatsErrors.describe(e));
            try {
              Thread.sleep(1_000);
            } catch (InterruptedException ie) {
              break;
            }
          }
        }
      }
    } finally {
      stop(reader);
    }
  }

  /** Ends {@code reader}'s subscription (null: none); what it held comes back after its ack wait. */
  private static void stop(IterableConsumer reader) {
    if (reader == null) {
      return;
    }
    try {
      reader.close();
    } catch (Exception e) {
      // closed with its connection already
    }
  }

  private void handleOne(NatsSession s, Message m) {
    try {
      handler.handle(s, m);
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "handling one of {0}, handing it out again: {1}", what,
          NatsErrors.describe(e));
      try {
        m.nakWithDelay(Duration.ofSeconds(1));
      } catch (RuntimeException ignored) {
        // not connected: it comes back after its ack wait
      }
    } finally {
      free.release();
    }
  }

  private void ensureDurable(JetStreamManagement jsm) throws IOException, JetStreamApiException {
    try {
      jsm.getConsumerInfo(stream, durable.getDurable());
      return;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NatsSession.CONSUMER_NOT_FOUND) {
        throw e;
      }
    }
    jsm.addOrUpdateConsumer(stream, durable);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    pool.shutdownNow();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "SharedDurableListener[" + stream + "/" + durable.getDurable() + "]";
  }
}
