package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operation data on NATS as on the embedded broker (JobsApiComponentTest): a lone surrogate and a
 * number out of range are 400 with a clear message, and data is kept byte for byte (real
 * nats-server, the all-in-one jar as a process).
 */
class JsonInputIT {
  private NatsServer nats;
  private Osapi app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  @Test
  void operationDataIsCheckedAndKeptAsSent() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "json-input-");
    nats = NatsServer.start(dir);
    app = Osapi.allInOne(dir, nats.url(), "json-w1");
    app.awaitReady();

    HttpResponse<String> surrogate = app.post("diag.echo", "{\"s\":\"\\ud800\"}");
    assertThat(surrogate.statusCode()).as(surrogate.body()).isEqualTo(400);
    assertThat(surrogate.body()).contains("lone surrogate").contains("operation.data");

    HttpResponse<String> huge = app.post("diag.echo", "{\"n\":1e9999999999}");
    assertThat(huge.statusCode()).as(huge.body()).isEqualTo(400);
    assertThat(huge.body()).contains("1e9999999999").contains("out of range");

    String data = "{\"x\": 1e400, \"y\":[1.50,-0.0, 10E-2], \"s\":\"\\u00e9\\ud83d\\ude00\"}";
    String id = app.submit("diag.echo", data);
    assertThat(id).isNotNull();
    app.awaitEnded(List.of(id), Duration.ofSeconds(30));
    String detail = Http.get(app.api("/jobs/" + id)).body();
    assertThat(detail).contains("\"data\":" + data).contains("\"result\":" + data);
    assertThat(app.report()).doesNotContain("request POST /api/v1/jobs failed");
  }
}
