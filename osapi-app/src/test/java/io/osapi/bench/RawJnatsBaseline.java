package io.osapi.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Variant A of the load driver: a hand-written jnats program doing exactly the NATS operations one
 * osapi job does, pipelined where the ordering rules allow, with no osapi code in the way.
 *
 * <p>Per job, producer side: KV create of the job record (waits for its ack, because a worker must
 * find the record), then the submitted event (async) beside the notification publish with {@code
 * Nats-Msg-Id}; worker side: fetch (batched), the claim (create-if-absent of {@code claims.<id>},
 * which osapi writes for every {@code _any} delivery so that a job delivered twice runs once), KV
 * get of the record, four async KV puts (acknowledged, started, result, completed, in that order
 * on one connection), wait for their acks, then ack the message. Every KV write carries {@code
 * Nats-Msg-Id} = its key, as osapi's do (a retried write is stored once).
 */
final class RawJnatsBaseline {
  /** NATS operations per job, counted as above (the fetch is shared by a batch). */
  static final String OPS_PER_JOB =
      "producer: kv create + event put + publish = 3; worker: claim + kv get + 4 puts + ack = 7;"
          + " plus one pull request per batch";

  private final String url;
  private final int producers;
  private final int workers;
  private final int slotsPerWorker;
  private final String prefix;

  RawJnatsBaseline(String url, int producers, int workers, int slotsPerWorker, String prefix) {
    this.url = url;
    this.producers = producers;
    this.workers = workers;
    this.slotsPerWorker = slotsPerWorker;
    this.prefix = prefix;
  }

  private static void process(Message m, JetStream js, KeyValue kv, String bucket, String me)
      throws Exception {
    String id = new String(m.getData(), StandardCharsets.UTF_8);
    js.publishAsync("$KV." + bucket + ".claims." + id, me.getBytes(StandardCharsets.UTF_8),
        io.nats.client.PublishOptions.builder().expectedLastSubjectSequence(0).build())
        .get(30, TimeUnit.SECONDS);
    kv.get("jobs." + id);
    long n = System.nanoTime();
    String base = "$KV." + bucket + ".";
    byte[] ev = ("{\"job_id\":\"" + id + "\",\"worker\":\"" + me + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    CompletableFuture<PublishAck> a =
        put(js, base, "status." + id + ".acknowledged." + me + "." + n, ev);
    CompletableFuture<PublishAck> b =
        put(js, base, "status." + id + ".started." + me + "." + (n + 1), ev);
    CompletableFuture<PublishAck> c = put(js, base, "responses." + id + "." + me + "." + (n + 2), ev);
    CompletableFuture<PublishAck> d =
        put(js, base, "status." + id + ".completed." + me + "." + (n + 3), ev);
    CompletableFuture.allOf(a, b, c, d).get(30, TimeUnit.SECONDS);
    m.ack();
  }

  /** A KV put with {@code Nats-Msg-Id} = the key, as osapi's writes carry (idempotent retries). */
  private static CompletableFuture<PublishAck> put(
      JetStream js, String base, String key, byte[] v) {
    return js.publishAsync(
        base + key, v, io.nats.client.PublishOptions.builder().messageId(key).build());
  }

  /** Runs {@code jobs} jobs and returns the wall time from first create to last ack. */
  Duration run(int jobs) throws Exception {
    String stream = prefix.toUpperCase();
    String bucket = prefix + "-jobs";
    String subject = prefix + ".query._any";
    Options opts = new Options.Builder().server(url).maxReconnects(-1).build();
    try (Connection admin = Nats.connect(opts)) {
      JetStreamManagement jsm = admin.jetStreamManagement();
      jsm.addStream(StreamConfiguration.builder().name(stream).subjects(prefix + ".>")
          .storageType(StorageType.File).maxAge(Duration.ofHours(1))
          .duplicateWindow(Duration.ofMinutes(2)).build());
      admin.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket)
          .storageType(StorageType.File).maxHistoryPerKey(1).build());
      jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable("work")
          .filterSubject(subject).ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30))
          .maxDeliver(5).maxAckPending(10_000).build());
    }
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    List<Connection> conns = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<ExecutorService> pools = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Connection nc = Nats.connect(opts);
      conns.add(nc);
      JetStream js = nc.jetStream();
      KeyValue kv = nc.keyValue(bucket);
      String me = "w" + w;
      JetStreamSubscription sub = js.subscribe(subject,
          PullSubscribeOptions.builder().bind(true).stream(stream).durable("work").build());
      ExecutorService pool = Executors.newFixedThreadPool(slotsPerWorker);
      pools.add(pool);
      Semaphore slots = new Semaphore(slotsPerWorker);
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          try {
            slots.acquire();
          } catch (InterruptedException e) {
            return;
          }
          int granted = 1 + slots.drainPermits();
          List<Message> batch = sub.fetch(granted, Duration.ofMillis(100));
          slots.release(granted - batch.size());
          for (Message m : batch) {
            pool.execute(() -> {
              try {
                process(m, js, kv, bucket, me);
                if (done.incrementAndGet() == jobs) {
                  finished.countDown();
                }
              } catch (Exception e) {
                m.nak();
              } finally {
                slots.release();
              }
            });
          }
        }
      }, "raw-fetch-" + w);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    long t0 = System.nanoTime();
    List<Thread> producersThreads = new ArrayList<>();
    int perProducer = jobs / producers;
    for (int p = 0; p < producers; p++) {
      int count = p == producers - 1 ? jobs - perProducer * (producers - 1) : perProducer;
      Connection nc = Nats.connect(opts);
      conns.add(nc);
      JetStream js = nc.jetStream();
      KeyValue kv = nc.keyValue(bucket);
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            kv.create("jobs." + id, ("{\"id\":\"" + id + "\",\"operation\":{\"type\":\"diag.echo\","
                + "\"data\":{\"n\":1}},\"target\":\"_any\"}").getBytes(StandardCharsets.UTF_8));
            CompletableFuture<PublishAck> ev = put(js, "$KV." + bucket + ".",
                "status." + id + ".submitted._api." + System.nanoTime(),
                ("{\"job_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            Headers h = new Headers().add("Nats-Msg-Id", id);
            js.publish(subject, h, id.getBytes(StandardCharsets.UTF_8));
            ev.get(30, TimeUnit.SECONDS);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "raw-producer-" + p);
      producersThreads.add(t);
      t.start();
    }
    for (Thread t : producersThreads) {
      t.join();
    }
    boolean ok = finished.await(10, TimeUnit.MINUTES);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    stop.set(true);
    for (Thread t : threads) {
      t.join(2000);
    }
    pools.forEach(ExecutorService::shutdownNow);
    for (Connection c : conns) {
      c.close();
    }
    try (Connection admin = Nats.connect(opts)) {
      admin.jetStreamManagement().deleteStream(stream);
      admin.keyValueManagement().delete(bucket);
    }
    if (!ok) {
      throw new IllegalStateException("baseline finished only " + done.get() + " of " + jobs);
    }
    return took;
  }
}
