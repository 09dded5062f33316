package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueEntry;
import io.osapi.adapter.nats.NatsPermissions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust boundary with the real processes: nats-server with per-worker users (generated for
 * this test's ids), a controller and a worker from the jar, each with its own NATS user; the
 * worker's key accepted through the CLI; its ends verified; and a run end forged with the worker
 * host's own NATS credentials (no key) shown as unverified by the API and the CLI.
 */
class TrustIT {
  @TempDir Path dir;

  private Path secret(String name, String value) throws Exception {
    Path p = Files.writeString(dir.resolve(name), value + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }

  private OsProcess cli(String name, String... args) {
    OsProcess p = OsProcess.start(name, dir, Map.of(), OsProcess.javaJar(OsProcess.jar(), args));
    assertThat(p.awaitExit(Duration.ofSeconds(40))).as(p.report()).isZero();
    return p;
  }

  private JsonNode ended(Osapi controller, String id) {
    controller.awaitEnded(List.of(id), Duration.ofSeconds(30));
    return controller.job(id);
  }

  @Test
  void perWorkerUsersAcceptedKeysAndAForgedEnd() throws Exception {
    Path conf = Files.writeString(dir.resolve("nats.conf"), NatsPermissions.serverAuthorization(
        "controller", "controller-Pa55", List.of(new NatsPermissions.WorkerUser(
            "tw1", "tw1-Pa55", "tw1", Map.of("group", "web")))));
    try (NatsServer nats = NatsServer.start(dir, List.of("-c", conf.toString()));
        Osapi controller = Osapi.controller(dir, nats.url(), "--nats-user", "controller",
            "--nats-password-file", secret("controller.pw", "controller-Pa55").toString());
        Osapi worker = Osapi.worker(dir, nats.url(), "tw1", "--labels", "group=web",
            "--nats-user", "tw1", "--nats-password-file", secret("tw1.pw", "tw1-Pa55")
                .toString())) {
      controller.awaitReady();
      worker.awaitReady();
      Path keyFile = Path.of(Osapi.keyFile(dir, "tw1"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
          .isEqualTo("rw-------");
      Pattern fp = Pattern.compile("fingerprint (SHA256:[0-9a-f]{32})");
      OsProcess wp = worker.process();
      OsProcess.waitFor("the key's fingerprint in the log", Osapi.START,
          () -> fp.matcher(wp.stdout() + wp.stderr()).find());
      Matcher m = fp.matcher(wp.stdout() + wp.stderr());
      assertThat(m.find()).isTrue();
      String fingerprint = m.group(1);

      URI api = controller.api("");
      JsonNode w = Http.json(Http.get(controller.api("/workers"))).path("workers").get(0);
      assertThat(w.path("key_state").asText()).isEqualTo("pending");
      assertThat(w.path("key_fingerprint").asText()).isEqualTo(fingerprint);

      JsonNode before = ended(controller, controller.submit("diag.echo", "{\"n\":1}"));
      assertThat(before.path("verified").asBoolean(true)).as(before.toString()).isFalse();
      assertThat(before.path("unverified_reason").asText())
          .isEqualTo("no accepted key for worker tw1");

      String base = "http://127.0.0.1:" + api.getPort();
      OsProcess wrong = OsProcess.start("accept-wrong", dir, Map.of(), OsProcess.javaJar(
          OsProcess.jar(), "workers", "accept", "tw1", "--controller", base, "--fingerprint",
          "SHA256:00000000000000000000000000000000"));
      assertThat(wrong.awaitExit(Duration.ofSeconds(40))).as(wrong.report()).isEqualTo(1);
      assertThat(wrong.stderr()).contains("announces another key");
      assertThat(cli("accept", "workers", "accept", "tw1", "--controller", base,
          "--fingerprint", fingerprint).stdout()).contains("the key of worker tw1 is accepted");
      assertThat(cli("list", "workers", "--controller", base).stdout())
          .contains("accepted").contains(fingerprint);

      String goodId = controller.submit("diag.echo", "{\"n\":2}");
      JsonNode good = ended(controller, goodId);
      assertThat(good.path("verified").asBoolean()).as(good.toString()).isTrue();
      assertThat(good.path("results").get(0).path("verified").asBoolean()).isTrue();
      assertThat(cli("get-good", "job", "get", goodId, "--controller", base).stdout())
          .contains("verified:   yes");

      // the worker host's own NATS user, without its key: it may write _any runs
      String id = controller.submit("diag.sleep", "{\"seconds\": 20}");
      try (Connection c = Nats.connect(new Options.Builder().server(nats.url())
          .userInfo("tw1", "tw1-Pa55").build())) {
        KeyValue kv = c.keyValue("osapi-jobs");
        String key = "runs." + id + "._any";
        OsProcess.waitFor("the run running", Duration.ofSeconds(20), () -> {
          try {
            KeyValueEntry e = kv.get(key);
            return e != null && new String(e.getValue(), StandardCharsets.UTF_8)
                .contains("\"state\":\"running\"");
          } catch (Exception ex) {
            return false;
          }
        });
        KeyValueEntry running = kv.get(key);
        String forged = new String(running.getValue(), StandardCharsets.UTF_8).replace(
            "\"state\":\"running\"", "\"state\":\"completed\",\"ended\":\"" + Instant.now()
                + "\",\"result\":{\"forged\":true}");
        kv.update(key, forged.getBytes(StandardCharsets.UTF_8), running.getRevision());
      }
      JsonNode bad = ended(controller, id);
      assertThat(bad.path("status").asText()).isEqualTo("completed");
      assertThat(bad.path("result").toString()).contains("forged");
      assertThat(bad.path("verified").asBoolean(true)).isFalse();
      assertThat(bad.path("unverified_reason").asText()).isEqualTo("not signed by a worker");
      assertThat(cli("get-bad", "job", "get", id, "--controller", base).stdout())
          .contains("verified:   NO (not signed by a worker)");
    }
  }
}
