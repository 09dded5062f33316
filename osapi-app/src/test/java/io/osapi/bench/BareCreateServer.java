package io.osapi.bench;

import com.sun.net.httpserver.HttpServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor of the REST create's design (scripts/bench-rest.sh): the bare JDK server of {@link
 * BareHttpServer} that, for each POST, makes the NATS writes a controller's create makes and waits
 * for what it waits for, with no osapi code: the pending audit record (a JetStream publish, its
 * acknowledgement awaited), the job's record (a KV create by expected sequence 0, awaited), the
 * notification (a JetStream publish, awaited), the final audit record (published, not awaited),
 * then 201 with the job's id; and a headers-only watch of the records and runs written from its
 * start on, as the job index has.
 * Bodies are of the controller's sizes. What it leaves out: parsing and checking the request,
 * the caller's identity and permission, the job's JSON, metrics, the runs' writes the index also
 * hears. Its CPU per request is what this design costs before any of osapi's own work.
 *
 * <p>Arguments: the loopback port, the NATS URL and, optionally, the writes to make (a comma list
 * of {@code pending,record,notification,final}; all four by default: the controller's create).
 * Prints {@code listening} once bound.
 */
public final class BareCreateServer {
  private static final byte[] AUDIT = filler(360);
  private static final byte[] RECORD = filler(420);
  private static final byte[] NOTIFICATION = filler(260);
  private static final PublishOptions CREATE =
      PublishOptions.builder().expectedLastSubjectSequence(0).build();

  private BareCreateServer() {}

  /** {@code n} bytes of a JSON-looking filler. */
  static byte[] filler(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    b[0] = '{';
    b[n - 1] = '}';
    return b;
  }

  public static void main(String[] args) throws Exception {
    java.util.Set<String> writes = java.util.Set.of(
        (args.length > 2 ? args[2] : "pending,record,notification,final").split(","));
    if (!java.util.Set.of("pending", "record", "notification", "final").containsAll(writes)) {
      throw new IllegalArgumentException("writes are a comma list of pending, record,"
          + " notification, final: " + writes);
    }
    Connection nc = Nats.connect(new Options.Builder().server(args[1])
        .connectionTimeout(Duration.ofSeconds(10)).build());
    JetStreamManagement jsm = nc.jetStreamManagement();
    jsm.addStream(StreamConfiguration.builder().name("BARE_AUDIT").subjects("bare.audit")
        .storageType(StorageType.File).build());
    jsm.addStream(StreamConfiguration.builder().name("BARE_JOBS").subjects("bare.jobs.>")
        .storageType(StorageType.File).build());
    nc.keyValueManagement().create(KeyValueConfiguration.builder().name("bare-state")
        .storageType(StorageType.File).build());
    JetStream js = nc.jetStream();
    AtomicLong heard = new AtomicLong();
    // the job index's watch: headers only, every record write
    nc.jetStream().subscribe("$KV.bare-state.>", nc.createDispatcher(),
        m -> heard.incrementAndGet(), true,
        io.nats.client.PushSubscribeOptions.builder().ordered(true)
            .configuration(io.nats.client.api.ConsumerConfiguration.builder().headersOnly(true)
                // from now on: a bucket left by an earlier run is not read again
                .deliverPolicy(io.nats.client.api.DeliverPolicy.New).build()).build());
    boolean pending = writes.contains("pending");
    boolean record = writes.contains("record");
    boolean notification = writes.contains("notification");
    boolean fin = writes.contains("final");
    AtomicLong ids = new AtomicLong();
    HttpServer s = BareHttpServer.server(Integer.parseInt(args[0]));
    s.createContext("/", ex -> {
      try (ex; InputStream in = ex.getRequestBody()) {
        in.readAllBytes();
        if (!ex.getRequestMethod().equals("POST")) {
          ex.sendResponseHeaders(200, -1);
          return;
        }
        String id = Long.toString(ids.incrementAndGet());
        try {
          if (pending) {
            js.publishAsync("bare.audit", AUDIT).get(10, TimeUnit.SECONDS);
          }
          if (record) {
            Headers h = new Headers().put("Osapi-Status", "submitted")
                .put("Osapi-Op", "diag.echo");
            js.publishAsync("$KV.bare-state.jobs." + id, h, RECORD, CREATE)
                .get(10, TimeUnit.SECONDS);
          }
          if (notification) {
            js.publishAsync("bare.jobs.notify", NOTIFICATION).get(10, TimeUnit.SECONDS);
          }
          if (fin) {
            js.publishAsync("bare.audit", AUDIT); // the final record: not awaited
          }
        } catch (Exception e) {
          ex.sendResponseHeaders(503, -1);
          return;
        }
        byte[] answer = ("{\"job_id\":\"" + id + "\",\"status\":\"submitted\"}")
            .getBytes(StandardCharsets.UTF_8);
        BareHttpServer.answer(ex, 201, answer);
      }
    });
    s.start();
    System.out.println("listening");
  }
}
