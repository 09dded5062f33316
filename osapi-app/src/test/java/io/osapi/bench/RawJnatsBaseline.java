package io.osapi.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PublishAck;
import io.nats.client.api.ReplayPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Variant A of the load driver: a hand-written jnats program doing the minimal NATS operations of
 * the v2 job store for the same guarantees as osapi, pipelined, with no osapi code in the way.
 *
 * <p>Same stream, bucket and consumer configuration as osapi's NATS adapter: stream {@code JOBS}
 * ({@code jobs.>}, limits, file storage, 24 h, 2 min duplicate window), bucket {@code osapi-jobs}
 * (history 1, 24 h TTL, file storage, direct gets), shared durable {@code query_any} on {@code
 * jobs.query._any} (explicit ack, ack wait 30 s, max deliver 5, max ack pending 1000).
 *
 * <p>Per job:
 *
 * <ol>
 *   <li>producer: create the record, a publish to {@code $KV.osapi-jobs.jobs.<id>} with expected
 *       last subject sequence 0 (create-if-absent);
 *   <li>once stored, publish the notification on {@code jobs.query._any} with {@code Nats-Msg-Id}
 *       = id; its body carries what the worker needs (the job and the record's revision), so the
 *       worker reads nothing before claiming;
 *   <li>worker: claim, a publish of the run {@code runs.<id>._any} (state running, this worker, the
 *       delivery count) with expected last subject sequence 0, so a job the server delivers twice
 *       runs once;
 *   <li>run the operation ({@code diag.echo}: the result is the data);
 *   <li>finish, a publish of the completed run with the result, expected last subject sequence =
 *       the claim's revision (compare-and-set: a worker that was taken over loses);
 *   <li>ack the delivery.
 * </ol>
 *
 * <p>Each job's steps are chained on the completion of the previous one (jnats' asynchronous
 * publishes), never waited for, across many jobs at once: each producer keeps up to {@value
 * #IN_FLIGHT_PER_PRODUCER} submits in flight; each worker runs up to its slots at a time, and pulls
 * from the shared durable with long-lived pull requests (expiring after 2 s) that ask only for the
 * free slots not yet covered by an open request, sent once at least half the slots are uncovered
 * (so one request serves several jobs). A claim that finds the run there already (a second
 * delivery of a job) reads it: completed means the job is done (ack), else the delivery is handed
 * back with a delay. That path is not taken in a normal run.
 *
 * <p>{@link #main} runs it alone against its own nats-server, without the rest of osapi:
 *
 * <pre>
 * javac -d /tmp/bench-a -cp jnats.jar osapi-app/src/test/java/io/osapi/bench/{RawJnatsBaseline,NatsServerProcess}.java
 * java -cp /tmp/bench-a:jnats.jar io.osapi.bench.RawJnatsBaseline --jobs 20000 --rounds 3
 * </pre>
 */
final class RawJnatsBaseline {
  /** Messages into nats-server per job, counted as above. */
  static final String OPS_PER_JOB =
      "producer: record create + notification publish = 2; worker: claim + finish + ack = 3;"
          + " plus the pull requests (one per half of the worker's slots freed)";

  static final String STREAM = "JOBS";
  static final String BUCKET = "osapi-jobs";
  static final String DURABLE = "query_any";
  static final String SUBJECT = "jobs.query._any";
  static final String KV = "$KV." + BUCKET + ".";

  /** Most submits a producer keeps in flight (record created, notification not yet confirmed). */
  static final int IN_FLIGHT_PER_PRODUCER = 64;

  /** How long a pull request waits at the server. */
  static final Duration PULL_EXPIRY = Duration.ofSeconds(2);

  private static final PublishOptions CREATE =
      PublishOptions.builder().expectedLastSubjectSequence(0).build();
  private static final int WRONG_LAST_SEQUENCE = 10071;

  private final String url;
  private final int producers;
  private final int workers;
  private final int slotsPerWorker;
  private final int pullAt;
  /** Whether a claimed job runs on a pool thread (P) rather than on jnats' thread (A). */
  private final boolean handOff;

  /** What a run measured. */
  record Result(Duration took, double p50Ms, double p99Ms, long redecided, long flowCpuNanos) {}

  /** CPU time of this JVM and nats-server so far (0: not measured), read at the flow's ends. */
  private java.util.function.LongSupplier cpuClock = () -> 0;

  /** Reads {@code clock} at the first submit and at the last completion ({@link Result}). */
  RawJnatsBaseline cpuClock(java.util.function.LongSupplier clock) {
    this.cpuClock = clock;
    return this;
  }

  RawJnatsBaseline(String url, int producers, int workers, int slotsPerWorker) {
    this(url, producers, workers, slotsPerWorker, false);
  }

  /**
   * {@code handOff}: each worker runs a claimed job and writes its end on a thread of its own
   * pool ({@code slotsPerWorker} threads), as a worker whose operations may block must (an
   * operation run on jnats' thread would hold up every delivery and acknowledgement of the
   * connection); otherwise on the thread that completed the claim.
   */
  RawJnatsBaseline(String url, int producers, int workers, int slotsPerWorker, boolean handOff) {
    this.url = url;
    this.producers = producers;
    this.workers = workers;
    this.slotsPerWorker = slotsPerWorker;
    this.pullAt = Math.max(1, Integer.getInteger("bench.pullAt", (slotsPerWorker + 1) / 2));
    this.handOff = handOff;
  }

  /** Runs {@code jobs} jobs on a fresh stream and bucket; wall time from first submit to last ack. */
  Result run(int jobs) throws Exception {
    Options opts = new Options.Builder().server(url).maxReconnects(-1).build();
    try (Connection admin = Nats.connect(opts)) {
      provision(admin);
    }
    Book book = new Book(jobs);
    List<Connection> conns = new ArrayList<>();
    List<Worker> ws = new ArrayList<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raw-pull-ticker");
      t.setDaemon(true);
      return t;
    });
    ExecutorService rare = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "raw-redecide");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int w = 0; w < workers; w++) {
        Connection nc = Nats.connect(opts);
        conns.add(nc);
        Worker worker = new Worker("raw-w" + w, nc, book, rare);
        ws.add(worker);
        worker.start();
      }
      // pulls that expired while slots were free (an idle moment) are asked again
      ticker.scheduleWithFixedDelay(() -> ws.forEach(x -> x.pull(true)), 200, 200,
          TimeUnit.MILLISECONDS);
      long t0 = System.nanoTime();
      long cpu0 = cpuClock.getAsLong();
      List<Thread> ps = new ArrayList<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      int per = jobs / producers;
      for (int p = 0; p < producers; p++) {
        int count = p == producers - 1 ? jobs - per * (producers - 1) : per;
        Connection nc = Nats.connect(opts);
        conns.add(nc);
        JetStream js = nc.jetStream();
        Thread t = new Thread(() -> produce(js, count, failure), "raw-producer-" + p);
        ps.add(t);
        t.start();
      }
      for (Thread t : ps) {
        t.join();
      }
      if (failure.get() != null) {
        throw new IllegalStateException("a submit failed", failure.get());
      }
      if (!book.finished.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("baseline finished only " + book.done.get() + " of " + jobs);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      long flowCpu = cpuClock.getAsLong() - cpu0;
      long[] lat = Arrays.copyOf(book.latencyMicros, jobs);
      Arrays.sort(lat);
      return new Result(took, pct(lat, 0.50) / 1000.0, pct(lat, 0.99) / 1000.0,
          book.redecided.get(), flowCpu);
    } finally {
      ticker.shutdownNow();
      for (Worker w : ws) {
        w.stop();
      }
      for (Connection c : conns) {
        c.close();
      }
      rare.shutdownNow();
      try (Connection admin = Nats.connect(opts)) {
        reset(admin.jetStreamManagement());
      }
    }
  }

  /** Stream, bucket and shared durable as osapi's NATS adapter provisions them, from empty. */
  static void provision(Connection admin) throws Exception {
    JetStreamManagement jsm = admin.jetStreamManagement();
    reset(jsm);
    jsm.addStream(StreamConfiguration.builder()
        .name(STREAM)
        .subjects("jobs.>")
        .retentionPolicy(RetentionPolicy.Limits)
        .discardPolicy(DiscardPolicy.Old)
        .storageType(StorageType.File)
        .replicas(1)
        .maxAge(Duration.ofHours(24))
        .maxMessages(-1)
        .duplicateWindow(Duration.ofMinutes(2))
        .build());
    KeyValueConfiguration kv = KeyValueConfiguration.builder()
        .name(BUCKET)
        .maxHistoryPerKey(1)
        .ttl(Duration.ofHours(24))
        .maxBucketSize(-1)
        .storageType(StorageType.File)
        .replicas(1)
        .build();
    jsm.addStream(StreamConfiguration.builder(kv.getBackingConfig()).allowDirect(true).build());
    jsm.addOrUpdateConsumer(STREAM, ConsumerConfiguration.builder()
        .durable(DURABLE)
        .filterSubject(SUBJECT)
        .ackPolicy(AckPolicy.Explicit)
        .deliverPolicy(DeliverPolicy.New)
        .replayPolicy(ReplayPolicy.Instant)
        .ackWait(Duration.ofSeconds(30))
        .maxDeliver(5)
        .maxAckPending(1000)
        .build());
  }

  /** Removes the stream and the bucket (what an osapi run leaves too). */
  static void reset(JetStreamManagement jsm) throws Exception {
    for (String s : List.of(STREAM, "KV_" + BUCKET)) {
      try {
        jsm.deleteStream(s);
      } catch (JetStreamApiException e) {
        // not there
      }
    }
  }

  /** One producer: submits {@code count} jobs, at most {@value #IN_FLIGHT_PER_PRODUCER} in flight. */
  private static void produce(JetStream js, int count, AtomicReference<Throwable> failure) {
    Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_PRODUCER);
    try {
      for (int i = 0; i < count && failure.get() == null; i++) {
        inFlight.acquire();
        String id = uuid7();
        String job = jobJson(id, Instant.now());
        CompletableFuture<PublishAck> stored;
        try {
          stored = js.publishAsync(KV + "jobs." + id, recordJson(job), CREATE);
        } catch (Exception e) {
          stored = CompletableFuture.failedFuture(e);
        }
        stored
            .thenCompose(ack -> publishNotification(js, id, job, ack.getSeqno()))
            .whenComplete((ack, err) -> {
              if (err != null) {
                failure.compareAndSet(null, err);
              }
              inFlight.release();
            });
      }
      inFlight.acquire(IN_FLIGHT_PER_PRODUCER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    }
  }

  private static CompletableFuture<PublishAck> publishNotification(
      JetStream js, String id, String job, long revision) {
    byte[] body = ("{\"job\":" + job + ",\"expected\":[],\"revision\":" + revision + "}")
        .getBytes(StandardCharsets.UTF_8);
    try {
      return js.publishAsync(SUBJECT, body, PublishOptions.builder().messageId(id).build());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The counters all workers share. */
  private static final class Book {
    final int jobs;
    final AtomicLong done = new AtomicLong();
    final AtomicLong redecided = new AtomicLong();
    final long[] latencyMicros;
    final CountDownLatch finished = new CountDownLatch(1);

    Book(int jobs) {
      this.jobs = jobs;
      this.latencyMicros = new long[jobs];
    }

    void completed(String id) {
      long createdMs = UUID.fromString(id).getMostSignificantBits() >>> 16;
      long n = done.incrementAndGet();
      if (n <= jobs) {
        latencyMicros[(int) n - 1] = (System.currentTimeMillis() - createdMs) * 1000;
      }
      if (n == jobs) {
        finished.countDown();
      }
    }
  }

  /**
   * One worker: its connection, its pull subscription on the shared durable (deliveries arrive on
   * a dispatcher), its free slots and the pull requests still open.
   */
  private final class Worker {
    final String name;
    final Connection nc;
    final JetStream js;
    final Book book;
    final ExecutorService rare;
    final Object lock = new Object();
    /** Where claimed jobs run when handing off; null: on the thread completing the claim. */
    final ExecutorService runs;
    /** Guarded by lock: free slots, and the open pull requests as {remaining, deadline nanos}. */
    int free = slotsPerWorker;
    final ArrayDeque<long[]> pulls = new ArrayDeque<>();
    Dispatcher dispatcher;
    JetStreamSubscription sub;

    Worker(String name, Connection nc, Book book, ExecutorService rare) throws Exception {
      this.name = name;
      this.nc = nc;
      this.js = nc.jetStream();
      this.book = book;
      this.rare = rare;
      this.runs = handOff ? Executors.newFixedThreadPool(slotsPerWorker, r -> {
        Thread t = new Thread(r, "raw-run-" + name);
        t.setDaemon(true);
        return t;
      }) : null;
    }

    void start() throws Exception {
      dispatcher = nc.createDispatcher();
      sub = js.subscribe(SUBJECT, dispatcher, this::delivered,
          PullSubscribeOptions.builder().stream(STREAM).durable(DURABLE).bind(true).build());
      pull(true);
    }

    void stop() {
      if (runs != null) {
        runs.shutdownNow();
      }
      try {
        if (dispatcher != null) {
          nc.closeDispatcher(dispatcher);
        }
      } catch (RuntimeException e) {
        // closing anyway
      }
    }

    /**
     * Asks for the free slots not covered by open requests: when at least {@code pullAt} are
     * uncovered, or any are and {@code anyFree} (the ticker, after requests expired).
     */
    void pull(boolean anyFree) {
      int want;
      synchronized (lock) {
        long now = System.nanoTime();
        int covered = 0;
        for (var it = pulls.iterator(); it.hasNext(); ) {
          long[] p = it.next();
          if (p[0] <= 0 || now >= p[1]) {
            it.remove();
          } else {
            covered += (int) p[0];
          }
        }
        int uncovered = free - covered;
        want = uncovered >= pullAt || (anyFree && uncovered > 0) ? uncovered : 0;
        if (want > 0) {
          pulls.addLast(new long[] {want, now + PULL_EXPIRY.toNanos()});
        }
      }
      if (want > 0) {
        try {
          sub.pullExpiresIn(want, PULL_EXPIRY);
        } catch (RuntimeException e) {
          synchronized (lock) {
            pulls.clear(); // asked again by the ticker
          }
        }
      }
    }

    /** A delivery: takes a slot, counts against the oldest open request, starts the job. */
    void delivered(Message m) {
      if (m.isStatusMessage()) {
        return;
      }
      synchronized (lock) {
        free--;
        long now = System.nanoTime();
        while (!pulls.isEmpty()) {
          long[] p = pulls.peekFirst();
          if (p[0] > 0 && now < p[1]) {
            if (--p[0] == 0) {
              pulls.pollFirst();
            }
            break;
          }
          pulls.pollFirst();
        }
      }
      process(m);
    }

    /** Claim, run, finish, ack: each step chained on the previous one's completion. */
    void process(Message m) {
      String body = new String(m.getData(), StandardCharsets.UTF_8);
      String id = between(body, "\"id\":\"", "\"");
      String data = between(body, "\"data\":", "},\"kind\"");
      String key = KV + "runs." + id + "._any";
      long attempt = m.metaData().deliveredCount();
      Instant started = Instant.now();
      CompletableFuture<PublishAck> claimed;
      try {
        claimed = js.publishAsync(key, runJson("running", attempt, started, null, null), CREATE);
      } catch (Exception e) {
        claimed = CompletableFuture.failedFuture(e);
      }
      java.util.function.Function<PublishAck, CompletableFuture<PublishAck>> runAndFinish =
          claim -> {
            String result = data; // diag.echo
            byte[] run = runJson("completed", attempt, started, Instant.now(), result);
            try {
              return js.publishAsync(key, run,
                  PublishOptions.builder().expectedLastSubjectSequence(claim.getSeqno()).build());
            } catch (Exception e) {
              return CompletableFuture.failedFuture(e);
            }
          };
      (runs == null ? claimed.thenCompose(runAndFinish)
          : claimed.thenComposeAsync(runAndFinish, runs))
          .whenComplete((finished, err) -> {
            if (err == null) {
              m.ack();
              book.completed(id);
              freeSlot();
            } else {
              redecide(m, key, err);
            }
          });
    }

    /**
     * A claim or finish that failed: when the run exists already and is completed (a second
     * delivery of a finished job), ack; otherwise hand the delivery back for a later decision.
     */
    void redecide(Message m, String key, Throwable err) {
      book.redecided.incrementAndGet();
      Throwable cause = err instanceof CompletionException && err.getCause() != null
          ? err.getCause() : err;
      boolean conflict = cause instanceof JetStreamApiException e
          && e.getApiErrorCode() == WRONG_LAST_SEQUENCE;
      rare.execute(() -> {
        try {
          KeyValueEntry e = conflict ? kv().get(key.substring(KV.length())) : null;
          if (e != null && e.getValueAsString().startsWith("{\"state\":\"completed\"")) {
            m.ack();
          } else {
            m.nakWithDelay(Duration.ofSeconds(1));
          }
        } catch (Exception x) {
          m.nakWithDelay(Duration.ofSeconds(1));
        } finally {
          freeSlot();
        }
      });
    }

    private KeyValue kv() throws Exception {
      return nc.keyValue(BUCKET);
    }

    void freeSlot() {
      synchronized (lock) {
        free++;
      }
      pull(false);
    }

    byte[] runJson(String state, long attempt, Instant started, Instant ended, String result) {
      StringBuilder b = new StringBuilder(320)
          .append("{\"state\":\"").append(state).append("\",\"worker\":\"").append(name)
          .append("\",\"attempt\":").append(attempt).append(",\"started\":\"").append(started)
          .append('"');
      if (ended != null) {
        b.append(",\"ended\":\"").append(ended).append("\",\"result\":").append(result);
      }
      b.append(",\"dead_lettered\":false,\"timeline\":[{\"time\":\"").append(started)
          .append("\",\"event\":\"started\",\"worker\":\"").append(name)
          .append("\",\"message\":\"processing began on ").append(name).append("\"}");
      if (ended != null) {
        b.append(",{\"time\":\"").append(ended).append("\",\"event\":\"completed\",\"worker\":\"")
            .append(name).append("\",\"message\":\"completed\"}");
      }
      return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The job as osapi's record and notification carry it. */
  private static String jobJson(String id, Instant created) {
    return "{\"id\":\"" + id + "\",\"operation\":{\"type\":\"diag.echo\",\"data\":{\"n\":1}},"
        + "\"kind\":\"query\",\"target\":\"_any\",\"created\":\"" + created + "\"}";
  }

  private static byte[] recordJson(String job) {
    String created = between(job, "\"created\":\"", "\"");
    return ("{\"job\":" + job + ",\"expected\":[],\"timeline\":[{\"time\":\"" + created
        + "\",\"event\":\"submitted\",\"worker\":\"_api\",\"message\":\"queued\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String between(String s, String from, String to) {
    int a = s.indexOf(from) + from.length();
    return s.substring(a, s.indexOf(to, a));
  }

  /** A UUIDv7 (creation time in the first 48 bits), as osapi's job ids. */
  static String uuid7() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | 0x7000L | (r.nextInt() & 0x0FFFL);
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private static long pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /**
   * A alone against its own nats-server: a warm-up run, then {@code --rounds} runs of {@code
   * --jobs} jobs, each with jobs/s, messages into the server per job (its {@code /varz} in_msgs,
   * pull requests included), CPU per job (this JVM + nats-server) and created-to-completed
   * latency; medians last. Options: {@code --jobs --rounds --producers --workers --concurrency
   * --warmup}, defaults as the load driver's; {@code -Dbench.handOff=true} runs P instead (claimed
   * jobs on a pool, see the constructor).
   */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> o = new HashMap<>(Map.of("jobs", 20_000, "rounds", 3, "producers", 2,
        "workers", 4, "concurrency", 8, "warmup", 5_000));
    for (int i = 0; i + 1 < args.length; i += 2) {
      String k = args[i].replaceFirst("^--", "");
      if (!o.containsKey(k)) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + o.keySet());
      }
      o.put(k, Integer.parseInt(args[i + 1]));
    }
    try (NatsServerProcess nats = NatsServerProcess.start()) {
      RawJnatsBaseline a = new RawJnatsBaseline(nats.url(), o.get("producers"), o.get("workers"),
          o.get("concurrency"), Boolean.getBoolean("bench.handOff"));
      int jobs = o.get("jobs");
      System.out.printf(Locale.ROOT,
          "machine: %d cpus; java %s; nats-server on loopback, file storage%n"
              + "config: jobs=%d rounds=%d producers=%d workers=%d concurrency=%d pull-at=%d"
              + " in-flight-per-producer=%d (diag.echo)%n"
              + "messages per job: %s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), jobs,
          o.get("rounds"), o.get("producers"), o.get("workers"), o.get("concurrency"), a.pullAt,
          IN_FLIGHT_PER_PRODUCER, OPS_PER_JOB);
      a.run(o.get("warmup"));
      List<Double> jps = new ArrayList<>();
      List<Double> msgs = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> serverCpu = new ArrayList<>();
      for (int r = 1; r <= o.get("rounds"); r++) {
        long c0 = NatsServerProcess.jvmCpuNanos() + nats.cpuNanos();
        long s0 = nats.cpuNanos();
        long[] m0 = nats.messages();
        Result res = a.run(jobs);
        long[] m1 = nats.messages();
        long s1 = nats.cpuNanos();
        long c1 = NatsServerProcess.jvmCpuNanos() + nats.cpuNanos();
        jps.add(jobs / (res.took().toNanos() / 1e9));
        msgs.add((m1[0] - m0[0]) / (double) jobs);
        cpu.add((c1 - c0) / 1e3 / jobs);
        serverCpu.add((s1 - s0) / 1e3 / jobs);
        System.out.printf(Locale.ROOT,
            "round %d: A %.0f jobs/s | messages per job in %.2f / out %.2f | CPU per job (this JVM"
                + " + nats-server) %.0f us, nats-server %.0f us | p50 %.1f ms, p99 %.1f ms"
                + " | redecided %d%n",
            r, jps.get(r - 1), msgs.get(r - 1), (m1[1] - m0[1]) / (double) jobs, cpu.get(r - 1),
            serverCpu.get(r - 1), res.p50Ms(), res.p99Ms(), res.redecided());
      }
      System.out.printf(Locale.ROOT,
          "RESULT_A raw_jobs_per_s=%.0f nats_msgs_per_job_a=%.2f cpu_us_per_job_a=%.0f"
              + " server_cpu_us_per_job_a=%.0f%n",
          median(jps), median(msgs), median(cpu), median(serverCpu));
    }
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
