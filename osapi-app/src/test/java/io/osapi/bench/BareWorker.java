package io.osapi.bench;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.Headers;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The floor of the worker's design (scripts/bench-rest.sh): a process that runs the jobs {@link
 * BareCreateServer} notifies with the NATS work a worker does per run and the guarantees' own
 * costs, with no osapi code: pull requests on a durable shared by every worker (asked for in
 * halves of the free slots, at most {@code concurrency} runs at once), the claim (a KV create of
 * the run by expected sequence 0, awaited), the run handed to a pool thread (an operation may
 * block: it never runs on a NATS thread), the end signed by Ed25519 (Bouncy Castle, a key made
 * once) and written by expected sequence (awaited), then the notification acknowledged. What it
 * leaves out: reading and checking the notification, admission, the operation itself (here
 * nothing), the run's JSON, metrics, heartbeats, the sweeps. Its CPU per run is what this design
 * costs a worker before any of osapi's own work.
 *
 * <p>Arguments: the NATS URL, the concurrency, a name and, optionally, what to leave out (a comma
 * list: {@code nosign}, the end unsigned; {@code inline}, the end written from the claim's
 * acknowledgement on jnats' thread, no pool; {@code fromrecords}, the jobs taken from the records'
 * own writes, for a create that writes only the record): the variants of
 * scripts/bench-e2e-floor.sh. Prints
 * {@code ready} once bound, then {@code ended N} (runs ended so far) every 200 ms.
 */
public final class BareWorker {
  static final String DURABLE = "bare-workers";
  private static final byte[] CLAIM = BareCreateServer.filler(230);
  private static final byte[] END = BareCreateServer.filler(420);
  private static final Duration EXPIRY = Duration.ofSeconds(1);

  private BareWorker() {}

  public static void main(String[] args) throws Exception {
    int concurrency = Integer.parseInt(args[1]);
    String name = args[2];
    java.util.Set<String> without = java.util.Set.of((args.length > 3 ? args[3] : "").split(","));
    boolean sign = !without.contains("nosign");
    java.util.concurrent.Executor runs = without.contains("inline") ? Runnable::run : null;
    Connection nc = Nats.connect(new Options.Builder().server(args[0])
        .connectionTimeout(Duration.ofSeconds(10))
        .errorListener(new ErrorListener() {}) // quiet: an expired pull request is no error
        .build());
    // fromrecords: the notification is the record's own write (a design not built: workers
    // consuming the job bucket's stream), so the create needs no notification of its own
    boolean fromRecords = without.contains("fromrecords");
    String stream = fromRecords ? "KV_bare-state" : "BARE_JOBS";
    String filter = fromRecords ? "$KV.bare-state.jobs.>" : "bare.jobs.notify";
    nc.jetStreamManagement().addOrUpdateConsumer(stream, ConsumerConfiguration.builder()
        .durable(DURABLE).filterSubject(filter).ackPolicy(AckPolicy.Explicit)
        .deliverPolicy(DeliverPolicy.New).ackWait(Duration.ofSeconds(30)).maxDeliver(5)
        .maxAckPending(10_000).build());
    JetStream js = nc.jetStream();
    JetStreamSubscription sub = js.subscribe(filter, PullSubscribeOptions.bind(stream, DURABLE));
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
    ThreadLocal<Ed25519Signer> signers = ThreadLocal.withInitial(() -> {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, key);
      return s;
    });
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "bare-run");
      t.setDaemon(true);
      return t;
    });
    Semaphore slots = new Semaphore(concurrency);
    AtomicLong ended = new AtomicLong();
    Thread reporter = new Thread(() -> {
      while (true) {
        System.out.println("ended " + ended.get());
        System.out.flush();
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bare-report");
    reporter.setDaemon(true);
    reporter.start();
    System.out.println("ready");
    Pulls pulls = new Pulls(sub, slots, Math.max(1, concurrency / 2));
    while (true) {
      pulls.maybeRequest();
      Message m = sub.nextMessage(Duration.ofMillis(500));
      if (m == null || !m.isJetStream()) {
        continue;
      }
      pulls.delivered();
      slots.acquire();
      String run = "$KV.bare-state.runs." + m.metaData().streamSequence() + "._any";
      Headers claimed = new Headers().put("Osapi-State", "running").put("Osapi-Worker", name);
      js.publishAsync(run, claimed, CLAIM,
          PublishOptions.builder().expectedLastSubjectSequence(0).build())
          .thenAcceptAsync(ack -> {
            // the operation runs here (nothing), then its end is signed and written
            byte[] body = END.clone();
            if (sign) {
              Ed25519Signer signer = signers.get();
              signer.update(END, 0, 200);
              byte[] signature = signer.generateSignature();
              System.arraycopy(signature, 0, body, 1, signature.length);
            }
            Headers end = new Headers().put("Osapi-State", "completed").put("Osapi-Worker", name)
                .put("Nats-Expected-Last-Subject-Sequence", Long.toString(ack.getSeqno()));
            js.publishAsync(run, end, body).whenComplete((a, e) -> {
              m.ack();
              ended.incrementAndGet();
              slots.release();
              pulls.maybeRequest(); // a freed slot asks for more here, not by waking a thread
            });
          }, runs != null ? runs : pool)
          .exceptionally(e -> {
            m.nak();
            slots.release();
            pulls.maybeRequest();
            return null;
          });
    }
  }

  /**
   * The open pull requests: a new one when the free slots exceed what is asked for by half the
   * concurrency (or nothing is open), for the difference, expiring after {@link #EXPIRY}.
   */
  private static final class Pulls {
    private final JetStreamSubscription sub;
    private final Semaphore slots;
    private final int half;
    private int open; // guarded by this
    private long requestedAt; // guarded by this

    Pulls(JetStreamSubscription sub, Semaphore slots, int half) {
      this.sub = sub;
      this.slots = slots;
      this.half = half;
    }

    synchronized void maybeRequest() {
      int free = slots.availablePermits();
      long now = System.nanoTime();
      if (open > 0 && now - requestedAt > EXPIRY.toNanos()) {
        open = 0; // expired at the server
      }
      if (free - open >= half || (open == 0 && free > 0)) {
        sub.pullExpiresIn(free - open, EXPIRY);
        requestedAt = now;
        open = free;
      }
    }

    synchronized void delivered() {
      open = Math.max(0, open - 1);
    }
  }
}
